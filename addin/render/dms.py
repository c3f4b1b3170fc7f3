"""The sheets the DMS import writes, as SheetSpecs: DMS实绩 (the figures the month end reads), one
证据 sheet per KPI (the rows that counted) and 车间分析 (workshop figures by technician, by
department and by month, with charts).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from addin.dms.results import DmsResults
from addin.io import schema as S
from udfs.parse import to_serial
from udfs.vocab import DMS_LEVEL

from .sheet import Bulk, Chart, SheetSpec
from .style import BLUE, GRID, LIGHT_BLUE, NAVY

EXCEL_ROWS = 1_048_576
ACTUAL_FORMATS = ["month", "text", "text", "text", "text", "text", "text", "figure", "number", "number", "text", "text",
                  "text", "text", "datetime"]


def _serial(values) -> np.ndarray:
    return to_serial(pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[s]"))


def actuals_sheet(frame: pd.DataFrame) -> SheetSpec:
    """DMS实绩: header on row 1 (the month end reads it back like any table), every month kept."""
    sheet = S.SHEETS[S.DMS_ACTUALS]
    sh = SheetSpec(S.DMS_ACTUALS, fit=(1, 0), repeat_rows=(0, 0))
    sh.row(0, sheet.headers, "head")
    sh.column_widths([c.width for c in sheet.columns])
    sh.comments[(0, [c.key for c in sheet.columns].index("actual"))] = sheet.note
    out = pd.DataFrame({c.header: frame[c.key].to_numpy() for c in sheet.columns})
    out["层级"] = DMS_LEVEL.labels_of(frame["level"].to_numpy())
    out["覆盖手工"] = np.where(frame["override"].fillna(False).astype(bool), "是", "否")
    out["计算时间"] = _serial(frame["computed"])
    sh.freeze = (1, 0)
    sh.autofilter = (0, 0, max(len(out), 1), len(sheet.columns) - 1)
    numeric = [f in ("figure", "number", "datetime") for f in ACTUAL_FORMATS]
    sh.bulk = Bulk(1, out, ACTUAL_FORMATS, numeric)
    return sh


def _evidence_frame(rows: pd.DataFrame) -> tuple[pd.DataFrame, list, list]:
    """The evidence rows made writable: dates as Excel serials, yes/no as 是/否; a style per column."""
    out, styles = {}, []
    for c in rows.columns:
        s = rows[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            values = s.to_numpy().astype("datetime64[s]")
            has_time = bool(((values - values.astype("datetime64[D]")) != np.timedelta64(0, "s"))[~np.isnat(values)].any())
            out[c], st = to_serial(values), ("datetime" if has_time else "date")
        elif pd.api.types.is_bool_dtype(s) or s.map(lambda v: isinstance(v, (bool, np.bool_))).any():
            out[c], st = s.map(lambda v: "是" if v is True or v is np.True_ else ("否" if v is False or v is np.False_ else "")), "text"
        elif pd.api.types.is_numeric_dtype(s):
            out[c], st = pd.to_numeric(s, errors="coerce").astype(float), "number"
        else:
            out[c], st = s.astype(object).where(s.notna(), ""), "text"
        styles.append(st)
    return pd.DataFrame(out), styles, [st in ("datetime", "date", "number") for st in styles]


def evidence_sheet(res: DmsResults, kpi_id: str) -> SheetSpec:
    name, unit, formula, _ = res.definitions[kpi_id]
    sh = SheetSpec(S.evidence_sheet(name), gridlines=False, fit=(1, 0))
    sh.put(0, 0, f"{res.store} {res.month} {name} — 计算证据（DMS）", "title_small")
    sh.put(1, 0, f"公式：{formula}；计算定义见 指标库「DMS计算定义」列。实际值 = 分子合计 ÷ 分母合计"
                 "（无分母的指标 = 分子合计）；按「员工编号」筛选即可核对个人的实际值。", "note")
    store = res.figures[(res.figures["month"] == res.month) & (res.figures["level"] == "store") &
                        (res.figures["kpi_id"] == kpi_id)]
    if len(store):
        r = store.iloc[0]
        value = f"{r['actual']:.2%}" if unit == "%" else f"{r['actual']:,.4g} {unit}"
        den = "" if pd.isna(r["den"]) else f"，分母合计 {r['den']:,.6g}"
        sh.put(2, 0, f"全店：分子合计 {r['num']:,.6g}{den}，实际值 {value}；来源：{res.file_text}", "bold")
    else:
        sh.put(2, 0, f"全店本月没有可计算的数据；来源：{res.file_text}", "bold")
    rows = res.evidence.get(kpi_id)
    if rows is None or not len(rows):
        sh.put(4, 0, "（本月没有计入的记录）", "text")
        return sh
    frame, styles, numeric = _evidence_frame(rows)
    if len(frame) > EXCEL_ROWS - 5:                 # a sheet holds 1,048,576 rows
        sh.put(3, 0, f"本月共 {len(frame):,} 行，超出工作表行数上限，只列出前 {EXCEL_ROWS - 5:,} 行", "warn")
        frame = frame.iloc[:EXCEL_ROWS - 5]
    sh.row(4, list(frame.columns), "head")
    sh.column_widths([max(9, min(24, 2 + 2 * max(len(str(c)), 4))) if st != "datetime" else 17
                      for c, st in zip(frame.columns, styles)])
    sh.freeze = (5, 2)
    sh.autofilter = (4, 0, 4 + len(frame), len(frame.columns) - 1)
    sh.repeat_rows = (4, 4)
    sh.conditional.append((5, 4, 4 + len(frame), 4, {"type": "cell", "criteria": "!=", "value": 0, "format": "red_text"}))
    sh.bulk = Bulk(5, frame, styles, numeric)
    return sh


def not_computed_sheet(name: str, res: DmsResults, reason: str) -> SheetSpec:
    """An evidence sheet left from an earlier import for a KPI this import did not compute."""
    sh = SheetSpec(name, gridlines=False)
    sh.put(0, 0, f"{name[len(S.EVIDENCE_PREFIX):]} — 本次导入（{res.month}）未计算", "title_small")
    sh.put(1, 0, f"原因：{reason}。之前导入的证据已清除，以免与 DMS实绩 不一致。", "note")
    return sh


# --------------------------------------------------------------------------- 车间分析
WORKSHOP_KPIS = ("hours_per_ro", "technician_utilisation", "technician_efficiency", "effective_labour_rate",
                 "parts_to_labour_ratio", "rework_rate")
COLUMNS = [  # header, style, (kpi, field) or a derived key
    ("工单数", "int", ("hours_per_ro", "den")), ("售出工时", "hours", ("hours_per_ro", "num")),
    ("打卡工时", "hours", ("technician_utilisation", "num")), ("出勤工时", "hours", ("technician_utilisation", "den")),
    ("利用率", "pct", ("technician_utilisation", "actual")), ("效率", "pct", ("technician_efficiency", "actual")),
    ("生产率", "pct", "productivity"), ("工时收入(元)", "money0", ("effective_labour_rate", "num")),
    ("有效工时单价(元)", "money", ("effective_labour_rate", "actual")), ("单车工时", "ratio", ("hours_per_ro", "actual")),
    ("配件收入(元)", "money0", ("parts_to_labour_ratio", "num")), ("配件工时比", "ratio", ("parts_to_labour_ratio", "actual")),
    ("返修", "int", ("rework_rate", "num")), ("返修率", "pct", ("rework_rate", "actual")),
]


TOTAL = {"int": "total_int", "pct": "total_pct", "money": "total_money", "money0": "total_money0",
         "number": "total_number", "hours": "total_hours", "ratio": "total_ratio"}


def _pivot(f: pd.DataFrame, keys: list) -> pd.DataFrame:
    f = f[f["kpi_id"].isin(WORKSHOP_KPIS)]
    if not len(f):
        return pd.DataFrame(columns=keys + [h for h, _, _ in COLUMNS])
    wide = f.pivot_table(index=keys, columns="kpi_id", values=["num", "den", "actual"], aggfunc="first")
    out = pd.DataFrame(index=wide.index)
    for header, _, src in COLUMNS:
        if src == "productivity":
            sold, avail = out["售出工时"], out["出勤工时"]
            out[header] = np.where(avail > 0, sold / avail.where(avail > 0, 1), np.nan)
        else:
            kpi, fld = src
            out[header] = wide[(fld, kpi)] if (fld, kpi) in wide.columns else np.nan
    return out.reset_index()


def workshop_sheet(res: DmsResults) -> SheetSpec:
    sh = SheetSpec(S.WORKSHOP, gridlines=False)
    y, m = res.month.split("-")
    sh.put(0, 0, f"{res.store} {y}年{int(m)}月 车间分析报告", "title")
    sh.put(1, 0, f"数据来源：DMS导出（{res.file_text}）；返修 = 结算后{res.rework_days}天内同一VIN同一故障再次进厂；"
                 "利用率 = 打卡工时 ÷ 出勤工时，效率 = 售出工时 ÷ 打卡工时，生产率 = 售出工时 ÷ 出勤工时", "sub")
    heads = [h for h, _, _ in COLUMNS]
    styles = [s for _, s, _ in COLUMNS]
    sh.column_widths([12, 10, 12] + [11] * len(heads))
    f = res.figures
    month = f[f["month"] == res.month]
    people = _pivot(month[month["level"] == "person"], ["employee_id", "name", "department"])
    people = people.sort_values(["department", "售出工时"], ascending=[True, False], kind="stable")
    depts = _pivot(month[month["level"] == "department"], ["department"])
    store = _pivot(month[month["level"] == "store"], ["month"])
    r = 3
    sh.put(r, 0, "一、技师明细（本月）", "section")
    sh.row(r + 1, ["技师", "员工编号", "部门"] + heads, "head")
    first = r + 2
    for i, row in enumerate(people.itertuples(index=False)):
        sh.row(first + i, [row[1], row[0], row[2]] + list(row[3:3 + len(heads)]), ["text"] * 3 + styles)
    last = first + len(people) - 1
    if len(store):
        sh.row(last + 1, ["全店合计", "", ""] + list(store.iloc[0][heads]),
               ["total_text"] * 3 + [TOTAL.get(s, "total_text") for s in styles])
    if not len(people):
        sh.put(first, 0, "（本月没有技师的数据）", "text")
    else:
        clocked = people["利用率"].notna().any() or people["效率"].notna().any()
        cats = (first, 0, last, 0)
        series = ([{"name": "利用率", "categories": cats, "values": (first, 7, last, 7), "color": BLUE},
                   {"name": "效率", "categories": cats, "values": (first, 8, last, 8), "color": LIGHT_BLUE}] if clocked else
                  [{"name": "售出工时", "categories": cats, "values": (first, 4, last, 4), "color": BLUE}])
        sh.charts.append(Chart("column", series, title="技师利用率与效率" if clocked else "技师售出工时",
                               anchor=(max(last + 3, first + 2), 0), size=(760, 300),
                               y_axis={"num_format": "0%" if clocked else "0",
                                       "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}}))
    r = max(last + 3, first + 2) + 17
    sh.put(r, 0, "二、部门（本月）", "section")
    sh.row(r + 1, ["部门", "", ""] + heads, "head")
    for i, row in enumerate(depts.itertuples(index=False)):
        sh.row(r + 2 + i, [row[0], "", ""] + [row[j + 1] for j in range(len(heads))], ["text"] * 3 + styles)
    if not len(depts):
        sh.put(r + 2, 0, "（无）", "text")
    r = r + 3 + max(len(depts), 1)
    trend = _pivot(f[f["level"] == "store"], ["month"]).sort_values("month").tail(12)
    sh.put(r, 0, "三、月度趋势（全店，近12个月）", "section")
    sh.row(r + 1, ["月份", "", ""] + heads, "head")
    t0 = r + 2
    for i, row in enumerate(trend.itertuples(index=False)):
        sh.row(t0 + i, [row[0], "", ""] + [row[j + 1] for j in range(len(heads))], ["month", "text", "text"] + styles)
    if len(trend):
        t1 = t0 + len(trend) - 1
        cats = (t0, 0, t1, 0)
        sh.charts.append(Chart("column", [
            {"name": "售出工时", "categories": cats, "values": (t0, 4, t1, 4), "color": NAVY},
            {"name": "打卡工时", "categories": cats, "values": (t0, 5, t1, 5), "color": BLUE},
            {"name": "出勤工时", "categories": cats, "values": (t0, 6, t1, 6), "color": GRID}],
            title="月度工时：售出、打卡、出勤", anchor=(t1 + 2, 0), size=(760, 300),
            y_axis={"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}}))
    sh.freeze = (3, 0)
    return sh


def dms_sheets(res: DmsResults, actuals: pd.DataFrame, existing: list) -> list[SheetSpec]:
    """DMS实绩 (actuals: the merged rows to write), 车间分析, and an evidence sheet per KPI computed;
    an evidence sheet the book has for a KPI not computed now is replaced by a notice."""
    specs = [actuals_sheet(actuals), workshop_sheet(res)]
    written = set()
    for kid in res.computed:
        spec = evidence_sheet(res, kid)
        specs.append(spec)
        written.add(spec.name)
    for kid, reason in res.skipped.items():
        name = S.evidence_sheet(res.definitions[kid][0])
        if name in existing and name not in written:
            specs.append(not_computed_sheet(name, res, reason))
    return specs
