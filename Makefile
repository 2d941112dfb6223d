# Set-up and everyday commands. Every target installs what it needs first, so each works on a fresh machine.
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= data
DEMO_DB = $(DATA)/demo.db

.PHONY: setup system demo extract-demo test lint bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $@

# Debian packages the tests need: Chromium for the browser tests, wrk for the serving benchmark.
system:
	@if ! command -v chromium >/dev/null || ! command -v wrk >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk >/dev/null; \
	fi

# The main job on the embedded default: extract the project's own sample pages to JSON Lines.
demo: setup
	$(BIN)/diemtin extract src/diemtin/demo

test: setup system
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: setup system
	$(BIN)/python bench/extract.py
