"""Accuracy against peers on the protocol of the default `base-attentive train`.

On the bundled Chicago "L" ridership data with the split of the default
run (`commands.settings.bundled_preset`: data from 2011, the last 365 days
as test period, the 112 days before as validation period, every daily
origin, horizon 14, all 20 stations, lookback 56, quantiles 0.1 / 0.5 /
0.9), it scores, with the library's metric code (`evaluation.score`, the
one of `Forecaster.evaluate`: MAE of the median, per-series MASE over the
training period, mean quantile loss, 80% coverage), on the windows of
`Forecaster.prepare_data` and `ForecastDataset.backtest_windows`:

- seasonal naive (season 7, quantiles from its training residuals; the
  CLI's baseline);
- a LightGBM global model (`accuracy_lightgbm.py`: lags, rolling
  statistics, calendar / holiday / sports features at the target step,
  the table's past-observed columns at the origin (none in the Chicago
  default run; the weather on bikes), station as a category; one model
  per quantile with the horizon step as a feature; conformal intervals;
  tuned on the validation period only);
- statsforecast AutoETS (season 7; `accuracy_ets.py`, run with
  `--peer-python` because statsforecast needs pandas < 3);
- base-attentive: the default `base-attentive train` on each backend, each
  in a fresh process with `KERAS_BACKEND` set (`train_base_attentive`),
  scored from its `forecasts.csv` (checked against its `metrics.json`).

It prints one table (MAE, MASE, mean quantile loss, 80% coverage, wall
time) with each forecast's MASE and quantile loss as a ratio to LightGBM's.

Usage:
    python benchmarks/accuracy.py                       # everything
    python benchmarks/accuracy.py --table chicago,bikes # both tables
    python benchmarks/accuracy.py --backends jax        # one backend
    python benchmarks/accuracy.py --peers lightgbm      # no AutoETS
    python benchmarks/accuracy.py -- --epochs 5         # extra train options
    python benchmarks/accuracy.py --table bikes         # the second table
    python benchmarks/accuracy.py --development         # the year before the
                                                        # test year (levers)
    python benchmarks/accuracy.py --breakdown           # MAE by kind of day

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
from typing import NamedTuple

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


class BenchmarkData(NamedTuple):
    """The data of a benchmark table, prepared as `base-attentive train` does.

    Attributes:
        dataset, train, validation, baseline: `Forecaster.prepare_data` on
            the rows before the test period (what the default run fits on).
        test: the test windows, every origin from the last step before the
            test period (`ForecastDataset.backtest_windows`, as `train`'s
            backtest).
        info: `series`, `test_start`, `last_time`.
    """

    dataset: object
    train: object
    validation: object
    test: object
    baseline: object
    info: dict


def protocol(table, extra=()):
    """The data of a benchmark table, prepared by the library's recipe.

    The settings are `train`'s (defaults, the table's preset, then the data
    options among `extra`), the test period is cut off as `train` does
    (`commands.train.split_test`) and the rest is `Forecaster.prepare_data`.

    Returns:
        `(settings, data)`: the resolved `train` settings and a
        `BenchmarkData`.
    """
    from base_attentive.commands.tables import forecaster_arguments, load_frame
    from base_attentive.commands.train import split_test
    from base_attentive.data.validation import format_time
    from base_attentive.forecaster import Forecaster

    settings = _settings(table, extra)
    frame, _ = load_frame(settings)
    history, validation_start, test_origin, test_start = split_test(frame, settings)
    forecaster = Forecaster(**forecaster_arguments(settings))
    prepared = forecaster.prepare_data(history, validation=str(validation_start))
    test = prepared.dataset.backtest_windows(frame, test_origin, batch_size=256)
    info = {
        "series": prepared.info["series"],
        "test_start": format_time(test_start),
        "last_time": format_time(frame[settings["time_col"]].max()),
    }
    data = BenchmarkData(
        prepared.dataset,
        prepared.train,
        prepared.validation,
        test,
        prepared.baseline,
        info,
    )
    return settings, data


def table_preset(table):
    """The data settings of a benchmark table (`train`'s settings keys)."""
    from base_attentive.commands.settings import bundled_preset

    if table == "chicago":
        return bundled_preset()
    from accuracy_tables import TABLES

    return TABLES[table]["settings"]()


def lightgbm_calendar(table, settings):
    """The calendar features the LightGBM peer reads on `table`.

    On Chicago, those of the data's documented roles
    (`chicago_ridership_spec`: day of week, day of year, month, the holiday
    flag, from which the peer takes its distances to holidays, and holiday
    proximity), the calendar the peer was built and quoted with, whatever
    calendar the model's preset chooses. Given the model's calendar
    instead (a column per holiday, no day of year) it scored slightly worse
    (docs/accuracy.md, round 9). On the other tables, the preset's.
    """
    if table == "chicago":
        from base_attentive.data import chicago_ridership_spec

        return list(chicago_ridership_spec().calendar_features)
    return settings["calendar"]


def _parse_extra(extra):
    """The `train` settings of the extra options (`--flag value` pairs).

    Raises:
        ValueError: naming an option that is not a `train` setting or has no
            value (it would otherwise change nothing, silently).
    """
    from base_attentive.commands.settings import SETTINGS, parse_value

    extra = list(extra)
    if len(extra) % 2:
        raise ValueError(
            f"extra train options come in `--flag value` pairs. Received: {extra}"
        )
    parsed = {}
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        key = flag.lstrip("-").replace("-", "_")
        if not flag.startswith("--") or key not in SETTINGS:
            raise ValueError(
                f"{flag!r} is not an option of `base-attentive train`. "
                f"Known: {sorted('--' + k.replace('_', '-') for k in SETTINGS)}"
            )
        parsed[key] = parse_value(key, value, SETTINGS[key].flag)
    return parsed


def development_options(table, extra=()):
    """`--end` of the development protocol: the data end one test period
    earlier, so the year before the test year is scored and the test year
    is never read (levers are chosen on it)."""
    from base_attentive.commands.tables import load_frame
    from base_attentive.commands.train import split_test

    settings = _settings(table, extra)
    frame, _ = load_frame(settings)
    _, _, test_origin, _ = split_test(frame, settings)
    return ["--end", str(test_origin)]


def _settings(table, extra):
    from base_attentive.commands import settings as run_settings

    settings = dict(run_settings.DEFAULTS)
    settings.update(table_preset(table))
    settings.update(_parse_extra(extra))
    return settings


def score_forecast(data, settings, forecast):
    """The library's metrics (`evaluation.score`, overall row) of a
    `(N, H, Q, O)` forecast of the test windows, original units."""
    from base_attentive.evaluation import score

    table = score(
        data.test.targets(),
        forecast,
        settings["quantiles"],
        series=data.baseline.series_index(data.test),
        scale=data.baseline.mase_scale,
        series_ids=[str(s) for s in data.baseline.series_ids],
    )
    row = table[table["horizon_step"] == "all"].iloc[0]
    return {key: float(value) for key, value in row.items() if key != "horizon_step"}


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
        "left_out": [m["seed"] for m in run["training"].get("left_out", [])],
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

    arrays = data.test.arrays  # every row up to the end of the test period
    horizon = data.dataset.spec.forecast_horizon
    series = np.repeat(arrays.series_ids, np.diff(arrays.offsets))
    frame = pd.DataFrame(
        {"unique_id": series, "ds": np.asarray(arrays.times), "y": arrays.target[:, 0]}
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


def run_table(args, table, out):
    """Scores every forecast of one table; returns the rows."""
    extra = list(args.extra)
    if args.development:
        extra = development_options(table, extra) + extra
    backends = [b for b in args.backends.split(",") if b]
    peers = [p for p in args.peers.split(",") if p]
    settings, data = protocol(table, extra)
    quantiles = settings["quantiles"]
    rows, forecasts = [], {}
    print(
        f"table {table}{' (development year)' if args.development else ''}: "
        f"{data.info['series']} series, test {data.info['test_start']} .. "
        f"{data.info['last_time']}, {data.test.num_windows:,} test windows",
        flush=True,
    )
    if "seasonal_naive" in peers:
        started = time.perf_counter()
        forecast = data.baseline.predict(data.test)
        name = f"seasonal naive (season {data.baseline.season})"
        forecasts[name] = forecast
        rows.append(
            (
                name,
                score_forecast(data, settings, forecast),
                time.perf_counter() - started,
                "",
            )
        )
    if "lightgbm" in peers:
        from accuracy_lightgbm import GRID, LightGBMPeer

        started = time.perf_counter()
        peer_data = data
        calendar = lightgbm_calendar(table, settings)
        if calendar != settings["calendar"]:
            # The same windows and split, with the peer's calendar features.
            _, peer_data = protocol(table, extra + ["--calendar", ",".join(calendar)])
        peer = LightGBMPeer(
            quantiles,
            data.baseline.season,
            yearly_lag=args.yearly_lag,
            grid=GRID if args.lightgbm_grid == "full" else GRID[:1],
        ).fit(peer_data.dataset, peer_data.train, peer_data.validation)
        forecast = peer.predict(peer_data.test)
        seconds = time.perf_counter() - started
        forecasts["LightGBM"] = forecast
        rows.append(
            (
                "LightGBM global",
                score_forecast(data, settings, forecast),
                seconds,
                f"{peer.describe()['features']} features, num_leaves "
                f"{peer.chosen['num_leaves']}, 1 thread",
            )
        )
        np.save(out / f"{table}-lightgbm.npy", forecast)
    if "autoets" in peers:
        if not Path(args.peer_python).exists():
            print(f"AutoETS skipped: no {args.peer_python}", flush=True)
        else:
            started = time.perf_counter()
            with tempfile.TemporaryDirectory() as workdir:
                forecast = run_autoets(data, settings, args.peer_python, Path(workdir))
            forecasts["AutoETS"] = forecast
            rows.append(
                (
                    "statsforecast AutoETS",
                    score_forecast(data, settings, forecast),
                    time.perf_counter() - started,
                    "one fit per series, states updated per origin",
                )
            )
    for backend in backends:
        frame, facts = train_base_attentive(backend, table, out, extra)
        forecast = frame_to_forecast(frame, data, settings)
        forecasts[backend] = forecast
        scores = scores_checked(data, settings, forecast, facts)
        rows.append(
            (
                f"base-attentive ({backend} {facts['version']})",
                scores,
                facts["seconds"],
                f"{facts['parameters']:,} parameters, {facts['epochs']} epochs "
                f"(best {facts['best_epoch']}, {facts['stopped_by']}), "
                f"training {facts['training_seconds']:.0f} s"
                + "".join(
                    f", model of seed {seed} left out (ensemble_tolerance)"
                    for seed in facts["left_out"]
                ),
            )
        )
        print(format_rows(rows[-1:]), flush=True)
    print()
    print(
        f"{table}: {datetime.datetime.now():%Y-%m-%d %H:%M}, python "
        f"{platform.python_version()}, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(format_rows(rows))
    if args.breakdown and forecasts:
        from accuracy_breakdown import breakdown, format_breakdown

        print()
        print(format_breakdown(breakdown(data, forecasts, quantiles)))
    return rows


def scores_checked(data, settings, forecast, facts):
    """Scores of a run's forecasts; they must agree with its metrics.json."""
    scores = score_forecast(data, settings, forecast)
    own = facts["metrics_json"]
    for key in ("mae", "mase", "mean_quantile_loss"):
        if key in own and not np.isclose(own[key], scores[key], rtol=1e-3):
            raise RuntimeError(
                f"{key}: the run's metrics.json says {own[key]}, the benchmark "
                f"{scores[key]}: the protocols differ."
            )
    return scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--table", default="chicago", help="chicago, bikes, or both: chicago,bikes"
    )
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
    parser.add_argument(
        "--development",
        action="store_true",
        help="score the year before the test year instead (the data end one "
        "test period earlier): the protocol levers are chosen on",
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also print the MAE by kind of day and by series",
    )
    parser.add_argument("--out", default="runs/accuracy")
    parser.add_argument("--json", metavar="FILE", help="also write the rows here")
    parser.add_argument("extra", nargs="*", help="options for base-attentive train")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for table in [t for t in args.table.split(",") if t]:
        results[table] = run_table(args, table, out)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    table: [
                        {"name": n, "scores": s, "seconds": t, "note": note}
                        for n, s, t, note in rows
                    ]
                    for table, rows in results.items()
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
