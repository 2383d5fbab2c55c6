"""The rules every page's URL state follows: read a link's parameters without trusting them.

A link may come from anywhere, so nothing in it is trusted: each parameter is checked against
what the data knows (indicator ids, area codes, years, fixed choices). A bad value is replaced
by the default and produces a short notice for the page to show — never an exception, and
never text that is rendered as HTML or evaluated. Each page's ``state.py`` builds its view
dataclass from these checks; the parameters every page shares (``v``, ``embed``, ``chart``)
are read here once, by :func:`parse_share`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MAX_PARAM_LENGTH = 500
AREA_CODE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
#: Parameters every page accepts besides its own view fields.
SHARE_PARAMS = ("embed", "v", "chart")
VERSION_PATTERN = re.compile(r"^[0-9a-f]{6,64}$")
PEER_KINDS = ("income_group", "world_region", "oecd", "eu27", "all", "similar_gdp", "custom")
PEER_PARAMS = ("peers", "n", "with")
DEFAULT_SIMILAR = 15
SIMILAR_RANGE = (5, 60)
TRUE_WORDS = ("1", "true", "yes", "on")


def first_value(params: Mapping[str, object], key: str) -> str | None:
    """The last value of a repeated parameter, as text (``?a=1&a=2`` means 2)."""
    value = params.get(key)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value)


def shown(value: str) -> str:
    """A bad value quoted in a notice: shortened, and only printable characters."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in value)
    return repr(clean[:40] + ("…" if len(clean) > 40 else ""))


def raw_params(params: Mapping[str, object], allowed: Iterable[str], notices: list[str]) -> dict[str, str | None]:
    """The allowed parameters as strings (last value wins), with notices for unknown or over-long ones."""
    allowed = set(allowed)
    for key in params:
        if key not in allowed:
            notices.append(f"unknown parameter {shown(str(key))} ignored")
    raw = {k: first_value(params, k) for k in allowed}
    for key, value in raw.items():
        if value is not None and len(value) > MAX_PARAM_LENGTH:
            notices.append(f"'{key}' is too long ({len(value)} characters); ignored")
            raw[key] = None
    return raw


def year(raw: str | None, name: str, years: tuple[int, int], notices: list[str]) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.strip().lstrip("-").isdigit() or len(raw) > 6:
        notices.append(f"'{name}' must be a year; ignored {shown(raw)}")
        return None
    value = int(raw)
    low, high = years
    if not low <= value <= high:
        notices.append(f"'{name}' {value} is outside the data ({low}–{high}); ignored")
        return None
    return value


def choice(raw: str | None, name: str, options: Iterable[str], default, notices: list[str]):
    if raw is None:
        return default
    options = tuple(options)
    if raw in options:
        return raw
    notices.append(f"'{name}' must be one of {', '.join(options)}; ignored {shown(raw)}")
    return default


def area(
    raw: str | None, name: str, known: Iterable[str], default: str, notices: list[str], unknown: str | None = None
) -> str:
    """The area a link names, matched without regard to case (regional codes mix cases), or ``default``
    with a notice (``unknown`` replaces the standard wording where a page has more to say)."""
    if raw is None:
        return default
    by_upper = {code.upper(): code for code in known}
    text = raw.strip().upper()
    if AREA_CODE.match(text) and text in by_upper:
        return by_upper[text]
    notices.append(unknown or f"unknown area code {shown(raw)} for '{name}'; showing {default}")
    return default


def area_list(raw: str | None, name: str, known: Iterable[str], notices: list[str], limit: int = 60) -> tuple[str, ...]:
    """The areas a link lists (``SE11,SWE,SWEr101``), each matched as :func:`area` does (without regard to
    case: GDL codes mix cases), in the link's order; unknown ones are dropped with one notice."""
    if raw is None:
        return ()
    by_upper = {code.upper(): code for code in known}
    asked = [c.strip() for c in raw.split(",") if c.strip()]
    matched = [by_upper.get(c.upper()) if AREA_CODE.match(c) else None for c in asked]
    good = list(dict.fromkeys(code for code in matched if code is not None))
    bad = [c for c, code in zip(asked, matched, strict=True) if code is None]
    if bad:
        notices.append(f"unknown area code(s) {', '.join(shown(b) for b in bad[:5])} in '{name}' ignored")
    if len(good) > limit:
        notices.append(f"at most {limit} areas in '{name}'; kept the first {limit}")
        good = good[:limit]
    return tuple(good)


def count(raw: str | None, name: str, bounds: tuple[int, int], default: int, notices: list[str]) -> int:
    if raw is None:
        return default
    low, high = bounds
    if raw.strip().isdigit() and low <= int(raw) <= high:
        return int(raw)
    notices.append(f"'{name}' must be a whole number from {low} to {high}; ignored {shown(raw)}")
    return default


def peer_query(peers: str, similar: int, custom: tuple[str, ...], default_similar: int = DEFAULT_SIMILAR) -> dict:
    """The link parameters of a peer-group choice (Overview and Compare share them)."""
    query = {}
    if peers == "similar_gdp" and similar != default_similar:
        query["n"] = str(similar)
    if peers == "custom" and custom:
        query["with"] = ",".join(custom)
    return query


def parse_peers(
    raw: Mapping[str, str | None],
    known: set[str],
    default_peers: str,
    notices: list[str],
    default_similar: int = DEFAULT_SIMILAR,
) -> tuple[str, int, tuple[str, ...]]:
    """(peers, similar, custom) from a link's ``peers``, ``n`` and ``with``; a custom group without areas
    falls back to the page's default group with a notice."""
    peers = choice(raw["peers"], "peers", PEER_KINDS, default_peers, notices)
    similar = count(raw["n"], "n", SIMILAR_RANGE, default_similar, notices)
    custom = area_list(raw["with"], "with", known, notices)
    if peers == "custom" and not custom:
        label = {"income_group": "the income group", "oecd": "OECD members"}.get(default_peers, default_peers)
        notices.append(f"'peers=custom' needs a list of areas in 'with'; using {label}")
        peers = default_peers
    return peers, similar, custom


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
    raw = {key: first_value(params, key) for key in SHARE_PARAMS}
    embed = raw["embed"] is not None and raw["embed"].strip().lower() in TRUE_WORDS
    version = None
    if raw["v"] is not None:
        if VERSION_PATTERN.match(raw["v"]):
            version = raw["v"]
        else:
            notices.append(f"'v' must be a data version such as 3d8733c31ec8; ignored {shown(raw['v'])}")
    chart = None
    if raw["chart"] is not None:
        known = list(charts)
        if raw["chart"] in known:
            chart = raw["chart"]
        else:
            notices.append(f"'chart' must be one of {', '.join(known)}; ignored {shown(raw['chart'])}")
    return ShareOptions(embed=embed, version=version, chart=chart, notices=tuple(notices))
