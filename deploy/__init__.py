"""Running the dashboard as several processes behind one address (``make cluster``; README "Several processes").

- ``postgres``: a PostgreSQL cluster on loopback from Debian's programs (the lasting one of ``make cluster``, the
  throwaway one of the tests).
- ``nginx.conf``: the front's configuration, a template whose addresses ``cluster`` fills in.
- ``cluster``: starts PostgreSQL (unless ``KPI_DB`` names a server), N Streamlit processes and nginx, and stops
  them all on Ctrl-C; on several machines, the apps on each and the front on one.

May import ``kpi`` (settings, store, accounts); ``kpi`` never imports from here.
"""
