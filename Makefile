# Two commands for a fresh machine with only Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## one full cycle on the bundled sample data; prints alerts, writes chokepoint-digest.html
	$(BIN)/chokepoint demo

test: $(STAMP)  ## the whole test suite (PostgreSQL tests run when CHOKEPOINT_TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks

check: $(STAMP)  ## a starter set-up in a temporary folder, checked offline
	tmp=$$(mktemp -d) && $(BIN)/chokepoint init "$$tmp/team" >/dev/null && $(BIN)/chokepoint check -c "$$tmp/team/chokepoint.yaml"; rc=$$?; rm -rf "$$tmp"; exit $$rc

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache chokepoint-digest.html
