"""Which indicators each catalogue entry feeds, checked against the data actually stored.

The catalogue names, for every entry, the indicators that read its dataset and the dimension codes each one
selects (``indicators: {id: {dimension: code}}``, equal to the definitions' ``match``; a test keeps the two in
step). That lets this layer — which may not import ``indicators`` — tell the operator after a refresh whether
the stored data still holds what every indicator asks for. An indicator whose official dataset matches nothing
falls back to the snapshot; this report is how that never happens silently (``python -m connectors status``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from connectors import store
from connectors.providers import CatalogueEntry

FEEDS = "feeds"
MATCHES_NOTHING = "matches nothing"
AMBIGUOUS = "ambiguous"
NOT_STORED = "not stored yet"


@dataclass(frozen=True)
class Feed:
    """One indicator an entry feeds, and what the stored dataset holds for its selection."""

    indicator: str
    selection: dict[str, str]
    state: str  # feeds | matches nothing | ambiguous | not stored yet
    observations: int = 0
    areas: int = 0
    detail: str = ""
    entry: str = ""  # the catalogue entry whose refresh stores the data

    @property
    def line(self) -> str:
        codes = ", ".join(f"{k}={v}" for k, v in sorted(self.selection.items())) or "(whole dataset)"
        if self.state == FEEDS:
            return f"{self.indicator}: {self.observations:,} observations, {self.areas} areas ({codes})"
        if self.state == NOT_STORED:
            run = f"run `python -m connectors refresh {self.entry}`" if self.entry else "refresh the entry"
            return (
                f"{self.indicator}: not fetched yet — {run}; until then the indicator reads its snapshot fallback, "
                f"or has no data if it reads official data only ({codes})"
            )
        return f"{self.indicator}: {self.state.upper()} — {codes}{'; ' + self.detail if self.detail else ''}"


def _selected(dimensions: dict[str, str], selection: dict[str, str]) -> bool:
    return all(dimensions.get(k) == v for k, v in selection.items())


def check_entry(entry: CatalogueEntry, root: Path | None = None) -> list[Feed]:
    """For each indicator the entry names, how many stored observations its selection picks.

    ``matches nothing`` names the codes the dataset does hold for each selected dimension, so the fix
    (a changed code list, a wrong key) can be read off the message.
    """
    if (entry.store_source, entry.store_dataset) not in store.dataset_files(root):
        return [Feed(ident, dict(sel), NOT_STORED, entry=entry.name) for ident, sel in entry.indicators.items()]
    table = store.read_dataset(entry.store_source, entry.store_dataset, ["ref_area", "year", "dimensions"], root)
    counts = table.group_by(["dimensions"]).aggregate([("ref_area", "count")])
    distinct = {text: json.loads(text) if text else {} for text in counts["dimensions"].to_pylist()}
    feeds = []
    for ident, selection in entry.indicators.items():
        wanted = [text for text, dims in distinct.items() if _selected(dims, selection)]
        if not wanted:
            held = {dim: sorted({str(d.get(dim)) for d in distinct.values() if dim in d})[:8] for dim in selection}
            detail = "the dataset holds " + "; ".join(
                f"{dim}: {', '.join(codes) if codes else 'no such dimension'}" for dim, codes in held.items()
            )
            feeds.append(Feed(ident, dict(selection), MATCHES_NOTHING, detail=detail))
            continue
        rows = table.filter(pc.is_in(table["dimensions"], value_set=pa.array(wanted, table["dimensions"].type)))
        keys = rows.group_by(["ref_area", "year"]).aggregate([("dimensions", "count")])
        clashes = pc.sum(pc.greater(keys["dimensions_count"], 1)).as_py() or 0
        if clashes:
            varying = sorted(
                {k for text in wanted for k in distinct[text] if len({distinct[t].get(k) for t in wanted}) > 1}
                - {"geo", "ref_area", "REF_AREA"}
            )
            feeds.append(
                Feed(
                    ident,
                    dict(selection),
                    AMBIGUOUS,
                    rows.num_rows,
                    detail=f"{clashes} area-years have several values; add one of {varying} to the selection",
                )
            )
            continue
        feeds.append(Feed(ident, dict(selection), FEEDS, rows.num_rows, len(set(rows["ref_area"].to_pylist()))))
    return feeds


def check_catalogue(catalogue: dict[str, CatalogueEntry], root: Path | None = None) -> dict[str, list[Feed]]:
    """Every enabled entry with the feeds of its stored data (disabled entries feed nothing by definition)."""
    return {name: check_entry(entry, root) for name, entry in catalogue.items() if entry.enabled}


def format_feeds(checked: dict[str, list[Feed]]) -> str:
    """The 'which indicators each entry feeds' block of ``python -m connectors status``."""
    lines = ["", "FEEDS (enabled catalogue entries -> the indicators they feed)"]
    for name, feeds in checked.items():
        lines.append(f"  {name}")
        lines.extend(f"    {feed.line}" for feed in feeds)
    problems = sum(feed.state in (MATCHES_NOTHING, AMBIGUOUS) for feeds in checked.values() for feed in feeds)
    if problems:
        lines.append(
            f"  {problems} indicator selection(s) find nothing usable in the stored data: those indicators use "
            "their snapshot fallback until the catalogue entry, the definition or the data is fixed"
        )
    return "\n".join(lines)
