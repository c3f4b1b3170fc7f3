"""Build the store workbook template from code (run: ``python -m workbook.build``).

Outputs next to this file (committed for users):

- ``kpi4s_store.xlsx``  the store workbook: 设置 (SPEC defaults), 员工名册, 指标库 (the KPI
  library), 考核表 (standard scorecards per position), 月度实绩, 加减分, 提成, 评分提交, 评分,
  考核预览 (live worksheet functions), and — when the targets helper is present — 目标分解.
- ``kpi4s_store.xlsm``  the same workbook, macro-enabled, carrying xlwings' quickstart VBA
  project (its ``SampleCall`` macro runs ``main()`` of the module named after the workbook,
  i.e. ``kpi4s_store.main`` = 月度报告). Built only when xlwings' quickstart.xlsm is installed.
- ``xlwings.conf``      xlwings settings for the workbook folder (UDF Modules, PYTHONPATH).
- ``kpi4s_buttons.bas`` VBA module with one macro per button (import it into the .xlsm).

Headers come from ``addin.book.SCHEMAS`` so the reader and the template cannot drift apart.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from addin import book as bk
from udfs.policy import SETTING_LABELS, Policy

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "kpi4s_store.xlsx"
TEMPLATE_XLSM = HERE / "kpi4s_store.xlsm"
CONF = HERE / "xlwings.conf"
BAS = HERE / "kpi4s_buttons.bas"

FONT = "微软雅黑"
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF", size=10)
BODY_FONT = Font(name=FONT, size=10)
NOTE_FONT = Font(name=FONT, size=9, color="666666")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

MONEY = '#,##0.00'
PCT = '0.0%'
DATE = 'yyyy-mm-dd'
DATETIME = 'yyyy-mm-dd hh:mm'
MONTH = '@'                # months are typed as text "2026-09" (Excel would turn 2026-09 into a date)

DEPARTMENTS = ["服务顾问组", "机修车间", "钣喷车间", "配件部", "客服部", "行政部", "人力资源部", "财务部"]
CATEGORY_CHOICES = ["创利部门", "职能部门", "部门经理", "行政部/人力资源部/客户服务部经理"]
DIRECTION_CHOICES = ["正向", "反向", "反向线性", "不低于", "不超过"]
GRADE_CHOICES = ["A", "B", "C", "D", "E"]
KIND_CHOICES = ["KPI", "评分"]
STATUS_CHOICES = ["正式", "试用", "离职"]
YESNO = ["是", "否"]
SECTIONS = ["财务指标", "客户/市场", "关键考核指标", "学习/成长", "工作目标", "客户满意度", "工作纪律"]

# Standard scorecards per position (SPEC §3.1: 3–8 items, weights 100). Sections follow
# 000 §5.3: profit departments 财务指标 / 客户/市场 / 关键考核指标 / 学习/成长; functional
# departments 工作目标 / 客户满意度 / 关键考核指标 / 工作纪律.
# (position, section, item, kpi_id, kind, weight, target, direction, unit, indicator)
POSITION_CARDS = [
    ("服务经理", "财务指标", "售后产值", "", "KPI", 30, None, "正向", "元", "售后产值"),
    ("服务经理", "财务指标", "服务吸收率", "absorption_rate", "KPI", 20, 1.0, "正向", "%", ""),
    ("服务经理", "客户/市场", "客户满意度CSI", "csi", "KPI", 20, 0.93, "正向", "%", ""),
    ("服务经理", "客户/市场", "回厂率", "return_rate", "KPI", 15, 0.5, "不低于", "%", ""),
    ("服务经理", "学习/成长", "团队建设与培训", "", "评分", 15, None, "", "", ""),
    ("服务顾问", "财务指标", "维修产值", "", "KPI", 30, None, "正向", "元", "售后产值"),
    ("服务顾问", "财务指标", "单车产值(维修)", "revenue_per_repair", "KPI", 15, 800, "正向", "元/台", ""),
    ("服务顾问", "客户/市场", "客户满意度CSI", "csi", "KPI", 20, 0.93, "正向", "%", ""),
    ("服务顾问", "关键考核指标", "定期保养成功率", "reminder_success_rate", "KPI", 15, 0.6, "正向", "%", ""),
    ("服务顾问", "学习/成长", "学习与服务规范", "", "评分", 20, None, "", "", ""),
    ("车间主管", "财务指标", "车间工时产值", "", "KPI", 30, None, "正向", "元", ""),
    ("车间主管", "关键考核指标", "返修率", "rework_rate", "KPI", 25, 0.02, "反向", "%", ""),
    ("车间主管", "关键考核指标", "技师利用率", "technician_utilisation", "KPI", 20, 0.85, "正向", "%", ""),
    ("车间主管", "学习/成长", "安全与团队管理", "", "评分", 25, None, "", "", ""),
    ("机修技师", "财务指标", "工时产值", "", "KPI", 35, None, "正向", "元", ""),
    ("机修技师", "关键考核指标", "一次维修成功率", "first_time_fix_rate", "KPI", 25, 0.98, "正向", "%", ""),
    ("机修技师", "关键考核指标", "返修率", "rework_rate", "KPI", 20, 0.02, "反向", "%", ""),
    ("机修技师", "学习/成长", "工作纪律与5S", "", "评分", 20, None, "", "", ""),
    ("钣喷主管", "财务指标", "钣喷产值", "", "KPI", 40, None, "正向", "元", ""),
    ("钣喷主管", "关键考核指标", "返修率", "rework_rate", "KPI", 30, 0.02, "反向", "%", ""),
    ("钣喷主管", "学习/成长", "安全与团队管理", "", "评分", 30, None, "", "", ""),
    ("钣喷技师", "财务指标", "钣喷产值", "", "KPI", 35, None, "正向", "元", ""),
    ("钣喷技师", "关键考核指标", "返修率", "rework_rate", "KPI", 25, 0.02, "反向", "%", ""),
    ("钣喷技师", "客户/市场", "客户投诉率", "complaint_rate", "KPI", 20, 0.01, "不超过", "%", ""),
    ("钣喷技师", "学习/成长", "安全文明生产", "", "评分", 20, None, "", "", ""),
    ("配件经理", "财务指标", "配件销售额", "", "KPI", 30, None, "正向", "元", ""),
    ("配件经理", "关键考核指标", "配件库存周转率", "parts_turnover", "KPI", 30, 4.5, "正向", "次/年", ""),
    ("配件经理", "关键考核指标", "配件首次供应率", "parts_fill_rate", "KPI", 20, 0.9, "正向", "%", ""),
    ("配件经理", "学习/成长", "团队管理", "", "评分", 20, None, "", "", ""),
    ("配件专员", "财务指标", "配件采购目标达成率", "parts_purchase_attainment", "KPI", 30, 1.0, "正向", "%", ""),
    ("配件专员", "关键考核指标", "配件首次供应率", "parts_fill_rate", "KPI", 30, 0.9, "正向", "%", ""),
    ("配件专员", "关键考核指标", "配件库存周转率", "parts_turnover", "KPI", 20, 4.5, "正向", "次/年", ""),
    ("配件专员", "学习/成长", "工作纪律", "", "评分", 20, None, "", "", ""),
    ("客服经理", "客户满意度", "客户满意度CSI", "csi", "KPI", 30, 0.93, "正向", "%", ""),
    ("客服经理", "关键考核指标", "服务回访率", "sfu_rate", "KPI", 30, 0.95, "正向", "%", ""),
    ("客服经理", "工作目标", "投诉处理与客户关怀", "", "评分", 25, None, "", "", ""),
    ("客服经理", "工作纪律", "工作纪律", "", "评分", 15, None, "", "", ""),
    ("客服专员", "关键考核指标", "服务回访率", "sfu_rate", "KPI", 30, 0.95, "正向", "%", ""),
    ("客服专员", "客户满意度", "客户投诉率", "complaint_rate", "KPI", 20, 0.01, "反向", "%", ""),
    ("客服专员", "工作目标", "回访计划完成", "", "评分", 30, None, "", "", ""),
    ("客服专员", "工作纪律", "工作纪律", "", "评分", 20, None, "", "", ""),
    ("行政经理", "工作目标", "行政工作目标", "", "评分", 50, None, "", "", ""),
    ("行政经理", "客户满意度", "内部满意度", "", "评分", 30, None, "", "", ""),
    ("行政经理", "工作纪律", "工作纪律", "", "评分", 20, None, "", "", ""),
    ("行政专员", "工作目标", "行政事务完成", "", "评分", 50, None, "", "", ""),
    ("行政专员", "客户满意度", "内部满意度", "", "评分", 30, None, "", "", ""),
    ("行政专员", "工作纪律", "工作纪律", "", "评分", 20, None, "", "", ""),
    ("保洁员", "工作目标", "卫生检查合格率", "", "KPI", 40, 0.95, "正向", "%", ""),
    ("保洁员", "客户满意度", "内部满意度", "", "评分", 30, None, "", "", ""),
    ("保洁员", "工作纪律", "工作纪律", "", "评分", 30, None, "", "", ""),
    ("人力资源经理", "关键考核指标", "员工流失率", "staff_turnover", "KPI", 30, 0.10, "反向", "%", ""),
    ("人力资源经理", "关键考核指标", "招聘完成率", "", "KPI", 30, 1.0, "正向", "%", ""),
    ("人力资源经理", "工作目标", "人力资源工作目标", "", "评分", 40, None, "", "", ""),
    ("人力资源专员", "关键考核指标", "招聘完成率", "", "KPI", 30, 1.0, "正向", "%", ""),
    ("人力资源专员", "工作目标", "薪酬考勤及时准确", "", "评分", 40, None, "", "", ""),
    ("人力资源专员", "客户满意度", "内部满意度", "", "评分", 10, None, "", "", ""),
    ("人力资源专员", "工作纪律", "工作纪律", "", "评分", 20, None, "", "", ""),
    ("财务经理", "关键考核指标", "报表及时准确率", "", "KPI", 30, 1.0, "不低于", "%", ""),
    ("财务经理", "工作目标", "财务工作目标", "", "评分", 50, None, "", "", ""),
    ("财务经理", "客户满意度", "内部满意度", "", "评分", 20, None, "", "", ""),
    ("会计", "关键考核指标", "报表及时准确率", "", "KPI", 30, 1.0, "不低于", "%", ""),
    ("会计", "工作目标", "账务处理", "", "评分", 40, None, "", "", ""),
    ("会计", "客户满意度", "内部满意度", "", "评分", 10, None, "", "", ""),
    ("会计", "工作纪律", "工作纪律", "", "评分", 20, None, "", "", ""),
    ("出纳", "关键考核指标", "资金日报及时准确率", "", "KPI", 40, 1.0, "不低于", "%", ""),
    ("出纳", "工作目标", "收付款与票据", "", "评分", 40, None, "", "", ""),
    ("出纳", "工作纪律", "工作纪律", "", "评分", 20, None, "", "", ""),
]

# column formats / widths / validation lists per table sheet: {key: (width, number_format, list)}
_COLS = {
    bk.ROSTER: {"employee_id": (10,), "name": (10,), "department": (12, None, "部门"), "position": (14,),
                "category": (16, None, "考核类别"), "manager": (10,), "next_manager": (10,),
                "salary": (11, MONEY), "status": (8, None, "状态"), "hire_date": (12, DATE)},
    bk.SCORECARDS: {"position": (14,), "employee_id": (10,), "seq": (6,), "section": (12, None, "考核维度"),
                    "item": (20,), "kpi_id": (22,), "kind": (8, None, "类型"), "weight": (8, '0%'),
                    "target": (12, 'General'), "direction": (10, None, "方向"), "unit": (8,),
                    "indicator": (14,)},
    bk.ACTUALS: {"month": (10, MONTH), "employee_id": (10,), "name": (10,), "item": (20,),
                 "actual": (14, '#,##0.00##'), "target": (14, '#,##0.00##')},
    bk.ADJUSTMENTS: {"month": (10, MONTH), "employee_id": (10,), "name": (10,), "points": (8, '+0.0;-0.0;0'),
                     "veto": (8, None, "是否"), "reason": (40,)},
    bk.COMMISSION: {"month": (10, MONTH), "employee_id": (10,), "name": (10,), "commission": (14, MONEY)},
    bk.SUBMISSIONS: {"month": (10, MONTH), "scorer": (10,), "role": (14,), "submitted": (18, DATETIME)},
    bk.RATINGS: {"month": (10, MONTH), "employee_id": (10,), "name": (10,), "item": (20,),
                 "rating_self": (9, '0%'), "rating_manager": (11, '0%'), "rating_peer": (9, '0%')},
}
_NOTES = {
    bk.ROSTER: "考核类别：创利部门(绩效基数=当月提成) / 职能部门(月薪30%) / 部门经理(月薪50%) / 行政部/人力资源部/客户服务部经理(月薪30%)；试用期及月工资低于800元者不参加考核。",
    bk.SCORECARDS: "每个岗位一套考核表（3–8项，权重合计100%）；填了员工编号的行只用于该员工，并替代其岗位考核表。类型：KPI=按实际值/目标值计分；评分=按自评/上级/360°评分计分。目标值可留空：依次取月度实绩的「目标值」、目标分解、指标库默认目标。",
    bk.ACTUALS: "每月每人每个KPI项目一行；「考核项目」与考核表一致（也可填指标编号）；「目标值」填了则覆盖考核表的目标。",
    bk.ADJUSTMENTS: "加分为正、扣分为负；否决项（如重大客户投诉）填 是，总分封顶70分（E级）。",
    bk.COMMISSION: "创利部门员工当月提成工资总额，即其绩效基数。",
    bk.SUBMISSIONS: "各评分人提交上月评分的时间（截止时间见设置表；逾期每天罚款）。",
    bk.RATINGS: "评分类考核项目：按满分的百分比填写（0–130%）；结果以直接上级评分为准，或按设置表的评分权重综合。",
}


def _header(ws, headers: list, widths: dict | None = None):
    ws.append(headers)
    for j, h in enumerate(headers, 1):
        c = ws.cell(1, j)
        c.font, c.fill, c.border = HEADER_FONT, HEADER_FILL, BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 22
    ws.freeze_panes = "A2"


def _list_ref(name: str) -> str:
    col = get_column_letter(_LIST_COLS.index(name) + 5)
    return f"{bk.SETTINGS}!${col}$2:${col}$40"


_LIST_COLS = ["部门", "考核类别", "方向", "等级", "类型", "状态", "是否", "考核维度"]
_LIST_VALUES = {"部门": DEPARTMENTS, "考核类别": CATEGORY_CHOICES, "方向": DIRECTION_CHOICES,
                "等级": GRADE_CHOICES, "类型": KIND_CHOICES, "状态": STATUS_CHOICES, "是否": YESNO,
                "考核维度": SECTIONS}

MAX_ROWS = 5000   # formats and validation lists reach this far down


def _table_sheet(wb, sheet: str, rows: list | None = None):
    ws = wb.create_sheet(sheet)
    schema = bk.SCHEMAS[sheet]
    _header(ws, [c.header for c in schema])
    spec = _COLS.get(sheet, {})
    for j, col in enumerate(schema, 1):
        letter = get_column_letter(j)
        s = spec.get(col.key, (12,))
        ws.column_dimensions[letter].width = s[0]
        fmt = s[1] if len(s) > 1 else None
        if fmt:
            ws.column_dimensions[letter].number_format = fmt
        if len(s) > 2 and s[2]:
            dv = DataValidation(type="list", formula1=_list_ref(s[2]), allow_blank=True,
                                showErrorMessage=s[2] not in ("部门", "考核维度"),
                                errorTitle="输入无效", error=f"请从{s[2]}列表中选择")
            dv.add(f"{letter}2:{letter}{MAX_ROWS}")
            ws.add_data_validation(dv)
    if sheet in _NOTES:
        ws.cell(1, len(schema) + 2, _NOTES[sheet]).font = NOTE_FONT
    ws.auto_filter.ref = f"A1:{get_column_letter(len(schema))}1"
    if rows:
        fill_table(ws, rows)
    return ws


def fill_table(ws, rows: list, start: int = 2):
    """Write rows below the header, applying each column's number format."""
    fmts = {}
    for j in range(1, ws.max_column + 1):
        f = ws.column_dimensions[get_column_letter(j)].number_format
        if f and f != "General":
            fmts[j] = f
    for i, row in enumerate(rows, start):
        for j, v in enumerate(row, 1):
            if v is None or v == "":
                continue
            c = ws.cell(i, j, v)
            if j in fmts:
                c.number_format = fmts[j]


def _setting_text(key: str, value) -> object:
    if key in ("quotas",):
        return ",".join(f"{q:.0%}" for q in value)
    if key == "grade_coefficients":
        return ",".join(f"{q:g}" for q in value)
    if key == "deadlines":
        return "; ".join(f"{r}:{d}" for r, d in value)
    return {"grading": "限额", "eval_group": "全店", "calendar": "周末顺延", "pay_method": "按得分"}.get(key, value)


_SETTING_NOTES = {
    "grading": "分数段 / 强制分布 / 限额（A、B不超过比例，超出者降一级）",
    "eval_group": "全店 / 按部门：强制分布或限额在哪个范围内计算",
    "calendar": "周末顺延 / 法定节假日（遇节假日顺延、调休上班日照常）",
    "deadlines": "评分人角色:次月几号（17:30前提交）",
    "quotas": "等级比例指导：A 5%、B 20%、C 60%、D 10%、E 5%",
    "pay_method": "按得分：绩效工资=基数×得分/100；按等级系数：基数×等级系数",
    "ratio_cap": "单项完成率封顶（130%）",
    "veto_cap": "有否决项时总分最高70分（E级）",
    "min_wage": "月工资低于此数不参加考核",
}


ISSUE_DATE_KEY = "签发日期"        # read by addin.documents.issue_date_of


def settings_sheet(wb, store: str = "", month: str = "", output_dir: str = "", issue_date: str = ""):
    ws = wb.create_sheet(bk.SETTINGS, 0)
    _header(ws, list(bk.SETTINGS_HEADERS))
    policy = Policy()
    rows = [(bk.STORE_KEY, store, "门店全称，显示在报告标题"),
            (bk.MONTH_KEY, month, "考核月份 YYYY-MM（次月1–7日考核上月）；命令行 --month 可覆盖"),
            (bk.OUTPUT_KEY, output_dir, "评估表、警告信的输出文件夹（留空=工作簿所在文件夹下的「输出」）"),
            (ISSUE_DATE_KEY, issue_date, "警告信、改进计划的签发日期 YYYY-MM-DD（留空=生成当天）；改正期限从此日起算")]
    for f in dataclasses.fields(Policy):
        label = SETTING_LABELS.get(f.name)
        if not label:
            continue
        rows.append((label, _setting_text(f.name, getattr(policy, f.name)), _SETTING_NOTES.get(f.name, "")))
    for i, (k, v, note) in enumerate(rows, 2):
        ws.cell(i, 1, k).font = BODY_FONT
        c = ws.cell(i, 2, v)
        c.font, c.fill, c.border = BODY_FONT, INPUT_FILL, BORDER
        if k.startswith(("绩效基数", "评分权重")) or k == "评分上限" or k == "单项得分上限(完成率)":
            c.number_format = '0%'
        if k in (bk.MONTH_KEY, ISSUE_DATE_KEY):
            c.number_format = '@'
        ws.cell(i, 3, note).font = NOTE_FONT
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 52
    # choice lists used by the data validation of the other sheets
    for j, name in enumerate(_LIST_COLS, 5):
        ws.cell(1, j, name)
        c = ws.cell(1, j)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        for i, v in enumerate(_LIST_VALUES[name], 2):
            ws.cell(i, j, v).font = BODY_FONT
        ws.column_dimensions[get_column_letter(j)].width = 14 if name != "考核类别" else 30
    dv = DataValidation(type="list", formula1='"分数段,强制分布,限额"', allow_blank=True)
    dv2 = DataValidation(type="list", formula1='"全店,按部门"', allow_blank=True)
    dv3 = DataValidation(type="list", formula1='"周末顺延,法定节假日"', allow_blank=True)
    dv4 = DataValidation(type="list", formula1='"按得分,按等级系数"', allow_blank=True)
    labels = [r[0] for r in rows]
    for d, key in ((dv, "grading"), (dv2, "eval_group"), (dv3, "calendar"), (dv4, "pay_method")):
        d.add(f"B{labels.index(SETTING_LABELS[key]) + 2}")
        ws.add_data_validation(d)
    return ws


def preview_sheet(wb):
    """考核预览: a scorecard worked live with the worksheet functions (needs the xlwings add-in)."""
    ws = wb.create_sheet(bk.PREVIEW)
    ws["A1"] = "考核表预览（服务顾问示例）— 修改黄色单元格，得分由 kpi4s 工作表函数实时计算（需 xlwings 加载项）"
    ws["A1"].font = Font(name=FONT, bold=True, size=12)
    heads = ["考核项目", "权重", "目标值", "实际值", "方向", "得分 =KPI_SCORE()"]
    for j, h in enumerate(heads, 1):
        c = ws.cell(3, j, h)
        c.font, c.fill, c.border = HEADER_FONT, HEADER_FILL, BORDER
    rows = [("维修产值", 0.30, 350000, 372000, "正向"), ("单车产值(维修)", 0.15, 800, 836, "正向"),
            ("客户满意度CSI", 0.20, 0.93, 0.95, "正向"), ("定期保养成功率", 0.15, 0.6, 0.55, "正向"),
            ("学习与服务规范(评分)", 0.20, 1, 1.0, "正向")]
    for i, r in enumerate(rows, 4):
        for j, v in enumerate(r, 1):
            c = ws.cell(i, j, v)
            c.font, c.border = BODY_FONT, BORDER
            if j in (2, 3, 4, 5):
                c.fill = INPUT_FILL
        ws.cell(i, 2).number_format = '0%'
        ws.cell(i, 6, f"=KPI_SCORE(D{i},C{i},B{i},E{i})").number_format = '0.00'
    last = 3 + len(rows)
    lines = [("总分 =KPI_TOTAL()", f"=KPI_TOTAL(TRANSPOSE(D4:D{last}),TRANSPOSE(C4:C{last}),TRANSPOSE(B4:B{last}),TRANSPOSE(E4:E{last}))", '0.00'),
             ("等级 =GRADE()", f'=GRADE(F{last + 2},"zh")', None),
             ("绩效基数 =PERF_BASE()", '=PERF_BASE("创利部门",6000,12000)', MONEY),
             ("绩效工资 =PERF_PAY()", f"=PERF_PAY(F{last + 4},F{last + 2})", MONEY)]
    for k, (label, formula, fmt) in enumerate(lines):
        r = last + 2 + k
        ws.cell(r, 5, label).font = Font(name=FONT, bold=True, size=10)
        c = ws.cell(r, 6, formula)
        if fmt:
            c.number_format = fmt
    ws["A13"] = "评分提交截止日 =DUE_DATE(2026,10,4)"
    ws["F13"] = "=DUE_DATE(2026,10,4)"
    ws["F13"].number_format = DATE
    for col, wd in zip("ABCDEF", (24, 8, 12, 12, 22, 18)):
        ws.column_dimensions[col].width = wd
    return ws


def new_workbook(store: str = "", month: str = "", output_dir: str = "", library: bool = True,
                 cards: bool = True, sample_targets: bool = False, issue_date: str = "") -> Workbook:
    """The store workbook as an openpyxl Workbook (empty tables, SPEC defaults)."""
    wb = Workbook()
    wb.remove(wb.active)
    settings_sheet(wb, store, month, output_dir, issue_date)
    _table_sheet(wb, bk.ROSTER)
    ws = wb.create_sheet(bk.KPI_LIB)
    try:
        from udfs.kpis import LIBRARY_HEADERS_ZH, library_frame
        lib = library_frame("zh") if library else None
        _header(ws, list(LIBRARY_HEADERS_ZH))
        if lib is not None:
            for row in lib.itertuples(index=False):   # ~30 rows
                ws.append([None if (isinstance(v, float) and v != v) else v for v in row])
        for col, wd in zip("ABCDEFGHIJKL", (24, 16, 28, 40, 8, 10, 8, 6, 12, 12, 10, 30)):
            ws.column_dimensions[col].width = wd
        dv = DataValidation(type="list", formula1=_list_ref("方向"), allow_blank=True)
        dv.add(f"E2:E{MAX_ROWS}")
        ws.add_data_validation(dv)
    except ImportError:      # udfs.kpis not there yet: headers only
        _header(ws, [c.header for c in bk.SCHEMAS[bk.KPI_LIB]])
    card_rows = []
    if cards:
        seq = {}
        for (pos, sec, item, kid, kind, w, t, d, unit, ind) in POSITION_CARDS:
            seq[pos] = seq.get(pos, 0) + 1
            card_rows.append([pos, None, seq[pos], sec, item, kid or None, kind, w / 100, t, d or None, unit or None, ind or None])
    _table_sheet(wb, bk.SCORECARDS, card_rows)
    ws = wb[bk.SCORECARDS]
    for r in range(2, 2 + len(card_rows)):
        if ws.cell(r, 11).value == "%" and ws.cell(r, 9).value is not None:
            ws.cell(r, 9).number_format = '0.0%'
    for sheet in (bk.ACTUALS, bk.ADJUSTMENTS, bk.COMMISSION, bk.SUBMISSIONS, bk.RATINGS):
        _table_sheet(wb, sheet)
    # weights of one scorecard must add up to 100%: highlight a weight cell in red when the
    # sum for its position (or employee) is off
    ws = wb[bk.SCORECARDS]
    ws.conditional_formatting.add(
        f"H2:H{MAX_ROWS}",
        CellIsRule(operator="lessThan", formula=["0"], fill=PatternFill("solid", fgColor="F8CBAD")))
    try:
        from workbook.build_targets import add_target_sheets
        add_target_sheets(wb, sample_targets)
    except ImportError:
        pass
    preview_sheet(wb)
    # 历史: written by 月度报告 (one row per employee-month); HR may paste grades from before
    # kpi4s here so that runs of consecutive grades count from the start
    ws = wb.create_sheet(bk.HISTORY)
    _header(ws, bk.HISTORY_HEADERS)
    for col, (wd, fmt) in zip("ABCDEFG", ((10, MONTH), (11, None), (10, None), (12, None), (9, '0.0'),
                                          (7, None), (13, MONEY))):
        ws.column_dimensions[col].width = wd
        if fmt:
            ws.column_dimensions[col].number_format = fmt
    dv = DataValidation(type="list", formula1=_list_ref("等级"), allow_blank=True)
    dv.add(f"F2:F{MAX_ROWS}")
    ws.add_data_validation(dv)
    from openpyxl.worksheet.properties import PageSetupProperties
    for ws in wb.worksheets:
        ws.sheet_view.zoomScale = 100
        ws.page_setup.orientation = "landscape"          # printable: one page wide
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:1" if ws.title not in (bk.PREVIEW,) else None
    return wb


# Directory config read by the xlwings add-in (a key given here overrides the ribbon, so only
# the keys kpi4s needs are written; add "PYTHONPATH","<kpi4s checkout>" for a source checkout
# that is not pip-installed — `kpi4s demo` writes one with this machine's path).
CONF_TEXT = """\
"UDF Modules","udfs"
"""

BAS_TEXT = """\
Attribute VB_Name = "kpi4s_buttons"
' kpi4s buttons: import this module into kpi4s_store.xlsm (VBA editor: File > Import File),
' then assign each macro to a button (Developer > Insert > Button).
' Needs the xlwings add-in (xlwings addin install) and a VBA reference to it (Tools > References > xlwings).

Sub MonthlyReport()      ' 月度报告
    RunPython "import addin.excel; addin.excel.monthly_report_button()"
End Sub

Sub AppraisalForms()     ' 评估表
    RunPython "import addin.excel; addin.excel.appraisal_forms_button()"
End Sub

Sub WarningLetters()     ' 警告信
    RunPython "import addin.excel; addin.excel.warning_letters_button()"
End Sub

Sub DecomposeTargets()   ' 目标分解
    RunPython "import addin.excel; addin.excel.decompose_targets_button()"
End Sub
"""


def build_xlsm(xlsx: Path = TEMPLATE, dest: Path = TEMPLATE_XLSM) -> Path | None:
    """The macro-enabled twin: the template plus xlwings' quickstart VBA project (SampleCall =
    RunPython main() of the module named after the workbook). None when xlwings is absent."""
    import zipfile
    try:
        import xlwings
    except ImportError:
        return None
    src = Path(xlwings.__file__).parent / "quickstart.xlsm"
    if not src.exists():
        return None
    with zipfile.ZipFile(src) as z:
        vba = z.read("xl/vbaProject.bin")
    with zipfile.ZipFile(xlsx) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                text = data.decode("utf-8")
                text = text.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                if 'Extension="bin"' not in text:
                    text = text.replace("<Default ", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1)
                data = text.encode("utf-8")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                text = data.decode("utf-8")
                text = text.replace("</Relationships>",
                                    '<Relationship Id="rIdVBA1" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
                data = text.encode("utf-8")
            zout.writestr(info, data)
        zout.writestr("xl/vbaProject.bin", vba)
    return dest


def main() -> None:
    wb = new_workbook(store="", month="")
    bk.atomic_save(wb.save, TEMPLATE)
    xlsm = build_xlsm()
    CONF.write_text(CONF_TEXT, encoding="utf-8")
    BAS.write_text(BAS_TEXT, encoding="utf-8")
    print(f"wrote {TEMPLATE}" + (f", {xlsm}" if xlsm else "") + f", {CONF.name}, {BAS.name}")


if __name__ == "__main__":
    main()
