"""Overview page, view → data: the places it offers, the peer group a place is ranked among, the
years a trend may start, and each theme's scorecard table."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from dashboard.pages.overview import charts, first_view
from indicators import areas, assess, headline, query, scorecard
from indicators.constants import THEME_ORDER

PAGE = "overview"
#: Wellbeing first, GDP beside it: the page answers "is this place getting better beyond GDP?" before
#: it shows the economy (a Beyond-GDP dashboard that opens on ten GDP rows says the opposite).
THEME_TITLES = {
    "inclusive": "Inclusive: people and fairness",
    "circular": "Circular: materials and waste",
    "climate": "Climate: emissions and energy",
    "economy": "Economy: GDP and income, beside the rest",
}
#: The OECD How's Life framework components a definition's ``framework`` field names (now, the spread of
#: outcomes, later, elsewhere), in that order: the Overview's other way to group its standing charts.
FRAMEWORK_TITLES = {
    "current_wellbeing": "Current well-being: how life is now",
    "inequality": "Inequality: how outcomes are shared",
    "resources_for_the_future": "Resources for the future: what is left for later",
    "transboundary": "Transboundary: effects on people elsewhere",
}
#: ``group=`` of an Overview link -> the titles of its charts, in page order (``theme`` first: the default).
GROUP_TITLES = {"theme": THEME_TITLES, "framework": FRAMEWORK_TITLES}
#: The short name of each chart's tab ("Inclusive"), from its title ("Inclusive: people and fairness").
TAB_LABELS = {
    group: {key: title.split(":")[0] for key, title in titles.items()} for group, titles in GROUP_TITLES.items()
}
GROUP_LABELS = {"theme": "Theme", "framework": "Well-being framework (now, inequality, later, elsewhere)"}
FIRST_SINCE = 1990
#: Peer groups offered for a region: its own country's regions (the page's default, ``income_group`` in the
#: link, which applies to countries only), all regions of its level, or a list.
REGION_PEERS = ("all", "custom")
REGION_PEER_LABELS = {"income_group": "Regions of the same country", "all": "All regions of its level"}


def computed_place_options() -> tuple[str, ...]:
    """The picker's places as :func:`indicators.areas.picker_areas` orders them (computed now)."""
    return tuple(areas.picker_areas()["ref_area"])


@lru_cache(maxsize=1)
def _place_options() -> tuple[str, ...]:
    # Stored with the precomputed default view when it matches (computing needs the areas classified).
    stored = first_view.area_options()
    return stored if stored is not None else computed_place_options()


def place_options() -> list[str]:
    """The picker's places: countries by name, then aggregates in their own group; never entities such as
    "World Marine Bunkers" (regions are picked with "Find a region")."""
    return list(_place_options())


def area_options(asked: Iterable[str] = ()) -> list[str]:
    """Places a link may name: the picker's and every region of a level with data (see
    :func:`indicators.areas.link_places`)."""
    return areas.link_places(place_options(), asked)


def peer_options(area: str) -> list[str]:
    """The places a region may be compared with, one by one: the regions of its level, its country's first."""
    pool = areas.areas_at_level(areas.level_of(area))
    country = areas.classified().at[area, "parent"] if area in areas.classified().index else None
    own = pool["country"] == country
    return [*sorted(pool.index[own], key=query.area_name), *sorted(pool.index[~own], key=query.area_name)]


def since_years() -> tuple[int, int]:
    """The years a trend may start: at least two years before GDP's latest value (stored with the
    precomputed default view, see :mod:`first_view`)."""
    last = first_view.gdp_last_year()
    return FIRST_SINCE, (last if last is not None else query.year_range(assess.GDP)[1]) - 2


def peer_group(area: str, peers: str, similar: int, custom: tuple[str, ...]) -> assess.PeerGroup:
    """The peers a place is ranked among: an aggregate is compared with countries; a region with the other
    regions of its country at its level (for any group that applies to countries), or as ``peers`` says."""
    level = areas.level_of(area)
    if level != "country" and peers not in REGION_PEERS:
        return assess.peer_group("all", area, level=level, within=areas.classified().at[area, "parent"])
    return assess.peer_group(peers, area, level=level, n_similar=similar, custom=custom)


def theme_rows(area: str, members: tuple[str, ...], since: int, theme: str):
    """One theme's scorecard rows: for the default view the precomputed ones when they were computed for
    the running data and code (see :mod:`first_view`), else ``assess.scorecard_theme`` (read-only)."""
    stored = first_view.rows(area, members, since, theme)
    return stored if stored is not None else assess.scorecard_theme(area, members, since, theme)


@lru_cache(maxsize=128)
def place_card(area: str, members: tuple[str, ...], since: int):
    """The place's whole scorecard (every theme) from :func:`theme_rows`, so the default view's headline is
    built from the precomputed rows too: ``assess.scorecard`` would compute all four themes again, 1.6 s of
    CPU while a fresh server's first visitor waits for the first chart (read-only)."""
    return scorecard.assemble([theme_rows(area, members, since, theme) for theme in THEME_ORDER])


@lru_cache(maxsize=128)
def place_headline(area: str, members: tuple[str, ...], since: int) -> tuple[str, str]:
    """The headline sentence and coverage note of :func:`place_card` (``indicators.headline``)."""
    return headline.headline(place_card(area, members, since), area, since)


@lru_cache(maxsize=256)
def theme_table(area: str, members: tuple[str, ...], since: int, theme: str):
    """The theme's scorecard as the page's table shows it, built once per view (read-only)."""
    return charts.scorecard_table(theme_rows(area, members, since, theme))


@lru_cache(maxsize=512)
def group_rows(area: str, members: tuple[str, ...], since: int, group: str, key: str):
    """The scorecard rows of one chart: a theme's (``group="theme"``) or those whose definition's
    ``framework`` is ``key`` (``group="framework"``), in scorecard order (read-only)."""
    if group == "theme":
        return theme_rows(area, members, since, key)
    definitions = query.definitions()
    card = place_card(area, members, since)
    chosen = [definitions[ident].framework == key for ident in card["indicator"]]
    return card[chosen].reset_index(drop=True)


def styled_group_table(area: str, members: tuple[str, ...], since: int, group: str, key: str):
    """:func:`group_table` with its Status cells coloured (:func:`charts.styled_table`; its CSS named after
    ``key``). Built per run, not cached: a Styler works out its styles when Streamlit sends it, and one shared
    between sessions would be styled by two at once. The page draws one tab's table, a few milliseconds."""
    table = group_table(area, members, since, group, key)
    return charts.styled_table(table, uuid=f"ov_{group}_{key}")


@lru_cache(maxsize=256)
def group_table(area: str, members: tuple[str, ...], since: int, group: str, key: str):
    """:func:`group_rows` as the page's table shows it (the theme tables are shared with the warm-up)."""
    if group == "theme":
        return theme_table(area, members, since, key)
    return charts.scorecard_table(group_rows(area, members, since, group, key))
