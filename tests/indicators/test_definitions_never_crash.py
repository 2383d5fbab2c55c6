"""Definitions never crash anything: whatever an analyst writes, ``validate`` answers with problem lines,
a bad file among good ones leaves the others usable, and values a formula cannot compute are counted
with their reason instead of vanishing.

Property tests generate YAML documents and formula strings (hypothesis); the rest use the shipped
definitions and the committed snapshot.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import catalog as catalog_module
from indicators import query
from indicators.__main__ import summary
from indicators.catalog import DEFINITIONS_DIR, Problem, definition_files, validate_definitions
from indicators.methods import expression, units
from indicators.schema import Definition

ROOT = Path(__file__).resolve().parents[2]
KNOWN_UNITS = {"co2_per_capita": "t CO2/person", "gdp_per_capita_ppp": "int-$/person", "x": "t"}
TEMPLATE = {
    "id": "generated",
    "title": "Generated indicator",
    "theme": "climate",
    "unit": "t",
    "direction": "lower_is_better",
    "description": "A generated definition used by the tests only.",
    "source": {"publisher": "Test", "licence": "CC0"},
}

names = st.sampled_from(["co2_per_capita", "gdp_per_capita_ppp", "x", "é", "ｘ", "_hidden", "nope", "per_capita"])
numbers = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["1e999", "1e308", "0", "0.0", "1_000", "0x10", "9" * 400, "1e-400"]),
)
formulas = st.recursive(
    st.one_of(names, numbers),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "%", "@", " and "]), inner).map("".join),
        inner.map(lambda f: f"({f})"),
        inner.map(lambda f: f"-{f}"),
        st.tuples(st.sampled_from(["per_capita", "growth_rate", "index", "print", "cagr"]), inner).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        inner.map(lambda f: f"index({f}, base_year=1e300)"),
    ),
    max_leaves=30,
)
DEEP_SHAPES = (
    lambda n: f"{'(' * n}x{')' * n}",
    lambda n: f"{'-' * n}x",
    lambda n: "+".join(["x"] * n),
    lambda n: f"{'index(' * n}x{')' * n}",
)


@st.composite
def deep(draw) -> str:
    """Deep nesting of each kind, up to past the formula length limit."""
    shape = draw(st.sampled_from(range(len(DEEP_SHAPES))))
    return DEEP_SHAPES[shape](draw(st.integers(min_value=1, max_value=600)))


@settings(max_examples=300, deadline=None)
@given(st.one_of(formulas, deep(), st.text(max_size=80)))
def test_a_formula_is_accepted_or_refused_with_a_formula_error(text):
    try:
        read = expression.names_in(text)
        expression.unit_of(text, {n: KNOWN_UNITS.get(n, "t") for n in read})
    except (expression.FormulaError, units.UnitError) as error:
        assert str(error)  # a message for the analyst, never an empty one


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / "climate" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(st.sampled_from([*TEMPLATE, "formula", "series", "targets", "tags", "bogus"]), yaml_values),
    st.one_of(st.none(), formulas),
    st.sampled_from(["", "\x00", "key: [unclosed", "- a list", ": :", "a: !!python/object:os.system x", "\ufeffid: x"]),
)
def test_validate_never_raises_on_a_generated_file(tmp_path, overrides, formula, raw_tail):
    document = {**TEMPLATE, **overrides}
    if formula is not None:
        document["formula"] = formula
    text = yaml.safe_dump(document, allow_unicode=True) + raw_tail
    path = _write(tmp_path, "generated", text)
    definitions, problems, files = validate_definitions([path])
    assert files == 1
    assert definitions or problems
    for problem in problems:
        assert isinstance(problem, Problem) and problem.file == str(path) and problem.message and problem.fix


def test_validate_command_reports_a_400_digit_number_without_a_traceback(tmp_path):
    formula = "co2_per_capita * " + "9" * 400
    _write(tmp_path, "huge", yaml.safe_dump({**TEMPLATE, "id": "huge", "formula": formula, "unit": "t CO2/person"}))
    _write(tmp_path, "zero", yaml.safe_dump({**TEMPLATE, "id": "zero", "formula": "co2_per_capita / 0"}))
    _write(
        tmp_path, "overflow", yaml.safe_dump({**TEMPLATE, "id": "overflow", "formula": "co2_per_capita*1e308*1e308"})
    )
    result = subprocess.run(
        [sys.executable, "-m", "indicators", "validate", "--no-data", str(tmp_path), str(DEFINITIONS_DIR)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "huge.yaml: field 'formula': a 400-digit number is too large" in result.stderr
    assert "zero.yaml: field 'formula': division by zero" in result.stderr
    assert "overflow.yaml: field 'formula': the number 1e+308 is too large" in result.stderr
    shipped = len(definition_files())
    assert f"{shipped + 3} files: {shipped} valid, 3 with problems" in result.stdout


def test_the_summary_counts_files_not_lines():
    problems = [Problem("a.yaml", "unit", "m", "f"), Problem("a.yaml", "title", "m", "f")]
    assert summary(128, 127, problems) == "128 files: 127 valid, 1 with problems (2 problems)"
    assert summary(128, 128, []) == "128 files: 128 valid, 0 with problems"


@pytest.fixture
def definitions_with_a_bad_file(tmp_path, monkeypatch):
    """A copy of the shipped definitions plus one broken file and one formula that reads it."""
    root = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS_DIR, root)
    _write(root, "broken", "id: broken\ntitle: [unclosed\n")
    reads_co2 = {**TEMPLATE, "id": "reads_broken", "formula": "co2_per_capita * 2", "unit": "t CO2/person"}
    _write(root, "reads_broken", yaml.safe_dump(reads_co2))
    # reads_broken is valid on its own; make it read the broken file's id instead
    text = (root / "climate" / "reads_broken.yaml").read_text().replace("co2_per_capita * 2", "broken * 2")
    (root / "climate" / "reads_broken.yaml").write_text(text)
    monkeypatch.setattr(catalog_module, "DEFINITIONS_DIR", root)
    query.forget_cached_answers()
    yield root
    monkeypatch.undo()
    query.forget_cached_answers()


def test_a_bad_file_among_good_ones_leaves_the_others_working(definitions_with_a_bad_file):
    shipped = {p.stem for p in definition_files(DEFINITIONS_DIR)}
    good = catalog_module.catalog()
    assert set(good) == shipped  # every shipped definition is still there; neither new file is
    problems = catalog_module.definition_problems()
    by_file = {Path(p.file).name: p for p in problems}
    assert "not valid YAML" in by_file["broken.yaml"].message
    assert by_file["reads_broken.yaml"].field == "formula" and "broken" in by_file["reads_broken.yaml"].message
    assert len(query.panel("co2_per_capita", ["SWE"])) > 10  # the app's queries keep working


def test_division_by_zero_gives_missing_values_counted_with_their_reason(monkeypatch):
    try:
        real = query.panel("gdp_per_capita_ppp", ["SWE", "IND"])
    except Exception as error:
        pytest.skip(f"the embedded snapshot cannot be read: {error}")
    shipped = query.definitions()
    broken = Definition.model_validate(
        {
            **TEMPLATE,
            "id": "gdp_over_nothing",
            "theme": "economy",
            "unit": "ratio",
            "formula": "gdp_per_capita_ppp / (gdp_per_capita_ppp - gdp_per_capita_ppp)",
        }
    )
    monkeypatch.setattr(query, "definitions", lambda: {**shipped, broken.id: broken})
    query.forget_cached_answers()
    try:
        cover = query.coverage("gdp_over_nothing")
        values = query.panel("gdp_over_nothing", ["SWE", "IND"])
    finally:
        monkeypatch.undo()
        query.forget_cached_answers()
    assert values.empty  # no infinity reaches a chart
    assert cover["observations"] == 0
    assert cover["not_computed"] == len(query.panel("gdp_per_capita_ppp")) and len(real) > 0
    assert "division by zero or overflow" in cover["not_computed_reasons"]
