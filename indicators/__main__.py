"""Command line for analysts: ``python -m indicators validate|list|values|schema``.

``validate`` is what an analyst runs after editing a definition file: exit 0 when every file
is good, exit 1 with one line per problem (file, field, what is expected) otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from indicators.catalog import DEFINITIONS_DIR, definition_files, validate_definitions


def _known_series() -> set[tuple[str, str, str]] | None:
    from connectors import store

    files = store.dataset_files()
    if not files:
        return None
    table = store.scan(columns=["source", "dataset", "series"])
    unique = table.group_by(["source", "dataset", "series"]).aggregate([])
    return set(zip(*(unique[c].to_pylist() for c in ("source", "dataset", "series")), strict=True))


def cmd_validate(args: argparse.Namespace) -> int:
    paths = []
    for target in args.paths or [DEFINITIONS_DIR]:
        target = Path(target)
        if not target.exists():
            print(f"{target}: no such file or folder", file=sys.stderr)
            return 2
        paths.extend(definition_files(target))
    if not paths:
        print(f"no definition files (*.yaml) under {args.paths}", file=sys.stderr)
        return 1
    known = None if args.no_data else _known_series()
    fetchable = _refreshable()
    definitions, problems, files = validate_definitions(paths, known, set(fetchable))
    for problem in problems:
        print(problem, file=sys.stderr)
    if known is not None:  # official-only definitions whose dataset no refresh has stored yet: a note, not a problem
        stored = {(s, d) for s, d, _ in known}
        for item in definitions.values():
            pair = (item.series.source, item.series.dataset) if item.series else None
            if pair in fetchable and pair not in stored:
                print(f"{item.id}: not fetched yet — run `python -m connectors refresh {fetchable[pair]}`")
    print(
        summary(files, len(definitions), problems)
        + ("" if known is not None else " (data references not checked: no store)")
    )
    return 1 if problems else 0


def _refreshable() -> dict[tuple[str, str], str]:
    """(source, dataset) -> the enabled catalogue entry that fetches it."""
    from indicators.query import refresh_entries

    return refresh_entries()


def summary(files: int, valid: int, problems) -> str:
    """'128 files: 127 valid, 1 with problems (2 problems)': files counted once however many problems they have."""
    with_problems = len({p.file for p in problems})
    plural = "s" if files != 1 else ""
    text = f"{files} file{plural}: {valid} valid, {with_problems} with problems"
    if len(problems) != with_problems:
        text += f" ({len(problems)} problems)"
    return text


def cmd_list(args: argparse.Namespace) -> int:
    definitions, problems, _ = validate_definitions(definition_files())
    for problem in problems:  # the valid definitions are still listed; the exit code says some were left out
        print(problem, file=sys.stderr)
    rows = [
        {
            "id": d.id,
            "title": d.title,
            "theme": d.theme,
            "level": d.level,
            "unit": d.unit,
            "measure": d.measure,
            "direction": d.direction.value,
            "derived": d.formula is not None,
            "framework": d.framework,
            "targets": [
                {
                    "value": t.value,
                    "year": t.year,
                    "kind": t.kind,
                    "source": t.source,
                    "label": t.label,
                    "document": t.document,
                    "reference": t.reference,
                    "published": t.published,
                    "verified": t.verified,
                }
                for t in d.targets
            ],
        }
        for d in sorted(definitions.values(), key=lambda d: (d.theme, d.id))
    ]
    counts = {
        "by_theme": dict(Counter(r["theme"] for r in rows)),
        "by_level": dict(Counter(r["level"] for r in rows)),
        "by_framework": dict(Counter(r["framework"] or "untagged" for r in rows)),
        "with_target": sum(1 for r in rows if r["targets"]),
        "total": len(rows),
    }
    if args.json:
        print(json.dumps({"indicators": rows, "counts": counts}, indent=2))
    else:
        for r in rows:
            print(f"{r['theme']:<10} {r['level']:<10} {r['id']:<45} {r['title']}")
        print(json.dumps(counts))
    return 1 if problems else 0


def cmd_values(args: argparse.Namespace) -> int:
    from indicators import query

    try:
        areas = args.areas.split(",") if args.areas else None
        frame = query.panel(args.id, areas, (args.start, args.end))
    except query.QueryError as exc:
        print(exc, file=sys.stderr)
        return 2
    return _print_table(frame, args.format)


def _print_table(frame, fmt: str) -> int:
    if fmt == "json":
        print(frame.to_json(orient="records"))
    else:
        sys.stdout.write(frame.to_csv(index=False))
    return 0


def cmd_decoupling(args: argparse.Namespace) -> int:
    from indicators import query

    try:
        areas = args.areas.split(",") if args.areas else None
        table = query.decoupling(args.pressure, args.driver, args.start, args.end, areas)
    except (query.QueryError, KeyError, ValueError) as exc:
        print(f"decoupling: {exc}", file=sys.stderr)
        return 2
    return _print_table(table, args.format)


def cmd_schema(args: argparse.Namespace) -> int:
    from indicators.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indicators", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check definition files (all, or the given files/folders)")
    p.add_argument("paths", nargs="*")
    p.add_argument("--no-data", action="store_true", help="skip checking that series exist in the store")
    p.set_defaults(handler=cmd_validate)
    p = sub.add_parser("list", help="list every indicator with its theme and level")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)
    p = sub.add_parser("values", help="print an indicator's values")
    p.add_argument("id")
    p.add_argument("--areas", help="comma-separated ref_area codes, e.g. SWE,USA")
    p.add_argument("--from", dest="start", type=int)
    p.add_argument("--to", dest="end", type=int)
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.set_defaults(handler=cmd_values)
    p = sub.add_parser("decoupling", help="absolute vs relative decoupling of a pressure from a driver, per area")
    p.add_argument("pressure", help="indicator id of the environmental pressure, e.g. co2_territorial_total")
    p.add_argument("driver", help="indicator id of the driving force, e.g. gdp_total_usd")
    p.add_argument("--from", dest="start", type=int, required=True)
    p.add_argument("--to", dest="end", type=int, required=True)
    p.add_argument("--areas", help="comma-separated ref_area codes")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.set_defaults(handler=cmd_decoupling)
    p = sub.add_parser("schema", help="print the JSON Schema of definition files")
    p.add_argument("--out")
    p.set_defaults(handler=cmd_schema)
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except Exception as error:  # the last guard: an analyst's command never ends in a traceback
        print(f"python -m indicators {args.command}: unexpected {type(error).__name__}: {error}", file=sys.stderr)
        print("please report this with the file you were checking", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
