"""Compatibility names for one release: ``indicators.assess`` was split by concern.

New code imports from the module that owns each concept:

* :mod:`indicators.constants` — ``GDP_PER_CAPITA``, ``THEME_ORDER``, ``WELLBEING_THEMES``, ``RECENT_YEARS`` …
* :mod:`indicators.areas` — ``area_name``, ``areas_at_level``, ``levels_with_data``
* :mod:`indicators.peer_groups` — ``PeerGroup``, ``peer_group``, ``PEER_KINDS``, ``PEER_KIND_LABELS``
* :mod:`indicators.measures` — ``per_capita_pairs``, ``other_form``, ``definitions_at``, ``catalogue_table``
* :mod:`indicators.ranking` — ``rank_among``, ``compare_table``
* :mod:`indicators.trends` — ``trend_table``
* :mod:`indicators.scorecard` — ``scorecard``, ``scorecard_theme``
* :mod:`indicators.headline` — ``place_headline``, ``headline``
* :mod:`indicators.signals` — ``place_signals``

This module only re-exports those names (the same objects, caches included) so that dashboard
pages keep working while they move to the new homes; it will be removed in the next release.
"""

from __future__ import annotations

from indicators.areas import area_name, areas_at_level, levels_with_data
from indicators.constants import CONFIDENCE, MIN_TREND_POINTS, RECENT_YEARS, THEME_ORDER, WELLBEING_THEMES
from indicators.constants import GDP_PER_CAPITA as GDP
from indicators.headline import headline, place_headline
from indicators.measures import (
    PER_CAPITA_PAIRS,
    catalogue_table,
    definitions_at,
    other_form,
    per_capita_pairs,
    scorecard_definitions,
)
from indicators.peer_groups import (
    DEFAULT_SIMILAR,
    PEER_KIND_LABELS,
    PEER_KINDS,
    REGION_LABELS,
    PeerGroup,
    peer_group,
)
from indicators.ranking import compare_table, rank_among
from indicators.scorecard import SCORECARD_COLUMNS, scorecard, scorecard_theme
from indicators.signals import place_signals
from indicators.trends import TREND_VERDICTS, trend_table

__all__ = [
    "CONFIDENCE",
    "DEFAULT_SIMILAR",
    "GDP",
    "MIN_TREND_POINTS",
    "PEER_KINDS",
    "PEER_KIND_LABELS",
    "PER_CAPITA_PAIRS",
    "RECENT_YEARS",
    "REGION_LABELS",
    "SCORECARD_COLUMNS",
    "THEME_ORDER",
    "TREND_VERDICTS",
    "WELLBEING_THEMES",
    "PeerGroup",
    "area_name",
    "areas_at_level",
    "catalogue_table",
    "compare_table",
    "definitions_at",
    "headline",
    "levels_with_data",
    "other_form",
    "peer_group",
    "per_capita_pairs",
    "place_headline",
    "place_signals",
    "rank_among",
    "scorecard",
    "scorecard_definitions",
    "scorecard_theme",
    "trend_table",
]
