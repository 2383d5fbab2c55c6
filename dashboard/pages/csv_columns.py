"""What every CSV of the new pages carries besides the rows drawn: indicator ids, titles, units,
source, licence and data snapshot, so a downloaded file can be reused and cited on its own.

Pure (no Streamlit): the share registry, the export CLI and the pages call it through the view kinds.
"""

from __future__ import annotations

import pandas as pd

from indicators import query


def with_provenance(frame: pd.DataFrame, indicator_ids: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """``frame`` plus constant columns ``indicator, indicator_title, unit, source, licence, snapshot``.

    A row that already names its indicator (an ``indicator`` column) gets that indicator's title, unit,
    publisher and licence; otherwise the columns list every indicator the chart shows, joined by `` / ``.
    """
    items = {i: query.definition(i) for i in dict.fromkeys(indicator_ids)}
    snapshot = query.data_version()
    if "indicator" in frame.columns:
        defs = frame["indicator"].map(items.get)
        return frame.assign(
            indicator_title=defs.map(lambda d: d.title if d else ""),
            unit=defs.map(lambda d: d.unit if d else ""),
            source=defs.map(lambda d: d.source.publisher if d else ""),
            licence=defs.map(lambda d: d.source.licence if d else ""),
            snapshot=snapshot,
        )
    return frame.assign(
        indicator=" / ".join(items),
        indicator_title=" / ".join(d.title for d in items.values()),
        unit=" / ".join(d.unit for d in items.values()),
        source="; ".join(dict.fromkeys(d.source.publisher for d in items.values())),
        licence="; ".join(dict.fromkeys(d.source.licence for d in items.values())),
        snapshot=snapshot,
    )
