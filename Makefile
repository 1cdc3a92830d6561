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

# Each test SPARQL server that is running (.ci/run starts both: scripts/virtuoso.sh,
# scripts/oxigraph-server.sh) gets its tests and the API suite once more over it.
SERVERS := $(if $(SCREG_TEST_VIRTUOSO_URL),virtuoso) $(if $(SCREG_TEST_OXIGRAPH_URL),oxigraph-server)
OUT := test-output

# worksteal: a worker that runs out of tests takes some of the other's queue, so a long
# test late in one queue (the kill test, the fuzzer) does not leave the other core idle
# (the main phase 528 -> 501 s on 2 cores, one run each).
test: $(BIN)/screg
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist worksteal -m 'not virtuoso and not oxigraph_server' --durations=15
	@# Each server's tests one at a time (they share the server), the two servers side by
	@# side; each log is shown when both have ended. Without a server its tests still
	@# run, to skip (or fail under SCREG_REQUIRE_ALL=1).
	@mkdir -p $(OUT); status=0; pids=; \
	for server in virtuoso oxigraph-server; do \
	  mark=$$(echo $$server | tr - _); \
	  api=$$(case " $(SERVERS) " in *" $$server "*) echo --api-store=$$server;; esac); \
	  echo "$(BIN)/pytest -p no:xdist -m $$mark --durations=5 $$api > $(OUT)/$$server.log"; \
	  $(BIN)/pytest -p no:xdist -m $$mark --durations=5 $$api >$(OUT)/$$server.log 2>&1 & \
	  pids="$$pids $$!"; \
	done; \
	for pid in $$pids; do wait $$pid || status=1; done; \
	cat $(OUT)/virtuoso.log $(OUT)/oxigraph-server.log; exit $$status

lint: $(BIN)/screg
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/screg
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache test-output
