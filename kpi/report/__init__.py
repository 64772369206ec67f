"""The way out: what a view shows, in tables, words, charts and files.

- ``query``: the status of a View (plan, period, as-of, data version, language) — the one place where
  observations, explanations and overrides meet the status engine; year over year;
- ``tables``: ready-made frames for the pages (cards, the status matrix, needs attention, an indicator's periods);
- ``ledger``: the upload and history tables (templates, problems, batches);
- ``summary``: the 通报-style text; ``charts``: plotly figures as data;
- ``briefing``: the self-contained HTML meeting pack; ``word``: the Word report;
- ``export``: CSV and XLSX, safe from formula injection; ``changes``: a preview and a batch's diff;
- ``meeting``: what changed since an earlier meeting (two snapshots' status rows compared); ``decisions``: a
  meeting's decisions and their state; ``screen``: the meeting screen (the one screen for the projector) as HTML;
- ``marks``: what the supervision workflow adds to status rows (更正 after close, the evidence count, 缺佐证);
  ``supervision``: those marks, the closed periods and the evidence in words and tables; ``due``: the Due list
  (待办) as of a date, as lines, CSV, JSON and an iCalendar file.

May import everything in ``kpi`` but the CLI — never streamlit.
"""
