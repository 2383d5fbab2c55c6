"""View state <-> URL query parameters, parsed against a schema so every view is a safe link.

A link may come from anywhere, so nothing in it is trusted: each parameter is checked
against what the data knows (indicator ids, area codes, years, fixed choices). A bad value is
replaced by the default and produces a short notice for the page to show — never an
exception, and never text that is rendered as HTML or evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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
