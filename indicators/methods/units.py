"""A small unit algebra so that derived measures say what they are measured in.

Units are strings as analysts write them ("t", "USD", "t/person", "kg/USD", "%", "index",
"years", "t per person"). Each is read as a product of atoms with integer exponents; ``/``
(or the word ``per``) starts a denominator atom and ``*`` separates numerator atoms. Atoms
are kept verbatim apart from a few spelling aliases (``tonnes`` -> ``t``, ``persons`` ->
``person``, ``percent`` -> ``%``), so a long label such as ``constant 2017 int$`` is one atom.

The algebra is deliberately dimensional, not numerical: it does not know that 1 t = 1000 kg,
so ``material_footprint / population * 1000`` stays ``t/person``. A definition that rescales
must declare its output unit itself.
"""

from __future__ import annotations

import re

DIMENSIONLESS = "1"
PERCENT = "%"
PERCENTAGE_POINTS = "pp"
PERSON = "person"

ALIASES = {
    "": DIMENSIONLESS,
    "1": DIMENSIONLESS,
    "ratio": DIMENSIONLESS,
    "percent": PERCENT,
    "per cent": PERCENT,
    "%": PERCENT,
    "percentage points": PERCENTAGE_POINTS,
    "pp": PERCENTAGE_POINTS,
    "persons": PERSON,
    "people": PERSON,
    "capita": PERSON,
    "inhabitant": PERSON,
    "inhabitants": PERSON,
    "head": PERSON,
    "tonnes": "t",
    "tonne": "t",
    "tons": "t",
    "year": "years",
}


class UnitError(ValueError):
    """Two units that cannot be combined the way a formula asks."""


Unit = tuple[tuple[str, int], ...]  # ordered (atom, exponent) pairs, exponents never 0


def _atom(text: str) -> str:
    text = " ".join(text.split())
    return ALIASES.get(text.lower(), text)


def parse(unit: str | None) -> Unit:
    """Read a unit string into ordered (atom, exponent) pairs; dimensionless is ``()``."""
    if unit is None:
        return ()
    text = re.sub(r"\s+per\s+", "/", f" {unit} ").strip()
    parts = text.split("/")
    powers: dict[str, int] = {}
    for position, part in enumerate(parts):
        sign = 1 if position == 0 else -1
        for raw in part.split("*"):
            atom = _atom(raw)
            if atom == DIMENSIONLESS:
                continue
            match = re.fullmatch(r"(.+?)\^(-?\d+)", atom)
            atom, exponent = (match.group(1), int(match.group(2))) if match else (atom, 1)
            powers[atom] = powers.get(atom, 0) + sign * exponent
    return tuple((atom, power) for atom, power in powers.items() if power != 0)


def format_unit(unit: Unit) -> str:
    """Write parsed units back as ``a*b/c/d^2``; dimensionless is ``"1"``."""

    def term(atom: str, power: int) -> str:
        return atom if abs(power) == 1 else f"{atom}^{abs(power)}"

    numerator = "*".join(term(a, p) for a, p in unit if p > 0)
    denominators = [term(a, p) for a, p in unit if p < 0]
    if not numerator and not denominators:
        return DIMENSIONLESS
    return "/".join([numerator or DIMENSIONLESS, *denominators])


def normalise_unit(unit: str | None) -> str:
    """The canonical spelling of ``unit`` (``"tonnes per capita"`` -> ``"t/person"``)."""
    return format_unit(parse(unit))


def _combine(left: str, right: str, sign: int) -> str:
    powers = dict(parse(left))
    for atom, power in parse(right):
        powers[atom] = powers.get(atom, 0) + sign * power
    return format_unit(tuple((a, p) for a, p in powers.items() if p != 0))


def multiply(left: str, right: str) -> str:
    return _combine(left, right, +1)


def divide(left: str, right: str) -> str:
    return _combine(left, right, -1)


def add(left: str, right: str, operation: str = "+") -> str:
    """Unit of ``left + right`` (or ``-``): both sides must agree.

    The difference of two percentages is in percentage points (``pp``).
    """
    a, b = normalise_unit(left), normalise_unit(right)
    if a != b:
        raise UnitError(
            f"cannot compute {operation!r} of quantities in different units: {left!r} and {right!r}; "
            "convert one side first (for example per_capita or per_gdp) so both share a unit"
        )
    if operation == "-" and a == PERCENT:
        return PERCENTAGE_POINTS
    return a


def per_person(unit: str) -> str:
    """Unit of a per-capita measure: ``t`` -> ``t/person``."""
    return divide(unit, PERSON)
