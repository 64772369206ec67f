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

from kpi.ingest.checks import CUMULATIVE_MARKS, strip_marks
from kpi.ingest.layout import ALIASES, norm_header
from kpi.ingest.read import DELIMITERS, XLSX_MAGIC
from kpi.periods import PeriodError, parse_period

_BLANK_RECORD = re.compile(r"(^|\n)[ \t]*\r?(\n|$)")
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"

# The rows, resolved by joins on small tables: the distinct periods (parsed in Python by the same parser as the
# full pipeline) and the plan's indicators (exact codes only). A row that does not join drops out, and the
# count no longer matches: the full pipeline takes the file.
_CHECK = """
SELECT r.row_no, r.c_ind AS indicator, pm.label AS period, pm.grain, pm.period_start, pm.period_end,
       TRY_CAST(r.c_val AS DOUBLE) AS value, CAST(NULL AS DATE) AS done_on, nullif(trim(r.c_note), '') AS note,
       k.kind, regexp_full_match(r.c_val, $number) AS plain_number
FROM raw r JOIN periods pm ON pm.raw = r.c_per JOIN kinds k ON k.code = r.c_ind
WHERE coalesce(r.c_val, '') <> ''
"""

# How far the staged rows are from clean. Counts of one indicator at two grains (a month and its quarter?)
# go to the full pipeline, which tells a double count from an honest mix.
_VERDICT = """
SELECT count(*),
       count(*) FILTER (WHERE NOT plain_number OR kind = 'milestone' OR (kind = 'count' AND value < 0)
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


def try_prepare(known: pa.Table | pd.DataFrame, data: bytes, filename: str) -> tuple[pa.Table, int, list[str]] | None:
    """(rows to write as an Arrow table, blank cells, columns not used) for a clean canonical long CSV; else None.

    ``known``: code, kind, span_start and span_end of every indicator the store knows (``Store.indicator_spans``)."""
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
        con = duckdb.connect()
        try:
            con.register("known_in", known)  # a DuckDB table scans faster than a registered frame
            con.execute("CREATE TEMP TABLE spans AS SELECT code, kind, span_start, span_end FROM known_in")
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
            if total[0] == 0:
                return None
            distinct = con.sql("SELECT DISTINCT c_per FROM raw WHERE c_per IS NOT NULL").fetchall()
            con.register("periods_in", _periods([row[0] for row in distinct]))
            con.execute("CREATE TEMP TABLE periods AS SELECT * FROM periods_in")
            con.execute("CREATE TEMP TABLE staged AS " + _CHECK.replace("$number", "?"), [_NUMBER])
            marks = "|".join(re.escape(m) for m in CUMULATIVE_MARKS)
            staged, *flaws = con.execute(_VERDICT.replace("$marks", "?"), [marks]).fetchall()[0]
            if staged != total[0] - total[1] or any(flaws) or staged == 0:
                return None
            rows = con.sql("SELECT row_no, indicator, period, grain, period_start, period_end, value, done_on, "
                           "note FROM staged").to_arrow_table()
        finally:
            con.close()
    finally:
        os.unlink(path)
    names_ok = {norm_header(a) for a in ALIASES["indicator_name"]}
    ignored = [shown[i] for i in range(len(shown)) if i not in roles.values() and headers[i] not in names_ok]
    return rows, int(total[1]), ignored
