"""What ``make run`` starts: the dashboard of ``app.py``, plus a warm-up when the server starts.

``streamlit run app.py`` works too; this entry point only adds, through Streamlit's documented ``st.App``
hooks, a lifespan hook so the default views are computed while the first visitor's browser is still
loading the page (see :mod:`dashboard.warmup`), and a middleware that sends the chart's code with the
page (see :mod:`dashboard.preload`).
"""

import logging
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from dashboard.preload import PreloadChartCode

# The warm-up reports when the default views are ready (and any step that failed) in the server log.
_log = logging.getLogger("beyond_gdp")
if not _log.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
    _log.addHandler(_handler)
    _log.setLevel(logging.INFO)


@asynccontextmanager
async def warm_while_serving(_app):
    from dashboard.warmup import warm_in_background

    _thread, stop = warm_in_background()
    yield
    stop.set()


app = st.App("app.py", lifespan=warm_while_serving, middleware=[Middleware(PreloadChartCode)])
