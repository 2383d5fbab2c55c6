"""Issue 15: chart titles are wrapped into lines, never cut with "…". Streamlit gives a title without a
``limit`` one of the chart's width minus 40 px, and Vega then cut "Life expectancy (GDL regions):
latest values of Kazakhstan - North…" — the words that say which place. Every view kind's spec, built
from a link with the longest place and indicator names we hold, must carry ``limit: 0`` on each title
and no ellipsis in any title or subtitle line."""

from __future__ import annotations

import pytest

from dashboard import share
from dashboard.frame import SUBTITLE_LINE_PX, TITLE_LINE_PX, chart_height
from dashboard.registry import registry
from dashboard.theme import heading

LONG_GDL = "KAZr105,DZAr101,PRYr101"  # 111, 108 and 109 characters
LONG_NUTS = "BE10"  # 'Région de Bruxelles-Capitale/ Brussels Hoofdstedelijk Gewest'
LINKS = {
    "trajectory": f"trajectories?ind=gdl_life_expectancy&areas={LONG_GDL}",
    "ranking": f"trajectories?chart=ranking&ind=gdl_life_expectancy&areas={LONG_GDL}",
    "compare": f"compare?ind=nuts2_tertiary_share_of_labour_force_25_64&level=nuts2&area={LONG_NUTS}",
    "compare_multiples": "compare?ind=domestic_material_consumption_per_capita,material_gdp_decoupling_10y"
    "&chart=compare_multiples",
    "scorecard": "overview?area=DEU&peers=oecd&group=framework&theme=transboundary",
    "map": "maps?level=gdl_region&country=KAZ",
    "your_index": "your-index?index=beyond_gdp_index",
    "index_moves": "your-index?index=beyond_gdp_index&w=inclusive:2,circular:1,climate:1&chart=index_moves",
    "decoupling": "decoupling?areas=SWE,IND,USA,CHN",
    "decoupling_rates": "decoupling?areas=SWE,IND,USA,CHN&chart=decoupling_rates",
    "decoupling_outsourcing": "decoupling?areas=SWE,IND,USA,CHN&chart=decoupling_outsourcing",
    "limits": f"limits?area={LONG_NUTS}",
    "limits_world": "limits?area=IND&chart=limits_world",
    "futures": "futures?area=KAZr105&ind=gdl_life_expectancy",
    "futures_rates": "futures?area=BRA&ind=poverty_rate_365&chart=futures_rates",
}


def titles(spec: object):
    """Every title object in a spec (the chart's, and those of charts inside a concat or layer)."""
    if isinstance(spec, dict):
        if isinstance(spec.get("title"), dict) and "text" in spec["title"]:
            yield spec["title"]
        for key, value in spec.items():
            if key not in ("title", "datasets", "data", "encoding"):
                yield from titles(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from titles(item)


def lines(text: object) -> list[str]:
    return list(text) if isinstance(text, list) else ([text] if text else [])


def test_every_view_kind_is_listed():
    assert set(LINKS) == set(registry())


@pytest.mark.parametrize("kind", sorted(LINKS))
def test_no_title_of_any_view_is_cut(kind):
    shared = share.share_link(LINKS[kind])
    assert shared.kind.kind == kind, shared.notices
    spec = shared.chart.to_dict(validate=False)
    found = list(titles(spec))
    assert found, "every chart has a title"
    for title in found:
        assert title.get("limit") == 0, f"{kind}: a title without limit 0 is cut by Streamlit at the chart's width"
        text = lines(title["text"]) + lines(title.get("subtitle"))
        assert not any("…" in line for line in text), text
    top = found[0]
    # The wrapped lines together still say all of it: nothing was dropped on the way.
    assert " ".join(lines(top["text"])).replace(" ", "") == shared.meta.title.replace(" ", "") or kind in (
        "compare_multiples",
    )


def test_long_place_names_wrap_into_lines_no_longer_than_the_column():
    spec = share.share_link(LINKS["ranking"]).chart.to_dict(validate=False)
    text = spec["title"]["text"]
    assert isinstance(text, list) and len(text) > 3
    assert "Kazakhstan - North region" in " ".join(text) and "Paraguay - North-West" in " ".join(text)
    assert max(len(line) for line in text) <= 24 or any(" " not in line for line in text)


def test_the_chart_grows_with_its_title_lines():
    short = {"height": 100, "title": heading("Short")}
    assert chart_height(alt_dict(short)) == 100 + 150
    long_title = heading("word " * 40, "sub " * 60, width=20, subtitle_width=20)
    spec = alt_dict({"height": 100, "title": long_title})
    n_title, n_sub = len(spec["title"]["text"]), len(spec["title"]["subtitle"])
    assert chart_height(spec) == 100 + 150 + TITLE_LINE_PX * (n_title - 2) + SUBTITLE_LINE_PX * (n_sub - 2)


def alt_dict(spec: dict) -> dict:
    title = spec["title"].to_dict()
    return {**spec, "title": title}
