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
# e.g. make benchmark BENCHMARK_ARGS="--scales 1 --repeats 5"
BENCHMARK_ARGS ?=

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
RUN := $(UV) run --frozen --no-sync

.PHONY: help install manifest demo generate build dashboard dagster test grundwahrheit docs datenvertrag lint benchmark clean

help:
	@echo "make demo       Demodaten erzeugen, Warehouse bauen und Dashboard starten (http://localhost:$(PORT))"
	@echo "make test       Alle Tests ausführen"
	@echo "make build      Lieferungen im Eingangsordner laden und Warehouse veröffentlichen"
	@echo "make dashboard  Dashboard starten"
	@echo "make dagster    Dagster-Oberfläche mit dem Asset-Graphen starten (http://localhost:$(DAGSTER_PORT))"
	@echo "make grundwahrheit  Schätzungen bei Umfang 1 gegen die wahren Werte des Generators prüfen (~25 min)"
	@echo "make docs       Dokumentation des Warehouse erzeugen (docs/dbt/static_index.html, offline lesbar)"
	@echo "make datenvertrag  Datenvertrag für die Kommunen aus den Festlegungen erzeugen (docs/datenvertrag.md)"
	@echo "make lint       Code- und SQL-Stil prüfen"
	@echo "make benchmark  Laufzeit und Speicher von kim generate und kim build messen"

.venv/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@# Bytecode is compiled once at install: where the environment sets PYTHONDONTWRITEBYTECODE (this machine
	@# does), every process would otherwise compile Dagster, dbt and GX anew (about 10 CPU-s per `kim build`).
	$(UV) sync --frozen --compile-bytecode
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

# Two lanes side by side on the two cores. The session lane first builds the session installation once with
# the real `kim` commands (tests/support/session_installation.py; the longest step), then runs the tests that
# read it in two pytest-xdist workers sharing it; the other lane runs all other tests (the defect corpus with two
# builds of its own, dbt, …) meanwhile. The other lane may not build the session installation
# (KIM_TESTS_OHNE_SITZUNG); its output follows the session lane's, and either failing fails the target.
SESSION_TESTS := tests/browser tests/dashboards tests/integration tests/ground_truth tests/pipelines/test_sql_shell.py

# Test installations live in memory (/dev/shm) where the machine has it: the builds fsync every Dagster event
# and DuckDB checkpoint, which on a disk costs more than the work itself; production keeps them on disk.
TEST_TMP := $(shell test -d /dev/shm -a -w /dev/shm && echo /dev/shm || echo /tmp)

test: manifest
	@scratch=$$(mktemp -d -p $(TEST_TMP) kim-test.XXXXXX); session="$$scratch/sitzung"; other_log="$$scratch/uebrige.log"; \
	KIM_TESTS_OHNE_SITZUNG=1 $(RUN) pytest $(addprefix --ignore=,$(SESSION_TESTS)) --basetemp="$$scratch/uebrige" \
		$(PYTEST_ARGS) > "$$other_log" 2>&1 & other=$$!; \
	echo "Sitzungsinstallation wird gebaut ($$session) …"; \
	$(RUN) python tests/support/session_installation.py "$$session" \
		&& KIM_TESTS_INSTALLATION="$$session" $(RUN) pytest -n 2 --dist loadfile --basetemp="$$scratch/sitzungstests" \
			$(SESSION_TESTS) $(PYTEST_ARGS); \
	session_status=$$?; \
	wait $$other; other_status=$$?; \
	echo "--- alle übrigen Tests (parallel gelaufen) ---"; cat "$$other_log"; rm -rf "$$scratch"; \
	exit $$(( session_status != 0 || other_status != 0 ))

# The ground-truth tests at full scale: a statewide dataset with a fixed seed and reference date, built from
# scratch, then tests/ground_truth on it (`make test` runs the same tests on its small session dataset).
GRUNDWAHRHEIT_DIR ?= $(CURDIR)/grundwahrheit
GRUNDWAHRHEIT_STICHTAG ?= 2026-12-01
GRUNDWAHRHEIT_ENV = KIM_DATA_DIR=$(GRUNDWAHRHEIT_DIR)/data KIM_WAREHOUSE_DIR=$(GRUNDWAHRHEIT_DIR)/warehouse \
	DAGSTER_HOME=$(GRUNDWAHRHEIT_DIR)/dagster_home KIM_STICHTAG=$(GRUNDWAHRHEIT_STICHTAG) KIM_BERICHTSBEGINN=2021-Q1

grundwahrheit: manifest
	rm -rf "$(GRUNDWAHRHEIT_DIR)"
	$(GRUNDWAHRHEIT_ENV) $(RUN) kim generate --scale 1 --seed 42
	$(GRUNDWAHRHEIT_ENV) $(RUN) kim build
	KIM_GRUNDWAHRHEIT_INSTALLATION=$(GRUNDWAHRHEIT_DIR) $(RUN) pytest tests/ground_truth -s -p no:randomly $(PYTEST_ARGS)

# dbt's documentation as one self-contained HTML file (no server, no CDN). Column types come from the enforced
# contracts, so no catalog query is needed, and dbt works on a throwaway database, never the build one.
docs: install
	cd dbt_project && KIM_WAREHOUSE_DIR=$$(mktemp -d) $(RUN) dbt docs generate --static --empty-catalog \
		--profiles-dir . --target-path $(CURDIR)/docs/dbt --log-path $(CURDIR)/docs/dbt/logs
	@echo "Dokumentation: $(CURDIR)/docs/dbt/static_index.html"

# The data contract for municipalities (German), rendered from the declarations the pipeline checks against.
datenvertrag: install
	$(RUN) python -c "from pipelines.contract.document import write_contract; write_contract()"

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	@# sqlfluff's dbt templater opens a DuckDB connection: give it a throwaway database, never the build one.
	cd dbt_project && KIM_WAREHOUSE_DIR=$$(mktemp -d) $(RUN) sqlfluff lint models tests

benchmark: manifest
	$(RUN) python benchmarks/generate_and_build.py $(BENCHMARK_ARGS)

clean:
	rm -rf data warehouse .dagster_home dbt_project/target dbt_project/logs docs/dbt grundwahrheit
