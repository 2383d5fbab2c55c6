"""One YAML loader for every declarative file (providers, catalogue, snapshot steps, definitions, thresholds).

libyaml's safe loader when PyYAML was built with it (the PyPI wheels are): about ten times faster than the
pure-Python one, which took 0.2 s of a fresh server's first page to read ``catalogue.yaml`` alone.
Both are *safe* loaders: plain data only, never Python objects.
"""

from __future__ import annotations

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str):
    """The data of one YAML document (raises ``yaml.YAMLError`` on invalid YAML, as ``yaml.safe_load``)."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 — a safe loader (CSafeLoader or SafeLoader)
