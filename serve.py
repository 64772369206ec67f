"""The server entry (``make run``: ``streamlit run serve.py``): app.py on ``st.App``, with routes of its own.

The routes (ui/routes.py) sign editors in and out with a session cookie (HttpOnly, signed, expiring,
SameSite=Lax), so a sign-in survives a reload, a new tab and a link opened later. ``streamlit run app.py``
still serves the dashboard, with a sign-in that lasts for one browser session only.
"""

import streamlit as st

from ui import routes

app = st.App("app.py", routes=routes.routes())
