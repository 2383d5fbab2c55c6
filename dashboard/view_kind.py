"""What a shareable chart is: a :class:`ViewKind` (parse a link, build the chart) and the :class:`Drawn` it builds.

Each page folder's ``views.py`` lists its kinds in ``KINDS``; :mod:`dashboard.registry` gathers
them with plain imports. Nothing here imports a page or Streamlit, so the pages, the share
machinery, the export CLI and the bake all depend on this module and it depends on none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd


@dataclass(frozen=True)
class Drawn:
    """What a view kind's ``build`` returns: the chart and exactly the rows it draws."""

    chart: alt.TopLevelMixin
    data: pd.DataFrame
    title: str
    indicators: tuple[str, ...]
    stem: str  # file-name stem, e.g. "co2_per_capita_trajectory" (letters, digits, _ and - only)
    description: str = ""  # a text alternative for the chart
    notes: tuple[str, ...] = ()  # areas left out and similar, to show under the chart


@dataclass(frozen=True)
class ViewKind:
    """One chart a link can name: its page, and the pure functions that parse and draw it."""

    kind: str
    page: str
    label: str
    parse: Callable[[Mapping[str, object]], Any]
    build: Callable[[Any], Drawn]
