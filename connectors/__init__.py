"""Connectors: talk to data providers and files, turn every message into the tidy store table.

May import pandas, pyarrow and sdmx1 (lazily, where used) — never ``indicators``,
``dashboard`` or streamlit. The store contract lives in :mod:`connectors.store`.
"""
