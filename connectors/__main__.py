"""Command line of the connector layer: ``python -m connectors <command>``.

Each command lives in its own module exposing ``register(subparsers)``; this file only
collects them, so adding a command is one line in :data:`COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = [
    "connectors.snapshot",
    "connectors.sdmx.commands",
    "connectors.refresh",
    "connectors.store_commands",
    "connectors.geometry",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
