"""The numbers do not depend on the machine's BLAS kernel.

The same computations (Chow F, Theil-Sen, normalisation, aggregation and the Monte Carlo rank
intervals, on synthetic inputs labelled so) run in a fresh interpreter with OpenBLAS choosing its kernel
itself and again with ``OPENBLAS_CORETYPE=Prescott`` (the oldest generic x86-64 kernel, which every
machine of this kind can run); the answers must agree to a tolerance relative to each quantity's own
scale. ``make test`` also re-runs the numeric method tests under the second setting.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import json
import numpy as np
import pandas as pd
from indicators.methods.signals import chow_f
from indicators.methods.trend import theil_sen
from indicators.methods.normalise import normalise
from indicators.methods.aggregate import aggregate
from indicators.methods.uncertainty import rank_uncertainty

rng = np.random.default_rng(5)
years = np.arange(1990, 2021, dtype=float)
out = {}
out["chow_line"] = [chow_f(years, 65_600 + 1_160 * (years - 1990), s) for s in range(1995, 2016)]
noisy = 98.74 + 0.3 * (years - 1990) + rng.normal(0, 0.5, years.size)
out["chow_noisy"] = [chow_f(years, noisy, s) for s in range(1995, 2016)]
values = rng.normal(size=(40, years.size)).cumsum(axis=1)
fit = theil_sen(years, values)
out["theil_sen"] = [fit.slope.tolist(), fit.low.tolist(), fit.high.tolist()]
matrix = pd.DataFrame(rng.normal(size=(300, 12)) + rng.normal(size=(300, 1)))
matrix = matrix.mask(rng.random(matrix.shape) < 0.05)
matrix.columns = [f"i{j}" for j in range(12)]
directions = {c: "higher_is_better" for c in matrix.columns}
norm = normalise(matrix, "minmax", directions)
out["aggregate"] = aggregate(norm, pd.Series(1.0, index=matrix.columns), "geometric", 0.5).score.fillna(-1).tolist()
table = rank_uncertainty(matrix, directions, pd.Series(1.0, index=matrix.columns), draws=300, seed=2).table
out["ranks"] = table[["median_rank", "rank_p05", "rank_p95"]].fillna(-1).to_numpy().tolist()
print(json.dumps(out))
"""


def _run(coretype: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    if result.returncode != 0:
        pytest.fail(f"numeric script failed under OPENBLAS_CORETYPE={coretype}: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def test_numeric_results_agree_across_blas_kernels():
    default, generic = _run(None), _run("Prescott")
    assert default["chow_line"] == generic["chow_line"] == [0.0] * 21  # a straight line never breaks
    for key in ("chow_noisy", "theil_sen", "aggregate"):
        a, b = np.asarray(default[key], float), np.asarray(generic[key], float)
        scale = np.nanmax(np.abs(a[np.isfinite(a)])) if np.isfinite(a).any() else 1.0
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9 * scale, err_msg=key)
    assert default["ranks"] == generic["ranks"]  # ranks are whole numbers: they must be identical
