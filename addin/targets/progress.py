"""进度: time progress (时间进度) against achievement (完成率) for every store and owner node.

Additive targets: 完成率 = actual to date ÷ annual target; 时间进度 = the share of the year
elapsed (in workdays when the indicator is split by workdays); 差距 (pace) = 完成率 − 时间进度;
计划进度 = the month targets to date (with seasonality) ÷ annual. Status 正常 at or ahead of
time progress, 按计划 behind time progress but not behind the plan, 落后 behind both.
Rates (copied targets): the latest month's actual against the target — 达标 / 未达标, the
direction deciding which side is better. Without any actual: 无实绩.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from addin.io.problems import BookError, Problem
from udfs.dates import time_progress
from udfs.parse import date_or_none

from .model import Model

ON_TIME, ON_PLAN, BEHIND, MET, MISSED, NO_DATA = "正常", "按计划", "落后", "达标", "未达标", "无实绩"
STATUSES = (ON_TIME, ON_PLAN, BEHIND, MET, MISSED, NO_DATA)
LAGGING = (BEHIND, MISSED)                      # shown red
PACE_BEHIND = -0.0                              # pace below this → behind time progress

COLUMNS = ["indicator", "owner", "display", "path", "type", "unit", "additive", "decimals", "annual", "ytd", "done",
           "time_progress", "plan", "pace", "month_target", "month_actual", "month_done", "month_time", "month_pace",
           "status"]


def as_of_date(as_of, year: int) -> _dt.date:
    """The progress date: as given (blank = today), clamped into the year. A date that cannot
    be read is a BookError naming the command line's --date."""
    if as_of in (None, ""):
        d = _dt.date.today()
    else:
        d = date_or_none(as_of)
        if d is None:
            raise BookError([Problem("命令行", None, "--date", f"日期「{as_of}」无法识别（应为 YYYY-MM-DD）")])
    return min(max(d, _dt.date(year, 1, 1)), _dt.date(year, 12, 31))


def actual_matrix(model: Model, act: pd.DataFrame) -> np.ndarray:
    """(nodes, 12) actuals by month; an additive owner without figures takes its owners' sum."""
    nodes = model.owners
    a = np.full((len(nodes), 12), np.nan)
    if len(act) and len(nodes):
        m = act["month"].str[5:7].astype(int).to_numpy() - 1
        piv = (pd.DataFrame({"indicator": act["indicator"], "owner": act["owner"], "m": m, "actual": act["actual"]})
               .groupby(["indicator", "owner", "m"])["actual"].sum().unstack("m").reindex(columns=range(12)))
        a = piv.reindex(pd.MultiIndex.from_arrays([nodes["indicator"], nodes["owner"]])).to_numpy(dtype=float)
    additive = nodes["additive"].to_numpy(dtype=bool)
    parent = nodes["parent_idx"].to_numpy(dtype=int)
    level = nodes["level"].to_numpy(dtype=int)
    for lv in range(int(level.max(initial=0)), 0, -1):            # deepest level first
        kids = np.flatnonzero((level == lv) & additive)
        if not len(kids):
            continue
        have = ~np.isnan(a[kids])
        agg = pd.DataFrame(np.where(have, a[kids], 0.0)).groupby(parent[kids]).sum()
        cnt = pd.DataFrame(have.astype(int)).groupby(parent[kids]).sum()
        sums = np.full((len(nodes), 12), np.nan)
        sums[agg.index.to_numpy()] = np.where(cnt.to_numpy() > 0, agg.to_numpy(), np.nan)
        a = np.where(np.isnan(a) & ~np.isnan(sums), sums, a)
    return a


def progress_rows(model: Model, act: pd.DataFrame) -> pd.DataFrame:
    """One row per store/owner node (an owner reached along two paths once), in tree order."""
    amat = actual_matrix(model, act)
    keep = ~model.owners.duplicated(["indicator", "owner"]).to_numpy()
    nodes, months, amat = model.owners[keep], model.months[keep], amat[keep]
    as_of = model.as_of
    m_now = as_of.month
    ind = model.indicators.set_index("indicator")
    upto = amat[:, :m_now]
    has = ~np.isnan(upto)
    any_ = has.any(axis=1)
    ytd = np.where(any_, np.where(has, upto, 0).sum(axis=1), np.nan)
    cur = amat[:, m_now - 1]
    last_pos = np.where(any_, m_now - 1 - np.argmax(has[:, ::-1], axis=1), 0)
    latest = np.where(any_, upto[np.arange(len(upto)), last_pos], np.nan)
    cal = ind["calendar"].reindex(nodes["indicator"]).to_numpy()
    basis = np.where(ind["method"].reindex(nodes["indicator"]).to_numpy() == "workdays", "workdays", "days")
    tp_year, tp_month = np.zeros(len(nodes)), np.zeros(len(nodes))
    for b, c in set(zip(basis, cal)):                  # at most four (basis × calendar) pairs
        hit = (basis == b) & (cal == c)
        cal_c = model.calendars.get(c, c)
        tp_year[hit] = time_progress(as_of, "year", b, cal_c)
        tp_month[hit] = time_progress(as_of, "month", b, cal_c)
    annual = nodes["annual"].to_numpy(dtype=float)
    month_t = months[:, m_now - 1]
    plan = months[:, : m_now - 1].sum(axis=1) + month_t * tp_month
    additive = nodes["additive"].to_numpy(dtype=bool)
    lower = nodes["lower"].to_numpy(dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        done = np.where(additive, ytd / np.where(annual > 0, annual, np.nan),
                        np.where(lower, annual / latest, latest / annual))
        m_done = np.where(additive, cur / np.where(month_t > 0, month_t, np.nan), np.nan)
        plan_share = plan / np.where(annual > 0, annual, np.nan)
    pace_y = np.where(additive, done - tp_year, np.nan)
    pace_m = np.where(additive, m_done - tp_month, np.nan)
    on_plan = done >= np.nan_to_num(plan_share, nan=np.inf) - 1e-12
    status = np.where(np.isnan(done), NO_DATA,
                      np.where(additive, np.where(pace_y >= PACE_BEHIND, ON_TIME, np.where(on_plan, ON_PLAN, BEHIND)),
                               np.where(done >= 1, MET, MISSED)))
    out = pd.DataFrame({
        "indicator": nodes["indicator"].to_numpy(), "owner": nodes["owner"].to_numpy(),
        "display": nodes["display"].to_numpy(), "path": nodes["path"].to_numpy(), "type": nodes["type"].to_numpy(),
        "unit": nodes["unit"].to_numpy(), "additive": additive, "decimals": nodes["decimals"].to_numpy(dtype=int),
        "annual": annual, "ytd": np.where(additive, ytd, latest), "done": done,
        "time_progress": np.where(additive, tp_year, np.nan), "plan": np.where(additive, plan_share, np.nan),
        "pace": pace_y, "month_target": np.where(additive, month_t, np.nan),
        "month_actual": np.where(additive, cur, np.nan), "month_done": m_done,
        "month_time": np.where(additive, tp_month, np.nan), "month_pace": pace_m, "status": status})
    return out[COLUMNS]


def empty_progress() -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(dtype=object) for k in COLUMNS})


def behind(progress: pd.DataFrame) -> pd.DataFrame:
    """The rows behind both time progress and the plan (status 落后)."""
    return progress[progress["status"].eq(BEHIND)] if len(progress) else progress
