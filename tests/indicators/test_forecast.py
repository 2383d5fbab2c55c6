"""Forecast candidates against hand numbers and statsmodels, selection without look-ahead and never
worse than "no change" on its validation window, and bands from the validation errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.methods import forecast as fc


def panel(rows: dict[str, list[float]], start: int = 1990) -> pd.Series:
    data = {(area, start + i): v for area, values in rows.items() for i, v in enumerate(values)}
    return pd.Series(data, dtype=float).rename_axis(["ref_area", "year"]).dropna().sort_index()


def test_naive_and_drift_by_hand():
    values = np.array([[np.nan, 1.0, 2.0, 4.0]])
    assert fc.naive(values, 2).tolist() == [[4.0, 4.0]]
    # (4 - 1) / 2 steps = 1.5 a year from the first valid value
    assert fc.drift(values, 3).tolist() == [[5.5, 7.0, 8.5]]


def test_shrunk_drift_by_hand_and_combinations_are_equal_weight_means():
    values = np.array([[np.nan, 1.0, 2.0, 4.0], [2.0, 2.0, 2.0, 2.0]])
    # slope 1.5 a year, shrunk by 0.9 per year ahead: 4 + 1.5 * (0.9, 0.9 + 0.81)
    assert fc.shrunk_drift(values, 2)[0] == pytest.approx([4 + 1.5 * 0.9, 4 + 1.5 * 1.71])
    rng = np.random.default_rng(2)
    values = 50 + np.cumsum(rng.normal(0.5, 1.0, (4, 12)), axis=1)
    forecasts = fc.candidate_forecasts(values, 3, fc.METHODS)
    parts = {name: fc.COMPONENTS[name](values, 3) for name in fc.COMPONENTS}
    mean_all = (parts["naive"] + parts["drift"] + parts["damped"] + parts["theta"]) / 4
    assert forecasts["combo_all"] == pytest.approx(mean_all)
    assert forecasts["combo_damped"] == pytest.approx((parts["naive"] + parts["damped"] + parts["theta"]) / 3)
    assert forecasts["combo_shrunk_drift"] == pytest.approx(
        (parts["naive"] + parts["shrunk_drift"] + parts["theta"]) / 3
    )
    assert fc.FORECASTERS["combo_all"](values, 3) == pytest.approx(mean_all)
    assert set(fc.METHOD_LABELS) == set(fc.METHODS)


def test_short_rows_fall_back_to_the_last_value():
    values = np.array([[np.nan, np.nan, 3.0, 5.0, 9.0]])  # 3 points < MIN_FIT_POINTS
    assert fc.damped(values, 2).tolist() == [[9.0, 9.0]]
    assert fc.theta(values, 2).tolist() == [[9.0, 9.0]]


def test_damped_recursion_matches_statsmodels_at_the_same_parameters():
    from statsmodels.tsa.holtwinters import Holt

    y = np.array([3.0, 3.4, 3.9, 4.1, 4.8, 5.0, 5.7, 5.9, 6.6, 6.8])
    alpha, beta, phi = 0.6, 0.2, 0.9
    level, trend, _ = fc._damped_states(y[None, :], np.array([[alpha]]), np.array([[beta]]), np.array([[phi]]))
    ours = level[0, 0] + np.cumsum(phi ** np.arange(1, 4)) * trend[0, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Holt(
            y[1:], damped_trend=True, initialization_method="known", initial_level=y[0], initial_trend=y[1] - y[0]
        ).fit(smoothing_level=alpha, smoothing_trend=beta, damping_trend=phi, optimized=False)
    assert ours == pytest.approx(model.forecast(3), rel=1e-10)


def test_ses_level_matches_statsmodels_and_theta_formula_by_hand():
    from statsmodels.tsa.holtwinters import SimpleExpSmoothing

    y = np.array([10.0, 10.5, 10.2, 11.0, 11.4, 11.3, 12.0])
    level, _ = fc._ses_states(y[None, :], np.array([[0.5]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SimpleExpSmoothing(y[1:], initialization_method="known", initial_level=y[0]).fit(
            smoothing_level=0.5, optimized=False
        )
    assert level[0, 0] == pytest.approx(model.forecast(1)[0], rel=1e-12)
    # theta = SES + b0/2 * (h - 1 + 1/a - (1-a)^n / a) with the alpha the grid picks
    forecast = fc.theta(y[None, :], 2)[0]
    b0 = np.polyfit(np.arange(7), y, 1)[0]
    _, sse = fc._ses_states(y[None, :], fc.ALPHAS[:, None])
    a = fc.ALPHAS[np.argmin(sse[:, 0])]
    levels, _ = fc._ses_states(y[None, :], np.array([[a]]))
    expected = [levels[0, 0] + b0 / 2 * (h - 1 + 1 / a - (1 - a) ** 7 / a) for h in (1, 2)]
    assert forecast == pytest.approx(expected, rel=1e-10)


def test_trending_series_picks_a_trend_method_and_flat_noise_keeps_the_last_value():
    years = 30
    trending = panel({f"T{i}": list(50 + 0.8 * np.arange(years) + 0.05 * i) for i in range(6)})
    selection = fc.choose(trending, 2019, (1, 3))
    assert all(m != "naive" for m in selection.method.values())
    alternating = np.tile([1.0, -1.0], years // 2)
    flat = panel({f"F{i}": list(20 + alternating * (1 + 0.1 * i)) for i in range(6)})
    selection = fc.choose(flat, 2019, (1, 3))
    assert selection.mae.loc[1, selection.method[1]] <= selection.mae.loc[1, "naive"]


def test_selection_reads_nothing_after_its_end_year():
    rng = np.random.default_rng(7)
    base = panel({f"A{i}": list(np.cumsum(rng.normal(0.3, 1.0, 30)) + 40) for i in range(8)})
    changed = base.copy()
    later = changed.index.get_level_values(1) > 2010
    changed[later] = changed[later] * -5 + 1000  # rewrite the future completely
    first, second = fc.choose(base, 2010, (1, 3, 5)), fc.choose(changed, 2010, (1, 3, 5))
    assert first.method == second.method and first.band == second.band
    pd.testing.assert_frame_equal(first.mae, second.mae)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    drift=st.floats(-2, 2),
    noise=st.floats(0.01, 5),
    n_places=st.integers(2, 6),
)
def test_selection_is_never_worse_than_no_change_on_its_validation_window(seed, drift, noise, n_places):
    rng = np.random.default_rng(seed)
    rows = {f"P{i}": list(100 + np.cumsum(rng.normal(drift, noise, 25))) for i in range(n_places)}
    series = panel(rows)
    selection = fc.choose(series, 2014, (1, 3, 5))
    assert selection.method  # every horizon has 8 validation origins here
    for h, method in selection.method.items():
        naive_mae = selection.mae.at[h, "naive"]
        assert selection.mae.at[h, method] <= naive_mae + 1e-12
        # minimum evidence: leaving "no change" takes a gain of at least MIN_GAIN on validation ...
        assert method == "naive" or selection.mae.at[h, method] <= (1 - fc.MIN_GAIN) * naive_mae + 1e-12
        # ... and among the candidates that clear it, the lowest validation error wins
        eligible = [m for m in fc.METHODS if m == "naive" or selection.mae.at[h, m] <= (1 - fc.MIN_GAIN) * naive_mae]
        assert selection.mae.at[h, method] <= min(selection.mae.at[h, m] for m in eligible) + 1e-12
    # the path (one method for every horizon) is never worse than no change at any validated horizon
    assert set(selection.path_band) == set(selection.method)
    for h in selection.method:
        assert selection.mae.at[h, selection.path] <= selection.mae.at[h, "naive"] + 1e-12
    ratios = selection.mae.loc[sorted(selection.method)].div(
        selection.mae.loc[sorted(selection.method), "naive"], axis=0
    )
    assert selection.path == "naive" or ratios[selection.path].mean() <= 1 - fc.MIN_GAIN + 1e-12
    assert selection.path_gain == pytest.approx(1 - ratios[selection.path].mean())


def test_a_gain_within_the_evidence_margin_keeps_no_change(monkeypatch):
    """A candidate 1.5-3% better than no change on validation is not enough to project a trend."""
    scores = pd.DataFrame(
        {
            "naive": [1.0],
            "combo_damped": [0.985],
            "combo_all": [0.99],
            "combo_shrunk_drift": [1.2],
            "combo_pooled": [0.97],
        }
    )
    assert list(scores.columns) == list(fc.METHODS)
    errors = pd.DataFrame(
        {
            "horizon": 1,
            "origin": 2000,
            "ref_area": "A",
            "method": list(scores.columns),
            "forecast": [10.0] * 5,
            "actual": [10.0 + float(v) for v in scores.iloc[0]],
        }
    )
    monkeypatch.setattr(fc, "validation_errors", lambda *args, **kwargs: errors.copy())
    kept = fc._choose(panel({"A": [10.0] * 12}), 2001, (1,), 8, 20)
    errors["actual"] = [11.0, 10.92, 10.99, 11.2, 10.97]  # combo_damped now 8% better than no change
    moved = fc._choose(panel({"A": [10.0] * 12}), 2001, (1,), 8, 20)
    assert kept.method[1] == "naive"
    assert moved.method[1] == "combo_damped"


def test_bands_come_from_validation_errors_and_scale_with_the_level():
    rng = np.random.default_rng(3)
    series = panel({f"P{i}": list(np.exp(np.cumsum(rng.normal(0.02, 0.05, 30))) * 100) for i in range(10)})
    selection = fc.choose(series, 2019, (1, 3))
    assert selection.relative
    low, high = selection.band[3]
    assert low < 1 < high  # ratios actual / forecast around 1
    table = fc.apply(selection, series, 2019, (1, 3))
    assert ((table["low"] <= table["forecast"]) & (table["forecast"] <= table["high"])).all()
    assert (table["year"] == 2019 + table["horizon"]).all()


def test_a_horizon_whose_validation_forecasts_cross_zero_gets_a_band_of_differences(monkeypatch):
    """A positive series can still get a trend forecast at or below zero at one horizon; its band
    there must be built and applied as differences, while the other horizon keeps ratios."""
    naive_rows = pd.DataFrame(
        {
            "horizon": [1, 1, 1, 3, 3, 3],
            "origin": [2000, 2001, 2002, 2000, 2001, 2002],
            "ref_area": "A",
            "method": "naive",
            "forecast": [2.0, 3.0, 4.0, -1.0, 1.0, 2.0],
            "actual": [2.2, 3.3, 4.4, 0.5, 1.5, 2.5],
        }
    )
    others = [naive_rows.assign(method=m, forecast=naive_rows["forecast"] + 5) for m in fc.METHODS[1:]]
    errors = pd.concat([naive_rows, *others], ignore_index=True)  # no change wins at both horizons
    monkeypatch.setattr(fc, "validation_errors", lambda *args, **kwargs: errors.copy())
    series = panel({"A": [10.0] * 12})
    selection = fc._choose(series, 2001, (1, 3), 8, 20)
    assert selection.relative and selection.band_relative == {1: True, 3: False}
    assert selection.band[1] == pytest.approx(tuple(np.quantile([1.1, 1.1, 1.1], fc.BAND_QUANTILES)))
    assert selection.band[3] == pytest.approx(tuple(np.quantile([1.5, 0.5, 0.5], fc.BAND_QUANTILES)))
    table = fc.apply(selection, series, 2001, (1, 3)).set_index("horizon")
    assert table.at[1, "low"] == pytest.approx(10.0 * 1.1)  # ratio times the last value
    # differences 0.5, 0.5, 1.5: 5% quantile 0.5, 95% quantile 0.5 + 0.9 * 1.0 (linear interpolation)
    assert table.at[3, "low"] == pytest.approx(10.0 + 0.5) and table.at[3, "high"] == pytest.approx(10.0 + 1.4)


def test_project_is_deterministic_and_caps_the_horizon():
    rng = np.random.default_rng(11)
    series = panel({f"P{i}": list(60 + np.cumsum(rng.normal(0.2, 0.3, 30))) for i in range(12)})
    first, selection = fc.project(series, ["P1", "P2"], 2035)
    second, _ = fc.project(series, ["P1", "P2"], 2035)
    pd.testing.assert_frame_equal(first, second)
    assert first["horizon"].max() == fc.MAX_HORIZON and set(first["ref_area"]) == {"P1", "P2"}
    assert "chosen on the" in selection.describe(1)


def test_selection_is_cached_by_content_and_gaps_are_filled_between_observations_only():
    rng = np.random.default_rng(5)
    series = panel({f"P{i}": list(30 + np.cumsum(rng.normal(0.1, 0.5, 25))) for i in range(5)})
    first = fc.choose(series, 2012, (1, 3))
    assert fc.choose(series.copy(), 2012, (1, 3)) is first  # same content: no second validation
    assert fc.choose(series * 2, 2012, (1, 3)) is not first
    filled = fc.fill_inner_gaps(np.array([[np.nan, 1.0, np.nan, np.nan, 4.0, np.nan]]))
    assert filled[0, 1:5].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert np.isnan(filled[0, 0]) and np.isnan(filled[0, 5])


def test_pooled_features_by_hand():
    z = np.array([[np.nan, 1.0, 2.0, 4.0, 4.0, 5.0, 8.0]])
    features = dict(zip(fc.POOLED_FEATURES, np.moveaxis(fc.pooled_features(z)[0], -1, 0), strict=True))
    assert features["const"].tolist() == [1.0] * 7
    assert features["change_1y"].tolist() == [0.0, 0.0, 1.0, 2.0, 0.0, 1.0, 3.0]  # no earlier value: 0
    # 5-year change where 5 years exist (column 6: (8 - 1) / 5), else the 1-year change
    assert features["change_5y"].tolist() == pytest.approx([0.0, 0.0, 1.0, 2.0, 0.0, 1.0, 7 / 5])
    assert features["change_10y"].tolist() == pytest.approx(features["change_5y"].tolist())
    # gap to the mean of the last three values (fewer at the start)
    assert features["gap_3y_mean"][6] == pytest.approx(8 - (4 + 5 + 8) / 3)
    assert features["gap_3y_mean"][2] == pytest.approx(2 - 1.5)


def test_robust_regression_matches_statsmodels_rlm_huber():
    import statsmodels.api as sm

    rng = np.random.default_rng(4)
    x = np.column_stack([np.ones(400), rng.normal(size=(400, 3)) * [1.0, 50.0, 0.01]])
    y = x @ [0.5, -1.0, 0.02, 30.0] + rng.standard_t(2, 400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = sm.RLM(y, x, M=sm.robust.norms.HuberT()).fit(tol=1e-14, maxiter=1000).params
    assert fc.robust_regression(x, y) == pytest.approx(expected, rel=1e-5)
    # two problems at once (the second padded with rows that do not count) give the same answers
    x2, y2 = np.stack([x, x]), np.stack([y, y])
    mask = np.ones((2, 400), dtype=bool)
    mask[1, 300:] = False
    both = fc.robust_regression(x2, np.where(mask, y2, 1e9), mask)
    assert both[0] == pytest.approx(fc.robust_regression(x, y), rel=1e-10)
    assert both[1] == pytest.approx(fc.robust_regression(x[:300], y[:300]), rel=1e-10)
    # robust: one wild outlier barely moves it, unlike least squares
    y_out = y.copy()
    y_out[0] += 1e6
    moved = fc.robust_regression(x, y_out)
    assert abs(moved[0] - expected[0]) < 0.05 and moved[1] == pytest.approx(expected[1], rel=0.02)
    assert np.linalg.lstsq(x, y_out, rcond=None)[0][0] > 1000  # least squares is dragged away


def test_pooled_forecasts_do_not_move_with_rounding():
    """A change in the last bits of the data (what another BLAS kernel's summation order does)
    must not move the pooled forecasts beyond rounding: its fit has a unique, well-conditioned optimum."""
    rng = np.random.default_rng(17)
    values = np.exp(np.log(rng.uniform(1e6, 1e9, 120))[:, None] + np.cumsum(rng.normal(0.01, 0.05, (120, 20)), axis=1))
    values[rng.random(values.shape) < 0.1] = np.nan
    values[:, -1] = np.where(np.isnan(values[:, -1]), 5e7, values[:, -1])
    first = fc.pooled(values, 5)
    second = fc.pooled(values * (1 + 1e-15 * rng.standard_normal(values.shape)), 5)
    assert np.nanmax(np.abs(second / first - 1)) < 1e-9
    assert np.nanmax(np.abs(first / fc.naive(values, 5) - 1)) > 1e-4  # and they are not just "no change"


def test_pooled_model_learns_a_shared_drift_and_the_reversion_of_noise():
    """Synthetic panel (labelled as such): 80 places share a 2% yearly growth and carry 5% noise
    around it that does not persist. Each place alone is a noisy series; pooled, the drift and the
    reversion are learnable, so the pooled forecast beats "no change" on the held-out years."""
    rng = np.random.default_rng(8)
    years = 24
    trend = np.log(rng.uniform(50, 200, 80))[:, None] + 0.02 * np.arange(years)
    values = np.exp(trend + rng.normal(0, 0.05, (80, years)))
    history, future = values[:, :20], values[:, 20:]
    predicted = fc.pooled(history, 4)
    errors = np.abs(predicted - future).mean(axis=0)
    errors_naive = np.abs(fc.naive(history, 4) - future).mean(axis=0)
    assert (errors < 0.85 * errors_naive).all()
    assert np.isfinite(predicted).all()
    # too few places to learn from: the last value stays
    assert fc.pooled(history[:2], 2).tolist() == fc.naive(history[:2], 2).tolist()


def test_a_pooled_fit_at_origin_t_reads_no_later_year():
    """The pooled model is fitted on every place's past: rewriting every value after the origin
    (for every place) must leave its forecasts, and the selection, unchanged."""
    rng = np.random.default_rng(12)
    base = panel({f"A{i}": list(100 * np.exp(np.cumsum(rng.normal(0.02, 0.03, 30)))) for i in range(40)})
    changed = base.copy()
    later = changed.index.get_level_values(1) > 2010
    changed[later] = changed[later] * 7 + 1000
    mae = pd.DataFrame(index=[1, 3], columns=list(fc.METHODS), dtype=float)
    forced = fc.Selection(2010, {1: "combo_pooled", 3: "combo_pooled"}, mae, {}, True)
    first, second = fc.apply(forced, base, 2010, (1, 3)), fc.apply(forced, changed, 2010, (1, 3))
    pd.testing.assert_frame_equal(first, second)
    assert (first["forecast"] - first["last_value"]).abs().max() > 1e-6  # the model did move the values
    errors_first = fc.validation_errors(base, 2010, (1, 3))
    errors_second = fc.validation_errors(changed, 2010, (1, 3))
    pd.testing.assert_frame_equal(errors_first, errors_second)
    assert "combo_pooled" in set(errors_first["method"])


def test_choose_path_takes_one_method_that_is_never_worse_at_any_horizon():
    mae = pd.DataFrame(
        {
            "naive": [1.0, 2.0, 3.0],
            "combo_damped": [0.5, 1.0, 3.3],  # best on average, but worse than no change at h = 5
            "combo_all": [0.9, 1.7, 2.7],  # 12% better on average and never worse: chosen
            "combo_shrunk_drift": [1.0, 2.0, 3.0],
            "combo_pooled": [0.99, 1.98, 2.97],  # 1% better: below the minimum gain
        },
        index=[1, 3, 5],
    )
    method, gain = fc.choose_path(mae)
    assert method == "combo_all" and gain == pytest.approx(1 - (0.9 + 0.85 + 0.9) / 3)
    assert fc.choose_path(mae[["naive", "combo_shrunk_drift", "combo_pooled"]]) == ("naive", pytest.approx(0.0))


def test_widening_keeps_each_band_edge_at_least_as_far_as_at_any_nearer_horizon():
    table = pd.DataFrame(
        {
            "ref_area": ["A"] * 3 + ["B"] * 3,
            "horizon": [1, 2, 3] * 2,
            "forecast": [10.0, 11.0, 12.0, 5.0, 5.0, 5.0],
            "low": [9.0, 10.5, 10.0, 4.0, 3.0, np.nan],
            "high": [11.0, 13.0, 12.5, 6.0, 7.0, np.nan],
        }
    )
    widened = fc.widening(table).set_index(["ref_area", "horizon"])
    # A: distances below 1, 0.5, 2 -> 1, 1, 2; above 1, 2, 0.5 -> 1, 2, 2
    assert widened.loc["A", "low"].tolist() == [9.0, 10.0, 10.0]
    assert widened.loc["A", "high"].tolist() == [11.0, 13.0, 14.0]
    assert widened.loc["B", "low"].tolist()[:2] == [4.0, 3.0] and np.isnan(widened.loc[("B", 3), "low"])
    assert (widened["forecast"] == table.set_index(["ref_area", "horizon"])["forecast"]).all()


def test_project_draws_one_method_for_the_whole_path_with_bands_that_never_narrow():
    rng = np.random.default_rng(21)
    series = panel({f"P{i}": list(50 + np.cumsum(rng.normal(0.4, 0.6, 30))) for i in range(40)})
    table, selection = fc.project(series, ["P1", "P7"], 2030)
    assert set(table["method"]) == {selection.path}
    assert table["horizon"].max() == fc.MAX_HORIZON
    for _, rows in table.sort_values("horizon").groupby("ref_area"):
        assert (np.diff((rows["forecast"] - rows["low"]).to_numpy()) >= -1e-9).all()
        assert (np.diff((rows["high"] - rows["forecast"]).to_numpy()) >= -1e-9).all()
    assert "the same method for every year ahead" in selection.describe_path()


def test_project_trains_the_pooled_model_on_every_place_not_only_the_ones_drawn(monkeypatch):
    rng = np.random.default_rng(13)
    series = panel({f"A{i}": list(100 * np.exp(np.cumsum(rng.normal(0.02, 0.03, 30)))) for i in range(40)})
    mae = pd.DataFrame(1.0, index=[1, 2], columns=list(fc.METHODS))
    forced = fc.Selection(
        2019, {1: "combo_pooled", 2: "combo_pooled"}, mae, {}, True, path="combo_pooled",
        path_band={1: (0.9, 1.1), 2: (0.8, 1.2)}, path_band_relative={1: True, 2: True},
    )  # fmt: skip
    monkeypatch.setattr(fc, "choose", lambda *args, **kwargs: forced)
    table, _ = fc.project(series, ["A3"], 2021)
    everyone = fc.apply(forced, series, 2019, (1, 2), path=True)
    expected = everyone[everyone["ref_area"] == "A3"].reset_index(drop=True)
    pd.testing.assert_frame_equal(table.reset_index(drop=True), expected)
    alone = fc.apply(forced, series[series.index.get_level_values(0) == "A3"], 2019, (1, 2), path=True)
    assert alone["forecast"].tolist() == alone["last_value"].tolist()  # one place cannot train it ...
    assert (table["forecast"] - table["last_value"]).abs().max() > 1e-6  # ... forty can


def _selection(path: str, naive_mae: float, path_mae: float) -> fc.Selection:
    """A validated selection whose path is ``path`` (MAE per horizon given; the other candidates worse)."""
    mae = pd.DataFrame(9.0, index=[1, 3], columns=list(fc.METHODS))
    mae["naive"] = naive_mae
    mae[path] = path_mae
    gain = 1 - path_mae / naive_mae
    bands = {1: (0.9, 1.1), 3: (0.8, 1.2)}
    return fc.Selection(2020, {1: path, 3: path}, mae, bands, True, path=path, path_gain=gain, path_band=bands)


def test_when_no_change_is_chosen_the_caption_says_so_and_claims_no_gain_over_itself():
    """Issue 15: "no change ... chosen ... 0% lower error than 'no change'" contradicted itself."""
    naive = _selection("naive", 2.0, 2.0)
    for text in (naive.describe_path(), naive.describe(1)):
        assert text == "No method beat 'no change' on the validation years, so the projection is the last value"
        assert "lower error" not in text


def test_when_another_method_is_chosen_the_caption_gives_its_gain_over_no_change():
    combo = _selection("combo_damped", 2.0, 1.5)
    for text in (combo.describe_path(), combo.describe(3)):
        assert text.startswith(fc.METHOD_LABELS["combo_damped"])
        assert "25% lower error than 'no change'" in text and "No method beat" not in text
