"""publish: Japanese interview sources (YAML) to print PDFs, screen PDFs, office booklets and
EPUB 3 (see README.md for the pipeline and its stages)."""

from publish import libraries

libraries.install()  # before any stage imports WeasyPrint: its libraries from one `ldconfig -p`
