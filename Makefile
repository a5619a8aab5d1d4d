# Two commands on a fresh machine: `make site` builds the site, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export NO_MKDOCS_2_WARNING := 1

.PHONY: site docs test golden serve clean eval bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

docs: $(STAMP)
	$(PY) -m generator build

site: docs
	$(VENV)/bin/mkdocs build --strict

test: $(STAMP) $(CHROMIUM)
	$(PY) -m pytest

# The browser test drives Debian's Chromium (Playwright never downloads a browser here).
$(CHROMIUM):
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# Score themes, stories and summaries on the labelled corpus; writes EVALUATION.md and docs/quality.md.
CORPUS ?= ../shared/corpora/bbc-dev
eval: $(STAMP)
	$(PY) -m generator.quality --corpus $(CORPUS)

# Speed and scale: bbc-dev and a 20,000-article archive; writes BENCHMARKS.md.
bench: $(STAMP) $(CHROMIUM)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test,bench]"
	$(PY) -m bench --corpus $(CORPUS)

golden: $(STAMP)
	$(PY) -m tests.golden

# Read the site at http://127.0.0.1:8000 while it rebuilds on every change to seeds/ or templates/.
# MkDocs rebuilds only the pages whose files changed (serve.yml keeps the search index whole).
SERVE_FLAGS ?= --dirty
serve: docs
	$(PY) -m generator watch & trap 'kill $$!' EXIT INT TERM; $(VENV)/bin/mkdocs serve -f serve.yml --livereload $(SERVE_FLAGS)

clean:
	rm -rf site docs/digest docs/digest.json docs/index.md
