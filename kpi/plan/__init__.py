"""The plan: what a work plan commits to, as data.

- ``models``: the pydantic models, loading a plan file, validation with paths and YAML lines;
- ``rules``: the rules across fields (codes, spans, milestones, targets), on the raw data;
- ``windows``: an item's targets as non-overlapping windows, and the plan span as a window;
- ``edit``: the targets grid and the targets file, both through the same validation;
- ``draft``: a plan drafted from its own text (``draft_plan``), every guess a review flag; it reads the text's
  ``outline`` (sections, sentences, clauses), its ``quantities`` (targets, baselines, due dates) and each
  sentence (``reading``); ``documents`` gives the text of a .txt, .docx or .pdf file.

May import ``kpi.periods``, ``kpi.problems``, ``kpi.i18n`` and ``kpi.ingest.read``/``layout`` (a targets file is
read like an upload) — never the store, the status engine or the reports.
"""
