"""The decomposition of one year (SPEC §3.8): over the calendar, and down the owner tree.

* :func:`split_calendar` — every indicator's annual target to quarters, months and ISO-week
  pieces (udfs.decompose.calendar_split: each level adds up exactly to its parent; rates copied);
* :func:`owner_tree` — 全店 → 业务线 → 部门 → 员工: each 上级's year split over its owners by
  占比 or 目标额 (largest remainder), and owners × months by exact two-way rounding
  (udfs.decompose.split_table), so every parent's months are its owners' sums and every
  owner's months add up to its year. Nodes come out depth-first: each owner right under its 上级.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.io.problems import Problem
from addin.io.schema import OWNERS, SHEETS
from udfs.dates import week_segments
from udfs.decompose import calendar_split, decompose, split_table
from udfs.vocab import InputError

from .read import SHARE_TOLERANCE, STORE

QUARTERS = [f"q{q}" for q in range(1, 5)]          # indicators' quarter targets
MONTHS = [f"m{m}" for m in range(1, 13)]           # indicators' month targets
O = SHEETS[OWNERS]


@dataclass
class Model:
    """The decomposition of one year: every table the sheets, the report and the checks need.

    indicators: one row per indicator (indicator, unit, additive, target, direction, lower,
        method, calendar, decimals, lead, note, weights, _row, q1…q4, m1…m12 targets);
    owners: one row per node, depth-first (indicator, parent, owner, type, display, twin, path,
        level, parent_idx, share, annual, unit, additive, lower, decimals, lead, _row); the
        store node of an indicator has owner "" and level 0;
    months: (nodes, 12) month targets aligned with ``owners``;
    segments: the ISO-week pieces of the year (udfs.dates.week_segments); weeks: (indicators, S);
    checks: the 目标校验 table (addin.targets.checks); progress: one row per node
    (addin.targets.progress.COLUMNS) as of ``as_of`` — both empty until build_model fills them.
    """

    year: int
    as_of: _dt.date | None
    indicators: pd.DataFrame
    owners: pd.DataFrame
    months: np.ndarray
    segments: pd.DataFrame
    weeks: np.ndarray
    checks: pd.DataFrame = field(default_factory=pd.DataFrame)
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)
    calendars: dict = field(default_factory=dict)      # code → udfs.dates.Calendar (with the store's 节假日)


# --------------------------------------------------------------------------- calendar
def split_calendar(ind: pd.DataFrame, year: int, calendar: str,
                   calendars: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """(indicators with q1…q4 and m1…m12, the week segments, (n, S) week targets).
    ``calendars``: code → udfs.dates.Calendar (the cn calendar with the store's 节假日)."""
    cals = calendars or {}
    ind = ind.reset_index(drop=True).copy()
    n = len(ind)
    quarter, month = np.full((n, 4), np.nan), np.full((n, 12), np.nan)
    try:
        seg = week_segments(year, cals.get(calendar, calendar))
    except InputError:                 # cn outside its years: reported per row where used
        seg = week_segments(year, "weekend")
    week = np.full((n, len(seg)), np.nan)
    cal = ind["calendar"].to_numpy(dtype=object)
    for c in pd.unique(cal):                                       # at most two calendars
        sel = np.flatnonzero(cal == c)
        res = calendar_split(ind["target"].to_numpy(dtype=float)[sel], np.vstack(ind["weights"].to_numpy()[sel]),
                             year, cals.get(c, c),
                             week_basis=np.where(ind["method"].to_numpy()[sel] == "workdays", "workdays", "days"),
                             decimals=ind["decimals"].to_numpy()[sel], additive=ind["additive"].to_numpy()[sel])
        quarter[sel], month[sel], week[sel] = res["quarter"], res["month"], res["week"]
    for q in range(4):
        ind[QUARTERS[q]] = quarter[:, q]
    for m in range(12):
        ind[MONTHS[m]] = month[:, m]
    return ind, seg, week


# --------------------------------------------------------------------------- owners
def owner_tree(ind: pd.DataFrame, own: pd.DataFrame, problems: list) -> tuple[pd.DataFrame, np.ndarray]:
    """Nodes (store + owners, depth-first) with annual and monthly targets; shares validated per
    上级. A group whose shares do not add up is reported and gets NaN targets (and so do the
    owners below it), so the rest of the tree is still checked."""
    out_rows: list = []
    out_months: list = []
    by_ind = {k: g for k, g in own.groupby("indicator", sort=False)}
    month = ind[MONTHS].to_numpy(dtype=float)
    for i, r in enumerate(ind.to_dict("records")):                # one pass per indicator (tens)
        out_rows.append(dict(indicator=r["indicator"], parent="", owner="", type="store", display=STORE, twin="",
                             path=STORE, level=0, parent_idx=-1, share=1.0, annual=r["target"], unit=r["unit"],
                             additive=bool(r["additive"]), lower=bool(r["lower"]), decimals=int(r["decimals"]),
                             lead=r["lead"], _row=r["_row"]))
        out_months.append(month[i])
        g = by_ind.get(r["indicator"])
        if g is not None:
            _grow(r, g[g["owner"].ne("")], out_rows, out_months, problems)
    nodes = pd.DataFrame(out_rows, columns=list(out_rows[0]) if out_rows else None)
    months = np.vstack(out_months) if out_months else np.zeros((0, 12))
    return depth_first(nodes, months)


def _grow(r: dict, g: pd.DataFrame, out_rows: list, out_months: list, problems: list) -> None:
    """Add the owners of one indicator, breadth-first from its store node."""
    name, dec, additive = r["indicator"], int(r["decimals"]), bool(r["additive"])
    counts = g["owner"].value_counts()
    queue = [("", len(out_rows) - 1, STORE, 0)]
    seen_parent = {""}
    while queue:
        parent, p_idx, p_path, level = queue.pop(0)
        kids = g[g["parent"] == parent]
        if not len(kids):
            continue
        dup = kids["owner"].duplicated().to_numpy()
        for rr, v in zip(kids["_row"].to_numpy()[dup], kids["owner"].to_numpy()[dup]):
            problems.append(Problem(OWNERS, int(rr), O.header("owner"), f"「{v}」在同一上级下重复"))
        kids = kids[~dup]
        p_annual, p_months = out_rows[p_idx]["annual"], out_months[p_idx]
        where = f"「{name}」{p_path if parent else STORE}"
        annual, k_months, shares = _split_group(kids, p_annual, p_months, dec, additive, where, problems)
        for j, k in enumerate(kids.to_dict("records")):
            owner = k["owner"]
            path = f"{p_path} › {k['display']}"
            out_rows.append(dict(indicator=name, parent=parent, owner=owner, type=k["type"], display=k["display"],
                                 twin=k["twin"], path=path, level=level + 1, parent_idx=p_idx, share=shares[j],
                                 annual=annual[j], unit=r["unit"], additive=additive, lower=bool(r["lower"]),
                                 decimals=dec, lead="", _row=k["_row"]))
            out_months.append(k_months[j])
            if owner in seen_parent:
                continue
            if counts.get(owner, 0) > 1 and (g["parent"] == owner).any():
                problems.append(Problem(OWNERS, int(k["_row"]), O.header("owner"),
                                        f"「{owner}」在「{name}」下出现多次，不能再作为上级"))
                continue
            seen_parent.add(owner)
            queue.append((owner, len(out_rows) - 1, path, level + 1))
    orphans = g[~g["parent"].isin(seen_parent)]
    for rr, v in zip(orphans["_row"], orphans["parent"]):
        problems.append(Problem(OWNERS, int(rr), O.header("parent"),
                                f"上级「{v}」不是「{name}」的责任人（留空表示全店）"))


def _split_group(kids, p_annual, p_months, dec, additive, where, problems):
    """(annual (k,), months (k, 12), shares (k,)) of one 上级's owners."""
    k = len(kids)
    if not additive:                                   # rates: every owner has the same target
        return np.full(k, p_annual), np.tile(p_months, (k, 1)), np.full(k, np.nan)
    weights = child_weights(kids, p_annual, dec, where, problems)
    if weights is None or np.isnan(p_months).any() or np.isnan(p_annual):
        return np.full(k, np.nan), np.full((k, 12), np.nan), np.full(k, np.nan)
    if p_annual <= 0:
        return np.zeros(k), np.zeros((k, 12)), weights / weights.sum()
    annual = decompose(p_annual, weights, dec)
    return annual, split_table(annual, p_months, dec), weights / weights.sum()


def child_weights(kids: pd.DataFrame, p_annual: float, dec: int, where: str, problems: list) -> np.ndarray | None:
    """The owners' weights under one 上级: all 占比 (adding up to 100%) or all 目标额 (adding up
    to the 上级's target at the indicator's precision); None (and a problem) otherwise."""
    rows = kids["_row"].to_numpy()
    listed = "、".join(map(str, rows))
    share, amount = kids["share"].to_numpy(dtype=float), kids["amount"].to_numpy(dtype=float)
    has_s, has_a = ~np.isnan(share), ~np.isnan(amount)
    if has_s.all():
        total = share.sum() / (100 if share.max(initial=0) > 1 else 1)
        if abs(total - 1) > SHARE_TOLERANCE:
            problems.append(Problem(OWNERS, int(rows[0]), O.header("share"),
                                    f"{where}下各责任人占比合计应为100%（现为 {total:.2%}，第{listed}行）"))
            return None
        return share
    if has_a.all():
        if np.isnan(p_annual):
            return None
        if abs(amount.sum() - p_annual) > 10.0 ** -dec / 2:
            d = max(dec, 0)
            problems.append(Problem(OWNERS, int(rows[0]), O.header("amount"),
                                    f"{where}下各责任人目标额合计 {amount.sum():,.{d}f} ≠ 上级目标 {p_annual:,.{d}f}"
                                    f"（第{listed}行）"))
            return None
        return amount if amount.sum() > 0 else np.ones(len(amount))
    missing = rows[~has_s & ~has_a]
    if len(missing):
        problems += [Problem(OWNERS, int(rr), O.header("share"), f"{where}下的责任人需填写占比或目标额")
                     for rr in missing]
    else:
        problems.append(Problem(OWNERS, int(rows[0]), O.header("share"),
                                f"{where}下请统一填写占比或统一填写目标额（第{listed}行）"))
    return None


def depth_first(nodes: pd.DataFrame, months: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Nodes reordered so that every owner comes right under its 上级 (parent_idx renumbered)."""
    if not len(nodes):
        return nodes, months
    kids: dict = {}
    for i, p in enumerate(nodes["parent_idx"].to_numpy(dtype=int)):
        kids.setdefault(p, []).append(i)
    order, stack = [], list(reversed(kids.get(-1, [])))
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(reversed(kids.get(i, [])))
    order = np.asarray(order, dtype=int)
    new_pos = np.empty(len(nodes), dtype=int)
    new_pos[order] = np.arange(len(order))
    nodes = nodes.iloc[order].reset_index(drop=True)
    p = nodes["parent_idx"].to_numpy(dtype=int)
    nodes["parent_idx"] = np.where(p >= 0, new_pos[np.maximum(p, 0)], -1)
    return nodes, months[order]
