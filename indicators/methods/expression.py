"""A safe, tiny formula language for derived indicators (``co2_consumption - co2_territorial``).

Formulas come from YAML files anyone can edit, so they are never passed to ``eval``/``exec``.
The text is parsed with :func:`ast.parse` in ``eval`` mode and the tree is walked by hand.
Only these nodes are allowed: names of indicators, numeric constants, ``+ - * /``, unary
minus, parentheses (which leave no node), and calls to the named transforms in
:data:`indicators.methods.derived.TRANSFORMS` with indicator/formula arguments followed by
numeric parameters (positionally or by keyword). Everything else (attribute access,
subscripts, lambdas, comprehensions, strings, dunder names, calls to anything else) raises
:class:`FormulaError` naming the offending part.

Evaluation carries units: ``t`` / ``USD`` gives ``t/USD``; ``x - y`` requires equal units.
A bare number is unit-free: it scales (``* 1000``) without changing the unit and, in
``+``/``-``, takes the unit of the other side (``100 - renewable_share`` stays ``%``).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.methods import units
from indicators.methods.derived import TRANSFORMS
from indicators.methods.registry import lookup

MAX_FORMULA_LENGTH = 500
#: Numbers in formulas stay within this magnitude: enough for any unit conversion (1e12 = tera), and a
#: product of a few of them cannot overflow a float unnoticed. Scale belongs in a unit or ``series.scale``.
MAX_CONSTANT = 1e15
#: Formulas nested deeper than this are refused (no real measure needs it; it keeps the walk shallow).
MAX_DEPTH = 40


class FormulaError(ValueError):
    """A formula that is not allowed or cannot be evaluated."""


@dataclass(frozen=True)
class Measure:
    """A value (series or plain number) with its unit; ``unit is None`` marks a bare number."""

    values: pd.Series | float
    unit: str | None


_OPERATORS = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
}


def _where(node: ast.AST, text: str) -> str:
    segment = ast.get_source_segment(text, node) or type(node).__name__
    return f"{segment!r} (column {getattr(node, 'col_offset', 0) + 1})"


def parse_formula(text: str) -> ast.Expression:
    """Parse and check ``text``; raise :class:`FormulaError` on anything not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("a formula must be a non-empty string such as 'co2_consumption - co2_territorial'")
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"formula is {len(text)} characters long; the limit is {MAX_FORMULA_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"formula {text!r} is not valid: {exc.msg} at column {exc.offset}") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # e.g. a null byte, or nesting Python cannot parse
        raise FormulaError(f"formula {text[:60]!r} cannot be read ({type(exc).__name__}); simplify it") from None
    _check(tree.body, text.strip())
    return tree


def _check(node: ast.AST, text: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise FormulaError(f"formula is nested more than {MAX_DEPTH} levels deep; split it into named indicators")
    depth += 1
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise FormulaError(f"names starting with '_' are not allowed in formulas: {_where(node, text)}")
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"only numeric constants are allowed in formulas, not {_where(node, text)}")
        if not abs(node.value) <= MAX_CONSTANT:  # also catches 1e999 (inf) and a 400-digit integer
            digits = len(str(abs(node.value)))
            shown = f"the number {node.value}" if digits < 30 else f"a {digits}-digit number"
            raise FormulaError(
                f"{shown} is too large for a formula (limit ±{MAX_CONSTANT:.0e}); "
                "put the scale in the unit or in series.scale"
            )
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            raise FormulaError(f"only + - * / are allowed; {_where(node, text)} uses another operator")
        _check(node.left, text, depth)
        _check(node.right, text, depth)
        if isinstance(node.op, ast.Div) and isinstance(node.right, ast.Constant) and node.right.value == 0:
            raise FormulaError(f"division by zero in {_where(node, text)}")
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub):
            raise FormulaError(f"only unary minus is allowed; not {_where(node, text)}")
        _check(node.operand, text, depth)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise FormulaError(f"only calls to named transforms are allowed; not {_where(node.func, text)}")
        if node.func.id not in TRANSFORMS:
            valid = ", ".join(sorted(TRANSFORMS))
            raise FormulaError(f"{_where(node.func, text)} is not an allowed transform; allowed transforms: {valid}")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise FormulaError(f"starred arguments are not allowed: {_where(arg, text)}")
            _check(arg, text, depth)
        for keyword in node.keywords:
            if keyword.arg is None or not isinstance(keyword.value, ast.Constant):
                raise FormulaError(f"keyword arguments must be name=number: {_where(keyword.value, text)}")
            _check(keyword.value, text, depth)
        return
    raise FormulaError(f"{type(node).__name__} is not allowed in formulas: {_where(node, text)}")


def names_in(text: str) -> list[str]:
    """The indicator names a formula reads, in order of first use (transform names excluded)."""
    tree = parse_formula(text)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called), key=lambda n: n.col_offset
    )
    return list(dict.fromkeys(n.id for n in names))


def calls_in(text: str) -> list[str]:
    """The transforms a formula calls, in order of first use."""
    tree = parse_formula(text)
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda n: n.col_offset)
    return list(dict.fromkeys(n.func.id for n in calls))


def evaluate(text: str, variables: Mapping[str, pd.Series], variable_units: Mapping[str, str]) -> Measure:
    """Evaluate a formula over ``(ref_area, year)`` series; returns values and derived unit.

    ``variables`` maps each indicator name to its series, ``variable_units`` to its unit.
    """
    tree = parse_formula(text)
    return _evaluate(tree.body, text.strip(), variables, variable_units)


def unit_of(text: str, variable_units: Mapping[str, str]) -> str:
    """The unit a formula produces, without any data (raises :class:`units.UnitError`)."""
    tree = parse_formula(text)
    dummy = {name: pd.Series(dtype=float, index=pd.MultiIndex.from_arrays([[], []])) for name in variable_units}
    result = _evaluate(tree.body, text.strip(), dummy, variable_units)
    return units.DIMENSIONLESS if result.unit is None else result.unit


def _evaluate(
    node: ast.AST, text: str, variables: Mapping[str, pd.Series], variable_units: Mapping[str, str]
) -> Measure:
    if isinstance(node, ast.Constant):
        return Measure(float(node.value), None)
    if isinstance(node, ast.Name):
        if node.id not in variables:
            known = ", ".join(sorted(variables)) or "(none)"
            raise FormulaError(f"formula {text!r} uses unknown indicator {node.id!r}; known: {known}")
        return Measure(variables[node.id], units.normalise_unit(variable_units.get(node.id)))
    if isinstance(node, ast.UnaryOp):
        inner = _evaluate(node.operand, text, variables, variable_units)
        return Measure(-inner.values, inner.unit)
    if isinstance(node, ast.BinOp):
        left = _evaluate(node.left, text, variables, variable_units)
        right = _evaluate(node.right, text, variables, variable_units)
        symbol, func = _OPERATORS[type(node.op)]
        unit = _binop_unit(symbol, left.unit, right.unit, node, text)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # undefined values are counted later
            try:
                return Measure(func(left.values, right.values), unit)
            except (ZeroDivisionError, OverflowError):  # only between two bare numbers
                return Measure(float("nan"), unit)
    if isinstance(node, ast.Call):
        return _call(node, text, variables, variable_units)
    raise FormulaError(f"{type(node).__name__} is not allowed in formulas")  # unreachable after _check


def _binop_unit(symbol: str, left: str | None, right: str | None, node: ast.AST, text: str) -> str | None:
    if left is None and right is None:
        return None
    if symbol in "+-":
        if left is None or right is None:
            return left if right is None else right
        try:
            return units.add(left, right, symbol)
        except units.UnitError as exc:
            raise units.UnitError(f"in {_where(node, text)}: {exc}") from None
    left_unit = units.DIMENSIONLESS if left is None else left
    right_unit = units.DIMENSIONLESS if right is None else right
    return units.multiply(left_unit, right_unit) if symbol == "*" else units.divide(left_unit, right_unit)


def _call(node: ast.Call, text: str, variables: Mapping[str, pd.Series], variable_units: Mapping[str, str]) -> Measure:
    transform = lookup(TRANSFORMS, node.func.id, "transform")
    series_args = node.args[: transform.n_series]
    param_args = node.args[transform.n_series :]
    name = node.func.id
    if len(series_args) != transform.n_series:
        raise FormulaError(f"{name}() takes {transform.n_series} indicator argument(s): {_where(node, text)}")
    params: dict[str, float] = {}
    for arg, pname in zip(param_args, transform.parameters, strict=False):
        if not isinstance(arg, ast.Constant):
            raise FormulaError(f"parameter {pname!r} of {name}() must be a number: {_where(arg, text)}")
        params[pname] = arg.value
    if len(param_args) > len(transform.parameters):
        raise FormulaError(f"{name}() takes parameters {list(transform.parameters)}: {_where(node, text)}")
    for keyword in node.keywords:
        if keyword.arg not in transform.parameters:
            raise FormulaError(
                f"{name}() has no parameter {keyword.arg!r}; its parameters: {list(transform.parameters)}"
            )
        params[keyword.arg] = keyword.value.value
    measures = [_evaluate(arg, text, variables, variable_units) for arg in series_args]
    for arg, measure in zip(series_args, measures, strict=True):
        if not isinstance(measure.values, pd.Series):
            raise FormulaError(f"{name}() needs an indicator (a series), not a number: {_where(arg, text)}")
    arg_units = [units.DIMENSIONLESS if m.unit is None else m.unit for m in measures]
    try:
        unit = transform.unit_rule(arg_units)
    except units.UnitError as exc:
        raise units.UnitError(f"in {_where(node, text)}: {exc}") from None
    try:
        values = transform.function(*[m.values for m in measures], **params)
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise FormulaError(f"{name}() cannot be computed with these parameters: {exc}") from None
    return Measure(values, unit)
