"""The Overview's default view, computed once from the committed snapshot and read at start-up.

Every visitor who opens the dashboard lands on the Overview of Sweden among high-income countries
(an empty link). Computing its scorecard costs about 1.5 s of CPU on a freshly started server (reading
five datasets, ranking and fitting a trend per indicator) — most of what separated our first chart from
a bare Streamlit app's (issue 15). So ``python -m dashboard first-view`` (run by ``make snapshot``)
computes exactly those rows with the same functions the page calls and writes them to
:data:`PATH` (a Parquet file per theme), with the key they were computed under (``key.json``):

* the store's **data version** (a refresh or rollback changes it),
* a **code fingerprint**: the sha256 of every file under ``indicators/`` and ``connectors/*.py``
  plus the pandas and numpy versions (a changed rule, definition or reader changes it),
* a hash of the **areas table** (names, levels, groups: not part of the data version),
* the **view** itself: place, peer kind, peer members and trend start.

Beside the rows it keeps two answers the page needs before its first chart: GDP per capita's latest year
(the trend start a link may ask for; otherwise GDP's dataset is read first) and the places the picker
offers (otherwise every indicator definition is loaded and validated first).

:func:`rows` hands the page the stored rows only when all three match what it would compute now;
otherwise it returns ``None`` and the page computes them (and the server log says why once). A refreshed
store therefore never shows the numbers of an older version, and nothing here is made up: the file
holds the output of ``indicators.assess.scorecard_theme`` for the committed data, nothing else.
``tests/dashboard/test_first_view.py`` recomputes the rows and compares them with the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from indicators import query

LOG = logging.getLogger("beyond_gdp.first_view")
ROOT = Path(__file__).resolve().parents[3]
#: Beside the snapshot it is computed from (not inside it: the store would take it for a dataset).
PATH = ROOT / "data_cache" / "first_view" / "overview"
#: The code the rows are computed by: a change to any of these files makes the stored rows stale.
CODE_GLOBS = (("indicators", "**/*"), ("connectors", "*.py"))
FORMAT = 1


def code_fingerprint(root: Path = ROOT) -> str:
    """sha256 of the files that compute the rows (see :data:`CODE_GLOBS`) and the pandas/numpy versions."""
    digest = hashlib.sha256(f"format {FORMAT}; pandas {pd.__version__}; numpy {np.__version__}\n".encode())
    for folder, pattern in CODE_GLOBS:
        for path in sorted((root / folder).glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(f"{path.relative_to(root).as_posix()}\n".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def areas_hash() -> str:
    """A hash of the areas table as the indicators layer serves it (codes, names, levels, groups)."""
    table = query.areas()
    return hashlib.sha256(pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes()).hexdigest()[:16]


def default_view() -> tuple[str, str, tuple[str, ...], int, tuple[str, ...]]:
    """(place, peer kind, peer members, trend start, themes) of an empty Overview link, computed now."""
    from dashboard.pages.overview import data, state

    view = state.OverviewView()
    group = data.peer_group(view.area, view.peers, view.similar, view.custom)
    return view.area, view.peers, group.members, view.since, tuple(data.THEME_TITLES)


def compute() -> tuple[dict[str, pd.DataFrame], dict]:
    """The default view's scorecard rows by theme (in page order) and the key they belong to, computed
    from the current store by ``indicators.assess`` — what the page computes without the file."""
    from dashboard.pages.overview import data
    from indicators import assess

    area, peers, members, since, themes = default_view()
    gdp_last_year = query.year_range(assess.GDP)[1]
    rows = {theme: assess.scorecard_theme(area, members, since, theme) for theme in themes}
    meta = {
        "format": FORMAT,
        "data_version": query.data_version(),
        "code": code_fingerprint(),
        "areas": areas_hash(),
        "area": area,
        "peers": peers,
        "members": list(members),
        "since": since,
        "themes": list(themes),
        "gdp_last_year": gdp_last_year,
        "area_options": list(data.computed_place_options()),
    }
    return rows, meta


def _theme_path(folder: Path, theme: str) -> Path:
    return folder / f"{theme}.parquet"


def write(path: Path | None = None) -> dict:
    """Compute the default view and write it to the folder ``path``: one Parquet file per theme (each
    keeps its own column types) and the key in ``key.json``."""
    rows, meta = compute()
    path = path or PATH
    path.mkdir(parents=True, exist_ok=True)
    for theme, frame in rows.items():
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), _theme_path(path, theme), compression="zstd")
    (path / "key.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def read(path: Path | None = None) -> tuple[dict[str, pd.DataFrame], dict] | None:
    """The stored rows by theme and their key (from :data:`PATH` by default), or None when there is no
    readable file."""
    path = path or PATH
    try:
        meta = json.loads((path / "key.json").read_text(encoding="utf-8"))
        themes = {theme: pq.read_table(_theme_path(path, theme)).to_pandas() for theme in meta["themes"]}
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException) as error:
        LOG.info("no precomputed first view (%s): the Overview computes it", error)
        return None
    for frame in themes.values():
        # Parquet gives lists back as arrays: the page's sparklines hold lists of floats, as assess makes them.
        frame["sparkline"] = [v.tolist() if v is not None else v for v in frame["sparkline"]]
    return themes, meta


def stale_reason(meta: dict, version: str, code: str, areas: str) -> str | None:
    """Why stored rows keyed by ``meta`` may not be shown under data ``version``, ``code`` and ``areas``
    (None: they may)."""
    if meta.get("format") != FORMAT:
        return f"file format {meta.get('format')} is not {FORMAT}"
    if meta.get("data_version") != version:
        return f"computed for data version {meta.get('data_version')}, the store is at {version}"
    if meta.get("code") != code:
        return "computed by other code (run `python -m dashboard first-view` after changing indicators/connectors)"
    if meta.get("areas") != areas:
        return "computed for another areas table (run `python -m dashboard first-view`)"
    return None


@lru_cache(maxsize=1)
def _usable(version: str) -> tuple[dict[str, pd.DataFrame], dict] | None:
    """The stored rows if they were computed for data ``version`` by this code (checked once per version;
    ``dashboard.data_version`` clears this cache when the store changes)."""
    stored = read()
    if stored is None:
        return None
    reason = stale_reason(stored[1], version, code_fingerprint(), areas_hash())
    if reason is not None:
        LOG.info("precomputed first view not used: %s", reason)
        return None
    return stored


def rows(area: str, members: tuple[str, ...], since: int, theme: str) -> pd.DataFrame | None:
    """The stored scorecard rows of ``theme`` when (area, members, since) is the stored default view and
    the file was computed for the running data and code; otherwise None (compute them)."""
    stored = _usable(query.data_version())
    if stored is None:
        return None
    themes, meta = stored
    if area != meta["area"] or since != meta["since"] or theme not in themes or list(members) != meta["members"]:
        return None
    return themes[theme]


def gdp_last_year() -> int | None:
    """GDP per capita's latest year when the stored file was computed for the running data and code, else None."""
    stored = _usable(query.data_version())
    return None if stored is None else int(stored[1]["gdp_last_year"])


def area_options() -> tuple[str, ...] | None:
    """The places the Overview's picker offers when the stored file matches the running data and code, else None."""
    stored = _usable(query.data_version())
    return None if stored is None else tuple(stored[1]["area_options"])
