"""Status against a target in four levels, and a trend arrow, from ONE stated rule.

Why one module: the Overview once printed "↑ improving" next to "Stagnating or worsening"
because the arrow and the status came from two different rules. Here both come from the same
three numbers — the latest value, the target, and the rate of change actually achieved — so
they cannot disagree, and :data:`RULE_TEXT` is the one sentence the app and the README show.

After the SDSN Sustainable Development Report (Sachs et al., SDR dashboards and trends):

* **level** (colour) from the *distance to target* — how far the latest value is from the
  target, as a share, so it reads the same for any unit (see :func:`distance_to_target`); or, when the
  target carries sourced *bands* (the SDR's own green and red thresholds, see :func:`level_of_bands`),
  from those — a share cannot grade a target of 0, where every non-zero value is 100% away;
* **arrow** from the *rate achieved* (the recent Theil-Sen slope, oriented so that positive
  means "towards better") against the *rate required* to reach the target by its year from
  the latest value.

The SDR's labels "decreasing"/"score decreasing" refer to its 0–100 score; for an indicator
where lower is better (CO2) "decreasing" would read as good news, so the ↓ arrow says
"worsening" instead. Everything here is plain numpy on arrays (many places at once), with a
scalar wrapper :func:`assess_one` for a single value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LEVELS = ("achieved", "challenges_remain", "significant_challenges", "major_challenges")
LEVEL_LABELS = {
    "achieved": "Achieved",
    "challenges_remain": "Challenges remain",
    "significant_challenges": "Significant challenges",
    "major_challenges": "Major challenges",
    "no_target": "No target",
    "insufficient_data": "Too few data",
}
#: SDR's green / yellow / orange / red, taken from the Okabe-Ito palette (green #009E73,
#: yellow #F0E442, orange #E69F00, vermillion #D55E00) so that the four stay apart under the
#: common colour-vision deficiencies (tests/indicators/test_status.py simulates deuteranopia,
#: protanopia and tritanopia and checks every pair). The level is always written too.
LEVEL_COLOURS = {
    "achieved": "#009E73",
    "challenges_remain": "#F0E442",
    "significant_challenges": "#E69F00",
    "major_challenges": "#D55E00",
    "no_target": "#BBBBBB",
    "insufficient_data": "#BBBBBB",
}
#: Upper bounds of the distance (share of the way still to go) for each level below "achieved".
CHALLENGES_REMAIN_MAX = 0.25
SIGNIFICANT_CHALLENGES_MAX = 0.5

TRENDS = ("on_track", "moderately_improving", "stagnating", "worsening", "improving")
ARROWS = {
    "on_track": "↑",
    "moderately_improving": "↗",
    "improving": "↗",
    "stagnating": "→",
    "worsening": "↓",
    "insufficient_data": "",
}
TREND_LABELS = {
    "on_track": "on track or maintaining achievement",
    "moderately_improving": "moderately improving",
    "improving": "improving (no target to measure the pace against)",
    "stagnating": "stagnating",
    "worsening": "worsening",
    "insufficient_data": "too few points for a trend",
}
#: The "stagnating" arrow's words when the value does move toward the target, at less than half the pace.
SLOW_LABEL = "improving, but at less than half the pace the target needs"
#: The direction of change in words, from the same rule (the scorecard's ``verdict`` column and the
#: headline's counts): an arrow and its verdict always agree.
VERDICTS = ("improving", "improving too slowly", "no clear change", "worsening", "too few points")

#: Share of the required rate below which an improvement counts as stagnation (SDR: 50%).
MODERATE_SHARE = 0.5

RULE_TEXT = (
    "Status (colour) is the distance still to go to the target, as a share: the target itself for "
    "an at-least target, the latest value for an at-most target. 0 = Achieved (green); up to 25% = "
    "Challenges remain (yellow); up to 50% = Significant challenges (orange); more = Major challenges "
    "(red). Where the target comes with a source's green and red thresholds (the Sustainable Development "
    "Report's), the status is theirs: at or better than green = Achieved; at or worse than red = Major "
    "challenges; in between, the half nearer green = Challenges remain, the other half = Significant "
    "challenges; the green threshold then counts as the target for the arrow. The arrow compares the change per year achieved over the recent trend window (Theil-Sen "
    "slope; a slope whose 90% interval includes zero counts as no change) with the change per year "
    "required to reach the target by its year: ↑ on track (at least the required pace) or maintaining "
    "achievement (target met and not moving away); ↗ moderately improving (at least half the required "
    "pace, or improving after the target year has passed); → stagnating (no clear change) or improving "
    "at less than half the required pace (said in those words); ↓ worsening (moving away from the target). Without a target the arrow "
    "only says ↗ improving, → no clear change or ↓ worsening. Status and arrow come from the same "
    "numbers, so they cannot contradict each other."
)


def distance_to_target(latest, target, upward) -> np.ndarray:
    """Share of the way still to go; 0 when the target is met.

    At-least targets (``upward``: life expectancy, employment): ``(target - latest) / |target|``.
    At-most targets (emissions, poverty): ``(latest - target) / |latest|`` — the share of today's
    value that must go, which stays in [0, 1] for a target of 0 (SDG 1.1's "end poverty").
    """
    latest, target, upward = np.broadcast_arrays(
        np.asarray(latest, dtype=float), np.asarray(target, dtype=float), np.asarray(upward, dtype=bool)
    )
    gap = np.where(upward, target - latest, latest - target).clip(min=0)
    scale = np.abs(np.where(upward, target, latest))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        share = np.where(scale > 0, gap / scale, np.where(gap > 0, 1.0, 0.0))
    return np.where(np.isnan(latest) | np.isnan(target), np.nan, share)


def level_of(distance) -> np.ndarray:
    """The four-level status of a distance from :func:`distance_to_target` (NaN: insufficient_data)."""
    distance = np.asarray(distance, dtype=float)
    return np.select(
        [np.isnan(distance), distance <= 0, distance <= CHALLENGES_REMAIN_MAX, distance <= SIGNIFICANT_CHALLENGES_MAX],
        ["insufficient_data", "achieved", "challenges_remain", "significant_challenges"],
        default="major_challenges",
    ).astype(object)


def level_of_bands(latest, green, red, upward) -> np.ndarray:
    """The four-level status from sourced green/red thresholds, as the SDSN Sustainable Development
    Report's SDG Dashboards grade an indicator (Sachs, Lafortune et al., SDR methods annex; thresholds per
    indicator in its codebook): at or better than ``green`` -> achieved ("SDG achieved"); at or worse than
    ``red`` -> major_challenges; in between, the interval is split at its midpoint
    ``(green + red) / 2`` — the half nearer green (midpoint included) is challenges_remain (yellow),
    the half nearer red significant_challenges (orange). The SDR methods text confirms the four
    colours between these two thresholds; the midpoint split is how its dashboards separate yellow and
    orange as far as we could read them (docs/foresight.md says what was and was not checked).
    NaN ``latest``: insufficient_data.
    """
    latest, green, red, upward = np.broadcast_arrays(
        np.asarray(latest, dtype=float),
        np.asarray(green, dtype=float),
        np.asarray(red, dtype=float),
        np.asarray(upward, dtype=bool),
    )
    sign = np.where(upward, 1.0, -1.0)  # orient so that higher is better: green > red
    x, g, r = sign * latest, sign * green, sign * red
    return np.select(
        [np.isnan(latest) | np.isnan(green) | np.isnan(red), x >= g, x <= r, x >= (g + r) / 2],
        ["insufficient_data", "achieved", "major_challenges", "challenges_remain"],
        default="significant_challenges",
    ).astype(object)


def trend_of(latest, target, upward, rate, years_left, rate_low=None, rate_high=None) -> np.ndarray:
    """The trend key of :data:`TRENDS` from the rate achieved vs the rate required (see :data:`RULE_TEXT`).

    ``rate`` is the slope in the indicator's unit per year (not oriented); ``years_left`` is the
    target year minus the latest year. ``target`` may be NaN (no target): then only improving /
    stagnating / worsening. With ``rate_low``/``rate_high`` (the slope's interval), a slope whose
    interval includes zero counts as no change.
    """
    latest, target, upward, rate, years_left = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (latest, target, upward, rate, years_left))
    )
    upward = upward.astype(bool)
    sign = np.where(upward, 1.0, -1.0)
    oriented = sign * rate
    if rate_low is not None and rate_high is not None:
        low, high = (
            np.broadcast_to(np.asarray(rate_low, float), rate.shape),
            np.broadcast_to(np.asarray(rate_high, float), rate.shape),
        )
        unclear = (low <= 0) & (high >= 0)
        oriented = np.where(unclear & ~np.isnan(oriented), 0.0, oriented)
    gap = sign * (target - latest)  # > 0: still to go
    no_target = np.isnan(target)
    met = ~no_target & (gap <= 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        required = np.where(years_left > 0, gap / years_left, np.nan)
        progress = oriented / required
    trend = np.select(
        [
            np.isnan(oriented) | np.isnan(latest),
            oriented < 0,
            oriented == 0,
            no_target,
            met,
            years_left <= 0,
            progress >= 1.0,
            progress >= MODERATE_SHARE,
        ],
        ["insufficient_data", "worsening", "stagnating", "improving", "on_track", "moderately_improving", "on_track"]
        + ["moderately_improving"],
        default="stagnating",
    ).astype(object)
    # A met target that is holding (no change) is "maintaining achievement", not stagnation.
    return np.where(met & (oriented == 0), "on_track", trend).astype(object)


def goal_of(target, green=None, red=None) -> np.ndarray:
    """The point "met" means, which the distance, the arrow and any required pace or pathway measure against:
    the target's green threshold where it carries sourced bands (both ``green`` and ``red``; see
    :data:`RULE_TEXT`), otherwise the target itself (NaN: no target). Arrays or scalars; a scalar gives a
    0-d array (``float()`` it).

    One function, so the Futures page's required rate and "year reached" aim at the same point as the
    status arrow beside them: for $3.65-a-day poverty, the SDR's green threshold 2 %, not its optimum 0 %.
    """
    target = np.asarray(np.nan if target is None else target, dtype=float)
    green = np.asarray(np.nan if green is None else green, dtype=float)
    red = np.asarray(np.nan if red is None else red, dtype=float)
    banded = ~np.isnan(target) & ~np.isnan(green) & ~np.isnan(red)
    return np.where(banded, green, target)


def classify(
    latest, target, upward, rate, years_left, rate_low=None, rate_high=None, green=None, red=None
) -> pd.DataFrame:
    """Distance, level, trend, arrow, colour and sentence for many values at once (one row each).

    Rows without a target get level ``no_target``; rows without a latest value
    ``insufficient_data``. The sentence joins the level label and the trend label, both fixed
    texts, so the words can never say "improving" beside a ↓.

    With ``green``/``red`` (a target's sourced bands; NaN or None: none), the level comes from
    :func:`level_of_bands`, and the green threshold stands in for the target in the distance and the
    arrow — so "Achieved" (at or better than green) and "target met" (maintaining achievement, never
    stagnating) are still the same condition, and status and arrow cannot contradict each other.
    """
    latest = np.atleast_1d(np.asarray(latest, dtype=float))
    target = np.broadcast_to(np.asarray(target, dtype=float), latest.shape)
    green = np.broadcast_to(np.asarray(np.nan if green is None else green, dtype=float), latest.shape)
    red = np.broadcast_to(np.asarray(np.nan if red is None else red, dtype=float), latest.shape)
    banded = ~np.isnan(target) & ~np.isnan(green) & ~np.isnan(red)
    goal = goal_of(target, green, red)  # what "met" means: the target, or the green threshold
    distance = distance_to_target(latest, goal, upward)
    graded = np.where(banded, level_of_bands(latest, green, red, upward), level_of(distance))
    level = np.where(np.isnan(target) & ~np.isnan(latest), "no_target", graded).astype(object)
    trend = trend_of(latest, goal, upward, rate, years_left, rate_low, rate_high)
    arrows = [ARROWS[t] for t in trend]
    moving = trend_of(latest, np.nan, upward, rate, years_left, rate_low, rate_high)  # direction only
    verdicts = np.select(
        [trend == "insufficient_data", trend == "worsening", (trend == "stagnating") & (moving == "improving")],
        ["too few points", "worsening", "improving too slowly"],
        default=np.where(trend == "stagnating", "no clear change", "improving"),
    )
    # "→ stagnating" beside a series that falls year after year toward its target reads as "not moving":
    # say that it improves, too slowly for the target, as the Overview's verdict does.
    trend_labels = [
        SLOW_LABEL if t == "stagnating" and m == "improving" else TREND_LABELS[t]
        for t, m in zip(trend, moving, strict=True)
    ]
    sentences = [
        f"{LEVEL_LABELS[lv]}; {ARROWS[t]} {label}".replace("  ", " ")
        for lv, t, label in zip(level, trend, trend_labels, strict=True)
    ]
    return pd.DataFrame(
        {
            "distance": distance,
            "level": level,
            "level_label": [LEVEL_LABELS[lv] for lv in level],
            "colour": [LEVEL_COLOURS[lv] for lv in level],
            "trend": trend,
            "arrow": arrows,
            "trend_label": trend_labels,
            "verdict": verdicts.astype(object),
            "sentence": sentences,
        }
    )


@dataclass(frozen=True)
class Status:
    """One place's status on one indicator: see :data:`RULE_TEXT`."""

    distance: float
    level: str
    level_label: str
    colour: str
    trend: str
    arrow: str
    trend_label: str
    verdict: str
    sentence: str


def assess_one(
    latest: float,
    target: float | None,
    upward: bool,
    rate: float,
    years_left: float,
    rate_low: float | None = None,
    rate_high: float | None = None,
    green: float | None = None,
    red: float | None = None,
) -> Status:
    """:func:`classify` for a single value (``target=None`` when the indicator has none; ``green``/``red``
    the target's sourced bands, if any)."""
    row = classify(
        latest,
        np.nan if target is None else target,
        upward,
        rate,
        years_left,
        None if rate_low is None else [rate_low],
        None if rate_high is None else [rate_high],
        green,
        red,
    ).iloc[0]
    return Status(**{k: (float(v) if k == "distance" else str(v)) for k, v in row.items()})
