"""From a long pandas DataFrame to `BaseAttentive` inputs, lazily, and back.

Importing this package imports NumPy and pandas only: the Keras
`PyDataset` subclass lives in `base_attentive.data.windows`, imported when
`ForecastDataset.windows()` is first called.

Public API:
- `DatasetSpec`: column roles, lookback / horizon, scaling and data policies.
- `ChronologicalSplit`: train / validation / test periods by time.
- `ForecastDataset`: fit on a frame, serve lazy windows, map forecasts back
  to a DataFrame, save / load as JSON.
- `ParquetForecastDataset`: the same over a directory of Parquet files
  larger than memory, read one group of series at a time.
- `load_chicago_ridership`, `chicago_ridership_spec`: the bundled dataset
  and its default roles.
- `SeriesScaler`, `Vocabulary`, `calendar_features`: the building blocks.
- `WindowSharding`: a process's share of the windows in data-parallel
  training (see `base_attentive.distributed`).
"""

from base_attentive.data.calendar import (
    CALENDAR_FEATURES,
    calendar_feature_names,
    calendar_features,
)
from base_attentive.data.chicago import chicago_ridership_spec, load_chicago_ridership
from base_attentive.data.dataset import ForecastDataset
from base_attentive.data.forecast_frame import quantile_column_name
from base_attentive.data.parquet_dataset import ParquetForecastDataset
from base_attentive.data.scaling import SeriesScaler
from base_attentive.data.sharding import WindowSharding
from base_attentive.data.spec import DatasetSpec
from base_attentive.data.split import ChronologicalSplit
from base_attentive.data.vocabulary import Vocabulary

__all__ = [
    "CALENDAR_FEATURES",
    "ChronologicalSplit",
    "DatasetSpec",
    "ForecastDataset",
    "ParquetForecastDataset",
    "SeriesScaler",
    "Vocabulary",
    "WindowSharding",
    "calendar_feature_names",
    "calendar_features",
    "chicago_ridership_spec",
    "load_chicago_ridership",
    "quantile_column_name",
]
