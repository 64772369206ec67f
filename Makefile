# One entry point for tasks. Everything the project needs is installed from its own files.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT ?= 8501

.PHONY: run cluster test test-fast lint bench init venv clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

## run: the dashboard on http://localhost:8501 (creates data/kpi.duckdb with the plan and sample data on first run)
run: $(STAMP)
	$(PY) -m kpi init --sample
	$(PY) -m kpi editor init
	$(PY) -m streamlit run serve.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

## cluster: N app processes (default 2) on PostgreSQL behind nginx on http://localhost:8501; Ctrl-C stops them all
N ?= 2
cluster: $(STAMP)
	$(PY) -m deploy.cluster --processes $(N) --port $(PORT)

## test: the whole test suite
test: $(STAMP)
	$(PY) -m pytest

## test-fast: the edit-test loop, in parallel: the in-process tests on DuckDB (not the browser, slow, process and
## PostgreSQL tests, which make test runs)
test-fast: $(STAMP)
	$(PY) -m pytest -m "not browser and not slow and not process and not postgresql" -n auto -q

## bench: the benchmark; prints a table and writes bench/RESULTS.md
bench: $(STAMP)
	$(PY) -m bench

## lint: ruff
lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
