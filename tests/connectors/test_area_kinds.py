"""connectors.areas.classify on a hand-made areas table (synthetic rows with real names): every area gets
one kind, and non-country entities never pass for countries or for groups of countries."""

from __future__ import annotations

import pandas as pd

from connectors.areas import classify

ROWS = [
    # ref_area, name, level, is_aggregate, country -> kind, group
    ("FRA", "France", "country", False, None, "country", "country"),
    ("ATA", "Antarctica", "country", False, None, "other", "uninhabited"),
    ("SE11", "Stockholm", "nuts2", False, "SWE", "region", "nuts2"),
    ("SWEr101", "Sweden - Stockholm", "gdl_region", False, "SWE", "region", "gdl_region"),
    ("WLD", "World", "aggregate", True, None, "aggregate", "World"),
    ("HIC", "High-income countries", "aggregate", True, None, "aggregate", "income group"),
    ("NONOECD", "Non-OECD countries", "aggregate", True, None, "aggregate", "non-OECD"),
    ("OECD", "OECD members", "aggregate", True, None, "aggregate", "OECD"),
    ("EU27", "European Union (27)", "aggregate", True, None, "aggregate", "EU"),
    ("AFR", "Africa", "aggregate", True, None, "aggregate", "continent"),
    ("M49_015", "Northern Africa", "aggregate", True, None, "aggregate", "world region"),
    ("M49_99033", "World Marine Bunkers", "aggregate", True, None, "other", "international transport"),
    ("M49_889", "World Trade Organization (WTO) Member States", "aggregate", True, None, "other", "trade membership"),
    ("M49_99024", "FAO Major Fishing Area: Atlantic, Northeast", "aggregate", True, None, "other", "ocean area"),
    ("M49_890", "Yugoslavia [former]", "aggregate", True, None, "other", "former country"),
]


def test_every_area_gets_its_kind_group_and_parent():
    table = pd.DataFrame(ROWS, columns=["ref_area", "name", "level", "is_aggregate", "country", "kind", "group"])
    result = classify(table.drop(columns=["kind", "group"]))
    assert result["kind"].tolist() == table["kind"].tolist()
    assert result["group"].tolist() == table["group"].tolist()
    assert result["parent"].tolist() == [None, None, "SWE", "SWE"] + [None] * (len(ROWS) - 4)
