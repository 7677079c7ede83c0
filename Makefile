# Two set-up commands for a fresh machine with Python 3.11+ and make: `make run`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run chat test lint check clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: install into .venv and start the bot with the settings in .env
run: $(STAMP)
	$(BIN)/python -m bot

## chat: talk to the bot in this terminal, no Telegram or token needed (Ctrl-D leaves)
chat: $(STAMP)
	$(BIN)/python -m bot chat

## test: install into .venv, then lint, type-check and run every test
test: $(STAMP) lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## check: validate content and configuration
check: $(STAMP)
	$(BIN)/python -m bot check

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
