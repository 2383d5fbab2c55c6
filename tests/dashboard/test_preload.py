"""The chart's code sent with the page (dashboard/preload.py): which files, which header, which answers."""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor

from dashboard import preload


def _manifest(tmp_path, entries: dict) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(entries))
    for entry in entries.values():
        target = tmp_path / entry["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("// js")


def test_the_installed_streamlit_names_the_chart_code_and_every_file_exists():
    files = preload.chart_code_files()
    static = preload._static_dir()
    names = [name.rsplit("/", 1)[-1] for name in files]
    assert any(name.startswith("ArrowVegaLiteChart.") for name in names)
    assert any(name.startswith("embed.") for name in names), "vega-embed is the largest file the chart needs"
    assert all((static / name).is_file() and name.endswith(".js") for name in files)
    manifest = json.loads((static / "manifest.json").read_text())
    page_files = {manifest[key]["file"] for key in preload._imports_of(manifest, preload.PAGE_MODULE)}
    assert not page_files & set(files), "files the page loads itself are not asked for twice"


def test_only_the_chart_modules_static_imports_beyond_the_pages_own(tmp_path):
    _manifest(
        tmp_path,
        {
            "index.html": {"file": "static/js/index.A.js", "imports": ["_react.B.js"]},
            "_react.B.js": {"file": "static/js/react.B.js"},
            preload.CHART_MODULE: {
                "file": "static/js/ArrowVegaLiteChart.C.js",
                "imports": ["_react.B.js", "_embed.D.js", "index.html"],
                "dynamicImports": ["_later.E.js"],
            },
            "_embed.D.js": {"file": "static/js/embed.D.js", "imports": ["_vega.F.js"]},
            "_vega.F.js": {"file": "static/js/vega.F.js"},
            "_later.E.js": {"file": "static/js/later.E.js"},
            "_style.G.css": {"file": "static/css/style.G.css"},
        },
    )
    assert preload.chart_code_files(tmp_path) == [
        "static/js/ArrowVegaLiteChart.C.js",
        "static/js/embed.D.js",
        "static/js/vega.F.js",
    ]


def test_a_streamlit_without_the_manifest_or_the_element_gives_no_files_and_says_why(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="beyond_gdp.preload"):
        assert preload.chart_code_files(tmp_path) == []
        _manifest(tmp_path, {"index.html": {"file": "static/js/index.A.js"}})
        assert preload.chart_code_files(tmp_path) == []
    assert "manifest could not be read" in caplog.text
    assert preload.CHART_MODULE in caplog.text


def test_the_header_names_each_file_under_the_servers_base_path():
    files = ["static/js/a.1.js", "static/js/b.2.js"]
    assert (
        preload.link_header(files) == b"</static/js/a.1.js>; rel=modulepreload, </static/js/b.2.js>; rel=modulepreload"
    )
    assert preload.link_header(files[:1], "/dash/") == b"</dash/static/js/a.1.js>; rel=modulepreload"
    assert preload.link_header([]) == b""


def _answer(scope: dict, content_type: bytes, header: bytes = b"</static/js/a.js>; rel=modulepreload") -> list[dict]:
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", content_type)]})
        await send({"type": "http.response.body", "body": b"x"})

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    call = preload.PreloadChartCode(app, header=header)(scope, receive, send)
    # in a thread of its own: Playwright's sync API (the browser tests) keeps an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, call).result()
    return sent


def test_the_middleware_adds_the_header_to_html_pages_only():
    page = _answer({"type": "http", "method": "GET", "path": "/"}, b"text/html; charset=utf-8")
    assert (b"link", b"</static/js/a.js>; rel=modulepreload") in page[0]["headers"]
    assert page[1] == {"type": "http.response.body", "body": b"x"}
    script = _answer({"type": "http", "method": "GET", "path": "/static/js/a.js"}, b"text/javascript")
    assert all(name != b"link" for name, _ in script[0]["headers"])
    head = _answer({"type": "http", "method": "HEAD", "path": "/"}, b"text/html")
    assert all(name != b"link" for name, _ in head[0]["headers"])
    nothing = _answer({"type": "http", "method": "GET", "path": "/"}, b"text/html", header=b"")
    assert all(name != b"link" for name, _ in nothing[0]["headers"])
