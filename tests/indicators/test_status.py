"""The one status rule: hand-checked levels and arrows, a property test that words and arrows never
contradict, and the four colours kept apart under simulated colour-vision deficiencies."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import status
from indicators.status import ARROWS, LEVEL_COLOURS, LEVELS, RULE_TEXT, assess_one, classify


def test_levels_from_distance_by_hand():
    # at most 1.61 (a CO2 boundary): latest 2.0 -> (2.0-1.61)/2.0 = 0.195 -> challenges remain
    assert assess_one(2.0, 1.61, False, -0.1, 9).level == "challenges_remain"
    # latest 3.0 -> 0.463 significant; latest 8 -> 0.80 major; latest 1.5 -> achieved
    assert assess_one(3.0, 1.61, False, -0.1, 9).level == "significant_challenges"
    assert assess_one(8.0, 1.61, False, -0.1, 9).level == "major_challenges"
    assert assess_one(1.5, 1.61, False, -0.1, 9).level == "achieved"
    # at least 74 years: 70 -> 4/74 = 0.054 -> challenges remain
    result = assess_one(70.0, 74.0, True, 0.2, 10)
    assert result.distance == pytest.approx(4 / 74) and result.level == "challenges_remain"
    # a target of 0 (end extreme poverty): all of today's value must go
    assert assess_one(12.0, 0.0, False, -1.0, 5).distance == 1.0


def test_levels_from_sourced_bands_by_hand():
    # SDR 2025 codebook, sdg1_lmicpov ($3.65 a day poverty): optimum 0, green 2, red 13; midpoint 7.5
    def level(latest):
        return assess_one(latest, 0.0, False, -0.1, 5, green=2.0, red=13.0).level

    assert level(1.04) == "achieved"  # Sweden's 2025 value: green, although not exactly 0
    assert level(2.0) == "achieved"  # at the green threshold
    assert level(7.0) == "challenges_remain"  # 7 <= 7.5: the half nearer green
    assert level(7.5) == "challenges_remain"  # the midpoint itself counts with the green half
    assert level(8.0) == "significant_challenges"  # the half nearer red
    assert level(13.0) == "major_challenges"  # at the red threshold
    assert level(40.0) == "major_challenges"
    # without bands the share rule still grades a target of 0: 1.04 is 100% away
    assert assess_one(1.04, 0.0, False, -0.1, 5).level == "major_challenges"
    # at-least bands are the mirror image: green 95, red 50, midpoint 72.5
    assert assess_one(96, 100, True, 0.1, 5, green=95, red=50).level == "achieved"
    assert assess_one(73, 100, True, 0.1, 5, green=95, red=50).level == "challenges_remain"
    assert assess_one(72, 100, True, 0.1, 5, green=95, red=50).level == "significant_challenges"
    assert assess_one(50, 100, True, 0.1, 5, green=95, red=50).level == "major_challenges"


def test_with_bands_the_arrow_measures_against_the_green_threshold():
    # 1.04 is green: holding still is maintaining achievement (↑), not stagnation; rising is ↓
    assert assess_one(1.04, 0.0, False, 0.0, 5, green=2, red=13).arrow == "↑"
    assert assess_one(1.04, 0.0, False, 0.1, 5, green=2, red=13).arrow == "↓"
    # 7 -> green 2 by 2030 from 2025 needs -1/yr; -1.0 is on track, -0.6 moderately, -0.4 stagnating
    assert assess_one(7, 0.0, False, -1.0, 5, green=2, red=13).arrow == "↑"
    assert assess_one(7, 0.0, False, -0.6, 5, green=2, red=13).arrow == "↗"
    assert assess_one(7, 0.0, False, -0.4, 5, green=2, red=13).arrow == "→"
    # the distance is the share still to go to the green threshold: (7 - 2) / 7
    assert assess_one(7, 0.0, False, -1.0, 5, green=2, red=13).distance == pytest.approx(5 / 7)


def test_arrows_from_required_vs_achieved_rate_by_hand():
    # 64 -> 80 by 2030 from 2014: needs +1/yr
    assert assess_one(64, 80, True, 1.0, 16).arrow == "↑"  # exactly the required pace
    assert assess_one(64, 80, True, 0.6, 16).arrow == "↗"  # 60% of it
    assert assess_one(64, 80, True, 0.4, 16).arrow == "→"  # 40%: stagnating
    assert assess_one(64, 80, True, -0.1, 16).arrow == "↓"
    # an interval that includes zero counts as no change
    assert assess_one(64, 80, True, 0.6, 16, rate_low=-0.1, rate_high=1.3).arrow == "→"
    # met and holding or improving: maintaining achievement; met but moving away: worsening
    assert assess_one(82, 74, True, 0.0, 10).trend == "on_track"
    assert assess_one(82, 74, True, -0.2, 10).trend == "worsening"
    # target year passed, improving: moderately improving (no required rate exists)
    assert assess_one(64, 80, True, 5.0, -2).trend == "moderately_improving"
    # no target: improving / stagnating / worsening only
    assert assess_one(5, None, False, -0.3, 0).trend == "improving"
    assert assess_one(5, None, False, -0.3, 0).level == "no_target"


def test_rule_text_names_every_level_and_arrow():
    for label in ("Achieved", "Challenges remain", "Significant challenges", "Major challenges"):
        assert label in RULE_TEXT
    for arrow in ("↑", "↗", "→", "↓"):
        assert arrow in RULE_TEXT
    assert status.__doc__ and "one" in status.__doc__.lower()


finite = st.floats(-1e4, 1e4, allow_nan=False)


@settings(max_examples=600, deadline=None)
@given(
    latest=finite,
    target=st.one_of(st.none(), finite),
    upward=st.booleans(),
    rate=finite,
    years_left=st.integers(-5, 40),
    half_width=st.one_of(st.none(), st.floats(0, 1e3)),
    bands=st.one_of(st.none(), st.tuples(st.floats(0, 1e3), st.floats(1e-3, 1e3))),
)
def test_words_and_arrows_never_contradict(latest, target, upward, rate, years_left, half_width, bands):
    low, high = (None, None) if half_width is None else (rate - half_width, rate + half_width)
    green = red = None
    if bands is not None and target is not None:
        # as the schema allows: green at or on the worse side of the target, red further on that side
        worse = -1.0 if upward else 1.0
        green = target + worse * bands[0]
        red = green + worse * bands[1]
    result = assess_one(latest, target, upward, rate, years_left, low, high, green, red)
    oriented = rate if upward else -rate
    if half_width is not None and low <= 0 <= high:
        oriented = 0.0
    text = result.sentence.lower()
    if "improving" in text:  # → only with the words that say the pace is too slow (SDR's "stagnating")
        assert oriented > 0 and (result.arrow == "↗" or (result.arrow == "→" and "less than half the pace" in text))
    if result.arrow == "→":
        assert "stagnating" in text or "less than half the pace" in text
    if "worsening" in text:
        assert oriented < 0 and result.arrow == "↓"
    if result.arrow == "↓":
        assert "worsening" in text
    if result.arrow == "↑":
        assert result.level == "achieved" or oriented > 0
    if result.level == "achieved":
        assert result.distance == 0 and result.arrow in ("↑", "↓")
    if result.arrow:
        assert result.arrow == ARROWS[result.trend]
    goal = target if green is None else green  # with bands, "Achieved" means at or better than green
    gap = None if goal is None else (goal - latest if upward else latest - goal)
    if gap is not None:
        assert (result.level == "achieved") == (gap <= 0)
    if red is not None:
        worse_than_red = latest <= red if upward else latest >= red
        assert (result.level == "major_challenges") == (worse_than_red and gap > 0)


def test_classify_is_vectorised_and_matches_the_scalar_form():
    # row 0: (5 - 1.61)/5 = 0.678 -> major; needs (5 - 1.61)/9 = 0.377/yr down, does 0.5 -> on track
    # row 1: (2 - 1.61)/2 = 0.195 -> challenges remain; rising -> worsening
    # row 2: 4/74 -> challenges remain; needs 0.4/yr, does 0.3 (75%) -> moderately improving
    args = ([5, 2, 70], [1.61, 1.61, 74], [False, False, True], [-0.5, 0.1, 0.3], [9, 9, 10])
    frame = classify(*args)
    assert list(frame["level"]) == ["major_challenges", "challenges_remain", "challenges_remain"]
    assert list(frame["arrow"]) == ["↑", "↓", "↗"]
    for i in range(3):
        assert frame.at[i, "sentence"] == assess_one(*(a[i] for a in args)).sentence


# --- colour-vision check of the four level colours -------------------------------------------
# Machado, Oliveira & Fernandes (2009) simulation matrices at full severity, applied in linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(rgb, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("deficiency", sorted(CVD))
def test_level_colours_stay_apart_under_colour_vision_deficiencies(deficiency):
    # CIE76 distance of at least 15 between every pair (about 2.3 is "just noticeable").
    colours = [LEVEL_COLOURS[level] for level in LEVELS]
    seen = [_lab(np.array(CVD[deficiency]) @ _linear(c)) for c in colours]
    distances = [math.dist(seen[i], seen[j]) for i in range(4) for j in range(i + 1, 4)]
    assert min(distances) >= 15, (deficiency, distances)


def test_a_value_falling_toward_its_target_too_slowly_is_not_called_stagnating():
    """Sweden's consumption CO2 fell 10 -> 6 t, about 0.2 t a year, where 0.54 t a year reaches 1.61 t by 2030: the
    Futures page said "→ stagnating"; it says the value improves, at less than half the pace the target needs."""
    result = assess_one(5.956, 1.61, False, -0.2032, 8)
    assert result.arrow == "→" and result.trend == "stagnating"
    assert "stagnating" not in result.sentence and "improving, but at less than half the pace" in result.sentence
    flat = assess_one(5.956, 1.61, False, 0.0, 8)
    assert flat.arrow == "→" and flat.sentence.endswith("→ stagnating")


def test_the_readme_quotes_the_rule_word_for_word():
    """The rule is stated once: the README's quote is RULE_TEXT itself (wrapped), so neither drifts."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = []
    for line in readme.splitlines():
        if line.strip().startswith("> ") and (block or line.strip().startswith("> Status (colour)")):
            block.append(line.strip()[2:])
        elif block:
            break
    assert " ".join(block) == RULE_TEXT
