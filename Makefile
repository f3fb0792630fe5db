# The README's two commands: `make demo` and `make test`. Both create the virtual environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS_STAMP := gateway/static/vendor/.installed
NODE_TEST_STAMP := tests/node/node_modules/.installed

.PHONY: demo test bench bench-realtime bench-peer lint typecheck schema assets install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(ASSETS_STAMP) $(NODE_TEST_STAMP)

# The Node graphql-ws client used by the realtime tests (pinned in tests/node/package-lock.json).
$(NODE_TEST_STAMP): tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_TEST_STAMP)

# GraphiQL's JavaScript and CSS come from the npm registry at install time (pinned in
# assets/package-lock.json) and are served by the gateway itself.
$(ASSETS_STAMP): assets/package.json assets/package-lock.json assets/build.py
	cd assets && npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python assets/build.py
	touch $(ASSETS_STAMP)

assets: $(ASSETS_STAMP)

demo: install
	$(BIN)/support-gateway demo

test: install
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -q

# PostGraphile v4, the peer of bench/peer.py (pinned in bench/postgraphile/package-lock.json).
PEER_STAMP := bench/postgraphile/node_modules/.installed
$(PEER_STAMP): bench/postgraphile/package.json bench/postgraphile/package-lock.json
	cd bench/postgraphile && npm ci --no-audit --no-fund --loglevel=error
	touch $(PEER_STAMP)

bench: install $(PEER_STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.statistics
	$(BIN)/python -m bench.reports
	$(BIN)/python -m bench.insights
	$(BIN)/python -m bench.realtime
	$(BIN)/python -m bench.peer

bench-peer: install $(PEER_STAMP)
	$(BIN)/python -m bench.peer

bench-realtime: install
	$(BIN)/python -m bench.realtime

schema: $(STAMP)
	$(BIN)/support-gateway export-schema > schema.graphql

clean:
	rm -rf $(VENV) assets/node_modules gateway/static/vendor tests/node/node_modules
