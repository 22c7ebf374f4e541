# Relais — everything a fresh clone needs, in two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test lint e2e bench translations extract-messages check-system install clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

check-system: install
	@$(BIN)/python scripts/check_system.py

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d elearning/translations -f --statistics 2>&1 | tail -n 3

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output --omit-header \
		-o elearning/translations/messages.pot .
	$(BIN)/pybabel update -i elearning/translations/messages.pot -d elearning/translations --no-fuzzy-matching \
		--ignore-obsolete
	$(BIN)/python scripts/fill_english_catalogue.py

run: check-system translations
	FLASK_APP=elearning $(BIN)/flask db upgrade
	PORT=$(PORT) $(BIN)/python run.py

test: check-system translations
	$(BIN)/python scripts/ensure_system_packages.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

e2e: check-system translations
	$(BIN)/python scripts/ensure_system_packages.py
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

# Speed figures (bench/, docs/performance.md): gunicorn + wrk on 127.0.0.1, SQLite and PostgreSQL, about 8 minutes.
# BENCH_QUICK=1 make bench: SQLite only, 3 s per route, about 3 minutes.
bench: check-system translations
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; \
		else echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; fi; }
	$(BIN)/python scripts/ensure_system_packages.py
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
