# Two commands on a fresh machine:  `make demo`  and  `make test`  (README).
# Both create .venv, install torch's CPU build and the kit, then do their job.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.mmkit-installed
# Where pip finds torch 2.13.0's CPU build. Empty: the default index (this project's machines keep the
# CPU wheel there). On a laptop with a plain PyPI, set it to PyTorch's CPU wheel index (see README).
TORCH_INDEX ?=
TORCH_SPEC := torch==2.13.0

.PHONY: setup demo test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) "$(TORCH_SPEC)" numpy
	$(BIN)/python -c "import sys, torch; sys.exit('torch is a CUDA build: remove .venv and set TORCH_INDEX (README)' if torch.version.cuda else 0)"
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/mmkit demo --overwrite

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) out
