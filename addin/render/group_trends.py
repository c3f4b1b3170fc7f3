"""The group workbook's 月度趋势 (12 months from the archive: the group's line, each store's
average score and pay with a sparkline, KPI attainment by indicator) and 集团评定 (the
group-level grading against the stores' own grades), as SheetSpecs in the house style."""
from __future__ import annotations

import numpy as np
import pandas as pd

from addin.group.pipeline import GroupResults
from addin.group.rollup import indicator_labels
from addin.io import schema as S
from udfs.vocab import GRADE, GRADES, GROUP_SCOPE

from .group import cell, department_sheet, grid, kpi_sheet, league_sheet, month_title, problems_sheet, scope_text
from .sheet import Bulk, Chart, SheetSpec, blank
from .style import AMBER, BLUE, GREEN, NAVY, RED, heat_scale

MAX_INDICATORS = 40


def group_months(trend: dict) -> pd.DataFrame:
    """The group's line per month (index = the trend's months): stores, graded, average score
    (over every graded person), A…E shares, pay."""
    st, months = trend["stores"], trend["months"]
    if not len(st):
        return pd.DataFrame(index=pd.Index(months, name="month"))
    st = st.assign(weighted=st["mean"].astype(float) * st["graded"])
    g = st.groupby("month")
    out = pd.DataFrame({"stores": g.size(), "graded": g["graded"].sum(), "weighted": g["weighted"].sum(),
                        "pay": g["pay"].sum(min_count=1),                 # 历史 pasted without pay: blank
                        **{f"n_{x}": g[f"n_{x}"].sum() for x in GRADES}}).reindex(months)
    n = out["graded"].where(out["graded"] > 0)
    out["mean"] = out["weighted"] / n
    for x in GRADES:
        out[f"share_{x}"] = out[f"n_{x}"] / n
    out["share_AB"] = (out["n_A"] + out["n_B"]) / n
    out["share_DE"] = (out["n_D"] + out["n_E"]) / n
    return out.rename_axis("month")


def kpi_months(trend: dict) -> pd.DataFrame:
    """Indicator (its group-wide name) × month: the average attainment, most used first."""
    k = trend["kpis"]
    if not len(k):
        return pd.DataFrame(columns=trend["months"])
    k = k.assign(label=indicator_labels(k["indicator"].where(k["indicator"].ne(k["item"]), ""), k["item"]).to_numpy(),
                 w=k["attainment"].astype(float) * k["n"])
    g = k.groupby(["label", "month"])
    table = (g["w"].sum() / g["n"].sum()).unstack("month").reindex(columns=trend["months"])
    order = k.groupby("label")["n"].sum().sort_values(ascending=False, kind="stable").index[:MAX_INDICATORS]
    return table.reindex(order)


def _month_headers(months: list) -> list:
    return [f"{m[:4]}年{int(m[5:])}月" if i == 0 or m.endswith("-01") else f"{int(m[5:])}月"
            for i, m in enumerate(months)]


def trends_sheet(res: GroupResults) -> SheetSpec:
    sh = SheetSpec(S.TRENDS, gridlines=False, paper=8)
    months = res.trend.get("months") or []
    heads = _month_headers(months)
    nm = len(months)
    sh.column_widths([6, 18] + [9] * nm + [16, 9])
    sh.heights[0] = 28
    sh.put(0, 0, month_title(res, f"月度趋势（近{nm}个月，数据来自归档）"), "title")
    sh.put(1, 0, "每月数据取自归档数据库：集团汇总计算过的月份为完整结果，更早的月份取自各门店工作簿的「历史」表。"
                 f"归档：{res.archive}", "sub")
    gm = group_months(res.trend)
    r = 3
    sh.put(r, 0, "一、全集团", "section")
    lines = [("门店数", "stores", "int"), ("参评人数", "graded", "int"), ("平均分", "mean", "score"),
             *[(f"{x}占比", f"share_{x}", "pct") for x in GRADES], ("A+B占比", "share_AB", "pct"),
             ("D+E占比", "share_DE", "pct"), ("绩效工资合计(元)", "pay", "money0")]
    sh.merge(r + 1, 0, r + 1, 1, "指标", "head")
    sh.row(r + 1, heads, "head_month", 2)
    row_of = {}
    for i, (label, key, fmt) in enumerate(lines):
        rr = r + 2 + i
        row_of[key] = rr
        sh.merge(rr, 0, rr, 1, label, "bold")
        vals = gm[key].to_numpy() if key in gm else [None] * nm
        sh.row(rr, [cell(v) for v in vals], fmt, 2)
    r = r + 2 + len(lines) + 1
    # the charts start at the first month the archive holds (no line dropping to 0 before it)
    held = [i for i, m in enumerate(months) if "graded" in gm and m in gm.index and gm.at[m, "graded"] > 0]
    c0 = 2 + (held[0] if held else 0)
    cats = (r - len(lines) - 2, c0, r - len(lines) - 2, 1 + nm)
    if nm:
        axis = {"major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}}
        sh.charts.append(Chart("line", [{"name": "平均分", "categories": cats,
                                         "values": (row_of["mean"], c0, row_of["mean"], 1 + nm), "color": NAVY,
                                         "labels": "0.0"}], title="集团平均分", anchor=(r, 0), size=(470, 260),
                               legend=None, y_axis=dict(axis, num_format="0")))
        sh.charts.append(Chart("line", [
            {"name": "A+B占比", "categories": cats, "values": (row_of["share_AB"], c0, row_of["share_AB"], 1 + nm),
             "color": GREEN},
            {"name": "D+E占比", "categories": cats, "values": (row_of["share_DE"], c0, row_of["share_DE"], 1 + nm),
             "color": RED}], title="优秀(A+B)与待改进(D+E)占比", anchor=(r, 6), offset=(20, 0), size=(470, 260),
            y_axis=dict(axis, num_format="0%")))
        sh.charts.append(Chart("column", [{"name": "绩效工资合计", "categories": cats,
                                           "values": (row_of["pay"], c0, row_of["pay"], 1 + nm), "color": BLUE}],
                               title="绩效工资合计(元)", anchor=(r, 12), offset=(40, 0), size=(470, 260), legend=None,
                               y_axis=dict(axis, num_format="#,##0")))
        r += 15
    st = res.trend.get("stores")
    order = list(res.league["store"]) if res.league is not None else []
    if st is not None and len(st):
        order += [s for s in pd.unique(st["store"]) if s not in set(order)]
    rank = dict(zip(res.league["store"], res.league["rank"])) if res.league is not None else {}
    for n_sec, (title, key, fmt, scale) in enumerate((("各门店平均分", "mean", "score", heat_scale(90, 100, 110)),
                                                      ("各门店绩效工资合计(元)", "pay", "money0", None)), 2):
        sh.put(r, 0, f"{'一二三四五'[n_sec - 1]}、{title}（近{nm}个月；走势为迷你图）", "section")
        sh.row(r + 1, ["排名", "门店"], "head")
        sh.row(r + 1, heads + ["走势", "较上月"], "head_month", 2)
        first = r + 2
        mat = st.pivot_table(index="store", columns="month", values=key, aggfunc="first").reindex(
            index=order, columns=months) if st is not None and len(st) else pd.DataFrame(index=order, columns=months)
        for i, store in enumerate(order):
            rr = first + i
            vals = mat.loc[store].to_numpy(dtype=float) if len(mat.columns) else np.array([])
            sh.put(rr, 0, cell(rank.get(store)), "int")
            sh.put(rr, 1, store, "bold")
            sh.row(rr, [cell(v) for v in vals], fmt, 2)
            change = vals[-1] - vals[-2] if nm >= 2 and not (blank(vals[-1]) or blank(vals[-2])) else None
            sh.put(rr, 3 + nm, cell(change), "score" if key == "mean" else "money0")
            sh.put(rr, 2 + nm, None, "text")
            sh.sparklines.append((rr, 2 + nm, {"range": f"{_col(2)}{rr + 1}:{_col(1 + nm)}{rr + 1}", "type": "line",
                                               "markers": True, "series_color": NAVY, "high_point": True,
                                               "low_point": True, "high_color": GREEN, "low_color": RED,
                                               "empty_cells": "connect"}))
        if order:
            last = first + len(order) - 1
            if scale:
                sh.conditional.append((first, 2, last, 1 + nm, scale))
            sh.conditional.append((first, 3 + nm, last, 3 + nm, {"type": "cell", "criteria": "<", "value": 0,
                                                                 "format": "red_text"}))
        else:
            sh.put(first, 0, "（无）", "text")
        r = first + max(len(order), 1) + 1
    km = kpi_months(res.trend)
    sh.put(r, 0, f"四、KPI 指标达成率（全集团，近{nm}个月；仅集团汇总计算过的月份有明细）", "section")
    sh.merge(r + 1, 0, r + 1, 1, "指标", "head")
    sh.row(r + 1, heads, "head_month", 2)
    for i, (label, row) in enumerate(km.iterrows()):
        sh.merge(r + 2 + i, 0, r + 2 + i, 1, label, "bold")
        sh.row(r + 2 + i, [cell(v) for v in row.to_numpy(dtype=float)], "pct", 2)
    if len(km):
        sh.conditional.append((r + 2, 2, r + 1 + len(km), 1 + nm, heat_scale(0.9, 1.0, 1.1)))
    else:
        sh.put(r + 2, 0, "（无）", "text")
    sh.freeze = (3, 2)
    return sh


def _col(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


# --------------------------------------------------------------------------- 集团评定
CHANGE = {1: "升一级", 2: "升两级", 3: "升三级", 4: "升四级", -1: "降一级", -2: "降两级", -3: "降三级", -4: "降四级"}
PEOPLE_HEADERS = ["门店", "部门", "员工编号", "姓名", "岗位", "总分", "门店等级", "集团等级", "变化"]
PEOPLE_FORMATS = ["text", "text", "text", "text", "text", "score", "grade", "grade", "text"]


def grading_sheet(res: GroupResults) -> SheetSpec:
    sh = SheetSpec(S.GROUP_GRADES, gridlines=False)
    sh.column_widths([16, 14, 16, 16, 14, 12, 10, 10, 10])
    sh.heights[0] = 28
    sh.put(0, 0, month_title(res, "集团统一评定"), "title")
    sh.put(1, 0, f"范围：{scope_text(res)}。集团评定只作对照，门店的等级、绩效工资和处理事项仍以门店评定为准。", "sub")
    gr = res.grading
    if gr is None:
        sh.put(3, 0, f"未启用：在本工作簿「设置」中把「集团统一评定」设为 {GROUP_SCOPE.label('group')} 或 "
                     f"{GROUP_SCOPE.label('department')} 后重新汇总。", "note")
        return sh
    c = gr["counts"]
    n = int(c["store"].sum())
    sh.put(3, 0, "一、等级分布对比", "section")
    rows = [[g, GRADE.label(g), int(c.at[g, "store"]), int(c.at[g, "group"]), int(c.at[g, "group"] - c.at[g, "store"]),
             int(c.at[g, "guide"])] for g in GRADES]
    first, r = grid(sh, 4, ["等级", "名称", "门店评定(人)", "集团评定(人)", "差异(人)", "指导人数"], rows,
                    ["grade", "text", "int", "int", "int", "int"], total=["合计", "", n, n, 0, int(c["guide"].sum())])
    for g in GRADES:
        sh.conditional.append((first, 0, first + 4, 0, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                        "format": f"grade_{g}"}))
    sh.charts.append(Chart("column", [
        {"name": "门店评定", "categories": (first, 0, first + 4, 0), "values": (first, 2, first + 4, 2), "color": BLUE},
        {"name": "集团评定", "categories": (first, 0, first + 4, 0), "values": (first, 3, first + 4, 3), "color": AMBER}],
        title="门店评定 vs 集团评定（人数）", anchor=(3, 7), offset=(20, 0), size=(460, 240)))
    r = max(r, 17)
    sh.put(r, 0, "二、各门店的变化", "section")
    st = gr["stores"]
    rows = st[["store", "graded", "up", "down", "ab_store", "ab_group"]].values.tolist()
    first, r = grid(sh, r + 1, ["门店", "参评", "集团评定升级(人)", "集团评定降级(人)", "门店A+B(人)", "集团A+B(人)"], rows,
                    ["bold", "int", "int", "int", "int", "int"])
    if rows:
        sh.conditional.append((first, 3, first + len(rows) - 1, 3, {"type": "cell", "criteria": ">", "value": 0,
                                                                     "format": "red_text"}))
    p = gr["people"]
    diff = p[p["change"] != 0].sort_values(["store", "department", "total"], ascending=[True, True, False],
                                           kind="stable")
    sh.put(r, 0, f"三、等级不同的员工（{len(diff)} 人）", "section")
    sh.row(r + 1, PEOPLE_HEADERS, "head")
    frame = pd.DataFrame({"门店": diff["store"], "部门": diff["department"], "员工编号": diff["employee_id"],
                          "姓名": diff["name"], "岗位": diff["position"], "总分": diff["total"].astype(float),
                          "门店等级": diff["grade"], "集团等级": diff["group_grade"],
                          "变化": diff["change"].map(CHANGE).fillna("")}).reset_index(drop=True)
    if not len(frame):
        sh.put(r + 2, 0, "（无）", "text")
    else:
        last = r + 1 + len(frame)
        for g in GRADES:
            for col in (6, 7):
                sh.conditional.append((r + 2, col, last, col, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                               "format": f"grade_{g}"}))
        sh.conditional.append((r + 2, 8, last, 8, {"type": "text", "criteria": "containing", "value": "降",
                                                   "format": "red_text"}))
        sh.autofilter = (r + 1, 0, last, len(PEOPLE_HEADERS) - 1)
        sh.bulk = Bulk(r + 2, frame, PEOPLE_FORMATS, [f == "score" for f in PEOPLE_FORMATS])
    sh.repeat_rows = (r + 1, r + 1)
    return sh


def group_sheets(res: GroupResults) -> list[SheetSpec]:
    """Every sheet the group report writes, in workbook order."""
    return [league_sheet(res), kpi_sheet(res), department_sheet(res), trends_sheet(res), grading_sheet(res),
            problems_sheet(res)]


__all__ = ["group_sheets", "trends_sheet", "grading_sheet", "group_months", "kpi_months"]
