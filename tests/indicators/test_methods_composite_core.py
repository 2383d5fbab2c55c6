"""Normalisation, weighting and aggregation: hand-checked cases and property tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.methods.aggregate import AggregationError, aggregate, arithmetic, geometric
from indicators.methods.normalise import NORMALISERS, distance_to_target, goalposts, minmax, normalise, rank, zscore
from indicators.methods.registry import UnknownMethodError
from indicators.methods.weights import WeightError, equal, make_weights, nested
from indicators.methods.weights import given as given_weights

X = pd.Series([2.0, 4.0, 6.0, np.nan], index=list("abcd"))


# --- normalisation: by hand ----------------------------------------------------------------


def test_minmax_zscore_rank_by_hand():
    assert minmax(X).tolist()[:3] == [0.0, 0.5, 1.0] and np.isnan(minmax(X)["d"])
    assert minmax(X, "lower_is_better").tolist()[:3] == [1.0, 0.5, 0.0]
    assert zscore(X).tolist()[:3] == pytest.approx([-1.0, 0.0, 1.0])  # mean 4, sample sd 2
    assert zscore(X, "lower_is_better")["a"] == pytest.approx(1.0)
    assert rank(pd.Series([10.0, 30.0, 20.0, 20.0])).tolist() == pytest.approx([0.0, 1.0, 0.5, 0.5])
    assert minmax(pd.Series([3.0, 3.0])).tolist() == [0.5, 0.5]


def test_distance_to_target_and_goalposts_by_hand():
    # higher better, target 5: (x - 2) / (5 - 2), capped at 1
    assert distance_to_target(X, target=5.0).tolist()[:3] == pytest.approx([0.0, 2 / 3, 1.0])
    # lower better, target 3: (6 - x) / (6 - 3)
    assert distance_to_target(X, "lower_is_better", target=3.0).tolist()[:3] == pytest.approx([1.0, 2 / 3, 0.0])
    with pytest.raises(ValueError, match="needs a numeric target"):
        distance_to_target(X)
    assert goalposts(X, lower=0, upper=5).tolist()[:3] == pytest.approx([0.4, 0.8, 1.0])
    assert goalposts(X, "lower_is_better", lower=0, upper=5).tolist()[:3] == pytest.approx([0.6, 0.2, 0.0])
    assert goalposts(pd.Series([10.0]), lower=1, upper=100, log=True).iloc[0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="lower < upper"):
        goalposts(X, lower=5, upper=5)


def test_normalise_matrix_and_errors():
    matrix = pd.DataFrame({"good": [1.0, 3.0], "bad": [1.0, 3.0]}, index=["a", "b"])
    out = normalise(matrix, "minmax", {"good": "higher_is_better", "bad": "lower_is_better"})
    assert out.to_dict() == {"good": {"a": 0.0, "b": 1.0}, "bad": {"a": 1.0, "b": 0.0}}
    out = normalise(
        matrix,
        "goalposts",
        {"good": "higher_is_better", "bad": "higher_is_better"},
        params={"good": {"lower": 0, "upper": 4}, "bad": {"lower": 1, "upper": 3}},
    )
    assert out.loc["b"].tolist() == [0.75, 1.0]
    with pytest.raises(
        UnknownMethodError, match="valid normalisation methods are: distance_to_target, goalposts, minmax"
    ):
        normalise(matrix, "minimax", {"good": "higher_is_better", "bad": "lower_is_better"})
    with pytest.raises(ValueError, match="direction must be one of"):
        minmax(X, "up")
    with pytest.raises(KeyError, match="no direction given"):
        normalise(matrix, "minmax", {"good": "higher_is_better"})


# --- normalisation: properties -------------------------------------------------------------

# integers-valued floats: distinct inputs stay distinct after scaling (no ties made by rounding)
values = st.lists(st.integers(-(10**6), 10**6).map(float), min_size=2, max_size=30)
directions = st.sampled_from(["higher_is_better", "lower_is_better"])


@settings(max_examples=60, deadline=None)
@given(values, directions, st.floats(0.01, 1e3), st.floats(-1e3, 1e3))
def test_minmax_zscore_rank_are_scale_and_shift_invariant(xs, direction, scale, shift):
    x = pd.Series(xs)
    for name in ("minmax", "zscore", "rank"):
        func = NORMALISERS[name]
        base, moved = func(x, direction), func(x * scale + shift, direction)
        assert np.allclose(base, moved, atol=1e-6), name


@settings(max_examples=60, deadline=None)
@given(values, directions)
def test_normalisers_are_monotone_and_bounded(xs, direction):
    x = pd.Series(xs)
    order = x.sort_values().index
    sign = 1 if direction == "higher_is_better" else -1
    for name, kwargs in [
        ("minmax", {}),
        ("zscore", {}),
        ("rank", {}),
        ("goalposts", {"lower": -5e5, "upper": 5e5}),
        ("distance_to_target", {"target": 0.0}),
    ]:
        out = NORMALISERS[name](x, direction, **kwargs)[order].to_numpy()
        diffs = np.diff(out) * sign
        assert (diffs >= -1e-9).all(), name
        if name != "zscore":
            assert out.min() >= 0 and out.max() <= 1, name


# --- weights -------------------------------------------------------------------------------


def test_weights_by_hand():
    assert equal(["a", "b", "c", "d"]).tolist() == [0.25] * 4
    assert given_weights(["a", "b", "c"], {"a": 2, "b": 0, "c": 6}).tolist() == [0.25, 0.0, 0.75]
    w = nested(["a", "b", "c"], groups={"t1": ["a", "b"], "t2": ["c"]})
    assert w.to_dict() == {"a": 0.25, "b": 0.25, "c": 0.5}
    w = nested(
        ["a", "b", "c"],
        groups={"t1": ["a", "b"], "t2": ["c"]},
        group_weights={"t1": 3, "t2": 1},
        weights={"a": 2, "b": 1},
    )
    assert w.to_dict() == pytest.approx({"a": 0.5, "b": 0.25, "c": 0.25})
    assert make_weights("equal", ["x", "y"]).sum() == 1


def test_bad_weights_are_refused():
    with pytest.raises(WeightError, match="negative weights are not allowed: {'b': -1.0}"):
        given_weights(["a", "b"], {"a": 1, "b": -1})
    with pytest.raises(WeightError, match="all zero"):
        given_weights(["a"], {"a": 0})
    with pytest.raises(WeightError, match="missing: \\['b'\\]"):
        given_weights(["a", "b"], {"a": 1})
    with pytest.raises(WeightError, match="must be numbers"):
        given_weights(["a"], {"a": "1"})
    with pytest.raises(WeightError, match="not in any group: \\['c'\\]"):
        nested(["a", "b", "c"], groups={"t": ["a", "b"]})
    with pytest.raises(UnknownMethodError, match="valid weighting methods are: equal, given, nested"):
        make_weights("pca", ["a"])


# --- aggregation ---------------------------------------------------------------------------


def test_aggregation_by_hand():
    v = np.array([[0.25, 1.0], [0.5, 0.5]])
    w = np.array([0.5, 0.5])
    assert arithmetic(v, w).tolist() == [0.625, 0.5]
    assert geometric(v, w).tolist() == pytest.approx([0.5, 0.5])  # sqrt(0.25 * 1)
    assert geometric(np.array([[0.0, 1.0]]), w)[0] == pytest.approx(0.1)  # zero floored to 0.01
    # values below the floor are raised to it, so a zero never beats a small positive value
    assert geometric(np.array([[0.0, 1.0], [0.005, 1.0], [0.02, 1.0]]), w).tolist() == pytest.approx(
        [0.1, 0.1, np.sqrt(0.02)]
    )
    with pytest.raises(AggregationError, match="non-negative"):
        geometric(np.array([[-0.5, 1.0]]), w)


def test_coverage_and_reasons():
    matrix = pd.DataFrame(
        {"a": [0.2, 0.4, np.nan], "b": [0.6, np.nan, np.nan], "c": [1.0, 1.0, 0.5]}, index=["full", "two", "one"]
    )
    weights = pd.Series({"a": 0.5, "b": 0.25, "c": 0.25})
    result = aggregate(matrix, weights, "arithmetic", min_coverage=0.7)
    assert result.score["full"] == pytest.approx(0.5 * 0.2 + 0.25 * 0.6 + 0.25 * 1.0)
    assert result.coverage.tolist() == [1.0, 0.75, 0.25]
    assert result.score["two"] == pytest.approx((0.5 * 0.4 + 0.25 * 1.0) / 0.75)  # reweighted, not imputed
    assert np.isnan(result.score["one"])
    assert result.reason["one"] == "coverage 0.25 below minimum 0.70; missing: a, b"
    assert result.reason["full"] is None
    with pytest.raises(UnknownMethodError, match="valid aggregation methods are: arithmetic, geometric"):
        aggregate(matrix, weights, "harmonic")
    # a zero-weight indicator neither counts as coverage nor enters the score
    zero_c = aggregate(matrix, pd.Series({"a": 0.5, "b": 0.5, "c": 0.0}), min_coverage=0.5)
    assert zero_c.score["full"] == pytest.approx(0.4) and np.isnan(zero_c.score["one"])


matrices = st.integers(1, 6).flatmap(
    lambda k: st.tuples(
        # inputs at or above the geometric floor (0.01): below it the floor replaces them, see next test
        st.lists(st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k), min_size=1, max_size=8),
        st.lists(st.floats(0.0, 10.0), min_size=k, max_size=k).filter(lambda w: sum(w) > 1e-3),
    )
)


@settings(max_examples=80, deadline=None)
@given(matrices)
def test_aggregates_lie_between_min_and_max_and_geometric_below_arithmetic(case):
    rows, raw_weights = case
    v, w = np.array(rows), np.array(raw_weights) / sum(raw_weights)
    used = w > 0
    arith, geo = arithmetic(v, w), geometric(v, w)
    low, high = v[:, used].min(axis=1), v[:, used].max(axis=1)
    assert (arith >= low - 1e-9).all() and (arith <= high + 1e-9).all()
    assert (geo >= low - 1e-9).all() and (geo <= high + 1e-9).all()
    assert (geo <= arith + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(matrices, st.integers(0, 5), st.floats(0.0, 0.5))
def test_aggregates_are_monotone_in_each_input(case, column, bump):
    rows, raw_weights = case
    v, w = np.array(rows), np.array(raw_weights) / sum(raw_weights)
    j = column % v.shape[1]
    raised = v.copy()
    raised[:, j] = np.minimum(raised[:, j] + bump, 1.0)
    for func in (arithmetic, geometric):
        assert (func(raised, w) >= func(v, w) - 1e-12).all()
