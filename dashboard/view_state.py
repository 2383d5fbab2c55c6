"""View state <-> URL query parameters, parsed against a schema so every view is a safe link.

A link may come from anywhere, so nothing in it is trusted: each parameter is checked
against what the data knows (indicator ids, area codes, years, fixed choices). A bad value is
replaced by the default and produces a short notice for the page to show — never an
exception, and never text that is rendered as HTML or evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace

MAX_PARAM_LENGTH = 500
MAX_AREAS = 12
_CODE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")

DEFAULT_INDICATOR = "gdp_per_capita_ppp"
DEFAULT_AREAS = ("SWE", "USA", "DEU", "CHN", "IND", "BRA")
SCALES = ("linear", "log", "indexed")


@dataclass(frozen=True)
class TrajectoryView:
    """What the Trajectories page shows; the URL carries exactly these fields."""

    indicator: str = DEFAULT_INDICATOR
    areas: tuple[str, ...] = DEFAULT_AREAS
    start: int | None = None
    end: int | None = None
    scale: str = "linear"
    base: int | None = None
    context: bool = False
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        """Only non-default values, so shared links stay short and readable."""
        default = TrajectoryView()
        query: dict[str, str] = {}
        if self.indicator != default.indicator:
            query["ind"] = self.indicator
        if self.areas != default.areas:
            query["areas"] = ",".join(self.areas)
        for name in ("start", "end", "base"):
            if getattr(self, name) is not None:
                query[{"start": "from", "end": "to", "base": "base"}[name]] = str(getattr(self, name))
        if self.scale != default.scale:
            query["scale"] = self.scale
        if self.context:
            query["context"] = "1"
        return query


def _first(params: Mapping[str, object], key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value)


def _shown(value: str) -> str:
    """A bad value quoted in a notice: shortened, and only printable characters."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in value)
    return repr(clean[:40] + ("…" if len(clean) > 40 else ""))


def _year(raw: str | None, name: str, years: tuple[int, int], notices: list[str]) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.strip().lstrip("-").isdigit() or len(raw) > 6:
        notices.append(f"'{name}' must be a year; ignored {_shown(raw)}")
        return None
    value = int(raw)
    low, high = years
    if not low <= value <= high:
        notices.append(f"'{name}' {value} is outside the data ({low}–{high}); ignored")
        return None
    return value


def parse_trajectory(
    params: Mapping[str, object],
    *,
    indicators: Iterable[str],
    areas: Iterable[str],
    years: tuple[int, int] = (1800, 2100),
    extra_allowed: Iterable[str] = (),
) -> TrajectoryView:
    """Build a :class:`TrajectoryView` from URL parameters, with a notice for every bad one."""
    known_indicators, known_areas = set(indicators), set(areas)
    notices: list[str] = []
    allowed = {"ind", "areas", "from", "to", "scale", "base", "context", *extra_allowed}
    for key in params:
        if key not in allowed:
            notices.append(f"unknown parameter {_shown(str(key))} ignored")
    raw = {k: _first(params, k) for k in allowed}
    for key, value in raw.items():
        if value is not None and len(value) > MAX_PARAM_LENGTH:
            notices.append(f"'{key}' is too long ({len(value)} characters); ignored")
            raw[key] = None
    view = TrajectoryView()
    changes: dict[str, object] = {}

    if raw["ind"] is not None:
        if raw["ind"] in known_indicators:
            changes["indicator"] = raw["ind"]
        else:
            notices.append(f"unknown indicator {_shown(raw['ind'])}; showing {view.indicator}")

    if raw["areas"] is not None:
        codes = [c.strip().upper() for c in raw["areas"].split(",") if c.strip()]
        good = [c for c in dict.fromkeys(codes) if _CODE.match(c) and c in known_areas]
        bad = [c for c in codes if c not in good]
        if bad:
            notices.append(f"unknown area code(s) {', '.join(_shown(b) for b in bad[:5])} ignored")
        if len(good) > MAX_AREAS:
            notices.append(f"at most {MAX_AREAS} areas are shown; kept the first {MAX_AREAS}")
            good = good[:MAX_AREAS]
        if good:
            changes["areas"] = tuple(good)
        elif codes:
            notices.append("no known area left; showing the default selection")

    start = _year(raw["from"], "from", years, notices)
    end = _year(raw["to"], "to", years, notices)
    if start is not None and end is not None and start > end:
        notices.append(f"'from' {start} is after 'to' {end}; swapped them")
        start, end = end, start
    changes["start"], changes["end"] = start, end
    changes["base"] = _year(raw["base"], "base", years, notices)

    if raw["scale"] is not None:
        if raw["scale"] in SCALES:
            changes["scale"] = raw["scale"]
        else:
            notices.append(f"'scale' must be one of {', '.join(SCALES)}; ignored {_shown(raw['scale'])}")
    if raw["context"] is not None:
        changes["context"] = raw["context"].lower() in ("1", "true", "yes", "on")

    return replace(view, **changes, notices=tuple(notices))


def as_dict(view: TrajectoryView) -> dict:
    data = asdict(view)
    data.pop("notices")
    return data


def field_names() -> list[str]:
    return [f.name for f in fields(TrajectoryView) if f.name != "notices"]


#: Parameters every shareable page accepts besides its own view fields.
SHARE_PARAMS = ("embed", "v", "chart")
_VERSION = re.compile(r"^[0-9a-f]{6,64}$")


@dataclass(frozen=True)
class ShareOptions:
    """How a link asks for a view to be shown: bare for an iframe, pinned to a data version, which chart."""

    embed: bool = False
    version: str | None = None
    chart: str | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)


def parse_share(params: Mapping[str, object], *, charts: Iterable[str]) -> ShareOptions:
    """Read ``embed``, ``v`` (data version the link was made with) and ``chart`` (which chart of the page).

    Like the view fields, each is checked against a closed set or a strict pattern; a bad value
    is dropped with a notice.
    """
    notices: list[str] = []
    raw = {key: _first(params, key) for key in SHARE_PARAMS}
    embed = False
    if raw["embed"] is not None:
        embed = raw["embed"].strip().lower() in ("1", "true", "yes", "on")
    version = None
    if raw["v"] is not None:
        if _VERSION.match(raw["v"]):
            version = raw["v"]
        else:
            notices.append(f"'v' must be a data version such as 3d8733c31ec8; ignored {_shown(raw['v'])}")
    chart = None
    if raw["chart"] is not None:
        known = list(charts)
        if raw["chart"] in known:
            chart = raw["chart"]
        else:
            notices.append(f"'chart' must be one of {', '.join(known)}; ignored {_shown(raw['chart'])}")
    return ShareOptions(embed=embed, version=version, chart=chart, notices=tuple(notices))


# --- Overview, Compare and Indicators catalogue pages -------------------------------------------------

PEER_KINDS = ("income_group", "world_region", "oecd", "eu27", "all", "similar_gdp", "custom")
DEFAULT_SINCE = 2010
DEFAULT_SIMILAR = 15
SIMILAR_RANGE = (5, 60)
MAX_INDICATORS = 8
COMPARE_CHARTS = ("ranked", "multiples", "table")
FORMS = ("per_capita", "total")
MAX_QUERY_TEXT = 80


def _raw_params(params: Mapping[str, object], allowed: set[str], notices: list[str]) -> dict[str, str | None]:
    """The allowed parameters as strings (last value wins), with notices for unknown or over-long ones."""
    for key in params:
        if key not in allowed:
            notices.append(f"unknown parameter {_shown(str(key))} ignored")
    raw = {k: _first(params, k) for k in allowed}
    for key, value in raw.items():
        if value is not None and len(value) > MAX_PARAM_LENGTH:
            notices.append(f"'{key}' is too long ({len(value)} characters); ignored")
            raw[key] = None
    return raw


def _choice(raw: str | None, name: str, options: Iterable[str], default, notices: list[str]):
    if raw is None:
        return default
    options = tuple(options)
    if raw in options:
        return raw
    notices.append(f"'{name}' must be one of {', '.join(options)}; ignored {_shown(raw)}")
    return default


def _area(raw: str | None, name: str, known: set[str], default: str, notices: list[str]) -> str:
    if raw is None:
        return default
    code = raw.strip().upper()
    if _CODE.match(code) and code in known:
        return code
    notices.append(f"unknown area code {_shown(raw)} for '{name}'; showing {default}")
    return default


def _area_list(raw: str | None, name: str, known: set[str], notices: list[str], limit: int = 60) -> tuple[str, ...]:
    if raw is None:
        return ()
    codes = [c.strip().upper() for c in raw.split(",") if c.strip()]
    good = [c for c in dict.fromkeys(codes) if _CODE.match(c) and c in known]
    bad = [c for c in codes if c not in good]
    if bad:
        notices.append(f"unknown area code(s) {', '.join(_shown(b) for b in bad[:5])} in '{name}' ignored")
    if len(good) > limit:
        notices.append(f"at most {limit} areas in '{name}'; kept the first {limit}")
        good = good[:limit]
    return tuple(good)


def _count(raw: str | None, name: str, bounds: tuple[int, int], default: int, notices: list[str]) -> int:
    if raw is None:
        return default
    low, high = bounds
    if raw.strip().isdigit() and low <= int(raw) <= high:
        return int(raw)
    notices.append(f"'{name}' must be a whole number from {low} to {high}; ignored {_shown(raw)}")
    return default


PEER_PARAMS = ("peers", "n", "with")


def _peer_query(peers: str, similar: int, custom: tuple[str, ...], default_similar: int) -> dict[str, str]:
    """The link parameters of a peer-group choice (Overview and Compare share them)."""
    query = {}
    if peers == "similar_gdp" and similar != default_similar:
        query["n"] = str(similar)
    if peers == "custom" and custom:
        query["with"] = ",".join(custom)
    return query


def _parse_peers(
    raw: Mapping[str, str | None], known: set[str], default: OverviewView | CompareView, notices: list[str]
) -> tuple[str, int, tuple[str, ...]]:
    """(peers, similar, custom) from a link's ``peers``, ``n`` and ``with``; a custom group without areas
    falls back to the view's default group with a notice."""
    default_peers, default_similar = default.peers, default.similar
    peers = _choice(raw["peers"], "peers", PEER_KINDS, default_peers, notices)
    similar = _count(raw["n"], "n", SIMILAR_RANGE, default_similar, notices)
    custom = _area_list(raw["with"], "with", known, notices)
    if peers == "custom" and not custom:
        label = {"income_group": "the income group", "oecd": "OECD members"}.get(default_peers, default_peers)
        notices.append(f"'peers=custom' needs a list of areas in 'with'; using {label}")
        peers = default_peers
    return peers, similar, custom


@dataclass(frozen=True)
class OverviewView:
    """What the Overview page shows: one place, the peers it is ranked among, and the trend start year."""

    area: str = "SWE"
    peers: str = "income_group"
    since: int = DEFAULT_SINCE
    similar: int = DEFAULT_SIMILAR
    custom: tuple[str, ...] = ()
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        default = OverviewView()
        query: dict[str, str] = {}
        if self.area != default.area:
            query["area"] = self.area
        if self.peers != default.peers:
            query["peers"] = self.peers
        if self.since != default.since:
            query["since"] = str(self.since)
        return query | _peer_query(self.peers, self.similar, self.custom, default.similar)


def parse_overview(
    params: Mapping[str, object],
    *,
    areas: Iterable[str],
    years: tuple[int, int] = (1990, 2023),
    extra_allowed: Iterable[str] = (),
) -> OverviewView:
    """Build an :class:`OverviewView` from URL parameters; ``years`` bounds the trend start year."""
    notices: list[str] = []
    known = set(areas)
    raw = _raw_params(params, {"area", "since", *PEER_PARAMS, *extra_allowed}, notices)
    default = OverviewView()
    area = _area(raw["area"], "area", known, default.area if default.area in known else min(known), notices)
    peers, similar, custom = _parse_peers(raw, known, default, notices)
    since = _year(raw["since"], "since", years, notices) or default.since
    return OverviewView(area, peers, since, similar, custom, notices=tuple(notices))


@dataclass(frozen=True)
class CompareView:
    """What the Compare page shows: indicators across a peer group, in a chosen year and chart."""

    indicators: tuple[str, ...] = ("life_expectancy", "co2_per_capita", "gini_index")
    area: str = "SWE"
    peers: str = "oecd"
    similar: int = DEFAULT_SIMILAR
    custom: tuple[str, ...] = ()
    year: int | None = None
    form: str = "per_capita"
    chart: str = "ranked"
    level: str = "country"
    within: str | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        default = CompareView()
        query: dict[str, str] = {}
        if self.indicators != default.indicators:
            query["ind"] = ",".join(self.indicators)
        if self.area != default.area:
            query["area"] = self.area
        if self.peers != default.peers:
            query["peers"] = self.peers
        query |= _peer_query(self.peers, self.similar, self.custom, default.similar)
        if self.year is not None:
            query["year"] = str(self.year)
        if self.form != default.form:
            query["form"] = self.form
        if self.chart != default.chart:
            query["view"] = self.chart
        if self.level != default.level:
            query["level"] = self.level
        if self.within:
            query["within"] = self.within
        return query


def parse_compare(
    params: Mapping[str, object],
    *,
    indicators: Iterable[str],
    areas: Iterable[str],
    levels: Iterable[str] = ("country",),
    countries: Iterable[str] = (),
    years: tuple[int, int] = (1800, 2100),
    extra_allowed: Iterable[str] = (),
) -> CompareView:
    """Build a :class:`CompareView`; ``countries`` are the codes a ``within`` filter may name."""
    notices: list[str] = []
    known_indicators, known_areas = list(indicators), set(areas)
    allowed = {"ind", "area", *PEER_PARAMS, "year", "form", "view", "level", "within", *extra_allowed}
    raw = _raw_params(params, allowed, notices)
    default = CompareView()
    chosen = default.indicators
    if raw["ind"] is not None:
        asked = [i.strip() for i in raw["ind"].split(",") if i.strip()]
        good = [i for i in dict.fromkeys(asked) if i in known_indicators]
        bad = [i for i in asked if i not in good]
        if bad:
            notices.append(f"unknown indicator(s) {', '.join(_shown(b) for b in bad[:5])} ignored")
        if len(good) > MAX_INDICATORS:
            notices.append(f"at most {MAX_INDICATORS} indicators; kept the first {MAX_INDICATORS}")
            good = good[:MAX_INDICATORS]
        if good:
            chosen = tuple(good)
        else:
            notices.append("no known indicator left; showing the default selection")
    chosen = tuple(i for i in chosen if i in known_indicators) or tuple(known_indicators[:1])
    fallback_area = default.area if default.area in known_areas else (min(known_areas) if known_areas else "")
    area = _area(raw["area"], "area", known_areas, fallback_area, notices)
    peers, similar, custom = _parse_peers(raw, known_areas, default, notices)
    year = _year(raw["year"], "year", years, notices)
    form = _choice(raw["form"], "form", FORMS, default.form, notices)
    chart = _choice(raw["view"], "view", COMPARE_CHARTS, default.chart, notices)
    level = _choice(raw["level"], "level", tuple(levels), default.level, notices)
    within = None
    if raw["within"] is not None:
        within = _area(raw["within"], "within", set(countries), "", notices) or None
    return CompareView(chosen, area, peers, similar, custom, year, form, chart, level, within, tuple(notices))


@dataclass(frozen=True)
class CatalogueView:
    """What the Indicators catalogue shows: a search text, theme and level filters, one opened indicator."""

    text: str = ""
    theme: str | None = None
    level: str | None = None
    indicator: str | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        query: dict[str, str] = {}
        if self.text:
            query["q"] = self.text
        if self.theme:
            query["theme"] = self.theme
        if self.level:
            query["level"] = self.level
        if self.indicator:
            query["ind"] = self.indicator
        return query


def clean_search_text(text: str) -> str:
    """Search text kept as plain printable characters, at most :data:`MAX_QUERY_TEXT` long."""
    return "".join(ch for ch in text if ch.isprintable()).strip()[:MAX_QUERY_TEXT]


def parse_catalogue(
    params: Mapping[str, object],
    *,
    indicators: Iterable[str],
    themes: Iterable[str],
    levels: Iterable[str],
    extra_allowed: Iterable[str] = (),
) -> CatalogueView:
    notices: list[str] = []
    raw = _raw_params(params, {"q", "theme", "level", "ind", *extra_allowed}, notices)
    text = ""
    if raw["q"] is not None:
        text = clean_search_text(raw["q"])
        if len(raw["q"].strip()) > MAX_QUERY_TEXT:
            notices.append(f"search text shortened to {MAX_QUERY_TEXT} characters")
    theme = _choice(raw["theme"], "theme", themes, None, notices)
    level = _choice(raw["level"], "level", levels, None, notices)
    indicator = None
    if raw["ind"] is not None:
        if raw["ind"] in set(indicators):
            indicator = raw["ind"]
        else:
            notices.append(f"unknown indicator {_shown(raw['ind'])} ignored")
    return CatalogueView(text, theme, level, indicator, tuple(notices))


# --- Maps page ---------------------------------------------------------------------------------

MAP_LEVELS = ("country", "nuts2", "gdl_region", "tl2")
DEFAULT_MAP_INDICATORS = {
    "country": "life_expectancy",
    "nuts2": "nuts2_arope_rate",
    "gdl_region": "gdl_shdi",
    "tl2": "tl2_life_satisfaction",
}


@dataclass(frozen=True)
class MapView:
    """What the Maps page shows: one indicator at one level of areas, in one year, optionally in one country."""

    level: str = "country"
    indicator: str = DEFAULT_MAP_INDICATORS["country"]
    year: int | None = None
    country: str | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        query: dict[str, str] = {}
        if self.level != MapView.level:
            query["level"] = self.level
        if self.indicator != DEFAULT_MAP_INDICATORS.get(self.level):
            query["ind"] = self.indicator
        if self.year is not None:
            query["year"] = str(self.year)
        if self.country:
            query["country"] = self.country
        return query


def parse_map(
    params: Mapping[str, object],
    *,
    indicators: Mapping[str, Iterable[str]],
    countries: Mapping[str, Iterable[str]] | None = None,
    years: Callable[[str], tuple[int, int]] | None = None,
    extra_allowed: Iterable[str] = (),
) -> MapView:
    """Build a :class:`MapView` from URL parameters, with a notice for every bad one.

    ``indicators`` lists the indicator ids offered at each level, ``countries`` the countries
    whose regions can be shown at each level, ``years`` the data's year range of an indicator.
    """
    notices: list[str] = []
    raw = _raw_params(params, {"level", "ind", "year", "country", *extra_allowed}, notices)
    options = {level: list(ids) for level, ids in indicators.items() if list(ids)}
    levels = tuple(level for level in MAP_LEVELS if level in options)
    if not levels:
        return MapView(notices=tuple(notices))
    fallback_level = MapView.level if MapView.level in levels else levels[0]
    level = _choice(raw["level"], "level", levels, fallback_level, notices)
    default_indicator = DEFAULT_MAP_INDICATORS.get(level)
    if default_indicator not in options[level]:
        default_indicator = options[level][0]
    indicator = default_indicator
    if raw["ind"] is not None:
        if raw["ind"] in options[level]:
            indicator = raw["ind"]
        else:
            notices.append(f"no indicator {_shown(raw['ind'])} at this level; showing {default_indicator}")
    span = years(indicator) if years is not None else (1800, 2100)
    year = _year(raw["year"], "year", span, notices)
    country = None
    if raw["country"] is not None and raw["country"] != "":
        known = set((countries or {}).get(level, ()))
        if level == "country":
            notices.append("'country' only applies to regions; ignored")
        else:
            country = _area(raw["country"], "country", known, "", notices) or None
    return MapView(level=level, indicator=indicator, year=year, country=country, notices=tuple(notices))


# --- Your index page ---------------------------------------------------------------------------

DEFAULT_COMPOSITE = "beyond_gdp_index"
#: Slider range of a weight, as in the OECD Better Life Index (0 switches a theme or indicator off).
WEIGHT_RANGE = (0, 5)
_WEIGHT = re.compile(r"^\d{1,2}(\.\d{1,2})?$")


def _weight_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class YourIndexView:
    """What the Your index page shows: a composite, its peer group, the visitor's weights and the year.

    ``pillar_weights`` and ``indicator_weights`` hold only what differs from equal weights (1 each),
    as ``(name, weight)`` pairs in the composite's order, so a shared link says exactly what was changed.
    """

    composite: str = DEFAULT_COMPOSITE
    peers: str = "all"
    pillar_weights: tuple[tuple[str, float], ...] = ()
    indicator_weights: tuple[tuple[str, float], ...] = ()
    year: int | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        query: dict[str, str] = {}
        if self.composite != DEFAULT_COMPOSITE:
            query["index"] = self.composite
        if self.peers != "all":
            query["peers"] = self.peers
        if any(w != 1 for _, w in self.pillar_weights):
            query["w"] = ",".join(f"{name}:{_weight_text(w)}" for name, w in self.pillar_weights)
        changed = [(name, w) for name, w in self.indicator_weights if w != 1]
        if changed:
            query["iw"] = ",".join(f"{name}:{_weight_text(w)}" for name, w in changed)
        if self.year is not None:
            query["year"] = str(self.year)
        return query


def _weights(raw: str | None, name: str, known: list[str], notices: list[str]) -> dict[str, float]:
    """``a:2,b:0`` -> ``{a: 2.0, b: 0.0}`` for known names with a weight in :data:`WEIGHT_RANGE`."""
    if raw is None or raw.strip() == "":
        return {}
    low, high = WEIGHT_RANGE
    out: dict[str, float] = {}
    bad: list[str] = []
    for part in raw.split(","):
        key, sep, value = part.strip().partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in known or not _WEIGHT.match(value) or not low <= float(value) <= high:
            bad.append(part.strip())
            continue
        out[key] = float(value)
    if bad:
        notices.append(
            f"'{name}' takes name:weight pairs with weights from {low} to {high} "
            f"(names: {', '.join(known)}); ignored {', '.join(_shown(b) for b in bad[:5])}"
        )
    return out


def parse_your_index(
    params: Mapping[str, object],
    *,
    composites: Mapping[str, Mapping[str, Iterable[str]]],
    peers: Iterable[str],
    years: tuple[int, int] = (1990, 2100),
    extra_allowed: Iterable[str] = (),
) -> YourIndexView:
    """Build a :class:`YourIndexView`; ``composites`` maps each composite id to ``{"pillars": [...],
    "indicators": [...]}`` (local names, in order). A weight that is not understood is dropped with a
    notice (its default of 1 applies); weights that switch every pillar off fall back to equal weights."""
    notices: list[str] = []
    raw = _raw_params(params, {"index", "peers", "w", "iw", "year", *extra_allowed}, notices)
    composite = _choice(raw["index"], "index", tuple(composites), DEFAULT_COMPOSITE, notices)
    structure = composites[composite]
    pillars, indicators = list(structure["pillars"]), list(structure["indicators"])
    peer = _choice(raw["peers"], "peers", tuple(peers), "all", notices)
    given = _weights(raw["w"], "w", pillars, notices)
    pillar_weights = tuple((p, given.get(p, 1.0)) for p in pillars) if given else ()
    if pillar_weights and not any(w > 0 for _, w in pillar_weights):
        notices.append("'w' switches every theme off; using equal weights")
        pillar_weights = ()
    inner = _weights(raw["iw"], "iw", indicators, notices)
    indicator_weights = tuple((m, inner[m]) for m in indicators if m in inner)
    year = _year(raw["year"], "year", years, notices)
    return YourIndexView(composite, peer, pillar_weights, indicator_weights, year, tuple(notices))
