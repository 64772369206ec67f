"""The Streamlit boundary: caching, the page context (the View, URL state), rendering helpers.

Pages import from here and from kpi; kpi never imports this package.
"""
