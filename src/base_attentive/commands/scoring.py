"""How the commands show a metrics table of `Forecaster.evaluate`: the
printed table, the Markdown table of `report.md` and `metrics.json`."""

from __future__ import annotations

import numpy as np

from base_attentive.evaluation import HEADLINE, coverage_column

# The printed names of the forecasts of `Forecaster.evaluate`.
MODEL, BASELINE = "model", "seasonal_naive"


def forecast_name(forecast, season):
    """The name of a forecast in tables."""
    if forecast == MODEL:
        return "base-attentive"
    return f"seasonal naive (season {season})"


def overall(table, forecast):
    """The `horizon_step == "all"` row of one forecast, as a dict."""
    row = table[(table["forecast"] == forecast) & (table["horizon_step"] == "all")]
    result = row.drop(columns=["forecast", "horizon_step"]).iloc[0].to_dict()
    return {key: float(value) for key, value in result.items()}


def per_horizon(table, forecast, metric):
    """One metric of one forecast per horizon step, as a list."""
    rows = table[(table["forecast"] == forecast) & (table["horizon_step"] != "all")]
    return [float(value) for value in rows[metric]]


def _headers_and_cells(table, season):
    cover = coverage_column(table.columns)
    headers = ["forecast"]
    keys = []
    for key in HEADLINE:
        if key == "coverage@":
            if cover is None:
                continue
            headers.append(f"{cover.split('@')[1]} coverage")
            keys.append(cover)
        else:
            headers.append(
                {"mae": "MAE", "mase": "MASE"}.get(key, key.replace("_", " "))
            )
            keys.append(key)
    rows = []
    for forecast in (MODEL, BASELINE):
        result = overall(table, forecast)
        cells = [forecast_name(forecast, season)]
        for key in keys:
            value = result.get(key, float("nan"))
            if not np.isfinite(value):
                cells.append("n/a")
            else:
                cells.append(f"{value:.1%}" if "@" in key else f"{value:.4g}")
        rows.append(cells)
    return headers, rows


def format_table(table, season):
    """The printed metrics table of the model and the baseline.

    Args:
        table: the output of `Forecaster.evaluate`.
        season: the baseline's season (for its name).

    Returns:
        str, one line per forecast under a header.
    """
    headers, rows = _headers_and_cells(table, season)
    lines = [headers] + rows
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    text = []
    for index, line in enumerate(lines):
        text.append(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            )
        )
        if index == 0:
            text.append("  ".join("-" * width for width in widths))
    return "\n".join(text)


def markdown_table(headers, rows):
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join(" --- " for _ in headers) + "|")
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def metrics_markdown(table, season):
    """The metrics table of `report.md`."""
    return markdown_table(*_headers_and_cells(table, season))


def metrics_document(table, season, quantiles, period, windows):
    """The content of `metrics.json`: overall metrics of the model and the
    baseline, with the MAE and mean quantile loss per horizon step."""

    def entry(forecast):
        return {
            **overall(table, forecast),
            "per_horizon": {
                metric: per_horizon(table, forecast, metric)
                for metric in ("mae", "mean_quantile_loss")
            },
        }

    return {
        "test_period": period,
        "windows": windows,
        "quantiles": list(quantiles),
        "model": entry(MODEL),
        "baseline": {"name": f"seasonal_naive_{season}", **entry(BASELINE)},
    }
