# stackwise-analysis: the front door. `make` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
KERNEL := stackwise-analysis

.DEFAULT_GOAL := help
.PHONY: help setup report test lab lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "stackwise-analysis needs Python 3.11 or newer; this is " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[lab,dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))" >/dev/null
	@touch $(STAMP)

setup: $(STAMP) ## create .venv, install the project and register its Jupyter kernel

report: $(STAMP) ## run the full report suite on the sample corpus; prints the index page
	$(BIN)/stackwise-analysis report --corpus data/articles --metadata data/catalog.csv --fail-on never

test: $(STAMP) ## run the whole test suite
	$(BIN)/python -m pytest

lab: $(STAMP) ## open JupyterLab on notebooks/ with the project kernel
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check stackwise_analysis tests benchmarks

bench: $(STAMP) ## time the report suite, the pipeline and the run history (see benchmarks/)
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/python benchmarks/bench_pipeline.py --sizes 1000,10000
	$(BIN)/python benchmarks/bench_history.py --n 10000 --runs 30

clean: ## remove the venv and generated reports
	rm -rf $(VENV) reports/*/ reports/latest reports/.staging-*
