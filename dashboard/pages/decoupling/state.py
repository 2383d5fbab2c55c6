"""Decoupling page: view state <-> URL (``decoupling?y=…&x=…&areas=…&from=…&to=…&log=1``).

Which measures can be paired depends on the level of the places: countries pair GDP per person
with emissions, materials or wellbeing; NUTS2 regions pair regional GDP per inhabitant with their
social measures; Global Data Lab regions pair regional GNI per person with life expectancy and
schooling. A link is checked against those pairs, so it never asks for a series that does not exist
at that level; every ignored value gets a notice and its default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from dashboard import url_state as u
from indicators import areas, decoupling, query
from indicators.catalog import catalog

#: Other GDP-like measures countries can be drawn against (the first x of each level is
#: :data:`indicators.decoupling.SCATTER_X`).
X_ALTERNATIVES = {"country": ("gdp_per_capita_usd", "gni_per_capita_ppp")}
#: The places shown when a link names none (or none of the right level).
DEFAULT_AREAS = {
    "country": ("SWE", "IND", "USA", "CHN", "GBR", "DEU"),
    "nuts2": ("SE11", "ITC4", "ES30", "DE21", "FR10", "RO32"),
    "gdl_region": ("INDr101", "INDr103", "INDr110", "INDr116", "INDr122"),
    "tl2": ("SE11", "ITC4", "FR10"),
}
#: Without years in the link, trails start here (the common start of the emissions and GDP series).
DEFAULT_START = 1990
MAX_AREAS = 10
YEARS = (1800, 2100)
PARAMS = ("y", "x", "areas", "from", "to", "log", "context")


def levels() -> list[str]:
    """Levels whose GDP measure has more than one year (a trail needs two points; TL2 has one year)."""
    return list(_levels())


@lru_cache(maxsize=1)
def _levels() -> tuple[str, ...]:
    # Once per data version: every option label of the y picker asks for its level.
    known = catalog()
    found = []
    for level, x in decoupling.SCATTER_X.items():
        if x in known:
            first, last = query.year_range(x)
            if last > first:
                found.append(level)
    return tuple(found)


def level_of(indicator_id: str) -> str:
    """The level (country, nuts2, gdl_region) whose measures list ``indicator_id``."""
    for level in levels():
        if indicator_id in decoupling.SCATTER_Y[level] or indicator_id in x_options(level):
            return level
    raise query.QueryError(f"{indicator_id!r} is not a decoupling measure; choose one of {', '.join(y_options())}")


def y_options() -> list[str]:
    """Every measure the y axis can show, countries first (only those with a definition)."""
    known = catalog()
    return [y for level in levels() for y in decoupling.SCATTER_Y[level] if y in known]


def x_options(level: str) -> list[str]:
    known = catalog()
    return [x for x in (decoupling.SCATTER_X[level], *X_ALTERNATIVES.get(level, ())) if x in known]


def area_options(level: str) -> list[str]:
    """Places of a level, by name; countries also list groups (World, EU27 …) after them."""
    return list(areas.picker_places((level,), groups=level == "country"))


@dataclass(frozen=True)
class DecouplingView:
    """What the Decoupling page shows; the URL carries exactly the fields that differ from these."""

    y: str = "co2_per_capita"
    x: str = "gdp_per_capita_ppp"
    areas: tuple[str, ...] = DEFAULT_AREAS["country"]
    start: int | None = None
    end: int | None = None
    log: bool = True
    context: bool = True
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def level(self) -> str:
        return level_of(self.y)

    def to_query(self) -> dict[str, str]:
        default = DecouplingView()
        params: dict[str, str] = {}
        if self.y != default.y:
            params["y"] = self.y
        if self.x != x_options(self.level)[0]:
            params["x"] = self.x
        if self.areas != DEFAULT_AREAS[self.level]:
            params["areas"] = ",".join(self.areas)
        if self.start is not None:
            params["from"] = str(self.start)
        if self.end is not None:
            params["to"] = str(self.end)
        if self.log != default.log:
            params["log"] = "1" if self.log else "0"
        if self.context != default.context:
            params["context"] = "1" if self.context else "0"
        return params


def _flag(raw: str | None, name: str, default: bool, notices: list[str]) -> bool:
    if raw is None:
        return default
    text = raw.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    notices.append(f"'{name}' must be 1 or 0; ignored {u.shown(raw)}")
    return default


def _areas(raw: str | None, level: str, notices: list[str]) -> tuple[str, ...]:
    """Codes of the right level, matched whatever their case (Global Data Lab codes such as INDr101 mix
    cases); codes of another level are named as such, so a link mixing countries and regions explains itself."""
    if raw is None:
        return ()
    known = {code.upper(): code for code in area_options(level)}
    every = set(query.areas().index)
    good: list[str] = []
    for text in dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()):
        code = known.get(text.upper()) if u.AREA_CODE.match(text) else None
        if code:
            good.append(code)
        elif text in every:
            notices.append(f"{u.shown(text)} is not a {level.replace('_', ' ')} like the measure; ignored")
        else:
            notices.append(f"unknown area code {u.shown(text)} ignored")
    if len(good) > MAX_AREAS:
        notices.append(f"at most {MAX_AREAS} places are drawn; kept the first {MAX_AREAS}")
    return tuple(good[:MAX_AREAS])


def parse(params: Mapping[str, object], extra_allowed: tuple[str, ...] = ()) -> DecouplingView:
    """A Decoupling link -> view, with a notice for every value that was ignored."""
    notices: list[str] = []
    raw = u.raw_params(params, {*PARAMS, *extra_allowed}, notices)
    default = DecouplingView()
    y = default.y
    if raw["y"] is not None:
        if raw["y"] in y_options():
            y = raw["y"]
        else:
            notices.append(f"'y' must be one of the listed measures; ignored {u.shown(raw['y'])}")
    level = level_of(y)
    xs = x_options(level)
    x = xs[0]
    if raw["x"] is not None:
        if raw["x"] in xs:
            x = raw["x"]
        else:
            notices.append(
                f"'x' for {query.definition(y).label} must be one of {', '.join(xs)}; ignored {u.shown(raw['x'])}"
            )
    areas = _areas(raw["areas"], level, notices)
    if raw["areas"] is not None and not areas:
        notices.append(
            f"no place of the right level ({level.replace('_', ' ')}) in 'areas'; showing the default places"
        )
    start = u.year(raw["from"], "from", YEARS, notices)
    end = u.year(raw["to"], "to", YEARS, notices)
    if start is not None and end is not None and start > end:
        notices.append(f"'from' {start} is after 'to' {end}; swapped them")
        start, end = end, start
    return DecouplingView(
        y=y,
        x=x,
        areas=areas or DEFAULT_AREAS[level],
        start=start,
        end=end,
        log=_flag(raw["log"], "log", default.log, notices),
        context=_flag(raw["context"], "context", default.context, notices),
        notices=tuple(notices),
    )
