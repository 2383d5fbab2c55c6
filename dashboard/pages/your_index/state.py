"""Your index page, URL ⇄ view state: a composite, its peer group, the visitor's weights and the year."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dashboard import url_state as u
from dashboard.pages.your_index import data
from indicators import index_query as iq

#: The page opens on the UNDP's published HDI (see :data:`indicators.index_query.DEFAULT_COMPOSITE`).
DEFAULT_COMPOSITE = iq.DEFAULT_COMPOSITE
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
            f"(names: {', '.join(known)}); ignored {', '.join(u.shown(b) for b in bad[:5])}"
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
    raw = u.raw_params(params, {"index", "peers", "w", "iw", "year", *extra_allowed}, notices)
    composite = u.choice(raw["index"], "index", tuple(composites), DEFAULT_COMPOSITE, notices)
    structure = composites[composite]
    pillars, indicators = list(structure["pillars"]), list(structure["indicators"])
    peer = u.choice(raw["peers"], "peers", tuple(peers), "all", notices)
    given = _weights(raw["w"], "w", pillars, notices)
    pillar_weights = tuple((p, given.get(p, 1.0)) for p in pillars) if given else ()
    if pillar_weights and not any(w > 0 for _, w in pillar_weights):
        notices.append("'w' switches every theme off; using equal weights")
        pillar_weights = ()
    inner = _weights(raw["iw"], "iw", indicators, notices)
    indicator_weights = tuple((m, inner[m]) for m in indicators if m in inner)
    year = u.year(raw["year"], "year", years, notices)
    return YourIndexView(composite, peer, pillar_weights, indicator_weights, year, tuple(notices))


_ALL_VALUES = {"1": True, "true": True, "0": False, "false": False, "": False}


@dataclass(frozen=True)
class IndexRankingView:
    """A Your index view plus how many rows the ranking chart draws (top :data:`data.TOP_ROWS`, or all)."""

    index: YourIndexView = YourIndexView()
    show_all: bool = False
    own_notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def notices(self) -> tuple[str, ...]:
        return tuple(self.index.notices) + self.own_notices

    def to_query(self) -> dict[str, str]:
        return self.index.to_query() | ({"all": "1"} if self.show_all else {})


def parse(params: Mapping[str, object], extra_allowed: tuple[str, ...] = ()) -> IndexRankingView:
    """A Your index link -> view, with a notice for every value not understood."""
    index = parse_your_index(
        params, composites=data.composites(), peers=list(iq.peer_options()), extra_allowed=("all", *extra_allowed)
    )
    raw = params.get("all")
    raw = raw[-1] if isinstance(raw, list | tuple) and raw else raw
    text = str(raw).strip().lower() if raw is not None else ""
    notices = () if text in _ALL_VALUES else ("'all' takes 1 (draw every ranked country) or 0; ignored",)
    return IndexRankingView(index, _ALL_VALUES.get(text, False), notices)
