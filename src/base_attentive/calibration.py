"""Split-conformal recalibration of quantile intervals (NumPy only).

Conformalized Quantile Regression (CQR, Romano, Patterson and Candes, 2019)
applied to every symmetric central interval `(q, 1 - q)` of a quantile
forecast, separately for each horizon step and target:

1. On a held-out calibration (validation) split with targets `y` and
   forecasts `lo = y_hat_q`, `hi = y_hat_{1-q}`, the conformity score of a
   window is `E = max(lo - y, y - hi)` (negative when `y` is inside, by how
   far; positive when outside).
2. With `n` scores and nominal miscoverage `alpha = 2 q`, the correction is
   `c = E_(k)`, the `k`-th smallest score, `k = ceil((n + 1)(1 - alpha))`
   (the finite-sample correction that gives coverage `>= 1 - alpha` for
   exchangeable data).
3. `adjust` returns `[lo - c, hi + c]`: wider when the raw intervals
   under-cover (`c > 0`), narrower when they over-cover (`c < 0`).

Quantile order: levels without a symmetric partner and the median (0.5) are
not shifted. After shifting, the order is restored from the centre outward:
each lower level becomes `min(itself, the next level toward the centre)` and
each upper level `max(itself, the previous one)`, the median (when present)
anchoring both chains; without a median, an innermost pair that crossed is
set to its midpoint. The result is non-decreasing along the quantile axis
and the median is unchanged.

Caveat: the guarantee assumes calibration and test windows are
exchangeable; overlapping windows of one time series are not, so treat the
coverage as approximate and calibrate on recent data.

Example:

```python
import numpy as np
from base_attentive.calibration import ConformalQuantileCalibrator

rng = np.random.default_rng(0)
y_val = rng.normal(0, 2, (500, 3, 1))  # forecasts assume scale 1: too narrow
q_val = np.broadcast_to(np.array([-1.28, 0.0, 1.28])[:, None], (500, 3, 3, 1))
calibrator = ConformalQuantileCalibrator([0.1, 0.5, 0.9]).fit(y_val, q_val)
calibrated = calibrator.adjust(q_val)  # the 80% interval widens to about +-2.56
```

Reference:
    Romano, Patterson, Candes (2019). Conformalized quantile regression.
    NeurIPS 32.
"""

from __future__ import annotations

import math

import numpy as np

from base_attentive.metrics import _as_array, _quantile_forecast, interval_coverage
from base_attentive.quantiles import central_intervals, find_median, validate_quantiles

__all__ = [
    "ConformalQuantileCalibrator",
    "calibrate_on_windows",
    "check_calibration_size",
]

_FORMAT_VERSION = 1


class ConformalQuantileCalibrator:
    """Split-conformal (CQR) recalibration of central quantile intervals.

    Args:
        quantiles: the forecast's levels, strictly increasing in (0, 1); at
            least one symmetric pair `(q, 1 - q)` is required.
        per_horizon: one correction per horizon step (`True`) or one shared
            by all steps (`False`, pools `H` times more scores). Defaults to
            `True`.
        per_target: one correction per target (`True`) or shared (`False`).
            Defaults to `True`.

    Attributes:
        intervals: list of `(lower_level, upper_level, nominal_coverage)`.
        corrections: after `fit`, array `(num_intervals, H or 1, O or 1)`.
        num_calibration: number of scores behind each correction.

    Example: see the module docstring.
    """

    def __init__(self, quantiles, per_horizon=True, per_target=True):
        self.quantiles = [float(q) for q in validate_quantiles(quantiles)]
        for name, value in (("per_horizon", per_horizon), ("per_target", per_target)):
            if not isinstance(value, bool | np.bool_):
                raise TypeError(f"`{name}` must be a bool. Received: {name}={value!r}")
        self.per_horizon = bool(per_horizon)
        self.per_target = bool(per_target)
        self._pairs = central_intervals(self.quantiles)
        if not self._pairs:
            raise ValueError(
                "Conformal recalibration needs at least one symmetric pair of "
                "levels (q, 1 - q), e.g. 0.1 and 0.9. Received: "
                f"quantiles={self.quantiles}"
            )
        self.intervals = [
            (self.quantiles[low], self.quantiles[high], nominal)
            for low, high, nominal in self._pairs
        ]
        self.corrections = None
        self.num_calibration = None
        self.horizon = None
        self.num_targets = None

    # ----------------------------------------------------------------------
    def _check_forecast(self, y_quantiles, fitting=False):
        """Validates `(B, H, Q, O)` forecasts (and the fitted H, O)."""
        y_quantiles = _as_array(y_quantiles, "y_quantiles")
        q = len(self.quantiles)
        if y_quantiles.ndim != 4 or y_quantiles.shape[2] != q:
            raise ValueError(
                f"`y_quantiles` must have shape (batch, horizon, {q}, targets) "
                f"for quantiles={self.quantiles}. Received: "
                f"y_quantiles.shape={y_quantiles.shape}"
            )
        if self.corrections is not None and not fitting:
            received = (y_quantiles.shape[1], y_quantiles.shape[3])
            if received != (self.horizon, self.num_targets):
                raise ValueError(
                    "`y_quantiles` must have the horizon and number of "
                    "targets the calibrator was fitted on: "
                    f"(horizon, targets)=({self.horizon}, {self.num_targets}). "
                    f"Received: y_quantiles.shape={y_quantiles.shape}"
                )
        return y_quantiles

    def _pool(self, scores):
        """`(B, H, O)` scores -> `(n, H or 1, O or 1)`."""
        if not self.per_horizon:
            scores = np.moveaxis(scores, 1, 0).reshape(-1, 1, scores.shape[2])
        if not self.per_target:
            scores = np.moveaxis(scores, 2, 0).reshape(-1, scores.shape[1], 1)
        return scores

    def fit(self, y_true, y_quantiles):
        """Computes the corrections on a calibration split.

        Args:
            y_true: calibration targets `(B, H, O)`; NaN marks a missing
                target (`missing="mask"`), left out of its cell's scores.
            y_quantiles: the model's quantile forecasts for them,
                `(B, H, Q, O)`.

        Returns:
            `self`.

        Raises:
            ValueError: on mismatched shapes, or when there are too few
                calibration scores for an interval: `k = ceil((n + 1)
                (1 - alpha))` must not exceed `n`, i.e. `n >= 1 / alpha - 1`.
        """
        y_quantiles = self._check_forecast(y_quantiles, fitting=True)
        missing = _missing_targets(y_true)
        if missing is not None:
            y_true = np.where(missing, 0.0, y_true)
        y_true, y_quantiles, _ = _quantile_forecast(y_true, y_quantiles, self.quantiles)
        corrections = []
        for (low, high, nominal), levels in zip(
            self._pairs, self.intervals, strict=True
        ):
            scores = np.maximum(
                y_quantiles[:, :, low, :] - y_true, y_true - y_quantiles[:, :, high, :]
            )
            if missing is not None:
                scores = np.where(missing, np.nan, scores)
            scores = np.sort(self._pool(scores), axis=0)  # NaN sorted last
            counts = np.count_nonzero(~np.isnan(scores), axis=0)  # per cell
            ranks = np.ceil((counts + 1) * nominal - 1e-9).astype(np.int64)
            count = int(counts.min())
            if (ranks > counts).any():
                raise ValueError(
                    f"Too few calibration scores for the {100 * nominal:g}% "
                    f"interval ({levels[0]:g}, {levels[1]:g}): the conformal "
                    f"quantile needs n >= {math.ceil(nominal / (1 - nominal) - 1e-9)} "
                    f"scores per cell. Received: n={count} (batch "
                    f"{y_true.shape[0]}, per_horizon={self.per_horizon}, "
                    f"per_target={self.per_target}); use more validation "
                    "windows, per_horizon=False, or drop that level"
                )
            index = np.maximum(ranks, 1) - 1
            corrections.append(np.take_along_axis(scores, index[None], axis=0)[0])
        self.corrections = np.stack(corrections)
        self.num_calibration = int(count)
        self.horizon, self.num_targets = y_true.shape[1], y_true.shape[2]
        return self

    def adjust(self, y_quantiles):
        """Applies the corrections to quantile forecasts.

        Args:
            y_quantiles: forecasts `(B, H, Q, O)` with the fitted H and O.

        Returns:
            `np.ndarray` `(B, H, Q, O)`: recalibrated, non-decreasing along
            the quantile axis, the median level unchanged.
        """
        if self.corrections is None:
            raise ValueError(
                "This ConformalQuantileCalibrator is not fitted yet. Call "
                "`fit(y_val, y_quantiles_val)` (or `from_dict`) before `adjust`."
            )
        adjusted = np.array(self._check_forecast(y_quantiles), copy=True)
        for (low, high, _), correction in zip(
            self._pairs, self.corrections, strict=True
        ):
            adjusted[:, :, low, :] -= correction
            adjusted[:, :, high, :] += correction
        return self._restore_order(adjusted)

    def _restore_order(self, values):
        """Makes levels non-decreasing from the centre outward (see module)."""
        levels = np.asarray(self.quantiles)
        median = find_median(levels)
        below = np.array(
            [i for i in range(levels.size) if levels[i] < 0.5 and i != median]
        )
        above = np.array(
            [i for i in range(levels.size) if levels[i] > 0.5 and i != median]
        )
        if median is not None:
            anchor_low = anchor_high = values[:, :, median, :]
        elif below.size and above.size:
            inner_low, inner_high = (
                values[:, :, below[-1], :],
                values[:, :, above[0], :],
            )
            middle = 0.5 * (inner_low + inner_high)
            crossed = inner_low > inner_high
            values[:, :, below[-1], :] = np.where(crossed, middle, inner_low)
            values[:, :, above[0], :] = np.where(crossed, middle, inner_high)
            anchor_low, anchor_high = (
                values[:, :, below[-1], :],
                values[:, :, above[0], :],
            )
        else:
            anchor_low = anchor_high = None
        for index in below[::-1]:
            if anchor_low is not None:
                values[:, :, index, :] = np.minimum(values[:, :, index, :], anchor_low)
            anchor_low = values[:, :, index, :]
        for index in above:
            if anchor_high is not None:
                values[:, :, index, :] = np.maximum(values[:, :, index, :], anchor_high)
            anchor_high = values[:, :, index, :]
        return values

    # ----------------------------------------------------------------------
    def to_dict(self):
        """A JSON-serialisable description (arguments and fitted state)."""
        fitted = self.corrections is not None
        return {
            "format_version": _FORMAT_VERSION,
            "quantiles": list(self.quantiles),
            "per_horizon": self.per_horizon,
            "per_target": self.per_target,
            "corrections": self.corrections.tolist() if fitted else None,
            "num_calibration": self.num_calibration,
            "horizon": self.horizon,
            "num_targets": self.num_targets,
        }

    @classmethod
    def from_dict(cls, config):
        """Rebuilds a calibrator from `to_dict()` output.

        Args:
            config: the dict returned by `to_dict` (e.g. after a JSON round
                trip).

        Returns:
            A `ConformalQuantileCalibrator`, fitted if `config` was.
        """
        if not isinstance(config, dict):
            raise TypeError(
                "`config` must be the dict returned by `to_dict()`. "
                f"Received: type {type(config).__name__}"
            )
        version = config.get("format_version")
        if version != _FORMAT_VERSION:
            raise ValueError(
                f"`config['format_version']` must be {_FORMAT_VERSION}. "
                f"Received: format_version={version!r}"
            )
        calibrator = cls(
            config["quantiles"],
            per_horizon=config["per_horizon"],
            per_target=config["per_target"],
        )
        if config.get("corrections") is None:
            return calibrator
        corrections = np.asarray(config["corrections"], dtype=np.float64)
        horizon, targets = int(config["horizon"]), int(config["num_targets"])
        expected = (
            len(calibrator._pairs),
            horizon if calibrator.per_horizon else 1,
            targets if calibrator.per_target else 1,
        )
        if corrections.shape != expected:
            raise ValueError(
                f"`config['corrections']` must have shape {expected} for these "
                f"quantiles, horizon and targets. Received: shape "
                f"{corrections.shape}"
            )
        calibrator.corrections = corrections
        calibrator.num_calibration = int(config["num_calibration"])
        calibrator.horizon, calibrator.num_targets = horizon, targets
        return calibrator


def check_calibration_size(quantiles, count):
    """Raises unless `count` calibration windows can calibrate every interval.

    Split-conformal calibration of a `1 - alpha` interval needs at least
    `(1 - alpha) / alpha` calibration scores (else the correction is the
    largest score, with no coverage guarantee left).

    Args:
        quantiles: the levels.
        count: the number of calibration (validation) windows.

    Raises:
        ValueError: naming the interval and the number of windows needed.
    """
    for _, _, nominal in central_intervals(quantiles):
        needed = math.ceil(nominal / (1.0 - nominal) - 1e-9)
        if count < needed:
            raise ValueError(
                f"Recalibrating the {100 * nominal:g}% interval needs at least "
                f"{needed} validation windows. Received: {count}. Use a longer "
                "validation period, or turn calibration off (`calibrate=False`, "
                "`--calibrate no`)."
            )


def calibrate_on_windows(model, windows, quantiles):
    """Fits a calibrator on the forecasts of `model` for `windows`.

    Args:
        model: a trained quantile model (anything with `predict(windows)`).
        windows: the validation `WindowDataset` (not shuffled), with targets.
        quantiles: the model's levels.

    Returns:
        `(calibrator, summary)`: the fitted `ConformalQuantileCalibrator`
        and a JSON-ready dict with the number of windows and each interval's
        coverage there before recalibration.
    """
    scaled = model.predict(windows, verbose=0)
    y_true = windows.materialize()[1]
    calibrator = ConformalQuantileCalibrator(quantiles).fit(y_true, scaled)
    summary = {"applied": True, "windows": windows.num_windows}
    observed = ~np.isnan(y_true)  # missing targets (missing="mask") left out
    for low, high, nominal in central_intervals(quantiles):
        summary[f"validation_coverage@{100 * nominal:g}%"] = interval_coverage(
            y_true[observed], scaled[:, :, low][observed], scaled[:, :, high][observed]
        )
    return calibrator, summary


def _missing_targets(y_true):
    """Where `y_true` is NaN (a missing target), or None when nothing is (or
    when it is not numeric: `_quantile_forecast` reports that)."""
    try:
        missing = np.isnan(np.asarray(y_true, dtype=np.float64))
    except (TypeError, ValueError):
        return None
    return missing if missing.any() else None
