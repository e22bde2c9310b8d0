# One command to serve, one to test. Everything else is installed from pyproject.toml/requirements.lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
ROL    ?= regisseur
GEMEENTE ?= 0505
# make run logs plain lines; the image and every other start JSON lines (adapters/logopmaak.py)
INBURGERING_LOG_FORMAAT ?= tekst
SPECTRAL := npx --yes @stoplight/spectral-cli@6.16.3
ADR_RULESET ?= ../shared/adr/linter.yaml

.PHONY: run demo token test browser openapi lint-openapi migrate projecties bezorging rebuild replay verify verzegel vergeet sleutels-roteer bench bench-ab bench-kosten lock clean

$(BIN)/.installed: pyproject.toml requirements-dev.lock
	@$(PYTHON) -m venv $(VENV) >&2
	@$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock >&2
	@touch $@

## Serve the API on http://127.0.0.1:$(PORT) with the SQLite file store under ./var/ [INBURGERING_LOG_FORMAAT=json]
run: $(BIN)/.installed
	@$(BIN)/python -m adapters.cli tokens --poort $(PORT)
	env INBURGERING_LOG_FORMAAT=$(INBURGERING_LOG_FORMAAT) $(BIN)/uvicorn api.main:create_app --factory --host 127.0.0.1 --port $(PORT) --no-proxy-headers --log-config api/serverlog.json

## Fill an empty store with a demo region (168 trajectories in every phase): make demo [SEED=2019] [OPNIEUW=1 wipes ./var's store first]
demo: $(BIN)/.installed
	$(BIN)/python -m adapters.cli demo $(if $(SEED),--seed $(SEED)) $(if $(OPNIEUW),--opnieuw)

## Print only a development token: make token ROL=regisseur GEMEENTE=0505 [GEBRUIKER=naam]
token: $(BIN)/.installed
	@$(BIN)/python -m adapters.cli token --rol $(ROL) --gemeente "$(GEMEENTE)" $(if $(GEBRUIKER),--gebruiker "$(GEBRUIKER)")

## Run every test: SQLite always, PostgreSQL when reachable (required with INBURGERING_TEST_POSTGRES=verplicht)
test: $(BIN)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Debian's chromium for the docs page's browser test (.ci/run requires it; locally the test skips without it). As root.
browser:
	@test -x /usr/bin/chromium || { \
	  echo "chromium installeren met apt-get (voor tests/api/test_documentatie.py)" >&2; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## Regenerate the committed OpenAPI document
openapi: $(BIN)/.installed
	$(BIN)/python -m api.openapi

## Lint the committed OpenAPI document with the ADR ruleset and with Spectral's own OpenAPI rules: no error, no warning
lint-openapi:
	$(SPECTRAL) lint --fail-severity warn -r $(ADR_RULESET) openapi/openapi.json
	$(SPECTRAL) lint --fail-severity warn -r openapi/spectral-oas.yaml openapi/openapi.json

## Create schema and tables once, before API workers start (production: CREATE_TABLE=n in workers)
migrate: $(BIN)/.installed
	$(BIN)/python -m adapters.cli migreer

## Keep the read models up to date as a process of its own (with INBURGERING_PROJECTIES=extern in the API)
projecties: $(BIN)/.installed
	$(BIN)/python -m adapters.cli projecteer

## Deliver to the subscribers' receivers as a process of its own (with INBURGERING_BEZORGING=extern in the API workers)
bezorging: $(BIN)/.installed
	$(BIN)/python -m api.bezorging

## Rebuild every read model from the first event, or one: make rebuild LEESMODEL=signaleringen
rebuild: $(BIN)/.installed
	$(BIN)/python -m adapters.cli herbouw $(if $(LEESMODEL),--leesmodel $(LEESMODEL))

## Rebuild every read model into a scratch schema or file and compare it with the live one (exit 1: they differ)
replay: $(BIN)/.installed
	$(BIN)/python -m adapters.cli replay

## Check every stored event against its hash chain and the signed checkpoints (exit 1 names each deviation)
verify: $(BIN)/.installed
	$(BIN)/python -m adapters.cli verifieer

## After examining them: accept one aggregate's uncovered events as the application's own (logged in the audit log)
verzegel: $(BIN)/.installed
	$(BIN)/python -m adapters.cli verzegel $(AGGREGAAT) --versie $(VERSIE) --door "$(DOOR)"

## Rewrap every data key under INBURGERING_HOOFDSLEUTEL, online and resumable (README: "Runbook: rotating the master key")
sleutels-roteer: $(BIN)/.installed
	$(BIN)/python -m adapters.cli sleutels roteer

## Remove the personal data of every trajectory whose retention period passed (Bi 9.9); run daily
vergeet: $(BIN)/.installed
	$(BIN)/python -m adapters.cli vergeet

## Benchmarks against a bare ceiling (not part of make test): make bench [BENCH_ARGS="-n 100000 --opslag postgres"]
bench: $(BIN)/.installed
	$(BIN)/python -m tests.bench.commands $(BENCH_ARGS)

## This checkout's commands and lists against another commit's, both served at the same time: make bench-ab BASIS=HEAD~1
bench-ab: $(BIN)/.installed
	$(BIN)/python -m tests.bench.tegelijk --basis $(or $(BASIS),HEAD) $(BENCH_ARGS)

## A command's CPU by layer (domain and store, the whole app, the ceiling's request), in-process: make bench-kosten
bench-kosten: $(BIN)/.installed
	$(BIN)/python -m tests.bench.kosten $(BENCH_ARGS)

## Re-resolve the lock files after changing pyproject.toml (production, and production + dev)
lock: $(BIN)/.installed
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements-dev.lock

clean:
	rm -rf $(VENV) var .pytest_cache
