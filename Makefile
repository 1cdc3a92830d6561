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

run: $(BIN)/screg
	$(BIN)/screg serve --store $(STORE) --host $(HOST) --port $(PORT)

# The API suite runs once more on each test SPARQL server that is running (.ci/run
# starts both: scripts/virtuoso.sh, scripts/oxigraph-server.sh).
comma := ,
API_STORES := $(subst $(eval) ,$(comma),$(strip $(if $(SCREG_TEST_VIRTUOSO_URL),virtuoso) \
  $(if $(SCREG_TEST_OXIGRAPH_URL),oxigraph-server)))

test: $(BIN)/screg
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -m 'not virtuoso and not oxigraph_server' --durations=15
	@# Everything on the test servers, and the API suite over each: one test at a time
	@# per server (its tests share it), the two servers side by side (xdist groups).
	$(BIN)/pytest -n 2 --dist loadgroup -m 'virtuoso or oxigraph_server' --durations=5 \
	  $(if $(API_STORES),--api-store=$(API_STORES))

lint: $(BIN)/screg
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/screg
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache test-output
