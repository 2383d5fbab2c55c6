"""Beyond GDP dashboard entry point: page config and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Beyond GDP", page_icon=":material/public:", layout="wide")

pages = [
    st.Page(
        "dashboard/pages/trajectories.py",
        title="Trajectories",
        icon=":material/show_chart:",
        url_path="trajectories",
        default=True,
    ),
]
st.navigation(pages).run()
