"""Calibration proof (issue 5): trained briefly on data with known
heteroscedastic noise, a quantile model and a Student-t model cover the 80%
interval at 0.70..0.90 on held-out data, and their interval widths track the
true noise scale.

By design this training test runs on one backend (JAX, where it takes well
under a minute); ``benchmarks/calibration.py`` runs the same check on all
three backends.
"""

import keras
import pytest
from benchmarks.calibration import HEADS, calibration_check

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="training-based calibration check runs on JAX in the unit suite; "
    "all backends: benchmarks/calibration.py",
)


@pytest.mark.parametrize("head", list(HEADS))
def test_trained_intervals_are_calibrated_and_track_the_noise(head):
    result = calibration_check(head)
    assert 0.70 <= result["coverage_80"] <= 0.90, result
    assert result["width_scale_corr"] > 0.5, result
