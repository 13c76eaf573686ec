# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PO     := $(wildcard workshop/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

.PHONY: run test test-postgres install install-test translations extract-messages clean

run: install translations
	$(BIN)/python run.py

# Every core runs test modules (-n auto); a module's tests stay together on one worker, so
# module-scoped fixtures are built once. PYTEST_ARGS adds to it (e.g. PYTEST_ARGS="-n 0 -x").
XDIST ?= -n auto --dist loadfile
test: install-test translations
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# The same tests (browser tests aside) on a PostgreSQL server: one migrated database, emptied
# after each test. TEST_POSTGRES_URL names the server (its user: a superuser of that test server).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1
test-postgres: install-test translations
	TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest $(XDIST) --ignore=tests/browser $(PYTEST_ARGS)

# The virtual environment is rebuilt only when the dependencies change.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kuulluksi needs Python 3.11 or newer; this is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): on Debian/Ubuntu install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: $(MO)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

# For developers: pull new strings out of the code and merge them into the three catalogs.
extract-messages: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -o workshop/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i workshop/translations/messages.pot -d workshop/translations

clean:
	rm -rf $(VENV) $(MO)
