# Everything a newcomer needs, from nothing: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCALES := locales
PO := $(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: help install demo run test test-sqlite test-postgres bench lint format catalogs extract migrate clean

help:
	@echo "make demo   - run the bot offline against the sandbox emulator, with demo data"
	@echo "make test   - the test suite on SQLite, then on a throwaway PostgreSQL if one is installed"
	@echo "make run    - the real bot against Telegram (BOT_TOKEN in the environment or .env)"
	@echo "make bench  - benchmarks (not part of the tests)"
	@echo "make lint   - ruff"
	@echo "make catalogs - extract, update and compile the gettext catalogs"

$(STAMP): pyproject.toml
	scripts/system-packages.sh build
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(MO)

$(LOCALES)/%/LC_MESSAGES/messages.mo: $(LOCALES)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel -q compile --use-fuzzy -d $(LOCALES) -D messages -l $* >/dev/null

extract: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -k gettext_in:2 \
	  --no-location --sort-output --omit-header -o $(LOCALES)/messages.pot bot >/dev/null
	for l in vi en; do \
	  $(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i $(LOCALES)/messages.pot \
	    -d $(LOCALES) -D messages -l $$l >/dev/null; done

catalogs: extract
	$(BIN)/pybabel -q compile --use-fuzzy -d $(LOCALES) -D messages >/dev/null

migrate: install
	$(BIN)/python -m bot db upgrade

demo: install
	$(BIN)/python -m bot demo

run: install
	$(BIN)/python -m bot run

test: install
	scripts/system-packages.sh browser
	scripts/system-packages.sh office
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-postgres: install
	@scripts/with-postgres.sh $(BIN)/python -m pytest -q -p no:cacheprovider

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format bot storage sandbox tests bench

clean:
	rm -rf $(VENV) var .pytest_cache
