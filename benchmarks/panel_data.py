"""The synthetic panel of `panel.py`: retail- and energy-shaped daily series.

NumPy, pandas and pyarrow only, so every measuring child (ours, or
pytorch-forecasting in its own virtual environment) can import it.

The panel (`generate_panel_chunk`, written once per size by
`write_panel` as a directory of Parquet files, each holding a block of
whole series, in series order):

- `num_series` daily series ending on 2023-12-31, of different lengths: each
  starts on a random day of its first 1,095 - `MIN_LENGTH` days, so the
  lengths run from `MIN_LENGTH` to 1,095 (three years).
- `domain`: 60% `retail` series are intermittent counts (a Poisson rate
  between 0.05 and 6 a day, most of them small: many zero days) with a
  weekly cycle, promotions and a price effect; 40% `energy` series are
  continuous loads with weekly and yearly cycles and a temperature effect.
- static attributes: `size` (numeric), `domain` (2 levels), `region`
  (12 levels) and `category` (40 levels), categorical;
- past-observed covariates (not known ahead): `temperature` (the region's
  yearly cycle plus noise), `visits` (footfall or occupancy, correlated
  with the target);
- known-future covariates: `price`, `promo` (0/1, retail only), `holiday`
  (0/1, the same days everywhere) and `event` (categorical: `none`,
  `sports`, `concert`, `market`; per region and day), stored also as 0/1
  columns `event_sports`, `event_concert`, `event_market`: base-attentive's
  data layer takes categorical columns as static one-hot only (categorical
  covariates in any role are another issue), so ours reads these, and
  pytorch-forecasting embeds `event`.

Column types are the compact ones a user would store: float32 values,
int8 flags, `datetime64[ns]` dates, and dictionary-encoded strings (pandas
`category`) for the ids and categorical columns.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

END_DATE = pd.Timestamp("2023-12-31")
DAYS = 1095
MIN_LENGTH = 500
SERIES_PER_FILE = 2000
# Bumped whenever the generator changes, so cached panels are rewritten.
PANEL_VERSION = 2
REGIONS = [f"region_{index:02d}" for index in range(12)]
CATEGORIES = [f"category_{index:02d}" for index in range(40)]
DOMAINS = ["retail", "energy"]
EVENTS = ["none", "sports", "concert", "market"]
HOLIDAY_DAYS = ((1, 1), (5, 29), (7, 4), (9, 4), (11, 23), (12, 25))

ID_COLUMN = "series"
TIME_COLUMN = "date"
TARGET_COLUMN = "sales"
STATIC_NUMERIC = ("size",)
STATIC_CATEGORICAL = ("domain", "region", "category")
PAST_COLUMNS = ("temperature", "visits")
FUTURE_NUMERIC = ("price", "promo", "holiday")
FUTURE_CATEGORICAL = ("event",)
EVENT_ONE_HOT = tuple(f"event_{name}" for name in EVENTS[1:])
EVENT_CHOICES = ("categorical", "one-hot")


def spec_columns(event="categorical"):
    """The categorical and known-future columns of our `DatasetSpec`: the
    known-future `event` as one categorical column (embedded, as the static
    categories), or (`"one-hot"`, as measured before the data layer took
    categories outside the static role) as its three 0/1 columns."""
    if event == "one-hot":
        return {
            "categorical_columns": STATIC_CATEGORICAL,
            "future_columns": (*FUTURE_NUMERIC, *EVENT_ONE_HOT),
        }
    return {
        "categorical_columns": (*STATIC_CATEGORICAL, *FUTURE_CATEGORICAL),
        "future_columns": (*FUTURE_NUMERIC, *FUTURE_CATEGORICAL),
    }


MB = 1024.0**2


def series_names(start, stop):
    return [f"s{index:06d}" for index in range(start, stop)]


def _region_weather(rng, dates):
    """Daily temperature per region `(regions, days)` and events per region."""
    day_of_year = dates.dayofyear.to_numpy()
    cycle = np.sin(2 * np.pi * (day_of_year - 110) / 365.25)
    offsets = np.linspace(-6, 8, len(REGIONS))[:, None]
    temperature = 12 + 11 * cycle[None, :] + offsets
    temperature += rng.normal(0, 2.5, temperature.shape)
    events = rng.choice(len(EVENTS), size=temperature.shape, p=[0.9, 0.04, 0.03, 0.03])
    return temperature.astype(np.float32), events.astype(np.int8)


def generate_panel_chunk(start, stop, seed=0):
    """Series `start .. stop - 1` of the panel as a long DataFrame.

    Deterministic: series `i` is the same whatever chunk it is generated
    in (its random draws come from a generator seeded with `(seed, i)`),
    and the region weather from `seed` alone.
    """
    dates = pd.date_range(end=END_DATE, periods=DAYS, freq="D")
    weather, events = _region_weather(np.random.default_rng([seed, 10**9]), dates)
    holiday = np.array([(d.month, d.day) in HOLIDAY_DAYS for d in dates], dtype=np.int8)
    day_of_week = dates.dayofweek.to_numpy()
    day_of_year = dates.dayofyear.to_numpy()
    names = series_names(start, stop)
    parts = []
    for offset, index in enumerate(range(start, stop)):
        rng = np.random.default_rng([seed, index])
        length = int(rng.integers(MIN_LENGTH, DAYS + 1))
        days = slice(DAYS - length, DAYS)
        domain = 0 if rng.random() < 0.6 else 1
        region = int(rng.integers(len(REGIONS)))
        category = int(rng.integers(len(CATEGORIES)))
        size = float(rng.lognormal(0.0, 0.5))
        temperature = weather[region, days]
        weekly = 1 + 0.3 * np.sin(2 * np.pi * (day_of_week[days] + rng.random()) / 7)
        yearly = np.sin(2 * np.pi * day_of_year[days] / 365.25)
        if domain == 0:  # retail: intermittent counts
            promo = (rng.random(length) < 0.08).astype(np.int8)
            base_price = rng.uniform(1, 40)
            price = base_price * (1 - 0.25 * promo) * (1 + 0.05 * yearly)
            rate = rng.lognormal(-1.0, 1.0) * size
            rate = min(rate, 6.0) * weekly * (1 + 1.5 * promo) * (1 + 0.2 * yearly)
            target = rng.poisson(rate).astype(np.float32)
            visits = rng.poisson(20 * size * weekly * (1 + 0.5 * promo))
        else:  # energy: seasonal continuous load
            promo = np.zeros(length, dtype=np.int8)
            price = np.full(length, rng.uniform(0.1, 0.4)) * (1 + 0.1 * (yearly > 0))
            load = size * 100 * weekly * (1 + 0.3 * yearly)
            load *= 1 + 0.02 * np.abs(temperature - 18)
            target = (load + rng.normal(0, 3 * size, length)).astype(np.float32)
            visits = rng.poisson(50 * size * weekly)
        parts.append(
            {
                ID_COLUMN: np.full(length, offset, dtype=np.int32),
                TIME_COLUMN: dates[days].to_numpy(),
                TARGET_COLUMN: target,
                "size": np.full(length, size, dtype=np.float32),
                "domain": np.full(length, domain, dtype=np.int8),
                "region": np.full(length, region, dtype=np.int8),
                "category": np.full(length, category, dtype=np.int8),
                "temperature": temperature,
                "visits": visits.astype(np.float32),
                "price": price.astype(np.float32),
                "promo": promo,
                "holiday": holiday[days],
                "event": events[region, days],
            }
        )
    columns = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    for code, name in enumerate(EVENT_ONE_HOT, start=1):
        columns[name] = (columns["event"] == code).astype(np.int8)
    frame = pd.DataFrame(columns)
    frame[ID_COLUMN] = pd.Categorical.from_codes(frame[ID_COLUMN], names)
    for column, levels in (
        ("domain", DOMAINS),
        ("region", REGIONS),
        ("category", CATEGORIES),
        ("event", EVENTS),
    ):
        frame[column] = pd.Categorical.from_codes(frame[column], levels)
    return frame


def _write_part(directory, number, start, stop, seed):
    """Writes series `start .. stop - 1` as `part-NUMBER.parquet`; its rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = generate_panel_chunk(start, stop, seed)
    # Series ids as plain strings in the file (dictionary-encoded by
    # Parquet); each file's categories would otherwise differ.
    frame[ID_COLUMN] = frame[ID_COLUMN].astype(str)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    path = Path(directory) / f"part-{number:04d}.parquet"
    pq.write_table(table, path.with_suffix(".tmp"), row_group_size=1 << 17)
    os.replace(path.with_suffix(".tmp"), path)
    return len(frame)


def write_panel(directory, num_series, seed=0, jobs=1):
    """Writes the panel as Parquet files of `SERIES_PER_FILE` series each.

    Skips the work when `directory` already holds this panel (a
    `_panel.json` with the same size, seed and generator version).

    Args:
        jobs: processes writing files at once (the files are independent).

    Returns:
        the panel's description (`_panel.json`): series, rows, files, bytes.
    """
    directory = Path(directory)
    manifest = directory / "_panel.json"  # "_": not read as data
    if manifest.is_file():
        described = json.loads(manifest.read_text())
        if (described["num_series"], described["seed"], described.get("version")) == (
            num_series,
            seed,
            PANEL_VERSION,
        ):
            return described
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.parquet"):
        old.unlink()
    started = time.perf_counter()
    parts = [
        (directory, number, start, min(start + SERIES_PER_FILE, num_series), seed)
        for number, start in enumerate(range(0, num_series, SERIES_PER_FILE))
    ]
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(jobs, len(parts))) as pool:
            rows = sum(pool.map(_write_part, *zip(*parts, strict=True)))
    else:
        rows = sum(_write_part(*part) for part in parts)
    described = {
        "num_series": num_series,
        "seed": seed,
        "version": PANEL_VERSION,
        "rows": rows,
        "files": len(parts),
        "parquet_bytes": sum(p.stat().st_size for p in directory.glob("*.parquet")),
        "seconds": time.perf_counter() - started,
    }
    manifest.write_text(json.dumps(described, indent=2))
    return described


def read_panel(directory):
    """The whole panel as one pandas DataFrame (the in-memory raw table)."""
    import pyarrow.dataset as ds

    table = ds.dataset(str(directory), format="parquet").to_table()
    frame = table.to_pandas(strings_to_categorical=True)
    del table
    release_memory()
    for column in ("domain", "region", "category", "event"):
        frame[column] = frame[column].astype("category")
    return frame


def read_panel_file(path):
    """One Parquet file of the panel as a DataFrame, typed as `read_panel`."""
    import pyarrow.parquet as pq

    frame = pq.read_table(path).to_pandas(strings_to_categorical=True)
    for column in ("domain", "region", "category", "event"):
        frame[column] = frame[column].astype("category")
    return frame


def release_memory():
    """Returns freed heap memory to the system, so RSS shows what is held."""
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except ImportError:
        pass
    with contextlib.suppress(OSError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def memory_mb():
    """Current (VmRSS) and peak (VmHWM) resident memory, in MB (Linux)."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, amount, _ = line.split()
                values[key[:-1]] = int(amount) / 1024.0
    return values["VmRSS"], values["VmHWM"]


def reset_peak():
    """Resets VmHWM to the current RSS (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
        handle.write("5")


def table_mb(frame):
    """Bytes the raw table holds in memory (pandas, deep), in MB."""
    return float(frame.memory_usage(deep=True).sum()) / MB


# Settings both implementations train with (`panel.py`): equivalent
# windows, widths, loss, optimizer and batch.
LOOKBACK = 56
HORIZON = 14
VALIDATION_STEPS = 28  # the last 4 weeks: validation; everything before: training
BATCH_SIZE = 128
HIDDEN = 32
NUM_HEADS = 4
DROPOUT = 0.1
QUANTILES = (0.1, 0.5, 0.9)
LEARNING_RATE = 1e-3
CALENDAR = ("day_of_week", "day_of_year")

FIGURE_PREFIX = "PANEL-FIGURES "


def emit(**figures):
    """Hands figures to the parent at once (one JSON line on stdout), so a
    child that fails or is stopped later keeps what it measured."""
    figures["peak_rss_mb"] = memory_mb()[1]
    print(FIGURE_PREFIX + json.dumps(figures), flush=True)


def calendar_columns(dates):
    """The calendar features of `CALENDAR` as sin/cos columns (pandas only;
    the same formulas as `base_attentive.data.calendar`)."""
    dates = pd.DatetimeIndex(dates)
    day_of_week = dates.dayofweek.to_numpy() / 7.0
    day_of_year = (dates.dayofyear.to_numpy() - 1) / (365.0 + dates.is_leap_year)
    columns = {}
    for name, phase in (("day_of_week", day_of_week), ("day_of_year", day_of_year)):
        columns[f"{name}_sin"] = np.sin(2 * np.pi * phase).astype(np.float32)
        columns[f"{name}_cos"] = np.cos(2 * np.pi * phase).astype(np.float32)
    return columns
