"""The Human Development Index by the UNDP method (goalposts since the 2010 HDR, 2014+ values).

* health index    = (life expectancy - 20) / (85 - 20)
* education index = mean of (expected years of schooling / 18) and (mean years / 15)
* income index    = (ln GNI pc - ln 100) / (ln 75,000 - ln 100), GNI per capita in PPP $
* HDI             = geometric mean of the three indices

Every dimension index is capped to [0, 1]; this is the UNDP rule (values above the upper
goalpost, e.g. expected schooling above 18 or GNI above 75,000, count as the goalpost) and
it is what the Global Data Lab does for its subnational HDI. With these rules the published
GDL SHDI is reproduced from its components for every region-year (see tests/indicators/test_hdi.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.methods.normalise import goalposts

GOALPOSTS = {
    "life_expectancy": (20.0, 85.0),
    "expected_schooling": (0.0, 18.0),
    "mean_schooling": (0.0, 15.0),
    "gni_per_capita": (100.0, 75_000.0),
}


def health_index(life_expectancy: pd.Series) -> pd.Series:
    return goalposts(life_expectancy, lower=GOALPOSTS["life_expectancy"][0], upper=GOALPOSTS["life_expectancy"][1])


def education_index(expected_schooling: pd.Series, mean_schooling: pd.Series) -> pd.Series:
    expected = goalposts(expected_schooling, lower=0.0, upper=GOALPOSTS["expected_schooling"][1])
    mean = goalposts(mean_schooling, lower=0.0, upper=GOALPOSTS["mean_schooling"][1])
    return (expected + mean) / 2.0


def income_index(gni_per_capita: pd.Series) -> pd.Series:
    low, high = GOALPOSTS["gni_per_capita"]
    return goalposts(gni_per_capita, lower=low, upper=high, log=True)


def hdi(
    life_expectancy: pd.Series, expected_schooling: pd.Series, mean_schooling: pd.Series, gni_per_capita: pd.Series
) -> pd.DataFrame:
    """Dimension indices and HDI for aligned component series (any common index).

    Returns columns ``health_index``, ``education_index``, ``income_index``, ``hdi``; the HDI is
    NaN wherever a component is missing (the UNDP does not compute partial HDIs).
    """
    frame = pd.DataFrame(
        {
            "health_index": health_index(life_expectancy),
            "education_index": education_index(expected_schooling, mean_schooling),
            "income_index": income_index(gni_per_capita),
        }
    )
    frame["hdi"] = np.cbrt(frame["health_index"] * frame["education_index"] * frame["income_index"])
    return frame
