"""The query API the dashboard calls: indicator panels, latest values with ranks, areas and peer groups.

Nothing here knows about Streamlit or Altair. Results are cached by their arguments, so a
dashboard rerun that asks the same question costs a dictionary lookup; returned frames are
shared between callers and must be treated as read-only.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd

from connectors import quality, store
from connectors.providers import RegistryError, default_catalogue
from indicators.catalog import catalog
from indicators.methods import derived, expression
from indicators.schema import Definition, Direction, SeriesRef

PANEL_COLUMNS = ["indicator", "ref_area", "year", "value"]


class QueryError(ValueError):
    """A question the data cannot answer (unknown indicator, no data); the message says which."""


class DataUnavailable(QueryError):
    """A stored dataset an answer needs cannot be read (damaged or missing file): the message names the
    dataset and how to restore it, so a page can say so instead of showing an error id."""


class NotFetched(DataUnavailable):
    """An indicator that reads only official datasets none of which has been refreshed yet (the snapshot has no
    copy): the message says which ``python -m connectors refresh`` gives it data."""


def definitions() -> dict[str, Definition]:
    """Every usable definition by id (the one door the other indicators modules use, so a test
    that swaps the catalogue swaps it everywhere).

    Definitions that wait for a refresh (:func:`awaiting_refresh`) are left out, so pickers, rankings and
    indices never offer an indicator without data; :func:`definition` names the refresh that brings it in.
    """
    return _usable_definitions()


@lru_cache(maxsize=1)
def _usable_definitions() -> dict[str, Definition]:
    awaiting = awaiting_refresh()
    return {ident: item for ident, item in catalog().items() if ident not in awaiting}


def refresh_entries() -> dict[tuple[str, str], str]:
    """(source, dataset) -> the enabled catalogue entry that fetches it (empty when the catalogue cannot be read)."""
    try:
        entries = default_catalogue().values()
    except RegistryError:
        return {}
    return {(e.store_source, e.store_dataset): e.name for e in entries if e.enabled}


@lru_cache(maxsize=1)
def awaiting_refresh() -> dict[str, str]:
    """Indicators with no data until an official dataset is refreshed: id -> what to run, in the user's words.

    A raw indicator qualifies when none of its series (official datasets and ``series``) is stored — an
    official-only definition on a fresh clone, whose dataset the snapshot has no copy of; a derived one when
    it reads such an indicator. Worked out from the store's file list, so a refresh (which clears the cached
    answers) makes the indicator usable at once.
    """
    stored = set(store.dataset_files())
    entries = refresh_entries()
    found: dict[str, str] = {}
    items = catalog()
    for ident, item in items.items():
        refs = item.series_in_preference
        if not refs or any((ref.source, ref.dataset) in stored for ref in refs):
            continue
        name = next((entries[(r.source, r.dataset)] for r in refs if (r.source, r.dataset) in entries), None)
        how = f"run `python -m connectors refresh {name}`" if name else "see `python -m connectors status`"
        found[ident] = f"not fetched yet — {how} (official data only: {refs[0].source}/{refs[0].dataset})"
    changed = bool(found)
    while changed:  # a formula over an indicator without data has none either
        changed = False
        for ident, item in items.items():
            if ident in found or not item.formula:
                continue
            waiting = sorted(set(expression.names_in(item.formula)) & set(found))
            if waiting:
                found[ident] = f"not fetched yet — reads {', '.join(waiting)}: {found[waiting[0]]}"
                changed = True
    return found


def definition(indicator_id: str) -> Definition:
    """The definition of an indicator, also of one waiting for a refresh (its title, unit and source can be
    shown); asking such an indicator for data raises :class:`NotFetched` naming the refresh to run."""
    found = definitions().get(indicator_id)
    if found is None and indicator_id in awaiting_refresh():
        found = catalog().get(indicator_id)
    if found is None:
        raise QueryError(f"unknown indicator {indicator_id!r}; see `python -m indicators list`")
    return found


def _not_fetched(indicator_id: str) -> None:
    waiting = awaiting_refresh().get(indicator_id)
    if waiting:
        raise NotFetched(f"indicator {indicator_id!r}: {waiting}")


@lru_cache(maxsize=1)
def areas() -> pd.DataFrame:
    """Every known area, indexed by ref_area (names, level, aggregate flag, groups)."""
    return store.load_areas().set_index("ref_area", drop=False)


@lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    table = areas()
    return dict(zip(table["ref_area"], table["name"], strict=True))


def area_name(ref_area: str) -> str:
    """The area's name, or its code when the area is unknown (a cached dictionary look-up)."""
    return _area_names().get(ref_area, ref_area)


def forget_cached_answers() -> None:
    """Drop every cached answer of every loaded ``indicators`` module (after the data changed).

    Walks the modules instead of listing caches by hand, so a cache added to a new module is
    never left holding the old data.
    """
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "indicators" or name.startswith("indicators.")):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


@lru_cache(maxsize=32)
def _dataset_frame(source: str, dataset: str) -> pd.DataFrame:
    """Every annual observation of one stored dataset (read once per process, read-only).

    The dashboard asks for dozens of indicators from the same few datasets on one page; one
    sequential read per dataset is far cheaper than a filtered scan per indicator.
    """
    columns = ["series", "ref_area", "year", "freq", "value", "dimensions", "obs_status"]
    frame = store.read_dataset(source, dataset, columns).to_pandas()
    # Observations without a time period (no year) are stored but are not part of a yearly series.
    frame = frame[(frame["freq"].fillna("A") == "A") & frame["value"].notna() & frame["year"].notna()]
    # The publisher's own estimate flags, read by the stated rule of connectors.quality.
    frame = frame.assign(estimated=quality.estimated(source, frame["obs_status"]))
    frame = frame.drop(columns=["freq", "obs_status"])
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


def _series_rows(ref: SeriesRef) -> pd.DataFrame | None:
    """The observations one series reference picks (ref_area, year, value), or None if the dataset
    holds none of them."""
    if ref.match is not None:
        frame = _matching(ref.source, ref.dataset, dict(ref.match))
        return frame if len(frame) else None
    return _dataset_series(ref.source, ref.dataset).get(ref.code)


def _stored_official(item: Definition) -> list[SeriesRef]:
    """The definition's official datasets that the store holds, in order of preference."""
    stored = set(store.dataset_files())
    return [ref for ref in item.official_series if (ref.source, ref.dataset) in stored]


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
    _not_fetched(indicator_id)
    for ref in _stored_official(item):
        try:
            rows = _series_rows(ref)
        except store.StoreError as exc:
            raise DataUnavailable(f"indicator {indicator_id!r}: {exc}") from None
        if rows is not None:
            return ref, rows
    try:
        return item.series, _series_rows(item.series)
    except store.StoreError as exc:
        raise DataUnavailable(f"indicator {indicator_id!r}: {exc}") from None


def source_used(indicator_id: str) -> SeriesRef:
    """The series a raw indicator's numbers come from now: an official dataset, or the snapshot fallback.

    Chart source lines, CSV downloads and provenance name this one (see :func:`source_line`). When none of
    the definition's official datasets is stored the answer is the snapshot's series without reading any
    data: a page's source lines name dozens of indicators, and reading their datasets only to name them cost
    a fresh server 0.6 s before its first chart.
    """
    item = definition(indicator_id)
    if item.series is not None and not _stored_official(item):
        _not_fetched(indicator_id)
        return item.series
    return _chosen_series(indicator_id)[0]


def _raw_panel(indicator_id: str) -> pd.DataFrame:
    """All annual observations of one raw (series-backed) indicator, scale applied."""
    return _raw_observations(indicator_id)[PANEL_COLUMNS]


@lru_cache(maxsize=256)
def _raw_observations(indicator_id: str) -> pd.DataFrame:
    """:func:`_raw_panel` plus the publisher's ``estimated`` flag of each value."""
    ref, frame = _chosen_series(indicator_id)
    if frame is None:
        dtypes = ("str", "str", "int64", "float64", "bool")
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip([*PANEL_COLUMNS, "estimated"], dtypes, strict=True)})
    frame = frame.assign(value=frame["value"] * ref.scale)
    frame.insert(0, "indicator", indicator_id)
    return frame.sort_values(["ref_area", "year"]).reset_index(drop=True)[[*PANEL_COLUMNS, "estimated"]]


@lru_cache(maxsize=256)
def estimated_keys(indicator_id: str) -> pd.MultiIndex:
    """(ref_area, year) of the values the publisher marked as estimated, modelled or provisional.

    A derived value is estimated when any value it is computed from is (an estimate in, an estimate out).
    """
    if definition(indicator_id).series is not None:
        frame = _raw_observations(indicator_id)
        flagged = frame[frame["estimated"]]
        return pd.MultiIndex.from_arrays([flagged["ref_area"], flagged["year"]], names=["ref_area", "year"])
    keys = [estimated_keys(name) for name in raw_inputs(indicator_id)]
    union = keys[0].append(keys[1:]).unique() if keys else pd.MultiIndex.from_arrays([[], []])
    own = _indicator_frame(indicator_id)
    rows = pd.MultiIndex.from_arrays([own["ref_area"], own["year"]])
    return rows[rows.isin(union)]


def with_estimated(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a panel: indicator, ref_area, year, ...) with an ``estimated`` column for charts and tables."""
    flags = pd.Series(False, index=frame.index)
    for ident, part in frame.groupby("indicator", sort=False):
        flags[part.index] = estimated_at([str(ident)], part["ref_area"], part["year"])
    return frame.assign(estimated=flags.astype(bool))


def estimated_at(indicator_ids: Iterable[str], ref_areas: pd.Series, years: pd.Series) -> pd.Series:
    """True where any of ``indicator_ids`` has a value the publisher estimated at (ref_area, year).

    For rows that combine several indicators (a scatter of two, a composite): an estimate in, an
    estimate out. A row without a year (a projection's boundary line, say) is never estimated.
    """
    whole = pd.to_numeric(years, errors="coerce")
    known = whole.notna().to_numpy()
    keys = pd.MultiIndex.from_arrays([ref_areas.astype(str).to_numpy()[known], whole[known].astype("int64").to_numpy()])
    flags = np.zeros(len(keys), dtype=bool)
    for ident in dict.fromkeys(indicator_ids):
        flags |= keys.isin(estimated_keys(ident))
    result = np.zeros(len(ref_areas), dtype=bool)
    result[known] = flags
    return pd.Series(result, index=ref_areas.index)


@lru_cache(maxsize=64)
def _formula_result(indicator_id: str) -> tuple[pd.DataFrame, tuple[tuple[str, int], ...]]:
    """All years of a derived indicator, evaluated from the indicators its formula names, and the values it
    could not compute: ``(panel, ((reason, count), ...))``.

    A division by zero or an overflow gives a missing value, never a row of infinity; it is counted with its
    reason so that coverage can say "12 values not computed: division by zero or overflow" instead of the
    indicator silently having fewer rows.
    """
    item = definition(indicator_id)
    _not_fetched(indicator_id)
    names = expression.names_in(item.formula)
    variables = {name: derived.series_from_panel(_indicator_frame(name), name) for name in names}
    result = expression.evaluate(item.formula, variables, {name: definition(name).unit for name in names})
    values = result.values
    if not isinstance(values, pd.Series):  # a formula of numbers only: no areas, no years
        values = pd.Series(dtype=float, index=pd.MultiIndex.from_arrays([[], []], names=["ref_area", "year"]))
    infinite = values.isin([float("inf"), float("-inf")])
    gaps = []
    if infinite.any():
        gaps.append(("division by zero or overflow", int(infinite.sum())))
    if not expression.calls_in(item.formula) and variables:
        inputs = pd.concat(list(variables.values()), axis=1, join="inner").index
        undefined = values.reindex(inputs).isna() & ~infinite.reindex(inputs, fill_value=False)
        if undefined.any():
            gaps.append(("undefined (such as 0/0)", int(undefined.sum())))
    finite = values[~infinite].dropna()
    frame = derived.series_to_panel(finite, indicator_id)
    frame["year"] = frame["year"].astype("int64")
    return frame.sort_values(["ref_area", "year"]).reset_index(drop=True)[PANEL_COLUMNS], tuple(gaps)


def _formula_panel(indicator_id: str) -> pd.DataFrame:
    """All years of a derived indicator (values it could not compute are left out; see :func:`formula_gaps`)."""
    return _formula_result(indicator_id)[0]


def formula_gaps(indicator_id: str) -> dict[str, int]:
    """Values of a derived indicator that could not be computed, counted by reason (empty for raw series)."""
    if definition(indicator_id).formula is None:
        return {}
    return dict(_formula_result(indicator_id)[1])


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
    if len(frames) == 1:
        frame = frames[0]  # one indicator: no concatenated copy of its whole panel (filtered below)
    else:
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


@lru_cache(maxsize=512)
def _by_area(indicator_id: str) -> pd.DataFrame:
    """One indicator's panel indexed by a sorted ref_area, so a place's rows are a binary-search slice."""
    frame = panel(indicator_id)
    return frame.set_index(frame["ref_area"].rename(None)).sort_index(kind="stable")


def area_panel(indicator_id: str, ref_area: str) -> pd.DataFrame:
    """``indicator, ref_area, year, value`` of one area, sorted by year (empty when it has no data)."""
    return _by_area(indicator_id).loc[ref_area:ref_area].reset_index(drop=True)


@lru_cache(maxsize=512)
def latest_by_area(indicator_id: str, max_year: int | None = None) -> pd.DataFrame:
    """Last observation per area up to ``max_year`` (all areas), indexed by ref_area: ``year, value``."""
    frame = panel(indicator_id, years=(None, max_year))
    last = frame.sort_values("year").groupby("ref_area", as_index=False).tail(1)
    return last.set_index("ref_area")[["year", "value"]]


def coverage(indicator_id: str) -> dict:
    """How much data an indicator has: countries, aggregates, first and last year, and how many values of a
    derived indicator could not be computed (with the reasons)."""
    frame = _indicator_frame(indicator_id)
    table = areas()
    is_aggregate = frame["ref_area"].map(table["is_aggregate"]).fillna(False).astype(bool)
    gaps = formula_gaps(indicator_id)
    return {
        "areas": int(frame.loc[~is_aggregate, "ref_area"].nunique()),
        "aggregates": int(frame.loc[is_aggregate, "ref_area"].nunique()),
        "first_year": int(frame["year"].min()) if len(frame) else None,
        "last_year": int(frame["year"].max()) if len(frame) else None,
        "observations": len(frame),
        "not_computed": sum(gaps.values()),
        "not_computed_reasons": "; ".join(f"{count:,} {reason}" for reason, count in gaps.items()),
    }


def latest(
    indicator_id: str,
    ref_areas: list[str] | tuple[str, ...] | None = None,
    max_year: int | None = None,
    max_age: int | None = None,
) -> pd.DataFrame:
    """Latest value per area (up to ``max_year``), ranked within the given areas, 1 = best (no rank for a
    size measure, whose order would be an order of size).

    ``max_age`` drops areas whose latest value is more than that many years older than the
    newest value in the selection, so stale numbers are not ranked beside fresh ones silently.
    """
    frame = panel(indicator_id, ref_areas, (None, max_year))
    if frame.empty:
        return frame.assign(rank=pd.Series(dtype="Int64"))
    last = frame.sort_values("year").groupby("ref_area", as_index=False).tail(1)
    if max_age is not None:
        last = last[last["year"] >= last["year"].max() - max_age]
    item = definition(indicator_id)
    ascending = item.direction == Direction.lower_is_better
    ranks = last["value"].rank(ascending=ascending, method="min").astype("Int64")
    if not item.rankable:  # a size measure (count, total) is listed, never ranked
        ranks = pd.Series(pd.NA, index=last.index, dtype="Int64")
    last = last.assign(rank=ranks)
    last = last.assign(name=last["ref_area"].map(area_name))
    return last.sort_values(["rank", "ref_area"]).reset_index(drop=True)


def countries() -> pd.DataFrame:
    table = areas()
    return table[(table["level"] == "country") & ~table["is_aggregate"]]


@lru_cache(maxsize=1)
def quality_findings() -> dict:
    """The data-quality findings written beside the snapshot (duplicated series, estimate counts)."""
    return quality.read_findings(store.DATA_CACHE / store.SNAPSHOT_DIR)


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
    """The series-backed indicators a (possibly derived) indicator is computed from, in order (also for one
    waiting for a refresh: this is the formula's structure, not its data)."""
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


@lru_cache(maxsize=1024)
def year_range(indicator_id: str) -> tuple[int, int]:
    """First and last year with a value of the indicator (cached per data version: pages ask for it in
    widget labels and option lists on every rerun, and each answer scans the whole panel)."""
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
