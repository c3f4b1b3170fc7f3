"""目标校验: the sums at every level, and the cross-checks a service manager asks for.

Sums: year = quarters, quarter = months, month = its week pieces, every 上级 = its owners (year
and each month), every owner's months = its year — compared in whole units of the indicator's
precision. Cross-checks of the seed's targets (002 篇1): the revenue per car implied by the
revenue and car-intake targets against the per-car targets; the cars the streams need at their
per-car targets; the daily intake target × workdays against the monthly intake target.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from udfs.dates import days_in_month, workdays_in
from .model import MONTHS, QUARTERS, Model

COLUMNS = ["类别", "校验", "数据", "结论"]
OK, BAD = "相符", "不符"


def _same(a: np.ndarray, b: np.ndarray, decimals: np.ndarray) -> bool:
    units = 10.0 ** decimals.reshape(-1, 1)
    return bool(np.all(np.round(a * units) == np.round(b * units)))


def sums(model: Model) -> list[tuple]:
    """The four 合计 rows (and the 不可加 note)."""
    ind, nodes, months = model.indicators, model.owners, model.months
    add = ind[ind["additive"].to_numpy(dtype=bool)]
    dec = add["decimals"].to_numpy(dtype=int)
    q, m = add[QUARTERS].to_numpy(dtype=float), add[MONTHS].to_numpy(dtype=float)
    w = model.weeks[ind["additive"].to_numpy(dtype=bool)]
    seg_m = model.segments["month"].to_numpy()
    ok_q = _same(q.sum(axis=1, keepdims=True), add[["target"]].to_numpy(dtype=float), dec)
    ok_m = _same(m.reshape(-1, 4, 3).sum(axis=2), q, dec)
    ok_w = _same(np.stack([w[:, seg_m == k].sum(axis=1) for k in range(1, 13)], axis=1), m, dec) if len(add) else True
    rows = [("合计", "年度 = 四个季度之和", f"{len(add)} 个可加指标", OK if ok_q else BAD),
            ("合计", "季度 = 三个月之和", f"{len(add) * 4} 个季度", OK if ok_m else BAD),
            ("合计", "月度 = 月内各周之和（ISO周按月切分）", f"{len(add) * 12} 个月", OK if ok_w else BAD)]
    # owners: each 上级's year and months = its owners', each owner's months = its year
    kids = nodes[nodes["additive"].to_numpy(dtype=bool) & (nodes["level"] > 0)]
    groups, bad = 0, 0
    for p_idx, g in kids.groupby("parent_idx", sort=False):       # one group per 上级 (tens)
        groups += 1
        d = np.array([int(nodes.at[p_idx, "decimals"])])
        idx = g.index.to_numpy()
        if not (_same(months[idx].sum(axis=0), months[p_idx], d)
                and _same(np.array([g["annual"].sum()]), np.array([nodes.at[p_idx, "annual"]]), d)
                and _same(months[idx].sum(axis=1), g["annual"].to_numpy(dtype=float), d)):
            bad += 1
    rows.append(("合计", "上级目标 = 各责任人之和（年度及每月），责任人各月之和 = 其年度目标", f"{groups} 组",
                 OK if bad == 0 else f"{bad} 组{BAD}"))
    copied = ind[~ind["additive"].to_numpy(dtype=bool)]
    if len(copied):
        rows.append(("不可加", "比率/单值类指标按年度目标复制到各季、月、周和责任人，不拆分",
                     "、".join(copied["indicator"].tolist()[:8]), "已复制"))
    return rows


def _find(ind: pd.DataFrame, name_rx: str, unit_rx: str | None = None, additive=None):
    m = ind["indicator"].str.contains(name_rx, regex=True)
    if unit_rx is not None:
        m &= ind["unit"].str.contains(unit_rx, regex=True)
    if additive is not None:
        m &= ind["additive"] == additive
    hit = ind[m]
    return hit.iloc[0] if len(hit) else None


def cross_checks(model: Model) -> list[tuple]:
    """The seed's cross-checks: revenue ÷ intake against the per-car targets; the cars the
    streams need; the daily intake target against the monthly one."""
    ind, nodes = model.indicators, model.owners
    rows = []
    revenue = _find(ind, "产值|营业额|营业收入", "^元$|^万元$", True)
    if revenue is not None and "单车" in revenue["indicator"]:
        revenue = None
    intake = _find(ind, "接车", r"^台|^辆", True)
    daily = _find(ind, "接车", r"天|日", False)
    if daily is None:
        daily = _find(ind, "日接车|日均接车", None, False)
    per_car = ind[ind["indicator"].str.contains("单车产值|单车")]
    if revenue is not None and intake is not None and intake["target"] > 0:
        scale = 10_000 if str(revenue["unit"]).startswith("万") else 1
        implied = revenue["target"] * scale / intake["target"]
        text = (f"{revenue['indicator']} {revenue['target'] * scale:,.0f} 元 ÷ {intake['indicator']} "
                f"{intake['target']:,.0f} 台 = {implied:,.0f} 元/台")
        verdict = "—"
        if len(per_car):
            lo, hi = per_car["target"].min(), per_car["target"].max()
            text += "；单车产值目标：" + "、".join(f"{a} {b:,.0f}" for a, b in zip(per_car["indicator"], per_car["target"]))
            if implied < lo:
                text += f"；若 {intake['target']:,.0f} 台都达到最低单车产值 {lo:,.0f}，营业额应 ≥ {lo * intake['target']:,.0f} 元"
                verdict = "注意：低于单车产值目标，三项目标不一致"
            else:
                verdict = OK if implied <= hi else "注意：高于单车产值目标"
        rows.append(("交叉校验", "隐含单车产值 = 营业额目标 ÷ 接车目标", text, verdict))
        rev_m = revenue[MONTHS].to_numpy(dtype=float) * scale
        cars_m = intake[MONTHS].to_numpy(dtype=float)
        per_month = rev_m / np.where(cars_m > 0, cars_m, np.nan)
        rows.append(("交叉校验", "各月隐含单车产值（营业额月目标 ÷ 接车月目标）",
                     f"最低 {np.nanmin(per_month):,.0f}，最高 {np.nanmax(per_month):,.0f} 元/台", "—"))
        if len(per_car) >= 2:
            rows += _cars_needed(nodes, revenue, intake, per_car, scale)
    if daily is not None and intake is not None:
        rows.append(_daily_intake(model, daily, intake))
    return rows


def _cars_needed(nodes, revenue, intake, per_car, scale) -> list[tuple]:
    """Each stream's revenue ÷ the per-car target named after it, e.g. 单车产值(保险) → 保险理赔."""
    streams = nodes[(nodes["indicator"] == revenue["indicator"]) & (nodes["level"] == 1)]
    keys = per_car["indicator"].str.extract(r"[(（](.+?)[)）]")[0].fillna("")
    need, parts = 0.0, []
    for owner, annual in zip(streams["owner"], streams["annual"]):
        pc = per_car[[bool(k) and k in owner for k in keys]]
        if len(pc):
            cars = annual * scale / pc["target"].iloc[0]
            need += cars
            parts.append(f"{owner} {annual * scale:,.0f} ÷ {pc['target'].iloc[0]:,.0f} = {cars:,.0f} 台")
    if not parts:
        return []
    return [("交叉校验", "按单车产值目标倒推所需台次",
             "；".join(parts) + f"；合计 {need:,.0f} 台，接车目标 {intake['target']:,.0f} 台",
             OK if need <= intake["target"] else "注意：接车目标不足")]


def _daily_intake(model: Model, daily, intake) -> tuple:
    cal, y = intake["calendar"], model.year
    days = days_in_month(np.full(12, y), np.arange(1, 13))
    wd = np.asarray(workdays_in([f"{y}-{k:02d}-01" for k in range(1, 13)],
                                [f"{y}-{k:02d}-{int(days[k - 1]):02d}" for k in range(1, 13)],
                                model.calendars.get(cal, cal)), dtype=float)
    mt = intake[MONTHS].to_numpy(dtype=float)
    need_wd, need_cd = mt / wd, mt / days
    cap = daily["target"] * wd
    short = int((cap < mt).sum())
    cal_zh = "中国法定节假日" if cal == "cn" else "周一至周五"
    return ("交叉校验", f"{daily['indicator']} {daily['target']:g} 台/天 × 工作日（{cal_zh}）对比 {intake['indicator']} 月目标",
            f"每月需日均 {need_wd.min():.1f}–{need_wd.max():.1f} 台（按工作日）或 {need_cd.min():.1f}–{need_cd.max():.1f} 台"
            f"（按日历天）；{daily['target']:g} 台/天 × 工作日 = {cap.min():,.0f}–{cap.max():,.0f} 台/月",
            f"注意：{short} 个月日接车目标不足以完成月接车目标" if short else OK)


def checks(model: Model) -> pd.DataFrame:
    """The 目标校验 table: 类别, 校验, 数据, 结论."""
    return pd.DataFrame(sums(model) + cross_checks(model), columns=COLUMNS)
