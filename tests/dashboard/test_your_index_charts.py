"""Your index chart builders as Vega-Lite: every ranked place keeps its name on the axis."""

import pandas as pd

from dashboard.pages.your_index import charts


def _ranking(n: int) -> pd.DataFrame:
    """A synthetic ranking of ``n`` places (labelled synthetic: only the chart's shape is under test)."""
    return pd.DataFrame(
        {
            "name": [f"Place {i}" for i in range(n)],
            "rank": range(1, n + 1),
            "rank_p05": range(1, n + 1),
            "rank_p95": range(2, n + 2),
            "median_rank": range(1, n + 1),
            "score": [1 - i / n for i in range(n)],
            "coverage": 1.0,
            "gdp_per_capita": 10_000.0,
            "income_group": ["High income"] * n,
            "delta": 0,
        }
    )


def _y_axes(spec: dict) -> list[dict]:
    layers = spec.get("layer", [spec])
    return [layer["encoding"]["y"] for layer in layers if "y" in layer.get("encoding", {})]


def test_ranking_axes_never_drop_a_place_name():
    """Vega drops axis labels it judges overlapping, which left every other country unnamed in a
    40-row ranking drawn in the app: a reader could not tell which dot was which rank."""
    spec = charts.interval_chart(_ranking(40), title="t").to_dict(validate=False)
    axes = _y_axes(spec)
    assert axes, "the ranking has a y encoding"
    assert all(y.get("axis", {}).get("labelOverlap") is False for y in axes if y.get("field") == "name")


def test_the_subtitle_promises_bars_only_when_some_interval_is_wider_than_a_point():
    from dashboard.pages.your_index import charts as yi_charts

    base = {
        "name": ["A", "B"],
        "rank": [1, 2],
        "median_rank": [1, 2],
        "score": [0.9, 0.8],
        "coverage": [1.0, 1.0],
        "gdp_per_capita": [1.0, 2.0],
        "income_group": ["High income", None],
        "delta": [0, 0],
    }
    flat = pd.DataFrame(base | {"rank_p05": [1, 2], "rank_p95": [1, 2]})
    wide = pd.DataFrame(base | {"rank_p05": [1, 1], "rank_p95": [2, 2]})

    def subtitle(frame):  # wrapped into lines, never cut
        return " ".join(yi_charts.interval_chart(frame, title="t").to_dict()["title"]["subtitle"])

    assert "no rank interval" in subtitle(flat)
    assert "bar: 5–95%" in subtitle(wide)
