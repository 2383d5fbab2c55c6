"""Caches follow the data: read the store's data version once per script run, and when it has
changed (``python -m connectors refresh`` or ``rollback`` from the command line, a refresh from the
Data & sources page) drop every answer computed from the old data.

Pure (no Streamlit): the page frame calls :func:`current` at the start of every run and adds its
own ``st.cache_data`` to what is forgotten through :func:`on_change`. The indicators layer caches
with ``functools.lru_cache``; until it keys those by the version itself, :func:`forget_computed`
clears every such cache in ``indicators`` and ``dashboard`` — one rule instead of the partial list
``indicators.sources.forget_cached_data`` keeps.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable

from indicators import query

LOG = logging.getLogger("beyond_gdp.data_version")
#: Packages whose module-level caches hold answers computed from the store.
CACHED_PACKAGES = ("indicators.", "dashboard.")
_lock = threading.Lock()
_seen: dict[str, str] = {}
_listeners: list[Callable[[], None]] = []


def read_store_version() -> str:
    """The store's current data version, read now (the store keeps this cheap).

    An adapter: ``indicators.query.data_version`` remembers its first answer for the life of the
    process, so its memo is dropped before asking."""
    memo = getattr(query, "_data_version", None)
    if memo is not None and hasattr(memo, "cache_clear"):
        memo.cache_clear()
    return query.data_version()


def on_change(forget: Callable[[], None]) -> None:
    """Also call ``forget`` when the data version changes (a page frame's ``st.cache_data.clear``)."""
    if forget not in _listeners:
        _listeners.append(forget)


def forget_computed() -> int:
    """Clear every ``lru_cache`` in the loaded ``indicators`` and ``dashboard`` modules; returns how many."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(CACHED_PACKAGES):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info"):
                value.cache_clear()
                cleared += 1
    for forget in _listeners:
        forget()
    return cleared


def current() -> str:
    """The data version this run shows; when it differs from the last run's, every cache is dropped first."""
    version = read_store_version()
    with _lock:
        previous = _seen.get("version")
        if previous is not None and previous != version:
            count = forget_computed()
            LOG.info("data version %s -> %s: %d caches cleared", previous, version, count)
            version = read_store_version()  # the clearing dropped the memo too: read it once more
        _seen["version"] = version
    return version
