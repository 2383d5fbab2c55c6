"""The one chart theme: Okabe–Ito colours (safe for the common colour-vision deficiencies),
readable type from phone to projector, and a deliberate row ceiling instead of Altair's
silent-looking 5,000-row error.
"""

from __future__ import annotations

import re
import textwrap

import altair as alt

from indicators import constants

#: Okabe & Ito (2008) palette, reordered so the first colours differ most in lightness too.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
CONTEXT_GREY = "#BBBBBB"
#: The order themes are listed in everywhere: wellbeing first, the economy beside it (last); one home.
THEME_ORDER = constants.THEME_ORDER
THEME_COLOURS = {"economy": "#0072B2", "inclusive": "#CC79A7", "circular": "#009E73", "climate": "#D55E00"}
STATUS_COLOURS = {
    "achieved": "#009E73",
    "on_track": "#56B4E9",
    "moderately_improving": "#E69F00",
    "stagnating_or_worsening": "#D55E00",
}
#: Line styles for many series: the first len(PALETTE) solid, the next ones dashed, so the 9th line
#: (same colour as the 1st) is still told apart.
DASHES = ([1, 0], [6, 3])


def series_styles(names: list[str]) -> tuple[alt.Scale, alt.Scale]:
    """Colour and dash scales for ``names`` in order: colours cycle through :data:`PALETTE`, every
    cycle after the first is dashed, so no two of up to 16 series look the same."""
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    dashes = [DASHES[min(i // len(PALETTE), 1)] for i in range(len(names))]
    return alt.Scale(domain=names, range=colours), alt.Scale(domain=names, range=dashes)


#: A chart title longer than this is wrapped onto more lines: Vega cuts a title at the chart's width with
#: "…", and a title that names the place and the comparison is often longer than a half-width chart.
TITLE_CHARS = 38


def label_unit(label: str, unit: str) -> str:
    """ "Life expectancy (years)": a label with its unit in brackets, or the label alone when it already
    names the unit — "Regional GDP per inhabitant (PPS)" with unit PPS/inhabitant would otherwise read
    "(PPS) (PPS/inhabitant)". A label names its unit when it ends in brackets and holds every word of it."""
    if not unit:
        return label
    words = set(re.findall(r"[^\W\d_]+", unit.lower()))
    if label.rstrip().endswith(")") and words and words <= set(re.findall(r"[^\W\d_]+", label.lower())):
        return label
    return f"{label} ({unit})"


def title_lines(text: str, width: int = TITLE_CHARS) -> str | list[str]:
    """``text`` as one line, or as several lines of at most ``width`` characters (Vega-Lite takes a list)."""
    lines = textwrap.wrap(text, width, break_on_hyphens=False)
    return lines if len(lines) > 1 else text


#: Subtitle lines (smaller type) take a little more than :data:`TITLE_CHARS`.
SUBTITLE_CHARS = 56


def heading(
    title: str,
    subtitle: str | list[str] | None = None,
    *,
    width: int = TITLE_CHARS,
    subtitle_width: int = SUBTITLE_CHARS,
    **params,
) -> alt.TitleParams:
    """A chart's title and subtitle, wrapped into lines (:func:`title_lines`) and never cut: ``limit=0``.

    Why the limit: Streamlit gives a title without one a limit of the chart's width minus 40 px, and Vega
    then cuts every longer line with "…" — on a narrow column or a phone, the words that name the place
    or the year. With ``limit=0`` Vega draws each line whole; the wrapping keeps lines short enough to fit.
    Every chart builder's title goes through here (``tests/dashboard/test_titles_never_cut.py`` checks
    every view kind's spec). ``params`` go to :class:`alt.TitleParams` (e.g. ``fontSize``).
    """
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle or [])
    sub_lines: list[str] = []
    for line in filter(None, lines):
        part = title_lines(line, subtitle_width)
        sub_lines += part if isinstance(part, list) else [part]
    text = title_lines(title, width)
    if sub_lines:
        return alt.TitleParams(text, subtitle=sub_lines, limit=0, **params)
    return alt.TitleParams(text, limit=0, **params)


#: The Vega-Lite (d3) format of every number a chart shows people (tooltips, labels, legends): four
#: significant digits with thousands separators and no padding zeros — 65,610, 82.8, 0.0123. Never "g",
#: which writes 22,600 as "2.26e+4"; it matches :func:`indicators.numbers.readable` in captions and titles.
NUMBER_FORMAT = ",.4~r"

#: Charts embed at most this many rows; more is refused loudly (see :func:`check_rows`).
MAX_ROWS = 50_000
THEME_NAME = "beyond_gdp"


class TooManyRowsError(ValueError):
    """A chart was asked to draw more rows than :data:`MAX_ROWS`; narrow the selection."""


def check_rows(n_rows: int, what: str) -> None:
    if n_rows > MAX_ROWS:
        raise TooManyRowsError(
            f"{what}: {n_rows:,} rows is more than the {MAX_ROWS:,} a chart draws; "
            "choose fewer areas or a shorter period (no rows are dropped silently)"
        )


@alt.theme.register(THEME_NAME, enable=True)
def beyond_gdp_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": "Source Sans Pro, Helvetica, Arial, sans-serif",
            "range": {"category": PALETTE},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "gridColor": "#E6E6E6"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "columns": 4, "labelLimit": 0},
            "title": {"fontSize": 16, "anchor": "start", "subtitleFontSize": 12, "subtitleColor": "#555555"},
            "view": {"stroke": None},
        }
    }


alt.data_transformers.enable("default", max_rows=MAX_ROWS)
