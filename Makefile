# Two commands on a fresh machine: `make demo` runs the offline main job, `make test` runs the tests.
# Each sets up the virtualenv it needs (Python 3.11 or newer).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-art-latest test-studio lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ccsim demo

test: $(STAMP)
	$(BIN)/python -m pytest

# The training tests again on Python 3.12+ with the newest openpipe-art, where such an interpreter exists
# (ART releases after 0.5.18 need 3.12), so both sides of training/art_adapter.py stay true.
PY312 ?= $(shell for p in python3.13 python3.12 $(HOME)/.pyenv/versions/3.12*/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV312 ?= .venv312
ART_TESTS := tests/test_trajectory.py tests/test_trajectory_io.py tests/test_rewards.py tests/test_ruler.py \
	tests/test_art_train.py tests/test_ruler_eval.py tests/test_art_rollout.py

test-art-latest:
	@if [ -z "$(PY312)" ]; then echo "no Python 3.12+ here: skipping the newest-ART training tests"; exit 0; fi; \
	set -e; [ -f $(VENV312)/.installed ] || { $(PY312) -m venv $(VENV312) && \
	  $(VENV312)/bin/python -m pip install --quiet --upgrade pip && \
	  $(VENV312)/bin/python -m pip install --quiet -e ".[dev]" && touch $(VENV312)/.installed; }; \
	$(VENV312)/bin/python -c 'import importlib.metadata as m; print("openpipe-art", m.version("openpipe-art"), "on Python 3.12+")'; \
	$(VENV312)/bin/python -m pytest $(ART_TESTS)

# Style, the layers contract (ccsim -> training -> agents -> scenarios | tools -> contact_center) and types.
# `langgraph dev` (LangGraph Studio's local server) playing an episode, in a venv of its own: langgraph-api
# pins protobuf below the version the rest of the dev stack gets, so it cannot share .venv.
VENVSTUDIO ?= .venv-studio
test-studio:
	@set -e; [ -f $(VENVSTUDIO)/.installed ] || { $(PYTHON) -m venv $(VENVSTUDIO) && \
	  $(VENVSTUDIO)/bin/python -m pip install --quiet --upgrade pip && \
	  $(VENVSTUDIO)/bin/python -m pip install --quiet -e ".[studio]" pytest pytest-asyncio && touch $(VENVSTUDIO)/.installed; }; \
	$(VENVSTUDIO)/bin/python -m pytest tests/test_studio_server.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/scenario_variety.py
	$(BIN)/python benchmarks/episode_throughput.py

clean:
	rm -rf $(VENV) $(VENV312) $(VENVSTUDIO) runs data .pytest_cache .ruff_cache
