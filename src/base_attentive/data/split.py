"""Chronological train / validation / test split by time, never by row."""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np
import pandas as pd

from base_attentive.data.validation import format_time

PARTS = ("train", "validation", "test", "all")


def to_datetime64_ns(value):
    """One time-zone-naive timestamp as `numpy.datetime64` in nanoseconds."""
    timestamp = pd.Timestamp(value)
    if timestamp.tzinfo is not None:
        timestamp = timestamp.tz_localize(None)
    return timestamp.as_unit("ns").to_datetime64()


@dataclasses.dataclass(frozen=True)
class ChronologicalSplit:
    """Cuts the common time axis into train, validation and test periods.

    Each boundary is one of:
    - a float in (0, 1): that fraction of the distinct time steps of the
      frame (all series together), taken from the end;
    - an int >= 1: the last N distinct time steps;
    - a date (str, `datetime`, `pandas.Timestamp`): the first time step of
      that part.

    The test part is the last period and the validation part the period just
    before it; either may be `None` (no such part). A window belongs to a
    part when **all** its target steps fall inside that period; windows whose
    targets straddle a boundary belong to no part. Lookback rows may come
    from an earlier period (that is context, not leakage), but no target of
    a validation or test window is ever a training target, and scalers are
    fitted on the rows before the first boundary only.

    Args:
        validation: start of the validation period (see above), or `None`.
        test: start of the test period (see above), or `None`.

    Example:

    >>> split = ChronologicalSplit(validation=0.15, test="2015-01-01")
    """

    validation: float | int | str | pd.Timestamp | None = None
    test: float | int | str | pd.Timestamp | None = None

    def __post_init__(self):
        for name in ("validation", "test"):
            value = getattr(self, name)
            if value is None or isinstance(value, str | pd.Timestamp | np.datetime64):
                continue
            if hasattr(value, "year") and hasattr(value, "month"):
                continue  # datetime.date / datetime.datetime
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(
                    f"`{name}` must be a fraction, a number of steps, a date or "
                    f"None. Received: {name}={value!r}"
                )
            if isinstance(value, numbers.Integral):
                if value < 1:
                    raise ValueError(
                        f"`{name}` as a number of steps must be >= 1. Received: "
                        f"{name}={value}"
                    )
            elif not 0.0 < value < 1.0:
                raise ValueError(
                    f"`{name}` as a fraction must be in (0, 1). Received: "
                    f"{name}={value}"
                )

    def resolve(self, timeline):
        """Turns the boundaries into cut timestamps on a given time axis.

        Args:
            timeline: sorted distinct `datetime64[ns]` time steps.

        Returns:
            `SplitBoundaries`.

        Raises:
            ValueError: if the periods are out of order or leave the training
                period empty.
        """
        timeline = np.asarray(timeline, dtype="datetime64[ns]")
        num_steps = len(timeline)
        test_start, test_steps = self._cut(self.test, timeline, num_steps)
        validation_start, _ = self._cut(
            self.validation, timeline, num_steps, end_steps=test_steps
        )
        if (
            validation_start is not None
            and test_start is not None
            and not validation_start < test_start
        ):
            raise ValueError(
                "The validation period must start before the test period. "
                f"Received: validation starts {format_time(validation_start)}, "
                f"test starts {format_time(test_start)}"
            )
        first_cut = validation_start if validation_start is not None else test_start
        if first_cut is not None and not first_cut > timeline[0]:
            raise ValueError(
                "The split leaves no training period: the first cut "
                f"{format_time(first_cut)} is at or before the first time step "
                f"{format_time(timeline[0])}. Received: {self}"
            )
        return SplitBoundaries(validation_start, test_start)

    @staticmethod
    def _cut(value, timeline, num_steps, end_steps=0):
        """Start time of a period and the number of steps from it to the end."""
        if value is None:
            return None, end_steps
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            steps = (
                int(value)
                if isinstance(value, numbers.Integral)
                else max(1, round(num_steps * value))
            )
            position = num_steps - end_steps - steps
            if position < 1:
                raise ValueError(
                    f"The split asks for {steps} step(s) (boundary {value!r}) "
                    f"but only {num_steps - end_steps} step(s) precede it, "
                    "leaving no training period."
                )
            return timeline[position], num_steps - position
        start = to_datetime64_ns(value)
        position = int(np.searchsorted(timeline, start))
        if position >= num_steps:
            raise ValueError(
                f"The split boundary {value!r} is after the last time step "
                f"{format_time(timeline[-1])}."
            )
        return timeline[position], num_steps - position


@dataclasses.dataclass(frozen=True)
class SplitBoundaries:
    """Resolved cut timestamps (`datetime64[ns]` or `None`)."""

    validation_start: np.datetime64 | None = None
    test_start: np.datetime64 | None = None

    @property
    def train_end(self):
        """Exclusive end of the training period (`None`: no cut)."""
        if self.validation_start is not None:
            return self.validation_start
        return self.test_start

    def window_mask(self, part, first_target_times, last_target_times):
        """Boolean mask of the windows whose targets lie inside `part`.

        Args:
            part: one of `"train"`, `"validation"`, `"test"`, `"all"`.
            first_target_times: `datetime64[ns]` array, first target step of
                each window.
            last_target_times: the last target step of each window.

        Returns:
            bool array, one entry per window.
        """
        if part not in PARTS:
            raise ValueError(f"`part` must be one of {list(PARTS)}. Received: {part!r}")
        mask = np.ones(len(first_target_times), dtype=bool)
        if part == "all":
            return mask
        if part == "train":
            if self.train_end is not None:
                mask &= last_target_times < self.train_end
            return mask
        start = self.validation_start if part == "validation" else self.test_start
        if start is None:
            raise ValueError(
                f"The split has no {part} period. Pass "
                f"`split=ChronologicalSplit({part}=...)` to `ForecastDataset.fit`."
            )
        mask &= first_target_times >= start
        if part == "validation" and self.test_start is not None:
            mask &= last_target_times < self.test_start
        return mask

    def to_dict(self):
        return {
            name: None if value is None else str(pd.Timestamp(value))
            for name, value in dataclasses.asdict(self).items()
        }

    @classmethod
    def from_dict(cls, state):
        return cls(
            **{
                name: None if value is None else to_datetime64_ns(value)
                for name, value in state.items()
            }
        )
