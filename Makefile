# KIM-Monitor — the targets are the interface; CI runs the same ones a person runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export KIM_DATA_DIR ?= $(CURDIR)/data
export KIM_WAREHOUSE_DIR ?= $(CURDIR)/warehouse
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# Offline-safe: no telemetry from any component.
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False
export DAGSTER_DISABLE_TELEMETRY := 1
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

DEMO_SCALE ?= 1
PORT ?= 8501
DAGSTER_PORT ?= 3000
PYTEST_ARGS ?=

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
RUN := $(UV) run --frozen --no-sync

.PHONY: help install manifest demo generate build dashboard dagster test lint benchmark clean

help:
	@echo "make demo       Demodaten erzeugen, Warehouse bauen und Dashboard starten (http://localhost:$(PORT))"
	@echo "make test       Alle Tests ausführen"
	@echo "make build      Lieferungen im Eingangsordner laden und Warehouse veröffentlichen"
	@echo "make dashboard  Dashboard starten"
	@echo "make dagster    Dagster-Oberfläche mit dem Asset-Graphen starten (http://localhost:$(DAGSTER_PORT))"
	@echo "make lint       Code- und SQL-Stil prüfen"
	@echo "make benchmark  Laufzeit und Speicher von kim generate und kim build messen"

.venv/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

install: .venv/.synced

manifest: install
	$(RUN) python -c "from pipelines.build import prepare_dbt_manifest; prepare_dbt_manifest()"

generate: install
	$(RUN) kim generate --scale $(DEMO_SCALE)

build: manifest
	$(RUN) kim build

demo: install
	$(RUN) kim generate --scale $(DEMO_SCALE)
	$(RUN) kim build
	@$(MAKE) --no-print-directory dashboard

dashboard: install
	$(RUN) streamlit run dashboards/app.py --server.port $(PORT) --server.headless true

dagster: manifest
	@$(RUN) python -c "from pathlib import Path; from pipelines.dagster_home import ensure_dagster_home; ensure_dagster_home(Path('$(DAGSTER_HOME)'))"
	$(RUN) dagster dev -m pipelines.definitions -p $(DAGSTER_PORT)

# Two lanes side by side on the two cores: the tests that read the session's installation (its build is the
# longest step) and all others (the defect corpus with two builds of its own, dbt, …). One after the other they
# leave a core idle much of the time (dbt, single tests). The second lane may not build the session
# installation (KIM_TESTS_OHNE_SITZUNG); its output follows the first's, and either failing fails the target.
SESSION_TESTS := tests/browser tests/dashboards tests/integration tests/pipelines/test_sql_shell.py

test: manifest
	@other_log=$$(mktemp); \
	KIM_TESTS_OHNE_SITZUNG=1 $(RUN) pytest $(addprefix --ignore=,$(SESSION_TESTS)) $(PYTEST_ARGS) \
		> "$$other_log" 2>&1 & other=$$!; \
	$(RUN) pytest $(SESSION_TESTS) $(PYTEST_ARGS); session_status=$$?; \
	wait $$other; other_status=$$?; \
	echo "--- alle übrigen Tests (parallel gelaufen) ---"; cat "$$other_log"; rm -f "$$other_log"; \
	exit $$(( session_status != 0 || other_status != 0 ))

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	@# sqlfluff's dbt templater opens a DuckDB connection: give it a throwaway database, never the build one.
	cd dbt_project && KIM_WAREHOUSE_DIR=$$(mktemp -d) $(RUN) sqlfluff lint models tests

benchmark: manifest
	$(RUN) python benchmarks/generate_and_build.py

clean:
	rm -rf data warehouse .dagster_home dbt_project/target dbt_project/logs
