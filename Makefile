# make run  - set up .venv, migrate, load the demo catalogue, start web + worker + beat
# make test - set up .venv with the dev tools and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PTB_TIMEDELTA := 1

.PHONY: run test lint install install-dev web migrate demo schema grpc-generate clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py webhook_secret
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py ensure_admin

run: demo
	@echo "Starting web on http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops all)"
	$(BIN)/honcho -f Procfile.dev start

web: demo
	$(BIN)/uvicorn booking_site.asgi:application --host 127.0.0.1 --port 8000

# The suite runs on three pytest-xdist workers, each with its own test database and Redis database
# (tests/pytest_env.py); three beat two on a 2-CPU machine because many tests wait on subprocesses and sockets.
# PYTEST_ARGS= runs it in one process, PYTEST_ARGS="-n 2" on two workers (see tests/README.md).
PYTEST_ARGS ?= -n 3

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$DATABASE_URL" ] && case "$$DATABASE_URL" in sqlite*) false;; *) true;; esac; then \
		echo "Second pass: database invariants on SQLite"; \
		env -u DATABASE_URL $(BIN)/python -m pytest -m both_databases -q; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

# Regenerate the committed gRPC modules after a change in proto/ (a test fails until they match).
grpc-generate: install-dev
	$(BIN)/python -m integrations.grpc.codegen

# Regenerate the committed OpenAPI document after an API change (a test fails until it matches).
schema: install-dev
	$(BIN)/python manage.py spectacular --lang en --validate --fail-on-warn --file docs/openapi.yaml

# Every benchmark in bench/, one after the other, each printing one JSON line (against DATABASE_URL/REDIS_URL
# when set; see README), followed by its targets met / not met and the machine's load average.
BENCHES ?= availability race webhook reminders audit grpc
bench: install-dev
	@mkdir -p var
	@for name in $(BENCHES); do \
		echo "# $$name: starting, load average $$(cut -d' ' -f1-3 /proc/loadavg)"; \
		$(BIN)/python bench/$$name.py >var/bench-$$name.json 2>>var/bench.log || { cat var/bench-$$name.json; exit 1; }; \
		cat var/bench-$$name.json >>var/bench.jsonl; \
		$(BIN)/python bench/report.py <var/bench-$$name.json; \
	done

clean:
	rm -rf $(VENV) var
