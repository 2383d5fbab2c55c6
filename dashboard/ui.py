"""Page furniture shared by every Streamlit page: notices, source lines, data table and CSV.

The only dashboard module besides the pages that imports streamlit; it keeps each page
short and makes "source under every chart" and "download exactly what is shown" one call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from dashboard import export

_MARKDOWN_SIGNS = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~:$&\"'=]")


def markdown_text(text: str) -> str:
    """Text from a link shown as itself: every Markdown (and Streamlit ``:icon:``/``:color[]``) sign escaped,
    so a crafted link cannot make a notice show a clickable link, an image or styled text."""
    return _MARKDOWN_SIGNS.sub(r"\\\g<0>", text)


def show_notices(notices: tuple[str, ...] | list[str]) -> None:
    """Problems with the link the visitor opened, in one short box (never a traceback)."""
    if notices:
        text = "; ".join(markdown_text(n) for n in notices)
        st.info(f"Some link settings were not understood and defaults were used: {text}.", icon=":material/link_off:")


def seed_widgets(prefix: str, values: Callable[[], Mapping[str, object]]) -> None:
    """Copy a link's view into a page's widget keys once per session; afterwards the widgets lead.

    ``values`` is called only on the first run of the session, so pages can compute it lazily."""
    flag = f"{prefix}_initialised"
    if st.session_state.get(flag):
        return
    st.session_state.update(values())
    st.session_state[flag] = True


def source_caption(text: str) -> None:
    st.caption(text)


def data_table(frame: pd.DataFrame, *, file_name: str, key: str, label: str = "Show the data") -> None:
    """A toggle that reveals exactly the rows drawn, plus a CSV download of the same rows."""
    if st.toggle(label, key=f"{key}_table"):
        st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "Download CSV",
        # Written when clicked, not on every rerun: a page with five tables would otherwise encode five
        # CSV files per widget change and every browser would fetch them before drawing the charts.
        lambda: export.csv_bytes(frame),
        file_name=file_name,
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )
