"""Weighting: how much each indicator counts in a composite, always summing to 1.

Every method returns a ``pd.Series`` indexed by indicator id, non-negative, summing to 1.
Weights are explicit value judgements, so the rules are strict: negative weights are refused
(a "bad" indicator must be flipped by its direction, not weighted negatively), zero is allowed
(it switches an indicator off while keeping it in the record), and weights are renormalised so
users may write them on any scale (e.g. the OECD Better Life Index's 0-5 sliders).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from indicators.methods.registry import lookup


class WeightError(ValueError):
    """Weights that cannot be used: negative, missing, non-numeric or all zero."""


def _check_values(weights: Mapping[str, float], what: str) -> pd.Series:
    series = pd.Series({k: v for k, v in weights.items()}, dtype=object)
    bad = [k for k, v in series.items() if isinstance(v, bool) or not isinstance(v, int | float | np.number)]
    if bad:
        raise WeightError(f"{what} must be numbers; not numeric for: {bad}")
    series = series.astype(float)
    if not np.isfinite(series).all():
        raise WeightError(f"{what} must be finite; got {series[~np.isfinite(series)].to_dict()}")
    if (series < 0).any():
        raise WeightError(
            f"negative {what} are not allowed: {series[series < 0].to_dict()}; "
            "use the indicator's direction to say lower is better, and 0 to switch it off"
        )
    if series.sum() == 0:
        raise WeightError(f"{what} are all zero; at least one must be positive")
    return series


def equal(indicators: Sequence[str], **_: object) -> pd.Series:
    """Every indicator weighs ``1 / n``."""
    if len(indicators) == 0:
        raise WeightError("cannot weight an empty list of indicators")
    return pd.Series(1.0 / len(indicators), index=list(indicators))


def given(indicators: Sequence[str], weights: Mapping[str, float] | None = None, **_: object) -> pd.Series:
    """User-given weights for exactly ``indicators``, renormalised to sum to 1."""
    if not weights:
        raise WeightError("weighting 'given' needs weights: {indicator: weight, ...}")
    missing = [i for i in indicators if i not in weights]
    extra = [k for k in weights if k not in set(indicators)]
    if missing or extra:
        raise WeightError(f"given weights must name each indicator once; missing: {missing}, unknown: {extra}")
    series = _check_values({i: weights[i] for i in indicators}, "weights")
    return series / series.sum()


def nested(
    indicators: Sequence[str],
    groups: Mapping[str, Sequence[str]] | None = None,
    group_weights: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
    **_: object,
) -> pd.Series:
    """Weights by theme: each group (pillar) gets its share, split among its indicators.

    ``group_weights`` defaults to equal per group; within a group, ``weights`` (indicator ->
    weight, renormalised within the group) defaults to equal. The result is the product of a
    group's share and the indicator's share within it.
    """
    if not groups:
        raise WeightError("weighting 'nested' needs groups: {theme: [indicator, ...], ...}")
    grouped = [i for members in groups.values() for i in members]
    duplicated = sorted({i for i in grouped if grouped.count(i) > 1})
    if duplicated:
        raise WeightError(f"indicators in more than one group: {duplicated}")
    ungrouped = [i for i in indicators if i not in set(grouped)]
    unknown = [i for i in grouped if i not in set(indicators)]
    if ungrouped or unknown:
        raise WeightError(
            f"groups must cover the indicators exactly; not in any group: {ungrouped}, unknown: {unknown}"
        )
    theme_share = equal(list(groups)) if group_weights is None else given(list(groups), group_weights)
    out = {}
    for theme, members in groups.items():
        if len(members) == 0:
            raise WeightError(f"group {theme!r} has no indicators")
        inner = equal(members) if weights is None else given(members, {m: weights.get(m, 1.0) for m in members})
        for indicator, share in inner.items():
            out[indicator] = theme_share[theme] * share
    return pd.Series(out).reindex(list(indicators))


WEIGHTINGS: dict[str, Callable[..., pd.Series]] = {"equal": equal, "given": given, "nested": nested}


def make_weights(method: str, indicators: Sequence[str], **options: object) -> pd.Series:
    """Weights for ``indicators`` by the named method (see :data:`WEIGHTINGS`)."""
    return lookup(WEIGHTINGS, method, "weighting")(indicators, **options)
