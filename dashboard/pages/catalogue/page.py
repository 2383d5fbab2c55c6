"""Indicators catalogue (thin Streamlit file): every definition, searchable and filterable by theme and level, with what it
measures, why it matters, its unit and direction, its source and licence, its coverage and targets.

Everything shown comes from the definition files and the store, so adding a YAML file adds an
entry here; the search text and filters live in the URL.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import export, frame
from dashboard.pages.catalogue.data import PAGE, matches
from dashboard.pages.catalogue.state import CatalogueView, clean_search_text, parse_catalogue
from dashboard.theme import THEME_ORDER
from dashboard.url_state import SHARE_PARAMS
from indicators import assess
from indicators.catalog import DEFINITIONS_DIR, Problem, catalog, definition_problems
from indicators.numbers import readable
from indicators.schema import LEVELS, THEMES, Direction

ADDING_DOC = "docs/adding-an-indicator.md"
DOC_PATH = Path(__file__).resolve().parents[2] / ADDING_DOC
REPOSITORY = DEFINITIONS_DIR.parents[1]
LEVEL_LABELS = {"country": "Country", "nuts2": "NUTS 2 region", "tl2": "OECD TL2 region", "gdl_region": "GDL region"}


def _initialise_widgets(view: CatalogueView) -> None:
    frame.seed_widgets(
        "cat",
        lambda: {
            "cat_text": view.text,
            "cat_theme": view.theme or "",
            "cat_level": view.level or "",
        },
    )


def _shown_path(file: str) -> str:
    """A definition file's path as a maintainer types it: relative to the repository when it is inside it."""
    path = Path(file)
    return str(path.relative_to(REPOSITORY)) if path.is_relative_to(REPOSITORY) else str(path)


def _problems_notice(problems: tuple[Problem, ...]) -> None:
    """One notice listing every definition file problem (file, field, what is wrong, how to fix it).

    The catalogue leaves a bad file out rather than fail; without this notice the indicator would
    silently be missing, and whoever broke the file would not know where to look."""
    if not problems:
        return
    lines = [
        f"- `{_shown_path(p.file)}`, field `{p.field or '(whole file)'}`: {p.message}. Fix: {p.fix}." for p in problems
    ]
    st.warning(
        f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the indicator definition files; "
        "the indicators they affect are left out of this catalogue until the files are fixed:\n\n" + "\n".join(lines),
        icon=":material/error:",
    )


def body(link: frame.Link) -> None:
    definitions = catalog()
    view = parse_catalogue(
        link.params, indicators=list(definitions), themes=THEMES, levels=LEVELS, extra_allowed=SHARE_PARAMS
    )
    _initialise_widgets(view)

    frame.show_link_notices(link, view.notices)
    _problems_notice(definition_problems())
    controls = st.columns([4, 2, 2])
    text = clean_search_text(controls[0].text_input("Search", key="cat_text", placeholder="e.g. poverty, CO2, waste"))
    theme = controls[1].selectbox(
        "Theme",
        ["", *sorted(THEMES, key=THEME_ORDER.get)],
        key="cat_theme",
        format_func=lambda t: "All themes" if t == "" else t.title(),
    )
    level = controls[2].selectbox(
        "Level", ["", *LEVELS], key="cat_level", format_func=lambda v: "All levels" if v == "" else LEVEL_LABELS[v]
    )
    current = CatalogueView(text=text, theme=theme or None, level=level or None, indicator=view.indicator)
    frame.sync_url(current.to_query())

    table = matches(assess.catalogue_table(), text, theme or None, level or None)
    st.markdown(f"**{len(table)}** of {len(definitions)} indicators match.")
    st.dataframe(
        table[["title", "theme", "level", "unit", "direction", "areas", "first_year", "last_year", "publisher"]],
        hide_index=True,
        width="stretch",
        column_config={
            "first_year": st.column_config.NumberColumn("from", format="%d"),
            "last_year": st.column_config.NumberColumn("to", format="%d"),
            "areas": st.column_config.NumberColumn("countries/areas"),
        },
    )
    st.download_button(
        "Download the catalogue (CSV)",
        lambda: export.csv_bytes(table),
        file_name="indicators_catalogue.csv",
        mime="text/csv",
        key="cat_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    for _, row in table.iterrows():
        _entry(definitions[row["id"]], row, expanded=row["id"] == view.indicator)
    _adding_block()


def _entry(item, row: pd.Series, *, expanded: bool) -> None:
    # An entry's details are sent only while it is open: 126 entries' worth of Markdown on every
    # rerun cost the server ~0.1 s and every browser hundreds of elements to lay out.
    entry = st.expander(
        f"{item.theme.title()} · {item.title}", expanded=expanded, key=f"cat_open_{item.id}", on_change="rerun"
    )
    if not entry.open:
        return
    with entry:
        st.markdown(item.description)
        if item.why_it_matters:
            st.markdown(f"**Why it matters.** {item.why_it_matters}")
        better = "higher is better" if item.direction == Direction.higher_is_better else "lower is better"
        facts = [
            f"**Id:** `{item.id}`",
            f"**Unit:** {item.unit} ({better})",
            f"**Level:** {LEVEL_LABELS[item.level]}",
        ]
        if item.formula:
            facts.append(f"**Formula:** `{item.formula}`")
        elif item.series:
            facts.append(f"**Series:** `{item.series.label}`")
        if pd.notna(row["areas"]):
            facts.append(
                f"**Coverage:** {int(row['areas'])} countries/areas × {int(row['first_year'])}–{int(row['last_year'])} "
                f"({int(row['observations']):,} observations)"
            )
        elif row["awaiting_refresh"]:  # official data only, never refreshed here: say how to get it
            facts.append(f"**Coverage:** {row['awaiting_refresh']}")
        else:
            facts.append("**Coverage:** not in the snapshot yet")
        link = f" — [{item.source.url}]({item.source.url})" if item.source.url.startswith("https://") else ""
        facts.append(f"**Source:** {item.source.publisher}{link}; **licence:** {item.source.licence}")
        if item.tags:
            facts.append(f"**Tags:** {', '.join(item.tags)}")
        st.markdown("\n".join(f"- {fact}" for fact in facts))
        for goal in item.targets:
            kind = "at least" if goal.kind == "at_least" else "at most"
            url = f" ([source]({goal.url}))" if goal.url.startswith("https://") else ""
            st.markdown(f"- **Target:** {goal.label} — {kind} {readable(goal.value)} {item.unit} by {goal.year}{url}")
        if row["source_line"]:
            st.caption(row["source_line"])
        if item.level == "country" and not row["awaiting_refresh"]:  # no data yet: those pages do not offer it
            st.markdown(f"[Open in Trajectories](trajectories?ind={item.id}) · [Compare](compare?ind={item.id})")


def _adding_block() -> None:
    st.subheader("Add your own indicator", divider="gray")
    st.markdown(
        "An indicator is one YAML file in `indicators/definitions/<theme>/`; no Python needed. "
        f"The step-by-step guide is `{ADDING_DOC}` in the repository."
    )
    if DOC_PATH.is_file():
        with st.expander("Read the guide here"):
            st.markdown(DOC_PATH.read_text(encoding="utf-8"))


frame.run(
    PAGE,
    body,
    title="Indicators",
    caption="Every indicator: what it measures, why it matters, where the numbers come from and how much data there is.",
)
