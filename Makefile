# ai-eng: `make demo` runs the main job, `make test` runs every test.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/demo-rag
JOBS ?= 2  # pytest workers (pytest-xdist): generated projects build and test two at a time

.PHONY: help setup demo test test-fast lint bench trees

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/ai-eng: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

setup: $(BIN)/ai-eng ## Install ai-eng (editable) and its test tools into .venv

demo: setup ## Generate the RAG starter with defaults and run it on its embedded Postgres
	@test -d $(DEMO) || $(BIN)/ai-eng new $(DEMO) -a data-pipeline --defaults
	$(MAKE) -C $(DEMO) demo

test: setup ## Run all tests: the fast tier first, then each generated project's own `make test` (slow)
	$(BIN)/pytest -m "not slow" -n $(JOBS)
	$(BIN)/pytest -m slow -n $(JOBS) --dist worksteal

test-fast: setup ## Run the tests that do not build generated projects (minutes)
	$(BIN)/pytest -m "not slow" -n $(JOBS)

trees: setup ## Rewrite tests/trees/*.txt from a render of each template and answer (review the diff)
	$(BIN)/python tests/tree_lists.py

lint: setup ## Lint the CLI and tests
	$(BIN)/ruff check cli tests bench
	$(BIN)/ruff format --check cli tests bench

bench: setup ## Benchmark ai-eng against plain Copier (prints ratios)
	$(BIN)/python bench/cli.py
