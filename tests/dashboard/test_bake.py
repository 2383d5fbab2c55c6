"""Baking a static site: every configured view becomes pages and files inside the output folder, never outside."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from dashboard import bake, share
from dashboard.__main__ import main
from dashboard.bake import BakeEntry, BakeError, check_view_id
from indicators import query

TWO = [
    BakeEntry("co2-large", "trajectories?ind=co2_per_capita&areas=USA,CHN,IND&from=2000", "CO2 since 2000"),
    BakeEntry("ls_rank", "trajectories?chart=ranking&ind=life_satisfaction&areas=FIN,USA,IND"),
]


@pytest.mark.parametrize(
    "bad",
    [
        "../x",
        "..",
        "a/../../etc",
        "/etc/passwd",
        "C:\\x",
        "a/b",
        "a\\b",
        "x\x00y",
        ".hidden",
        "",
        "Upper",
        "a b",
        "con",
        "NUL",
        "lpt1",
        "index",
        "assets",
        "x" * 81,
        "café",
        "a.html",
        None,
        7,
    ],
)
def test_unsafe_view_ids_are_refused(bad):
    with pytest.raises(BakeError, match="view id|needs an 'id'"):
        check_view_id(bad)


def test_safe_view_ids_pass():
    for good in ("co2-per-capita", "gini_2020", "a", "9lives"):
        assert check_view_id(good) == good


def test_the_default_views_file_is_valid_and_meaningful():
    entries = bake.read_views()
    assert len(entries) >= 12
    assert len({e.id for e in entries}) == len(entries)
    assert any("chart=ranking" in e.link for e in entries)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("views: [{id: a, link: 'ind=gini_index'}, {id: a, link: 'ind=gini_index'}]", "appears twice"),
        ("views: [{id: a, link: 'ind=gini_index', colour: red}]", "unknown field"),
        ("views: [{id: a}]", "'link' must be"),
        ("views: [{id: '../../etc/x', link: 'ind=gini_index'}]", "could leave the output folder"),
        ("views: {}", "top-level 'views:' list"),
        ("views: [unclosed", "not valid YAML"),
    ],
)
def test_bad_views_files_name_the_problem(tmp_path, text, message):
    path = tmp_path / "views.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BakeError, match=message):
        bake.read_views(path)


def test_bake_writes_pages_data_and_an_index_inside_the_folder(tmp_path):
    out = tmp_path / "site"
    baked = bake.bake(out, TWO, base_url="https://beyondgdp.example.org", images=False)
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    bundle = [n for n in names if n.startswith("assets/vega-bundle-")]
    assert len(bundle) == 1
    for entry in TWO:
        for ext in ("html", "csv", "vl.json"):
            assert f"{entry.id}.{ext}" in names
    assert not [n for n in names if n.endswith(".part")]
    page = (out / "co2-large.html").read_text(encoding="utf-8")
    assert f'<script src="{bundle[0]}"></script>' in page and 'href="index.html"' in page
    assert "https://beyondgdp.example.org/trajectories?" in page
    assert not re.search(r"<script[^>]+src=\"(https?:)?//", page)
    csv = pd.read_csv(out / "ls_rank.csv")
    pd.testing.assert_frame_equal(csv, share.csv_rows(baked[1].shared), check_dtype=False)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="co2-large.html"' in index and 'href="ls_rank.csv"' in index and "CO2 since 2000" in index
    manifest = json.loads((out / "views.json").read_text(encoding="utf-8"))
    assert manifest["data_version"] == query.data_version()
    assert [v["id"] for v in manifest["views"]] == ["co2-large", "ls_rank"]
    assert all(v["citation"].startswith("Beyond GDP dashboard") for v in manifest["views"])


def test_bake_with_images_and_inline_scripts(tmp_path):
    baked = bake.bake(tmp_path, TWO[1:], inline_js=True)
    assert (tmp_path / "ls_rank.png").read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "assets").exists()
    assert "<script src=" not in (tmp_path / "ls_rank.html").read_text(encoding="utf-8")
    assert baked[0].files["png"] == "ls_rank.png"


def test_an_escaping_id_stops_the_bake_before_anything_is_written(tmp_path):
    out = tmp_path / "site"
    with pytest.raises(BakeError, match="could leave the output folder"):
        bake.bake(out, [*TWO, BakeEntry("../escape", "ind=gini_index")], images=False)
    assert not out.exists() and not (tmp_path / "escape.html").exists()


def test_a_link_with_problems_is_not_baked_as_the_default_view(tmp_path):
    with pytest.raises(BakeError, match="'bad'.*unknown area"):
        bake.bake(tmp_path / "site", [BakeEntry("bad", "trajectories?ind=gini_index&areas=USA,XXX")], images=False)
    with pytest.raises(BakeError, match="pins data version"):
        bake.bake(tmp_path / "site", [BakeEntry("old", "ind=gini_index&areas=USA&v=000000000000")], images=False)


def test_cli_bake(tmp_path, capsys):
    views = tmp_path / "views.yaml"
    views.write_text("views:\n  - id: gini\n    link: 'trajectories?ind=gini_index&areas=USA,SWE'\n", encoding="utf-8")
    assert main(["bake", "--out", str(tmp_path / "site"), "--views", str(views), "--no-images"]) == 0
    assert "baked 1 views" in capsys.readouterr().out
    assert (tmp_path / "site" / "gini.html").exists()
    views.write_text("views:\n  - id: ../gini\n    link: 'ind=gini_index'\n", encoding="utf-8")
    assert main(["bake", "--out", str(tmp_path / "site2"), "--views", str(views)]) == 2
    assert "could leave the output folder" in capsys.readouterr().err


@pytest.mark.parametrize("entry", bake.read_views(), ids=lambda e: e.id)
def test_every_listed_view_resolves_without_notices_and_draws_rows(entry):
    """A views.yaml link that quietly fell back to a default view would bake the wrong chart."""
    shared = share.share_link(entry.link)
    assert not shared.notices, (entry.id, shared.notices)
    assert len(shared.data) > 0


def test_views_yaml_bakes_every_page_with_shareable_charts():
    listed = {share.resolve(*reversed(share.split_link(entry.link)))[0].page for entry in bake.read_views()}
    assert set(share.pages()) <= listed, f"no view of {sorted(set(share.pages()) - listed)} in views.yaml"
