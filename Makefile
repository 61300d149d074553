# publish: `make` builds the print PDF, screen PDF and EPUB of every source of content/ into build/.
# Each output depends on its source, the layouts, the images, the fonts and the code,
# so a rerun with nothing changed does nothing; `make -j2` builds in parallel.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PUBLISH := $(BIN)/publish

SOURCES := $(filter-out %.collection.yaml,$(wildcard content/*.yaml))
PDFS    := $(patsubst content/%.yaml,build/%.pdf,$(SOURCES))
EPUBS   := $(patsubst content/%.yaml,build/%.epub,$(SOURCES))
SCREENS := $(patsubst content/%.yaml,build/%-screen.pdf,$(SOURCES))
BOOKLETS := $(patsubst content/%.yaml,build/%-booklet.pdf,$(SOURCES))
VEPUBS  := $(patsubst content/%.yaml,build/vertical/%.epub,$(SOURCES))
# Collections (content/NAME.collection.yaml -> build/NAME.pdf, .epub) depend on every interview.
COLLECTIONS := $(wildcard content/*.collection.yaml)
PDFS    += $(patsubst content/%.collection.yaml,build/%.pdf,$(COLLECTIONS))
EPUBS   += $(patsubst content/%.collection.yaml,build/%.epub,$(COLLECTIONS))
SCREENS += $(patsubst content/%.collection.yaml,build/%-screen.pdf,$(COLLECTIONS))
BOOKLETS += $(patsubst content/%.collection.yaml,build/%-booklet.pdf,$(COLLECTIONS))
VEPUBS  += $(patsubst content/%.collection.yaml,build/vertical/%.epub,$(COLLECTIONS))
DEPS    := $(shell find src layouts fonts -type f -not -name '*.pyc' 2>/dev/null) \
           $(wildcard content/images/*) pyproject.toml

.PHONY: all screen booklet check test test-slow test-deps test-prereqs bench clean distclean venv references
.DELETE_ON_ERROR:

# By default: the print-shop PDF, the screen PDF (e-mail, web) and the EPUB (phones and
# e-readers) of every source. `make booklet` adds the office booklets.
all: $(PDFS) $(SCREENS) $(EPUBS)

venv: $(STAMP)
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

build/%.pdf: content/%.yaml $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format pdf --out build

build/%.epub: content/%.yaml $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format epub --out build

# The screen edition (RGB, tagged, for e-mail and the web) and the office booklet
# (two pages a side, for duplex printing and folding).
screen: $(SCREENS)
booklet: $(BOOKLETS)

build/%-screen.pdf: content/%.yaml $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format screen-pdf --out build

build/%-booklet.pdf: content/%.yaml $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format booklet --out build

build/vertical/%.epub: content/%.yaml $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format epub --vertical --out build/vertical

build/vertical/%.epub: content/%.collection.yaml $(SOURCES) $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format epub --vertical --out build/vertical

# Preflight every built PDF as a print shop would, and run DAISY Ace (accessibility) over
# every booklet, horizontal and vertical (tools/ace_check.py installs Ace from npm on first use).
check: all screen booklet $(VEPUBS)
	$(PUBLISH) check $(PDFS) $(SCREENS) $(BOOKLETS)
	$(BIN)/python tools/ace_check.py $(EPUBS) $(VEPUBS)

build/%.pdf: content/%.collection.yaml $(SOURCES) $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format pdf --out build

build/%.epub: content/%.collection.yaml $(SOURCES) $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format epub --out build

build/%-screen.pdf: content/%.collection.yaml $(SOURCES) $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format screen-pdf --out build

build/%-booklet.pdf: content/%.collection.yaml $(SOURCES) $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format booklet --out build

# The tests' system prerequisites (Java for EPUBCheck, Chromium, poppler-utils, the
# HarfBuzz subsetter, Ghostscript's CMYK profile): `make test-deps` installs the missing
# ones with apt-get (Debian/Ubuntu) and DAISY Ace from npm into .venv/ace (when npm is
# here; else its test installs it or is skipped); `make test` checks them first and names the command.
# `make test` lints with ruff, then runs the tests on every core (pytest-xdist; a file's
# tests stay on one worker unless tests/conftest.py lets them spread; outputs several tests
# read are built once per run). `make test-slow` runs the tests marked slow (a wheel installed
# into a fresh virtual environment, a few minutes); CI runs both.
test-deps:
	$(PYTHON) tools/test_prereqs.py --install
	$(PYTHON) tools/ace_check.py --install

test-prereqs:
	@$(PYTHON) tools/test_prereqs.py

test: $(STAMP) test-prereqs
	$(BIN)/ruff check src tests tools
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n auto --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

test-slow: $(STAMP) test-prereqs
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

# Rewrite tests/reference/<layout>/page-NN.png (the visual regression test's pages) after an
# intended change to a layout, the typesetting or the sample; pages within the test's
# tolerance are left as they are (FORCE=1 rewrites all), pages beyond the new page count
# are removed. LAYOUTS="booklet" limits it to some layouts.
references: $(STAMP)
	$(BIN)/python -m publish.app.visual refresh $(if $(FORCE),--force) $(LAYOUTS)

bench: $(STAMP)
	$(BIN)/python -m publish.app.benchmark
	$(BIN)/python -m publish.app.bench_collections --repeat 1

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV)
