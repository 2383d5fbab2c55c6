"""Numbers written for people: one place that turns a float into the text a page, a caption, a title or a
signal shows, never in e-notation and never with float noise.

65,610 and 82.8 (four significant digits, thousands separators, no padding zeros); a change such as
+1,160/year. Charts use the matching Vega-Lite format, ``dashboard.theme.NUMBER_FORMAT``, so a tooltip
and the sentence beside it agree. Why not ``f"{x:.4g}"``: it writes 43,100 as ``4.31e+04``.
"""

from __future__ import annotations

import math


def readable(value: float, significant: int = 4, signed: bool = False) -> str:
    """A number for a sentence, never in e-notation: 65,610 and 98.74 (levels, four significant digits,
    trailing zeros dropped: 82.8 not 82.80); with ``signed=True, significant=3`` a change such as +1,160 or
    -0.0123. Large values are rounded too (1,234,567 -> 1,235,000): four digits is what the data supports."""
    value = float(value)
    if not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    decimals = significant - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, decimals)
    if rounded == 0:
        return "0"
    text = f"{rounded:{'+' if signed else ''},.{max(decimals, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def per_year(value: float, unit: str = "") -> str:
    """An annual change for a sentence: '+1,160/year', '-0.0123/year'; with the measure's ``unit``,
    '+625 int$ (2021 PPP)/person a year' (a bare "+625/year" cannot be quoted: 625 of what?)."""
    change = readable(value, 3, signed=True)
    if unit == "%":  # a share that moves by 0.4 a year moves by points, not by 0.4 per cent of itself
        unit = "percentage points"
    return f"{change} {unit} a year" if unit else f"{change}/year"


def with_unit(value: float, unit: str = "") -> str:
    """A level for a sentence with its unit when known: '3.41 t CO2/person'; '%' sticks to the number."""
    text = readable(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"
