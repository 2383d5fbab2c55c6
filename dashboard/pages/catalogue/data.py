"""Indicators catalogue, view → data: the definitions that match a search text and filters."""

from __future__ import annotations

import pandas as pd

from indicators.catalog import catalog

PAGE = "catalogue"


def matches(table: pd.DataFrame, text: str, theme: str | None, level: str | None) -> pd.DataFrame:
    """Rows whose id, title, description, unit, publisher or tags contain every word of ``text``."""
    definitions = catalog()
    keep = pd.Series(True, index=table.index)
    if theme:
        keep &= table["theme"] == theme
    if level:
        keep &= table["level"] == level
    words = [w.lower() for w in text.split()]
    if words:
        haystack = table["id"].map(
            lambda i: " ".join(
                [
                    i,
                    definitions[i].title,
                    definitions[i].short_title,
                    definitions[i].description,
                    definitions[i].why_it_matters,
                    definitions[i].unit,
                    definitions[i].source.publisher,
                    " ".join(definitions[i].tags),
                ]
            ).lower()
        )
        for word in words:
            keep &= haystack.str.contains(word, regex=False)
    return table[keep]
