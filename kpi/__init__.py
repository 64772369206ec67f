"""The domain of the work-plan KPI dashboard: plans, periods, store, ingest, status, exports.

Nothing here imports streamlit: the pages and the command line are two faces
of this package and call the same functions.
"""
