"""How a chart marks a value the publisher estimated, modelled or marked provisional. Pure Altair, no Streamlit.

The flag comes from the store's observation status, read by the stated rule of
:mod:`connectors.quality` and handed to the dashboard as an ``estimated`` column
(:func:`indicators.query.with_estimated`, :func:`indicators.query.estimated_at`). One vocabulary
everywhere: a **hollow point** on a line (Trajectories, Futures history, Decoupling trails), a small
**"e"** beside a dot or bar (rankings, the Overview scorecard, Limits), the tooltip line
"Estimated by publisher: yes", and a caption line only in a chart that shows at least one estimate.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

HOLLOW_LINE = "hollow points: estimated by the publisher"
LETTER_LINE = "e: estimated by the publisher"
TOOLTIP_TITLE = "Estimated by publisher"
#: The column every chart and CSV carries the flag in.
COLUMN = "estimated"
_SHOWN = "datum.estimated"


def present(*frames: pd.DataFrame | None) -> bool:
    """True when any of ``frames`` (None allowed) has a row flagged ``estimated``."""
    return any(f is not None and COLUMN in f and bool(f[COLUMN].fillna(False).astype(bool).any()) for f in frames)


def prepared(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[alt.Tooltip]]:
    """``frame`` ready to draw, and the tooltip entries to add: with an estimate in it, the flag as a plain
    boolean plus its words ("yes"/"no") and one tooltip line saying it; without, ``frame`` and nothing."""
    if not present(frame):
        return frame, []
    flags = frame[COLUMN].fillna(False).astype(bool)
    frame = frame.assign(estimated=flags, estimated_text=flags.map({True: "yes", False: "no"}))
    return frame, [alt.Tooltip("estimated_text:N", title=TOOLTIP_TITLE)]


def hollow(base: alt.Chart, size: int = 60) -> alt.Chart:
    """A white-filled ring over each estimated point of ``base`` (a chart already encoding x, y, colour)."""
    return base.transform_filter(_SHOWN).mark_point(
        size=size, filled=False, fill="white", fillOpacity=1, opacity=1, strokeWidth=2
    )


def letters(base: alt.Chart, dx: int = -12, dy: int = 0) -> alt.Chart:
    """A small italic "e" beside each estimated dot or bar end of ``base`` (a chart encoding x and y)."""
    return base.transform_filter(_SHOWN).mark_text(
        text="e", dx=dx, dy=dy, fontSize=11, fontStyle="italic", fontWeight="bold", color="#333333"
    )


def subtitle(lines: str | list[str] | None, caption: str, *frames: pd.DataFrame | None) -> str | list[str]:
    """``lines`` (a subtitle line or lines) plus ``caption`` when ``frames`` hold an estimate; empty lines
    dropped, one line returned as a string."""
    kept = [lines] if isinstance(lines, str) else list(lines or [])
    kept = [line for line in [*kept, caption if present(*frames) else ""] if line]
    return kept[0] if len(kept) == 1 else kept
