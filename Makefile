# seedcheck: `make help` lists the targets. Everything installs itself into .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench

.DEFAULT_GOAL := help
.PHONY: help check test report bench eval lint clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	@touch $@

check: $(STAMP) ## Validate seeds/ and write reports/ (creates .venv on first use)
	$(BIN)/seedcheck check

test: $(TEST_STAMP) ## Install the test extras and run the test suite
	$(BIN)/python -m pytest

report: $(STAMP) ## Write the reports of seeds/ and print the HTML report's path
	@$(BIN)/seedcheck check --quiet --fail-on never > /dev/null
	@echo "$(CURDIR)/reports/report.html"

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench,spark]'
	@touch $@

bench: $(BENCH_STAMP) ## Benchmark seedcheck against datatrove, GX, a Python floor, and its Spark engine (needs ../shared/, Java)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/shards.py --family-size 5 $(SHARDS_ARGS)  # --docs N: documents as small files, 100 .jsonl.gz, 100 Parquet

eval: $(BENCH_STAMP) ## Rule precision (judged samples), recall (bench/defects), noise lines vs peers (needs ../shared/)
	$(BIN)/python bench/eval.py $(EVAL_ARGS)

lint: $(TEST_STAMP) ## Lint the code with ruff
	$(BIN)/python -m pip install --quiet "ruff==0.17.6"
	$(BIN)/ruff check src tests bench

clean: ## Remove the virtualenv, caches and generated reports
	rm -rf $(VENV) .pytest_cache .hypothesis .seedcheck_cache build dist src/*.egg-info
	find reports -mindepth 1 ! -name README.md -delete
