"""Dashboard: pure Altair chart builders, view state <-> URL, static exports and the Streamlit pages.

May import ``indicators`` and altair; streamlit only in ``dashboard/pages`` and
``dashboard/ui.py`` (the shared page furniture).
"""
