"""Build the group workbook template from code (run: ``python -m workbook.build_group``).

``kpi4s_group.xlsx`` (committed for users): 设置 — the group's own settings (name, month, the
folder of store workbooks, the archive, whether to run the stores' reports first) and the
grading settings of the optional group-level grading (udfs.policy.GroupPolicy, SPEC
defaults) — and 使用说明. ``kpi4s group`` creates a missing group workbook from it and adds the
output sheets (门店排名, 指标达成, 部门对比, 月度趋势, 集团评定, 问题清单); the 集团汇总 button
(addin.excel.group_report_button, or *Run main* with ``kpi4s_group.py`` beside the workbook)
paints them into the open workbook.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from addin.io import schema as S
from addin.io.save import atomic_save
from addin.render import style
from udfs.policy import GROUP_FIELDS, GROUP_LABELS, GROUP_NOTES, GroupPolicy, setting_text
from udfs.vocab import YES_NO

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "kpi4s_group.xlsx"
FONT = style.FONT
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF", size=10)
HEADER_FILL = PatternFill("solid", fgColor=style.NAVY.lstrip("#"))
BODY_FONT = Font(name=FONT, size=10)
NOTE_FONT = Font(name=FONT, size=9, color=style.NOTE_TEXT.lstrip("#"))
INPUT_FILL = PatternFill("solid", fgColor=style.INPUT.lstrip("#"))
THIN = Side(style="thin", color=style.GRID.lstrip("#"))
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# the store policy's evaluation group is the stores' own business, not the group's
GROUP_POLICY_FIELDS = [n for n in GROUP_FIELDS if n != "eval_group"]

GUIDE = [
    ("集团汇总（kpi4s group）", None),
    ("1. 每个门店一个门店工作簿（kpi4s_store.xlsx），由门店人力资源部填写、运行「月度报告」。", None),
    ("2. 把各门店工作簿放在同一个文件夹，在「设置」中填写「门店工作簿」文件夹（相对本工作簿）。", None),
    ("3. 运行：kpi4s group 门店文件夹 --out 本工作簿.xlsx [--month 2026-09] [--run]；"
     "或在 Excel 中运行「集团汇总」按钮（Run main）。", None),
    ("4. 输出工作表：门店排名（排名、等级分布与指导比例、绩效工资、处理事项、评分逾期）、指标达成（热力图）、"
     "部门对比（各门店同名部门）、月度趋势（近12个月，来自归档）、集团评定（可选）、问题清单。", None),
    ("5. 有错误的门店列入问题清单（工作表、行、列），不计入汇总，其他门店照常汇总；缺少本月数据的门店单独列出。", None),
    ("6. 归档数据库（默认本工作簿旁的 kpi4s-归档.duckdb）保存每个门店的每个月；重新汇总同一月份会替换该月，不会重复。", None),
]


def new_group_workbook(name: str = "", month: str = "", stores: str = "") -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = S.SETTINGS
    ws.append(list(S.SETTINGS_HEADERS))
    for j in range(1, 4):
        c = ws.cell(1, j)
        c.font, c.fill, c.border = HEADER_FONT, HEADER_FILL, BORDER
        c.alignment = Alignment(horizontal="center", vertical="center")
    policy = GroupPolicy()
    given = {S.GROUP_NAME_KEY: name, S.MONTH_KEY: month, S.STORES_KEY: stores, S.ARCHIVE_KEY: "", S.RUN_KEY: "否"}
    rows = [(k, given[k], note) for k, note in S.GROUP_SETTINGS.items()]
    rows += [(GROUP_LABELS[n], setting_text(n, getattr(policy, n)), GROUP_NOTES[n]) for n in GROUP_POLICY_FIELDS]
    for i, (k, v, note) in enumerate(rows, 2):
        ws.cell(i, 1, k).font = BODY_FONT
        c = ws.cell(i, 2, v or None)
        c.font, c.fill, c.border = BODY_FONT, INPUT_FILL, BORDER
        c.number_format = "@"
        ws.cell(i, 3, note).font = NOTE_FONT
    labels = [r[0] for r in rows]
    lists = {GROUP_LABELS[n]: GROUP_FIELDS[n].metadata["vocab"].choices for n in GROUP_POLICY_FIELDS
             if GROUP_FIELDS[n].metadata["vocab"] is not None}
    lists[S.RUN_KEY] = YES_NO.choices
    for label, choices in lists.items():
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        dv.add(f"B{labels.index(label) + 2}")
        ws.add_data_validation(dv)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 90
    ws.freeze_panes = "A2"
    guide = wb.create_sheet("使用说明")
    guide.column_dimensions["A"].width = 110
    for i, (text, _) in enumerate(GUIDE, 1):
        c = guide.cell(i, 1, text)
        c.font = Font(name=FONT, bold=True, size=14, color=style.NAVY.lstrip("#")) if i == 1 else BODY_FONT
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for w in wb.worksheets:
        w.page_setup.orientation = "landscape"
        w.page_setup.paperSize = w.PAPERSIZE_A4
        w.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        w.page_setup.fitToWidth = 1
        w.page_setup.fitToHeight = 0
    return wb


def main() -> None:
    atomic_save(new_group_workbook().save, TEMPLATE)
    print(f"wrote {TEMPLATE}")


if __name__ == "__main__":
    main()
