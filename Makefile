# handbook-search: every target creates .venv/ and installs the pinned dependencies on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
TEXTLINT_PATHS := corpus docs $(wildcard CONTRIBUTING.md)
BUILD  := build
SPHINXOPTS ?= -W --keep-going -q
PORT   ?= 8000
Q      ?= 担い手確保

.PHONY: all build html index search validate test eval bench lint textlint format serve clean distclean pdf dist offline test-grown

all: build

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev,pdf]"
	touch $(STAMP)

# textlint and its rules, and axe-core (tests/test_accessibility.py), pinned in package.json /
# package-lock.json (Node.js 20 and npm)
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

build: html index

index: $(STAMP)
	$(BIN)/handbook-search index

search: build
	$(BIN)/handbook-search search $(Q)

html: $(STAMP)
	$(BIN)/sphinx-build -c docs -b html $(SPHINXOPTS) . $(BUILD)/html
	@echo "サイトを作りました: $(BUILD)/html/index.html"

# Print editions (handbook_search.paper): build/html/pdf/handbook.pdf and one A4 PDF per case in
# build/html/pdf/cases/, then the site again so that it links them. Needs Debian's Pango and
# fonts-noto-cjk: says which packages are missing (installs them itself under CI=true as root).
# PDF_ARGS: options of the paper command, e.g. PDF_ARGS="--workers 2" (python -m handbook_search.paper --help)
PDF_ARGS ?=
pdf: $(STAMP)
	$(BIN)/python -m handbook_search.paper --out $(BUILD)/html/pdf --doctrees $(BUILD)/paper/doctrees $(PDF_ARGS)
	$(MAKE) --no-print-directory html
	@echo "PDF を作りました: $(BUILD)/html/pdf/handbook.pdf（全体版）、$(BUILD)/html/pdf/cases/（事例ごと）"

# sdist + wheel in dist/ (the wheel carries a snapshot of corpus/: setup.py), checked with twine.
# `pipx install dist/handbook_search-*.whl` gives the CLI without a checkout.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*
	@echo "配布物を作りました: $$(ls dist)"

# The site as one zip that works unzipped anywhere, opened from file:// (search included):
# build/handbook-site.zip, with the PDFs when `make pdf` built them.
offline: html
	$(BIN)/python -m handbook_search.site.offline $(BUILD)/html $(BUILD)/handbook-site.zip

validate: $(STAMP)
	$(BIN)/handbook-search validate

lint: $(STAMP)
	$(BIN)/ruff check src tests docs/conf.py setup.py
	$(BIN)/ruff format --check src tests docs/conf.py setup.py

# the Japanese pages: one voice (です・ます) and one spelling per term (corpus/dictionary.yml)
# the dictionary is checked first (prh would run its regexes on every page: validate refuses
# the ones that backtrack without end)
textlint: $(NODE_STAMP) $(STAMP)
	$(BIN)/handbook-search validate corpus/dictionary.yml
	node tools/textlint.mjs $(TEXTLINT_PATHS)

format: $(STAMP)
	$(BIN)/ruff format src tests docs/conf.py setup.py
	$(BIN)/ruff check --fix src tests docs/conf.py setup.py

# validate first: under GitHub Actions its problems become annotations on the pull request.
# pytest on TEST_WORKERS processes (pytest-xdist; CI has 2 cores), a test file on one of them,
# so that a module's fixtures are made once; the real site is built once for all of them
# (tests/conftest.py: made_once). TEST_WORKERS=0: one process, as a plain `pytest` runs.
TEST_WORKERS ?= 2
test: $(STAMP) validate lint textlint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

eval: $(STAMP)
	$(BIN)/python -m handbook_search.lab.evaluate --doc docs/evaluation.md

# BENCH_ARGS="--pdf 1000" adds the print editions at 1,000 cases (several minutes)
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m handbook_search.lab.bench $(BENCH_ARGS)

# Preview while writing: rebuilds on every save and reloads the page in the browser. Without -W,
# so a problem is printed (as a warning) and the page still updates.
SERVEOPTS ?= --keep-going -q
serve: $(STAMP)
	@echo "http://127.0.0.1:$(PORT)/ で表示します。ファイルを保存すると作り直して自動で再読み込みします（Ctrl-C で終了）"
	$(BIN)/sphinx-autobuild -c docs -b html $(SERVEOPTS) --host 127.0.0.1 --port $(PORT) \
		--re-ignore '(^|/)(\.venv|\.git|build|tests|node_modules|__pycache__|\.[a-z_]+_cache)(/|$$)' \
		. $(BUILD)/html

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV) node_modules

# The repository copied to a temporary folder with GROWN_CASES (default 30) more valid cases made
# with `handbook-search new case`, and `make test` run there. GROWN_SEED=… replays a run.
GROWN_CASES ?= 30
test-grown: $(STAMP) $(NODE_STAMP)
	GROWN_CASES=$(GROWN_CASES) $(BIN)/python -m handbook_search.lab.grow
