# youlin: two commands for a newcomer — `make demo` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= full
VENDOR := src/youlin/static/vendor

INTAKE_MODEL := var/intake/model.npz
INTAKE_SOURCES := $(wildcard src/youlin/intake/data/*.tsv src/youlin/intake/data/*.txt src/youlin/intake/data/train/*.tsv src/youlin/intake/data/test/*.tsv) $(addprefix src/youlin/intake/,text.py data.py model.py catalogue.py)

.PHONY: demo test lint bench install assets messages intake-model eval-intake clean-venv

# Python packages are reinstalled only when pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Front-end libraries from npm (lock file), copied into static files: served locally, never from a CDN.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons/fonts $(VENDOR)/htmx $(VENDOR)/echarts $(VENDOR)/leaflet/images $(VENDOR)/leaflet.markercluster
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/bootstrap/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff $(VENDOR)/bootstrap-icons/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(VENDOR)/leaflet/
	cp node_modules/leaflet/dist/images/* $(VENDOR)/leaflet/images/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css $(VENDOR)/leaflet.markercluster/
	touch $@

assets: $(VENDOR)/.copied

messages: $(BIN)/.installed
	$(BIN)/youlin compilepo

# The smart-intake classifier, rebuilt from the shipped training data when it (or the code that reads it) changes.
$(INTAKE_MODEL): $(BIN)/.installed $(INTAKE_SOURCES)
	YOULIN_INTAKE_MODEL=$(CURDIR)/$(INTAKE_MODEL) $(BIN)/youlin intake build

intake-model: $(INTAKE_MODEL)

# Top-1 and top-3 accuracy on the shipped test slice, per voice and major class, and the commonest confusions.
eval-intake: $(INTAKE_MODEL)
	YOULIN_INTAKE_MODEL=$(CURDIR)/$(INTAKE_MODEL) $(BIN)/youlin intake eval

install: $(BIN)/.installed assets messages intake-model

demo: install
	YOULIN_BASE_DIR=$(CURDIR) $(BIN)/youlin demo --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .

# SIZE=full|small; against YOULIN_DATABASE_URL if set, else a scratch PostgreSQL database on 127.0.0.1.
bench: install
	$(BIN)/python bench/run.py --size $(SIZE)

clean-venv:
	rm -rf $(VENV)
