"""Static exports round-trip: the CSV is the data drawn, the HTML holds spec and data offline, text is escaped."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import pandas as pd
import pytest

from dashboard import export, share
from dashboard.__main__ import main
from indicators import query

LINK = "trajectories?ind=co2_per_capita&areas=USA,CHN,IND&from=2000&to=2020"
EVIL = '</script><script>alert("x")</script><!-- & "quoted" \u2028 Ωμέγα'


@pytest.fixture(scope="module")
def shared():
    return share.share_link(LINK)


@pytest.fixture(scope="module")
def evil(shared):
    """The same view with a hostile title everywhere a title appears (chart, page, citation)."""
    meta = replace(shared.meta, title=EVIL, description=EVIL, citation=EVIL, notes=(EVIL,))
    return replace(shared, chart=shared.chart.properties(title=EVIL), meta=meta)


def _spec_in(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="beyond-gdp-spec">(.*?)</script>', page, re.S)
    assert match, "the spec must sit in its own JSON script block"
    return json.loads(match.group(1))


def test_csv_is_exactly_the_data_in_the_view(shared):
    back = pd.read_csv(io.BytesIO(export.to_csv(shared)))
    drawn = back.drop(columns=list(share.CSV_METADATA))
    pd.testing.assert_frame_equal(drawn, shared.data, check_dtype=False)
    assert set(back["ref_area"]) == {"USA", "CHN", "IND"} and back["year"].between(2000, 2020).all()


def test_the_chart_spec_draws_the_same_rows_as_the_csv(shared):
    spec = export.spec(shared)
    rows = [row for dataset in spec["datasets"].values() for row in dataset]
    drawn = pd.DataFrame(rows)[["ref_area", "year", "value"]].sort_values(["ref_area", "year"]).reset_index(drop=True)
    data = shared.data[["ref_area", "year", "value"]].sort_values(["ref_area", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(drawn, data, check_dtype=False)
    assert spec["usermeta"]["beyond_gdp"]["data_version"] == shared.meta.data_version


def test_html_is_self_contained_with_spec_data_and_citation(shared):
    page = export.to_html(shared)
    assert _spec_in(page) == json.loads(json.dumps(export.spec(shared)))
    assert not re.search(r"<script[^>]+src=", page), "no external (or any) script src in a standalone export"
    assert "<link" not in page and "@import" not in page
    assert "default-src 'none'" in page  # the CSP forbids any fetch
    assert "vegaEmbed" in page and len(page) > 500_000  # the Vega libraries are inlined
    for text in (shared.meta.data_version, shared.meta.vintage, "Cite as", "Licence", "Data vintage"):
        assert text in page
    assert shared.meta.licences[0].replace("'", "&#x27;") in page
    for value in shared.data["value"].head(20):
        assert json.dumps(float(value)) in page or str(value) in page


def test_hostile_titles_are_escaped_in_html_and_cannot_close_the_script(evil):
    page = export.to_html(evil)
    assert "<script>alert" not in page and "<!-- &" not in page
    assert page.count("</script>") == 3  # the bundle, the JSON spec and the embed call — nothing injected
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)" in page
    assert _spec_in(page)["title"] == EVIL  # still the exact text once parsed


def test_script_json_cannot_break_out_of_a_script_tag():
    text = export.script_json({"a": "</script><!--<b>&\u2028"})
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!--<b>&\u2028"}


def test_svg_and_png_show_title_and_citation(shared, evil):
    svg = export.to_svg(shared)
    assert svg.lstrip().startswith("<svg") and shared.meta.data_version in svg and "Cite as" in svg
    assert "<script" not in export.to_svg(evil)
    png = export.to_png(shared, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_vega_lite_json_carries_the_metadata(shared):
    spec = json.loads(export.to_vl_json(shared))
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    assert spec["usermeta"]["beyond_gdp"]["citation"] == shared.meta.citation


def test_cli_exports_each_format(tmp_path, capsys):
    for fmt in ("csv", "vl.json", "html"):
        out = tmp_path / f"view.{fmt}"
        assert main(["export", LINK, "--out", str(out)]) == 0
        assert out.stat().st_size > 0
    assert "data version" in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "view.csv").equals(pd.read_csv(io.BytesIO(export.to_csv(share.share_link(LINK)))))


def test_cli_errors_are_one_clear_line(tmp_path, capsys):
    assert main(["export", LINK, "--out", str(tmp_path / "view.txt")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert main(["export", LINK + "&areas=<script>", "--strict", "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "not understood" in err and not (tmp_path / "x.csv").exists()


def test_cli_refuses_a_link_pinned_to_other_data_unless_told(tmp_path, capsys):
    out = tmp_path / "pinned.csv"
    pinned = LINK + "&v=deadbeef0000"
    assert main(["export", pinned, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "pinned to data snapshot deadbeef0000" in error and "--accept-current-data" in error
    assert error.count("\n") == 1 and not out.exists(), "one clear line, and nothing written"
    assert main(["export", pinned, "--out", str(out), "--accept-current-data"]) == 0
    assert "exporting snapshot" in capsys.readouterr().err and out.exists()


def test_cli_exports_a_link_pinned_to_the_running_data_without_asking(tmp_path, capsys):
    out = tmp_path / "same.csv"
    assert main(["export", LINK + f"&v={query.data_version()}", "--out", str(out)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_every_csv_row_says_what_it_is_where_it_comes_from_and_which_snapshot(shared):
    back = pd.read_csv(io.BytesIO(export.to_csv(shared)))
    assert list(back.columns[: len(share.CSV_METADATA)]) == list(share.CSV_METADATA)
    item = query.definition("co2_per_capita")
    assert set(back["indicator"]) == {"co2_per_capita"} and set(back["indicator_title"]) == {item.label}
    assert set(back["unit"]) == {item.unit} and set(back["source"]) == {item.source.publisher}
    assert set(back["licence"]) == {item.source.licence} and set(back["snapshot"]) == {query.data_version()}


@pytest.mark.parametrize(
    "link",
    [
        "trajectories?ind=<script>&areas=%00%FF&from=" + "9" * 5000,
        "compare?ind=☃&view=𝔘𝔫𝔦&v=not-a-version",
        "overview?theme=\u202e&area=" + "x" * 600,
        "maps?level=../../etc&year=-1",
        "your-index?w=inclusive:1e999&iw=:::&all=maybe",
        "no-such-page?x=1",
        "?chart=<b>",
    ],
)
def test_cli_survives_hostile_links_with_one_line_or_warnings(tmp_path, capsys, link):
    status = main(["export", link, "--out", str(tmp_path / "x.csv")])
    error = capsys.readouterr().err
    assert status in (0, 2)
    assert "Traceback" not in error
    if status == 2:
        assert error.startswith("error: ") and error.count("\n") == 1
