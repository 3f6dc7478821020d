# The two set-up commands of the README:
#   make run    the main job (creates .venv, installs everything); `base-attentive
#               info` until the forecasting CLI lands
#   make test   lint + the full test suite on tensorflow, torch and jax
.PHONY: run test venv bench

venv:
	bash scripts/setup_venv.sh

run: venv
	.venv/bin/base-attentive info $(ARGS)

test:
	bash scripts/test_all_backends.sh

bench: venv
	.venv/bin/python benchmarks/ref_workload.py
