# The single entry points: README and .ci/run call these targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev

.PHONY: run test lint typecheck unit bench fuzz sample-data clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What running needs; the package is byte-compiled as pip compiles an installed one: where
# PYTHONDONTWRITEBYTECODE is set, every run would otherwise compile it anew (tens of milliseconds a run).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q renewals_cli
	touch $(STAMP)

# What tests, lint and type checks need besides.
$(DEV): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV)

## make run: create the virtual environment, install, and report on the sample export
run: $(STAMP)
	$(BIN)/python -m compileall -q renewals_cli
	$(BIN)/renewals report sample_data/renewals.csv --as-of 2026-11-25

## make test: lint, type checks and the whole test suite
test: lint typecheck unit

lint: $(DEV)
	$(BIN)/ruff check renewals_cli tests benchmarks
	$(BIN)/ruff format --check renewals_cli tests benchmarks

typecheck: $(DEV)
	$(BIN)/mypy

# The suite runs on every core (pytest-xdist): about 50 s on 2 cores instead of 90.
unit: $(DEV)
	$(BIN)/pytest -n auto

## make bench: time `renewals report` against a bare read, plain Polars, DuckDB and pandas (2M and 5M rows), forecast and changes against the report, and each speed choice against the plain code (2M rows); writes BENCHMARKS.md
bench: $(DEV)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/run.py --large 50000000

## make fuzz: a long Hypothesis session of every property test (not part of CI, which runs a few examples each)
fuzz: $(DEV)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -m hypothesis

## make sample-data: regenerate sample_data/ with the seeded generator
sample-data: $(STAMP)
	$(BIN)/renewals sample sample_data/renewals.csv --rows 2000 --seed 1 --as-of 2026-11-25
	$(BIN)/renewals sample sample_data/renewals.parquet --rows 2000 --seed 1 --as-of 2026-11-25
	$(BIN)/renewals sample sample_data/salesforce.csv --rows 2000 --seed 1 --style salesforce --as-of 2026-11-25

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis benchmarks/data
