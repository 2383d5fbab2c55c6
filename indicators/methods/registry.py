"""Name -> function look-up shared by every method family, so that an unknown name always
fails the same way: naming the family, the bad name and every valid one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


class UnknownMethodError(KeyError, ValueError):
    """A method name that is not in its registry."""

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


def lookup(registry: Mapping[str, T], name: str, family: str) -> T:
    """Return ``registry[name]`` or raise :class:`UnknownMethodError` listing the valid names."""
    try:
        return registry[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(registry))
        raise UnknownMethodError(f"unknown {family} method {name!r}; valid {family} methods are: {valid}") from None


DIRECTIONS = ("higher_is_better", "lower_is_better")


def check_direction(direction: str, where: str = "") -> str:
    """Validate an indicator direction string and return it."""
    if direction not in DIRECTIONS:
        at = f" for {where}" if where else ""
        raise ValueError(f"direction{at} must be one of {', '.join(DIRECTIONS)}; got {direction!r}")
    return direction
