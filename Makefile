# Set-up and everyday commands. Every target installs what it needs first, so each works on a fresh machine.
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= data
DEMO_DB = $(DATA)/demo.db

.PHONY: setup system demo test fuzz lint bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,bench,spark]'
	touch $@

# Debian packages the tests need: Chromium for the browser tests, wrk for the serving benchmark, PostgreSQL
# for the PostgreSQL store tests (they start their own throwaway server; see tests/store/conftest.py).
system:
	@if ! command -v chromium >/dev/null || ! command -v wrk >/dev/null \
		|| ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk postgresql >/dev/null; \
	fi

# The main job: ingest the project's own sample pages into a fresh demo database, then serve the site on
# http://127.0.0.1:8000 (home, categories, articles, search, feeds, /api/, /openapi.json). Ctrl-C stops it.
demo: setup
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/diemtin ingest --db $(DEMO_DB) src/diemtin/demo
	$(BIN)/diemtin serve --db $(DEMO_DB) --port 8000

test: setup system
	$(BIN)/pytest

# The property-based fuzz test at its full size (10,000 mutated real pages; about 10 minutes on 2 cores).
fuzz: setup
	DIEMTIN_FUZZ_EXAMPLES=10000 $(BIN)/pytest -q tests/extract/test_fuzz.py

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: setup system
	$(BIN)/python bench/extract.py
