"""Static exports of a shared view: standalone HTML, PNG, SVG, CSV and Vega-Lite JSON — all offline.

The HTML file is meant to be mailed, archived or put on any static host and still work in ten
years without a network: the Vega-Lite spec with its data inline, the Vega, Vega-Lite and
Vega-Embed libraries inlined from the vl-convert package (never a CDN), and the source,
licence, vintage, data version and a suggested citation written out as text. A Content
Security Policy forbids the page from fetching anything. Every piece of text placed in the
HTML is escaped, and JSON inside ``<script>`` cannot close the tag.
"""

from __future__ import annotations

import hashlib
import html
import json
from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert as vlc

from dashboard.share import SharedView, ShareError, ViewMeta, csv_rows, footer_lines

FORMATS = ("html", "png", "svg", "csv", "vl.json")
#: Width in pixels of static images (PNG, SVG); the HTML page follows its window instead.
IMAGE_WIDTH = 720
PNG_SCALE = 2
MIME = {
    "html": "text/html",
    "png": "image/png",
    "svg": "image/svg+xml",
    "csv": "text/csv",
    "vl.json": "application/json",
}
#: Rows listed in the HTML's data table; the full data is in the chart spec and the CSV.
HTML_TABLE_ROWS = 2_000


def vl_version() -> str:
    """The Vega-Lite version Altair writes, as vl-convert names it (e.g. '6.4'); latest bundled if absent."""
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    available = vlc.get_vegalite_versions()
    return wanted if wanted in available else available[-1]


@lru_cache(maxsize=2)
def javascript_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script (about 0.9 MB), built once per process."""
    bundle = vlc.javascript_bundle(vl_version=vl_version())
    if "</script" in bundle.lower() or "<!--" in bundle:
        raise ShareError("the vl-convert JavaScript bundle contains '</script' or '<!--' and cannot be inlined")
    return bundle


def bundle_file_name() -> str:
    return f"vega-bundle-{hashlib.sha256(javascript_bundle().encode()).hexdigest()[:10]}.js"


def spec(shared: SharedView, *, width: int | None = None) -> dict:
    """The chart's Vega-Lite spec with inline data, carrying its metadata in ``usermeta``."""
    chart = shared.chart if width is None else at_width(shared.chart, width)
    result = chart.to_dict()
    result["usermeta"] = {"beyond_gdp": meta_dict(shared.meta)}
    return result


def at_width(chart: alt.TopLevelMixin, width: int) -> alt.TopLevelMixin:
    """A copy of ``chart`` at ``width`` pixels; a stack of charts (small multiples) has no width of its own,
    so each chart in it gets the width instead."""
    if isinstance(chart, alt.VConcatChart):
        stacked = chart.copy(deep=False)
        stacked.vconcat = [part.properties(width=width) for part in chart.vconcat]
        return stacked
    return chart.properties(width=width)


def image_spec(shared: SharedView) -> dict:
    """The spec for a PNG or SVG: fixed width, with source, licence, version and citation printed below."""
    inner = at_width(shared.chart, IMAGE_WIDTH)  # a shallow copy: the shared chart is not changed
    # A chart with its own config (the choropleth's 'no data' grey) cannot sit inside a concat: lift it up.
    config, inner.config = inner.config, alt.Undefined
    chart = alt.vconcat(inner).properties(
        title=alt.TitleParams(
            footer_lines(shared.meta),
            orient="bottom",
            anchor="start",
            fontSize=10,
            fontWeight="normal",
            color="#555555",
            offset=14,
        ),
        padding=12,
    )
    if config is not alt.Undefined:
        chart.config = config
    result = chart.to_dict()
    result["usermeta"] = {"beyond_gdp": meta_dict(shared.meta)}
    return result


def to_csv(shared: SharedView) -> bytes:
    """Exactly the rows the chart draws, each with its indicator, unit, source, licence and snapshot."""
    return csv_bytes(csv_rows(shared))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Rows as the CSV a visitor downloads (UTF-8, no index): charts' exports and the pages' data tables."""
    return frame.to_csv(index=False).encode("utf-8")


def to_vl_json(shared: SharedView) -> bytes:
    return (json.dumps(spec(shared), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def to_svg(shared: SharedView) -> str:
    return vlc.vegalite_to_svg(image_spec(shared), vl_version=vl_version())


def to_png(shared: SharedView, scale: float = PNG_SCALE) -> bytes:
    return vlc.vegalite_to_png(image_spec(shared), vl_version=vl_version(), scale=scale)


def script_json(value: object) -> str:
    """JSON that is safe inside ``<script>``: it cannot close the tag or open an HTML comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        # U+2028/2029 are legal in JSON but were line breaks in older JavaScript.
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def to_html(shared: SharedView, *, script_src: str | None = None, home: str | None = None) -> str:
    """A standalone page: chart, notes, source, licence, vintage, data version, citation and the data.

    ``script_src`` (a relative path, used by the bake) loads the Vega bundle from a file beside
    the page instead of inlining it; ``home`` adds a link back to an index page.
    """
    meta = shared.meta
    e = html.escape
    if script_src is not None and ("://" in script_src or script_src.startswith(("/", "\\")) or ".." in script_src):
        raise ShareError(f"script_src must be a relative path inside the site, got {script_src!r}")
    scripts = f'<script src="{e(script_src)}"></script>' if script_src else f"<script>{javascript_bundle()}</script>"
    notices = [meta.version_notice] if meta.version_notice else []
    notes = "".join(f'<p class="note">{e(text)}</p>' for text in [*notices, *(f"Note: {n}." for n in meta.notes)])
    sources = "".join(f'<li><a href="{e(url)}">{e(url)}</a></li>' for url in meta.source_urls if _is_http(url))
    back = f'<a href="{e(home)}">All views</a> · ' if home else ""
    return _PAGE.format(
        title=e(meta.title),
        description=e(meta.description),
        back=back,
        permalink=e(meta.permalink),
        notes=notes,
        source_line=e(meta.source_line),
        publishers=e("; ".join(meta.publishers)),
        licences=e("; ".join(meta.licences)),
        source_links=f"<ul>{sources}</ul>" if sources else "",
        vintage=e(meta.vintage),
        version=e(meta.data_version),
        citation=e(meta.citation),
        table=_table(shared),
        scripts=scripts,
        spec=script_json(spec(shared)),
        csp=_CSP_SELF if script_src else _CSP_INLINE,
    )


def export(shared: SharedView, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ShareError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "html":
        return to_html(shared).encode("utf-8")
    if fmt == "png":
        return to_png(shared)
    if fmt == "svg":
        return to_svg(shared).encode("utf-8")
    if fmt == "csv":
        return to_csv(shared)
    return to_vl_json(shared)


def write(shared: SharedView, fmt: str, path: Path) -> Path:
    path = Path(path)
    content = export(shared, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(content)
    temporary.replace(path)
    return path


def meta_dict(meta: ViewMeta) -> dict:
    return {
        "title": meta.title,
        "source": meta.source_line,
        "publishers": list(meta.publishers),
        "licences": list(meta.licences),
        "vintage": meta.vintage,
        "data_version": meta.data_version,
        "permalink": meta.permalink,
        "citation": meta.citation,
    }


def _is_http(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not any(ch in url for ch in "<>\"' ")


def _table(shared: SharedView) -> str:
    frame = shared.data.head(HTML_TABLE_ROWS)
    e = html.escape
    head = "".join(f"<th>{e(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{e('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    more = ""
    if len(shared.data) > HTML_TABLE_ROWS:
        more = f"<p>First {HTML_TABLE_ROWS:,} of {len(shared.data):,} rows; all are in the chart and the CSV.</p>"
    return (
        f"<details><summary>The data ({len(shared.data):,} rows)</summary>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}</details>"
    )


_CSP_INLINE = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:"
)
_CSP_SELF = "default-src 'none'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>{title} · Beyond GDP</title>
<style>
body {{ font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fff; }}
main {{ max-width: 1100px; margin: 0 auto; padding: 16px; }}
header {{ font-size: 14px; color: #555; margin-bottom: 8px; }}
#vis {{ width: 100%; min-height: 200px; }}
#vis .vega-embed {{ width: 100%; }}
.note {{ background: #fff6e0; border-left: 4px solid #E69F00; padding: 6px 10px; font-size: 14px; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; font-size: 14px; }}
dt {{ font-weight: 600; }} dd {{ margin: 0; overflow-wrap: anywhere; }}
details {{ margin-top: 12px; font-size: 14px; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ddd; padding: 2px 6px; text-align: left; }}
a {{ color: #0060A0; }} .source {{ font-size: 14px; color: #444; }}
@media (max-width: 480px) {{ dl {{ grid-template-columns: 1fr; }} dd {{ margin-bottom: 6px; }} }}
</style>
</head>
<body>
<main>
<header>{back}Beyond GDP · <a href="{permalink}">Open in Beyond GDP</a></header>
<div id="vis" role="img" aria-label="{description}"></div>
<noscript><p>The chart needs JavaScript; the data is listed below.</p></noscript>
{notes}
<p class="source">{source_line}</p>
<dl>
<dt>Title</dt><dd>{title}</dd>
<dt>Source</dt><dd>{publishers}{source_links}</dd>
<dt>Licence</dt><dd>{licences}</dd>
<dt>Data vintage</dt><dd>{vintage}</dd>
<dt>Data version</dt><dd><code>{version}</code></dd>
<dt>Cite as</dt><dd>{citation}</dd>
<dt>Permalink</dt><dd><a href="{permalink}">{permalink}</a></dd>
</dl>
{table}
</main>
{scripts}
<script type="application/json" id="beyond-gdp-spec">{spec}</script>
<script>
(function () {{
  var target = document.getElementById("vis");
  var spec = JSON.parse(document.getElementById("beyond-gdp-spec").textContent);
  if (target.clientWidth < 600) {{
    spec.config = spec.config || {{}};
    spec.config.legend = Object.assign({{}}, spec.config.legend, {{ columns: 2, labelLimit: 140 }});
  }}
  vegaEmbed(target, spec, {{ renderer: "svg", actions: false }}).catch(function (error) {{
    target.textContent = "The chart could not be drawn (" + error.message + "); the data is listed below.";
  }});
}})();
</script>
</body>
</html>
"""
