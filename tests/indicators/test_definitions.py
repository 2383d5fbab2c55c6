"""Every shipped definition is valid and resolves to data; broken files get errors naming file and field."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from indicators import query
from indicators.catalog import DEFINITIONS_DIR, catalog, definition_files, load_definition, validate_all
from indicators.schema import DefinitionError

ROOT = Path(__file__).resolve().parents[2]
GOOD = """\
id: {id}
title: Test indicator
theme: climate
unit: t CO2/person
direction: lower_is_better
description: A definition used by the tests only.
series: {{source: gapminder, dataset: fasttrack, code: co2_pcap_terr}}
source: {{publisher: Gapminder, licence: CC BY 4.0}}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / "climate" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_every_shipped_definition_loads_and_counts_per_theme():
    definitions = catalog()
    assert len(definitions) >= 16
    per_theme = Counter(d.theme for d in definitions.values())
    assert all(per_theme[t] >= 4 for t in ("economy", "inclusive", "circular", "climate")), per_theme
    assert {p.stem for p in definition_files()} == set(definitions)


def test_every_definition_resolves_to_data():
    """Every raw definition has rows, except an official-only one whose dataset no refresh has stored yet: that
    one is left out of query.definitions() (so of every picker) and asking for it names the refresh to run."""
    waiting = query.awaiting_refresh()
    for ident, item in catalog().items():
        if item.series is None:
            continue
        if ident in waiting:
            assert ident not in query.definitions()
            with pytest.raises(query.NotFetched, match=r"not fetched yet — run `python -m connectors refresh \w+`"):
                query.panel(ident)
            continue
        frame = query.panel(ident)
        assert len(frame) > 0, f"{ident} reads {item.series} but the store has no rows for it"


def test_a_good_file_validates(tmp_path):
    path = _write(tmp_path, "test_ok", GOOD.format(id="test_ok"))
    assert load_definition(path).id == "test_ok"


@pytest.mark.parametrize(
    ("name", "edit", "expected"),
    [
        ("no_unit", lambda t: t.replace("unit: t CO2/person\n", ""), "field 'unit': is required"),
        ("bad_dir", lambda t: t.replace("lower_is_better", "down"), "field 'direction'"),
        ("bad_theme", lambda t: t.replace("theme: climate", "theme: weather"), "field 'theme'"),
        ("typo_field", lambda t: t + "descripton: oops\n", "field 'descripton': is not a known field"),
        ("wrong_id", lambda t: t.replace("id: wrong_id", "id: other_name"), "rename the file"),
        ("both", lambda t: t + "formula: a + b\n", "exactly one of 'series'"),
        ("bad_yaml", lambda t: t.replace("title: Test indicator", "title: [unclosed"), "not valid YAML at line"),
    ],
)
def test_broken_files_name_file_and_field(tmp_path, name, edit, expected):
    path = _write(tmp_path, name, edit(GOOD.format(id=name)))
    with pytest.raises(DefinitionError) as error:
        load_definition(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


BANDED = """\
targets:
- value: {value}
  year: 2030
  kind: {kind}
  source: international
  label: Test optimum
  document: Test document
  reference: Test table 1
  published: 2025
  bands: {{green: {green}, red: {red}{source}}}
"""
BAND_SOURCE = ", document: SDR codebook, reference: sdg1_lmicpov, published: 2025"


@pytest.mark.parametrize(
    ("name", "fields", "expected"),
    [
        # an at-most target: lower is better, so red must lie above green
        ("red_wrong_side_most", dict(value=0, kind="at_most", green=13, red=2), "red must be greater than green"),
        ("red_equal_green", dict(value=0, kind="at_most", green=2, red=2), "red must be greater than green"),
        ("red_wrong_side_least", dict(value=100, kind="at_least", green=95, red=99), "red must be less than green"),
        # green stricter than the goal itself would make "Achieved" harder than meeting the target
        ("green_past_target", dict(value=3, kind="at_most", green=2, red=13), "must not be below the target value"),
        ("green_above_least", dict(value=90, kind="at_least", green=95, red=50), "must not be above the target value"),
    ],
)
def test_bad_status_bands_are_named(tmp_path, name, fields, expected):
    text = GOOD.format(id=name) + BANDED.format(source=BAND_SOURCE, **fields)
    path = _write(tmp_path, name, text)
    with pytest.raises(DefinitionError) as error:
        load_definition(path)
    assert str(path) in str(error.value) and "field 'targets.0'" in str(error.value)
    assert expected in str(error.value)


def test_status_bands_without_a_source_are_refused(tmp_path):
    text = GOOD.format(id="bands_unsourced") + BANDED.format(value=0, kind="at_most", green=2, red=13, source="")
    path = _write(tmp_path, "bands_unsourced", text)
    with pytest.raises(DefinitionError) as error:
        load_definition(path)
    for field in ("document", "reference", "published"):
        assert f"field 'targets.0.bands.{field}': is required but missing" in str(error.value)


def test_sourced_status_bands_load(tmp_path):
    text = GOOD.format(id="bands_ok") + BANDED.format(value=0, kind="at_most", green=2, red=13, source=BAND_SOURCE)
    goal = load_definition(_write(tmp_path, "bands_ok", text)).targets[0]
    assert (goal.green, goal.red) == (2, 13) and goal.bands.citation == "as reported in SDR codebook, sdg1_lmicpov"


def test_unknown_series_is_reported_with_nearby_codes(tmp_path):
    path = _write(tmp_path, "ghost", GOOD.format(id="ghost").replace("co2_pcap_terr", "co2_pcap_ter"))
    known = {("gapminder", "fasttrack", "co2_pcap_terr"), ("gapminder", "fasttrack", "gdp_pcap")}
    _, problems = validate_all([path], known)
    assert len(problems) == 1
    assert "field 'series'" in problems[0] and "co2_pcap_terr" in problems[0] and "ghost.yaml" in problems[0]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indicators", *args], capture_output=True, text=True, cwd=ROOT)


def test_validate_command_passes_on_the_shipped_files():
    result = _cli("validate")
    assert result.returncode == 0, result.stderr
    assert "valid, 0 with problems" in result.stdout


def test_validate_command_fails_and_names_the_problem(tmp_path):
    _write(tmp_path, "bad_dir", GOOD.format(id="bad_dir").replace("lower_is_better", "down"))
    result = _cli("validate", str(tmp_path))
    assert result.returncode == 1
    assert "bad_dir.yaml: field 'direction'" in result.stderr


def test_list_json_reports_counts():
    import json

    result = _cli("list", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["counts"]["total"] == len(list(DEFINITIONS_DIR.rglob("*.yaml")))
    assert {"id", "theme", "level"} <= set(data["indicators"][0])


DERIVED = """\
id: {id}
title: Derived test indicator
theme: climate
unit: {unit}
direction: lower_is_better
description: A derived definition used by the tests only.
formula: "{formula}"
source: {{publisher: Test, licence: CC BY 4.0}}
"""


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"d1": ("co2_per_capita - nothing_here", "t CO2/person")}, "unknown indicator(s) ['nothing_here']"),
        ({"d2": ("__import__('os').system('echo hi')", "t")}, "field 'formula'"),
        ({"d3": ("co2_per_capita.real", "t")}, "field 'formula'"),
        ({"d4": ("co2_per_capita - gdp_per_capita_ppp", "t")}, "field 'formula'"),
        ({"d5": ("co2_per_capita / gdp_per_capita_ppp", "t")}, "field 'unit'"),
        ({"d6": ("d7 * 2", "t"), "d7": ("d6 / 2", "t")}, "cycle"),
    ],
)
def test_bad_formulas_are_caught_before_any_data_is_read(tmp_path, files, expected):
    paths = list(definition_files())
    for name, (formula, unit) in files.items():
        paths.append(_write(tmp_path, name, DERIVED.format(id=name, formula=formula, unit=unit)))
    _, problems = validate_all(paths)
    assert problems, "the broken formula was accepted"
    assert any(expected in p and "tmp" in p for p in problems), problems


def test_a_good_formula_validates_and_computes(tmp_path):
    good = _write(
        tmp_path,
        "co2_gap",
        DERIVED.format(id="co2_gap", formula="co2_consumption_per_capita - co2_per_capita", unit="t CO2/person"),
    )
    definitions, problems = validate_all([*definition_files(), good])
    assert not problems
    assert definitions["co2_gap"].formula


def test_the_exported_json_schema_is_current():
    import json

    from indicators.schema import json_schema

    committed = json.loads((ROOT / "docs" / "indicator.schema.json").read_text())
    assert committed == json_schema(), "run `python -m indicators schema --out docs/indicator.schema.json`"


def test_sdmx_indicators_pick_observations_by_dimension_codes():
    frame = query.panel("ghg_net_per_capita_eu", ["SWE"], (2019, 2019))
    assert frame["value"].tolist() == [1.2]  # sdg_13_10 TSV, row A,GHG,TOTXMEMONIA,T_HAB,SE, column 2019


def test_an_ambiguous_match_names_the_dimension_to_add():
    with pytest.raises(query.QueryError, match="add one of the dimensions \\['unit'\\]"):
        query._matching("estat", "sdg_13_10", {"src_crf": "TOTXMEMONIA"})


def test_values_and_decoupling_commands_print_tables():
    import json

    values = _cli("values", "gini_index", "--areas", "SWE", "--from", "2019", "--to", "2019", "--format", "json")
    assert values.returncode == 0, values.stderr
    assert json.loads(values.stdout) == [{"indicator": "gini_index", "ref_area": "SWE", "year": 2019, "value": 29.97}]
    table = _cli(
        "decoupling", "co2_territorial_total", "gdp_total_usd", "--from", "2000", "--to", "2019", "--areas", "SWE"
    )
    assert table.returncode == 0 and "SWE,Sweden" in table.stdout and table.stdout.strip().endswith("absolute")
    unknown = _cli("values", "no_such_indicator")
    assert unknown.returncode == 2 and "unknown indicator 'no_such_indicator'" in unknown.stderr
