"""The 目标分解 input sheets of the store workbook, and the standalone targets template.

``add_target_sheets(wb, sample)`` adds three input sheets to an openpyxl Workbook:

* 目标分解 — one row per indicator (annual target, unit, 可加/不可加, split method, calendar,
  负责人) with twelve month columns for last year's actuals (seasonality) or explicit shares;
* 目标责任 — the owners: one row per owner under a 上级 (blank = 全店) with 占比 or 目标额;
* 目标实绩 — actuals to date (月份, 指标, 责任人, 实际值) for the 进度 sheet.

With ``sample=True`` they hold the targets of seed 002 篇1 for 2026 (售后总营业额600万 =
保险理赔220万 + 车间维修及索赔380万, 月接车650台, CSI 93% …), owners matching the demo
roster (departments, service advisors E1002–E1011), and nine months of actuals.

``python -m workbook.build`` also writes the standalone ``workbook/kpi4s_targets.xlsx`` (the
sample filled in and decomposed as of 2026-09-30).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from addin.io import schema as S
from addin.render import style

MAX_ROWS = 2000
YEAR = 2026
FONT = style.FONT
HEAD_FONT = Font(name=FONT, bold=True, color="FFFFFF", size=10)
HEAD_FILL = PatternFill("solid", fgColor=style.NAVY.lstrip("#"))
MONTH_FILL = PatternFill("solid", fgColor=style.BLUE.lstrip("#"))
TITLE_FONT = Font(name=FONT, bold=True, size=12, color=style.NAVY.lstrip("#"))
NOTE_FONT = Font(name=FONT, size=9, color=style.NOTE_TEXT.lstrip("#"))
BODY_FONT = Font(name=FONT, size=10)
INPUT_FILL = PatternFill("solid", fgColor=style.INPUT.lstrip("#"))
THIN = Side(style="thin", color=style.GRID.lstrip("#"))
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _columns(sheet: str) -> list[tuple]:
    """(header, width, help) of a target sheet, from the schema."""
    return [(c.header, c.width, S.HELP.get((sheet, c.key), "")) for c in S.SHEETS[sheet].columns]


# --- the sample: seed 002 篇1 ---------------------------------------------------------------
LAST_YEAR = [372000, 298000, 421000, 445000, 468000, 452000, 476000, 471000, 447000, 436000, 482000, 592000]
SAMPLE_TARGETS = [
    # 指标, 单位, 类型, 年度目标, 方向, 分解方式, 日历, 负责人, 说明, 12 month values
    ("售后产值", "元", "可加", 6_000_000, "≥", "去年实绩", "", "服务经理",
     "篇1 售后总营业额600万：保险理赔≥220万 + 车间维修及索赔≥380万；按去年各月实绩分解", LAST_YEAR),
    ("接车台次", "台", "可加", 7_800, "≥", "工作日", "中国", "服务经理", "篇1 月接车650台/月 × 12", None),
    ("日接车台次", "台/天", "不可加", 20, "≥", "", "", "服务经理", "篇1 日接车台次20台/天", None),
    ("单车产值(维修)", "元/台", "不可加", 800, "≥", "", "", "服务经理", "篇1 维修平均单车产值800元/台", None),
    ("单车产值(保险)", "元/台", "不可加", 1_800, "≥", "", "", "服务经理", "篇1 保险平均单车产值1800元/台", None),
    ("客户满意度CSI", "%", "不可加", 0.93, "≥", "", "", "客服经理", "篇1 CSI全年至少93%", None),
    ("基盘客户数", "人", "不可加", 1_500, "≥", "", "", "客服经理", "篇1 基盘客户1500人（存量，年末达到）", None),
    ("返修率", "%", "不可加", 0.02, "≤", "", "", "车间主管", "篇1 车辆返修率低于2%", None),
    ("索赔通过率", "%", "不可加", 0.95, "≥", "", "", "服务经理", "篇1 保修索赔通过率不小于95%", None),
    ("配件采购额", "元", "可加", 800_000, "≥", "平均", "", "配件经理", "篇1 年度纯正配件采购不少于80万", None),
    ("精品销售额", "元", "可加", 300_000, "≥", "天数", "", "服务经理", "篇1 精品销售达到30万以上", None),
    ("汽车讲堂", "次", "可加", 4, "≥", "指定比例", "", "客服经理", "篇1 开展汽车讲堂不少于四次（每季末一次）",
     [0, 0, 0.25, 0, 0, 0.25, 0, 0, 0.25, 0, 0, 0.25]),
    ("技术讲座", "次", "可加", 2, "≥", "指定比例", "", "车间主管", "篇1 专业技术问题学习讲座不少于两次",
     [0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0.5, 0, 0]),
]
ADVISORS = [f"E{n}" for n in range(1002, 1012)]           # the demo roster's ten service advisors
ADVISOR_SHARES = [0.12, 0.12, 0.12, 0.11, 0.11, 0.09, 0.09, 0.08, 0.08, 0.08]
SAMPLE_OWNERS = [
    # 指标, 上级, 责任类型, 责任人, 占比, 目标额, 说明
    ("售后产值", "", "业务线", "保险理赔", None, 2_200_000, "篇1 保险理赔不少于220万"),
    ("售后产值", "", "业务线", "车间维修及索赔", None, 3_800_000, "篇1 车间维修及索赔不少于380万"),
    ("售后产值", "保险理赔", "部门", "钣喷车间", 1.0, None, "事故车钣喷"),
    ("售后产值", "车间维修及索赔", "部门", "服务顾问组", 1.0, None, "服务顾问接待开单"),
    *[("售后产值", "服务顾问组", "员工", e, s, None, "") for e, s in zip(ADVISORS, ADVISOR_SHARES)],
    ("接车台次", "", "部门", "服务顾问组", 1.0, None, ""),
    *[("接车台次", "服务顾问组", "员工", e, 0.10, None, "") for e in ADVISORS],
    ("配件采购额", "", "部门", "配件部", 1.0, None, ""),
    ("精品销售额", "", "部门", "服务顾问组", 0.7, None, ""),
    ("精品销售额", "", "部门", "客服部", 0.3, None, ""),
    ("客户满意度CSI", "", "部门", "服务顾问组", None, None, "比率：复制全店目标"),
    ("客户满意度CSI", "", "部门", "客服部", None, None, "比率：复制全店目标"),
    ("返修率", "", "部门", "机修车间", None, None, "比率：复制全店目标"),
    ("返修率", "", "部门", "钣喷车间", None, None, "比率：复制全店目标"),
]
ACTUAL_MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 10)]     # January … September 2026
STORE_ACTUALS = {
    "接车台次": [598, 489, 641, 633, 660, 640, 672, 655, 628],
    "日接车台次": [19.3, 18.1, 20.7, 21.1, 21.3, 21.3, 21.7, 21.1, 20.9],
    "单车产值(维修)": [812, 790, 805, 798, 820, 808, 815, 801, 796],
    "单车产值(保险)": [1750, 1820, 1790, 1860, 1810, 1775, 1840, 1795, 1830],
    "客户满意度CSI": [0.921, 0.934, 0.928, 0.936, 0.940, 0.931, 0.925, 0.938, 0.929],
    "基盘客户数": [1310, 1322, 1340, 1351, 1368, 1380, 1395, 1407, 1420],
    "索赔通过率": [0.96, 0.95, 0.97, 0.94, 0.96, 0.95, 0.97, 0.96, 0.93],
    "汽车讲堂": [0, 0, 1, 0, 0, 1, 0, 0, 0],
    "技术讲座": [0, 0, 0, 1, 0, 0, 0, 0, 0],
}
OWNER_ACTUALS = {
    ("配件采购额", "配件部"): [61200, 58400, 70300, 66800, 69100, 64500, 71200, 67800, 65900],
    ("精品销售额", "服务顾问组"): [14800, 12100, 17900, 16500, 18800, 17200, 19400, 18100, 16900],
    ("精品销售额", "客服部"): [6100, 5200, 7400, 6900, 7800, 7100, 8000, 7600, 7000],
    ("返修率", "机修车间"): [0.018, 0.021, 0.017, 0.019, 0.016, 0.022, 0.018, 0.017, 0.023],
    ("返修率", "钣喷车间"): [0.012, 0.014, 0.011, 0.013, 0.012, 0.015, 0.013, 0.012, 0.014],
}


def sample_actuals() -> list:
    """目标实绩 rows: leaves only for 售后产值 (advisors and 钣喷车间; the rest is summed upward)."""
    rows = []
    share = np.asarray(LAST_YEAR, float) / sum(LAST_YEAR)
    rng = np.random.default_rng(2026)
    pace = np.array([1.12, 1.08, 1.03, 1.06, 0.88, 1.04, 0.95, 1.13, 0.99, 1.02])   # per advisor
    for mi, month in enumerate(ACTUAL_MONTHS):
        bp = round(2_200_000 * share[mi] * rng.uniform(1.0, 1.08), -2)
        rows.append([month, "售后产值", "钣喷车间", bp, ""])
        for e, s, p in zip(ADVISORS, ADVISOR_SHARES, pace):
            v = round(3_800_000 * s * share[mi] * p * rng.uniform(0.97, 1.03), -2)
            rows.append([month, "售后产值", e, v, ""])
        intake = STORE_ACTUALS["接车台次"][mi]
        split = np.floor(intake * np.array(pace) / pace.sum())
        split[0] += intake - split.sum()
        for e, v in zip(ADVISORS, split):
            rows.append([month, "接车台次", e, int(v), ""])
        for name, vals in STORE_ACTUALS.items():
            if name != "接车台次" and vals[mi] is not None:
                rows.append([month, name, "", vals[mi], ""])
        for (name, owner), vals in OWNER_ACTUALS.items():
            rows.append([month, name, owner, vals[mi], ""])
    return rows


# --- sheets ----------------------------------------------------------------------------------
def _header(ws, columns, row: int = 2, extra: list = ()):
    for j, (text, width, help_) in enumerate(columns, 1):
        c = ws.cell(row, j, text)
        c.font, c.fill, c.border = HEAD_FONT, HEAD_FILL, BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if help_:
            c.comment = Comment(help_, "kpi4s")
        ws.column_dimensions[get_column_letter(j)].width = width
    for k, text in enumerate(extra, len(columns) + 1):
        c = ws.cell(row, k, text)
        c.font, c.fill, c.border = HEAD_FONT, MONTH_FILL, BORDER
        c.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(k)].width = 9
    ws.row_dimensions[row].height = 24
    ws.freeze_panes = ws.cell(row + 1, 3)
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"{row}:{row}"


def _validation(ws, col: int, choices: list, prompt: str = ""):
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
    if prompt:
        dv.prompt, dv.showInputMessage = prompt, True
    letter = get_column_letter(col)
    dv.add(f"{letter}3:{letter}{MAX_ROWS}")
    ws.add_data_validation(dv)


def _fill(ws, rows: list, start: int = 3, formats: dict | None = None):
    for i, r in enumerate(rows, start):
        for j, v in enumerate(r, 1):
            c = ws.cell(i, j, v)
            c.font, c.border = BODY_FONT, BORDER
            if formats and j in formats:
                c.number_format = formats[j]


def _choices(sheet: str) -> list[tuple[int, list]]:
    """(column number, drop-down values) of a target sheet's vocabulary columns."""
    return [(j, list(c.choices or c.vocab.choices)) for j, c in enumerate(S.SHEETS[sheet].columns, 1)
            if c.choices or c.vocab is not None]


def add_target_sheets(wb: Workbook, sample: bool = False) -> None:
    """Add 目标分解, 目标责任 and 目标实绩 (input sheets) to `wb`; with the seed sample if asked."""
    ws = wb.create_sheet(S.TARGETS)
    ws["A1"] = S.SHEETS[S.TARGETS].title
    ws["A1"].font = TITLE_FONT
    columns = _columns(S.TARGETS)
    first_month = len(columns) + 1
    ws.cell(1, first_month, "去年各月实绩（分解方式 = 去年实绩）或各月比例（分解方式 = 指定比例）").font = NOTE_FONT
    _header(ws, columns, extra=S.MONTH_HEADERS)
    for j, values in _choices(S.TARGETS):
        _validation(ws, j, values, "去年实绩/指定比例：在右侧 1月–12月 填写" if j == 7 else "")
    if sample:
        rows = []
        for (name, unit, kind, target, direction, method, cal, lead, note, months) in SAMPLE_TARGETS:
            rows.append([YEAR, name, unit, kind, target, direction, method or None, cal or None, None, lead, note]
                        + (list(months) if months else [None] * 12))
        _fill(ws, rows)
        for i, r in enumerate(rows, 3):
            ws.cell(i, 5).number_format = "0%" if r[2] == "%" else "#,##0"
            for j in range(first_month, first_month + 12):
                ws.cell(i, j).number_format = "0%" if r[6] == "指定比例" else "#,##0"
    for r in range(3, 60):
        for j in range(1, first_month + 12):
            ws.cell(r, j).fill = INPUT_FILL
    ws = wb.create_sheet(S.OWNERS)
    ws["A1"] = S.SHEETS[S.OWNERS].title
    ws["A1"].font = TITLE_FONT
    _header(ws, _columns(S.OWNERS))
    for j, values in _choices(S.OWNERS):
        _validation(ws, j, [v for v in values if v != "全店"])
    if sample:
        _fill(ws, [list(r) for r in SAMPLE_OWNERS], formats={5: "0%", 6: "#,##0"})
    ws = wb.create_sheet(S.TARGET_ACTUALS)
    ws["A1"] = S.SHEETS[S.TARGET_ACTUALS].title
    ws["A1"].font = TITLE_FONT
    _header(ws, _columns(S.TARGET_ACTUALS))
    for r in range(3, MAX_ROWS):
        ws.cell(r, 1).number_format = "@"
    if sample:
        rows = sample_actuals()
        _fill(ws, rows)
        for i, r in enumerate(rows, 3):
            ws.cell(i, 1).number_format = "@"
            v = r[3]
            ws.cell(i, 4).number_format = "0.0%" if isinstance(v, float) and v < 1 else "#,##0.##"
