"""Accuracy against peers on the protocol of the default `base-attentive train`.

On the bundled Chicago "L" ridership data with the split of the default
run (`commands.settings.bundled_preset`: data from 2011, the last 365 days
as test period, the 112 days before as validation period, every daily
origin, horizon 14, all 20 stations, lookback 56, quantiles 0.1 / 0.5 /
0.9), it scores, with the CLI's own metric code (`commands.scoring.score`:
MAE of the median, per-series MASE over the training period, mean quantile
loss, 80% coverage):

- seasonal naive (season 7, quantiles from its training residuals; the
  CLI's baseline);
- a LightGBM global model (`accuracy_lightgbm.py`: lags, rolling
  statistics, calendar / holiday / sports features at the target step,
  weather of the origin, station as a category; one model per quantile
  with the horizon step as a feature; conformal intervals; tuned on the
  validation period only);
- statsforecast AutoETS (season 7; `accuracy_ets.py`, run with
  `--peer-python` because statsforecast needs pandas < 3);
- base-attentive: the default `base-attentive train` on each backend, each
  in a fresh process with `KERAS_BACKEND` set (`train_base_attentive`).

It prints one table (MAE, MASE, mean quantile loss, 80% coverage, wall
time) with each forecast's MASE and quantile loss as a ratio to LightGBM's.

Usage:
    python benchmarks/accuracy.py                       # everything
    python benchmarks/accuracy.py --backends jax        # one backend
    python benchmarks/accuracy.py --peers lightgbm      # no AutoETS
    python benchmarks/accuracy.py -- --epochs 5         # extra train options
    python benchmarks/accuracy.py --table electricity   # the second table

Peers: `pip install "base-attentive[bench]"` (LightGBM); AutoETS runs with
`--peer-python PATH` (default `/tmp/venv-bench/bin/python` when it exists),
an environment with `statsforecast` installed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BACKENDS = ("tensorflow", "torch", "jax")
PEERS = ("seasonal_naive", "lightgbm", "autoets")
DEFAULT_PEER_PYTHON = "/tmp/venv-bench/bin/python"
COLUMNS = (
    ("mae", "MAE"),
    ("mase", "MASE"),
    ("mean_quantile_loss", "mean quantile loss"),
    ("coverage@80%", "80% coverage"),
)


def protocol(table, extra=()):
    """The data of a benchmark table, prepared by the CLI's own recipe.

    Returns:
        `(settings, data)`: the resolved `train` settings and the CLI's
        prepared data (dataset, train / validation / test windows,
        seasonal-naive baseline).
    """
    from base_attentive.commands import settings as run_settings
    from base_attentive.commands.console import Console
    from base_attentive.commands.train import _prepare_data

    settings = dict(run_settings.GENERIC_DEFAULTS)
    settings.update(table_preset(table))
    settings.update(_parse_extra(extra))
    data = _prepare_data(settings, Console(quiet=True))
    return settings, data


def table_preset(table):
    """The data settings of a benchmark table (`train`'s settings keys)."""
    from base_attentive.commands.settings import bundled_preset

    if table == "chicago":
        return bundled_preset()
    from accuracy_tables import TABLES

    return TABLES[table]["settings"]()


def _parse_extra(extra):
    """Settings among the extra `train` options (those that change data)."""
    from base_attentive.commands.settings import SETTINGS, parse_value

    parsed, extra = {}, list(extra)
    for flag, value in zip(extra[::2], extra[1::2], strict=False):
        key = flag.lstrip("-").replace("-", "_")
        if key in ("lookback", "horizon", "quantiles", "batch_size", "seed"):
            parsed[key] = parse_value(key, value, SETTINGS[key].flag)
    return parsed


def test_targets(data):
    """Targets `(N, H, O)` of the test windows and each window's series."""
    from base_attentive.commands.scoring import targets_of

    return targets_of(data.test), data.baseline.series_index(data.test)


def score_forecast(data, settings, forecast):
    """The CLI's metrics of a `(N, H, Q, O)` forecast of the test windows."""
    from base_attentive.commands.scoring import score

    y_true, series_index = test_targets(data)
    return score(
        y_true,
        forecast,
        settings["quantiles"],
        series_index,
        data.baseline.mase_scale,
    )


def train_base_attentive(backend, table, out, extra):
    """Runs the default `base-attentive train` on one backend, fresh process.

    The one call site of the model: it returns the test forecasts in
    original units, `(N, H, Q, O)` in test-window order, and run facts.
    """
    folder = out / f"{table}-{backend}"
    command = [
        sys.executable, "-m", "base_attentive", "train",
        "--out", str(folder), "--overwrite", "--json",
        *table_options(table, folder.parent), *extra,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "BASE_ATTENTIVE_BACKEND"}
    env.update(KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"train on {backend} failed:\n{result.stderr[-3000:]}")
    import pandas as pd

    forecasts = pd.read_csv(folder / "forecasts.csv")
    run = json.loads((folder / "run.json").read_text())
    return forecasts, {
        "seconds": seconds,
        "training_seconds": run["training"]["seconds"],
        "epochs": run["training"]["epochs_run"],
        "best_epoch": run["training"]["best_epoch"],
        "stopped_by": run["training"]["stopped_by"],
        "parameters": run["model"]["parameters"],
        "version": run["versions"]["backend"],
        "metrics_json": json.loads((folder / "metrics.json").read_text())["model"],
    }


def table_options(table, folder):
    """`train` options selecting a table (none for the bundled data)."""
    if table == "chicago":
        return []
    from accuracy_tables import TABLES

    return TABLES[table]["options"](folder)


def frame_to_forecast(forecasts, data, settings):
    """A run's `forecasts.csv` as `(N, H, Q, O)` in test-window order.

    Checks that its rows are the test windows of `data`, in order.
    """
    spec = data.dataset.spec
    horizon = spec.forecast_horizon
    output_dim = len(spec.target_columns)
    columns = [f"q{q:g}" for q in settings["quantiles"]]
    index = data.test.window_index()
    origins = forecasts["forecast_origin"].to_numpy()[:: horizon * output_dim]
    expected = index["forecast_origin"].astype(str).to_numpy()
    if len(origins) != len(expected) or not np.all(
        np.asarray(origins, dtype="datetime64[ns]")
        == np.asarray(expected, dtype="datetime64[ns]")
    ):
        raise ValueError("forecasts.csv does not follow the test windows")
    values = forecasts[columns].to_numpy(np.float64)
    values = values.reshape(len(expected), horizon, output_dim, len(columns))
    return np.moveaxis(values, 3, 2)


def run_autoets(data, settings, peer_python, workdir):
    """AutoETS forecasts of the test windows (see `accuracy_ets.py`)."""
    import pandas as pd

    arrays = data.dataset.arrays
    horizon = data.dataset.spec.forecast_horizon
    series = np.repeat(arrays.series_ids, np.diff(arrays.offsets))
    frame = pd.DataFrame(
        {"unique_id": series, "ds": arrays.times, "y": arrays.target[:, 0]}
    )
    index = data.test.window_index()
    windows = index["forecast_origin"].nunique()
    source, target = workdir / "ets_in.csv", workdir / "ets_out.csv"
    frame.to_csv(source, index=False)
    command = [
        peer_python, str(HERE / "accuracy_ets.py"), str(source), str(target),
        "--horizon", str(horizon), "--windows", str(windows),
        "--season", str(data.baseline.season),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"AutoETS failed:\n{result.stderr[-3000:]}")
    out = pd.read_csv(target, parse_dates=["ds", "cutoff"])
    out["unique_id"] = out["unique_id"].astype(str)
    out = out.set_index(["unique_id", "cutoff", "ds"]).sort_index()
    keys = pd.MultiIndex.from_arrays(
        [
            np.repeat(index["series_id"].astype(str).to_numpy(), horizon),
            np.repeat(index["forecast_origin"].to_numpy(), horizon),
            (
                np.repeat(index["forecast_origin"].to_numpy(), horizon)
                + np.tile(np.arange(1, horizon + 1), len(index))
                * pd.Timedelta(
                    pd.tseries.frequencies.to_offset(data.dataset.freq)
                ).to_timedelta64()
            ),
        ]
    )
    rows = out.loc[keys, ["lo", "mean", "hi"]].to_numpy(np.float64)
    forecast = rows.reshape(len(index), horizon, 3, 1)
    if settings["quantiles"] != [0.1, 0.5, 0.9]:
        raise ValueError("AutoETS is scored at the levels 0.1, 0.5, 0.9 only")
    return forecast


def _cells(scores):
    cells = []
    for key, _ in COLUMNS:
        value = scores.get(key)
        cells.append(
            "n/a" if value is None else f"{value:.1%}" if "@" in key else f"{value:.3f}"
        )
    return cells


def _ratio(scores, reference, key):
    if reference is None or key not in reference:
        return ""
    return f"{scores[key] / reference[key]:.2f}"


def format_rows(rows):
    """Markdown table of `(name, scores, seconds, note)` rows."""
    reference = next(
        (scores for name, scores, _, _ in rows if name.startswith("LightGBM")), None
    )
    header = (
        "| forecast | MAE | MASE | mean quantile loss | 80% coverage | "
        "MASE / LightGBM | quantile loss / LightGBM | wall time | note |"
    )
    lines = [header, "|" + " --- |" * 9]
    for name, scores, seconds, note in rows:
        lines.append(
            "| "
            + " | ".join(
                [name, *_cells(scores)]
                + [
                    _ratio(scores, reference, "mase"),
                    _ratio(scores, reference, "mean_quantile_loss"),
                    f"{seconds:.0f} s" if seconds else "",
                    note,
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--table", default="chicago")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--peer-python", default=DEFAULT_PEER_PYTHON)
    parser.add_argument("--yearly-lag", action="store_true")
    parser.add_argument(
        "--lightgbm-grid",
        choices=("first", "full"),
        default="first",
        help="LightGBM hyper-parameters: the first candidate (rounds by early "
        "stopping on validation) or the full grid, chosen on validation",
    )
    parser.add_argument("--out", default="runs/accuracy")
    parser.add_argument("--json", metavar="FILE", help="also write the rows here")
    parser.add_argument("extra", nargs="*", help="options for base-attentive train")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    backends = [b for b in args.backends.split(",") if b]
    peers = [p for p in args.peers.split(",") if p]
    settings, data = protocol(args.table, args.extra)
    quantiles = settings["quantiles"]
    rows = []
    print(
        f"table {args.table}: {data.info['series']} series, test "
        f"{data.info['test_start']} .. {data.info['last_time']}, "
        f"{data.test.num_windows:,} test windows",
        flush=True,
    )
    if "seasonal_naive" in peers:
        started = time.perf_counter()
        forecast = data.baseline.predict(data.test)
        rows.append(
            (
                f"seasonal naive (season {data.baseline.season})",
                score_forecast(data, settings, forecast),
                time.perf_counter() - started,
                "",
            )
        )
    if "lightgbm" in peers:
        from accuracy_lightgbm import LightGBMPeer

        started = time.perf_counter()
        from accuracy_lightgbm import GRID

        peer = LightGBMPeer(
            quantiles,
            data.baseline.season,
            yearly_lag=args.yearly_lag,
            grid=GRID if args.lightgbm_grid == "full" else GRID[:1],
        ).fit(data.dataset, data.train, data.validation)
        forecast = peer.predict(data.test)
        seconds = time.perf_counter() - started
        chosen = peer.chosen
        rows.append(
            (
                "LightGBM global",
                score_forecast(data, settings, forecast),
                seconds,
                f"{peer.describe()['features']} features, num_leaves "
                f"{chosen['num_leaves']}, 1 thread",
            )
        )
        np.save(out / f"{args.table}-lightgbm.npy", forecast)
    if "autoets" in peers:
        if not Path(args.peer_python).exists():
            print(f"AutoETS skipped: no {args.peer_python}", flush=True)
        else:
            started = time.perf_counter()
            with tempfile.TemporaryDirectory() as workdir:
                forecast = run_autoets(data, settings, args.peer_python, Path(workdir))
            rows.append(
                (
                    "statsforecast AutoETS",
                    score_forecast(data, settings, forecast),
                    time.perf_counter() - started,
                    "one fit per series, states updated per origin",
                )
            )
    for backend in backends:
        frame, facts = train_base_attentive(backend, args.table, out, args.extra)
        forecast = frame_to_forecast(frame, data, settings)
        scores = score_forecast(data, settings, forecast)
        rows.append(
            (
                f"base-attentive ({backend} {facts['version']})",
                scores,
                facts["seconds"],
                f"{facts['parameters']:,} parameters, {facts['epochs']} epochs "
                f"(best {facts['best_epoch']}, {facts['stopped_by']}), "
                f"training {facts['training_seconds']:.0f} s",
            )
        )
        print(format_rows(rows[-1:]), flush=True)
    print()
    print(
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}, python {platform.python_version()}"
    )
    print(format_rows(rows))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                [
                    {"name": n, "scores": s, "seconds": t, "note": note}
                    for n, s, t, note in rows
                ],
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
