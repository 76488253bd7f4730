# The two commands of the README: `make book` and `make test`. Both create .venv themselves from
# the pinned requirements (requirements/constraints.txt) and reinstall only when those change.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(abspath $(VENV))/bin
CONSTRAINTS := requirements/constraints.txt
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(CONSTRAINTS)
BOOK_BUILD := $(BIN)/jupyter-book build . -W -n --keep-going
BROWSER_TESTS := $(BIN)/python -m pytest tests/browser -q
HOST ?= 127.0.0.1
PORT ?= 8000
# The notebooks' kernel is the venv's Python.
export PATH := $(BIN):$(PATH)
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help book book-strict serve lab test test-checks browser-tests-of-the-book lint \
        check-notebooks unit-tests node-tests notebook-tests test-browser student solutions course \
        test-classroom bench screenshots clean-notebooks clean lock mutate study

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/pip.txt

# The book's venv also runs JupyterLab (make lab), with convlib's settings defaults (no news pop-up).
$(VENV)/.installed-book: pyproject.toml $(CONSTRAINTS) tools/jupyterlab-overrides.json | $(BIN)/python
	$(PIP_INSTALL) -e '.[book,lab]'
	$(BIN)/python tools/install_lab_settings.py
	touch $@

$(VENV)/.installed-test: pyproject.toml $(CONSTRAINTS) $(VENV)/.installed-book
	$(PIP_INSTALL) -e '.[book,test,dev]'
	touch $@

$(VENV)/.installed-course: pyproject.toml $(CONSTRAINTS) $(VENV)/.installed-book
	$(PIP_INSTALL) -e '.[book,lab,course]'
	touch $@

# The book's offline front-end files (MathJax, require.js, the widget manager), pinned in
# package-lock.json and served from the build's own _static (book/_ext/offline_assets.py).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The chapters' Colab cells take the repository's address from _config.yml (tools/repository.py).
REPOSITORY := $(BIN)/python tools/repository.py

book: $(VENV)/.installed-book node_modules/.installed  ## Execute every notebook and build the HTML book in _build/html.
	$(REPOSITORY)
	$(BOOK_BUILD)
	@echo "The book is at $(abspath _build/html/index.html) (make serve to browse it)."

serve:  ## Serve the built book on http://$(HOST):$(PORT)/.
	@test -f _build/html/index.html || { echo "No book yet: run 'make book' first." >&2; exit 1; }
	$(BIN)/python -m http.server --bind $(HOST) --directory _build/html $(PORT)

# JupyterLab opens a scratch copy of the chapters (_build/lab), so running one never writes outputs
# into the committed notebooks; a chapter already copied there (with the reader's work) is kept.
# Its own Jupyter config directory (from tools/lab-config) turns nbgrader's JupyterLab and server
# extensions off (make course installs nbgrader into the same venv, for the teacher's formgrader),
# so a reader sees no nbgrader menus.
LAB_DIR := _build/lab
LAB_CONFIG := _build/lab-config

lab: $(VENV)/.installed-book  ## Open JupyterLab on a scratch copy of the notebooks (_build/lab).
	$(REPOSITORY)
	mkdir -p $(LAB_DIR)
	for notebook in notebooks/*.ipynb; do \
	  test -e $(LAB_DIR)/$$(basename $$notebook) || cp $$notebook $(LAB_DIR)/; done
	mkdir -p $(LAB_CONFIG) && cp -R tools/lab-config/. $(LAB_CONFIG)/
	JUPYTER_CONFIG_DIR=$(abspath $(LAB_CONFIG)) $(BIN)/jupyter lab --notebook-dir=$(LAB_DIR)

# make test runs its checks JOBS at a time (most of them keep only one core busy); each check's
# output is printed whole when it ends.
JOBS ?= 2

test:  ## Everything CI runs, JOBS (default 2) checks at a time; JOBS=1 runs them one by one.
	@$(MAKE) --no-print-directory --jobs=$(JOBS) --output-sync=target test-checks
	@echo "make test: all checks passed."

# The checks of make test, the longest chains first so that the jobs end close together; the
# browser tests wait for the book build they test.
test-checks: lint check-notebooks browser-tests-of-the-book unit-tests student notebook-tests \
             node-tests

browser-tests-of-the-book: book-strict
	$(BROWSER_TESTS)

lint: $(VENV)/.installed-test  ## ruff lint and format check of the library, tests and notebooks.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-notebooks: $(VENV)/.installed-test  ## Fail if a notebook is committed with outputs.
	$(BIN)/python tools/check_clean_notebooks.py notebooks

unit-tests: $(VENV)/.installed-test  ## The pytest suite of convlib.
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest tests convlib --doctest-modules -q --ignore=tests/browser \
	  --ignore=tests/test_course.py

# What convlib computes for every setting of every explorer (rewritten when convlib changes).
NODE_FIXTURE := _build/node-fixture
# (one run writes both: volume.json.gz holds the volume explorer's grid; GNU make 4.3's &:)
$(NODE_FIXTURE)/explorers.json.gz $(NODE_FIXTURE)/volume.json.gz &: tests/node/make_fixture.py tests/node/convlib_numbers.py $(wildcard convlib/*.py convlib/*/*.py convlib/widgets/*) \
                                                                     $(VENV)/.installed-test
	$(BIN)/python tests/node/make_fixture.py $(NODE_FIXTURE)

$(NODE_FIXTURE)/values.json.gz: tests/node/make_values_fixture.py tests/node/make_fixture.py \
                                $(wildcard convlib/*.py convlib/*/*.py convlib/widgets/*) $(VENV)/.installed-test
	$(BIN)/python tests/node/make_values_fixture.py $(NODE_FIXTURE)

node-tests: $(NODE_FIXTURE)/explorers.json.gz $(NODE_FIXTURE)/values.json.gz $(NODE_FIXTURE)/volume.json.gz  ## The explorers' ES modules under node against convlib, whole control grids.
	CONVLIB_NODE_FIXTURE=$(NODE_FIXTURE) node --test tests/node/

# The "paste your model" explorer's printed models (torch prints them) and convlib's tables of them.
$(NODE_FIXTURE)/model.json.gz: tests/node/make_model_fixture.py $(wildcard convlib/*.py convlib/*/*.py convlib/widgets/*) \
                               $(VENV)/.installed-test
	$(BIN)/python tests/node/make_model_fixture.py $(NODE_FIXTURE)

node-tests: $(NODE_FIXTURE)/model.json.gz

notebook-tests: $(VENV)/.installed-test  ## Run every notebook under nbval (assert cells included).
	$(BIN)/python -m pytest --nbval-lax --nbval-cell-timeout=300 -p no:randomly notebooks -q

book-strict: $(VENV)/.installed-test node_modules/.installed  ## Build the book with warnings as errors.
	$(REPOSITORY) --check
	$(BOOK_BUILD)

test-browser: $(VENV)/.installed-test  ## Every built page in headless Chromium, offline (explorers moved); JupyterLab.
	@test -f _build/html/index.html || $(MAKE) book-strict
	$(BROWSER_TESTS)

course: $(VENV)/.installed-course  ## nbgrader course directory in _build/course (book/instructor.md).
	$(REPOSITORY)
	$(BIN)/python tools/make_course.py

test-classroom: $(VENV)/.installed-test course  ## The instructor guide's nbgrader round, typed verbatim (10-25 min).
	$(BIN)/python -m pytest tests/test_course.py -q -p no:randomly

student: $(VENV)/.installed-test node_modules/.installed  ## Student edition in _build/student (no solutions).
	$(REPOSITORY)
	$(BIN)/python tools/make_student.py

study: $(VENV)/.installed-book  ## Rerun chapter 5's grouped-convolution study (2 processes; the stored run took 14 min on a busy 2-core machine) into convlib/teaching/results/grouped_study.json.
	$(BIN)/python -m convlib.teaching.grouped_study

solutions: $(VENV)/.installed-book  ## Solutions edition in _build/solutions (every exercise solved, for self-study).
	$(REPOSITORY)
	$(BIN)/python tools/make_solutions.py

bench: $(VENV)/.installed-test  ## Benchmarks (ratios to torch when installed: pip install torch==2.13.0).
	$(BIN)/python benchmarks/bench_conv.py
	$(BIN)/python benchmarks/bench_methods.py
	$(BIN)/python benchmarks/bench_winograd.py
	$(BIN)/python benchmarks/bench_product_blocks.py
	@test -f _build/html/index.html || $(MAKE) book-strict  # the explorers' benchmark reads the book
	$(BIN)/python benchmarks/bench_widgets.py

screenshots: $(VENV)/.installed-test  ## Every page at 1366 px and 390 px, light and dark, into _build/screenshots.
	@test -f _build/html/index.html || $(MAKE) book-strict
	$(BIN)/python tools/screenshots.py --html _build/html --out _build/screenshots

clean-notebooks: $(VENV)/.installed-test  ## Strip outputs from every notebook in place.
	$(BIN)/python tools/check_clean_notebooks.py --fix notebooks

clean:  ## Remove the built book and caches (keeps .venv).
	rm -rf _build .pytest_cache .hypothesis .ruff_cache

lock:  ## Re-resolve requirements/constraints.txt from pyproject.toml in a scratch venv.
	rm -rf /tmp/convlib-lock && $(PYTHON) -m venv /tmp/convlib-lock
	/tmp/convlib-lock/bin/python -m pip install --quiet -r requirements/pip.txt
	/tmp/convlib-lock/bin/python -m pip install --quiet '.[book,lab,test,dev,course]'
	{ sed -n '1,3p' $(CONSTRAINTS); /tmp/convlib-lock/bin/python -m pip freeze --all --exclude-editable \
	  | grep -v -E '^(convlib|pip)=='; } > $(CONSTRAINTS).new && mv $(CONSTRAINTS).new $(CONSTRAINTS)

# make mutate's sample: this many mutants of each module, drawn with this seed (0: every mutant)
MUTANTS_PER_MODULE ?= 20
MUTATE_SEED ?= 25
mutate: $(VENV)/.installed-test  ## Mutation testing (mutmut): a seeded sample of each core module's mutants, a score per module; not in make test.
	rm -rf mutants
	HYPOTHESIS_PROFILE=mutate $(BIN)/python tools/mutation_sample.py --per-module $(MUTANTS_PER_MODULE) \
	  --seed $(MUTATE_SEED) || true
	$(BIN)/mutmut results --all true > mutants/results.txt || true
	$(BIN)/python tools/mutation_score.py mutants/results.txt
