"""Areas as the pages see them: which areas a level holds and which levels have data.

The areas table itself (names, levels, aggregate flags, groups, parent country) is built on the data
side (:mod:`connectors.areas`) and read through :func:`indicators.query.areas`; this module only
answers questions about it, so pickers and peer groups agree on what a "country" is.
"""

from __future__ import annotations

import pandas as pd

from indicators import query
from indicators.constants import LEVEL_ORDER


def area_name(ref_area: str) -> str:
    """The area's name, or its code when unknown (see :func:`indicators.query.area_name`)."""
    return query.area_name(ref_area)


def areas_at_level(level: str) -> pd.DataFrame:
    """Non-aggregate areas of one level ('country', 'nuts2', 'tl2', 'gdl_region')."""
    table = query.areas()
    return table[(table["level"] == level) & ~table["is_aggregate"].fillna(False).astype(bool)]


def levels_with_data() -> tuple[str, ...]:
    """Levels that have both areas and at least one definition, country first."""
    present = set(query.areas()["level"])
    defined = {d.level for d in query.definitions().values()}
    return tuple(level for level in LEVEL_ORDER if level in present and level in defined)
