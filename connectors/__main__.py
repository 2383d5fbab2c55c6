"""Command line of the connector layer: ``python -m connectors <command>``.

Each command lives in its own module exposing ``register(subparsers)``; this file only
collects them, so adding a command is one import and one entry in :data:`COMMAND_MODULES`.
They are imported by plain statements, not by name, so the layering test sees what this
file depends on.
"""

from __future__ import annotations

import argparse
import sys

from connectors import geometry, refresh, snapshot, store_commands
from connectors.sdmx import commands as sdmx_commands

COMMAND_MODULES = (snapshot, sdmx_commands, refresh, store_commands, geometry)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
