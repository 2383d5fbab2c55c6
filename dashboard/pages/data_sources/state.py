"""Data & sources page, URL ⇄ view state: which dataset is open (``?dataset=source/dataset``)."""

from __future__ import annotations

from dashboard import url_state as u

PARAMS = ("dataset",)
#: Parameters other parts of the app may leave in a link; accepted without a notice.
QUIET_PARAMS = u.SHARE_PARAMS


def parse_params(params: dict[str, object], keys: list[str]) -> tuple[str | None, list[str]]:
    """The dataset a link asks for (None = default), with a notice for everything not understood."""
    notices = [f"unknown parameter {u.shown(str(k))} ignored" for k in params if k not in (*PARAMS, *QUIET_PARAMS)]
    raw = u.first_value(params, "dataset")
    if raw is not None and len(raw) > u.MAX_PARAM_LENGTH:
        notices.append(f"'dataset' is too long ({len(raw)} characters); ignored")
        raw = None
    if raw is None or raw == "":
        return None, notices
    if str(raw) in keys:
        return str(raw), notices
    notices.append(f"unknown dataset {u.shown(str(raw))}; showing {keys[0] if keys else 'nothing (no dataset stored)'}")
    return None, notices
