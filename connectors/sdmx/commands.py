"""``python -m connectors parse MESSAGE``: read one SDMX message and say what is in it.

Prints one JSON line (kind, observations, series, dimensions, format, summary) so scripts and
people can check a download before it goes near the store; ``--out`` writes the tidy table to
Parquet. An unreadable message exits with status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

EXIT_UNREADABLE = 2


def register(subparsers) -> None:
    parser = subparsers.add_parser("parse", help="parse one SDMX message and print a one-line JSON summary")
    parser.add_argument("message", type=Path, help="SDMX-ML / SDMX-JSON / SDMX-CSV / Eurostat TSV file (or zip)")
    parser.add_argument("--structure", type=Path, help="SDMX-ML structure message with the DSD")
    parser.add_argument("--out", type=Path, help="write the tidy table to this Parquet file (zstd)")
    parser.add_argument("--engine", choices=("auto", "fast", "sdmx1"), default="auto")
    parser.add_argument("--source", default="", help="value for the source column (default: the agency)")
    parser.add_argument("--dataset", default="", help="value for the dataset column (default: the dataflow)")
    parser.add_argument("--expect-dataflow", default=None, help="fail if the message belongs to another dataflow")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from connectors.sdmx import SDMXParseError, parse_message

    try:
        parsed = parse_message(
            args.message,
            structure=args.structure,
            source=args.source,
            dataset=args.dataset,
            expect_dataflow=args.expect_dataflow,
            engine=args.engine,
        )
    except SDMXParseError as exc:
        print(f"parse: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    line = {
        "kind": parsed.kind,
        "observations": parsed.observations,
        "series": parsed.series_count,
        "dimensions": parsed.dimensions,
        "format": parsed.format,
        "summary": parsed.summary,
    }
    if args.out is not None:
        if parsed.table is None:
            print(f"parse: {args.message} is a structure message; there is no table to write", file=sys.stderr)
            return EXIT_UNREADABLE
        import pyarrow.parquet as pq

        args.out.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(parsed.table, args.out, compression="zstd")
        line["out"] = str(args.out)
    print(json.dumps(line, ensure_ascii=False, default=str))
    return 0
