"""Loads every indicator definition file and checks it against the schema, its folder and the store.

``indicators/definitions/<theme>/<id>.yaml`` is the only place an indicator is declared: the
file name is its id and the folder its theme, so both are checked here rather than trusted.

A bad file never takes the others down: :func:`catalog` returns every definition that is valid
(and whose formula reads only valid definitions), and :func:`definition_problems` lists what was
left out as :class:`Problem` rows (file, field, message, fix) for the Indicators page to show.
Nothing in here may raise for a file's content: whatever an analyst writes becomes a problem line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from connectors import yaml_loader
from indicators.methods import expression, units
from indicators.schema import Definition, DefinitionError, describe_validation_error

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"


def definition_files(root: Path = DEFINITIONS_DIR) -> list[Path]:
    root = Path(root)
    if root.is_file():
        return [root]
    return sorted(root.rglob("*.yaml")) + sorted(root.rglob("*.yml"))


def load_definition(path: Path) -> Definition:
    """Parse and validate one file; raise :class:`DefinitionError` listing every problem."""
    path = Path(path)
    try:
        raw = yaml_loader.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DefinitionError(path, [f"not valid YAML{where}: {getattr(exc, 'problem', exc)}"]) from None
    except UnicodeDecodeError as exc:
        raise DefinitionError(path, [f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"]) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise DefinitionError(path, [f"could not be read as YAML ({type(exc).__name__}); simplify the file"]) from None
    if not isinstance(raw, dict):
        raise DefinitionError(path, [f"expected a mapping of fields (id: ..., title: ...), got {type(raw).__name__}"])
    try:
        definition = Definition.model_validate(raw)
    except ValidationError as exc:
        raise DefinitionError(path, describe_validation_error(exc)) from None
    except (RecursionError, ValueError, TypeError) as exc:  # pydantic refuses some shapes outside ValidationError
        raise DefinitionError(
            path, [f"the fields could not be checked ({type(exc).__name__}); simplify the file"]
        ) from None
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
    except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        return [f"field 'formula': cannot be evaluated ({type(exc).__name__}: {exc}); simplify the formula"]
    if not _units_agree(computed, item.unit):
        return [
            f"field 'unit': is {item.unit!r} but the formula gives {computed!r}; "
            "declare the unit the formula produces (or rescale the formula)"
        ]
    return []


@dataclass(frozen=True)
class Problem:
    """One problem in one definition file: where, which field, what is wrong and how to fix it."""

    file: str
    field: str
    message: str
    fix: str

    def __str__(self) -> str:
        fix = f"; {self.fix}" if self.fix else ""
        where = f"field '{self.field}': " if self.field else ""
        return f"{self.file}: {where}{self.message}{fix}"


_FIELD = re.compile(r"^field '([^']*)': (.*)$", re.S)
#: The first words of the fix part of a problem line ("...; rename the file to ...").
_FIX_VERBS = (
    "use ",
    "rename",
    "move",
    "declare",
    "see ",
    "add ",
    "fix ",
    "give ",
    "set ",
    "choose",
    "simplify",
    "save",
)


def _problem(path: Path | str, line: str) -> Problem:
    """Split one 'field 'x': what is wrong; how to fix it' line into a :class:`Problem`."""
    match = _FIELD.match(line)
    field, rest = (match.group(1), match.group(2)) if match else ("", line)
    message, fix = rest, ""
    head, sep, tail = rest.rpartition("; ")
    if sep and tail.lower().startswith(_FIX_VERBS):
        message, fix = head, tail
    return Problem(str(path), field, message, fix or "see docs/adding-an-indicator.md for the fields and their forms")


def validate_definitions(
    paths: Iterable[Path],
    known_series: set[tuple[str, str, str]] | None = None,
    refreshable: set[tuple[str, str]] | frozenset = frozenset(),
) -> tuple[dict[str, Definition], list[Problem], int]:
    """Validate files; return (valid definitions by id, problems, number of files read).

    ``refreshable`` are the (source, dataset) pairs an enabled catalogue entry fetches: a definition reading
    one that is not stored yet is waiting for a refresh, not broken (the query layer says which to run).

    A definition is valid when its own file has no problem and every indicator its formula reads is
    valid too (a formula over a broken definition is left out with a problem naming it). Never raises
    for a file's content.
    """
    definitions: dict[str, Definition] = {}
    where: dict[str, Path] = {}
    problems: list[Problem] = []
    bad: set[str] = set()
    files = 0
    for path in paths:
        files += 1
        try:
            definition = load_definition(path)
        except DefinitionError as exc:
            problems.extend(_problem(exc.path, p) for p in exc.problems)
            continue
        except OSError as exc:
            problems.append(Problem(str(path), "", f"cannot be read ({exc.strerror or exc})", "check the file"))
            continue
        if definition.id in definitions:
            problems.append(
                Problem(str(path), "id", f"{definition.id!r} is already defined in {where[definition.id]}", "")
            )
            continue
        definitions[definition.id] = definition
        where[definition.id] = path
    datasets = {(s, d) for s, d, _ in known_series} if known_series is not None else set()
    for ident, definition in definitions.items():
        found: list[str] = []
        series = definition.series
        if series and known_series is not None:
            if (series.source, series.dataset) not in datasets | set(refreshable):
                found.append(
                    f"field 'series': there is no dataset {series.source}/{series.dataset} in the "
                    f"store; see `python -m connectors status`"
                )
            elif series.code is not None and (series.source, series.dataset, series.code) not in known_series:
                near = sorted(c for s, d, c in known_series if (s, d) == (series.source, series.dataset))[:12]
                found.append(
                    f"field 'series': no series {series.code!r} in the store; "
                    f"codes in {series.source}/{series.dataset} include {near}"
                )
        if definition.formula:
            found.extend(_check_formula(ident, definitions))
        if found:
            bad.add(ident)
            problems.extend(_problem(where[ident], line) for line in found)
    problems.extend(_dependants_of(bad, definitions, where))
    valid = {ident: d for ident, d in definitions.items() if ident not in bad}
    return valid, problems, files


def _dependants_of(bad: set[str], definitions: dict[str, Definition], where: dict[str, Path]) -> list[Problem]:
    """Add to ``bad`` every derived definition that reads a bad one (directly or not); one problem each."""
    problems = []
    changed = True
    while changed:
        changed = False
        for ident, item in definitions.items():
            if ident in bad or not item.formula:
                continue
            broken = sorted(set(expression.names_in(item.formula)) & bad)
            if broken:
                bad.add(ident)
                changed = True
                problems.append(
                    Problem(
                        str(where[ident]),
                        "formula",
                        f"reads {', '.join(broken)}, which has problems",
                        "fix those first",
                    )
                )
    return problems


def validate_all(paths: Iterable[Path], known_series: set[tuple[str, str, str]] | None = None):
    """Validate files; return (valid definitions by id, problems as 'file: field: message; fix' lines)."""
    definitions, problems, _ = validate_definitions(paths, known_series)
    return definitions, [str(p) for p in problems]


@lru_cache(maxsize=4)
def _load(root: Path) -> tuple[dict[str, Definition], tuple[Problem, ...]]:
    definitions, problems, _ = validate_definitions(definition_files(root))
    return definitions, tuple(problems)


def catalog() -> dict[str, Definition]:
    """Every valid shipped definition by id (cached). A bad file is left out, never raised: see
    :func:`definition_problems`."""
    return _load(DEFINITIONS_DIR)[0]


def definition_problems() -> tuple[Problem, ...]:
    """What is wrong with the shipped definition files that :func:`catalog` left out (empty when all are good)."""
    return _load(DEFINITIONS_DIR)[1]
