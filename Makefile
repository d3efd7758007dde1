# One Window — set-up, run and test.   `make help` lists the targets.
#
# Python 3.11 in .venv; the designer front-end (if package.json exists) with npm;
# PostgreSQL for tests in a private cluster on 127.0.0.1:54329 (scripts/postgres.sh);
# browser tests drive Debian's /usr/bin/chromium (no Playwright browser downloads).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

# python3.11 when it is on PATH, otherwise python3 (checked to be 3.11 below).
PYTHON  ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)
VENV    := .venv
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip --disable-pip-version-check
FLASK   := $(VENV)/bin/flask --app app
STAMPS  := $(VENV)/.stamps
RUN_HOST ?= 127.0.0.1
RUN_PORT ?= 5000
# The demo's own address: its login line and the check links on the certificates it issues.
RUN_URL := $(or $(PUBLIC_URL),http://$(RUN_HOST):$(RUN_PORT))
# make serve: gunicorn workers (sync; about one per CPU core is a good start) on HOST:PORT.
WORKERS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000
PG_PORT ?= 54329
export ONEWINDOW_PG_PORT := $(PG_PORT)
# `pip install playwright` downloads nothing, but never let anything fetch browsers.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT  := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: help venv install install-test npm run serve test test-sqlite test-pg sysdeps chromium profile \
        translations translations-extract translations-update pg pg-start pg-stop pg-status pg-destroy bench clean distclean clean-instance

help:
	@echo "make run            install, migrate, deploy BPMN, seed demo data, serve on http://$(RUN_HOST):$(RUN_PORT)"
	@echo "make serve          production: migrate, deploy BPMN, gunicorn (WORKERS=$(WORKERS)) on $(HOST):$(PORT) + a scheduler process"
	@echo "make test           all tests on SQLite, then the non-browser tests on PostgreSQL"
	@echo "make test-sqlite    only the SQLite run      make test-pg   only the PostgreSQL run"
	@echo "make venv           .venv with requirements.txt (alias: install)"
	@echo "make install-test   .venv with requirements-test.txt"
	@echo "make npm            npm ci + npm run build (only if package.json exists)"
	@echo "make translations   compile app/translations/*/LC_MESSAGES/messages.po to .mo (run, test do it)"
	@echo "make translations-update   extract every marked string into the .pot and merge it into each .po"
	@echo "make pg-start|pg-stop|pg-status|pg-destroy   the private test PostgreSQL on 127.0.0.1:$(PG_PORT)"
	@echo "make bench          quick benchmark (< 3 min), writes bench/results.json and bench/results.md; FULL=1: national sizes"
	@echo "make profile        where a case's time goes through the services (pyinstrument); HTTP=1: through the JSON API"
	@echo "make clean          stamps and caches      make distclean   also .venv, node_modules, build output"
	@echo "make clean-instance DELETE instance/ (the local SQLite database and secret key)"

# ---------------------------------------------------------------- Python environment

$(PY):
	@ver=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	if [ "$$ver" != 3.11 ]; then echo "WARNING: $(PYTHON) is Python $$ver; One Window targets 3.11" >&2; fi
	@if ! $(PYTHON) -m venv $(VENV); then \
	    echo "python venv failed; installing Debian's python3-venv and retrying" >&2; \
	    rm -rf $(VENV); \
	    $(APT) update -q && $(APT) install -y -q python3-venv; \
	    $(PYTHON) -m venv $(VENV); \
	fi

$(STAMPS)/requirements: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/requirements-test: requirements.txt requirements-test.txt | $(PY)
	$(PIP) install -q -r requirements-test.txt
	@mkdir -p $(STAMPS) && touch $@ $(STAMPS)/requirements

venv install: $(STAMPS)/requirements

install-test: $(STAMPS)/requirements-test

# ---------------------------------------------------------------- front-end (designer)

# npm ci is redone when package.json or package-lock.json change; the build runs every
# time (it is quick, and its sources may live anywhere).
npm:
	@if [ ! -f package.json ]; then \
	    echo "npm: no package.json, no front-end to build; skipping"; exit 0; \
	fi; \
	command -v npm >/dev/null || { echo "npm: package.json exists but npm is not installed" >&2; exit 1; }; \
	if [ ! -f node_modules/.onewindow-npm-stamp ] || [ package.json -nt node_modules/.onewindow-npm-stamp ] \
	   || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules/.onewindow-npm-stamp ]; }; then \
	    if [ -f package-lock.json ]; then \
	        echo "npm ci"; npm ci --no-audit --no-fund; \
	    else \
	        echo "npm: WARNING no package-lock.json; running npm install (commit the lock file)" >&2; \
	        npm install --no-audit --no-fund; \
	    fi; \
	    touch node_modules/.onewindow-npm-stamp; \
	fi; \
	echo "npm run build"; npm run build

# ---------------------------------------------------------------- translations (Khmer, English)

# English is the source language (the msgids); each other language has a catalogue in
# app/translations/<lang>/LC_MESSAGES/messages.po, committed. The compiled .mo files are
# build output (not committed): `translations` rebuilds any that is older than its .po.
PYBABEL  := $(VENV)/bin/pybabel
POT      := app/translations/messages.pot
PO_FILES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

translations: $(MO_FILES)

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po | $(STAMPS)/requirements
	$(PYBABEL) compile --statistics -l $* -i $< -o $@

translations-extract: $(STAMPS)/requirements
	PYTHONPATH=. $(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --sort-output --no-location \
	    --project "One Window" -o $(POT) .

translations-update: translations-extract
	$(PYBABEL) update -i $(POT) -d app/translations --no-fuzzy-matching --ignore-obsolete

# ---------------------------------------------------------------- run

run: venv npm translations
	env -u FLASK_DEBUG $(FLASK) db upgrade
	env -u FLASK_DEBUG $(FLASK) bpmn deploy
	env -u FLASK_DEBUG $(FLASK) catalogue seed
	env -u FLASK_DEBUG PUBLIC_URL=$(RUN_URL) $(FLASK) demo seed
	@echo "One Window on http://$(RUN_HOST):$(RUN_PORT)/  (Ctrl-C stops it)"
	exec env -u FLASK_DEBUG PUBLIC_URL=$(RUN_URL) $(FLASK) run --host $(RUN_HOST) --port $(RUN_PORT)

# The real server: no demo data; DATABASE_URL (default the SQLite file in instance/) and
# SECRET_KEY come from the environment. See README, "Deploying One Window".
serve: venv npm
	env -u FLASK_DEBUG $(FLASK) db upgrade
	env -u FLASK_DEBUG $(FLASK) bpmn deploy
	exec env -u FLASK_DEBUG WORKERS=$(WORKERS) HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

# ---------------------------------------------------------------- system packages

# One apt-get update, then whatever is missing: chromium (+ driver) for browser tests,
# the Khmer OS fonts (pages and PDFs in Khmer, and the screenshots the tests take),
# PostgreSQL server for the PostgreSQL run. scripts/postgres.sh would also install it.
# Pango for WeasyPrint (certificates), poppler-utils (pdftoppm, pdftotext) and zbar-tools
# (zbarimg) that the certificate tests read the PDFs with.
sysdeps:
	@pkgs=""; \
	[ -x /usr/bin/chromium ] || pkgs="$$pkgs chromium chromium-driver"; \
	[ -d /usr/share/fonts/truetype/khmeros ] || pkgs="$$pkgs fonts-khmeros"; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || pkgs="$$pkgs postgresql"; \
	[ -x /usr/bin/pdftoppm ] || pkgs="$$pkgs poppler-utils"; \
	[ -x /usr/bin/zbarimg ] || pkgs="$$pkgs zbar-tools"; \
	dpkg -s libpango-1.0-0 >/dev/null 2>&1 || pkgs="$$pkgs libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$pkgs" ]; then \
	    echo "installing Debian packages:$$pkgs"; \
	    $(APT) update -q; \
	    $(APT) install -y -q --no-install-recommends $$pkgs; \
	fi

chromium: sysdeps

# ---------------------------------------------------------------- PostgreSQL (tests)

pg pg-start:
	@scripts/postgres.sh start >/dev/null
	@echo "PostgreSQL test database: $$(scripts/postgres.sh url)"

pg-stop:
	@scripts/postgres.sh stop

pg-status:
	@scripts/postgres.sh status

# Deletes the test cluster's data (test data only, never instance/).
pg-destroy:
	@scripts/postgres.sh destroy

# ---------------------------------------------------------------- tests

# The test runs never see a DATABASE_URL of yours: only TEST_DATABASE_URL decides.
TESTENV := env -u DATABASE_URL -u TEST_DATABASE_URL -u FLASK_DEBUG
PYTEST  := $(TESTENV) $(PY) -m pytest

test: install-test npm sysdeps translations
	@pg_url=$$(scripts/postgres.sh start | tail -n 1); \
	echo; echo "================ pytest on SQLite (default database) ================"; \
	sqlite_rc=0; $(PYTEST) -q || sqlite_rc=$$?; \
	echo; echo "================ pytest on PostgreSQL: $$pg_url (not browser) ================"; \
	pg_rc=0; $(TESTENV) TEST_DATABASE_URL=$$pg_url $(PY) -m pytest -q -m "not browser" || pg_rc=$$?; \
	echo; \
	echo "SQLite run:     $$( [ $$sqlite_rc = 0 ] && echo passed || echo "FAILED (exit $$sqlite_rc)" )"; \
	echo "PostgreSQL run: $$( [ $$pg_rc = 0 ] && echo passed || echo "FAILED (exit $$pg_rc)" )  [$$pg_url]"; \
	[ $$sqlite_rc = 0 ] && [ $$pg_rc = 0 ]

test-sqlite: install-test npm sysdeps translations
	@echo "================ pytest on SQLite (default database) ================"
	$(PYTEST) -q $(ARGS)

test-pg: install-test npm sysdeps translations
	@pg_url=$$(scripts/postgres.sh start | tail -n 1); \
	echo "================ pytest on PostgreSQL: $$pg_url (not browser) ================"; \
	$(TESTENV) TEST_DATABASE_URL=$$pg_url $(PY) -m pytest -q -m "not browser" $(ARGS)

# ---------------------------------------------------------------- bench

# Quick by default (under 3 minutes); FULL=1 for the national sizes (100,000 open items...).
# Needs the test requirements (locust) and uses the PostgreSQL test server when it runs.
bench: install-test
	@scripts/postgres.sh start >/dev/null || echo "bench: no PostgreSQL; its parts are skipped"
	$(PY) -m bench $(if $(FULL),--full)

profile: install-test
	$(PY) -m bench.profile $(if $(HTTP),--http)

# ---------------------------------------------------------------- cleaning

# Never touches instance/ (your data) nor the PostgreSQL test cluster (make pg-destroy).
clean:
	rm -rf $(STAMPS) node_modules/.onewindow-npm-stamp .pytest_cache
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -path ./.pg -prune -o \
	    -name __pycache__ -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) node_modules app/static/build

clean-instance:
	@echo "Deleting instance/ (local database, secret key, uploads) in 3 s; Ctrl-C to keep it"; sleep 3
	rm -rf instance
