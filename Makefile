# Two commands set up and run everything (see README):
#   make demo   -- create .venv, install, replay the Kaunas 1919 scenario with its plots into out/
#   make test   -- create .venv, install, run ruff and the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/kaunas_1919.yaml
OUT ?= out/kaunas_1919

.PHONY: demo test setup lint bench fuzz replays docs battles clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/campaign run $(SCENARIO) --out $(OUT) --seed 1 --force
	$(BIN)/campaign export $(OUT)
	$(BIN)/campaign plot $(OUT) --out $(OUT)/map.png --history
	$(BIN)/campaign plot $(OUT) --fronts --out $(OUT)/fronts.png
	$(BIN)/campaign chart $(OUT) --out $(OUT)/strength.png
	$(BIN)/campaign animate $(OUT) --out $(OUT)/run.gif
	$(BIN)/campaign fidelity $(SCENARIO) --seed 1 --runs 8
	@echo "outputs in $(OUT)/"

test: $(STAMP)
	$(BIN)/ruff check campaign tests examples benchmarks
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check campaign tests examples benchmarks
	$(BIN)/ruff format --check campaign tests examples benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py -q

replays: $(STAMP)
	$(BIN)/python -m campaign.replays_build

battles: $(STAMP)
	$(BIN)/campaign battles --compare --bootstrap 200 --repeats 5 --out out/battles/predictions.csv \
		--plot docs/img/battles_calibration.png --report docs/battles.md --force

docs: $(STAMP)
	$(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) out site
