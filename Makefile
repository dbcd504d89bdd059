# Mesh Catalog — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test install install-dev migrate demo worker beat clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

## Start the catalog with the demo mesh on http://$(HOST):$(PORT) (embedded: SQLite, in-process tasks,
## the DuckDB demo warehouse; anonymous visitors may browse unless MESH_PUBLIC_READ=False).
run: demo
	@echo "Mesh Catalog on http://$(HOST):$(PORT)/  (log in as casey / mesh-demo-consumer)"
	MESH_PUBLIC_READ=$${MESH_PUBLIC_READ:-True} $(PY) manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (PostgreSQL and Redis on localhost; see README "Tests").
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

worker: install
	$(VENV)/bin/celery -A mesh_catalog worker --loglevel=INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A mesh_catalog beat --loglevel=INFO

clean:
	rm -rf var/ .pytest_cache build *.egg-info
