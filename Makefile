# The two commands of the README: `make demo` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The pages' browser-side packages (the QR decoder, the API docs' Swagger UI and ReDoc), pinned in
# package-lock.json, served from node_modules (.npmrc: no install scripts, no peer dependencies).
NODE_STAMP := node_modules/.installed
# Mojaloop's Testing Toolkit (the tests' hub and peer DFSP) and the FSPIOP API definitions the gateway validates
# against, pinned in tools/mojaloop/package-lock.json, kept apart from the pages' packages.
MOJALOOP := tools/mojaloop
MOJALOOP_STAMP := $(MOJALOOP)/node_modules/.installed

.PHONY: demo test install browser clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

$(MOJALOOP_STAMP): $(MOJALOOP)/package.json $(MOJALOOP)/package-lock.json
	cd $(MOJALOOP) && npm ci --no-audit --no-fund
	touch $(MOJALOOP_STAMP)

install: $(STAMP) $(NODE_STAMP) $(MOJALOOP_STAMP)

# Debian's chromium drives the browser tests (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# make demo DEMO_ARGS="--port 8001": the demo's options (inzira demo --help) without leaving make.
DEMO_ARGS ?=

# The demo needs tools/mojaloop (its FSPIOP API definitions) only with the eKash gateway (--mojaloop-hub): the
# Testing Toolkit beside them, a thousand npm packages, is the tests' hub.
demo: $(STAMP) $(NODE_STAMP) $(if $(findstring --mojaloop-hub,$(DEMO_ARGS)),$(MOJALOOP_STAMP))
	$(BIN)/inzira demo $(DEMO_ARGS)

# Two workers (pytest-xdist), one per core; a test file stays on one worker so its module fixtures start once.
# The 20 slowest steps are listed at the end: the suite has a 10-minute budget.
test: $(STAMP) $(NODE_STAMP) $(MOJALOOP_STAMP) browser
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=20

clean:
	rm -rf $(VENV) node_modules $(MOJALOOP)/node_modules .pytest_cache .hypothesis
