#!/usr/bin/env bash
# Lint, then run the whole test suite once per Keras backend, each in a fresh
# process selected by KERAS_BACKEND. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh || exit 1
PY=.venv/bin/python
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONHASHSEED=0

echo "[lint] ruff check + ruff format --check"
$PY -m ruff check src tests benchmarks || exit 1
$PY -m ruff format --check src tests benchmarks || exit 1

mkdir -p .test-results
status=0
for backend in ${BACKENDS:-tensorflow torch jax}; do
    echo "[test] KERAS_BACKEND=$backend"
    # JAX: cheaper XLA compilation (a third less of the compile time that
    # dominates these tiny models; the numbers are checked with tolerances).
    # And on every backend (JAX processes also run in the others' suites,
    # e.g. the portability tests), one XLA compilation cache for the whole
    # run, the test workers and the CLI processes they start: the same small
    # models are compiled again and again (each fixture, each worker, each
    # fresh process), and a hit skips the compilation. It starts empty, so
    # every run compiles once.
    fast_xla=""
    cache=$(mktemp -d)
    [ "$backend" = jax ] && fast_xla="--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"
    env -u BASE_ATTENTIVE_BACKEND KERAS_BACKEND=$backend XLA_FLAGS="${XLA_FLAGS:-$fast_xla}" \
        JAX_COMPILATION_CACHE_DIR="$cache" JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 \
        $PY -m pytest -q -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" \
        --junitxml=".test-results/$backend.xml" "$@"
    rc=$?
    rm -rf "$cache"
    # pytest exit 5 means "no tests collected": that is a failure here.
    [ $rc -ne 0 ] && status=1 && echo "[test] $backend FAILED (pytest exit $rc)"
done
$PY scripts/summarize_junit.py .test-results/*.xml
exit $status
