"""Plots render to real image files: each is saved as PNG and opened with
Pillow, which must see a non-empty, non-blank picture."""

import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

from base_attentive import plotting  # noqa: E402


def _assert_valid_png(path):
    assert path.stat().st_size > 0
    with Image.open(path) as image:
        image.verify()  # a complete, well-formed PNG
    with Image.open(path) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert width > 100 and height > 100
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is None or len(colours) > 1, "the image is blank"


@pytest.fixture
def explanation(rng):
    """Shaped like `BaseAttentive.explain` output (B=4, T=10, H=5)."""

    def softmax(shape):
        weights = rng.random(shape)
        return weights / weights.sum(axis=-1, keepdims=True)

    return {
        "variable_selection": {
            "static": softmax((4, 3)),
            "dynamic": softmax((4, 10, 2)),
            "future": softmax((4, 5, 4)),
        },
        "attention": {"cross": softmax((4, 5, 10)), "memory": softmax((4, 5, 8))},
    }


def test_forecast_fan_chart_renders_history_bands_and_actuals(tmp_path, rng):
    time = np.arange("2020-01-15", "2020-01-29", dtype="datetime64[D]")
    center = 10.0 + rng.normal(size=14).cumsum()
    forecast = center[:, None] + np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    path = tmp_path / "forecast.png"
    figure = plotting.plot_forecast(
        time,
        forecast,
        [0.05, 0.25, 0.5, 0.75, 0.95],
        actual=center + rng.normal(size=14),
        history_time=np.arange("2019-12-20", "2020-01-15", dtype="datetime64[D]"),
        history=10.0 + rng.normal(size=26),
        title="station A",
        path=path,
    )
    _assert_valid_png(path)
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels == [
        "history",
        "90% interval",
        "50% interval",
        "median",
        "actual",
    ]


def test_forecast_point_forecast_without_quantiles(tmp_path):
    path = tmp_path / "point.png"
    plotting.plot_forecast(np.arange(7), np.linspace(0.0, 1.0, 7), path=path)
    _assert_valid_png(path)


def test_forecast_rejects_quantiles_that_do_not_match(tmp_path):
    with pytest.raises(ValueError, match="3 quantile columns but `quantiles` has 2"):
        plotting.plot_forecast(np.arange(4), np.zeros((4, 3)), [0.1, 0.9])
    with pytest.raises(ValueError, match="needs its `quantiles`"):
        plotting.plot_forecast(np.arange(4), np.zeros((4, 3)))


def test_variable_importance_averages_weights_and_names_features(tmp_path, explanation):
    path = tmp_path / "importance.png"
    names = {
        "static": ["a", "b", "c"],
        "dynamic": ["rides", "temp"],
        "future": ["f1", "f2", "f3", "f4"],
    }
    figure = plotting.plot_variable_importance(explanation, names, path=path)
    _assert_valid_png(path)
    static_axes = figure.axes[0]
    bars = sorted(bar.get_width() for bar in static_axes.patches)
    expected = explanation["variable_selection"]["static"].mean(axis=0)
    np.testing.assert_allclose(bars, np.sort(expected))
    tick_labels = {tick.get_text() for tick in static_axes.get_yticklabels()}
    assert tick_labels == {"a", "b", "c"}


def test_variable_importance_without_selection_weights_is_an_error():
    with pytest.raises(ValueError, match="no variable-selection weights"):
        plotting.plot_variable_importance({"variable_selection": {}})


def test_attention_heat_map_of_a_chosen_level(tmp_path, explanation):
    path = tmp_path / "attention.png"
    figure = plotting.plot_attention(
        explanation, "memory", position_labels=list(range(-8, 0)), path=path
    )
    _assert_valid_png(path)
    image = figure.axes[0].get_images()[0].get_array()
    np.testing.assert_allclose(image, explanation["attention"]["memory"].mean(axis=0))
    with pytest.raises(ValueError, match="must be one of the levels present"):
        plotting.plot_attention(explanation, "hierarchical")


def test_history_plot_marks_the_best_validation_epoch(tmp_path):
    path = tmp_path / "history.png"
    figure = plotting.plot_history(
        {"loss": [1.0, 0.6, 0.5, 0.45], "val_loss": [1.1, 0.7, 0.8, 0.9]},
        path=path,
    )
    _assert_valid_png(path)
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels == ["loss", "val_loss", "best val_loss"]
    best_line = figure.axes[0].lines[-1]
    assert list(best_line.get_xdata()) == [2, 2]


def test_missing_matplotlib_names_the_pip_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"base-attentive\[plot\]"):
        plotting.plot_history({"loss": [1.0]})


def test_importing_plotting_does_not_import_matplotlib():
    import subprocess

    code = "import sys, base_attentive.plotting; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
