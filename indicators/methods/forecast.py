"""Projections that must earn their place: a method chosen by rolling-origin validation, with bands
whose width comes from the errors it actually made.

Why: a trend line drawn through the last ten years was, in this project's own backtest, worse
than assuming "nothing changes" for most indicators, and picking the best single trend method
on the recent past still chose trends that then failed (4 of 57 backtest cells worse than "no
change", up to 13%). So the candidates are "no change" and four equal-weight *combinations* of
well-known methods — combinations are the robust winners on short annual series in the M3 and M4
competitions (Makridakis & Hibon 2000; Makridakis, Spiliotis & Assimakopoulos 2020), because
averaging a trend with "no change" halves the damage when the trend breaks:

* ``naive`` — the last value stays (the baseline everything is judged against);
* ``combo_damped`` — mean of naive, damped trend and Theta;
* ``combo_all`` — mean of naive, drift, damped trend and Theta;
* ``combo_shrunk_drift`` — mean of naive, shrunk drift and Theta;
* ``combo_pooled`` — mean of naive and the pooled (global) model.

Their components (each a public function here):

* ``drift`` — the average change per year over the window continues (random walk with drift);
* ``shrunk_drift`` — the drift's yearly change shrunk by :data:`DRIFT_DAMPING` per year ahead;
* ``damped`` — Holt's linear trend with a damped trend (Gardner & McKenzie 1985), the
  "damped trend" of exponential smoothing (statsmodels ``Holt(damped_trend=True)``);
* ``theta`` — the Theta method of Assimakopoulos & Nikolopoulos (2000) in the form of Hyndman &
  Billah (2003): simple exponential smoothing plus half the linear-trend slope (statsmodels
  ``ThetaModel``);
* ``pooled`` — a *global* model (Montero-Manso & Hyndman 2021, "Principles and algorithms for
  forecasting groups of time series: locality and globality"): per horizon h, ONE direct
  regression of the h-year change on a few features of the window (last change, mean change over
  5 and 10 years, gap to the 3-year mean), fitted by a robust (Huber) regression on every place's
  past at once — the pooled learning behind the M4 winners. The four others are *local*: each
  place's forecast comes from its own series only.

**Selection** (:func:`choose`): from each of the :data:`VALIDATION_ORIGINS` (8) most recent origins
``v`` with ``v + h <= end_year``, every candidate forecasts from data up to ``v`` only, and is
scored by its mean absolute error at ``v + h`` pooled over all places. A candidate other than
``naive`` must beat it by at least :data:`MIN_GAIN` (5%) there — a minimum-evidence rule, so a
gain that is within the noise of eight origins does not buy a trend; among those that do, the
lowest error wins (ties: the order of :data:`METHODS`). Because ``naive`` is always eligible,
the chosen method is never worse than "no change" on the validation window. Nothing after
``end_year`` is read, so a backtest that calls this with ``end_year`` = its evaluation origin has
no look-ahead.

**Bands** (split-conformal style): the 5% and 95% quantiles of the chosen method's validation
errors at that horizon — as ratios ``actual / forecast`` when every value and every validation
forecast of that horizon is positive (errors grow with the level), else as differences; the kind
is kept per horizon (``Selection.band_relative``). Their coverage is checked in ``bench/bench_backtest.py``.

**Path** (:func:`choose_path`, used by :func:`project` for the Futures page): one candidate for
every horizon — chosen per horizon, the method could change from one year ahead to the next and a
drawn path would jump between models. It is the lowest mean validation ratio to "no change" over
the horizons, among ``naive`` and those with a :data:`MIN_GAIN` mean gain that are no worse than
"no change" at any horizon; its bands are widened so they never narrow further ahead
(:func:`widening`).

**Why not call statsmodels for every fit**: it costs 12–16 ms per series and fit on this
machine, and a backtest needs tens of thousands of fits. The two smoothing methods are written
here as element-wise recursions over all places at once, with their parameters chosen on a fixed
grid by the one-step in-sample squared error (deterministic: no optimiser, no random start, no
BLAS — only element-wise numpy). ``tests/indicators/test_forecast.py`` checks that, at the same
parameters, they give statsmodels' numbers. The pooled model's regressions are small (a 5 x 5
solve per step) and batched over horizons; its results agree across machines to rounding.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.methods.trend import wide

#: The candidates :func:`choose` picks from, simplest first (ties go to the earlier one).
METHODS = ("naive", "combo_damped", "combo_all", "combo_shrunk_drift", "combo_pooled")
#: What a page says when "no change" itself is chosen: a gain over itself ("0% lower error than 'no change'")
#: would contradict the choice (issue 15).
NAIVE_CHOSEN = "No method beat 'no change' on the validation years, so the projection is the last value"
#: What each candidate is, in a page's words.
METHOD_LABELS = {
    "naive": "no change (the last value stays)",
    "combo_damped": "mean of no change, damped trend and Theta",
    "combo_all": "mean of no change, drift, damped trend and Theta",
    "combo_shrunk_drift": "mean of no change, shrunk drift and Theta",
    "combo_pooled": "mean of no change and a model learned from every country's past changes",
}
#: A candidate other than ``naive`` must have a validation MAE at least this much lower than it
#: (5% since a fifth candidate joined: the more candidates, the likelier one beats "no change" by
#: luck on eight origins, so the bar rises with them; it was 3% with four).
MIN_GAIN = 0.05
#: Yearly shrink factor of :func:`shrunk_drift`'s change (a fixed, conventional damping value).
DRIFT_DAMPING = 0.9
#: Years of history each forecast looks at (the window ending at the origin).
WINDOW = 20
#: Fewer points than this in the window: the smoothing methods fall back to the last value.
MIN_FIT_POINTS = 5
VALIDATION_ORIGINS = 8
BAND_QUANTILES = (0.05, 0.95)
#: Farthest horizon validated (and so projected with a band); the Futures page's horizon cap.
MAX_HORIZON = 10

ALPHAS = np.round(np.linspace(0.1, 1.0, 10), 2)
BETAS = np.array([0.01, 0.1, 0.2, 0.4])
PHIS = np.array([0.8, 0.9, 0.95, 0.98])


# --- the history a forecast sees ------------------------------------------------------------


def history_matrix(series: pd.Series, end_year: int, window: int = WINDOW) -> pd.DataFrame:
    """Rows ref_area, columns the ``window`` years ending at ``end_year``; only places with a
    value in ``end_year``. Gaps between observations are filled linearly (never extrapolated), so
    the recursions see an annual series; years before a place's first value stay NaN."""
    return _window(wide(series[series.index.get_level_values(1) <= end_year]), end_year, window)


def _window(matrix: pd.DataFrame, end_year: int, window: int) -> pd.DataFrame:
    """:func:`history_matrix` from an already wide matrix (one unstack serves every origin)."""
    return _window_observed(matrix, end_year, window)[0]


def _window_observed(matrix: pd.DataFrame, end_year: int, window: int) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`_window` and, beside it, which of its cells were observed (not filled)."""
    years = np.arange(end_year - window + 1, end_year + 1)
    block = matrix.reindex(columns=years)
    values = block.to_numpy(dtype=float)
    keep = ~np.isnan(values[:, -1])
    frame = pd.DataFrame(fill_inner_gaps(values[keep]), index=block.index[keep], columns=years)
    return frame, ~np.isnan(values[keep])


def fill_inner_gaps(values: np.ndarray) -> np.ndarray:
    """Linear interpolation of the NaN cells that lie between two observed cells of the same row
    (element-wise numpy; leading and trailing NaN stay)."""
    valid = ~np.isnan(values)
    if valid.all():
        return values
    positions = np.arange(values.shape[1])
    previous = np.maximum.accumulate(np.where(valid, positions, -1), axis=1)
    following = np.minimum.accumulate(np.where(valid, positions, values.shape[1])[:, ::-1], axis=1)[:, ::-1]
    inner = ~valid & (previous >= 0) & (following < values.shape[1])
    rows = np.arange(values.shape[0])[:, None]
    low = values[rows, np.clip(previous, 0, None)]
    high = values[rows, np.clip(following, None, values.shape[1] - 1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        filled = low + (high - low) * (positions - previous) / (following - previous)
    return np.where(inner, filled, values)


def _first_valid(values: np.ndarray) -> np.ndarray:
    present = ~np.isnan(values)
    return np.where(present.any(axis=1), np.argmax(present, axis=1), values.shape[1])


# --- the four candidates, on a matrix (rows places, columns years; last column observed) -----


def naive(values: np.ndarray, horizon: int) -> np.ndarray:
    """The last value, repeated for h = 1..horizon."""
    return np.repeat(values[:, -1:], horizon, axis=1)


def drift(values: np.ndarray, horizon: int) -> np.ndarray:
    """Last value plus h times the mean yearly change between the first and last value of the window."""
    start = _first_valid(values)
    rows = np.arange(values.shape[0])
    first = values[rows, np.minimum(start, values.shape[1] - 1)]
    steps = values.shape[1] - 1 - start
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(steps > 0, (values[:, -1] - first) / steps, 0.0)
    return values[:, -1:] + slope[:, None] * np.arange(1, horizon + 1)


def shrunk_drift(values: np.ndarray, horizon: int) -> np.ndarray:
    """Drift whose yearly change shrinks by :data:`DRIFT_DAMPING` per year ahead: ``last + slope *
    (phi + ... + phi^h)`` — a trend that is trusted less the farther it is carried."""
    slope = drift(values, 1)[:, 0] - values[:, -1]
    damping = np.cumsum(DRIFT_DAMPING ** np.arange(1, horizon + 1))
    return values[:, -1:] + slope[:, None] * damping[None, :]


def _damped_states(values: np.ndarray, alpha, beta, phi) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Level, trend and one-step squared error of damped Holt for every parameter set (leading axis)
    and row. Starts at each row's first value with level y0 and trend y1 - y0."""
    n_rows, n_cols = values.shape
    start = _first_valid(values)
    shape = (alpha.shape[0], n_rows)
    level = np.full(shape, np.nan)
    trend = np.full(shape, np.nan)
    sse = np.zeros(shape)
    for t in range(n_cols):
        y = values[:, t]
        begin = t == start
        if t + 1 < n_cols:
            first_trend = np.where(np.isnan(values[:, t + 1]), 0.0, values[:, t + 1] - y)
        else:
            first_trend = np.zeros(n_rows)
        step = (t > start) & ~np.isnan(y)
        forecast = level + phi * trend
        error = np.where(step, y - forecast, 0.0)
        new_level = np.where(step, alpha * y + (1 - alpha) * forecast, level)
        new_trend = np.where(step, beta * (new_level - level) + (1 - beta) * phi * trend, trend)
        level = np.where(begin, y, new_level)
        trend = np.where(begin, first_trend, new_trend)
        sse = sse + error * error
    return level, trend, sse


def damped(values: np.ndarray, horizon: int) -> np.ndarray:
    """Damped-trend Holt: ``level + (phi + ... + phi^h) * trend``, parameters per row from the grid
    :data:`ALPHAS` x :data:`BETAS` x :data:`PHIS` by least one-step squared error."""
    grid_a, grid_b, grid_p = (g.ravel()[:, None] for g in np.meshgrid(ALPHAS, BETAS, PHIS, indexing="ij"))
    level, trend, sse = _damped_states(values, grid_a, grid_b, grid_p)
    best = np.argmin(sse, axis=0)
    rows = np.arange(values.shape[0])
    phi = grid_p[best, 0]
    damping = np.cumsum(phi[:, None] ** np.arange(1, horizon + 1), axis=1)
    result = level[best, rows][:, None] + damping * trend[best, rows][:, None]
    return _fallback(values, result, horizon)


def _ses_states(values: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Simple exponential smoothing level and one-step squared error per alpha (leading axis) and row."""
    start = _first_valid(values)
    level = np.full((alpha.shape[0], values.shape[0]), np.nan)
    sse = np.zeros_like(level)
    for t in range(values.shape[1]):
        y = values[:, t]
        step = (t > start) & ~np.isnan(y)
        error = np.where(step, y - level, 0.0)
        level = np.where(t == start, y, np.where(step, level + alpha * (y - level), level))
        sse = sse + error * error
    return level, sse


def theta(values: np.ndarray, horizon: int) -> np.ndarray:
    """Theta method (theta = 2): SES forecast + ``b0 / 2 * (h - 1 + 1/alpha - (1 - alpha)^n / alpha)``,
    ``b0`` the least-squares slope over the window and ``n`` the number of observations — the
    forecast formula of statsmodels' ``ThetaModelResults.forecast``; alpha from :data:`ALPHAS`."""
    present = ~np.isnan(values)
    n = present.sum(axis=1)
    t = np.where(present, np.arange(values.shape[1], dtype=float), 0.0)
    y = np.where(present, values, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_mean, y_mean = t.sum(axis=1) / n, y.sum(axis=1) / n
        dt = np.where(present, t - t_mean[:, None], 0.0)
        b0 = (dt * np.where(present, y - y_mean[:, None], 0.0)).sum(axis=1) / (dt * dt).sum(axis=1)
    alphas = ALPHAS[:, None]
    level, sse = _ses_states(values, alphas)
    best = np.argmin(sse, axis=0)
    rows = np.arange(values.shape[0])
    alpha = ALPHAS[best]
    steps = np.arange(1, horizon + 1)[None, :]
    trend = b0[:, None] * (steps - 1 + 1 / alpha[:, None] - ((1 - alpha) ** n / alpha)[:, None])
    return _fallback(values, level[best, rows][:, None] + 0.5 * trend, horizon)


def _fallback(values: np.ndarray, result: np.ndarray, horizon: int) -> np.ndarray:
    """Rows with fewer than :data:`MIN_FIT_POINTS` values (or a non-finite fit) keep the last value."""
    short = (~np.isnan(values)).sum(axis=1) < MIN_FIT_POINTS
    bad = short[:, None] | ~np.isfinite(result)
    return np.where(bad, naive(values, horizon), result)


# --- the pooled ("global") component: one model per horizon learned from every place --------

#: Training origins (the most recent years t with t + h <= origin) of each pooled fit.
POOLED_ORIGINS = 10
#: Fewer training pairs than this: the pooled component keeps the last value.
POOLED_MIN_PAIRS = 30
#: Features of the window ending at t, in :func:`pooled_features`' order.
POOLED_FEATURES = ("const", "change_1y", "change_5y", "change_10y", "gap_3y_mean")
#: Reweighting steps of :func:`robust_regression`: at most this many, fewer once no coefficient
#: (features scaled to unit size) moves by more than ``IRLS_TOLERANCE`` relative to the largest.
IRLS_ITERATIONS = 500
IRLS_TOLERANCE = 1e-12


def pooled_features(z: np.ndarray) -> np.ndarray:
    """Features of every cell (place, year) of a transformed, gap-filled matrix ``z``, shape
    (rows, columns, features): 1, the last change, the mean yearly change over 5 and over 10
    years (falling back to the shorter one where the history is shorter), and the gap between
    the value and its 3-year mean (positive after a jump up: the noise that tends to revert).
    Each reads only its own column and earlier ones."""
    n_rows, n_cols = z.shape

    def lagged(k: int) -> np.ndarray:
        out = np.full_like(z, np.nan)
        if k < n_cols:
            out[:, k:] = z[:, : n_cols - k]
        return out

    change_1 = z - lagged(1)
    change_5 = (z - lagged(5)) / 5
    change_10 = (z - lagged(10)) / 10
    change_5 = np.where(np.isnan(change_5), change_1, change_5)
    change_10 = np.where(np.isnan(change_10), change_5, change_10)
    recent = np.stack([z, lagged(1), lagged(2)])
    counts = (~np.isnan(recent)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_3 = np.where(counts > 0, np.nansum(recent, axis=0) / np.maximum(counts, 1), np.nan)
    table = {
        "const": np.ones_like(z),
        "change_1y": change_1,
        "change_5y": change_5,
        "change_10y": change_10,
        "gap_3y_mean": z - mean_3,
    }
    return np.nan_to_num(np.stack([table[name] for name in POOLED_FEATURES], axis=-1), nan=0.0)


#: Huber's tuning constant (95% efficiency under normal errors), as statsmodels ``HuberT``.
HUBER_T = 1.345


def robust_regression(x: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Huber M-estimate of a linear regression (Huber 1964) by iteratively reweighted least
    squares, the scale re-estimated at each step as the MAD of the residuals — what statsmodels'
    ``RLM(y, x, M=HuberT()).fit()`` computes (tested). Robust like a median
    regression (a residual beyond 1.345 scales counts linearly, not squared) but with a unique,
    well-conditioned optimum: plain least absolute deviations by reweighting was tried first and
    its result moved by up to 1% when the inputs moved by 1e-15 (the weights 1/|r| blow up at its
    degenerate optimum), so it would have depended on BLAS kernels; this one does not (test).

    Several independent problems are solved at once: ``x`` of shape (..., n, k), ``y`` and
    ``mask`` (rows that count) of shape (..., n); returns (..., k). Deterministic: least-squares
    start, a fixed number of steps, a k x k solve per step (k = a handful of features). Columns are
    scaled to unit size first and a tiny ridge keeps collinear features solvable."""
    mask = np.ones(y.shape, dtype=bool) if mask is None else mask
    x = np.where(mask[..., None], x, 0.0)
    y = np.where(mask, y, 0.0)
    scale_x = np.max(np.abs(x), axis=-2, keepdims=True)
    scale_x = np.where(scale_x > 0, scale_x, 1.0)
    xs = x / scale_x
    identity = np.eye(x.shape[-1])

    def weighted_fit(weights):
        weighted_t = np.swapaxes(xs * weights[..., None], -1, -2)
        gram = weighted_t @ xs
        ridge = (1e-9 * np.trace(gram, axis1=-2, axis2=-1)[..., None, None] / x.shape[-1] + 1e-12) * identity
        return np.linalg.solve(gram + ridge, weighted_t @ y[..., None])[..., 0]

    def residuals(beta):
        return np.abs(y - (xs @ beta[..., None])[..., 0])

    typical = np.abs(y).sum(axis=-1, keepdims=True) / np.maximum(mask.sum(axis=-1, keepdims=True), 1)
    least = 1e-9 * np.where(typical > 0, typical, 1.0)
    beta = weighted_fit(mask.astype(float))
    for _ in range(IRLS_ITERATIONS):
        residual = residuals(beta)
        with np.errstate(all="ignore"):
            mad = np.nanmedian(np.where(mask, residual, np.nan), axis=-1, keepdims=True) / 0.6745
        cut = HUBER_T * np.maximum(np.nan_to_num(mad), least)
        weights = np.where(mask, np.minimum(1.0, cut / np.maximum(residual, 1e-300)), 0.0)
        step = weighted_fit(weights)
        step = np.where(np.isfinite(step).all(axis=-1, keepdims=True), step, beta)
        moved = np.max(np.abs(step - beta))
        beta = step
        if moved <= IRLS_TOLERANCE * max(1.0, float(np.max(np.abs(beta)))):
            break
    return beta / scale_x[..., 0, :]


def pooled(values: np.ndarray, horizon: int, observed: np.ndarray | None = None) -> np.ndarray:
    """A global model in the sense of Montero-Manso & Hyndman (2021): for each h, ONE direct
    h-step model of the change ``z[t+h] - z[t]`` from :func:`pooled_features` at t, fitted by
    :func:`robust_regression` on every place of ``values`` and the :data:`POOLED_ORIGINS` most
    recent years t with t + h within the window; ``z`` is the log when every value is positive
    (changes in %, comparable across places of different size), else the value. Training pairs
    use observed cells only (``observed``; default: every non-NaN cell), never interpolated ones.
    Only the columns of ``values`` are read, so a window ending at the origin has no look-ahead.
    A horizon with fewer than :data:`POOLED_MIN_PAIRS` pairs keeps the last value."""
    if observed is None:
        observed = ~np.isnan(values)
    finite = values[~np.isnan(values)]
    use_log = finite.size > 0 and bool((finite > 0).all())
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log(values) if use_log else values.copy()
    features = pooled_features(z)
    n_rows, n_cols = values.shape
    result = naive(values, horizon)
    # one padded problem per horizon: the POOLED_ORIGINS most recent starts t with t + h in the window
    offsets = np.arange(POOLED_ORIGINS)
    fitted = []
    for h in range(1, horizon + 1):
        starts = n_cols - h - POOLED_ORIGINS + offsets
        valid = starts >= 1
        starts = np.clip(starts, 0, n_cols - 1)
        ends = np.clip(starts + h, 0, n_cols - 1)
        pairs = observed[:, starts] & observed[:, ends] & valid[None, :]
        if pairs.sum() >= POOLED_MIN_PAIRS:
            fitted.append((h, features[:, starts, :], z[:, ends] - z[:, starts], pairs))
    if not fitted:
        return result
    x = np.stack([f[1].reshape(-1, features.shape[-1]) for f in fitted])
    y = np.stack([np.nan_to_num(f[2]).reshape(-1) for f in fitted])
    mask = np.stack([f[3].reshape(-1) for f in fitted])
    betas = robust_regression(x, y, mask)
    last = features[:, -1, :]
    for (h, *_), beta in zip(fitted, betas, strict=True):
        predicted = z[:, -1] + last @ beta
        result[:, h - 1] = np.exp(predicted) if use_log else predicted
    return np.where(np.isfinite(result), result, naive(values, horizon))


COMPONENTS = {
    "naive": naive,
    "drift": drift,
    "shrunk_drift": shrunk_drift,
    "damped": damped,
    "theta": theta,
    "pooled": pooled,
}
#: Each candidate as the equal-weight mean of these components.
COMBINATIONS = {
    "naive": ("naive",),
    "combo_damped": ("naive", "damped", "theta"),
    "combo_all": ("naive", "drift", "damped", "theta"),
    "combo_shrunk_drift": ("naive", "shrunk_drift", "theta"),
    "combo_pooled": ("naive", "pooled"),
}


def candidate_forecasts(
    values: np.ndarray, horizon: int, methods=METHODS, observed: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Forecasts h = 1..horizon of each of ``methods`` (candidates or components), every component
    fitted once however many combinations use it. ``observed`` marks the cells of ``values`` that
    were observed rather than filled (only :func:`pooled` uses it; default: every non-NaN cell)."""
    fitted: dict[str, np.ndarray] = {}
    result = {}
    for method in methods:
        parts = COMBINATIONS.get(method, (method,))
        for part in parts:
            if part not in fitted:
                if part == "pooled":
                    fitted[part] = pooled(values, horizon, observed)
                else:
                    fitted[part] = COMPONENTS[part](values, horizon)
        result[method] = sum(fitted[p] for p in parts) / len(parts)
    return result


def _forecaster(method: str):
    return lambda values, horizon: candidate_forecasts(values, horizon, (method,))[method]


#: Every candidate and component by name: ``FORECASTERS[name](values, horizon)``.
FORECASTERS = {name: _forecaster(name) for name in (*COMPONENTS, *COMBINATIONS)}


# --- choosing among them --------------------------------------------------------------------


def validation_errors(
    series: pd.Series, end_year: int, horizons=(1, 3, 5), n_origins: int = VALIDATION_ORIGINS, window: int = WINDOW
) -> pd.DataFrame:
    """Every candidate's forecasts from the ``n_origins`` most recent origins ``v`` with
    ``v + h <= end_year``, beside what was then observed. Reads nothing after ``end_year``.

    Columns: ``horizon, origin, ref_area, method, forecast, actual``.
    """
    series = series[series.index.get_level_values(1) <= end_year]
    matrix_all = wide(series)
    max_h = max(horizons)
    parts: dict[str, list] = {k: [] for k in ("horizon", "origin", "ref_area", "method", "forecast")}
    for origin in range(end_year - max_h - n_origins + 1, end_year):
        wanted = [h for h in horizons if end_year - h - n_origins + 1 <= origin <= end_year - h]
        if not wanted or origin not in matrix_all.columns:
            continue
        matrix, observed = _window_observed(matrix_all, origin, window)
        if matrix.empty:
            continue
        values = matrix.to_numpy(dtype=float)
        for method, predicted in candidate_forecasts(values, max(wanted), observed=observed).items():
            for h in wanted:
                parts["horizon"].append(np.full(len(matrix), h))
                parts["origin"].append(np.full(len(matrix), origin))
                parts["ref_area"].append(matrix.index.to_numpy())
                parts["method"].append(np.full(len(matrix), method, dtype=object))
                parts["forecast"].append(predicted[:, h - 1])
    if not parts["forecast"]:
        return pd.DataFrame(columns=["horizon", "origin", "ref_area", "method", "forecast", "actual"])
    errors = pd.DataFrame({k: np.concatenate(v) for k, v in parts.items()})
    target_year = errors["origin"].to_numpy() + errors["horizon"].to_numpy()
    stacked = matrix_all.stack()
    lookup = pd.MultiIndex.from_arrays([errors["ref_area"], target_year])
    errors["actual"] = stacked.reindex(lookup).to_numpy()
    return errors.dropna(subset=["forecast", "actual"]).reset_index(drop=True)


@dataclass(frozen=True)
class Selection:
    """Which method forecasts each horizon, how every candidate scored, and the band to use."""

    end_year: int
    method: dict[int, str]
    mae: pd.DataFrame  # rows horizon, columns method: validation MAE
    band: dict[int, tuple[float, float]]  # horizon -> (low, high) quantiles of the errors
    relative: bool  # every value is positive, so bands are ratios actual/forecast where they can be
    n_errors: dict[int, int] = field(default_factory=dict)
    #: Per horizon: band quantiles are ratios (True) or differences (False). Ratios need every
    #: validation forecast of that horizon to be positive, which a trend can break at one horizon
    #: and not at another; a horizon missing here follows ``relative``.
    band_relative: dict[int, bool] = field(default_factory=dict)
    #: ONE method for every horizon (what a page draws as a path, see :func:`choose_path`), its
    #: mean validation gain over "no change" across the horizons, and its band per horizon.
    path: str = "naive"
    path_gain: float = 0.0
    path_band: dict[int, tuple[float, float]] = field(default_factory=dict)
    path_band_relative: dict[int, bool] = field(default_factory=dict)

    def describe_path(self) -> str:
        """One line for a page that draws :attr:`path` for every year ahead."""
        horizons = sorted(self.path_band)
        if not horizons:
            return "not validated: the last value is shown"
        if self.path == "naive":
            return NAIVE_CHOSEN
        return (
            f"{METHOD_LABELS.get(self.path, self.path)}, the same method for every year ahead (chosen over the "
            f"{horizons[0]}–{horizons[-1]}-year horizons on the {VALIDATION_ORIGINS} most recent origins up to "
            f"{self.end_year}; {self.path_gain:.0%} lower error than 'no change' there on average)"
        )

    def describe(self, horizon: int) -> str:
        """One line for a page: which method, and what it gained over "no change" on validation."""
        if horizon not in self.method:
            return "not validated at this horizon: the last value is shown"
        chosen = self.method[horizon]
        if chosen == "naive":
            return NAIVE_CHOSEN
        gain = 1 - self.mae.at[horizon, chosen] / self.mae.at[horizon, "naive"] if self.mae.at[horizon, "naive"] else 0
        return (
            f"{METHOD_LABELS.get(chosen, chosen)} (chosen on the {VALIDATION_ORIGINS} most recent origins up to {self.end_year}; "
            f"{gain:.0%} lower error than 'no change' there)"
        )


#: Selections kept by the content of their series, so a page that asks again (another place, the
#: same indicator) costs a hash of the series instead of a new validation (about 1 s on 2 cores).
_SELECTIONS: OrderedDict[tuple, Selection] = OrderedDict()
SELECTION_CACHE_SIZE = 64


def choose(
    series: pd.Series, end_year: int, horizons=(1, 3, 5), n_origins: int = VALIDATION_ORIGINS, window: int = WINDOW
) -> Selection:
    """Per horizon, the candidate with the lowest validation MAE among ``naive`` and those at least
    :data:`MIN_GAIN` better than it (ties: the simpler), and its band.

    ``series`` is indexed by ``(ref_area, year)`` and may hold all places of one indicator: the
    score is pooled over them, since a single place has too few origins to tell methods apart.
    Results are cached by the series' content and the arguments (treat them as read-only).
    """
    digest = hashlib.blake2b(pd.util.hash_pandas_object(series, index=True).to_numpy().tobytes()).hexdigest()
    key = (digest, int(end_year), tuple(horizons), n_origins, window)
    if key in _SELECTIONS:
        _SELECTIONS.move_to_end(key)
        return _SELECTIONS[key]
    selection = _choose(series, end_year, horizons, n_origins, window)
    _SELECTIONS[key] = selection
    while len(_SELECTIONS) > SELECTION_CACHE_SIZE:
        _SELECTIONS.popitem(last=False)
    return selection


def _choose(series: pd.Series, end_year: int, horizons, n_origins: int, window: int) -> Selection:
    errors = validation_errors(series, end_year, horizons, n_origins, window)
    positive = bool((series[series.index.get_level_values(1) <= end_year] > 0).all())
    errors = errors.assign(abs_error=(errors["forecast"] - errors["actual"]).abs())
    mae = errors.pivot_table(index="horizon", columns="method", values="abs_error", aggfunc="mean")
    mae = mae.reindex(columns=list(METHODS))
    chosen, band, counts, band_relative = {}, {}, {}, {}

    def band_of(h, method):
        mine = errors[(errors["horizon"] == h) & (errors["method"] == method)]
        ratios = positive and bool((mine["forecast"] > 0).all())
        spread = mine["actual"] / mine["forecast"] if ratios else mine["actual"] - mine["forecast"]
        return tuple(float(q) for q in np.quantile(spread.to_numpy(), BAND_QUANTILES)), ratios, len(mine)

    for h in mae.index:
        scores = mae.loc[h]
        if scores.isna().any():
            continue
        eligible = [m for m in METHODS if m == "naive" or scores[m] <= (1 - MIN_GAIN) * scores["naive"]]
        best = min(eligible, key=lambda m: (round(float(scores[m]), 12), METHODS.index(m)))
        chosen[int(h)] = best
        band[int(h)], band_relative[int(h)], counts[int(h)] = band_of(h, best)
    path, path_gain = choose_path(mae.loc[sorted(chosen)]) if chosen else ("naive", 0.0)
    path_band, path_relative = {}, {}
    for h in sorted(chosen):
        path_band[h], path_relative[h], _ = band_of(h, path)
    return Selection(
        end_year, chosen, mae, band, positive, counts, band_relative, path, path_gain, path_band, path_relative
    )


def choose_path(mae: pd.DataFrame) -> tuple[str, float]:
    """ONE candidate for every horizon in ``mae`` (rows horizon, columns method): the one with the
    lowest mean ratio of its validation MAE to that of "no change" over the horizons, among
    ``naive`` and those that gain at least :data:`MIN_GAIN` on that mean AND are no worse than "no
    change" at any single horizon; returns it and its mean gain. Why: choosing per horizon lets
    the method change from one year to the next, so a drawn path would jump between methods; one
    method keeps the path one model's trajectory, and it is still never worse than "no change" on
    the validation window at any horizon."""
    ratios = mae.div(mae["naive"].where(mae["naive"] > 0), axis=0).fillna(1.0)
    mean = ratios.mean(axis=0)
    eligible = [m for m in mae.columns if m == "naive" or (mean[m] <= 1 - MIN_GAIN and (ratios[m] <= 1 + 1e-12).all())]
    best = min(eligible, key=lambda m: (round(float(mean[m]), 12), list(METHODS).index(m)))
    return best, float(1 - mean[best])


def apply(
    selection: Selection,
    series: pd.Series,
    origin: int,
    horizons=(1, 3, 5),
    window: int = WINDOW,
    path: bool = False,
    ref_areas=None,
):
    """Forecasts from ``origin`` (data up to it only) for every place observed in ``origin`` (or only
    ``ref_areas`` among them: the others still train the pooled model), with the chosen method per
    horizon and its band — or, with ``path``, :attr:`Selection.path` at every horizon, its band
    made monotone (see :func:`widening`). Horizons the selection did not validate get the last
    value and no band. Columns: ``ref_area, horizon, year, method, forecast, low, high, last_value``.
    """
    matrix, observed = _window_observed(wide(series[series.index.get_level_values(1) <= origin]), origin, window)
    values = matrix.to_numpy(dtype=float)
    max_h = max(horizons)
    validated = selection.path_band if path else selection.method
    methods = {h: (selection.path if path else selection.method[h]) if h in validated else "naive" for h in horizons}
    bands = selection.path_band if path else selection.band
    kinds = selection.path_band_relative if path else selection.band_relative
    used = sorted(set(methods.values()), key=METHODS.index)
    forecasts = candidate_forecasts(values, max_h, used, observed)
    frames = []
    for h in horizons:
        method = methods[h]
        point = forecasts[method][:, h - 1]
        if h in bands:
            q_low, q_high = bands[h]
            if kinds.get(h, selection.relative):
                low, high = point * q_low, point * q_high
            else:
                low, high = point + q_low, point + q_high
        else:
            low = high = np.full_like(point, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "ref_area": matrix.index,
                    "horizon": h,
                    "year": origin + h,
                    "method": method,
                    "forecast": point,
                    "low": low,
                    "high": high,
                    "last_value": values[:, -1],
                }
            )
        )
    columns = ["ref_area", "horizon", "year", "method", "forecast", "low", "high", "last_value"]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)[columns]
    if ref_areas is not None:
        table = table[table["ref_area"].isin(list(ref_areas))].reset_index(drop=True)
    return widening(table) if path else table


def widening(table: pd.DataFrame) -> pd.DataFrame:
    """Per place, bands that never narrow further ahead: the distance from the forecast to each edge
    is at least what it was at any nearer horizon (a running maximum over horizons). The per-horizon
    quantiles come from few errors each (eight origins), so one horizon's band can be narrower than
    the one before, which would claim more certainty farther out; the envelope only widens them, so
    the coverage can only rise."""
    ordered = table.sort_values(["ref_area", "horizon"], kind="stable")
    below = (ordered["forecast"] - ordered["low"]).groupby(ordered["ref_area"]).cummax()
    above = (ordered["high"] - ordered["forecast"]).groupby(ordered["ref_area"]).cummax()
    ordered = ordered.assign(low=ordered["forecast"] - below, high=ordered["forecast"] + above)
    return ordered.loc[table.index, table.columns]


def project(
    series: pd.Series, ref_areas, to_year: int, end_year: int | None = None, window: int = WINDOW
) -> tuple[pd.DataFrame, Selection]:
    """Projection of each of ``ref_areas`` from its own latest year up to ``to_year`` (at most
    :data:`MAX_HORIZON` years ahead) as a *path*: ONE method for every year ahead
    (:attr:`Selection.path`, chosen on ALL places of ``series`` over the ten horizons), with bands
    that never narrow further ahead — so the drawn line is one model's trajectory, not a different
    method each year.

    ``end_year`` (default: the newest year in ``series``) is where selection stops. Places whose
    latest value is older are projected from that older year with the same method (the pooled
    model then learns from every place observed in that year). Returns the long forecast table
    (see :func:`apply`) and the selection, so a page can say which method was used and how it scored.
    """
    if end_year is None:
        end_year = int(series.index.get_level_values(1).max())
    horizons = tuple(range(1, MAX_HORIZON + 1))
    selection = choose(series, end_year, horizons, window=window)
    own = series[series.index.get_level_values(0).isin(list(ref_areas))]
    columns = ["ref_area", "horizon", "year", "method", "forecast", "low", "high", "last_value"]
    if own.empty:
        return pd.DataFrame(columns=columns), selection
    last_years = own.groupby(level=0).apply(lambda s: int(s.index.get_level_values(1).max()))
    frames = []
    for origin, members in last_years.groupby(last_years):
        reach = min(to_year - int(origin), MAX_HORIZON)
        if reach < 1:
            continue
        horizons_here = tuple(range(1, reach + 1))
        frames.append(apply(selection, series, int(origin), horizons_here, window, path=True, ref_areas=members.index))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return table, selection
