# Dialogue: `make run` serves the demo, `make test` runs the tests. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PICCOLO_CONF := piccolo_conf

.PHONY: run test lint migrate migration demo translations messages bench mutate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Compiled catalogues (.mo) are build products; the .po files are the source.
translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d dialogue/locale -D messages

# Extract new strings and merge them into both catalogues (for developers).
messages: $(STAMP)
	$(BIN)/pybabel extract --ignore-dirs=".* .venv var" -F babel.cfg -k _ -k N_ -k gettext -k ngettext:1,2 --no-location --sort-output -o dialogue/locale/messages.pot .
	$(BIN)/pybabel update -N -i dialogue/locale/messages.pot -d dialogue/locale -D messages --no-wrap

migrate: $(STAMP)
	$(BIN)/python -m dialogue migrate

demo: migrate
	$(BIN)/python -m dialogue demo load

run: translations demo
	$(BIN)/python -m dialogue demo accounts
	exec $(BIN)/python -m dialogue serve

# Style (ruff) and the import layers (import-linter, contracts in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check dialogue tests app.py piccolo_conf.py
	$(BIN)/lint-imports

# The lint first; then the suite on SQLite and, when TEST_DATABASE_URL names a server, the same suite on
# PostgreSQL at the same time (its output is kept and shown after SQLite's); fails if either fails.
# Each pass runs on TEST_WORKERS pytest-xdist workers; a browser module's tests stay on one worker
# (tests/browser/conftest.py). `make test TEST_WORKERS=0` runs each pass in one process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup
test: lint translations
	@if [ -z "$$TEST_DATABASE_URL" ] && [ "$$CI" = "true" ]; then \
		echo "FAIL: CI=true needs TEST_DATABASE_URL: the PostgreSQL run may not be skipped"; exit 1; \
	fi
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== The suite on SQLite, and meanwhile on PostgreSQL ($$TEST_DATABASE_URL): its output follows"; \
		log=$$(mktemp); \
		TEST_ENGINE=postgres $(PYTEST) -m "not browser and not sqlite_only" >"$$log" 2>&1 & postgres=$$!; \
		trap 'kill $$postgres 2>/dev/null' INT TERM; \
		$(PYTEST); sqlite_status=$$?; \
		wait $$postgres; postgres_status=$$?; \
		echo "== The same suite on PostgreSQL ($$TEST_DATABASE_URL)"; \
		cat "$$log"; rm -f "$$log"; \
		echo "== SQLite: exit $$sqlite_status; PostgreSQL: exit $$postgres_status"; \
		[ $$sqlite_status -eq 0 ] && [ $$postgres_status -eq 0 ]; \
	else \
		$(PYTEST); status=$$?; \
		echo "SKIPPED: the PostgreSQL run (set TEST_DATABASE_URL=postgres://… to include it)."; \
		exit $$status; \
	fi

# A new migration after a model change, generated against PostgreSQL (its auto-migrations are reliable; see docs/operations.md):
#   make migration NAME=what_changed DATABASE_URL=postgres://postgres@127.0.0.1:5432/dialogue_dev
migration: $(STAMP)
	$(BIN)/piccolo migrations new dialogue --auto --desc=$(NAME)

# Benchmarks: SQLite, then PostgreSQL when TEST_DATABASE_URL is set. Bounded: about two minutes, then the
# similar-question lookup at 10,000 and 100,000 questions (tests/bench/similar.py: minutes; its data sets
# are built once and kept in var/bench/ and dialogue_bench_similar_* databases).
bench: translations
	$(BIN)/python -m tests.bench
	$(BIN)/python -m tests.bench.dashboards
	$(BIN)/python -m tests.bench.similar

# Mutation testing (not part of `make test`; minutes): mutmut changes the permission, transition and
# deadline modules one mutant at a time and runs their fast tests on SQLite ([tool.mutmut] in
# pyproject.toml); then the share of mutants the tests caught, which must reach 85 %.
mutate: translations
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/mutmut export-cicd-stats
	$(BIN)/python -m tests.mutation_score

clean:
	rm -rf $(VENV) var .pytest_cache mutants
