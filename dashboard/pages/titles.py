"""Chart titles that survive a narrow column, a phone or an iframe (wrapped into lines, never cut), and
thresholds written as their sources state them.

A Vega title is one line, and Streamlit shortens a line wider than its column with "…" — a title
that names the place and the comparison would lose exactly the words that make it quotable. Pure
(no Streamlit), so the page, the exports and the golden specs all get the same lines.
"""

from __future__ import annotations

import altair as alt

from dashboard.theme import title_lines
from indicators.numbers import readable

#: Characters per title line; subtitles (smaller type) take a little more.
TITLE_WIDTH = 56
SUBTITLE_WIDTH = 84


def wrapped(title: str, subtitle: str | list[str] = "") -> alt.TitleParams:
    """``alt.TitleParams`` with the title and each subtitle line wrapped (by :func:`dashboard.theme.title_lines`)
    at widths for the new pages' mostly full-width charts."""
    subtitles = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    sub_lines = []
    for line in filter(None, subtitles):
        wrapped_line = title_lines(line, SUBTITLE_WIDTH)
        sub_lines += wrapped_line if isinstance(wrapped_line, list) else [wrapped_line]
    lines = title_lines(title, TITLE_WIDTH)
    return alt.TitleParams(lines, subtitle=sub_lines) if sub_lines else alt.TitleParams(lines)


def published(value: float) -> str:
    """A target or threshold as its source states it: 30, 1.61, 6.5 (no padding zeros, no float noise
    such as 100 − 70 = 30.000000000000004)."""
    return readable(value)
