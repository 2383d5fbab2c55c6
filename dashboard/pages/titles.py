"""Chart titles that survive a narrow column, a phone or an iframe (wrapped into lines, never cut), and
thresholds written as their sources state them.

A Vega title is one line, and Streamlit shortens a line wider than its column with "…" — a title
that names the place and the comparison would lose exactly the words that make it quotable. Pure
(no Streamlit), so the page, the exports and the golden specs all get the same lines.
"""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt

from dashboard.theme import heading
from indicators.numbers import readable

#: Characters per title line; subtitles (smaller type) take a little more. Titles are never cut
#: (:func:`dashboard.theme.heading`), so a line must fit the narrowest place a full-width chart is drawn: a
#: phone's 360 px of text, at 7.8 px a character of the 16 px bold title and 5.9 of the 12 px subtitle.
TITLE_WIDTH = 44
SUBTITLE_WIDTH = 60


def wrapped(title: str, subtitle: str | list[str] = "") -> alt.TitleParams:
    """The title and each subtitle line wrapped and never cut (:func:`dashboard.theme.heading`), at widths
    for the new pages' mostly full-width charts."""
    return heading(title, subtitle, width=TITLE_WIDTH, subtitle_width=SUBTITLE_WIDTH)


def published(value: float) -> str:
    """A target or threshold as its source states it: 30, 1.61, 6.5 (no padding zeros, no float noise
    such as 100 − 70 = 30.000000000000004)."""
    return readable(value)


def years_of(years: Iterable[int], up_to: int | None = None, per: str = "place") -> str:
    """Which year(s) a chart of latest values shows, for its title: '2016' when every value is of one year,
    'latest year per place, 2014–2016' when they differ ('latest up to 2012 per place, 2010–2012' when a
    year was chosen; ``per`` names what each value's year is the latest of). A journalist quoting
    "(latest)" could not say of when."""
    found = sorted({int(y) for y in years})
    if not found:
        return "no values" if up_to is None else f"no values up to {up_to}"
    if len(found) == 1:
        return str(found[0])
    which = f"latest year per {per}" if up_to is None else f"latest up to {up_to} per {per}"
    return f"{which}, {found[0]}–{found[-1]}"
