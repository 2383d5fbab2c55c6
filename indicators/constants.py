"""Names and numbers the whole indicators layer agrees on, defined once.

Pages and queries that order themes, pick the GDP series shown beside wellbeing measures or judge
whether a value is recent all read them from here, so a change (say, a different headline GDP
series) is made in one line and cannot drift between the Overview, Compare and Your index.
"""

from __future__ import annotations

from indicators.schema import LEVELS, THEMES

#: The GDP series every page puts *beside* the wellbeing measures (never inside a wellbeing score).
GDP_PER_CAPITA = "gdp_per_capita_ppp"
#: Themes in the order pages, pickers and the catalogue show them: wellbeing first, the economy beside it
#: (last) — a Beyond-GDP catalogue that opened on ten GDP rows answered the wrong question first.
THEME_ORDER: dict[str, int] = {
    theme: position for position, theme in enumerate([*(t for t in THEMES if t != "economy"), "economy"])
}
#: The themes that measure wellbeing and its conditions (everything but the economy).
WELLBEING_THEMES: tuple[str, ...] = tuple(theme for theme in THEMES if theme != "economy")
#: Area levels in the order pickers list them (countries first).
LEVEL_ORDER: tuple[str, ...] = LEVELS
#: A value more than this many years older than the newest one it is shown beside is "not recent".
RECENT_YEARS = 5
#: Fewer than this many observations in the trend window: no trend is claimed.
MIN_TREND_POINTS = 3
#: Confidence level of every trend interval the pages show.
CONFIDENCE = 0.90
