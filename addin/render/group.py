"""The group workbook's sheets (SPEC §8) as SheetSpecs in the house style: 门店排名 (tiles, the
group's grade distribution against the guideline with its chart, the league table and a chart
of store averages), 指标达成 (KPI attainment heat map), 部门对比 (departments across stores) and
问题清单. 月度趋势 and 集团评定 are in addin.render.group_trends.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from addin.group.pipeline import GroupResults
from addin.group.rollup import GROUP_ALL
from addin.io import schema as S
from udfs.vocab import ACTION, GRADE, GRADES, GRADING, GROUP_SCOPE, STORE_STATUS

from .sheet import Chart, SheetSpec, blank
from .style import BLUE, GRID, LIGHT_BLUE, TOTAL_OF, heat_scale

TILE_STYLE = {"int": "tile_int", "score": "tile_score", "money": "tile_money"}
PROBLEMS_PER_STORE = 50          # the problems sheet lists this many per store, then counts the rest


def cell(v):
    """A frame value as a cell value: NaN/NA → blank, numpy scalars → Python."""
    if v is None or v is pd.NA or blank(v):
        return None
    return v.item() if isinstance(v, np.generic) else v


def grid(sh: SheetSpec, r: int, headers: list, rows: list, formats: list, c0: int = 0,
         total: list | None = None) -> tuple[int, int]:
    """Header at row r, rows below (and a total line in the total styles); returns (first data
    row, next free row). No rows: 「（无）」."""
    sh.row(r, headers, "head", c0)
    first = r + 1
    if not rows and total is None:
        sh.put(first, c0, "（无）", "text")
        return first, first + 2
    for i, row in enumerate(rows):
        sh.row(first + i, [cell(v) for v in row], formats, c0)
    nxt = first + len(rows)
    if total is not None:
        sh.row(nxt, [cell(v) for v in total], [TOTAL_OF.get(f, "total_text") for f in formats], c0)
        nxt += 1
    return first, nxt + 1


def month_title(res: GroupResults, what: str) -> str:
    y, m = res.month.split("-")
    return f"{res.settings.name} {y}年{int(m)}月 {what}"


def _counts_text(res: GroupResults) -> str:
    parts = [f"{STORE_STATUS.label(k)} {len(res.having(k))} 家" for k in ("ok", "bad", "missing")
             if res.having(k) or k == "ok"]
    if res.absent is not None and len(res.absent):
        parts.append(f"{STORE_STATUS.label('absent')} {len(res.absent)} 家")
    return "、".join(parts)


def subtitle(res: GroupResults) -> str:
    pol = res.settings.policy
    guide = "/".join(f"{q * 100:g}" for q in pol.quotas)
    return (f"汇总月份 {res.month} · 门店：{_counts_text(res)}（详见「{S.GROUP_PROBLEMS}」）· 指导比例 {guide} · "
            f"归档：{res.archive}")


# --------------------------------------------------------------------------- 门店排名
LEAGUE_HEADERS = ["排名", "门店", "参评", "免考核", "平均分", "标准差", "最高分", "最低分", *GRADES, "指导比例检查",
                  "绩效工资(元)", *[ACTION.label(c) for c in ACTION.codes], "逾期评分(人次)", "未提交评分", "逾期罚款(元)"]
LEAGUE_FORMATS = ["int", "bold", "int", "int", "score", "score", "score", "score", *["int"] * 5, "text", "money",
                  *["int"] * len(ACTION.codes), "int", "int", "money"]
LEAGUE_WIDTHS = [6, 16, 7, 7, 9, 8, 9, 9, 5, 5, 5, 5, 5, 42, 14, 11, 11, 15, 15, 9, 11, 10, 12]
LEAGUE_KEYS = ["rank", "store", "graded", "exempt", "mean", "std", "max", "min", *GRADES, "over_text", "pay",
               *[f"act_{c}" for c in ACTION.codes], "late", "unsubmitted", "fines"]


def _tiles(sh: SheetSpec, r: int, items: list, widths: list, least: float = 15) -> None:
    """Tiles side by side, each over as many columns as make it ``least`` characters wide."""
    c = 0
    for label, value, kind in items:
        end = c
        while sum(widths[c:end + 1]) < least and end + 1 < len(widths):
            end += 1
        if end > c:
            sh.merge(r, c, r, end, label, "tile_label")
            sh.merge(r + 1, c, r + 1, end, cell(value), TILE_STYLE[kind])
        else:
            sh.put(r, c, label, "tile_label")
            sh.put(r + 1, c, cell(value), TILE_STYLE[kind])
        c = end + 1
    sh.heights[r + 1] = 30


def league_sheet(res: GroupResults) -> SheetSpec:
    sh = SheetSpec(S.LEAGUE, gridlines=False, paper=8)
    sh.column_widths(LEAGUE_WIDTHS)
    sh.heights[0] = 28
    sh.put(0, 0, month_title(res, "门店绩效汇总"), "title")
    sh.put(1, 0, subtitle(res), "sub")
    t = res.totals
    n_actions = sum(t.get(f"act_{c}", 0) for c in ACTION.codes)
    sh.put(3, 0, "一、概况", "section")
    _tiles(sh, 4, [("已汇总门店", len(res.ok), "int"), ("参评人数", t.get("graded", 0), "int"),
                   ("免考核人数", t.get("exempt", 0), "int"), ("平均分", t.get("mean"), "score"),
                   ("绩效工资合计(元)", t.get("pay", 0.0), "money"), ("处理事项", n_actions, "int"),
                   ("超出指导比例门店", t.get("stores_over", 0), "int"),
                   ("未汇总门店", len(res.stores) - len(res.ok) - len(res.having("skipped")), "int")], LEAGUE_WIDTHS)
    # 二、the group's grade distribution against the guideline, with its chart
    pol = res.settings.policy
    r = 7
    guide = "/".join(f"{q * 100:g}" for q in pol.quotas)
    sh.put(r, 0, f"二、集团等级分布（各门店最终等级合计，对照 {guide} 指导比例）", "section")
    n = t.get("graded", 0)
    rows = [[g, GRADE.label(g), t.get(g, 0), t.get(g, 0) / n if n else 0.0, pol.quotas[i], t.get(f"guide_{g}", 0),
             t.get(g, 0) - t.get(f"guide_{g}", 0)] for i, g in enumerate(GRADES)]
    first, nxt = grid(sh, r + 1, ["等级", "名称", "人数", "实际占比", "指导比例", "指导人数", "差异(人)"], rows,
                      ["grade", "text", "int", "pct", "pct", "int", "int"],
                      total=["合计", "", n, 1.0 if n else 0.0, float(sum(pol.quotas)), n, 0])
    for g in GRADES:
        sh.conditional.append((first, 0, first + 4, 0, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                        "format": f"grade_{g}"}))
    sh.conditional.append((first, 6, first + 1, 6, {"type": "cell", "criteria": ">", "value": 0, "format": "red_text"}))
    cats = (first, 0, first + 4, 0)
    sh.charts.append(Chart("column", [
        {"name": "实际占比", "categories": cats, "values": (first, 3, first + 4, 3), "color": BLUE, "labels": "0%"},
        {"name": "指导比例", "categories": cats, "values": (first, 4, first + 4, 4), "color": GRID}],
        title="集团等级分布 vs 指导比例", anchor=(r, 8), offset=(10, 0), size=(560, 250),
        y_axis={"num_format": "0%", "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}}))
    r = max(nxt, r + 14)
    # 三、the league table
    lg = res.league
    sh.put(r, 0, "三、门店排名（按参评员工平均分；指导比例检查：A 或 A+B 人数超过按门店人数计算的指导人数）", "section")
    rows = lg.reindex(columns=LEAGUE_KEYS).astype(object).values.tolist() if len(lg) else []
    total = ["", "集团合计", *[t.get(k) for k in LEAGUE_KEYS[2:]]]
    total[LEAGUE_KEYS.index("over_text")] = "；".join(
        ([f"{t['stores_over']} 家门店超出"] if t.get("stores_over") else []) +
        ([f"全集团 {t['over_text']}"] if t.get("over_text") else []))
    first, nxt = grid(sh, r + 1, LEAGUE_HEADERS, rows, LEAGUE_FORMATS, total=total if len(lg) else None)
    k = len(rows)
    if k:
        last = first + k - 1
        col = LEAGUE_HEADERS.index
        sh.conditional.append((first, col("平均分"), last, col("平均分"),
                               {"type": "data_bar", "bar_color": LIGHT_BLUE, "bar_solid": True, "min_type": "num",
                                "min_value": 0}))
        sh.conditional.append((first, col("指导比例检查"), last, col("指导比例检查"), {"type": "no_blanks",
                                                                                 "format": "alarm"}))
        sep = col(ACTION.label("separation"))
        for c in (sep, col("逾期评分(人次)"), col("未提交评分")):
            sh.conditional.append((first, c, last, c, {"type": "cell", "criteria": ">", "value": 0,
                                                       "format": "red_text"}))
        sh.autofilter = (r + 1, 0, last, len(LEAGUE_HEADERS) - 1)
        shown = min(k, 40)
        height = max(240, 22 * shown + 80)
        sh.charts.append(Chart("bar", [{"name": "平均分", "categories": (first, 1, first + shown - 1, 1),
                                        "values": (first, 4, first + shown - 1, 4), "color": BLUE, "labels": "0.0"}],
                               title="门店平均分" if shown == k else f"门店平均分（前{shown}名，共{k}家）",
                               anchor=(nxt, 0), size=(640, height), legend=None,
                               x_axis={"min": 0, "num_format": "0"}, y_axis={"reverse": True}))
    sh.freeze = (3, 2)
    sh.repeat_rows = (r + 1, r + 1)
    return sh


# --------------------------------------------------------------------------- 指标达成 (heat map)
def kpi_sheet(res: GroupResults) -> SheetSpec:
    sh = SheetSpec(S.KPI_HEAT, gridlines=False, paper=8)
    a = res.attainment
    sh.heights[0] = 28
    sh.put(0, 0, month_title(res, "KPI 指标达成率（门店 × 指标）"), "title")
    sh.put(1, 0, "各门店该指标所有考核项目的平均达成率：实际 ÷ 目标（反向指标为 目标 ÷ 实际，门槛指标为达标人数占比），"
                 "封顶按门店设置；红色低于 90%，黄色 100%，绿色 110% 及以上。最后一行为全集团。", "sub")
    cols = list(a.columns) if a is not None else []
    sh.column_widths([6, 16] + [11] * len(cols))
    head = 3
    sh.row(head, ["排名", "门店", *cols], "head")
    sh.heights[head] = 42
    if a is None or not len(cols):
        sh.put(head + 1, 0, "（本月没有KPI类考核项目）", "text")
        return sh
    rank = dict(zip(res.league["store"], res.league["rank"]))
    for i, (store, row) in enumerate(a.iterrows()):
        style = "total_pct" if store == GROUP_ALL else "pct"
        sh.put(head + 1 + i, 0, cell(rank.get(store)), "total_int" if store == GROUP_ALL else "int")
        sh.put(head + 1 + i, 1, store, "total_text" if store == GROUP_ALL else "bold")
        sh.row(head + 1 + i, [cell(v) for v in row.to_numpy()], style, 2)
    last = head + len(a)
    sh.conditional.append((head + 1, 2, last, 1 + len(cols), heat_scale(0.9, 1.0, 1.1)))
    sh.freeze = (head + 1, 2)
    sh.repeat_rows = (head, head)
    return sh


# --------------------------------------------------------------------------- 部门对比
DEPT_HEADERS = ["部门", "门店", "部门内排名", "参评", "免考核", "平均分", "最高分", "最低分", *GRADES, "绩效工资(元)"]
DEPT_FORMATS = ["text", "text", "text", "int", "int", "score", "score", "score", *["int"] * 5, "money"]


def department_sheet(res: GroupResults) -> SheetSpec:
    sh = SheetSpec(S.DEPT_VIEW, gridlines=False)
    sh.column_widths([14, 16, 10, 7, 7, 9, 9, 9, 5, 5, 5, 5, 5, 14])
    sh.heights[0] = 28
    sh.put(0, 0, month_title(res, "部门对比（各门店同名部门）"), "title")
    sh.put(1, 0, "每个部门先列全集团合计（蓝底），再按平均分列出各门店的该部门；部门内排名 = 名次/门店数", "sub")
    head = 3
    sh.row(head, DEPT_HEADERS, "head")
    rows, totals = res.dept_rows, res.dept_totals
    if rows is None or not len(rows):
        sh.put(head + 1, 0, "（无）", "text")
        return sh
    by_dept = {d: g for d, g in rows.groupby("department", sort=False)}
    r = head + 1
    sub = {"text": "subtotal", "int": "subtotal_int", "score": "subtotal_score", "money": "subtotal_money"}
    for t in totals.itertuples(index=False):
        sh.row(r, [t.department, f"全集团（{t.of} 家门店）", "", t.graded, t.exempt, cell(t.mean), cell(t.max),
                   cell(t.min), *[getattr(t, g) for g in GRADES], cell(t.pay)],
               [sub.get(f, "subtotal") for f in DEPT_FORMATS])
        r += 1
        for d in by_dept[t.department].itertuples(index=False):
            place = f"{int(d.rank)}/{int(d.of)}" if not blank(d.rank) else f"—/{int(d.of)}"
            sh.row(r, [d.department, d.store, place, d.graded, d.exempt, cell(d.mean), cell(d.max), cell(d.min),
                       *[getattr(d, g) for g in GRADES], cell(d.pay)], DEPT_FORMATS)
            r += 1
    sh.conditional.append((head + 1, 5, r - 1, 5, {"type": "data_bar", "bar_color": LIGHT_BLUE, "bar_solid": True,
                                                   "min_type": "num", "min_value": 0}))
    sh.autofilter = (head, 0, r - 1, len(DEPT_HEADERS) - 1)
    sh.freeze = (head + 1, 2)
    sh.repeat_rows = (head, head)
    return sh


# --------------------------------------------------------------------------- 问题清单
def problems_sheet(res: GroupResults) -> SheetSpec:
    sh = SheetSpec(S.GROUP_PROBLEMS, gridlines=False)
    sh.column_widths([16, 22, 12, 7, 14, 64])
    sh.heights[0] = 28
    sh.put(0, 0, month_title(res, "问题清单"), "title")
    sh.put(1, 0, "有错误的门店未计入汇总（其他门店照常汇总）；请门店改正后重新运行。缺少本月数据的门店同样未计入。", "sub")
    r = 3
    sh.put(r, 0, "一、各门店汇总情况", "section")
    rows = []
    for s in res.stores:
        graded = int(s.people["eligible"].sum()) if s.people is not None else None
        detail = f"{len(s.problems)} 处错误" if s.status == "bad" else \
            (f"工作簿中没有 {s.month} 的月度实绩或评分" if s.status == "missing" else "；".join(s.notes))
        rows.append([s.store, s.file, STORE_STATUS.label(s.status), graded, s.month or "", detail])
    if res.absent is not None:
        for a in res.absent.itertuples(index=False):
            rows.append([a.store, "", STORE_STATUS.label("absent"), None, "",
                         f"归档中最近一次为 {a.last}，本次未找到该门店的工作簿"])
    for p in res.unread:
        rows.append(["", p.sheet, "未读取", None, "", p.message])
    first, r = grid(sh, r + 1, ["门店", "文件", "状态", "参评", "月份", "说明"], rows,
                    ["bold", "text", "text", "int", "month", "wrap"])
    if rows:
        for word, fmt in (("错误", "alarm"), ("缺少", "behind"), ("未提供", "behind"), ("未读取", "alarm")):
            sh.conditional.append((first, 2, first + len(rows) - 1, 2, {"type": "text", "criteria": "containing",
                                                                        "value": word, "format": fmt}))
    sh.put(r, 0, "二、有错误的门店：问题明细（工作表、行、列）", "section")
    rows = []
    for s in res.having("bad"):
        for p in s.problems[:PROBLEMS_PER_STORE]:
            rows.append([s.store, s.file, p.sheet, p.row, p.column or "", p.message])
        if len(s.problems) > PROBLEMS_PER_STORE:
            rows.append([s.store, s.file, "", None, "", f"……另有 {len(s.problems) - PROBLEMS_PER_STORE} 处"
                         "（运行 kpi4s check 门店工作簿 可列出全部）"])
    _, r = grid(sh, r + 1, ["门店", "文件", "工作表", "行", "列", "问题"], rows,
                ["bold", "text", "text", "int", "text", "wrap"])
    notes = [[s.store, s.file, n] for s in res.stores if s.status == "ok" for n in s.notes]
    sh.put(r, 0, "三、已汇总门店的提示", "section")
    sh.row(r + 1, ["门店", "文件", "提示"], "head")
    sh.merge(r + 1, 2, r + 1, 5, "提示", "head")
    if not notes:
        sh.put(r + 2, 0, "（无）", "text")
    for i, (store, file, note) in enumerate(notes):
        sh.put(r + 2 + i, 0, store, "bold")
        sh.put(r + 2 + i, 1, file, "text")
        sh.merge(r + 2 + i, 2, r + 2 + i, 5, note, "wrap")
    sh.freeze = (3, 0)
    return sh


def scope_text(res: GroupResults) -> str:
    pol = res.settings.policy
    return (f"{GROUP_SCOPE.label(pol.group_scope)}（{GROUP_SCOPE.entry(pol.group_scope).note}）；方式："
            f"{GRADING.label(pol.grading)}")


__all__ = ["league_sheet", "kpi_sheet", "department_sheet", "problems_sheet", "grid", "cell", "month_title",
           "subtitle", "scope_text"]
