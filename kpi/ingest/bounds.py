"""The values an indicator can take, for both paths of the ingest.

A rate is a percentage: 0 to 100. Counts and stocks are never negative. A plan may say otherwise for an item
(``bounds: {low, high}``, either side optional): a side it gives replaces the default of that side, so a
growth rate with ``bounds: {low: -100, high: 500}`` takes -30, and a stock with ``bounds: {high: 31}`` still
no negative. Milestones are done or not: no bounds.

The bounds come from the newest revision of every plan in the store, as the indicators do; an indicator in
several plans whose bounds differ is checked against the plans whose span holds the period (any will do).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULTS: dict[str, tuple[float | None, float | None]] = {
    "count": (0.0, None), "stock": (0.0, None), "rate": (0.0, 100.0), "milestone": (None, None)}



def declared(store) -> pd.DataFrame:
    """plan_id, code, low, high of every item whose plan (its newest revision) declares bounds. Only the plans
    that declare any are read as models (``store.plan``)."""
    rows = []
    # the plans whose newest revision's canonical JSON mentions bounds (a plan without them has no such key)
    for plan_id in store.plans_mentioning('"bounds"'):
        for item in store.plan(plan_id).indicators():
            if item.bounds is not None:
                rows.append((plan_id, item.code, item.bounds.low, item.bounds.high))
    return pd.DataFrame(rows, columns=["plan_id", "code", "low", "high"]).astype({"low": float, "high": float})


def with_declared(known: pd.DataFrame, given: pd.DataFrame) -> pd.DataFrame:
    """``known`` (Store.known_indicators) with the bounds ``given`` (``declared``) as columns low and high, NaN
    where its plan declares none."""
    if given.empty:
        return known.assign(low=np.nan, high=np.nan)
    return known.merge(given, on=["plan_id", "code"], how="left", validate="many_to_one")


def effective(known: pd.DataFrame) -> pd.DataFrame:
    """Per plan and indicator: code, kind, the bounds in force (NaN = none) and whether the plan set each side
    (``low_set``, ``high_set``) or it is the default of the kind."""
    out = pd.DataFrame({"code": known["code"].to_numpy(), "kind": known["kind"].to_numpy()})
    for side, at in (("low", 0), ("high", 1)):
        given = (pd.to_numeric(known[side], errors="coerce").to_numpy(dtype=float) if side in known
                 else np.full(len(known), np.nan))
        default = out["kind"].map({k: v[at] for k, v in DEFAULTS.items()}).astype(float).to_numpy()
        out[f"{side}_set"] = ~np.isnan(given)
        out[side] = np.where(out[f"{side}_set"], given, default)
    return out


SIDES = ["kind", "low", "high", "low_set", "high_set"]


def per_row(known: pd.DataFrame, code: pd.Series, start_day: pd.Series, end_day: pd.Series,
            number: pd.Series) -> pd.DataFrame:
    """For each row (a code, a period as day numbers, a number): kind, low, high, low_set, high_set of the plan
    it is checked against, and ``ok`` (within them). Rows of unknown codes, and of an indicator whose plans
    disagree for a period in none of their spans, come back ok."""
    eff = effective(known)
    distinct = eff.drop_duplicates(["code", *SIDES])
    several = set(distinct["code"][distinct["code"].duplicated()])
    first = distinct.drop_duplicates("code").set_index("code")
    ids, uniques = pd.factorize(code)  # map each distinct code once; -1 (unknown) takes the fill
    at = np.append(first.index.get_indexer(uniques), -1)[ids]
    fills = {"kind": None, "low": np.nan, "high": np.nan, "low_set": False, "high_set": False}
    out = pd.DataFrame({s: _take(first[s].to_numpy(), at, fills[s]) for s in SIDES}, index=code.index)
    value = number.to_numpy(dtype=float)
    out["ok"] = ~(value < out["low"].to_numpy()) & ~(value > out["high"].to_numpy())  # NaN compares false
    if several:  # an indicator whose plans disagree: any plan whose span holds the period will do
        eff = eff.assign(start_day=[d.toordinal() for d in pd.to_datetime(known["span_start"]).dt.date],
                         end_day=[d.toordinal() for d in pd.to_datetime(known["span_end"]).dt.date])
        mine = code.isin(several) & number.notna()
        rows = pd.DataFrame({"i": code.index[mine], "code": code[mine].to_numpy(), "v": number[mine].to_numpy(),
                             "start": start_day[mine].to_numpy(), "end": end_day[mine].to_numpy()})
        pairs = rows.merge(eff[eff["code"].isin(several)], on="code")
        pairs = pairs[(pairs["start_day"] <= pairs["start"]) & (pairs["end_day"] >= pairs["end"])]
        pairs = pairs.assign(ok=_within(pairs["v"], pairs["low"], pairs["high"]).to_numpy())
        pick = pairs.sort_values("ok", ascending=False, kind="stable").drop_duplicates("i").set_index("i")
        out.loc[pick.index, [*SIDES, "ok"]] = pick[[*SIDES, "ok"]].to_numpy()
        out.loc[code.index[mine].difference(pick.index), "ok"] = True  # in no plan's span: said elsewhere
    out["ok"] = out["ok"].astype(bool)
    return out


def _take(values: np.ndarray, at: np.ndarray, fill: object) -> np.ndarray:
    """values[at], ``fill`` where at is -1."""
    return np.append(values, np.array([fill], dtype=values.dtype))[np.where(at < 0, len(values), at)]


def _within(value: pd.Series, low: pd.Series, high: pd.Series) -> pd.Series:
    low, high = low.astype(float), high.astype(float)
    return (low.isna() | ~(value < low)) & (high.isna() | ~(value > high))
