"""Send the chart's code with the page: a ``Link: rel=modulepreload`` header on every HTML answer.

Streamlit's browser code loads each element's JavaScript only when that element first arrives. For a chart
that is about 1.1 MB in 26 files (Vega, vega-embed, the Arrow reader), asked for only after the first run
has sent the chart, from a server that is still busy with the rest of the page. In browser traces of a fresh
server (issue 15) the chart was drawn 0.9-1.3 s after it was sent, against 0.4 s for a bare one-chart app;
with the code asked for together with the page, 0.4-0.7 s. Every page but two opens on a chart, and the files are
the browser's to cache, so sending them with the page costs a visitor nothing they would not load anyway.

Which files: the chart element's module and its static imports, read from the Vite manifest Streamlit ships
(``streamlit/static/manifest.json``), less those the page itself loads. A Streamlit release that renames
the element or drops the manifest gives no header (and one warning in the server log), never a broken page.
The header is added by :class:`PreloadChartCode`, an ASGI middleware ``serve.py`` hands to ``st.App``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache
from pathlib import Path
from typing import Any

LOG = logging.getLogger("beyond_gdp.preload")
#: The chart element's module in Streamlit's Vite manifest (the source path is its key there).
CHART_MODULE = "../lib/src/components/elements/ArrowVegaLiteChart/ArrowVegaLiteChart.tsx"
PAGE_MODULE = "index.html"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _static_dir() -> Path:
    import streamlit

    return Path(streamlit.__file__).parent / "static"


def _imports_of(manifest: dict, key: str) -> set[str]:
    """``key`` and every module it imports statically, directly or not (manifest keys)."""
    found, todo = set(), [key]
    while todo:
        current = todo.pop()
        if current in found or current not in manifest:
            continue
        found.add(current)
        todo.extend(manifest[current].get("imports", []))
    return found


def chart_code_files(static_dir: Path | None = None) -> list[str]:
    """The files (relative to the static folder, e.g. ``static/js/embed.CX5AQgxi.js``) the chart element needs
    beyond the page's own, in a stable order; empty when the manifest does not name the chart element."""
    static_dir = static_dir or _static_dir()
    try:
        manifest = json.loads((static_dir / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        LOG.warning("no chart code preloaded: Streamlit's manifest could not be read (%s)", error)
        return []
    if CHART_MODULE not in manifest:
        LOG.warning("no chart code preloaded: Streamlit's manifest has no %s", CHART_MODULE)
        return []
    needed = _imports_of(manifest, CHART_MODULE) - _imports_of(manifest, PAGE_MODULE)
    files = sorted(manifest[key]["file"] for key in needed)
    return [name for name in files if name.endswith(".js") and (static_dir / name).is_file()]


def link_header(files: list[str], base_path: str = "") -> bytes:
    """The ``Link`` header value that asks the browser to fetch ``files`` as module scripts."""
    prefix = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    return ", ".join(f"<{prefix}{name}>; rel=modulepreload" for name in files).encode()


@lru_cache(maxsize=1)
def _header_for_this_server() -> bytes:
    from streamlit import config

    return link_header(chart_code_files(), config.get_option("server.baseUrlPath") or "")


class PreloadChartCode:
    """ASGI middleware: adds the chart code's ``Link`` header to GET answers that are HTML (the page); every
    other answer (scripts, the websocket, health checks, downloads) passes through untouched."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], header: bytes | None = None):
        self.app = app
        self.header = header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        header = self.header if self.header is not None else _header_for_this_server()

        async def send_with_link(message: Message) -> None:
            if message["type"] == "http.response.start" and header:
                headers = list(message.get("headers", []))
                if any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in headers):
                    message = {**message, "headers": [*headers, (b"link", header)]}
            await send(message)

        await self.app(scope, receive, send_with_link)
