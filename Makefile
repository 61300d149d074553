# publish: `make` builds every brochure and booklet of content/ into build/.
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
VEPUBS  := $(patsubst content/%.yaml,build/vertical/%.epub,$(SOURCES))
DEPS    := $(shell find src layouts fonts -type f -not -name '*.pyc' 2>/dev/null) \
           $(wildcard content/images/*) pyproject.toml

.PHONY: all test check bench clean distclean venv
.DELETE_ON_ERROR:

all: $(PDFS) $(EPUBS)

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

build/vertical/%.epub: content/%.yaml $(DEPS) | $(STAMP)
	$(PUBLISH) build $< --format epub --vertical --out build/vertical

# DAISY Ace over every booklet, horizontal and vertical (installs Ace from npm on first use).
check: $(EPUBS) $(VEPUBS) | $(STAMP)
	$(BIN)/python tools/ace_check.py $(EPUBS) $(VEPUBS)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m publish.benchmark

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV)
