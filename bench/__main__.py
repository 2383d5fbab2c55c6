"""Run every benchmark in :data:`BENCHMARKS` (each ``bench/bench_*.py`` exposes ``run() -> list[record]``),
print a table and write ``bench/results.json``. ``python -m bench NAME ...`` runs only the named modules.

The benchmarks are imported by plain statements, not by name, so the layering test sees what this file
depends on; a test checks that every ``bench_*.py`` file is listed here.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

from bench import bench_app, bench_backtest, bench_sdmx_parse, bench_uncertainty

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    m.__name__.rsplit(".", 1)[-1]: m for m in (bench_app, bench_backtest, bench_sdmx_parse, bench_uncertainty)
}


def main(argv: list[str]) -> int:
    names = sorted(BENCHMARKS)
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    results, failures = [], 0
    for name in names:
        print(f"== {name}", flush=True)
        try:
            records = BENCHMARKS[name].run()
        except Exception:  # a broken benchmark is reported, the others still run
            traceback.print_exc()
            failures += 1
            continue
        for rec in records:
            rec["module"] = name
            results.append(rec)
            base = "" if rec["baseline"] is None else f"  baseline {rec['baseline']:>14,.3f}  ratio {rec['ratio']:>8}"
            tag = "  [synthetic]" if rec["synthetic"] else ""
            print(f"  {rec['name']:<58} {rec['value']:>14,.3f} {rec['unit']:<10}{base}{tag}", flush=True)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {HERE / 'results.json'} ({len(results)} records, {failures} failed modules)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
