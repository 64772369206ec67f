"""The Streamlit boundary: caching, the shared frame (language, URL state), rendering helpers.

Pages import from here and from kpi; kpi never imports this package.
"""
