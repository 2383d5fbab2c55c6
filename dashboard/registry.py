"""Every shareable chart of the dashboard, gathered from the page folders by plain imports.

A page folder's ``views.py`` lists its chart kinds in ``KINDS``; add the folder's line to
:data:`PAGE_VIEWS` below (in the order the pages appear) and ``python -m dashboard export``,
the share panel, embeds and the bake know its charts. The first kind of the first page is what a
link without a page opens.
"""

from __future__ import annotations

import re

from dashboard.pages.compare import views as compare
from dashboard.pages.maps import views as maps
from dashboard.pages.overview import views as overview
from dashboard.pages.trajectories import views as trajectories
from dashboard.pages.your_index import views as your_index
from dashboard.view_kind import ViewKind

#: Page folders with shareable charts, in navigation order.
PAGE_VIEWS = (trajectories, compare, overview, maps, your_index)
_KIND_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


class RegistryError(ValueError):
    """Two pages registered the same chart kind, or a kind's name cannot appear in a URL."""


def gather(modules) -> dict[str, ViewKind]:
    """The kinds of ``modules`` (each with a ``KINDS`` tuple) by name, checked: URL-safe and unique."""
    kinds: dict[str, ViewKind] = {}
    for module in modules:
        for kind in module.KINDS:
            if not _KIND_NAME.fullmatch(kind.kind):
                raise RegistryError(
                    f"view kind {kind.kind!r}: use lowercase letters, digits and _ (it appears in URLs)"
                )
            if kind.kind in kinds:
                raise RegistryError(f"view kind {kind.kind!r} is registered twice (again by {module.__name__})")
            kinds[kind.kind] = kind
    return kinds


_KINDS = gather(PAGE_VIEWS)


def registry() -> dict[str, ViewKind]:
    """Every view kind by name, in :data:`PAGE_VIEWS` order (a copy: callers cannot change the registry)."""
    return dict(_KINDS)
