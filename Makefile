# The two set-up commands of the README:
#   make run    train on the bundled dataset (creates .venv, installs everything)
#   make test   lint + the full test suite on tensorflow, torch and jax
.PHONY: run test venv bench

venv:
	bash scripts/setup_venv.sh

run: venv
	.venv/bin/base-attentive train $(ARGS)

test:
	bash scripts/test_all_backends.sh

bench: venv
	.venv/bin/python benchmarks/ref_workload.py
