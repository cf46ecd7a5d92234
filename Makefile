# Two commands for a fresh machine (README): `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
UV := $(PY) -m uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: demo test sync system lint typecheck imports test-sqlite test-postgres faults bench clean

## demo: install, create the embedded SQLite database, seed demo data, chat as the demo lead
demo: sync
	$(BIN)/studio-bot demo

## test: install from the lock file, lint, type-check, check layering, run the suite on SQLite and PostgreSQL
test: sync lint typecheck imports test-sqlite test-postgres

# --compile-bytecode: where Python may not write bytecode (PYTHONDONTWRITEBYTECODE), every start would compile ~3 s
sync: system
	@$(PY) -m uv --version >/dev/null 2>&1 || $(PY) -m pip install --quiet --disable-pip-version-check uv \
	  || $(PY) -m pip install --quiet --disable-pip-version-check --user --break-system-packages uv
	$(UV) sync --frozen --compile-bytecode --python $(PY)

# what the OS must provide: a CJK font so that charts render Chinese labels
system:
	@bash scripts/system-deps.sh

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

imports:
	$(BIN)/lint-imports

test-sqlite:
	TEST_DATABASE_URL= $(BIN)/pytest -q -p no:cacheprovider

test-postgres:
	@bash scripts/ensure-postgres.sh
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider

## faults: the fault scenarios at full size (kill -9 of serve, a 10,000-delivery replay storm, two processes on
## PostgreSQL with the leader killed, a PostgreSQL restart), on SQLite then PostgreSQL, printing their figures
faults: sync
	@bash scripts/ensure-postgres.sh
	FAULTS_FULL=1 TEST_DATABASE_URL= $(BIN)/pytest -q -p no:cacheprovider -s tests/faults
	FAULTS_FULL=1 TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider -s tests/faults -k "not postgresql"

bench: sync
	for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) studio.db studio.db-wal studio.db-shm data/
