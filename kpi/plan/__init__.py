"""The plan: what a work plan commits to, as data.

- ``models``: the pydantic models, loading a plan file, validation with paths and YAML lines;
- ``rules``: the rules across fields (codes, spans, milestones, targets), on the raw data;
- ``windows``: an item's targets as non-overlapping windows, and the plan span as a window;
- ``edit``: the targets grid and the targets file, both through the same validation;
- ``draft``: a plan drafted from its own text (``draft_plan``), every guess a review flag; it reads the text's
  ``outline`` (sections, sentences, clauses), its ``quantities`` (targets, baselines, due dates) and each
  sentence (``reading``); ``documents`` gives the text of a .txt, .docx or .pdf file;
- ``workbook``: the plan as an Excel workbook (its sheets and columns, writing it); ``sheets`` reads the cells back
  into plan data and ``cells`` puts each problem of the validation back at its sheet, row and column;
- ``carry``: a plan carried forward to the next span (``plan next``); ``dump``: a plan as YAML;
- ``start``: where a new plan starts (its text, a document, a workbook or YAML file, a plan carried forward), and
  ``grid``: a draft as the New plan page's two grids (areas, items) and back, every problem at its row and column,
  reading each cell with ``values``.

May import ``kpi.periods``, ``kpi.problems``, ``kpi.i18n``, ``kpi.ingest.read``/``layout`` (a targets file is
read like an upload), ``kpi.report.export``'s spreadsheet guard (a workbook's text cells are safe like an export's)
and ``kpi.status`` (carrying a stock's last level forward) — never the store or the pages.
"""
