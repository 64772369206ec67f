"""Checks over a whole file at once, column by column (no Python loop per row).

Input: the long form of a file (``row``, ``ind_raw``, ``per_raw``, ``val_raw``,
``val_col``, ``note``, ``cumulative``) and the known indicators. Output: the
observation rows to write, every problem found, and the count of blank cells.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kpi.periods import GRAINS, MONTHS_PER, PeriodError, parse_period
from kpi.reading import Problem, norm_header

OBS_COLUMNS = ["row_no", "indicator", "period", "grain", "period_start", "period_end", "value", "done_on", "note"]

CUMULATIVE_MARKS = ("累计", "ytd", "year-to-date", "year to date", "cumulative")
DONE_WORDS = {"完成", "已完成", "done", "yes", "y", "是", "1", "true", "√", "✓", "✔", "已办结"}
NOT_DONE_WORDS = {"未完成", "not done", "no", "n", "否", "0", "false", "进行中", "in progress", "未办结"}


def is_cumulative(text: pd.Series) -> pd.Series:
    low = text.astype(str).str.lower()
    hit = pd.Series(False, index=text.index)
    for mark in CUMULATIVE_MARKS:
        hit |= low.str.contains(mark, regex=False)
    return hit


def strip_marks(text: object) -> str:
    """A header without its cumulative marks ("2023-Q3累计" -> "2023-Q3")."""
    out = str(text)
    for mark in CUMULATIVE_MARKS:
        out = out.replace(mark, "")
    return out.strip()


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
        out.append(Problem(int(sub.at[i, "row"]), str(column.at[i]), str(value.at[i]), key,
                           {"value": str(value.at[i]), **extra}))
    return out


def _plain(v: object) -> object:
    """Row numbers come back from pandas as floats; show them as integers."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


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


def _parse_periods(raw: pd.Series) -> pd.DataFrame:
    """label, grain, start, end per row (None where the text is not a period), parsing each distinct text once."""
    table = {}
    for text in raw.unique():
        try:
            p = parse_period(strip_marks(text))
            table[text] = (p.label, p.grain, p.start, p.end)
        except PeriodError:
            table[text] = (None, None, None, None)
    parsed = pd.DataFrame(raw.map(table).tolist(), index=raw.index, columns=["period", "grain", "start", "end"])
    return parsed


def _numbers(raw: pd.Series) -> pd.Series:
    """Numbers with full-width digits, thousands separators, spaces or a trailing % ."""
    s = raw.str.normalize("NFKC").str.strip().str.replace(r"[,\s]", "", regex=True).str.rstrip("%")
    return pd.to_numeric(s, errors="coerce")


def _milestones(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(value 1/0, done_on, ok) for milestone cells: a date, done or not-done words."""
    key = raw.str.normalize("NFKC").str.strip().str.lower()
    done = key.isin(DONE_WORDS)
    not_done = key.isin(NOT_DONE_WORDS)
    dates = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    rest = ~(done | not_done)
    if rest.any():
        table = {}
        for text in key[rest].unique():
            try:
                table[text] = dt.date.fromisoformat(text.replace("/", "-").replace(".", "-")
                                                    .replace("年", "-").replace("月", "-").rstrip("日-"))
            except ValueError:
                table[text] = None
        dates.loc[rest] = pd.to_datetime(key[rest].map(table))
    has_date = dates.notna()
    value = pd.Series(float("nan"), index=raw.index)
    value[done | has_date] = 1.0
    value[not_done] = 0.0
    return value, dates.dt.date.where(has_date, None), done | not_done | has_date


def check_long(known: pd.DataFrame, long: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem], int]:
    long = long.copy()
    for col in ("ind_raw", "per_raw", "val_raw", "note"):
        long[col] = long[col].fillna("").astype(str).str.strip()
    blank = long["val_raw"].eq("")
    blanks = int(blank.sum())
    long = long.loc[~blank]
    problems: list[Problem] = []
    if long.empty:
        return _rows(long, pd.Series(dtype=object), pd.DataFrame(), pd.Series(dtype=float),
                     pd.Series(dtype=object)), problems, blanks

    lookup, ambiguous = _indicator_lookup(known)
    key = long["ind_raw"].map(norm_header)
    code = key.map(lookup)
    example = known["code"].iloc[0] if len(known) else "INV-EVENTS"
    amb = key.map(ambiguous)
    problems += _problems(long, code.isna() & amb.notna(), long["ind_col"], long["ind_raw"],
                          "ingest.ambiguous_indicator", codes=amb)
    problems += _problems(long, code.isna() & amb.isna(), long["ind_col"], long["ind_raw"],
                          "ingest.unknown_indicator", example=example)

    per = _parse_periods(long["per_raw"])
    per_column = long["per_col"]
    problems += _problems(long, per["period"].isna(), per_column, long["per_raw"], "ingest.bad_period")

    kinds = known.drop_duplicates("code").set_index("code")["kind"]
    kind = code.map(kinds)
    good = code.notna() & per["period"].notna()
    # inside the span of some plan that has the indicator
    spans = known[["code", "span_start", "span_end"]]
    pairs = pd.DataFrame({"i": long.index, "code": code, "start": per["start"], "end": per["end"]})[good]
    merged = pairs.merge(spans, on="code", how="left")
    merged["inside"] = (merged["start"] >= merged["span_start"].dt.date) & (merged["end"] <= merged["span_end"].dt.date)
    inside = merged.groupby("i")["inside"].any().reindex(long.index, fill_value=True)
    first_span = spans.drop_duplicates("code").set_index("code")
    outside = good & ~inside
    problems += _problems(long, outside, per_column, long["per_raw"], "ingest.outside_plan",
                          period=per["period"], indicator=code,
                          start=code.map(first_span["span_start"].dt.date).astype(str),
                          end=code.map(first_span["span_end"].dt.date).astype(str))

    # values, by kind
    numbers = _numbers(long["val_raw"])
    is_ms = kind.eq("milestone")
    ms_value, done_on, ms_ok = _milestones(long["val_raw"])
    problems += _problems(long, code.notna() & ~is_ms & numbers.isna(), long["val_col"], long["val_raw"],
                          "ingest.not_number")
    problems += _problems(long, kind.eq("count") & (numbers < 0), long["val_col"], long["val_raw"],
                          "ingest.negative", indicator=code)
    problems += _problems(long, is_ms & ~ms_ok, long["val_col"], long["val_raw"], "ingest.bad_milestone")
    problems += _problems(long, kind.eq("count") & long["cumulative"].astype(bool), long["val_col"], long["val_raw"],
                          "ingest.cumulative", indicator=code)
    value = numbers.where(~is_ms, ms_value)

    # duplicates and double counting, on (indicator, period)
    keyed = pd.DataFrame({"code": code, "period": per["period"], "grain": per["grain"], "row": long["row"]})[good]
    dup = keyed.duplicated(["code", "period"], keep=False)
    if dup.any():
        d = keyed[dup]
        group = d.groupby(["code", "period"])["row"]
        first, second = group.transform("min"), group.transform(lambda r: r.sort_values().iloc[1])
        other = first.where(d["row"] != first, second)
        problems += _problems(long, dup.reindex(long.index, fill_value=False), per_column, long["per_raw"],
                              "ingest.duplicate", indicator=code, period=per["period"], other=other.reindex(long.index))
    problems += _double_counting(long, keyed[~dup], kind, per_column)

    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return _rows(long, code, per, value, done_on), problems, blanks


def _double_counting(long: pd.DataFrame, keyed: pd.DataFrame, kind: pd.Series, per_column) -> list[Problem]:
    """A count given for a period and for a part of it in one file."""
    counts = keyed[kind.reindex(keyed.index).eq("count")]
    if counts.empty:
        return []
    present = counts.set_index(["code", "period"])["row"]
    present = present[~present.index.duplicated()]
    found = []
    for grain in GRAINS[1:]:
        finer = counts[counts["grain"].map(MONTHS_PER) < MONTHS_PER[grain]]
        if finer.empty:
            continue
        parents = {label: parse_period(label).parent(grain).label for label in finer["period"].unique()}
        parent = finer["period"].map(parents)
        hit = pd.MultiIndex.from_arrays([finer["code"], parent]).isin(present.index)
        if hit.any():
            sub = finer[hit]
            other = present.reindex(pd.MultiIndex.from_arrays([sub["code"], parent[hit]])).values
            found.append(pd.DataFrame({"part": sub["period"], "period": parent[hit], "other": other},
                                      index=sub.index))
    if not found:
        return []
    hits = pd.concat(found)
    hits = hits[~hits.index.duplicated()]
    mask = pd.Series(False, index=long.index)
    mask[hits.index] = True
    code = counts["code"].reindex(long.index)
    return _problems(long, mask, per_column, long["per_raw"], "ingest.double_count",
                     indicator=code, period=hits["period"].reindex(long.index), part=hits["part"].reindex(long.index),
                     other=hits["other"].reindex(long.index))


def empty_rows() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in OBS_COLUMNS})


def _rows(long: pd.DataFrame, code: pd.Series, per: pd.DataFrame, value: pd.Series, done_on: pd.Series) -> pd.DataFrame:
    if long.empty:
        return empty_rows()
    return pd.DataFrame({
        "row_no": long["row"].astype("int64"), "indicator": code, "period": per["period"], "grain": per["grain"],
        "period_start": per["start"], "period_end": per["end"], "value": value.astype(float),
        "done_on": done_on, "note": long["note"].where(long["note"].ne(""), None)}).reset_index(drop=True)
