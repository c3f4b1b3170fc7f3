"""月度报告, 历史 and the quarter/year sheets, as SheetSpecs (one definition for every door).

:func:`sections` is what the report shows — titles, headers, rows, formats — numbered at
render time so a section left out (no warnings, no targets) leaves no gap. :func:`output_sheets`
lays everything out: tiles, tables, the grade-distribution and department charts, conditional
formats, and the long per-employee / history tables as streamed bulk rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.io import schema as S
from addin.month.results import MonthResults, Period
from udfs.grading import quota_counts
from udfs.vocab import (ACTION, APPEAL_DECISION, CATEGORY, EVAL_GROUP, GOAL_STATUS, GRADE, GRADES, GRADING,
                         OWNER_TYPE, PAY_METHOD)

from .doctext import zh_number
from .sheet import Bulk, Chart, SheetSpec, blank
from .style import BLUE, GRID, LIGHT_BLUE, TOTAL_OF

ZH_NUMBERS = "一二三四五六七八九十"
PEOPLE_TITLE = "员工明细"


@dataclass
class Section:
    key: str
    title: str                       # without its number: numbers are given when shown
    headers: list
    rows: list                       # python values; None/NaN = blank
    formats: list = field(default_factory=list)   # a house style per column
    total_last: bool = False         # the last row is a total line


def numbered(secs: list[Section]) -> list[tuple[str, Section]]:
    """(一、title, section) for the sections shown, numbered without gaps."""
    return [(f"{zh_number(i + 1)}、{s.title}", s) for i, s in enumerate(secs)]


def run_text(months: tuple) -> str:
    """The months and grades behind an action: ((2026-07, D), (2026-08, D)) → 2026-07 D、2026-08 D."""
    return "、".join(f"{m} {g}" for m, g in months)


def _band_text(policy) -> list[str]:
    return [f"{policy.a_min:g}–{policy.total_max:g}", f"{policy.b_min:g}–{policy.a_min:g}",
            f"{policy.c_min:g}–{policy.b_min:g}", f"{policy.e_max:g}–{policy.c_min:g}", f"≤{policy.e_max:g}"]


def _summary(res: MonthResults) -> Section:
    p, el = res.people, res.graded
    n = len(el)
    fines = float(np.nansum(res.scorers["fine"].to_numpy(dtype=float))) if len(res.scorers) else 0.0
    row = [n, int((~p["eligible"]).sum()), el["total"].mean() if n else None, el["total"].max() if n else None,
           el["total"].min() if n else None, float(el["pay"].sum()), len(res.actions), fines]
    return Section("summary", "概况", ["参评人数", "免考核人数", "平均分", "最高分", "最低分", "绩效工资合计(元)",
                                      "处理事项", "评分逾期罚款(元)"], [row],
                   ["int", "int", "score", "score", "score", "money", "int", "money"])


def _grades(res: MonthResults) -> Section:
    el, pol = res.graded, res.policy
    n = len(el)
    counts = el["grade"].value_counts()
    quota = quota_counts(n, pol.quotas) if n else np.zeros(5, dtype=int)
    rows = [[g, GRADE.label(g), _band_text(pol)[i], int(counts.get(g, 0)), counts.get(g, 0) / n if n else 0.0,
             pol.quotas[i], int(quota[i]), int(counts.get(g, 0)) - int(quota[i])] for i, g in enumerate(GRADES)]
    rows.append(["合计", "", "", n, 1.0 if n else 0.0, float(sum(pol.quotas)), int(quota.sum()), 0])
    guide = "/".join(f"{q * 100:g}" for q in pol.quotas)
    return Section("grades", f"等级分布（对照 {guide} 指导比例）",
                   ["等级", "名称", "分数段", "人数", "实际占比", "指导比例", "指导人数", "差异(人)"], rows,
                   ["grade", "text", "text", "int", "pct", "pct", "int", "int"], total_last=True)


def _departments(res: MonthResults) -> Section:
    p, el = res.people, res.graded
    rows = []
    if len(p):
        depts = pd.Index(pd.unique(p["department"]), name="department")       # roster order
        g = el.groupby("department", sort=False)
        agg = pd.DataFrame({"n": g.size(), "mean": g["total"].mean(), "max": g["total"].max(),
                            "min": g["total"].min(), "base": g["base"].sum(), "pay": g["pay"].sum()}).reindex(depts)
        cross = pd.crosstab(el["department"], el["grade"]).reindex(index=depts, columns=list(GRADES), fill_value=0)
        table = pd.DataFrame({"部门": depts, "参评": agg["n"].fillna(0).astype(int).to_numpy(),
                              "免考核": p[~p["eligible"]].groupby("department").size().reindex(depts).fillna(0)
                              .astype(int).to_numpy(),
                              "平均分": agg["mean"].to_numpy(), "最高分": agg["max"].to_numpy(),
                              "最低分": agg["min"].to_numpy(),
                              **{g_: cross[g_].fillna(0).astype(int).to_numpy() for g_ in GRADES},
                              "基数": agg["base"].fillna(0).to_numpy(), "工资": agg["pay"].fillna(0).to_numpy()})
        table = table.sort_values("平均分", ascending=False, na_position="last", kind="stable")
        rows = table.astype(object).where(table.notna(), None).values.tolist()
        n = len(el)
        counts = el["grade"].value_counts()
        rows.append(["合计", n, int((~p["eligible"]).sum()), el["total"].mean() if n else None,
                     el["total"].max() if n else None, el["total"].min() if n else None,
                     *[int(counts.get(g_, 0)) for g_ in GRADES], float(el["base"].sum()), float(el["pay"].sum())])
    return Section("departments", "部门结果与绩效工资",
                   ["部门", "参评", "免考核", "平均分", "最高分", "最低分", *GRADES, "基数合计(元)", "绩效工资(元)"],
                   rows, ["text", "int", "int", "score", "score", "score"] + ["int"] * 5 + ["money", "money"],
                   total_last=True)


def _actions(res: MonthResults) -> Section:
    rows = [[r.employee_id, r.name, r.department, r.manager, ACTION.label(r.action), r.run, run_text(r.months)]
            for r in res.actions.itertuples(index=False)]
    return Section("actions", "处理事项（奖励、改进计划、警告、离职）",
                   ["员工编号", "姓名", "部门", "直接上级", "事项", "连续月数", "依据（月份 等级）"], rows,
                   ["text", "text", "text", "text", "action", "int", "wrap"])


def _scorers(res: MonthResults) -> Section:
    rows = [[r.scorer or "（未提交）", r.role, r.due, r.submitted, None if blank(r.days_late) else int(r.days_late),
             None if blank(r.fine) else float(r.fine)] for r in res.scorers.itertuples(index=False)]
    return Section("scorers", "评分提交与逾期罚款", ["评分人", "角色", "截止时间", "提交时间", "逾期天数", "罚款(元)"],
                   rows, ["text", "text", "datetime", "datetime", "int", "money"])


def _progress(res: MonthResults) -> Section | None:
    """Target progress (SPEC §3.10): every indicator's store row, and every owner behind."""
    pr = res.progress
    if pr is None or not len(pr):
        return None
    show = pr[pr["display"].eq(OWNER_TYPE.label("store")) | pr["status"].isin(["落后", "未达标"])]
    rows = [[r.indicator, r.display, r.unit, r.annual, r.ytd, r.done, r.time_progress, r.pace, r.status]
            for r in show.itertuples(index=False)]
    as_of = pd.Timestamp(res.progress_as_of).strftime("%Y-%m-%d") if res.progress_as_of is not None else ""
    return Section("progress", f"目标进度（截至 {as_of}；全店及落后的责任人）",
                   ["指标", "责任人", "单位", "年度目标", "累计实绩", "完成率", "时间进度", "差距", "状态"], rows,
                   ["text", "text", "text", "number", "number", "pct", "pct", "pace", "text"])


def _exempt(res: MonthResults) -> Section:
    ex = res.people[~res.people["eligible"]]
    return Section("exempt", "免考核人员（不评等级、不计入比例）", ["员工编号", "姓名", "部门", "岗位", "原因"],
                   ex[["employee_id", "name", "department", "position", "exempt_reason"]].values.tolist(),
                   ["text"] * 5)


def _appeals(res: MonthResults) -> Section | None:
    """员工申述: every open appeal, and every appeal about this month (SPEC §9)."""
    a = getattr(res, "appeals", None)
    if a is None or a.empty:
        return None
    show = a[a["decision"].eq("pending") | a["month"].eq(res.month)]
    if show.empty:
        return None
    rows = [[r.date, r.employee_id, r.name, r.department, r.month, APPEAL_DECISION.label(r.decision), r.changed,
             r.handler, r.decided, r.reason] for r in show.itertuples(index=False)]
    return Section("appeals", "员工申述（待处理的，及本月的）", ["申述日期", "员工编号", "姓名", "部门", "考核月份", "处理结果",
                                                      "调整后得分", "受理人", "处理日期", "申述理由"], rows,
                   ["date", "text", "text", "text", "month", "bold", "score", "text", "date", "wrap"])


def _interviews(res: MonthResults) -> Section | None:
    """Interviews due for last month and not recorded (when the store records interviews)."""
    m = getattr(res, "interviews_missing", None)
    if m is None or m.empty:
        return None
    rows = [[r.employee_id, r.name, r.department, r.manager, r.month, r.grade, r.total] for r in m.itertuples(index=False)]
    who = "全员" if res.policy.interview_grade == "A" else f"{res.policy.interview_grade}级及以下"
    return Section("interviews", f"绩效面谈未记录（{m['month'].iloc[0]}，须面谈：{who}）",
                   ["员工编号", "姓名", "部门", "直接上级", "考核月份", "等级", "总分"], rows,
                   ["text", "text", "text", "text", "month", "grade", "score"])


def _goals(res: MonthResults) -> Section | None:
    """目标设定表 not signed and filed with HR by the due day (when the store tracks them)."""
    g = getattr(res, "goals", None)
    if g is None:
        return None
    late = g[g["status"].ne("on_time")]
    if late.empty:
        return None
    due = pd.Timestamp(res.goals_due).strftime("%Y-%m-%d") if res.goals_due is not None else ""
    rows = [[r.employee_id, r.name, r.department, r.manager, GOAL_STATUS.label(r.status), r.filed,
             None if blank(r.days_late) else int(r.days_late), r.note] for r in late.itertuples(index=False)]
    return Section("goals", f"目标设定未按时备案（{res.month}，截止 {due}）",
                   ["员工编号", "姓名", "部门", "直接上级", "状态", "备案日期", "逾期天数", "备注"], rows,
                   ["text", "text", "text", "text", "warn", "date", "int", "text"])


def _bottom(res: MonthResults) -> Section | None:
    """末位名单 per evaluation group, when the setting is on (SPEC §9; 002 篇6)."""
    b = getattr(res, "bottom", None)
    if b is None:
        return None
    rows = [[r.group, r.n, r.rank, r.employee_id, r.name, r.department, r.position, r.total, r.grade]
            for r in b.itertuples(index=False)]
    return Section("bottom", f"末位名单（各评定范围得分最低 {res.policy.bottom_share:.0%}；仅供绩效改进参考，不作为解除劳动合同的依据）",
                   ["评定范围", "参评人数", "倒数名次", "员工编号", "姓名", "部门", "岗位", "总分", "等级"], rows,
                   ["text", "int", "int", "text", "text", "text", "text", "score", "grade"])


def sections(res: MonthResults, warnings_limit: int = 200) -> list[Section]:
    """The report's sections in order; sections with nothing to say are left out, except the
    fixed ones a reader looks for (actions, scorers, exempt show 「（无）」)."""
    out = [_summary(res), _grades(res), _departments(res), _actions(res), _scorers(res)]
    prog = _progress(res)
    if prog is not None:
        out.append(prog)
    out.append(_exempt(res))
    out += [sec for sec in (_appeals(res), _goals(res), _interviews(res), _bottom(res)) if sec is not None]
    if res.warnings:
        rows = [[w] for w in res.warnings[:warnings_limit]]
        if len(res.warnings) > warnings_limit:
            rows.append([f"……另有 {len(res.warnings) - warnings_limit} 条，见员工明细「提示」列"])
        out.append(Section("warnings", "数据提示", ["提示"], rows, ["wrap"]))
    return out


PEOPLE_HEADERS = ["员工编号", "姓名", "部门", "岗位", "考核类别", "项目数", "项目得分", "加减分", "否决项", "总分",
                  "分数段等级", "最终等级", "等级名称", "绩效基数(元)", "绩效工资(元)", "事项", "连续A", "连续D/E", "提示"]
PEOPLE_FORMATS = ["text", "text", "text", "text", "text", "int", "score", "score", "text", "score", "grade", "grade",
                  "text", "money", "money", "action", "int", "int", "text"]


def people_frame(res: MonthResults) -> pd.DataFrame:
    """The per-employee table in display order: graded first, departments in roster order, by score."""
    p = res.people
    dept_order = {d: i for i, d in enumerate(pd.unique(p["department"]))}
    o = p.assign(_e=~p["eligible"], _d=p["department"].map(dept_order)).sort_values(
        ["_e", "_d", "total", "employee_id"], ascending=[True, True, False, True], kind="stable")
    el = o["eligible"].to_numpy()
    return pd.DataFrame({
        "员工编号": o["employee_id"], "姓名": o["name"], "部门": o["department"], "岗位": o["position"],
        "考核类别": CATEGORY.labels_of(o["category"].to_numpy()),
        "项目数": np.where(el, o["items"], np.nan), "项目得分": o["items_score"], "加减分": o["adjustment"],
        "否决项": np.where(o["veto"], "是", ""), "总分": o["total"], "分数段等级": o["band_grade"],
        "最终等级": o["grade"],
        "等级名称": np.where(el, GRADE.labels_of(o["grade"].to_numpy()), "免考核：" + o["exempt_reason"].astype(str)),
        "绩效基数(元)": o["base"], "绩效工资(元)": o["pay"], "事项": ACTION.labels_of(o["action"].to_numpy()),
        "连续A": np.where(o["a_run"] > 0, o["a_run"], np.nan), "连续D/E": np.where(o["d_run"] > 0, o["d_run"], np.nan),
        "提示": ["；".join(w) for w in o["warnings"]],
    }).reset_index(drop=True)


def title_lines(res: MonthResults) -> tuple[str, str]:
    y, m = res.month.split("-")
    pol = res.policy
    grading = f"{GRADING.label(pol.grading)}（{GRADING.entry(pol.grading).note}）"
    return (f"{res.store} {y}年{int(m)}月 绩效考核月度报告",
            f"考核月份 {res.month} · 等级评定：{grading}，范围：{EVAL_GROUP.label(pol.eval_group)} · "
            f"{PAY_METHOD.entry(pol.pay_method).note}")


# --------------------------------------------------------------------------- layout
WIDTHS = [11, 10, 17, 17, 14, 9, 10, 10, 9, 9, 10, 10, 15, 15, 15, 18, 7, 8, 36]
TILE_STYLE = {"int": "tile_int", "score": "tile_score", "money": "tile_money"}


def _table(sh: SheetSpec, r: int, title: str, sec: Section) -> tuple[int, int]:
    """Section title, header and rows at row r; returns (first data row, next free row)."""
    sh.put(r, 0, title, "section")
    sh.row(r + 1, sec.headers, "head")
    first = r + 2
    if not sec.rows:
        sh.put(first, 0, "（无）", "text")
        return first, first + 2
    for i, row in enumerate(sec.rows):
        total = sec.total_last and i == len(sec.rows) - 1
        styles = [TOTAL_OF.get(f, "total_text") if total else f for f in sec.formats]
        sh.row(first + i, list(row), styles + ["text"] * (len(row) - len(styles)))
    return first, first + len(sec.rows) + 1


def report_sheet(res: MonthResults) -> SheetSpec:
    sh = SheetSpec(S.REPORT, gridlines=False, repeat_rows=None)
    sh.column_widths(WIDTHS)
    title, sub = title_lines(res)
    sh.heights[0] = 28
    sh.put(0, 0, title, "title")
    sh.put(1, 0, sub, "sub")
    secs = numbered(sections(res))
    (t0, s0), rest = secs[0], secs[1:]
    sh.put(3, 0, t0, "section")                                   # 一、概况 as tiles
    for k, (h, v, kind) in enumerate(zip(s0.headers, s0.rows[0], s0.formats)):
        sh.merge(4, 2 * k, 4, 2 * k + 1, h, "tile_label")
        sh.merge(5, 2 * k, 5, 2 * k + 1, v, TILE_STYLE[kind])
    sh.heights[5] = 30
    r = 7
    for title_k, sec in rest:
        first, nxt = _table(sh, r, title_k, sec)
        n = len(sec.rows) - (1 if sec.total_last else 0)
        if sec.key == "grades":
            for g in GRADES:
                sh.conditional.append((first, 0, first + 4, 0, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                                "format": f"grade_{g}"}))
            sh.conditional.append((first, 7, first + 4, 7, {"type": "cell", "criteria": ">", "value": 0,
                                                            "format": "red_text"}))
            cats, vals = (first, 0, first + 4, 0), (first, 4, first + 4, 4)
            sh.charts.append(Chart("column", [
                {"name": "实际占比", "categories": cats, "values": vals, "color": BLUE, "labels": "0%"},
                {"name": "指导比例", "categories": cats, "values": (first, 5, first + 4, 5), "color": GRID}],
                title="等级分布 vs 指导比例", anchor=(r, 9), offset=(10, 0),
                y_axis={"num_format": "0%", "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}}))
            nxt = max(nxt, r + 14)
        elif sec.key == "departments" and n > 0:
            sh.conditional.append((first, 3, first + n - 1, 3, {"type": "data_bar", "bar_color": LIGHT_BLUE,
                                                                "bar_solid": True, "min_type": "num", "min_value": 0}))
            shown = min(n, 40)               # a dealer group has hundreds: chart the first 40 (highest)
            height = max(240, 28 * shown + 80)
            sh.charts.append(Chart("bar", [{"name": "部门平均分", "categories": (first, 0, first + shown - 1, 0),
                                            "values": (first, 3, first + shown - 1, 3), "color": BLUE, "labels": "0.0"}],
                                   title="部门平均分" if shown == n else f"部门平均分（前{shown}名，共{n}个部门）",
                                   anchor=(nxt, 0), size=(520, height), legend=None,
                                   x_axis={"min": 0, "num_format": "0"}, y_axis={"reverse": True}))
            nxt += max(14, height // 20 + 2)
        elif sec.key == "actions" and sec.rows:
            sh.conditional.append((first, 4, first + n - 1, 4, {"type": "text", "criteria": "containing",
                                                                "value": "离职", "format": "alarm"}))
            sh.merge(r + 1, 6, r + 1, 9, sec.headers[6], "head")
            for i, row in enumerate(sec.rows):          # the months behind an action: 3 a line, 4 columns wide
                sh.merge(first + i, 6, first + i, 9, row[6], "wrap")
                sh.heights[first + i] = 14 * max(1, -(-row[5] // 3))
        elif sec.key == "appeals" and sec.rows:       # the reason, five columns wide
            sh.merge(r + 1, 9, r + 1, 13, sec.headers[9], "head")
            for i, row in enumerate(sec.rows):
                sh.merge(first + i, 9, first + i, 13, row[9], "wrap")
                sh.heights[first + i] = 14 * max(1, -(-len(str(row[9] or "")) // 28))
        elif sec.key == "scorers" and sec.rows:
            sh.conditional.append((first, 5, first + n - 1, 5, {"type": "cell", "criteria": ">", "value": 0,
                                                                "format": "red_text"}))
        elif sec.key == "progress" and sec.rows:
            sh.conditional.append((first, 8, first + n - 1, 8, {"type": "text", "criteria": "containing",
                                                                "value": "落后", "format": "behind"}))
            sh.conditional.append((first, 8, first + n - 1, 8, {"type": "text", "criteria": "containing",
                                                                "value": "未达标", "format": "behind"}))
            sh.conditional.append((first, 7, first + n - 1, 7, {"type": "cell", "criteria": "<", "value": 0,
                                                                "format": "red_text"}))
        r = nxt
    # the per-employee table: title and header as cells, the rows streamed
    sh.put(r, 0, f"{zh_number(len(secs) + 1)}、{PEOPLE_TITLE}", "section")
    sh.row(r + 1, PEOPLE_HEADERS, "head")
    pf = people_frame(res)
    first = r + 2
    if len(pf):
        last = first + len(pf) - 1
        for g in GRADES:
            for col in (10, 11):
                sh.conditional.append((first, col, last, col, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                               "format": f"grade_{g}"}))
        sh.conditional.append((first, 9, last, 9, {"type": "data_bar", "bar_color": LIGHT_BLUE, "bar_solid": True,
                                                   "min_type": "num", "min_value": 0, "max_type": "num",
                                                   "max_value": res.policy.total_max}))
        sh.conditional.append((first, 15, last, 15, {"type": "no_blanks", "format": "alarm"}))
        sh.autofilter = (r + 1, 0, last, len(PEOPLE_HEADERS) - 1)
    sh.bulk = Bulk(first, pf, PEOPLE_FORMATS, [f in ("int", "score", "money") for f in PEOPLE_FORMATS])
    sh.freeze = (3, 0)
    sh.repeat_rows = (r + 1, r + 1)
    return sh


HISTORY_FORMATS = ["month", "text", "text", "text", "score", "grade", "money"]


def history_sheet(res: MonthResults) -> SheetSpec:
    """历史: one row per employee-month, every month (HR may paste older grades here)."""
    sheet = S.SHEETS[S.HISTORY]
    sh = SheetSpec(S.HISTORY, fit=None, landscape=False)
    sh.row(0, sheet.headers, "head")
    sh.column_widths([c.width for c in sheet.columns])
    h = res.history
    sh.freeze = (1, 0)
    sh.autofilter = (0, 0, max(len(h), 1), len(sheet.columns) - 1)
    sh.validations.append((1, 5, max(len(h), 1) + 1000, 5, {"validate": "list", "source": list(GRADES),
                                                             "ignore_blank": True}))
    frame = pd.DataFrame({c.header: h[c.key].to_numpy() for c in sheet.columns})
    sh.bulk = Bulk(1, frame, HISTORY_FORMATS, [f in ("score", "money") for f in HISTORY_FORMATS],
                   kept=res.history_kept)
    return sh


def period_sheet_name(res: MonthResults, period: Period) -> str:
    y, m = int(res.month[:4]), int(res.month[5:])
    return S.quarter_sheet(y, (m - 1) // 3 + 1) if period.kind == "quarter" else S.year_sheet(y)


def period_frame(period: Period) -> pd.DataFrame:
    t = period.table
    cols = {"员工编号": t["employee_id"], "姓名": t["name"], "部门": t["department"]}
    cols.update({f"{int(m[5:])}月": t[m] for m in period.months})
    cols.update({"有效月数": t["months"], "期间得分": t["score"], "等级": t["grade"],
                 "等级名称": GRADE.labels_of(t["grade"].to_numpy())})
    if "note" in t:
        cols["年度结果"] = t["note"]
    return pd.DataFrame(cols)


def period_sheet(res: MonthResults, period: Period) -> SheetSpec:
    sh = SheetSpec(period_sheet_name(res, period), gridlines=False)
    df = period_frame(period)
    sh.put(0, 0, f"{res.store} {period.label} 绩效考核汇总", "title")
    note = "期间得分 = 各月总分的平均值（仅计有成绩的月份），等级按分数段评定"
    if period.kind == "year":
        note += "；年度等级 B 及以上具备年终调薪资格，C 级年终调薪、晋升方面优先考虑"
    sh.put(1, 0, note, "sub")
    el = df[df["等级"] != ""]
    counts = el["等级"].value_counts()
    sh.put(3, 0, "等级分布", "section")
    sh.row(4, [f"{g} {GRADE.label(g)}" for g in GRADES] + ["人数", "平均分"], "head")
    sh.row(5, [int(counts.get(g, 0)) for g in GRADES] + [len(el), el["期间得分"].mean() if len(el) else None],
           ["int"] * 6 + ["score"])
    sh.put(7, 0, "员工期间得分", "section")
    formats = ["text" if h in ("员工编号", "姓名", "部门", "等级名称", "年度结果") else
               "grade" if h == "等级" else "int" if h == "有效月数" else "score" for h in df.columns]
    sh.row(8, list(df.columns), "head")
    sh.column_widths([28 if h == "年度结果" else 12 for h in df.columns])
    g = list(df.columns).index("等级")
    if len(df):
        for grade in GRADES:
            sh.conditional.append((9, g, 8 + len(df), g, {"type": "cell", "criteria": "==", "value": f'"{grade}"',
                                                          "format": f"grade_{grade}"}))
        sh.autofilter = (8, 0, 8 + len(df), len(df.columns) - 1)
    sh.freeze = (9, 3)
    sh.repeat_rows = (8, 8)
    sh.bulk = Bulk(9, df, formats, [f not in ("text", "grade") for f in formats])
    return sh


def output_sheets(res: MonthResults) -> list[SheetSpec]:
    """历史, 月度报告 and the quarter/year sheets closed by the month."""
    return [history_sheet(res), report_sheet(res)] + [period_sheet(res, p) for p in res.periods]
