"""Dashboard speed and memory: what a visitor waits for and what the server holds.

(a) server-side time of a rerun after a widget change, per page registered in ``app.py``, measured with
    Streamlit's AppTest (median over :data:`RERUNS` reruns; baseline = the page's first, cold run), each page
    in a fresh Python so one page's caches do not flatter another; target median <= 100 ms;
(b) the same for Trajectories on a SYNTHETIC store of :data:`SYNTHETIC_ROWS` rows (made-up values in the
    real layout, series codes taken from the indicator definitions, pointed at by ``BEYOND_GDP_DATA_CACHE``);
    target <= 250 ms;
(c) first view of a fresh server as ``make run`` starts it (``serve.py``) in headless Chromium: process start ->
    first drawn chart, median of :data:`FIRST_VIEW_RUNS`; target < 3 s and <= :data:`FIRST_VIEW_RATIO` x the
    baseline. Baseline, measured the same way in the same run (alternated): a minimal Streamlit app that draws
    one two-point chart (SYNTHETIC, no data of ours), i.e. what this machine needs to start Streamlit and draw
    any chart at all. The note adds the server's CPU time to the first chart (ours and the baseline's), which
    other jobs on the machine barely move. ``python -m bench.bench_app first_view [RUNS]`` runs (c) alone;
(d) peak server memory (VmHWM of the streamlit process) while :data:`SESSIONS` concurrent browser sessions
    each open a page and change a widget; target < 1.5 GB.

Figures depend on the machine and on what else runs on it; the record's note says so when a target is missed.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.record import record

ROOT = Path(__file__).resolve().parent.parent
RERUNS = 15
SYNTHETIC_ROWS = 10_000_000
SESSIONS = 10
FIRST_VIEW_RUNS = 7  # per-run ratios on one quiet machine ranged 1.02-1.37: a median of 3 is mostly noise
#: The floor for (c): a Streamlit app with nothing but one chart of two made-up points.
MINIMAL_APP = """import streamlit as st
st.title("Minimal")
st.vega_lite_chart({"data": {"values": [{"x": 1, "y": 2}, {"x": 2, "y": 3}]}, "mark": "point",
                    "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}}})
"""
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Issue 15: the first chart of a fresh server at most this many times the bare app's.
FIRST_VIEW_RATIO = 1.25
TARGETS = {"rerun": 0.100, "rerun_synthetic": 0.250, "first_view": 3.0, "memory_mb": 1536.0}


def registered_pages() -> list[tuple[str, str, str]]:
    """(title, file, url_path) of every ``st.Page`` in app.py, in menu order, read from its source."""
    tree = ast.parse((ROOT / "app.py").read_text())
    pages = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page" and node.args:
            keywords = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
            if keywords.get("visibility") == "hidden":
                continue  # a second address of a page already listed (/overview)
            path = node.args[0].value
            url_path = "" if keywords.get("default") else keywords.get("url_path", Path(path).stem)
            pages.append((keywords.get("title", path), path, url_path))
    return pages


#: Runs in a fresh Python: open one page, time its cold run, then RERUNS reruns after a widget change.
_RERUN_SCRIPT = r"""
import json, statistics, sys, time
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest

at = AppTest.from_file({page!r}, default_timeout=300)
start = time.perf_counter(); at.run(); cold = time.perf_counter() - start
errors = [str(e.value)[:200] for e in at.exception]

def change(i):
    for slider in at.slider:
        low, high = slider.min, slider.max
        if isinstance(slider.value, (tuple, list)):
            lo, hi = slider.value
            return slider.set_value((lo, hi - 1 if i % 2 == 0 and hi - 1 > lo else high)), f"slider {{slider.key}}"
        values = [v for v in range(int(low), int(high) + 1)]
        return slider.set_value(values[(i + 2) % len(values)]), f"slider {{slider.key}}"
    for box in at.text_input:  # a search box (Indicators): type a different word each time
        return box.input(["co2", "poverty", "waste", ""][i % 4]), f"text_input {{box.key}}"
    for box in at.selectbox:
        if len(box.options) > 1:
            return box.select_index((i + 1) % min(3, len(box.options))), f"selectbox {{box.key}}"
    for radio in at.radio:
        if len(radio.options) > 1:
            return radio.set_value(radio.options[i % len(radio.options)]), f"radio {{radio.key}}"
    for toggle in at.toggle:
        return toggle.set_value(i % 2 == 0), f"toggle {{toggle.key}}"
    return at, "no widget: plain rerun"

times, widget, broken = [], "", False
for i in range({reruns}):
    if not broken:
        try:
            element, widget = change(i)
            start = time.perf_counter(); element.run(); times.append(time.perf_counter() - start)
        except Exception as error:  # AppTest cannot drive this widget: fall back to plain reruns, and say so
            broken, widget = True, f"plain rerun ({{widget or 'widget'}} could not be driven: {{str(error)[:80]}})"
            at = AppTest.from_file({page!r}, default_timeout=300); at.run()
    if broken:
        start = time.perf_counter(); at.run(); times.append(time.perf_counter() - start)
    errors += [str(e.value)[:200] for e in at.exception]
print("__RESULT__" + json.dumps({{"cold": cold, "times": times, "widget": widget, "errors": errors[:3]}}))
"""


def rerun_times(page: str, env: dict | None = None) -> dict:
    code = _RERUN_SCRIPT.format(root=str(ROOT), page=str(ROOT / page), reruns=RERUNS)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env or os.environ.copy()
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("__RESULT__")), None)
    if line is None:
        raise RuntimeError(f"AppTest of {page} failed: {out.stderr[-800:]}")
    return json.loads(line[len("__RESULT__") :])


# --- (b) synthetic store ------------------------------------------------------------------------------------


def build_synthetic_store(root: Path, rows: int = SYNTHETIC_ROWS, seed: int = 0) -> int:
    """Write a made-up store (labelled synthetic in every provenance sidecar) with the real layout.

    Every country-level raw indicator gets values for every country and aggregate, 1800-2025; filler series
    (``synthetic_filler_NNN``) in the largest dataset bring the total to ``rows`` so scans must skip them.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from connectors import store
    from indicators.catalog import catalog

    snapshot = root / "snapshot"
    snapshot.mkdir(parents=True)
    shutil.copy(store.DATA_CACHE / "snapshot" / "areas.parquet", snapshot / "areas.parquet")
    shutil.copy(store.DATA_CACHE / "snapshot" / "areas.provenance.json", snapshot / "areas.provenance.json")
    areas = pq.read_table(snapshot / "areas.parquet").to_pandas()
    codes = areas[areas["level"].isin(["country", "aggregate"])]["ref_area"].to_numpy(dtype=object)
    years = np.arange(1800, 2026, dtype=np.int16)
    per_series = len(codes) * len(years)
    wanted: dict[tuple[str, str], list[str]] = {}
    for item in catalog().values():
        if item.level == "country" and item.series is not None and item.series.code:
            wanted.setdefault((item.series.source, item.series.dataset), []).append(item.series.code)
    real = sum(len(set(v)) for v in wanted.values()) * per_series
    largest = max(wanted, key=lambda k: len(wanted[k]))
    wanted[largest] += [f"synthetic_filler_{i:03d}" for i in range(max(0, (rows - real) // per_series))]
    rng = np.random.default_rng(seed)
    area_column = pa.array(np.repeat(codes, len(years)))
    year_column = pa.array(np.tile(years, len(codes)))
    period_column = pa.array(np.tile(years.astype(str), len(codes)).astype(object))
    total = 0
    for (source, dataset), series in wanted.items():
        parts = []
        for code in sorted(set(series)):
            level = rng.lognormal(2, 1)
            values = level * np.exp(np.cumsum(rng.normal(0.01, 0.03, size=(len(codes), len(years))), axis=1))
            parts.append(
                pa.table(
                    {
                        "source": pa.array([source] * per_series),
                        "dataset": pa.array([dataset] * per_series),
                        "series": pa.array([code] * per_series),
                        "ref_area": area_column,
                        "time_period": period_column,
                        "freq": pa.array(["A"] * per_series),
                        "year": year_column,
                        "value": pa.array(values.ravel()),
                    }
                )
            )
        table = store.conform(pa.concat_tables(parts)).sort_by(store.SORT_KEYS)
        path = store.dataset_path(source, dataset, root)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="zstd", row_group_size=store.ROW_GROUP_SIZE, write_statistics=True)
        provenance = store.Provenance(
            source=source,
            dataset=dataset,
            publisher="SYNTHETIC benchmark data (random values, not real statistics)",
            licence="none",
            citation="synthetic",
            original_source="bench/bench_app.py",
            title="synthetic",
            retrieved_or_built="synthetic",
            row_count=table.num_rows,
            extra={"synthetic": True},
        )
        store.provenance_path(path).write_text(provenance.to_json(), encoding="utf-8")
        total += table.num_rows
    return total


# --- (c) and (d): a real server and headless Chromium ------------------------------------------------------


def _free_port() -> int:
    for port in range(8552, 8560):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 8552-8559")


def _start_server(port: int, script: str = "serve.py", cwd: Path = ROOT) -> subprocess.Popen:
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port)]  # as `make run`
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg.marks"
#: Runs in the page before any of its scripts: notes the wall-clock time (ms) at which a drawn chart first
#: appears. Playwright's own wait notices it only when the page's busy main thread next runs its poll, up to
#: 0.6 s late in our traces (and later the more the page draws after the chart), so the time is taken here.
_NOTE_FIRST_CHART = (
    f"new MutationObserver((_, observer) => {{ if (document.querySelector({json.dumps(CHART)})) {{"
    " window.__firstChartAt = Date.now(); observer.disconnect(); } })"
    ".observe(document, {subtree: true, childList: true});"
)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): unlike wall time, barely moved by other
    jobs on the machine, so it shows what the server itself spends before the first chart."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _first_view(port: int, script: str = "serve.py", cwd: Path = ROOT, cpu: list | None = None) -> float:
    """Seconds from starting the server process to the first chart drawn in a fresh headless Chromium.

    The browser asks for the page until the server answers; the navigation counts as done when the server's
    answer arrives ("commit"), not at the page's load event: a load event later than the retry timeout
    would otherwise reload a page that was already loading (seen in traces: a second script run, +1 s)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        await page.add_init_script(_NOTE_FIRST_CHART)
        start = time.time()
        server = _start_server(port, script, cwd)
        try:
            while True:
                try:
                    await page.goto(f"http://localhost:{port}/", timeout=2000, wait_until="commit")
                    break
                except Exception:
                    if time.time() - start > 60:
                        raise
                    await asyncio.sleep(0.05)
            await page.wait_for_selector(CHART, timeout=120_000)
            drawn_at = await page.evaluate("window.__firstChartAt")
            if cpu is not None:
                cpu.append(_cpu_seconds(server.pid))
            return drawn_at / 1000 - start
        finally:
            await browser.close()
            server.terminate()
            server.wait(timeout=30)


async def _session(browser, port: int, url_path: str) -> str:
    """Open a page, wait (up to a minute) until a slider or an enabled toggle is drawn, change it, and give the
    rerun time to finish."""
    page = await browser.new_page(viewport={"width": 1200, "height": 900})
    await page.goto(f"http://localhost:{port}/{url_path}", timeout=180_000)
    await page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=180_000)  # every page has a title
    slider = page.locator("[data-testid='stSlider'] input[type='range']")
    toggles = page.locator("[data-testid='stCheckbox'] input:not([disabled])")
    start = time.perf_counter()
    while time.perf_counter() - start < 60:
        if await slider.count():
            await slider.first.focus()
            await page.keyboard.press("ArrowRight")
            what = "slider"
            break
        if await toggles.count():
            await toggles.first.click(force=True, timeout=10_000)
            what = "toggle"
            break
        await page.wait_for_timeout(500)
    else:
        what = "none"
    await page.wait_for_timeout(5000)
    return what


async def _memory(port: int, url_paths: list[str]) -> tuple[float, float, list[str]]:
    from playwright.async_api import async_playwright

    server = _start_server(port)
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            while True:
                try:
                    page = await browser.new_page()
                    await page.goto(f"http://localhost:{port}/_stcore/health", timeout=2000)
                    await page.close()
                    break
                except Exception:
                    await asyncio.sleep(0.2)
            idle = _peak_rss_mb(server.pid)
            paths = [url_paths[i % len(url_paths)] for i in range(SESSIONS)]
            outcomes = await asyncio.gather(*[_session(browser, port, path) for path in paths], return_exceptions=True)
            actions = [o if isinstance(o, str) else f"failed: {str(o).splitlines()[0][:60]}" for o in outcomes]
            peak = _peak_rss_mb(server.pid)
            await browser.close()
        return peak, idle, list(actions)
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- the benchmark -------------------------------------------------------------------------------------------


def _rerun_record(name: str, result: dict, target: str, note: str, synthetic: bool = False) -> dict:
    """The median rerun of ``result`` (baseline: its cold run), its page errors and whether it met ``target``."""
    median = statistics.median(result["times"])
    if result["errors"]:
        note += f"; page errors: {result['errors']}"
    if median > TARGETS[target]:
        note += f"; MISSED the {TARGETS[target] * 1000:.0f} ms target"
    return record(name, median, "s", result["cold"], synthetic=synthetic, note=note)


def first_view_record(runs: int = FIRST_VIEW_RUNS) -> dict:
    """Part (c): ``runs`` fresh servers of ours and of the minimal app, alternated so both see the same machine.

    Our modules are compiled to bytecode first, as ``make run`` does (``make bytecode``), so the figure is what
    a visitor of ``make run`` waits for even where Python may not write .pyc files itself."""
    subprocess.run(["make", "-s", "bytecode"], cwd=ROOT, check=True)
    ours, floor, ours_cpu, floor_cpu = [], [], [], []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench_minimal_app_") as tmp:
        (Path(tmp) / "app.py").write_text(MINIMAL_APP)
        for _ in range(runs):
            ours.append(asyncio.run(_first_view(_free_port(), cpu=ours_cpu)))
            floor.append(asyncio.run(_first_view(_free_port(), "app.py", Path(tmp), cpu=floor_cpu)))
    first, minimal = statistics.median(ours), statistics.median(floor)
    note = (
        f"`make run` (serve.py) -> first drawn chart on the default page, headless Chromium, median of "
        f"{runs} ({', '.join(f'{t:.2f}' for t in ours)} s); baseline = a minimal one-chart Streamlit "
        f"app (synthetic two-point chart) started the same way ({', '.join(f'{t:.2f}' for t in floor)} s); "
        f"per-run ratios {', '.join(f'{a / b:.2f}' for a, b in zip(ours, floor, strict=True))}; server CPU "
        f"to the first chart, median: {statistics.median(ours_cpu):.2f} s against the bare app's "
        f"{statistics.median(floor_cpu):.2f} s; load average {load:.1f} -> {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    if first >= TARGETS["first_view"]:
        note += f"; MISSED the {TARGETS['first_view']:.0f} s target"
    if minimal >= TARGETS["first_view"]:
        note += " (this machine needs that long for any Streamlit chart)"
    if first > FIRST_VIEW_RATIO * minimal:
        note += f"; MISSED the {FIRST_VIEW_RATIO}x-the-bare-app target"
    return record("first view of a fresh server", first, "s", minimal, note=note)


def run() -> list[dict]:
    records = []
    pages = registered_pages()
    for title, path, _ in pages:
        try:
            result = rerun_times(path)
        except RuntimeError as error:
            records.append(
                record(
                    f"rerun after widget change: {title} (AppTest median)", float("nan"), "s", note=str(error)[-300:]
                )
            )
            continue
        note = f"widget: {result['widget']}; cold first run = baseline"
        records.append(_rerun_record(f"rerun after widget change: {title} (AppTest median)", result, "rerun", note))

    with tempfile.TemporaryDirectory(prefix="bench_app_store_") as tmp:
        start = time.perf_counter()
        rows = build_synthetic_store(Path(tmp))
        built = time.perf_counter() - start
        env = os.environ.copy() | {"BEYOND_GDP_DATA_CACHE": tmp}
        traj = next(p for p in pages if p[2] == "trajectories")
        result = rerun_times(traj[1], env)
        note = f"{rows:,} synthetic rows (built in {built:.0f} s); widget: {result['widget']}"
        name = f"rerun after widget change: Trajectories, {rows / 1e6:.0f}M-row store"
        records.append(_rerun_record(name, result, "rerun_synthetic", note, synthetic=True))

    records.append(first_view_record())

    peak, idle, actions = asyncio.run(_memory(_free_port(), [p[2] for p in pages]))
    note = f"{SESSIONS} concurrent sessions over {len(pages)} pages, widget changed: {actions}; baseline = idle server"
    if peak >= TARGETS["memory_mb"]:
        note += f"; MISSED the {TARGETS['memory_mb']:.0f} MB target"
    records.append(record(f"peak server memory, {SESSIONS} browser sessions", peak, "MB", idle, note=note))
    return records


if __name__ == "__main__":
    # ``python -m bench.bench_app first_view [RUNS]``: part (c) alone (``make bench`` runs every part).
    if sys.argv[1:2] == ["first_view"]:
        print(json.dumps(first_view_record(int(sys.argv[2]) if len(sys.argv) > 2 else FIRST_VIEW_RUNS), indent=2))
    else:
        for item in run():
            print(item)
