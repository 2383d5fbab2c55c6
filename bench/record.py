"""The benchmark record format and small measuring tools shared by every ``bench/bench_*.py``.

A record is ``{"name", "value", "unit", "baseline", "ratio", "synthetic"}``: ``baseline`` is
the same quantity measured for a reference (for example sdmx1) in the same run, ``ratio`` is
value / baseline, and ``synthetic`` says whether the input was made up for scale.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def record(
    name: str, value: float, unit: str, baseline: float | None = None, synthetic: bool = False, note: str = ""
) -> dict:
    ratio = (value / baseline) if baseline not in (None, 0) else None
    return {
        "name": name,
        "value": round(value, 6),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 6),
        "ratio": None if ratio is None else round(ratio, 3),
        "synthetic": synthetic,
        "note": note,
    }


def median_seconds(func: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``func`` over ``repeat`` calls (after one warm-up call)."""
    func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mb_of(code: str) -> tuple[float, str]:
    """Run ``code`` in a fresh Python and return (its peak RSS in MB, its stdout).

    A separate process is the only honest way to attribute peak memory to one task.
    """
    wrapper = code + "\nimport resource, sys\nprint('__PEAK__', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    peak_kb = next(int(line.split()[1]) for line in lines if line.startswith("__PEAK__"))
    return peak_kb / 1024, "\n".join(line for line in lines if not line.startswith("__PEAK__"))


def self_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
