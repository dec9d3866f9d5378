# ruxue — make help lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)

.PHONY: help setup system node demo test test-fast bench bench-peak faults drill lint imports fmt clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: system $(STAMP) node ## create .venv and install the pinned dependencies (Python, axe-core for the browser tests, the test OpenID provider)
	@scripts/oidc-provider.sh

system: ## install the Debian packages needed (CJK font, poppler-utils, qpdf, chromium, clamav, zbar-tools, xmllint) when missing
	@scripts/system-deps.sh

node: ## install the pinned Node packages of the browser tests (axe-core) into node_modules/
	@scripts/node-deps.sh

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

demo: setup ## set up and run the embedded demo (SQLite, sandbox, seeded)
	$(BIN)/ruxue demo

test: setup ## set up and run lint and the whole suite (SQLite, then PostgreSQL)
	$(MAKE) --no-print-directory lint
	scripts/test.sh

test-fast: setup ## the SQLite suite without the tests marked slow (for developers; make test runs all)
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow"

bench: setup ## benchmarks (ONLY=exchange|archive|flow|dataset|precheck for one); figures go to bench-results/ and the console
	scripts/bench.sh $(ONLY)

bench-peak: setup ## peak day on PostgreSQL + Redis, 1 then 2 app processes, departments at 100 ms (ARGS="--rate 50 --duration 300 --families 100000" …); see docs/performance.md
	mkdir -p bench-results
	$(PY) scripts/bench_peak.py $(ARGS)

faults: setup ## fault run (PostgreSQL here, its own Redis; kills, outages, a full archive disk, a hung department, pool exhaustion, a county relay; exits 1 on a broken promise); not in make test
	mkdir -p bench-results
	$(PY) scripts/fault_run.py --out bench-results/faults.json $(ARGS)

drill: setup ## disaster drill: back up under load, destroy, restore to a point, restore-check (docs/operations.md); not in make test
	mkdir -p bench-results
	$(PY) scripts/drill.py --out bench-results/drill.json $(ARGS)

# the import rules make lint enforces (pyproject.toml); "cycle" is only counted, by make imports
LINT_CONTRACTS := kit reference exchange policy cases wiring sandbox

lint: setup ## ruff, format check, mypy, the import rules (import-linter)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache $(addprefix --contract ,$(LINT_CONTRACTS))

imports: setup ## the import rules (import-linter, pyproject.toml): violations per contract, the package cycle too
	$(PY) scripts/import_rules.py

fmt: setup ## apply ruff's fixes and format
	$(BIN)/ruff check --fix src tests scripts
	$(BIN)/ruff format src tests scripts

clean: ## remove the venv and local data
	rm -rf $(VENV) var bench-results node_modules
