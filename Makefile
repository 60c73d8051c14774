# pyradiogen — the two commands a newcomer needs:
#   make demo   set everything up, then run the main job (replicate on the demo cohort)
#   make test   set everything up, then lint, R CMD check the R package, run the Python tests
# Every set-up step is skipped when already done (stamp files under .make/).

SHELL := /bin/bash
PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
PIP := $(VPY) -m pip
RLIB := $(CURDIR)/.rlib
STAMPS := .make
export R_LIBS_USER := $(RLIB)
export PYRADIOGEN_R_LIBS := $(RLIB)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# No thread variables here: pyradiogen sizes its BLAS/OpenMP/torch thread pools itself
# (pyradiogen/threads.py), so `make demo` and `python -m pyradiogen replicate` run the same way.

R_SOURCES := $(shell find r -type f 2>/dev/null)
DEMO_OUT ?= results/demo

.PHONY: setup sysdeps venv rpkg roxygen readme test test-r test-r-quick test-py lint demo vignettes bench doctor clean

setup: sysdeps venv rpkg

sysdeps: $(STAMPS)/sysdeps
$(STAMPS)/sysdeps: scripts/install-system-deps.sh
	@mkdir -p $(STAMPS)
	bash scripts/install-system-deps.sh
	@touch $@

venv: $(STAMPS)/venv
$(STAMPS)/venv: pyproject.toml constraints.txt $(STAMPS)/sysdeps
	@mkdir -p $(STAMPS)
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(PIP) install -q --upgrade pip setuptools wheel versioneer
	# torch first, from the local CPU wheel, so nothing later can pull a CUDA build
	$(PIP) install -q -c constraints.txt torch==2.13.0
	$(PIP) install -q -c constraints.txt numpy
	# pyradiomics ships as source only and builds against the installed numpy
	$(PIP) install -q -c constraints.txt --no-build-isolation pyradiomics
	$(PIP) install -q -c constraints.txt -e ".[dev]"
	$(VPY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $@

# The R package goes into the project-local .rlib (PYRADIOGEN_R_LIBS above) by the same code
# that installs it into a pip user's per-user library on first use (pyradiogen.rlibrary).
rpkg: $(STAMPS)/rpkg
$(STAMPS)/rpkg: $(R_SOURCES) $(STAMPS)/venv
	@mkdir -p $(STAMPS) $(RLIB)
	$(VPY) -m pyradiogen setup-r >$(STAMPS)/rpkg.log 2>&1 || (cat $(STAMPS)/rpkg.log; exit 1)
	@touch $@

# Regenerate r/NAMESPACE and r/man/ from the roxygen2 comments in r/R (commit the result).
roxygen: $(STAMPS)/sysdeps
	cd r && Rscript -e 'roxygen2::roxygenise(load_code = roxygen2::load_source)'

# Rewrite README.md's command synopsis from the argparse definitions (a test checks it).
readme: $(STAMPS)/venv
	$(VPY) scripts/readme_cli.py

test: setup
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-r
	$(MAKE) --no-print-directory test-py

lint: $(STAMPS)/venv
	$(VENV)/bin/ruff check pyradiogen tests benchmarks

# R CMD build + R CMD check --no-manual of r/ (examples, testthat suite, vignette; roxygen
# output up to date): no ERROR, no WARNING. About 1 minute.
test-r: $(STAMPS)/sysdeps
	bash scripts/check-r-package.sh

# the testthat suite alone, against the installed .rlib (seconds; for development)
test-r-quick: $(STAMPS)/rpkg
	Rscript scripts/run-r-tests.R

test-py: setup
	$(VPY) -m pytest -q $(PYTEST_ARGS)

demo: setup
	$(VPY) -m pyradiogen replicate --out $(DEMO_OUT)

vignettes: setup
	$(VPY) -m pyradiogen vignettes --out results/vignettes

bench: setup
	$(VPY) benchmarks/run_all.py

doctor: setup
	$(VPY) -m pyradiogen doctor

clean:
	rm -rf $(STAMPS) $(RLIB) results .pytest_cache
