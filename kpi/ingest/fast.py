"""The fast path of the ingest: a clean long CSV in canonical form, read and checked inside DuckDB.

Machine-made files (exports of other systems, a city's monthly feed) are long,
UTF-8, with codes and canonical periods (2023-07, 2023-Q3, 2023-H2, 2023)
and plain numbers. For those, DuckDB reads and checks the whole file in a few
vectorised queries. The path is conservative: it only says "clean" for a file
the full pipeline would accept with the very same rows; anything else — a
problem, a name instead of a code, a Chinese period, a milestone, GBK, XLSX,
blank records — returns None, and the full pipeline (which lists every
problem) takes the file. ``tests/test_ingest_fast.py`` checks both paths give
the same rows.

It refuses nothing itself: a ragged record (DuckDB's strict mode stops at it),
a value outside the indicator's bounds, a note with control characters or over
the length limit, a file past the limits of rows, columns or cells — each sends
the file to the full pipeline, which names the problem.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
import unicodedata

import duckdb
import pandas as pd
import pyarrow as pa

from kpi.ingest.bounds import DEFAULTS
from kpi.ingest.cells import CUMULATIVE_MARKS, strip_marks
from kpi.ingest.layout import ALIASES, norm_header
from kpi.ingest.limits import Limits
from kpi.ingest.read import DELIMITERS, XLSX_MAGIC
from kpi.periods import PeriodError, parse_period

_BLANK_RECORD = re.compile(r"(^|\n)[ \t]*\r?(\n|$)")
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
# a note the full pipeline would change (control characters out, Unicode spaces around trimmed) or refuse
_ODD_NOTE = r"[\x00-\x1f\x{85}]|^\pZ|\pZ$"

# The rows, resolved by joins on small tables: the distinct periods (parsed in Python by the same parser as the
# full pipeline) and the plan's indicators (exact codes only). A row that does not join drops out, and the
# count no longer matches: the full pipeline takes the file.
_CHECK = """
SELECT r.row_no, r.c_ind AS indicator, pm.label AS period, pm.grain, pm.period_start, pm.period_end,
       TRY_CAST(r.c_val AS DOUBLE) AS value, CAST(NULL AS DATE) AS done_on, nullif(trim(r.c_note), '') AS note,
       k.kind, regexp_full_match(r.c_val, $number) AS plain_number, b.low, b.high, b.mixed,
       coalesce(regexp_matches(trim(r.c_note), $odd), false) AS odd_note
FROM raw r JOIN periods pm ON pm.raw = r.c_per JOIN kinds k ON k.code = r.c_ind JOIN limits b ON b.code = r.c_ind
WHERE coalesce(r.c_val, '') <> ''
"""
# The bounds in force per code: the plans', else its kind's. ``declared`` has a row per plan that declares bounds
# for the code; when not every plan with the code declares the same, the code is ``mixed`` and its rows go to the
# full pipeline, which checks them plan by plan.
_LIMITS = """
WITH s AS (SELECT code, any_value(kind) AS kind, count(*) AS plans FROM spans GROUP BY code),
     d AS (SELECT code, count(*) AS plans, any_value(low) AS low, any_value(high) AS high,
                  count(DISTINCT coalesce(CAST(low AS VARCHAR), '-') || '|' || coalesce(CAST(high AS VARCHAR), '-'))
                      AS variants
           FROM declared GROUP BY code)
SELECT s.code, CASE WHEN d.code IS NULL THEN k.low ELSE coalesce(d.low, k.low) END AS low,
       CASE WHEN d.code IS NULL THEN k.high ELSE coalesce(d.high, k.high) END AS high,
       d.code IS NOT NULL AND (d.plans <> s.plans OR d.variants > 1) AS mixed
FROM s LEFT JOIN d USING (code) LEFT JOIN kind_defaults k USING (kind)
"""

# How far the staged rows are from clean. Counts of one indicator at two grains (a month and its quarter?)
# go to the full pipeline, which tells a double count from an honest mix.
_VERDICT = """
SELECT count(*),
       count(*) FILTER (WHERE NOT plain_number OR kind = 'milestone' OR value < low OR value > high OR mixed OR odd_note
                        OR length(note) > $note_chars
                        OR (note IS NOT NULL AND regexp_matches(lower(note), $marks))),
       -- a repeated (indicator, period); a hash collision only sends the file to the full pipeline
       count(*) - count(DISTINCT hash(indicator, period)),
       (SELECT count(*) FROM (SELECT indicator FROM staged WHERE kind = 'count' GROUP BY indicator
                              HAVING count(DISTINCT grain) > 1)),
       -- a period outside the span of every plan that has the indicator (a semi join: no row counted twice)
       count(*) - (SELECT count(*) FROM staged v SEMI JOIN spans s
                   ON s.code = v.indicator AND s.span_start <= v.period_start AND s.span_end >= v.period_end)
FROM staged
"""


def _periods(texts: list[str]) -> pd.DataFrame:
    """Each distinct period text as the full pipeline reads it (unreadable ones left out)."""
    rows = []
    for text in texts:
        try:
            p = parse_period(strip_marks(text))
        except PeriodError:
            continue
        rows.append((text, p.label, p.grain, p.start, p.end))
    frame = pd.DataFrame(rows, columns=["raw", "label", "grain", "period_start", "period_end"])
    return frame.astype({"raw": str, "label": str, "grain": str})


def _declared(known: pa.Table | pd.DataFrame, declared: pd.DataFrame | None) -> pd.DataFrame:
    """code, low, high: a row per plan that declares bounds for the code."""
    if declared is None:
        frame = known if isinstance(known, pd.DataFrame) else known.to_pandas()
        if "low" not in frame or "high" not in frame:
            frame = pd.DataFrame({"code": [], "low": [], "high": []})
        declared = frame[frame["low"].notna() | frame["high"].notna()] if len(frame) else frame
    return pd.DataFrame({"code": declared["code"].astype(object), "low": declared["low"].astype(float),
                         "high": declared["high"].astype(float)})


def try_prepare(known: pa.Table | pd.DataFrame, data: bytes, filename: str, limits: Limits | None = None,
                declared: pd.DataFrame | None = None) -> tuple[pa.Table, int, list[str]] | None:
    """(rows to write as an Arrow table, blank cells, columns not used) for a clean canonical long CSV; else None.

    ``known``: code, kind, span_start and span_end of every indicator of every plan (``Store.indicator_spans``).
    The bounds the plans declare: ``declared`` (code, low, high; a row per plan that declares them, see
    ``bounds.declared``), or columns low and high of ``known`` itself (``bounds.with_declared``)."""
    limits = limits or Limits.current()
    if data[:4] == XLSX_MAGIC or filename.lower().endswith((".xlsx", ".xlsm")):
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    body = text.rstrip("\r\n")
    if not body.strip() or "\n\n" in body or "\n\r\n" in body or '"' in body.split("\n", 1)[0]:
        return None
    if ("\n " in body or "\n\t" in body) and _BLANK_RECORD.search(body):
        return None  # a record of spaces is blank to a spreadsheet: the full pipeline keeps its number
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)
    shown = [unicodedata.normalize("NFKC", h).strip() for h in first.rstrip("\r").split(delimiter)]
    headers = [norm_header(h) for h in shown]
    roles = {}
    for role in ("indicator", "period", "value", "note"):
        wanted = {norm_header(a) for a in ALIASES[role]}
        hits = [i for i, h in enumerate(headers) if h in wanted]
        if len(hits) > 1:
            return None
        if hits:
            roles[role] = hits[0]
    if not {"indicator", "period", "value"} <= set(roles) or len(set(headers)) != len(headers) or "" in headers:
        return None
    if len(headers) > limits.columns:
        return None
    if any(mark in h for h in headers for mark in CUMULATIVE_MARKS):
        return None
    names = {i: f"c{i}" for i in range(len(headers))}
    for role, i in roles.items():
        names[i] = {"indicator": "c_ind", "period": "c_per", "value": "c_val", "note": "c_note"}[role]
    columns = {names[i]: "VARCHAR" for i in range(len(headers))}
    fd, path = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data[3:] if data.startswith(codecs.BOM_UTF8) else data)  # the bytes just decoded as UTF-8
        con = duckdb.connect(config={"threads": 2})  # few threads: each reserves memory of the upload's budget
        try:
            con.register("known_in", known)  # a DuckDB table scans faster than a registered frame
            con.execute("CREATE TEMP TABLE spans AS SELECT code, kind, span_start, span_end FROM known_in")
            con.register("declared", _declared(known, declared))
            con.register("kind_defaults", pd.DataFrame([(k, lo, hi) for k, (lo, hi) in DEFAULTS.items()],
                                                       columns=["kind", "low", "high"]).astype({"low": float,
                                                                                                "high": float}))
            con.execute("CREATE TEMP TABLE limits AS " + _LIMITS)
            con.execute("CREATE TEMP TABLE kinds AS SELECT DISTINCT code, kind FROM spans")
            if con.execute("SELECT count(*) <> count(DISTINCT code) FROM kinds").fetchone()[0]:
                return None  # one code of different kinds in two plans: the full pipeline decides
            try:
                con.execute("CREATE TEMP TABLE raw AS SELECT row_number() OVER () + 1 AS row_no, * FROM read_csv(?, "
                            "header = false, skip = 1, delim = ?, quote = '\"', escape = '\"', columns = ?, "
                            "parallel = false, strict_mode = true, auto_detect = false)", [path, delimiter, columns])
            except duckdb.Error:
                return None  # ragged records, stray quotes...: the full pipeline explains
            if "c_note" not in columns:
                con.execute("ALTER TABLE raw ADD COLUMN c_note VARCHAR")
            total = con.execute("SELECT count(*), count(*) FILTER (WHERE trim(c_val) = '' OR c_val IS NULL) "
                                "FROM raw").fetchall()[0]
            if total[0] == 0 or total[0] + 1 > limits.rows or (total[0] + 1) * len(headers) > limits.cells:
                return None
            distinct = con.sql("SELECT DISTINCT c_per FROM raw WHERE c_per IS NOT NULL").fetchall()
            con.register("periods_in", _periods([row[0] for row in distinct]))
            con.execute("CREATE TEMP TABLE periods AS SELECT * FROM periods_in")
            con.execute("CREATE TEMP TABLE staged AS " + _CHECK.replace("$number", "$1").replace("$odd", "$2"),
                        [_NUMBER, _ODD_NOTE])
            marks = "|".join(re.escape(m) for m in CUMULATIVE_MARKS)
            staged, *flaws = con.execute(_VERDICT.replace("$marks", "$1").replace("$note_chars", "$2"),
                                         [marks, limits.note_chars]).fetchall()[0]
            if staged != total[0] - total[1] or any(flaws) or staged == 0:
                return None
            rows = con.sql("SELECT row_no, indicator, period, grain, period_start, period_end, value, done_on, "
                           "note FROM staged").to_arrow_table()
        finally:
            con.close()
    except duckdb.OutOfMemoryException:
        return None  # past the memory budget here: the full pipeline runs within its own, and says so if need be
    finally:
        os.unlink(path)
    names_ok = {norm_header(a) for a in ALIASES["indicator_name"]}
    ignored = [shown[i] for i in range(len(shown)) if i not in roles.values() and headers[i] not in names_ok]
    return rows, int(total[1]), ignored
