"""Beyond GDP dashboard entry point — the picture frame: page config and navigation, nothing else.

Each page is a folder under ``dashboard/pages/`` (see ``docs/pages.md``); adding one is one line here.
"""

import streamlit as st

from dashboard.frame import EMBED_CSS, embed_requested

st.set_page_config(page_title="Beyond GDP", page_icon=":material/public:", layout="wide")
#: ?embed=true (an iframe on another site): no navigation, no Streamlit chrome; pages draw only the chart.
embed = embed_requested()
if embed:
    st.markdown(EMBED_CSS, unsafe_allow_html=True)  # a fixed constant, never text from the URL

pages = [
    # The default page is served at "/"; its twin at "/overview" (hidden from the menu) keeps that address working.
    st.Page(
        "dashboard/pages/overview/page.py", title="Overview", icon=":material/dashboard:", url_path="home", default=True
    ),
    st.Page("dashboard/pages/overview/page.py", title="Overview", url_path="overview", visibility="hidden"),
    st.Page(
        "dashboard/pages/trajectories/page.py",
        title="Trajectories",
        icon=":material/show_chart:",
        url_path="trajectories",
    ),
    st.Page("dashboard/pages/compare/page.py", title="Compare", icon=":material/leaderboard:", url_path="compare"),
    st.Page("dashboard/pages/your_index/page.py", title="Your index", icon=":material/tune:", url_path="your-index"),
    st.Page("dashboard/pages/catalogue/page.py", title="Indicators", icon=":material/menu_book:", url_path="catalogue"),
    st.Page("dashboard/pages/maps/page.py", title="Maps", icon=":material/map:", url_path="maps"),
    st.Page(
        "dashboard/pages/data_sources/page.py",
        title="Data & sources",
        icon=":material/database:",
        url_path="data-sources",
    ),
]
st.navigation(pages, position="hidden" if embed else "sidebar").run()
