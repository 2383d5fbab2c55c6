"""Data & sources page, view → data: who may start a refresh from the web page.

Only operators write. A deployment offers the refresh buttons only when the operator has switched
them on (``BEYOND_GDP_ALLOW_WEB_REFRESH=1``) *and* set a refresh secret (``refresh_secret`` in
Streamlit's ``secrets.toml``, or ``BEYOND_GDP_REFRESH_SECRET``); the buttons then work after the
operator types that secret. Every visitor otherwise sees the status of each dataset and how an
operator refreshes from the command line. Pure: the page passes in the environment and secrets.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

PAGE = "data-sources"
ALLOW_ENV = "BEYOND_GDP_ALLOW_WEB_REFRESH"
SECRET_ENV = "BEYOND_GDP_REFRESH_SECRET"
SECRET_KEY = "refresh_secret"
#: A secret shorter than this is refused: it would be guessed.
MIN_SECRET_LENGTH = 12
CLI_HINT = "python -m connectors refresh NAME"


@dataclass(frozen=True)
class RefreshGate:
    """Whether this deployment lets an operator refresh from the web page, and if not, why."""

    enabled: bool
    secret: str = ""
    reason: str = ""


def refresh_gate(environ: Mapping[str, str], secrets: Mapping[str, object]) -> RefreshGate:
    """Read the operator's switch and secret; refresh stays off unless both are set properly."""
    if environ.get(ALLOW_ENV, "").strip() != "1":
        return RefreshGate(False, reason=f"refreshing from this page is switched off on this deployment ({ALLOW_ENV})")
    secret = str(secrets.get(SECRET_KEY) or environ.get(SECRET_ENV) or "")
    if len(secret) < MIN_SECRET_LENGTH:
        return RefreshGate(
            False,
            reason=(
                f"{ALLOW_ENV}=1 is set but no refresh secret of at least {MIN_SECRET_LENGTH} characters is "
                f"configured ('{SECRET_KEY}' in .streamlit/secrets.toml or {SECRET_ENV})"
            ),
        )
    return RefreshGate(True, secret=secret)


def operator_unlocked(gate: RefreshGate, typed: str) -> bool:
    """True when refresh is enabled and ``typed`` is the secret (compared in constant time)."""
    return gate.enabled and bool(typed) and hmac.compare_digest(typed.encode(), gate.secret.encode())
