#!/usr/bin/env bash
# GPU figures on a machine with one NVIDIA GPU, PyTorch and JAX with CUDA
# already installed, and no network; under 8 minutes.
#
#   bash benchmarks/gpu.sh                  # on the GPU machine
#   bash benchmarks/gpu.sh --dry-run        # here, on CPU: the same steps, tiny sizes
#   bash benchmarks/gpu.sh --fetch-wheels   # here, with PyPI: the wheels to carry
#
# It runs the project from the working tree (PYTHONPATH=src), never
# installed. Keras and the other packages the GPU image lacks (Keras needs
# namex and optree) travel as wheels in a folder next to the tree
# (WHEELS, default .whl/ at the repository root, ignored by git;
# --fetch-wheels fills it for Python 3.12, x86-64 Linux) and are installed
# with pip --no-index into a scratch folder only when `import keras` fails.
#
# Steps, each under its own time limit, each writing JSON into OUT
# (default runs/gpu-<time>/):
#   1. base-attentive info --json on torch and on JAX (info-torch.json,
#      info-jax.json) and gpu-check.json: both frameworks must list the GPU
#      (the run fails otherwise, except with --dry-run);
#   2. the reference workload (benchmarks/ref_workload.py --quick, ours, both
#      encoders) on torch and JAX: ref.json, ref.md;
#   3. the 30k-series panel (benchmarks/panel.py, ours) on torch and on JAX,
#      side by side (the data preparation is CPU work; the GPU is shared
#      while both train): panel-torch.json, panel-jax.json; with
#      --sequential one after the other (longer than 8 minutes);
#   4. versions.json: nvidia-smi, Python, torch, JAX, Keras.
# The exit status is 0 when every step finished and, on a GPU run, both
# frameworks saw the GPU.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# An absolute path: the benchmarks check that their interpreter exists.
PY="$(command -v "${PYTHON:-python3}")" || { echo "gpu.sh: no ${PYTHON:-python3}" >&2; exit 2; }
WHEELS="${WHEELS:-$ROOT/.whl}"
DRY=0
FETCH=0
SEQUENTIAL=0
for argument in "$@"; do
  case "$argument" in
    --dry-run) DRY=1 ;;
    --fetch-wheels) FETCH=1 ;;
    --sequential) SEQUENTIAL=1 ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) echo "gpu.sh: unknown option $argument (see --help)" >&2; exit 2 ;;
  esac
done

# Wheels the GPU image lacks, pinned as in constraints.txt and the dev venv.
CARRIED="keras==3.15.1 namex==0.1.0 optree==0.20.0"

if [ "$FETCH" = 1 ]; then
  mkdir -p "$WHEELS"
  # shellcheck disable=SC2086  # one argument per package
  exec "$PY" -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 \
    --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d "$WHEELS" $CARRIED
fi

OUT="${OUT_DIR:-$ROOT/runs/gpu-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
LOG="$OUT/gpu.log"
started=$(date +%s)
say() { echo "[gpu.sh $(( $(date +%s) - started ))s] $*" | tee -a "$LOG" >&2; }
failed=0

# -- the project from the working tree, Keras from the carried wheels -------
SITE=""
if ! "$PY" -c "import keras" >/dev/null 2>&1; then
  if ! ls "$WHEELS"/*.whl >/dev/null 2>&1; then
    say "Keras is not installed and $WHEELS holds no wheels: run 'bash benchmarks/gpu.sh --fetch-wheels' where PyPI is reachable, and carry that folder"
    exit 2
  fi
  SITE="$(mktemp -d /tmp/base-attentive-site.XXXXXX)"
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
    --target "$SITE" "$WHEELS"/*.whl || { say "installing the wheels failed"; exit 2; }
  say "installed from $WHEELS: $(ls "$WHEELS" | tr '\n' ' ')"
fi
export PYTHONPATH="$ROOT/src${SITE:+:$SITE}${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=2
# Two processes may share the GPU (step 3): JAX takes memory as it needs it.
export XLA_PYTHON_CLIENT_PREALLOCATE=false
unset BASE_ATTENTIVE_BACKEND

if [ "$DRY" = 1 ]; then
  say "dry run: CPU, tiny sizes, no GPU required"
  # One framework thread, as the CPU benchmarks use (a shared CPU).
  REF_ARGS=(--backend torch,jax --encoders hybrid --quick --timed-calls 3 --threads 1)
  PANEL_ARGS=(--sizes 300 --train-batches 3 --gather-batches 10)
  LIMIT_INFO=300 LIMIT_REF=900 LIMIT_PANEL=900
else
  REF_ARGS=(--backend torch,jax --quick --threads 0)
  PANEL_ARGS=(--sizes 30000 --train-batches 100 --jobs 8)
  LIMIT_INFO=90 LIMIT_REF=200 LIMIT_PANEL=210
fi

step() {  # step NAME LIMIT COMMAND...: run under a time limit, log, count failures
  local name="$1" limit="$2"
  shift 2
  say "$name: $*"
  timeout "$limit" "$@" >>"$LOG" 2>&1
  local status=$?
  if [ "$status" != 0 ]; then
    failed=$((failed + 1))
    say "$name: FAILED (exit $status$([ "$status" = 124 ] && echo ", over ${limit}s"))"
  fi
  return 0
}

# -- 1. base-attentive info: both frameworks must report the GPU ------------
for backend in torch jax; do
  say "info ($backend)"
  timeout "$LIMIT_INFO" "$PY" -m base_attentive --backend "$backend" info --json \
    >"$OUT/info-$backend.json" 2>>"$LOG" || { failed=$((failed + 1)); say "info ($backend): FAILED"; }
done
"$PY" - "$OUT" "$DRY" <<'PYTHON' 2>>"$LOG" || failed=$((failed + 1))
import json, sys
from pathlib import Path

out, dry = Path(sys.argv[1]), sys.argv[2] == "1"
check = {}
for backend in ("torch", "jax"):
    try:
        report = json.loads((out / f"info-{backend}.json").read_text())
    except (OSError, ValueError) as error:
        check[backend] = {"error": str(error)}
        continue
    framework = report.get("frameworks", {}).get(backend, {})
    found = framework.get("devices") or []
    check[backend] = {
        "active_backend": report.get("active_backend", {}).get("name"),
        "version": framework.get("version"),
        "devices": found,
        "devices_error": framework.get("devices_error"),
        "gpu": any(str(d.get("type", "")).upper() == "GPU" for d in found),
    }
(out / "gpu-check.json").write_text(json.dumps(check, indent=2))
print(json.dumps(check), file=sys.stderr)
missing = [b for b, c in check.items() if not c.get("gpu")]
if missing and not dry:
    sys.exit(f"no GPU reported by: {', '.join(missing)}")
PYTHON

# -- 2. the reference workload ----------------------------------------------
step "reference workload" "$LIMIT_REF" "$PY" "$ROOT/benchmarks/ref_workload.py" --impl ours \
  "${REF_ARGS[@]}" --ours-python "$PY" --json "$OUT/ref.json" --markdown "$OUT/ref.md"

# -- 3. the 30k panel on torch and JAX ---------------------------------------
CACHE="${PANEL_CACHE:-/tmp/base-attentive-panel}"
PANEL_SIZE="${PANEL_ARGS[1]}"
PANEL=("$PY" "$ROOT/benchmarks/panel.py" --impl ours "${PANEL_ARGS[@]}" --cache "$CACHE"
  --ours-python "$PY" --memory-cap-mb 100000)
# Write the panel once, before the runs read it.
step "panel data" "$LIMIT_PANEL" "$PY" -c "
import sys; sys.path.insert(0, '$ROOT/benchmarks')
import panel_data
print(panel_data.write_panel('$CACHE/panel-$PANEL_SIZE', $PANEL_SIZE, jobs=8))"
if [ "$SEQUENTIAL" = 1 ]; then
  for backend in torch jax; do
    step "panel ($backend)" "$LIMIT_PANEL" "${PANEL[@]}" --backend "$backend" \
      --json "$OUT/panel-$backend.json" --markdown "$OUT/panel-$backend.md"
  done
else
  say "panel (torch and jax, side by side)"
  jobs_started=()
  for backend in torch jax; do
    timeout "$LIMIT_PANEL" "${PANEL[@]}" --backend "$backend" \
      --json "$OUT/panel-$backend.json" --markdown "$OUT/panel-$backend.md" >>"$LOG" 2>&1 &
    jobs_started+=("$!:$backend")
  done
  for job in "${jobs_started[@]}"; do
    wait "${job%%:*}" || { failed=$((failed + 1)); say "panel (${job##*:}): FAILED"; }
  done
fi

# -- 4. versions --------------------------------------------------------------
"$PY" - "$OUT" <<'PYTHON' 2>>"$LOG"
import json, platform, subprocess, sys
from importlib import metadata
from pathlib import Path

versions = {"python": platform.python_version()}
for name in ("keras", "torch", "jax", "jaxlib", "numpy", "pandas", "pyarrow"):
    try:
        versions[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        versions[name] = None
try:
    versions["nvidia-smi"] = subprocess.run(
        ["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
        capture_output=True, text=True, timeout=30,
    ).stdout.strip() or None
except (OSError, subprocess.SubprocessError):
    versions["nvidia-smi"] = None
(Path(sys.argv[1]) / "versions.json").write_text(json.dumps(versions, indent=2))
PYTHON

say "done in $(( $(date +%s) - started ))s, $failed failed step(s); results in $OUT"
ls -1 "$OUT" >&2
[ "$failed" = 0 ]
