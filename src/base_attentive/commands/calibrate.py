"""Split-conformal recalibration of the model's quantile intervals on the
validation windows (`base_attentive.calibration`), in scaled units: one
correction per central interval and horizon step, pooled over series (each
series is standardised, so the corrections are comparable)."""

from __future__ import annotations

import math

from base_attentive.metrics import central_intervals, interval_coverage


def check_calibration_windows(quantiles, count):
    """Split-conformal calibration of a `1 - alpha` interval needs at least
    `(1 - alpha) / alpha` validation windows; checked before training."""
    for _, _, nominal in central_intervals(quantiles):
        needed = math.ceil(nominal / (1.0 - nominal) - 1e-9)
        if count < needed:
            raise ValueError(
                f"--calibrate needs at least {needed} validation windows for the "
                f"{100 * nominal:g}% interval. Received: {count}. Use a longer "
                "--validation period, or --calibrate no."
            )


def fit_calibrator(model, validation, quantiles):
    """Fits a `ConformalQuantileCalibrator` on the validation windows.

    Args:
        model: the trained model (quantile head).
        validation: the validation `WindowDataset` (not shuffled).
        quantiles: the levels.

    Returns:
        `(calibrator, summary)`: the fitted calibrator and a JSON-ready dict
        with the number of windows and each interval's validation coverage
        before recalibration.
    """
    from base_attentive.calibration import ConformalQuantileCalibrator

    scaled = model.predict(validation, verbose=0)
    y_true = validation.materialize()[1]
    calibrator = ConformalQuantileCalibrator(quantiles).fit(y_true, scaled)
    summary = {"applied": True, "windows": validation.num_windows}
    for low, high, nominal in central_intervals(quantiles):
        summary[f"validation_coverage@{100 * nominal:g}%"] = interval_coverage(
            y_true, scaled[:, :, low], scaled[:, :, high]
        )
    return calibrator, summary
