"""Indicators catalogue, URL ⇄ view state: search text, theme and level filters, one opened indicator."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dashboard import url_state as u

MAX_QUERY_TEXT = 80


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
    raw = u.raw_params(params, {"q", "theme", "level", "ind", *extra_allowed}, notices)
    text = ""
    if raw["q"] is not None:
        text = clean_search_text(raw["q"])
        if len(raw["q"].strip()) > MAX_QUERY_TEXT:
            notices.append(f"search text shortened to {MAX_QUERY_TEXT} characters")
    theme = u.choice(raw["theme"], "theme", themes, None, notices)
    level = u.choice(raw["level"], "level", levels, None, notices)
    indicator = None
    if raw["ind"] is not None:
        if raw["ind"] in set(indicators):
            indicator = raw["ind"]
        else:
            notices.append(f"unknown indicator {u.shown(raw['ind'])} ignored")
    return CatalogueView(text, theme, level, indicator, tuple(notices))
