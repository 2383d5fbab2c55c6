"""Loads every indicator definition file and checks it against the schema, its folder and the store.

``indicators/definitions/<theme>/<id>.yaml`` is the only place an indicator is declared: the
file name is its id and the folder its theme, so both are checked here rather than trusted.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from indicators.methods import expression, units
from indicators.schema import Definition, DefinitionError, describe_validation_error

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
#: libyaml's safe loader when PyYAML was built with it (ten times faster), else the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def definition_files(root: Path = DEFINITIONS_DIR) -> list[Path]:
    root = Path(root)
    if root.is_file():
        return [root]
    return sorted(root.rglob("*.yaml")) + sorted(root.rglob("*.yml"))


def load_definition(path: Path) -> Definition:
    """Parse and validate one file; raise :class:`DefinitionError` listing every problem."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DefinitionError(path, [f"not valid YAML{where}: {getattr(exc, 'problem', exc)}"]) from None
    if not isinstance(raw, dict):
        raise DefinitionError(path, [f"expected a mapping of fields (id: ..., title: ...), got {type(raw).__name__}"])
    try:
        definition = Definition.model_validate(raw)
    except ValidationError as exc:
        raise DefinitionError(path, describe_validation_error(exc)) from None
    problems = []
    if definition.id != path.stem:
        problems.append(
            f"field 'id': is {definition.id!r} but the file is named {path.name}; "
            f"rename the file to {definition.id}.yaml or set id: {path.stem}"
        )
    if path.parent.name in ("economy", "inclusive", "circular", "climate") and definition.theme != path.parent.name:
        problems.append(
            f"field 'theme': is {definition.theme!r} but the file is in the {path.parent.name}/ folder; "
            "move the file or fix the theme"
        )
    if problems:
        raise DefinitionError(path, problems)
    return definition


def _cycle(start: str, definitions: dict[str, Definition]) -> list[str] | None:
    """The first chain of formulas leading from ``start`` back to itself, if any."""
    path: list[str] = []

    def visit(ident: str) -> list[str] | None:
        if ident in path:
            return path[path.index(ident) :] + [ident]
        item = definitions.get(ident)
        if item is None or not item.formula:
            return None
        path.append(ident)
        for name in expression.names_in(item.formula):
            found = visit(name)
            if found:
                return found
        path.pop()
        return None

    return visit(start)


#: A formula of like quantities (thousands / thousands * 100) yields a pure number; these
#: declared units are the ways people name such numbers.
DIMENSIONLESS_NAMES = ("%", "pp", "index", "ratio", "share", "score")


def _units_agree(computed: str, declared: str) -> bool:
    if units.normalise_unit(computed) == units.normalise_unit(declared):
        return True
    return computed in (units.DIMENSIONLESS, "%") and declared.strip().lower().startswith(DIMENSIONLESS_NAMES)


def _check_formula(ident: str, definitions: dict[str, Definition]) -> list[str]:
    """Problems with a derived indicator: unsafe or invalid formula, unknown inputs, cycles, units."""
    item = definitions[ident]
    try:
        names = expression.names_in(item.formula)
    except expression.FormulaError as exc:
        return [f"field 'formula': {exc}"]
    unknown = sorted(set(names) - set(definitions))
    if unknown:
        return [f"field 'formula': refers to unknown indicator(s) {unknown}; use ids from `python -m indicators list`"]
    cycle = _cycle(ident, definitions)
    if cycle:
        return [f"field 'formula': derived indicators form a cycle: {' -> '.join(cycle)}"]
    try:
        computed = expression.unit_of(item.formula, {n: definitions[n].unit for n in names})
    except (units.UnitError, expression.FormulaError) as exc:
        return [f"field 'formula': {exc}"]
    if not _units_agree(computed, item.unit):
        return [
            f"field 'unit': is {item.unit!r} but the formula gives {computed!r}; "
            "declare the unit the formula produces (or rescale the formula)"
        ]
    return []


def validate_all(paths: Iterable[Path], known_series: set[tuple[str, str, str]] | None = None):
    """Validate files; return (definitions by id, problems as 'file: message' lines)."""
    definitions: dict[str, Definition] = {}
    where: dict[str, Path] = {}
    problems: list[str] = []
    for path in paths:
        try:
            definition = load_definition(path)
        except DefinitionError as exc:
            problems.extend(f"{exc.path}: {p}" for p in exc.problems)
            continue
        if definition.id in definitions:
            problems.append(f"{path}: field 'id': {definition.id!r} is already defined in {where[definition.id]}")
            continue
        definitions[definition.id] = definition
        where[definition.id] = path
    for ident, definition in definitions.items():
        series = definition.series
        if series and known_series is not None:
            datasets = {(s, d) for s, d, _ in known_series}
            if (series.source, series.dataset) not in datasets:
                problems.append(
                    f"{where[ident]}: field 'series': there is no dataset {series.source}/{series.dataset} in the "
                    f"store; see `python -m connectors status`"
                )
            elif series.code is not None and (series.source, series.dataset, series.code) not in known_series:
                near = sorted(c for s, d, c in known_series if (s, d) == (series.source, series.dataset))[:12]
                problems.append(
                    f"{where[ident]}: field 'series': no series {series.code!r} in the store; "
                    f"codes in {series.source}/{series.dataset} include {near}"
                )
        if definition.formula:
            problems.extend(f"{where[ident]}: {p}" for p in _check_formula(ident, definitions))
    return definitions, problems


@lru_cache(maxsize=1)
def catalog() -> dict[str, Definition]:
    """All shipped definitions by id (cached; raises if any file is invalid)."""
    definitions, problems = validate_all(definition_files())
    if problems:
        raise DefinitionError(DEFINITIONS_DIR, problems)
    return definitions
