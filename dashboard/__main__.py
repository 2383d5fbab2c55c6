"""Command line for static exports: ``python -m dashboard export`` one view, ``python -m dashboard bake`` a site.

Examples::

    python -m dashboard export "trajectories?ind=co2_per_capita&areas=USA,CHN,IND" --format html --out co2.html
    python -m dashboard export "chart=ranking&ind=life_satisfaction&areas=FIN,SWE,USA" --format png --out ls.png
    python -m dashboard export "trajectories?...&v=3d8733c31ec8" --out old.csv --accept-current-data
    python -m dashboard bake --out site [--views dashboard/views.yaml] [--public-url https://example.org]
    python -m dashboard first-view      # precompute the default Overview (run by `make snapshot`)

Permalinks in the exports point at ``--public-url``, else ``$BEYOND_GDP_PUBLIC_URL``, else
http://localhost:8501. Errors are one line naming what was wrong, with exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from dashboard import bake, export
from dashboard.share import PUBLIC_URL_ENV, ShareError, public_url, share_link
from indicators.query import QueryError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    one = commands.add_parser("export", help="export one view (a permalink or its query string) to a file")
    one.add_argument("link", help='e.g. "trajectories?ind=co2_per_capita&areas=USA,CHN" or a full permalink')
    one.add_argument("--format", choices=export.FORMATS, help="default: from the --out file's extension")
    one.add_argument("--out", type=Path, required=True, help="file to write")
    one.add_argument("--public-url", help=f"dashboard address for permalinks (default ${PUBLIC_URL_ENV})")
    one.add_argument("--strict", action="store_true", help="fail if any link parameter was not understood")
    one.add_argument(
        "--accept-current-data",
        action="store_true",
        help="export today's data even when the link is pinned (v=) to another data snapshot",
    )

    site = commands.add_parser("bake", help="bake the configured views into a static site folder")
    site.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    site.add_argument("--views", type=Path, default=bake.DEFAULT_VIEWS, help="views YAML (default: %(default)s)")
    site.add_argument("--public-url", help=f"dashboard address for permalinks (default ${PUBLIC_URL_ENV})")
    site.add_argument("--no-images", action="store_true", help="skip the PNG per view (faster)")
    site.add_argument("--inline-js", action="store_true", help="inline the Vega libraries in every page (bigger)")
    site.add_argument("--quiet", action="store_true", help="no progress bar (it is shown only on a terminal anyway)")
    commands.add_parser(
        "first-view",
        help="precompute the default Overview from the current store (read at start-up while data and code match)",
    )
    return parser


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    name = args.out.name.lower()
    for fmt in sorted(export.FORMATS, key=len, reverse=True):
        if name.endswith("." + fmt):
            return fmt
    raise ShareError(f"cannot tell the format from {args.out.name!r}; pass --format ({', '.join(export.FORMATS)})")


def _base_url(args: argparse.Namespace) -> str:
    if getattr(args, "public_url", None):
        os.environ[PUBLIC_URL_ENV] = args.public_url
    return public_url()


def _check_pin(meta, *, accept_current: bool) -> None:
    """A link pinned to other data than this dashboard has is refused, unless today's data is accepted."""
    if not meta.pinned_version or meta.pinned_version == meta.data_version:
        return
    if not accept_current:
        raise ShareError(
            f"the link is pinned to data snapshot {meta.pinned_version}, but this dashboard has snapshot "
            f"{meta.data_version}, so the numbers would differ from what was shared; pass --accept-current-data "
            "to export the current data anyway, or remove v= from the link"
        )
    print(
        f"warning: the link was made with data snapshot {meta.pinned_version}; exporting snapshot {meta.data_version}",
        file=sys.stderr,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        base = _base_url(args)
        if args.command == "export":
            fmt = _format(args)
            shared = share_link(args.link, base_url=base)
            for notice in shared.notices:
                print(f"warning: {notice}", file=sys.stderr)
            if args.strict and shared.notices:
                raise ShareError("the link has parameters that were not understood (see warnings above)")
            _check_pin(shared.meta, accept_current=args.accept_current_data)
            path = export.write(shared, fmt, args.out)
            print(f"wrote {path} ({fmt}, {len(shared.data):,} rows, data version {shared.meta.data_version})")
        elif args.command == "first-view":
            from dashboard.pages.overview import first_view

            meta = first_view.write()
            print(
                f"wrote {first_view.PATH}/ ({len(meta['themes'])} themes of {meta['area']}; data version "
                f"{meta['data_version']}, code {meta['code']})"
            )
        else:
            started = time.perf_counter()
            baked = bake.bake(
                args.out,
                bake.read_views(args.views),
                base_url=base,
                images=not args.no_images,
                inline_js=args.inline_js,
                progress=not args.quiet,
            )
            took = time.perf_counter() - started
            print(f"baked {len(baked)} views into {args.out}/ (open index.html) in {took:.1f} s")
    except (ShareError, bake.BakeError, QueryError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
