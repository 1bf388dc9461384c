# SignalDesk: `make demo` and `make test` set up .venv on first use, then run.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.signaldesk-installed

.PHONY: install install-cuda lock demo test reliability eval bench lint clean

# Install from requirements.lock (every package pinned with its hashes, made by `make lock`),
# with PyTorch's CPU build: torch first, from PyTorch's CPU index (PyPI's Linux wheel is the
# CUDA build, several GB), then the rest. pip prints each package as it goes. The lock is for
# Linux x86_64 (CPU torch wheels carry a "+cpu" version there); elsewhere the install resolves
# pyproject.toml's ranges instead. `make install-cuda` swaps in PyPI's CUDA torch afterwards.
LOCK        := requirements.lock
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
PIP         := $(BIN)/python -m pip --disable-pip-version-check
LOCKED      := $(filter Linux_x86_64,$(shell uname -s)_$(shell uname -m))

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
ifneq ($(LOCKED),)
	@echo "install: 1/3 PyTorch, CPU build ($(TORCH_INDEX)), into $(VENV)"
	@awk '/^torch==/{p=1} p{print; if ($$0 !~ /\\$$/) exit}' $(LOCK) > $(VENV)/torch.lock
	$(PIP) install --progress-bar on --retries 1 --require-hashes --no-deps \
	  --extra-index-url $(TORCH_INDEX) -r $(VENV)/torch.lock
	@echo "install: 2/3 the locked dependencies ($(LOCK))"
	$(PIP) install --progress-bar on --require-hashes -r $(LOCK)
	@echo "install: 3/3 SignalDesk itself (editable)"
	$(PIP) install --no-deps --no-build-isolation -e .
else
	@echo "install: no lock for $$(uname -sm): resolving pyproject.toml's ranges (CPU torch from $(TORCH_INDEX))"
	$(PIP) install --progress-bar on --extra-index-url $(TORCH_INDEX) -e '.[dev]'
endif
	@touch $(STAMP)

install: $(STAMP)

# PyPI's torch (the CUDA build on Linux, several GB) in place of the CPU build; on request only.
install-cuda: $(STAMP)
	$(PIP) uninstall -y torch
	$(PIP) install --progress-bar on --index-url https://pypi.org/simple \
	  "torch==$$(sed -n 's/^torch==\([0-9.]*\).*/\1/p' $(LOCK))"

COMPILE := .lockenv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links --extra-index-url $(TORCH_INDEX) \
  --pip-args '--retries 0 --timeout 15'

# Re-make requirements.lock (with the dev tools: make install) and requirements-runtime.lock
# (without: the Docker image) from pyproject.toml (pip-tools in a throwaway venv; keeps current pins
# where they still satisfy). Run it after changing a dependency.
lock:
	@test -x .lockenv/bin/pip-compile || { $(PYTHON) -m venv .lockenv && .lockenv/bin/pip install --quiet pip-tools; }
	$(COMPILE) --extra dev --output-file $(LOCK) pyproject.toml
	@# the runtime lock takes the dev lock's versions: the image runs what the tests ran
	grep -E '^[A-Za-z0-9._-]+==' $(LOCK) | sed 's/ *\\$$//' > .lockenv/pins.txt
	rm -f requirements-runtime.lock
	$(COMPILE) --constraint .lockenv/pins.txt --output-file requirements-runtime.lock pyproject.toml

demo: $(STAMP)
	$(BIN)/signaldesk demo

# One pytest worker per core; a test file stays on one worker (its module fixtures are built
# once). TEST_WORKERS=0 runs in this process; a single file: $(BIN)/python -m pytest -p no:xdist FILE
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not reliability"

# The reliability suite (tests/reliability): SIGKILLed writers, eight concurrent writers, flapping
# providers, PostgreSQL and Redis going away. Real processes and loopback servers; a few minutes.
reliability: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -m reliability tests/reliability

# The release gate: the core and questions eval suites with the offline planner, one run, the
# same thresholds for each (answers_question: the answer's first sentence answers the question).
# Progress on stderr (a line every few seconds in a log). Quality only: latency is reported in
# the eval report, not gated (a wall-clock threshold on a shared machine is flaky; speed targets
# live in benchmarks/).
EVAL_GATE := pass_rate=1 tool_recall=1 signal_agreement=1 numeric_faithfulness=1 \
             citation_validity=1 refusal_accuracy=1 completeness=1 answers_question=1
eval: $(STAMP)
	$(BIN)/signaldesk eval run core questions --progress --out $(or $(EVAL_OUT),eval-reports) \
	  $(foreach t,$(EVAL_GATE),--fail-under $(t))

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# ruff over the whole tree; mypy over the product packages ([tool.mypy] files in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .lockenv .signaldesk
