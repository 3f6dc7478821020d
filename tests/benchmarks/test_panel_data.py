"""The synthetic panel of `benchmarks/panel.py`: deterministic, in the
shape it promises (different lengths, intermittent and seasonal series,
every role), and the same whether written by one process or several."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import panel_data  # noqa: E402


def test_a_series_is_the_same_whatever_chunk_it_is_generated_in():
    alone = panel_data.generate_panel_chunk(5, 6)
    among = panel_data.generate_panel_chunk(3, 8)
    among = among[among[panel_data.ID_COLUMN] == "s000005"].reset_index(drop=True)
    alone[panel_data.ID_COLUMN] = alone[panel_data.ID_COLUMN].astype(str)
    among[panel_data.ID_COLUMN] = among[panel_data.ID_COLUMN].astype(str)
    pd.testing.assert_frame_equal(alone, among)


def test_the_panel_has_every_role_and_the_promised_shape():
    frame = panel_data.generate_panel_chunk(0, 60)
    lengths = frame.groupby(panel_data.ID_COLUMN, observed=True).size()
    assert lengths.between(panel_data.MIN_LENGTH, panel_data.DAYS).all()
    assert lengths.nunique() > 10  # different lengths
    ends = frame.groupby(panel_data.ID_COLUMN, observed=True)[
        panel_data.TIME_COLUMN
    ].max()
    assert (ends == panel_data.END_DATE).all()
    domains = frame.groupby("domain", observed=True)[panel_data.TARGET_COLUMN]
    assert (domains.get_group("retail") == 0).mean() > 0.2  # intermittent
    assert (domains.get_group("energy") > 0).mean() > 0.95  # seasonal loads
    for column in (
        *panel_data.STATIC_NUMERIC,
        *panel_data.STATIC_CATEGORICAL,
        *panel_data.PAST_COLUMNS,
        *panel_data.FUTURE_NUMERIC,
        *panel_data.FUTURE_CATEGORICAL,
        *panel_data.EVENT_ONE_HOT,
    ):
        assert frame[column].notna().all(), column
    # The 0/1 event columns are the categorical event, one-hot.
    for name in panel_data.EVENT_ONE_HOT:
        expected = (frame["event"].astype(str) == name.removeprefix("event_")).astype(
            np.int8
        )
        np.testing.assert_array_equal(frame[name], expected)


@pytest.mark.parametrize("jobs", [1, 2])
def test_written_panel_reads_back_whole(tmp_path, jobs, monkeypatch):
    pytest.importorskip("pyarrow")
    monkeypatch.setattr(panel_data, "SERIES_PER_FILE", 7)
    described = panel_data.write_panel(tmp_path / "panel", 20, jobs=jobs)
    assert described["files"] == 3 and described["num_series"] == 20
    frame = panel_data.read_panel(tmp_path / "panel")
    assert len(frame) == described["rows"]
    assert frame[panel_data.ID_COLUMN].nunique() == 20
    # Written again with the same size and seed: kept, not rewritten.
    assert panel_data.write_panel(tmp_path / "panel", 20) == described
