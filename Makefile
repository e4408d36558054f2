# Two commands: `make run` (ingest the shipped seeds if needed, serve the dashboard) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DB ?= data/claims.duckdb
PORT ?= 8501
SEEDS := $(wildcard data/seeds/*)

.PHONY: run test ingest install install-dev system-deps eval bench clean

run: $(DB)
	$(PY) -m streamlit run dashboard.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

# Re-ingest when the database is missing or older than the seeds, the actors file, the catalog or the
# schema (an ingest runs new migrations and rebuilds the dashboard's read model).
$(DB): $(VENV)/.installed $(SEEDS) data/actors.yaml data/assertions.yaml pipeline/store/migrations.py pipeline/store/read_model.py
	CLAIMS_DB=$(DB) $(PY) -m pipeline ingest data/seeds
	@touch $(DB)

ingest: $(VENV)/.installed
	CLAIMS_DB=$(DB) $(PY) -m pipeline ingest data/seeds

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# Debian's Chromium for the real-browser tests (Playwright drives it; it never downloads a browser).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

test: $(VENV)/.installed-dev system-deps
	$(PY) -m pytest -q

# Speed figures are printed by scripts, never asserted in tests.
bench: $(VENV)/.installed
	$(PY) bench/queries.py
	$(PY) bench/relink.py --documents 2000 --assertions 1000

clean:
	rm -rf $(VENV) $(DB) $(DB).* data/quarantine
