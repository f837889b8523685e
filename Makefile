# contract-kit: `make demo` and `make test` are all a newcomer needs (Python 3.11+, make, and the
# Rust toolchain: cargo builds the extension contract_kit._core from rust/).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
STAMP_MUTATE := $(VENV)/.installed-mutate
# What the compiled extension is built from: an install is redone when one of them changes.
RUST_SOURCES := rust/Cargo.toml rust/Cargo.lock $(shell find rust/src -name '*.rs' 2>/dev/null)

.PHONY: demo test lint snapshots docs fuzz bench mutate clean help

help:
	@echo "make demo       install into .venv and run validate, convert and diff on the bundled fixtures"
	@echo "make test       install with test extras and run the whole suite, with the core and without"
	@echo "make lint       ruff, mypy --strict, cargo clippy (warnings are errors) and cargo fmt --check"
	@echo "make snapshots  regenerate the golden files in fixtures/golden (review the diff!)"
	@echo "make fuzz       the property tests for FUZZ_SECONDS (default 300), in seeded rounds"
	@echo "make docs       regenerate docs/violations.md from fixtures/invalid"
	@echo "make bench      measure throughput, start-up and memory; writes bench/RESULTS.md"
	@echo "make mutate     mutation testing of transform, timestamps, diff and config (docs/mutation.md)"
	@echo "make clean      remove .venv, caches and build output (rust/target, the built contract_kit/_core*.so)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Editable installs, both: `make demo` after `make test` (or the other way round) must not
# replace one install with a stale copy of the other. The wheel itself is tested in the suite.
# maturin builds the extension (release profile) into rust/target and copies it to
# contract_kit/_core.abi3.so; nothing rebuilds it on import, so an edit of the Rust sources
# redoes the install (cargo then recompiles only what changed).
$(STAMP_RUN): pyproject.toml $(RUST_SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(STAMP_DEV): pyproject.toml $(RUST_SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,lint]"
	@touch $@ $(STAMP_RUN)

$(STAMP_MUTATE): $(STAMP_DEV)
	$(BIN)/python -m pip install --quiet -e ".[test,lint,mutate]"
	@touch $@

demo: $(STAMP_RUN)
	@echo "== contract-kit validate fixtures/antavo"
	$(BIN)/contract-kit validate fixtures/antavo
	@echo
	@echo "== contract-kit validate fixtures/invalid  (expected to fail: one violation kind per file)"
	@$(BIN)/contract-kit validate fixtures/invalid; status=$$?; \
	  echo "(exit code $$status, as expected: each file there holds one kind of violation)"; \
	  test $$status -eq 1
	@echo
	@echo "== contract-kit convert fixtures/antavo/containers/records.ndjson"
	$(BIN)/contract-kit convert fixtures/antavo/containers/records.ndjson
	@echo
	@echo "== contract-kit diff fixtures/antavo fixtures/golden"
	$(BIN)/contract-kit diff fixtures/antavo fixtures/golden
	@echo
	@echo "== contract-kit plan coverage fixtures/antavo --plan fixtures/tracking-plan --require-all"
	$(BIN)/contract-kit plan coverage fixtures/antavo --plan fixtures/tracking-plan --require-all
	@echo
	@echo "== contract-kit convert fixtures/plan-violations/new-events.ndjson --plan fixtures/tracking-plan  (expected to fail)"
	@$(BIN)/contract-kit convert fixtures/plan-violations/new-events.ndjson --plan fixtures/tracking-plan >/dev/null; status=$$?; \
	  echo "(exit code $$status, as expected: a review rated 6 breaks the plan; the two warnings do not fail)"; \
	  test $$status -eq 1

# The Rust unit tests, then the whole suite twice: with the compiled core, then on the Python
# path alone (the reference), so that neither path can break unseen.
# tests/running/test_core.py compares the two directly.
test: $(STAMP_DEV)
	cargo test --quiet --manifest-path rust/Cargo.toml
	$(BIN)/python -m pytest
	@echo "== the same suite on the Python path (CONTRACT_KIT_CORE=0)"
	CONTRACT_KIT_CORE=0 $(BIN)/python -m pytest

lint: $(STAMP_DEV)
	$(BIN)/ruff check contract_kit tests
	$(BIN)/mypy --strict contract_kit
	cargo clippy --manifest-path rust/Cargo.toml --all-targets -- -D warnings
	cargo fmt --manifest-path rust/Cargo.toml --check

snapshots: $(STAMP_DEV)
	env -u CI $(BIN)/contract-kit diff fixtures/antavo fixtures/golden --update

FUZZ_SECONDS ?= 300
FUZZ_EXAMPLES ?= 2000

# The property tests of `make test`, in rounds of FUZZ_EXAMPLES examples a property, each round
# with a new seed, until FUZZ_SECONDS have passed; says how many examples were tried in all.
fuzz: $(STAMP_DEV)
	@end=$$(( $$(date +%s) + $(FUZZ_SECONDS) )); rounds=0; \
	while [ $$(date +%s) -lt $$end ]; do \
	  seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
	  FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider \
	    --hypothesis-seed=$$seed tests/test_properties.py tests/checking/test_fast_path.py > .fuzz.log 2>&1 \
	    || { cat .fuzz.log; echo "fuzz: failed in round $$((rounds + 1)), seed $$seed"; exit 1; }; \
	  rounds=$$((rounds + 1)); \
	  echo "fuzz: round $$rounds passed (seed $$seed)"; \
	done; \
	properties=$$(grep -c '^@PROPERTY\|^@EXAMPLES' tests/test_properties.py tests/checking/test_fast_path.py | awk -F: '{s+=$$2} END {print s}'); \
	echo "fuzz: $$rounds rounds x $$properties properties x $(FUZZ_EXAMPLES) examples = $$((rounds * properties * $(FUZZ_EXAMPLES))) examples at most, none failed"

docs: $(STAMP_DEV)
	$(BIN)/python docs/generate_violations.py

# Not part of `make test`: timings belong to a benchmark, never to a test.
bench: $(STAMP_DEV)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	cd bench && ../$(BIN)/python run.py

MUTATE_CHILDREN ?= 2
MUTATE_MIN ?= 97

# Not part of `make test` (5 to 10 minutes on 2 cores). mutmut plants bugs in the four modules
# named in [tool.mutmut] (pyproject.toml) and runs the in-process tests against each, on the
# Python path (the mutated modules are its own; tests/running/test_core.py holds the core to
# it); the score
# counts every mutant not killed, except those docs/mutation.md lists as equivalent. Fails below
# MUTATE_MIN percent, and names each mutant that survived without being listed.
mutate: $(STAMP_MUTATE)
	rm -rf mutants && mkdir mutants
	@start=$$(date +%s); \
	CONTRACT_KIT_CORE=0 $(BIN)/mutmut run --max-children $(MUTATE_CHILDREN) > mutants/run.log 2>&1 \
	  || { tail -n 40 mutants/run.log; echo "mutate: mutmut failed (log: mutants/run.log)"; exit 1; }; \
	echo "mutate: mutmut ran for $$(( $$(date +%s) - start )) s with $(MUTATE_CHILDREN) children"
	@$(BIN)/mutmut results --all true 2>/dev/null | sed 's/^ *//' > mutants/results.txt
	@grep -o 'contract_kit\.[^ `|]*__mutmut_[0-9]*' docs/mutation.md | sort -u > mutants/equivalent.txt
	@awk -F': ' -v min=$(MUTATE_MIN) ' \
	  NR == FNR { equivalent[$$0] = 1; next } \
	  { total++ } \
	  $$2 == "killed" || $$2 == "timeout" { killed++; next } \
	  $$1 in equivalent { same++; seen[$$1] = 1; next } \
	  { missed++; print "  not killed: " $$1 " (" $$2 "): see mutmut show " $$1 } \
	  END { \
	    for (name in equivalent) if (!(name in seen)) \
	      print "  listed as equivalent in docs/mutation.md but not a survivor: " name; \
	    scored = total - same; \
	    printf "mutate: %d mutants: %d killed, %d equivalent (docs/mutation.md), %d not killed\n", \
	      total, killed, same, missed; \
	    printf "mutate: score %.1f%% (%d of the %d non-equivalent mutants killed; minimum %d%%)\n", \
	      100 * killed / scored, killed, scored, min; \
	    exit (100 * killed < min * scored) \
	  }' mutants/equivalent.txt mutants/results.txt

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache bench/work mutants
	rm -rf rust/target contract_kit/_core*.so
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
