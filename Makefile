# The two commands of the README: `make run` and `make test`.
# Both create the virtual environment when it is missing and install the project into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STORE ?= var/registry
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format clean

$(BIN)/screg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# The demonstration records the registry's automatic conformity assessments too
# (docs/assessment.md); a store seeded before keeps what it has.
run: $(BIN)/screg
	SCREG_AUTOMATIC_ASSESSMENTS=true $(BIN)/screg serve --store $(STORE) --host $(HOST) --port $(PORT)

test: $(BIN)/screg
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -m 'not virtuoso' --durations=15
	@# Everything on the one test Virtuoso, one test at a time (they share the server).
	$(BIN)/pytest -p no:xdist -m virtuoso --durations=5
	@# The API suite once more over Virtuoso, when one is running (.ci/run starts one).
	@if [ -n "$$SCREG_TEST_VIRTUOSO_URL" ]; then \
	  $(BIN)/pytest -p no:xdist -q --api-store=virtuoso \
	    tests/api/test_api.py tests/cli/test_api_cli.py tests/graphs/test_graphs_api.py; \
	fi

lint: $(BIN)/screg
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/screg
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache test-output
