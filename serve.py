"""The server entry (``make run``: ``streamlit run serve.py``): app.py on ``st.App``, with routes of its own.

The routes (ui/routes.py) sign editors in and out with a session cookie (HttpOnly, signed, expiring,
SameSite=Lax), so a sign-in survives a reload, a new tab and a link opened later. ``streamlit run app.py``
still serves the dashboard, with a sign-in that lasts for one browser session only.

The HTTP API (ui/api.py) is served here too, under /api/v1: the command line (``python -m kpi import --server``) and
other systems send files and read the status with an editor's API token.
"""

import streamlit as st

from ui import api, routes

app = st.App("app.py", routes=routes.routes() + api.routes())
