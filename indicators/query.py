"""The query API the dashboard calls: indicator panels, latest values with ranks, areas and peer groups.

Nothing here knows about Streamlit or Altair. Results are cached by their arguments, so a
dashboard rerun that asks the same question costs a dictionary lookup; returned frames are
shared between callers and must be treated as read-only.
"""

from __future__ import annotations

import contextlib
import json
from functools import lru_cache

import pandas as pd

from connectors import store
from indicators.catalog import catalog
from indicators.methods import derived, expression
from indicators.schema import Definition, Direction, SeriesRef

PANEL_COLUMNS = ["indicator", "ref_area", "year", "value"]


class QueryError(ValueError):
    """A question the data cannot answer (unknown indicator, no data); the message says which."""


def definition(indicator_id: str) -> Definition:
    try:
        return catalog()[indicator_id]
    except KeyError:
        raise QueryError(f"unknown indicator {indicator_id!r}; see `python -m indicators list`") from None


@lru_cache(maxsize=1)
def areas() -> pd.DataFrame:
    """Every known area, indexed by ref_area (names, level, aggregate flag, groups)."""
    return store.load_areas().set_index("ref_area", drop=False)


def area_name(ref_area: str) -> str:
    table = areas()
    return str(table.at[ref_area, "name"]) if ref_area in table.index else ref_area


@lru_cache(maxsize=32)
def _dataset_frame(source: str, dataset: str) -> pd.DataFrame:
    """Every annual observation of one stored dataset (read once per process, read-only).

    The dashboard asks for dozens of indicators from the same few datasets on one page; one
    sequential read per dataset is far cheaper than a filtered scan per indicator.
    """
    table = store.read_dataset(source, dataset, ["series", "ref_area", "year", "freq", "value", "dimensions"])
    frame = table.to_pandas()
    # Observations without a time period (no year) are stored but are not part of a yearly series.
    frame = frame[(frame["freq"].fillna("A") == "A") & frame["value"].notna() & frame["year"].notna()]
    frame = frame.drop(columns="freq")
    frame["year"] = frame["year"].astype("int64")
    return frame


@lru_cache(maxsize=32)
def _dataset_series(source: str, dataset: str) -> dict[str, pd.DataFrame]:
    """The dataset split by series code."""
    frame = _dataset_frame(source, dataset).drop(columns="dimensions")
    return {code: part.drop(columns="series") for code, part in frame.groupby("series", sort=False)}


def _matching(source: str, dataset: str, match: dict[str, str]) -> pd.DataFrame:
    """Observations whose SDMX dimension codes include every pair of ``match``."""
    frame = _dataset_frame(source, dataset)
    distinct = frame["dimensions"].dropna().unique()
    wanted = {text for text in distinct if all(json.loads(text).get(k) == v for k, v in match.items())}
    rows = frame[frame["dimensions"].isin(wanted)]
    clashes = rows.duplicated(["ref_area", "year"], keep=False)
    if clashes.any():
        clashing = [json.loads(text) for text in rows.loc[clashes, "dimensions"].unique()]
        varying = sorted(k for k in set().union(*clashing) if len({d.get(k) for d in clashing}) > 1)
        varying = [k for k in varying if k not in {"geo", "ref_area", "REF_AREA"}] or varying
        raise QueryError(
            f"{source}/{dataset}: match {match} picks more than one value per area and year; "
            f"add one of the dimensions {varying} to 'match'"
        )
    return rows.drop(columns=["series", "dimensions"])


def _empty_panel() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=t) for c, t in zip(PANEL_COLUMNS, ("str", "str", "int64", "float64"), strict=True)}
    )


def _series_rows(ref: SeriesRef) -> pd.DataFrame | None:
    """The observations one series reference picks (ref_area, year, value), or None if the dataset
    holds none of them."""
    if ref.match is not None:
        frame = _matching(ref.source, ref.dataset, dict(ref.match))
        return frame if len(frame) else None
    return _dataset_series(ref.source, ref.dataset).get(ref.code)


@lru_cache(maxsize=256)
def _chosen_series(indicator_id: str) -> tuple[SeriesRef, pd.DataFrame | None]:
    """The first of the definition's series, in order of preference, that is stored and has observations.

    Official datasets (``official_series``) come first; ``series`` (the snapshot) is the fallback and is
    returned even when it is empty, so a missing dataset is reported by the caller as before. An official
    dataset that is stored but matches nothing is passed over here and reported by
    ``python -m connectors status`` (the catalogue holds the same selection), never silently.
    """
    item = definition(indicator_id)
    if item.series is None:
        raise QueryError(f"indicator {indicator_id!r} is derived (formula: {item.formula}); use panel()")
    stored = set(store.dataset_files())
    for ref in item.official_series:
        if (ref.source, ref.dataset) not in stored:
            continue
        try:
            rows = _series_rows(ref)
        except store.StoreError as exc:
            raise QueryError(f"indicator {indicator_id!r}: {exc}") from None
        if rows is not None:
            return ref, rows
    try:
        return item.series, _series_rows(item.series)
    except store.StoreError as exc:
        raise QueryError(f"indicator {indicator_id!r}: {exc}") from None


def source_used(indicator_id: str) -> SeriesRef:
    """The series a raw indicator's numbers come from now: an official dataset, or the snapshot fallback.

    Chart source lines, CSV downloads and provenance name this one (see :func:`source_line`).
    """
    return _chosen_series(indicator_id)[0]


@lru_cache(maxsize=256)
def _raw_panel(indicator_id: str) -> pd.DataFrame:
    """All annual observations of one raw (series-backed) indicator, scale applied."""
    ref, frame = _chosen_series(indicator_id)
    if frame is None:
        return _empty_panel()
    frame = frame.assign(value=frame["value"] * ref.scale)
    frame.insert(0, "indicator", indicator_id)
    return frame.sort_values(["ref_area", "year"]).reset_index(drop=True)[PANEL_COLUMNS]


@lru_cache(maxsize=64)
def _formula_panel(indicator_id: str) -> pd.DataFrame:
    """All years of a derived indicator, evaluated from the indicators its formula names."""

    item = definition(indicator_id)
    names = expression.names_in(item.formula)
    variables = {name: derived.series_from_panel(_indicator_frame(name), name) for name in names}
    result = expression.evaluate(item.formula, variables, {name: definition(name).unit for name in names})
    values = result.values.replace([float("inf"), float("-inf")], float("nan")).dropna()
    frame = derived.series_to_panel(values, indicator_id)
    frame["year"] = frame["year"].astype("int64")
    return frame.sort_values(["ref_area", "year"]).reset_index(drop=True)[PANEL_COLUMNS]


def _indicator_frame(indicator_id: str) -> pd.DataFrame:
    """Raw or derived: every observation of one indicator (read-only, cached)."""
    if definition(indicator_id).series is None:
        return _formula_panel(indicator_id)
    return _raw_panel(indicator_id)


def panel(
    indicator_ids: list[str] | tuple[str, ...] | str,
    ref_areas: list[str] | tuple[str, ...] | None = None,
    years: tuple[int | None, int | None] | None = None,
) -> pd.DataFrame:
    """Long table ``indicator, ref_area, year, value`` for the given indicators, areas and years."""
    if isinstance(indicator_ids, str):
        indicator_ids = [indicator_ids]
    frames = [_indicator_frame(i) for i in indicator_ids]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PANEL_COLUMNS)
    if ref_areas is not None:
        frame = frame[frame["ref_area"].isin(list(ref_areas))]
    if years is not None:
        low, high = years
        if low is not None:
            frame = frame[frame["year"] >= low]
        if high is not None:
            frame = frame[frame["year"] <= high]
    return frame.reset_index(drop=True)


def coverage(indicator_id: str) -> dict:
    """How much data an indicator has: countries, aggregates, first and last year."""
    frame = _indicator_frame(indicator_id)
    table = areas()
    is_aggregate = frame["ref_area"].map(table["is_aggregate"]).fillna(False).astype(bool)
    return {
        "areas": int(frame.loc[~is_aggregate, "ref_area"].nunique()),
        "aggregates": int(frame.loc[is_aggregate, "ref_area"].nunique()),
        "first_year": int(frame["year"].min()) if len(frame) else None,
        "last_year": int(frame["year"].max()) if len(frame) else None,
        "observations": len(frame),
    }


def latest(
    indicator_id: str,
    ref_areas: list[str] | tuple[str, ...] | None = None,
    max_year: int | None = None,
    max_age: int | None = None,
) -> pd.DataFrame:
    """Latest value per area (up to ``max_year``), ranked within the given areas, 1 = best.

    ``max_age`` drops areas whose latest value is more than that many years older than the
    newest value in the selection, so stale numbers are not ranked beside fresh ones silently.
    """
    frame = panel(indicator_id, ref_areas, (None, max_year))
    if frame.empty:
        return frame.assign(rank=pd.Series(dtype="Int64"))
    last = frame.sort_values("year").groupby("ref_area", as_index=False).tail(1)
    if max_age is not None:
        last = last[last["year"] >= last["year"].max() - max_age]
    ascending = definition(indicator_id).direction == Direction.lower_is_better
    last = last.assign(rank=last["value"].rank(ascending=ascending, method="min").astype("Int64"))
    last = last.assign(name=last["ref_area"].map(area_name))
    return last.sort_values(["rank", "ref_area"]).reset_index(drop=True)


def countries() -> pd.DataFrame:
    table = areas()
    return table[(table["level"] == "country") & ~table["is_aggregate"]]


def peer_group(group: str) -> list[str]:
    """Member codes of a named peer group: OECD, EU27, an income group or a world region."""
    table = countries()
    if group == "OECD":
        members = table[table["oecd"].fillna(False)]
    elif group == "EU27":
        members = table[table["eu27"].fillna(False)]
    elif group in set(table["income_group"].dropna()):
        members = table[table["income_group"] == group]
    elif group in set(table["world_region"].dropna()):
        members = table[table["world_region"] == group]
    else:
        raise QueryError(f"unknown peer group {group!r}")
    return sorted(members["ref_area"])


def data_version() -> str:
    return _data_version()


@lru_cache(maxsize=1)
def _data_version() -> str:
    return store.data_version()


@lru_cache(maxsize=512)
def provenance_for(indicator_id: str) -> store.Provenance:
    """The provenance of the dataset the indicator's numbers come from now (see :func:`source_used`)."""
    if definition(indicator_id).series is None:
        raise QueryError(f"indicator {indicator_id!r} is derived; see the indicators in its formula")
    ref = source_used(indicator_id)
    return store.read_provenance(ref.source, ref.dataset)


def source_credit(indicator_id: str) -> tuple[str, str]:
    """(publisher, licence) of the series a raw indicator uses now.

    The snapshot fallback is credited as its definition says; an official dataset by its own provenance
    (the provider and licence the refresh recorded), with the dataset named, so nobody reads official
    numbers as the snapshot's or the other way round.
    """
    item = definition(indicator_id)
    if item.series is None:  # derived: credited as its definition says (source_line credits its inputs)
        return item.source.publisher, item.source.licence
    ref = source_used(indicator_id)
    if ref == item.series:
        return item.source.publisher, item.source.licence
    try:
        provenance = provenance_for(indicator_id)
    except store.StoreError:  # unreadable sidecar: still say which dataset, never the fallback's publisher
        return f"{ref.source}, {ref.dataset}", "licence not recorded"
    return f"{provenance.publisher or ref.source}, {ref.dataset}", provenance.licence or "licence not recorded"


def raw_inputs(indicator_id: str) -> list[str]:
    """The series-backed indicators a (possibly derived) indicator is computed from, in order."""
    item = definition(indicator_id)
    if item.formula is None:
        return [indicator_id]
    found: list[str] = []
    for name in expression.names_in(item.formula):
        found.extend(i for i in raw_inputs(name) if i not in found)
    return found


def source_line(indicator_ids: list[str] | tuple[str, ...]) -> str:
    """'Source: publisher (licence) · Vintage: … · Snapshot …' for the indicators a chart shows.

    Derived indicators are credited to the publishers of the series they are computed from.
    """
    return _source_line(tuple(indicator_ids))


@lru_cache(maxsize=1024)
def _source_line(indicator_ids: tuple[str, ...]) -> str:
    raw = list(dict.fromkeys(i for ident in indicator_ids for i in raw_inputs(ident)))
    seen: dict[str, str] = {}
    built: set[str] = set()
    for ident in raw:
        publisher, licence = source_credit(ident)
        seen.setdefault(publisher, licence)
        with contextlib.suppress(store.StoreError):
            built.add(provenance_for(ident).retrieved_or_built)
    sources = "; ".join(f"{publisher} ({licence})" for publisher, licence in seen.items())
    vintage = f" · Vintage: {'; '.join(sorted(built - {''}))}" if built - {""} else ""
    derived_note = (
        " · Computed by Beyond GDP from these series"
        if len(raw) != len(set(indicator_ids)) or any(definition(i).formula for i in indicator_ids)
        else ""
    )
    return f"Source: {sources}{vintage}{derived_note} · Snapshot {data_version()}"


def trajectory(
    indicator_id: str,
    ref_areas: list[str] | tuple[str, ...],
    years: tuple[int | None, int | None] | None = None,
    base_year: int | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Lines for the chosen areas (with names), optionally indexed to ``base_year`` = 100.

    Returns the frame and notes on areas that could not be shown (no data, or no value in
    the base year), so the page can say so instead of leaving a line out silently.
    """
    frame = panel(indicator_id, ref_areas, years)
    notes = []
    missing = [a for a in ref_areas if a not in set(frame["ref_area"])]
    if missing:
        notes.append(f"no data for {', '.join(area_name(a) for a in missing)} in this period")
    if base_year is not None and not frame.empty:
        series = derived.series_from_panel(frame, indicator_id)
        indexed = derived.index(series, base_year).replace([float("inf"), float("-inf")], float("nan")).dropna()
        unusable = sorted(set(frame["ref_area"]) - set(indexed.index.get_level_values(0)))
        if unusable:
            notes.append(f"no {base_year} value to index {', '.join(area_name(a) for a in unusable)}; left out")
        frame = derived.series_to_panel(indexed, indicator_id)
    order = {code: i for i, code in enumerate(ref_areas)}
    frame = frame.assign(name=frame["ref_area"].map(area_name), _order=frame["ref_area"].map(order))
    frame = frame.sort_values(["_order", "year"]).drop(columns="_order").reset_index(drop=True)
    return frame, notes


def year_range(indicator_id: str) -> tuple[int, int]:
    frame = _indicator_frame(indicator_id)
    return int(frame["year"].min()), int(frame["year"].max())


def decoupling(
    pressure_id: str, driver_id: str, start: int, end: int, ref_areas: list[str] | tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Absolute vs relative decoupling of a pressure (e.g. CO2, materials) from a driver (GDP) per area.

    One row per area with both values in ``start`` and ``end``: the relative changes, the OECD
    decoupling factor and the status (``absolute``, ``relative`` or ``none``).
    """
    pressure = derived.series_from_panel(panel(pressure_id, ref_areas), pressure_id)
    driver = derived.series_from_panel(panel(driver_id, ref_areas), driver_id)
    table = derived.decoupling_status(pressure, driver, start, end).dropna(subset=["status"]).reset_index()
    table.insert(1, "name", table["ref_area"].map(area_name))
    return table.sort_values(["status", "decoupling_factor"], ascending=[True, False]).reset_index(drop=True)
