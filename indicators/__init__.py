"""Indicators: declarative definitions, derived measures, composites, targets and the query API.

May import ``connectors`` (read side), pandas and numpy — never altair or streamlit.
"""
