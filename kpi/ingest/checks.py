"""Checks over a whole file at once, column by column (no Python loop per row).

Input: the long form of a file (``row``, ``ind_raw``, ``per_raw``, ``val_raw``,
``val_col``, ``note``, ``note_col``, ``cumulative``) and the known indicators (with
the bounds their plans declare, see ``bounds``). Output: the observation rows to
write, every problem found, and the count of blank cells.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from kpi.ingest import bounds
from kpi.ingest.cells import milestones_of, numbers_of, periods_of
from kpi.ingest.layout import norm_header
from kpi.ingest.limits import Limits
from kpi.notes import BREAK, CONTROL
from kpi.periods import GRAINS, MONTHS_PER, parse_period
from kpi.problems import Problem
from kpi.store.schema import OBS_COLUMNS

SHOWN_CHARS = 60  # a cell quoted in a problem is cut to this many characters (a note may have millions)


def _problems(frame: pd.DataFrame, mask: pd.Series, column: pd.Series | str, value: pd.Series, key: str,
              **params: pd.Series | str) -> list[Problem]:
    """One Problem per row where ``mask`` holds; params may be columns or constants."""
    if not mask.any():
        return []
    sub = frame.loc[mask]
    cols = {k: (v.loc[mask] if isinstance(v, pd.Series) else pd.Series(v, index=sub.index)) for k, v in params.items()}
    column = column.loc[mask] if isinstance(column, pd.Series) else pd.Series(column, index=sub.index)
    value = value.loc[mask]
    out = []
    for i in sub.index:
        extra = {k: _plain(c.at[i]) for k, c in cols.items()}
        shown = _shown(value.at[i])
        out.append(Problem(int(sub.at[i, "row"]), str(column.at[i]), shown, key, {"value": shown, **extra}))
    return out


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _plain(v: object) -> object:
    """Row numbers come back from pandas as floats; show them as integers."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _per_distinct(raw: pd.Series, func) -> pd.DataFrame:
    """Apply ``func`` (a Series of distinct texts -> a frame of results) once per distinct text, then spread."""
    codes, uniques = pd.factorize(raw, sort=False)
    table = func(pd.Series(uniques, dtype=object)).reset_index(drop=True)
    out = table.iloc[codes] if len(codes) else table.iloc[[]]
    out.index = raw.index
    return out


def _map_distinct(raw: pd.Series, mapping) -> pd.Series:
    """``raw.map(mapping)``, looked up once per distinct value (a file has few codes and many rows)."""
    codes, uniques = pd.factorize(raw, sort=False)
    mapped = pd.Series(uniques, dtype=object).map(mapping).to_numpy(dtype=object)
    out = np.append(mapped, None)[codes]  # code -1 (a missing value) picks the appended None
    return pd.Series(out, index=raw.index, dtype="str")


def _indicator_lookup(known: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Normalised code or unique name -> code; ambiguous name -> the codes it could be."""
    lookup: dict[str, str] = {}
    names: dict[str, set[str]] = {}
    for rec in known[["code", "name_zh", "name_en"]].drop_duplicates().itertuples(index=False):
        lookup[norm_header(rec.code)] = rec.code
        for name in (rec.name_zh, rec.name_en):
            if name:
                names.setdefault(norm_header(name), set()).add(rec.code)
    ambiguous = {}
    for name, codes in names.items():
        if name in lookup:
            continue
        if len(codes) == 1:
            lookup[name] = next(iter(codes))
        else:
            ambiguous[name] = ", ".join(sorted(codes))
    return lookup, ambiguous


def check_long(known: pd.DataFrame, long: pd.DataFrame,
               limits: Limits | None = None) -> tuple[pd.DataFrame, list[Problem], int]:
    limits = limits or Limits.current()
    long = long.copy()
    for col in ("ind_raw", "per_raw", "val_raw", "note"):
        long[col] = long[col].fillna("").astype(str)
        if col == "note":  # line breaks made one, other C0 controls gone (tab stays), as in every note form
            long[col] = long[col].str.replace(BREAK, "\n", regex=True).str.replace(CONTROL, "", regex=True)
        long[col] = long[col].str.strip()
    blank = long["val_raw"].eq("")
    blanks = int(blank.sum())
    long = long.loc[~blank]
    problems: list[Problem] = []
    if long.empty:
        return empty_rows(), problems, blanks
    length = long["note"].str.len()
    too_long = (length > limits.note_chars) & ~long["row"].duplicated()  # a wide row's note once
    problems += _problems(long, too_long, long["note_col"], long["note"], "ingest.note_too_long",
                          length=length, limit=str(limits.note_chars))
    example = known["code"].iloc[0] if len(known) else "INV-EVENTS"

    # indicators, by code or unique name
    lookup, ambiguous = _indicator_lookup(known)
    keys = _per_distinct(long["ind_raw"], lambda u: pd.DataFrame({"key": u.map(norm_header)}))["key"]
    code, amb = _map_distinct(keys, lookup), _map_distinct(keys, ambiguous)
    no_ind = long["ind_raw"].eq("")
    problems += _problems(long, no_ind, long["ind_col"], long["ind_raw"], "ingest.blank_indicator", example=example)
    problems += _problems(long, code.isna() & amb.notna(), long["ind_col"], long["ind_raw"],
                          "ingest.ambiguous_indicator", codes=amb)
    problems += _problems(long, code.isna() & amb.isna() & ~no_ind, long["ind_col"], long["ind_raw"],
                          "ingest.unknown_indicator", example=example)

    # periods
    per = _per_distinct(long["per_raw"], periods_of)
    per_column = long["per_col"]
    no_per = long["per_raw"].eq("")
    problems += _problems(long, no_per, per_column, long["per_raw"], "ingest.blank_period")
    problems += _problems(long, per["period"].isna() & ~no_per, per_column, long["per_raw"], "ingest.bad_period")

    kind = _map_distinct(code, known.drop_duplicates("code").set_index("code")["kind"])
    good = code.notna() & per["period"].notna()
    problems += _outside_span(long, known, code, per, good, per_column)

    # values, by kind
    number = _per_distinct(long["val_raw"], numbers_of)["number"].astype(float)
    is_ms = kind.eq("milestone")
    ms = _per_distinct(long["val_raw"].where(is_ms, ""), milestones_of)
    problems += _problems(long, code.notna() & ~is_ms & number.isna(), long["val_col"], long["val_raw"],
                          "ingest.not_number")
    problems += _out_of_bounds(long, known, code, per, number.where(code.notna() & ~is_ms))
    problems += _problems(long, is_ms & ~ms["ok"].astype(bool), long["val_col"], long["val_raw"],
                          "ingest.bad_milestone")
    problems += _problems(long, kind.eq("count") & long["cumulative"].astype(bool), long["val_col"], long["val_raw"],
                          "ingest.cumulative", indicator=code)
    value = number.where(~is_ms, ms["done"].astype(float))
    done_on = ms["done_on"].where(is_ms, None)

    # duplicates and double counting, on (indicator, period) as integer keys
    keyed = pd.DataFrame({"code": code, "period": per["period"], "grain": per["grain"], "row": long["row"]})[good]
    problems += _duplicates(long, keyed, code, per, per_column)
    problems += _double_counting(long, keyed, kind, per_column)

    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return _rows(long, code, per, value, done_on), problems, blanks


def _out_of_bounds(long, known, code, per, number) -> list[Problem]:
    """Numbers outside what the indicator can take: the plan's bounds, else its kind's (``bounds``)."""
    b = bounds.per_row(known, code, per["start_day"], per["end_day"], number)
    bad = number.notna() & ~b["ok"]
    if not bad.any():
        return []
    low, high = b["low"].astype(float), b["high"].astype(float)
    low_set, high_set = b["low_set"].fillna(False).astype(bool), b["high_set"].fillna(False).astype(bool)
    below = bad & (number < low)
    above = bad & ~below
    rate = b["kind"].eq("rate")
    shown = {"indicator": code}
    return (_problems(long, below & low_set, long["val_col"], long["val_raw"], "ingest.below_bound",
                      low=low.map(lambda x: f"{x:g}"), **shown)
            + _problems(long, above & high_set, long["val_col"], long["val_raw"], "ingest.above_bound",
                        high=high.map(lambda x: f"{x:g}"), **shown)
            + _problems(long, rate & ((below & ~low_set) | (above & ~high_set)), long["val_col"], long["val_raw"],
                        "ingest.rate_range", **shown)
            + _problems(long, below & ~low_set & b["kind"].eq("count"), long["val_col"], long["val_raw"],
                        "ingest.negative", **shown)
            + _problems(long, below & ~low_set & b["kind"].eq("stock"), long["val_col"], long["val_raw"],
                        "ingest.negative_stock", **shown))


def _outside_span(long, known, code, per, good, per_column) -> list[Problem]:
    """Periods outside the span of every plan that has the indicator (any one of its plans' spans will do)."""
    inside = pd.Series(_inside_any_span(known, code, per["start_day"], per["end_day"]), index=long.index)
    outside = good & ~inside
    if not outside.any():
        return []
    first = known.drop_duplicates("code").set_index("code")
    start = code.map(first["span_start"].map(lambda d: str(pd.Timestamp(d).date())))
    end = code.map(first["span_end"].map(lambda d: str(pd.Timestamp(d).date())))
    return _problems(long, outside, per_column, long["per_raw"], "ingest.outside_plan",
                     period=per["period"], indicator=code, start=start, end=end)


def _inside_any_span(known: pd.DataFrame, code: pd.Series, start_day: pd.Series, end_day: pd.Series) -> np.ndarray:
    """Per row, whether [start_day, end_day] lies inside the span of some plan that has the row's indicator.

    One sorted search, not a join of every row with every plan of its indicator (an indicator kept over ten yearly
    plans made that join ten times the file): the spans sorted by (indicator, start), each carrying the latest end
    among the spans of its indicator that start no later (a running maximum, so nested or overlapping spans count);
    a row is inside when the last span starting on or before it reaches its end."""
    spans = known[["code", "span_start", "span_end"]].drop_duplicates()  # a row per plan and indicator
    if spans.empty:
        return np.zeros(len(code), bool)
    spans = pd.DataFrame({"code": spans["code"].astype(str), "start": _ordinals(spans["span_start"]),
                          "end": _ordinals(spans["span_end"])})
    span_code, codes = pd.factorize(spans["code"])
    spans["id"] = span_code
    spans = spans.sort_values(["id", "start"])
    reach = spans.groupby("id")["end"].cummax().to_numpy("int64")
    width = int(max(spans["end"].max(), 0)) + 2  # day numbers stay below it
    keys = spans["id"].to_numpy("int64") * width + spans["start"].to_numpy("int64")
    row_id = codes.get_indexer(code.astype(object).where(code.notna(), None))  # -1: not an indicator of any plan
    starts = pd.to_numeric(start_day, errors="coerce").fillna(-1).to_numpy("int64")
    ends = pd.to_numeric(end_day, errors="coerce").fillna(-1).to_numpy("int64")
    at = np.searchsorted(keys, row_id * width + np.clip(starts, 0, width - 1), side="right") - 1
    found = (row_id >= 0) & (starts >= 0) & (at >= 0)
    at = np.where(found, at, 0)
    return found & (spans["id"].to_numpy("int64")[at] == row_id) & (reach[at] >= ends)


def _ordinals(dates: pd.Series) -> np.ndarray:
    """Dates as day numbers (``date.toordinal``), for the whole column at once."""
    days = pd.to_datetime(dates).to_numpy("datetime64[D]").astype("int64")
    return days + dt.date(1970, 1, 1).toordinal()


def _pair_keys(keyed: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(an int64 key per (indicator, period), the period id per row, the distinct period labels)."""
    code_id, _ = pd.factorize(keyed["code"])
    period_id, periods = pd.factorize(keyed["period"])
    return code_id.astype("int64") * max(len(periods), 1) + period_id, period_id, periods


def _duplicates(long, keyed, code, per, per_column) -> list[Problem]:
    """The same indicator and period twice in one file (in any spelling)."""
    if keyed.empty:
        return []
    key, _, _ = _pair_keys(keyed)
    key = pd.Series(key, index=keyed.index)
    dup = key.duplicated(keep=False)
    if not dup.any():
        return []
    d = keyed[dup].assign(key=key[dup]).sort_values("row")
    first = d.groupby("key")["row"].transform("first")
    second = d.groupby("key")["row"].transform(lambda r: r.iloc[1])
    other = first.where(d["row"] != first, second)
    mask = pd.Series(False, index=long.index)
    mask[d.index] = True
    return _problems(long, mask, per_column, long["per_raw"], "ingest.duplicate",
                     indicator=code, period=per["period"], other=other.reindex(long.index))


def _double_counting(long: pd.DataFrame, keyed: pd.DataFrame, kind: pd.Series, per_column) -> list[Problem]:
    """A count given for a period and for a part of it in one file."""
    counts = keyed[kind.reindex(keyed.index).eq("count").to_numpy()]
    if counts.empty:
        return []
    key, period_id, periods = _pair_keys(counts)
    code_part = key - period_id
    row_of = pd.Series(counts["row"].to_numpy(), index=key)
    row_of = row_of[~row_of.index.duplicated()]
    parsed = [parse_period(label) for label in periods]
    ids = {label: i for i, label in enumerate(periods)}
    hit_rows, parent_ids = [], []
    for grain in GRAINS[1:]:
        # per distinct period: the id of its parent of this grain among the file's periods, or -1
        table = np.array([ids.get(p.parent(grain).label, -1) if MONTHS_PER[p.grain] < MONTHS_PER[grain] else -1
                          for p in parsed], dtype="int64")
        parent = table[period_id]
        present = parent >= 0
        if not present.any():
            continue
        hit = np.zeros(len(key), dtype=bool)
        hit[present] = np.isin(code_part[present] + parent[present], row_of.index.to_numpy())
        hit_rows.append(np.flatnonzero(hit))
        parent_ids.append(parent[hit])
    if not hit_rows or not sum(len(h) for h in hit_rows):
        return []
    positions, parents = np.concatenate(hit_rows), np.concatenate(parent_ids)
    _, first = np.unique(positions, return_index=True)
    positions, parents = positions[first], parents[first]
    idx = counts.index[positions]
    hits = pd.DataFrame({"part": counts["period"].to_numpy()[positions],
                         "period": [periods[p] for p in parents],
                         "other": row_of.reindex(code_part[positions] + parents).to_numpy()}, index=idx)
    mask = pd.Series(False, index=long.index)
    mask[idx] = True
    return _problems(long, mask, per_column, long["per_raw"], "ingest.double_count",
                     indicator=counts["code"].reindex(long.index), period=hits["period"].reindex(long.index),
                     part=hits["part"].reindex(long.index), other=hits["other"].reindex(long.index))


def empty_rows() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in OBS_COLUMNS})


def _rows(long: pd.DataFrame, code: pd.Series, per: pd.DataFrame, value: pd.Series, done_on: pd.Series) -> pd.DataFrame:
    if long.empty:
        return empty_rows()
    epoch = dt.date(1970, 1, 1).toordinal()  # day numbers to dates, as a typed column DuckDB takes fast
    return pd.DataFrame({
        "row_no": long["row"].astype("int64"), "indicator": code, "period": per["period"], "grain": per["grain"],
        "period_start": (per["start_day"].to_numpy("int64") - epoch).astype("datetime64[D]"),
        "period_end": (per["end_day"].to_numpy("int64") - epoch).astype("datetime64[D]"), "value": value.astype(float),
        "done_on": done_on, "note": long["note"].where(long["note"].ne(""), None)}).reset_index(drop=True)
