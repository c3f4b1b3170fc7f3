"""The year-end pack as sheets and letters (SPEC §9): YYYY年终调薪 (annual grades, raises within
the pool, award candidates, the priority list, 末位 when on), YYYY年度总结 for the general
manager (grades by month, departments and actions, with native charts), and the contexts of
the 调薪通知书 letters (workbook/raise_letter.docx).

``pack`` is an addin.cycle.year.YearPack (duck-typed here: render sits below cycle).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from addin.io import schema as S
from addin.io.save import atomic_save
from udfs.periods import PRIORITY, RAISE
from udfs.vocab import ACTION, APPROVAL, GRADE, GRADES

from .doctext import fmt_number, text, zh_date, zh_month, zh_number
from .letters import prepared_template
from .report import Section, _table, numbered
from .sheet import Bulk, Chart, SheetSpec
from .style import BLUE, LIGHT_BLUE

RAISE_TEMPLATE = "raise_letter.docx"
LIST_MAX = 50          # names listed in a section above the table; a dealer group's thousands are in the table


def _capped(rows: list, column: str) -> list:
    """The first LIST_MAX rows of a name list, then one line saying where the rest are."""
    if len(rows) <= LIST_MAX:
        return rows
    note = (f"……共 {len(rows)} 人，此处列出前 {LIST_MAX} 人；全部见下方「员工年度结果与调薪」表"
            f"（可按「{column}」筛选）")
    return rows[:LIST_MAX] + [[note] + [None] * (len(rows[0]) - 1)]


GRADE_COLORS = ["#70AD47", "#5B9BD5", "#A5A5A5", "#FFC000", "#C00000"]
ACTION_COLORS = {"award": "#70AD47", "improvement_plan": "#FFC000", "hr_warning": "#ED7D31",
                 "manager_warning": "#C55A11", "separation": "#C00000"}
TABLE_HEADERS = ["员工编号", "姓名", "部门", "岗位", "有效月数", "年度得分", "年度等级", "年度结果", "优秀员工候选",
                 "月工资", "调薪比例", "每月增加", "调整后月工资"]
TABLE_FORMATS = ["text", "text", "text", "text", "int", "score", "grade", "text", "text", "money", "pct", "money", "money"]


def _award_text(months) -> str:
    """((2026-03, A), (2026-04, A), (2026-05, A)) → '2026年3月至2026年5月'."""
    ms = [m for m, _ in (months or ())]
    return f"{zh_month(ms[0])}至{zh_month(ms[-1])}" if ms else ""


def _awards(pack) -> dict:
    return {r.employee_id: _award_text(r.months) for r in pack.awards.itertuples(index=False)}


def raise_frame(pack) -> pd.DataFrame:
    """The per-employee table of YYYY年终调薪, departments in order of appearance, best first."""
    a = pack.annual
    award = _awards(pack)
    o = a.sort_values("score", ascending=False, kind="stable")
    return pd.DataFrame({
        "员工编号": o["employee_id"], "姓名": o["name"], "部门": o["department"], "岗位": o["position"],
        "有效月数": o["months"], "年度得分": o["score"], "年度等级": o["grade"], "年度结果": o["outcome"],
        "优秀员工候选": o["employee_id"].map(award).fillna(""), "月工资": o["salary"], "调薪比例": o["rate"],
        "每月增加": o["amount"], "调整后月工资": o["new_salary"]}).reset_index(drop=True)


def raise_sheet(pack) -> SheetSpec:
    p, a = pack.policy, pack.annual
    sh = SheetSpec(S.raise_sheet(pack.year), gridlines=False)
    sh.column_widths([11, 10, 14, 14, 9, 10, 9, 26, 22, 12, 10, 12, 13])
    sh.put(0, 0, f"{pack.store} {pack.year}年 年终调薪与奖励", "title")
    sh.put(1, 0, f"年度得分 = 各月总分的平均值；年度等级{p.annual_raise_grade}级及以上具备年终调薪资格，下一级在年终调薪、晋升方面优先考虑；"
                 f"连续{p.award_run}个月A级为优秀员工奖（或奖励旅游）候选（《员工绩效考核管理制度》5.8）", "sub")
    rates = [[g, GRADE.label(g), r, int((a["grade"] == g).sum()), int(((a["grade"] == g) & a["raise"]).sum()),
              float(np.nansum(a.loc[a["grade"] == g, "amount"]))] for g, r in zip(GRADES, p.raise_matrix)]
    rates.append(["合计", "", None, len(a), int(a["raise"].sum()), pack.need])
    budget = Section("budget", "调薪矩阵与预算", ["年度等级", "名称", "调薪比例", "人数", "调薪人数", "每月增加(元)"], rates,
                     ["grade", "text", "pct", "int", "int", "money"], total_last=True)
    basis = "调薪预算(元/月)" if p.raise_pool_amount > 0 else f"在职参评员工月工资合计 × {p.raise_pool_share:.1%}"
    pool = Section("pool", "预算核对", ["调薪预算(元/月)", "预算口径", "所需(元/月)", "余额(元/月)"],
                   [[pack.pool, basis, pack.need, pack.pool - pack.need]], ["money", "text", "money", "money"])
    aw = _awards(pack)
    awards = Section("awards", f"优秀员工候选（连续{p.award_run}个月A级）", ["员工编号", "姓名", "部门", "连续A的月份"],
                     _capped([[r.employee_id, r.name, r.department, aw.get(r.employee_id, "")]
                              for r in pack.awards.itertuples(index=False)], "优秀员工候选"), ["text"] * 4)
    prio = a[a["note"].eq(PRIORITY)].sort_values("score", ascending=False, kind="stable")
    priority = Section("priority", "年终调薪、晋升优先考虑", ["员工编号", "姓名", "部门", "年度得分", "年度等级"],
                       _capped(prio[["employee_id", "name", "department", "score", "grade"]].values.tolist(), "年度结果"),
                       ["text", "text", "text", "score", "grade"])
    secs = [budget, pool, awards, priority]
    if pack.bottom is not None:
        secs.append(Section("bottom", f"年度末位名单（各评定范围得分最低 {p.bottom_share:.0%}；仅供绩效改进参考）",
                            ["评定范围", "倒数名次", "员工编号", "姓名", "部门", "年度得分", "年度等级"],
                            pack.bottom[["group", "rank", "employee_id", "name", "department", "score", "grade"]]
                            .values.tolist(), ["text", "int", "text", "text", "text", "score", "grade"]))
    r = 3
    for title, sec in numbered(secs):
        first, r = _table(sh, r, title, sec)
        if sec.key == "budget":
            for g in GRADES:
                sh.conditional.append((first, 0, first + 4, 0, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                                "format": f"grade_{g}"}))
        if sec.key == "pool" and pack.pool - pack.need < 0:
            sh.put(first, 3, pack.pool - pack.need, "bad")
    sh.put(r, 0, f"{zh_number(len(secs) + 1)}、员工年度结果与调薪", "section")
    sh.row(r + 1, TABLE_HEADERS, "head")
    frame = raise_frame(pack)
    first = r + 2
    if len(frame):
        last = first + len(frame) - 1
        for g in GRADES:
            sh.conditional.append((first, 6, last, 6, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                       "format": f"grade_{g}"}))
        sh.conditional.append((first, 5, last, 5, {"type": "data_bar", "bar_color": LIGHT_BLUE, "bar_solid": True,
                                                   "min_type": "num", "min_value": 0, "max_type": "num",
                                                   "max_value": p.total_max}))
        sh.autofilter = (r + 1, 0, last, len(TABLE_HEADERS) - 1)
    sh.bulk = Bulk(first, frame, TABLE_FORMATS, [f in ("int", "score", "money", "pct") for f in TABLE_FORMATS])
    sh.repeat_rows = (r + 1, r + 1)
    sh.freeze = (3, 0)
    return sh


def summary_sheet(pack) -> SheetSpec:
    """YYYY年度总结: what the general manager reads, with three charts."""
    p, a = pack.policy, pack.annual
    sh = SheetSpec(S.year_summary_sheet(pack.year), gridlines=False)
    sh.column_widths([12, 9, 9, 9, 9, 9, 9, 11, 15, 2, 12, 12])
    sh.put(0, 0, f"{pack.store} {pack.year}年度 绩效考核总结", "title")
    sh.put(1, 0, "呈总经理 · 年度得分为各月总分的平均值，年度等级按分数段评定 · 各月数据取自历史（含已接受的申述）", "sub")
    tiles = [("年度参评人数", len(a), "tile_int"), ("年度平均分", a["score"].mean() if len(a) else None, "tile_score"),
             ("全年绩效工资(元)", float(np.nansum(pack.monthly["pay"])), "tile_money"),
             ("全年处理事项", int(pack.actions[list(ACTION.codes)].to_numpy().sum()), "tile_int"),
             ("年终调薪人数", int(a["raise"].sum()), "tile_int"), ("每月调薪额(元)", pack.need, "tile_money")]
    sh.put(3, 0, "一、全年概况", "section")
    for k, (label, v, style) in enumerate(tiles):
        sh.merge(4, 2 * k, 4, 2 * k + 1, label, "tile_label")
        sh.merge(5, 2 * k, 5, 2 * k + 1, v, style)
    sh.heights[5] = 30
    m = pack.monthly
    sh.put(7, 0, "二、各月等级分布", "section")
    sh.row(8, ["月份", *GRADES, "参评", "平均分", "绩效工资(元)"], "head")
    for i, r in enumerate(m.itertuples(index=False)):
        sh.row(9 + i, [r.month, *[int(getattr(r, g)) for g in GRADES], int(r.n), r.mean, r.pay],
               ["month"] + ["int"] * 6 + ["score", "money"])
    cats = (9, 0, 20, 0)
    sh.charts.append(Chart("column", [{"name": g, "categories": cats, "values": (9, 1 + j, 20, 1 + j),
                                       "color": GRADE_COLORS[j]} for j, g in enumerate(GRADES)],
                           title="各月等级分布（人数）", anchor=(7, 10), size=(560, 300), subtype="stacked", gap=60,
                           y_axis={"major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}}))
    r = 23
    d = pack.departments
    sh.put(r, 0, "三、部门年度结果", "section")
    sh.row(r + 1, ["部门", "人数", "年度平均分", *GRADES], "head")
    for i, x in enumerate(d.itertuples(index=False)):
        sh.row(r + 2 + i, [x.department, int(x.n), x.mean, *[int(getattr(x, g)) for g in GRADES]],
               ["text", "int", "score"] + ["int"] * 5)
    n = len(d)
    if n:
        shown = min(n, 30)
        sh.charts.append(Chart("bar", [{"name": "年度平均分", "categories": (r + 2, 0, r + 1 + shown, 0),
                                        "values": (r + 2, 2, r + 1 + shown, 2), "color": BLUE, "labels": "0.0"}],
                               title="部门年度平均分", anchor=(r, 10), size=(560, max(240, 26 * shown + 80)), legend=None,
                               x_axis={"min": 0, "num_format": "0"}, y_axis={"reverse": True}))
    r = max(r + 3 + n, r + 16)
    acts = pack.actions
    sh.put(r, 0, "四、全年处理事项", "section")
    sh.row(r + 1, ["月份", *[ACTION.label(c) for c in ACTION.codes], "合计"], "head")
    sh.heights[r + 1] = 30
    for i, x in enumerate(acts.to_dict("records")):
        counts = [int(x[c]) for c in ACTION.codes]
        sh.row(r + 2 + i, [x["month"], *counts, sum(counts)], ["month"] + ["int"] * (len(counts) + 1))
    sh.charts.append(Chart("column", [{"name": ACTION.label(c), "categories": (r + 2, 0, r + 13, 0),
                                       "values": (r + 2, 1 + j, r + 13, 1 + j), "color": ACTION_COLORS[c]}
                                      for j, c in enumerate(ACTION.codes)],
                           title="各月处理事项", anchor=(r, 10), size=(560, 300), subtype="stacked", gap=60))
    r += 16
    sh.put(r, 0, "五、年终调薪与审批情况", "section")
    lines = [f"具备调薪资格 {int(a['raise'].sum())} 人（年度{p.annual_raise_grade}级及以上），每月增加 {fmt_number(pack.need)} 元，"
             f"预算 {fmt_number(pack.pool)} 元/月，详见「{S.raise_sheet(pack.year)}」",
             f"年终调薪、晋升优先考虑 {int((a['note'] == PRIORITY).sum())} 人；优秀员工候选 {len(pack.awards)} 人",
             "各月审批：" + "、".join(f"{int(mm[5:])}月 {APPROVAL.label(s)}" for mm, s in
                                    zip(pack.statuses["month"], pack.statuses["status"]))]
    lines += [f"提示：{w}" for w in pack.warnings]
    for k, line in enumerate(lines, r + 1):
        sh.merge(k, 0, k, 8, line, "wrap")
        sh.heights[k] = 15 * max(1, -(-len(line) // 55))
    sh.freeze = (3, 0)
    sh.fit = (1, 0)
    return sh


def year_sheets(pack) -> list[SheetSpec]:
    return [raise_sheet(pack), summary_sheet(pack)]


# --------------------------------------------------------------------------- 调薪通知书
def letter_contexts(pack, issue: dt.date, effective: dt.date) -> list[dict]:
    """One context per employee with a raise, in the order of the raise table (best first)."""
    a = pack.annual
    award = _awards(pack)
    rows = a[a["raise"] & (a["amount"] > 0)].sort_values("score", ascending=False, kind="stable")
    out = []
    for r in rows.to_dict("records"):
        eid = text(r["employee_id"])
        out.append({
            "store": text(pack.store), "year": pack.year, "employee_id": eid, "name": text(r["name"]),
            "department": text(r["department"]), "position": text(r.get("position")),
            "grade": text(r["grade"]), "grade_label": GRADE.label(text(r["grade"])), "score": f"{r['score']:.2f}",
            "months": int(r["months"]), "old_salary": f"{r['salary']:,.2f}", "rate": f"{r['rate']:.1%}".replace(".0%", "%"),
            "amount": f"{r['amount']:,.2f}", "new_salary": f"{r['new_salary']:,.2f}",
            "effective": zh_date(effective), "effective_iso": effective.isoformat(),
            "issue_date": zh_date(issue), "award": award.get(r["employee_id"], ""),
            "ref": f"{pack.year}-{eid}-TX", "outcome": RAISE,
        })
    return out


def raise_letter(path, ctx: dict) -> Path:
    """Fill workbook/raise_letter.docx and save it at ``path`` (atomically)."""
    tpl, env = prepared_template(RAISE_TEMPLATE)
    tpl.render(ctx, jinja_env=env)
    return atomic_save(tpl.save, path)


__all__ = ["year_sheets", "raise_sheet", "summary_sheet", "raise_frame", "letter_contexts", "raise_letter"]
