"""Layout of the output sheets (历史, 月度报告, 季度/年度考核) and their two renderers.

`report_sections(res)` is the one definition of what the report shows (titles, headers, rows,
number formats). `write_results` renders it with xlsxwriter into a small in-memory donor
package, with native charts and conditional formatting, and transplants the sheets into the
store workbook (addin/xlsxpatch.py); long tables (历史, the per-employee table) are streamed as
vectorised sheet XML. `sheet_values(res)` renders the same sections as plain 2-D values for
xlwings (desktop or Lite), where cell formats are applied by the caller.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin import book as bk
from addin.results import MonthResults
from udfs.policy import ACTION_LABELS, GRADE_LABELS, GRADES

GRADING_ZH = {"bands": "按分数段", "forced": "强制分布", "capped": "限额（A、B不超过指导比例）"}
GROUP_ZH = {"store": "全店", "department": "按部门"}
CATEGORY_ZH = {"profit": "创利部门", "functional": "职能部门", "manager": "部门经理",
               "support_manager": "行政/人力/客服经理"}
GRADE_COLORS = {"A": "C6EFCE", "B": "DDEBF7", "C": "FFFFFF", "D": "FFEB9C", "E": "FFC7CE"}
GRADE_FONT = {"A": "006100", "B": "1F4E79", "C": "000000", "D": "9C5700", "E": "9C0006"}


@dataclass
class Section:
    title: str
    headers: list
    rows: list                     # list of row lists (python values; None/NaN = blank)
    formats: list = field(default_factory=list)   # per column: text|int|score|pct|money|datetime|grade
    key: str = ""
    widths: list = field(default_factory=list)


def _nan(v):
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT


def _band_text(policy) -> list:
    return [f"{policy.a_min:g}–{policy.total_max:g}", f"{policy.b_min:g}–{policy.a_min:g}",
            f"{policy.c_min:g}–{policy.b_min:g}", f"{policy.e_max:g}–{policy.c_min:g}", f"≤{policy.e_max:g}"]


def report_sections(res: MonthResults) -> dict:
    """Everything the 月度报告 shows, as sections (plus the header lines)."""
    from udfs.grading import quota_counts
    p = res.people
    pol = res.policy
    el = p[p["eligible"]]
    n = len(el)
    counts = el["grade"].value_counts()
    quota = quota_counts(n, pol.quotas) if n else np.zeros(5, dtype=int)
    out = {}
    fines = float(np.nansum(res.scorers["fine"].to_numpy(dtype=float))) if len(res.scorers) else 0.0
    out["summary"] = Section("一、概况", ["参评人数", "免考核人数", "平均分", "最高分", "最低分",
                                        "绩效工资合计(元)", "处理事项", "评分逾期罚款(元)"],
                             [[n, int((~p["eligible"]).sum()), el["total"].mean() if n else None,
                               el["total"].max() if n else None, el["total"].min() if n else None,
                               float(el["pay"].sum()), len(res.actions), fines]],
                             ["int", "int", "score", "score", "score", "money", "int", "money"], "summary")
    rows = []
    for i, g in enumerate(GRADES):
        c = int(counts.get(g, 0))
        rows.append([g, GRADE_LABELS[g], _band_text(pol)[i], c, c / n if n else 0.0, pol.quotas[i],
                     int(quota[i]), c - int(quota[i])])
    rows.append(["合计", "", "", n, 1.0 if n else 0.0, float(sum(pol.quotas)), int(quota.sum()), 0])
    out["grades"] = Section("二、等级分布（对照 5/20/60/10/5 指导比例）",
                            ["等级", "名称", "分数段", "人数", "实际占比", "指导比例", "指导人数", "差异(人)"],
                            rows, ["grade", "text", "text", "int", "pct", "pct", "int", "int"], "grades")
    # departments (vectorised: a dealer group has ~1,000 departments)
    dept_rows = []
    if len(p):
        order = {d: i for i, d in enumerate(pd.unique(p["department"]))}
        g = el.groupby("department", sort=False)
        agg = pd.DataFrame({"n": g.size(), "mean": g["total"].mean(), "max": g["total"].max(),
                            "min": g["total"].min(), "base": g["base"].sum(), "pay": g["pay"].sum()})
        cross = pd.crosstab(el["department"], el["grade"]).reindex(columns=list(GRADES), fill_value=0)
        ex_n = p[~p["eligible"]].groupby("department").size()
        depts = pd.Index(list(order), name="department")
        agg = agg.reindex(depts)
        table = pd.DataFrame({"部门": depts, "参评": agg["n"].fillna(0).astype(int).to_numpy(),
                              "免考核": ex_n.reindex(depts).fillna(0).astype(int).to_numpy(),
                              "平均分": agg["mean"].to_numpy(), "最高分": agg["max"].to_numpy(),
                              "最低分": agg["min"].to_numpy()})
        for gname in GRADES:
            table[gname] = cross[gname].reindex(depts).fillna(0).astype(int).to_numpy()
        table["基数"] = agg["base"].fillna(0).to_numpy()
        table["工资"] = agg["pay"].fillna(0).to_numpy()
        table = table.sort_values("平均分", ascending=False, na_position="last", kind="stable")
        dept_rows = [[None if _nan(v) else v for v in r] for r in table.itertuples(index=False)]
        dept_rows.append(["合计", n, int((~p["eligible"]).sum()), el["total"].mean() if n else None,
                          el["total"].max() if n else None, el["total"].min() if n else None,
                          *[int(counts.get(gname, 0)) for gname in GRADES], float(el["base"].sum()),
                          float(el["pay"].sum())])
    out["departments"] = Section("三、部门结果与绩效工资",
                                 ["部门", "参评", "免考核", "平均分", "最高分", "最低分", "A", "B", "C", "D", "E",
                                  "基数合计(元)", "绩效工资(元)"], dept_rows,
                                 ["text", "int", "int", "score", "score", "score", "int", "int", "int", "int", "int",
                                  "money", "money"], "departments")
    a = res.actions
    out["actions"] = Section("四、处理事项（奖励、改进计划、警告、离职）",
                             ["员工编号", "姓名", "部门", "直接上级", "事项", "连续月数", "依据"],
                             [[r.employee_id, r.name, r.department, r.manager, r.label, r.run, r.months]
                              for r in a.itertuples(index=False)],
                             ["text", "text", "text", "text", "action", "int", "text"], "actions")
    s = res.scorers
    out["scorers"] = Section("五、评分提交与逾期罚款",
                             ["评分人", "角色", "截止时间", "提交时间", "逾期天数", "罚款(元)"],
                             [[r.scorer or "（未提交）", r.role, _py(r.due), _py(r.submitted),
                               None if _nan(r.days_late) else int(r.days_late), None if _nan(r.fine) else float(r.fine)]
                              for r in s.itertuples(index=False)],
                             ["text", "text", "datetime", "datetime", "int", "money"], "scorers")
    ex = p[~p["eligible"]]
    out["exempt"] = Section("六、免考核人员（不评等级、不计入比例）", ["员工编号", "姓名", "部门", "岗位", "原因"],
                            ex[["employee_id", "name", "department", "position", "exempt_reason"]].values.tolist(),
                            ["text"] * 5, "exempt")
    out["warnings"] = Section("七、数据提示", ["提示"], [[w] for w in res.warnings], ["text"], "warnings")
    out["people"] = Section("八、员工明细",
                            ["员工编号", "姓名", "部门", "岗位", "考核类别", "项目数", "项目得分", "加减分", "否决项",
                             "总分", "分数段等级", "最终等级", "等级名称", "绩效基数(元)", "绩效工资(元)", "事项",
                             "连续A", "连续D/E", "提示"],
                            None, ["text", "text", "text", "text", "text", "int", "score", "score", "text", "score",
                                   "grade", "grade", "text", "money", "money", "action", "int", "int", "text"], "people")
    return out


def people_frame(res: MonthResults) -> pd.DataFrame:
    """The per-employee table (section 八) as a DataFrame in display order."""
    p = res.people
    dept_order = {d: i for i, d in enumerate(pd.unique(p["department"]))}     # roster order
    order = p.assign(_e=~p["eligible"], _d=p["department"].map(dept_order)).sort_values(
        ["_e", "_d", "total", "employee_id"], ascending=[True, True, False, True], kind="stable")
    return pd.DataFrame({
        "员工编号": order["employee_id"], "姓名": order["name"], "部门": order["department"],
        "岗位": order["position"], "考核类别": order["category"].map(CATEGORY_ZH).fillna(order["category"]),
        "项目数": np.where(order["eligible"], order["items"], np.nan),
        "项目得分": order["items_score"], "加减分": order["adjustment"],
        "否决项": np.where(order["veto"], "是", ""),
        "总分": order["total"], "分数段等级": order["band_grade"], "最终等级": order["grade"],
        "等级名称": np.where(order["eligible"], order["grade_label"], "免考核：" + order["exempt_reason"].astype(str)),
        "绩效基数(元)": order["base"], "绩效工资(元)": order["pay"],
        "事项": order["action"].map(ACTION_LABELS).fillna(""),
        "连续A": np.where(order["a_run"] > 0, order["a_run"], np.nan),
        "连续D/E": np.where(order["d_run"] > 0, order["d_run"], np.nan),
        "提示": order["warnings"],
    }).reset_index(drop=True)


def _py(v):
    if _nan(v):
        return None
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(v).to_pydatetime()
    return v


def title_lines(res: MonthResults) -> tuple[str, str]:
    y, m = res.month.split("-")
    pol = res.policy
    title = f"{res.store} {y}年{int(m)}月 绩效考核月度报告"
    sub = (f"考核月份 {res.month} · 等级评定：{GRADING_ZH.get(pol.grading, pol.grading)}，"
           f"范围：{GROUP_ZH.get(pol.eval_group, pol.eval_group)} · 绩效工资 = 绩效基数 × 总分 ÷ 100"
           if pol.pay_method == "score" else
           f"考核月份 {res.month} · 等级评定：{GRADING_ZH.get(pol.grading, pol.grading)} · 绩效工资 = 绩效基数 × 等级系数")
    return title, sub


def period_frame(res: MonthResults, kind: str) -> pd.DataFrame:
    f = res.period[kind]
    months = f.attrs.get("months", [])
    cols = {"员工编号": f["employee_id"], "姓名": f["name"], "部门": f["department"]}
    for mth in months:
        cols[f"{int(mth[5:])}月"] = f[mth] if mth in f else np.nan
    cols["有效月数"] = f["months"]
    cols["期间得分"] = f["score"]
    cols["等级"] = f["grade"]
    cols["等级名称"] = f["grade_label"]
    if "note" in f:
        cols["年度结果"] = f["note"]
    return pd.DataFrame(cols)


# ---------------------------------------------------------------------------- fast rows
def _esc(s: pd.Series) -> pd.Series:
    return (s.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False)
            .str.replace(">", "&gt;", regex=False))


def _col_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def rows_xml(df: pd.DataFrame, first_row: int, kinds: list, xf: list) -> bytes:
    """Sheet XML <row> elements for a DataFrame, column by column (no per-row pandas).

    kinds: per column 'text' or 'num'; xf: per column target style index. Blank values → a
    styled empty cell. Serialising is string formatting only: each column becomes its cell
    strings in one comprehension and rows are joined with zip (PERF-NOTES: hand-written sheet
    XML is the floor for writing large tables).
    """
    n = len(df)
    if n == 0:
        return b""
    rows = [str(r) for r in range(first_row, first_row + n)]
    cols = [['<row r="' + r + '">' for r in rows]]
    for j, (col, kind, s) in enumerate(zip(df.columns, kinds, xf)):
        L = _col_letter(j)
        pre, empty = f'<c r="{L}', f'" s="{s}"/>'
        if kind == "num":
            num = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
            text = list(map(repr, np.nan_to_num(num).tolist()))
            mid = f'" s="{s}"><v>'
            cols.append([f"{pre}{r}{mid}{t}</v></c>" if ok else f"{pre}{r}{empty}"
                         for r, t, ok in zip(rows, text, (~np.isnan(num)).tolist())])
        else:
            text = _texts([x if isinstance(x, str) else ("" if x is None or x != x else str(x))
                           for x in df[col].tolist()])
            mid = f'" s="{s}" t="inlineStr"><is><t>'
            cols.append([f"{pre}{r}{mid}{t}</t></is></c>" if t else f"{pre}{r}{empty}" for r, t in zip(rows, text)])
    cols.append(["</row>"] * n)
    from itertools import chain
    return "".join(chain.from_iterable(zip(*cols))).encode("utf-8")


def _texts(values: list) -> list:
    """XML-escape a column of strings in one pass over their join."""
    joined = "\x00".join(values)
    if "&" in joined or "<" in joined or ">" in joined:
        joined = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return joined.split("\x00")
    return values


# ---------------------------------------------------------------------------- xlsxwriter donor
class _Fmt:
    def __init__(self, wb):
        base = {"font_name": "微软雅黑", "font_size": 10, "valign": "vcenter"}
        self.wb = wb
        cell = dict(base, border=1, border_color="#BFBFBF")
        self.f = {
            "title": wb.add_format(dict(base, bold=True, font_size=16, font_color="#1F4E79")),
            "sub": wb.add_format(dict(base, font_color="#595959", font_size=9)),
            "section": wb.add_format(dict(base, bold=True, font_size=12, font_color="#1F4E79", bottom=2,
                                          bottom_color="#1F4E79")),
            "head": wb.add_format(dict(cell, bold=True, font_color="#FFFFFF", bg_color="#1F4E79",
                                       align="center", text_wrap=True)),
            "text": wb.add_format(cell),
            "int": wb.add_format(dict(cell, num_format="0", align="center")),
            "score": wb.add_format(dict(cell, num_format="0.0")),
            "pct": wb.add_format(dict(cell, num_format="0.0%")),
            "money": wb.add_format(dict(cell, num_format="#,##0.00")),
            "datetime": wb.add_format(dict(cell, num_format="yyyy-mm-dd hh:mm")),
            "grade": wb.add_format(dict(cell, bold=True, align="center")),
            "action": wb.add_format(dict(cell, bold=True, font_color="#9C0006")),
            "tile_label": wb.add_format(dict(base, font_color="#595959", align="center", bg_color="#F2F2F2",
                                             top=1, left=1, right=1, border_color="#BFBFBF")),
            "tile_int": wb.add_format(dict(base, bold=True, font_size=18, align="center", bg_color="#F2F2F2",
                                           num_format="0", bottom=1, left=1, right=1, border_color="#BFBFBF")),
            "tile_score": wb.add_format(dict(base, bold=True, font_size=18, align="center", bg_color="#F2F2F2",
                                             num_format="0.0", bottom=1, left=1, right=1, border_color="#BFBFBF")),
            "tile_money": wb.add_format(dict(base, bold=True, font_size=16, align="center", bg_color="#F2F2F2",
                                             num_format="#,##0", bottom=1, left=1, right=1, border_color="#BFBFBF")),
            "total_text": wb.add_format(dict(cell, bold=True, bg_color="#F2F2F2")),
            "total_int": wb.add_format(dict(cell, bold=True, bg_color="#F2F2F2", num_format="0", align="center")),
            "total_score": wb.add_format(dict(cell, bold=True, bg_color="#F2F2F2", num_format="0.0")),
            "total_pct": wb.add_format(dict(cell, bold=True, bg_color="#F2F2F2", num_format="0.0%")),
            "total_money": wb.add_format(dict(cell, bold=True, bg_color="#F2F2F2", num_format="#,##0.00")),
            "month": wb.add_format(dict(cell, align="center")),
        }
        self.grade_dxf = {g: wb.add_format({"bg_color": "#" + GRADE_COLORS[g], "font_color": "#" + GRADE_FONT[g],
                                            "bold": g in "ADE"}) for g in GRADES}
        self.action_dxf = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.red_dxf = wb.add_format({"font_color": "#C00000", "bold": True})

    def __getitem__(self, k):
        return self.f[k]

    def xf(self, k) -> int:
        return self.f[k]._get_xf_index()


def _put(ws, r, c, v, fmt):
    if _nan(v):
        ws.write_blank(r, c, None, fmt)
    elif isinstance(v, (bool, np.bool_)):
        ws.write_string(r, c, "是" if v else "", fmt)
    elif isinstance(v, (int, float, np.integer, np.floating)):
        ws.write_number(r, c, float(v), fmt)
    elif isinstance(v, (pd.Timestamp,)):
        ws.write_datetime(r, c, v.to_pydatetime(), fmt)
    elif hasattr(v, "year") and hasattr(v, "month"):
        ws.write_datetime(r, c, v, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def _table(ws, F, r, sec: Section, total_last=False) -> tuple[int, int]:
    """Write a section's header + rows at row r (0-based); returns (first data row, next free row)."""
    ws.write_string(r, 0, sec.title, F["section"])
    r += 1
    for j, h in enumerate(sec.headers):
        ws.write_string(r, j, h, F["head"])
    r += 1
    first = r
    if not sec.rows:
        ws.write_string(r, 0, "（无）", F["text"])
        return first, r + 2
    for i, row in enumerate(sec.rows):
        tot = total_last and i == len(sec.rows) - 1
        for j, v in enumerate(row):
            kind = sec.formats[j] if j < len(sec.formats) else "text"
            if tot:
                kind = {"int": "total_int", "score": "total_score", "pct": "total_pct", "money": "total_money"}.get(kind, "total_text")
            _put(ws, r, j, v, F[kind])
        r += 1
    return first, r + 1


WIDTHS = [11, 10, 17, 17, 14, 9, 10, 10, 9, 9, 10, 10, 15, 15, 15, 18, 7, 8, 36]


def _report_sheet(wb, F, res: MonthResults, secs: dict):
    ws = wb.add_worksheet(bk.REPORT)
    ws.hide_gridlines(2)
    for j, w in enumerate(WIDTHS):
        ws.set_column(j, j, w)
    title, sub = title_lines(res)
    ws.set_row(0, 28)
    ws.write_string(0, 0, title, F["title"])
    ws.write_string(1, 0, sub, F["sub"])
    # 一、概况 as tiles
    s = secs["summary"]
    ws.write_string(3, 0, s.title, F["section"])
    tile_fmt = {"int": "tile_int", "score": "tile_score", "money": "tile_money"}
    for k, (h, v, kind) in enumerate(zip(s.headers, s.rows[0], s.formats)):
        c = k * 2
        ws.merge_range(4, c, 4, c + 1, h, F["tile_label"])
        if _nan(v):
            ws.merge_range(5, c, 5, c + 1, "", F[tile_fmt[kind]])
        else:
            ws.merge_range(5, c, 5, c + 1, float(v), F[tile_fmt[kind]])
    ws.set_row(5, 30)
    r = 7
    # 二、等级分布 + chart
    g0, r_next = _table(ws, F, r, secs["grades"], total_last=True)
    for g in GRADES:
        ws.conditional_format(g0, 0, g0 + 4, 0, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                 "format": F.grade_dxf[g]})
    ws.conditional_format(g0, 7, g0 + 4, 7, {"type": "cell", "criteria": ">", "value": 0, "format": F.red_dxf})
    chart = wb.add_chart({"type": "column"})
    sheet = bk.REPORT
    chart.add_series({"name": "实际占比", "categories": [sheet, g0, 0, g0 + 4, 0],
                      "values": [sheet, g0, 4, g0 + 4, 4], "fill": {"color": "#2E75B6"},
                      "data_labels": {"value": True, "num_format": "0%"}})
    chart.add_series({"name": "指导比例", "categories": [sheet, g0, 0, g0 + 4, 0],
                      "values": [sheet, g0, 5, g0 + 4, 5], "fill": {"color": "#BFBFBF"}})
    chart.set_title({"name": "等级分布 vs 指导比例", "name_font": {"size": 12, "name": "微软雅黑"}})
    chart.set_y_axis({"num_format": "0%", "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 520, "height": 260})
    ws.insert_chart(r, 9, chart, {"x_offset": 10, "y_offset": 0})
    r = max(r_next, r + 14)
    # 三、部门
    d0, r_next = _table(ws, F, r, secs["departments"], total_last=True)
    nd = len(secs["departments"].rows) - 1
    if nd > 0:
        ws.conditional_format(d0, 3, d0 + nd - 1, 3, {"type": "data_bar", "bar_color": "#9BC2E6",
                                                       "bar_solid": True, "min_type": "num", "min_value": 0})
        shown = min(nd, 40)           # a dealer group has hundreds: chart the first 40 (highest)
        ch = wb.add_chart({"type": "bar"})
        ch.add_series({"name": "部门平均分", "categories": [sheet, d0, 0, d0 + shown - 1, 0],
                       "values": [sheet, d0, 3, d0 + shown - 1, 3], "fill": {"color": "#2E75B6"},
                       "data_labels": {"value": True, "num_format": "0.0"}})
        ch.set_title({"name": "部门平均分" if shown == nd else f"部门平均分（前{shown}名，共{nd}个部门）",
                      "name_font": {"size": 12, "name": "微软雅黑"}})
        nd = shown
        ch.set_x_axis({"min": 0, "num_format": "0"})
        ch.set_y_axis({"reverse": True})
        ch.set_legend({"none": True})
        ch.set_size({"width": 520, "height": max(240, 28 * nd + 80)})
        ws.insert_chart(r_next, 0, ch, {"x_offset": 0, "y_offset": 0})
        r = r_next + max(14, int((28 * nd + 80) / 20) + 2)
    else:
        r = r_next
    # 四 … 七
    a0, r = _table(ws, F, r, secs["actions"])
    if secs["actions"].rows:
        ws.conditional_format(a0, 4, a0 + len(secs["actions"].rows) - 1, 4,
                              {"type": "text", "criteria": "containing", "value": "离职", "format": F.action_dxf})
    _, r = _table(ws, F, r, secs["scorers"])
    if secs["scorers"].rows:
        s0 = r - 1 - len(secs["scorers"].rows)
        ws.conditional_format(s0, 5, s0 + len(secs["scorers"].rows) - 1, 5,
                              {"type": "cell", "criteria": ">", "value": 0, "format": F.red_dxf})
    _, r = _table(ws, F, r, secs["exempt"])
    if res.warnings:
        _, r = _table(ws, F, r, Section(secs["warnings"].title, ["提示"], secs["warnings"].rows[:200], ["text"]))
        if len(res.warnings) > 200:
            ws.write_string(r - 1, 0, f"……另有 {len(res.warnings) - 200} 条，见员工明细「提示」列", F["sub"])
            r += 1
    # 八、员工明细: header + first row via xlsxwriter, the rest streamed
    sec = secs["people"]
    ws.write_string(r, 0, sec.title, F["section"])
    r += 1
    hdr = r
    for j, h in enumerate(sec.headers):
        ws.write_string(r, j, h, F["head"])
    r += 1
    pf = people_frame(res)
    n = len(pf)
    if n:
        last = r + n - 1
        for g in GRADES:
            for col in (10, 11):
                ws.conditional_format(r, col, last, col, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                          "format": F.grade_dxf[g]})
        ws.conditional_format(r, 9, last, 9, {"type": "data_bar", "bar_color": "#9BC2E6", "bar_solid": True,
                                              "min_type": "num", "min_value": 0, "max_type": "num",
                                              "max_value": res.policy.total_max})
        ws.conditional_format(r, 15, last, 15, {"type": "no_blanks", "format": F.action_dxf})
        ws.autofilter(hdr, 0, last, len(sec.headers) - 1)
    ws.freeze_panes(3, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(hdr, hdr)
    kinds = ["num" if f in ("int", "score", "money") else "text" for f in sec.formats]
    fmts = sec.formats
    return pf, r, kinds, fmts


def _history_sheet(wb, F, res: MonthResults):
    ws = wb.add_worksheet(bk.HISTORY)
    heads = bk.HISTORY_HEADERS
    for j, h in enumerate(heads):
        ws.write_string(0, j, h, F["head"])
    for j, w in enumerate([10, 11, 10, 12, 9, 7, 13]):
        ws.set_column(j, j, w)
    ws.freeze_panes(1, 0)
    n = len(res.history)
    ws.autofilter(0, 0, max(n, 1), len(heads) - 1)
    ws.data_validation(1, 5, max(n, 1) + 1000, 5, {"validate": "list", "source": list(GRADES) + [""],
                                                    "ignore_blank": True})
    return ["month", "text", "text", "text", "score", "grade", "money"]


def _period_sheet(wb, F, res: MonthResults, kind: str):
    f = res.period[kind]
    y = int(res.month[:4])
    q = (int(res.month[5:]) - 1) // 3 + 1
    name = bk.quarter_sheet(y, q) if kind == "quarter" else bk.year_sheet(y)
    ws = wb.add_worksheet(name)
    ws.hide_gridlines(2)
    df = period_frame(res, kind)
    ws.write_string(0, 0, f"{res.store} {f.attrs.get('label', '')} 绩效考核汇总", F["title"])
    ws.write_string(1, 0, "期间得分 = 各月总分的平均值（仅计有成绩的月份），等级按分数段评定" +
                    ("；年度等级 B 及以上具备年终调薪资格，C 级年终调薪、晋升方面优先考虑" if kind == "year" else ""),
                    F["sub"])
    from udfs.policy import GRADES as G
    el = df[df["等级"] != ""]
    counts = el["等级"].value_counts()
    ws.write_string(3, 0, "等级分布", F["section"])
    for j, g in enumerate(G):
        ws.write_string(4, j, f"{g} {GRADE_LABELS[g]}", F["head"])
        ws.write_number(5, j, int(counts.get(g, 0)), F["int"])
    ws.write_string(4, 5, "人数", F["head"])
    ws.write_number(5, 5, len(el), F["int"])
    ws.write_string(4, 6, "平均分", F["head"])
    _put(ws, 5, 6, el["期间得分"].mean() if len(el) else None, F["score"])
    ws.write_string(7, 0, "员工期间得分", F["section"])
    fmts = []
    for j, h in enumerate(df.columns):
        ws.write_string(8, j, h, F["head"])
        fmt = ("text" if h in ("员工编号", "姓名", "部门", "等级名称", "年度结果") else
               "grade" if h == "等级" else "int" if h == "有效月数" else "score")
        fmts.append(fmt)
        ws.set_column(j, j, 12 if h not in ("年度结果",) else 28)
    gcol = list(df.columns).index("等级")
    if len(df):
        for g in G:
            ws.conditional_format(9, gcol, 8 + len(df), gcol, {"type": "cell", "criteria": "==", "value": f'"{g}"',
                                                               "format": F.grade_dxf[g]})
        ws.autofilter(8, 0, 8 + len(df), len(df.columns) - 1)
    ws.freeze_panes(9, 3)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(8, 8)
    kinds = ["text" if f in ("text", "grade") else "num" for f in fmts]
    return name, df, 10, kinds, fmts           # rows streamed from Excel row 10


def output_sheet_names(res: MonthResults) -> list[str]:
    y = int(res.month[:4])
    names = [bk.HISTORY, bk.REPORT]
    if "quarter" in res.period:
        names.append(bk.quarter_sheet(y, (int(res.month[5:]) - 1) // 3 + 1))
    if "year" in res.period:
        names.append(bk.year_sheet(y))
    return names


def write_results(path, res: MonthResults, dest=None, timer=None):
    """Write 历史, 月度报告 and the period sheets into the workbook at `path` (atomically)."""
    import xlsxwriter
    from addin.xlsxpatch import replace_sheets
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": True})
    F = _Fmt(wb)
    hist_fmts = _history_sheet(wb, F, res)
    secs = report_sections(res)
    pf, p_first, p_kinds, p_fmts = _report_sheet(wb, F, res, secs)
    names = [bk.HISTORY, bk.REPORT]
    streams = {}
    for kind in ("quarter", "year"):
        if kind in res.period:
            name, df, first, kinds, fmts = _period_sheet(wb, F, res, kind)
            names.append(name)
            streams[name] = (df, first, kinds, fmts)
    donor_xf = {k: F.xf(k) for k in ("text", "int", "score", "money", "grade", "action", "month", "pct")}
    wb.close()
    if timer:
        timer.mark("排版")
    h = res.history
    hist = pd.DataFrame({"月份": h["month"], "员工编号": h["employee_id"], "姓名": h["name"],
                         "部门": h["department"], "总分": h["total"].round(2), "等级": h["grade"],
                         "绩效工资": h["pay"]})

    def hist_rows(xf_map):
        xf = [xf_map[donor_xf[f]] for f in hist_fmts]
        kinds = ["num" if f in ("score", "money") else "text" for f in hist_fmts]
        return rows_xml(hist, 2, kinds, xf)

    def people_rows(xf_map):
        xf = [xf_map[donor_xf[f]] for f in p_fmts]
        return rows_xml(pf, p_first + 1, p_kinds, xf)

    def stream(df, first, kinds, fmts):
        return lambda xf_map: rows_xml(df, first, kinds, [xf_map[donor_xf[f]] for f in fmts])

    extra = {bk.HISTORY: hist_rows, bk.REPORT: people_rows}
    extra.update({name: stream(*args) for name, args in streams.items()})
    replace_sheets(path, buf.getvalue(), names, dest=dest, extra_rows=extra,
                   parallel=(bk.HISTORY,) if len(hist) > 20_000 else ())
    if timer:
        timer.mark("写入")
    return dest or path


def sheet_values(res: MonthResults) -> dict:
    """The output sheets as plain 2-D values (for xlwings / xlwings Lite)."""
    out = {}
    h = res.history
    out[bk.HISTORY] = [bk.HISTORY_HEADERS] + [
        [m, e, n, d, None if _nan(t) else round(float(t), 2), g, None if _nan(p) else float(p)]
        for m, e, n, d, t, g, p in h[["month", "employee_id", "name", "department", "total", "grade", "pay"]].itertuples(index=False)]
    secs = report_sections(res)
    title, sub = title_lines(res)
    rows = [[title], [sub], []]
    for key in ("summary", "grades", "departments", "actions", "scorers", "exempt", "warnings"):
        s = secs[key]
        rows += [[s.title], list(s.headers)] + [[_py(v) for v in r] for r in s.rows] + [[]]
    pf = people_frame(res)
    rows += [[secs["people"].title], list(pf.columns)]
    rows += [[None if _nan(v) else v for v in r] for r in pf.itertuples(index=False)]
    width = max(len(r) for r in rows)
    out[bk.REPORT] = [list(r) + [None] * (width - len(r)) for r in rows]
    y = int(res.month[:4])
    for kind in ("quarter", "year"):
        if kind in res.period:
            df = period_frame(res, kind)
            name = bk.quarter_sheet(y, (int(res.month[5:]) - 1) // 3 + 1) if kind == "quarter" else bk.year_sheet(y)
            out[name] = [list(df.columns)] + [[None if _nan(v) else (float(v) if isinstance(v, (np.floating, np.integer)) else v)
                                               for v in r] for r in df.itertuples(index=False)]
    return out
