"""A refreshed dataset may hold observations without a time period (year null): the yearly query layer
skips them instead of failing on them."""

from __future__ import annotations

import pyarrow as pa

from connectors import store
from indicators import query


def test_rows_without_a_year_are_left_out_of_yearly_series(monkeypatch):
    table = pa.table(
        {
            "series": ["S", "S", "S"],
            "ref_area": ["SWE", "SWE", "SWE"],
            "year": pa.array([2020, 2021, None], pa.int16()),
            "freq": ["A", "A", None],
            "value": [1.0, 2.0, 3.0],
            "dimensions": ['{"X": "a"}'] * 3,
            "obs_status": pa.array([None, None, None], pa.string()),
        }
    )
    monkeypatch.setattr(store, "read_dataset", lambda source, dataset, columns: table.select(columns))
    query._dataset_frame.cache_clear()
    try:
        frame = query._dataset_frame("test", "timeless")
        assert frame["year"].tolist() == [2020, 2021] and frame["value"].tolist() == [1.0, 2.0]
        assert str(frame["year"].dtype) == "int64"
    finally:
        query._dataset_frame.cache_clear()
