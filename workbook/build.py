"""Build the store workbook template from code (run: ``python -m workbook.build``).

Outputs next to this file (committed for users):

- ``kpi4s_store.xlsx``  the store workbook: 设置 (SPEC defaults), 员工名册, 指标库 (the KPI
  library), 考核表 (standard scorecards per position), 月度实绩, 加减分, 提成, 评分提交, 评分,
  考核预览 (live worksheet functions), and — when the targets helper is present — 目标分解;
  DMS映射 (the usual DMS export headers and words, for 导入DMS).
- ``kpi4s_store.xlsm``  the same workbook, macro-enabled: the VBA project built from
  ``workbook/vba/`` and the 绩效考核 ribbon tab, so its buttons work on first open
  (``workbook.build_vba``); ``kpi4s.xlam`` the same buttons as an add-in for any workbook.
- ``xlwings.conf``      xlwings settings for the workbook folder (UDF Modules, PYTHONPATH).

Headers, widths, formats and drop-downs come from ``addin.io.schema`` and ``udfs.vocab``, the
settings from ``udfs.policy``, the look from ``addin.render.style``: the reader and the template
cannot drift apart.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from addin import macros
from addin.dms.mapping import default_rows
from addin.io import schema as S
from addin.io.save import atomic_save
from addin.ooxml import tidy_styles
from addin.render import style
from udfs import vocab as V
from udfs.kpis import library_frame
from udfs.policy import FIELDS, LABELS, NOTES, Policy, setting_text
from workbook.build_targets import YEAR, add_target_sheets

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "kpi4s_store.xlsx"
TEMPLATE_XLSM = HERE / "kpi4s_store.xlsm"
TARGETS_TEMPLATE = HERE / "kpi4s_targets.xlsx"
CONF = HERE / "xlwings.conf"


def _rgb(hex_color: str) -> str:
    return hex_color.lstrip("#")


FONT = style.FONT
HEADER_FILL = PatternFill("solid", fgColor=_rgb(style.NAVY))
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF", size=10)
BODY_FONT = Font(name=FONT, size=10)
NOTE_FONT = Font(name=FONT, size=9, color=_rgb(style.NOTE_TEXT))
INPUT_FILL = PatternFill("solid", fgColor=_rgb(style.INPUT))
THIN = Side(style="thin", color=_rgb(style.GRID))
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MONEY, DATE = style.MONEY, style.DATE

DEPARTMENTS = ["服务顾问组", "机修车间", "钣喷车间", "配件部", "客服部", "行政部", "人力资源部", "财务部"]
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

def _header(ws, headers: list, widths: dict | None = None):
    ws.append(headers)
    for j, h in enumerate(headers, 1):
        c = ws.cell(1, j)
        c.font, c.fill, c.border = HEADER_FONT, HEADER_FILL, BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 22
    ws.freeze_panes = "A2"


# drop-down lists live in hidden-ish columns of 设置 (E…): one per list, referenced by validations
def _lists() -> dict:
    lists = {"部门": DEPARTMENTS, "考核维度": list(V.SECTIONS)}
    for sheet in S.SHEETS.values():
        for c in sheet.columns:
            if c.choices or c.vocab is not None:
                lists.setdefault(c.vocab.title if c.vocab is not None and not c.choices else c.header,
                                 list(c.choices or c.vocab.choices))
    return lists


LISTS = _lists()
_LIST_NAMES = list(LISTS)


def _list_ref(name: str) -> str:
    col = get_column_letter(_LIST_NAMES.index(name) + 5)
    return f"{S.SETTINGS}!${col}$2:${col}$40"


def _list_of(col) -> str | None:
    if col.key == "department":
        return "部门"
    if col.key == "section":
        return "考核维度"
    if col.choices or col.vocab is not None:
        return col.vocab.title if col.vocab is not None and not col.choices else col.header
    return None


MAX_ROWS = 5000   # formats and validation lists reach this far down


def _table_sheet(wb, sheet: str, rows: list | None = None):
    ws = wb.create_sheet(sheet)
    schema = S.SHEETS[sheet]
    _header(ws, schema.headers)
    for j, col in enumerate(schema.columns, 1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = col.width
        if col.fmt:
            ws.column_dimensions[letter].number_format = col.fmt
        name = _list_of(col)
        if name:
            strict = col.key not in ("department", "section")
            dv = DataValidation(type="list", formula1=_list_ref(name), allow_blank=True,
                                showErrorMessage=strict, errorTitle="输入无效", error=f"请从{name}列表中选择")
            dv.add(f"{letter}2:{letter}{MAX_ROWS}")
            ws.add_data_validation(dv)
    if schema.note:
        ws.cell(1, len(schema.columns) + 2, schema.note).font = NOTE_FONT
    ws.auto_filter.ref = f"A1:{get_column_letter(len(schema.columns))}1"
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


def settings_sheet(wb, store: str = "", month: str = "", output_dir: str = "", issue_date: str = ""):
    """设置: the book's own settings, then every policy number with its SPEC default and note."""
    ws = wb.create_sheet(S.SETTINGS, 0)
    _header(ws, list(S.SETTINGS_HEADERS))
    policy = Policy()
    given = {S.STORE_KEY: store, S.MONTH_KEY: month, S.OUTPUT_KEY: output_dir, S.ISSUE_KEY: issue_date}
    rows = [(k, given.get(k, ""), note) for k, note in S.BOOK_SETTINGS.items()]
    rows += [(k, "", note) for k, note in S.CYCLE_SETTINGS.items()]       # the cycle's buttons and year end
    rows += [(LABELS[n], setting_text(n, getattr(policy, n)), NOTES[n]) for n in FIELDS]
    for i, (k, v, note) in enumerate(rows, 2):
        ws.cell(i, 1, k).font = BODY_FONT
        c = ws.cell(i, 2, v)
        c.font, c.fill, c.border = BODY_FONT, INPUT_FILL, BORDER
        kind = FIELDS[n].metadata["kind"] if (n := next((f for f in FIELDS if LABELS[f] == k), None)) else None
        if kind in ("share", "ratio"):
            c.number_format = '0%'
        if k in (S.MONTH_KEY, S.ISSUE_KEY, S.RAISE_DATE_KEY):
            c.number_format = '@'
        ws.cell(i, 3, note).font = NOTE_FONT
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 60
    for j, name in enumerate(_LIST_NAMES, 5):       # the drop-down lists of the other sheets
        c = ws.cell(1, j, name)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        for i, v in enumerate(LISTS[name], 2):
            ws.cell(i, j, v).font = BODY_FONT
        ws.column_dimensions[get_column_letter(j)].width = 18 if name != V.CATEGORY.title else 22
    labels = [r[0] for r in rows]
    for n in FIELDS:
        vocab = FIELDS[n].metadata["vocab"]
        if vocab is not None:
            dv = DataValidation(type="list", formula1='"' + ",".join(vocab.choices) + '"', allow_blank=True)
            dv.add(f"B{labels.index(LABELS[n]) + 2}")
            ws.add_data_validation(dv)
        elif isinstance(FIELDS[n].default, bool):        # 末位名单: 是 / 否
            dv = DataValidation(type="list", formula1='"' + ",".join(V.YES_NO.choices) + '"', allow_blank=True)
            dv.add(f"B{labels.index(LABELS[n]) + 2}")
            ws.add_data_validation(dv)
    return ws


def preview_sheet(wb):
    """考核预览: a scorecard computed with native Excel formulas (WPS, LibreOffice and Excel
    without the add-in see live scores), the kpi4s functions beside it (workbook.native)."""
    from workbook.native import preview_sheet as native_preview
    return native_preview(wb)[0]


def new_workbook(store: str = "", month: str = "", output_dir: str = "", library: bool = True,
                 cards: bool = True, sample_targets: bool = False, issue_date: str = "") -> Workbook:
    """The store workbook as an openpyxl Workbook (empty tables, SPEC defaults)."""
    wb = Workbook()
    wb.remove(wb.active)
    settings_sheet(wb, store, month, output_dir, issue_date)
    _table_sheet(wb, S.ROSTER)
    lib = library_frame("zh") if library else None
    _table_sheet(wb, S.KPI_LIB, [[None if (isinstance(v, float) and v != v) else v for v in row]
                                 for row in lib.itertuples(index=False)] if lib is not None else None)
    card_rows = []
    if cards:
        seq: dict = {}
        for (pos, sec, item, kid, kind, w, t, d, unit, ind) in POSITION_CARDS:
            seq[pos] = seq.get(pos, 0) + 1
            card_rows.append([pos, None, seq[pos], sec, item, kid or None, kind, w / 100, t, d or None,
                              unit or None, ind or None])
    ws = _table_sheet(wb, S.SCORECARDS, card_rows)
    for r in range(2, 2 + len(card_rows)):
        if ws.cell(r, 11).value == "%" and ws.cell(r, 9).value is not None:
            ws.cell(r, 9).number_format = style.PCT
    ws.conditional_formatting.add(f"H2:H{MAX_ROWS}", CellIsRule(operator="lessThan", formula=["0"],
                                                                  fill=PatternFill("solid", fgColor="F8CBAD")))
    for sheet in (S.ACTUALS, S.ADJUSTMENTS, S.COMMISSION, S.SUBMISSIONS, S.RATINGS):
        _table_sheet(wb, sheet)
    # 节假日: the store's own public holidays / make-up workdays for calendar cn (next year's
    # arrangement before chinesecalendar knows it)
    _table_sheet(wb, S.HOLIDAYS)
    add_target_sheets(wb, sample_targets)
    for sheet in S.CYCLE_INPUTS:              # 目标签署, 员工申述, 绩效面谈, 工资扣款 (SPEC §9)
        _table_sheet(wb, sheet)
    preview_sheet(wb)
    # 历史: written by 月度报告 (one row per employee-month); HR may paste grades from before
    # kpi4s here so that runs of consecutive grades count from the start
    _table_sheet(wb, S.HISTORY)
    # DMS映射: the usual headers and words of DMS exports, editable (导入DMS reads it)
    _table_sheet(wb, S.DMS_MAP, default_rows())
    for ws in wb.worksheets:
        ws.sheet_view.zoomScale = 100
        ws.page_setup.orientation = "landscape"          # printable: one page wide
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:1" if ws.title not in (S.PREVIEW,) + S.TARGET_INPUTS else ws.print_title_rows
    return wb


# Directory config read by the xlwings add-in (a key given here overrides the ribbon, so only
# the keys kpi4s needs are written; add "PYTHONPATH","<kpi4s checkout>" for a source checkout
# that is not pip-installed — `kpi4s demo` writes one with this machine's path).
CONF_TEXT = """\
"UDF Modules","udfs"
"""



def build_xlsm(xlsx: Path = TEMPLATE, dest: Path = TEMPLATE_XLSM) -> Path:
    """The macro-enabled twin: the template with codeNames, the VBA project built from
    workbook/vba/ and the 绩效考核 ribbon tab (workbook.build_vba)."""
    from workbook.build_vba import macro_package
    macro_package(xlsx, dest, "xlsm")
    return dest


def build_targets_template(path: Path = TARGETS_TEMPLATE, sample: bool = True,
                           as_of: str = f"{YEAR}-09-30") -> Path:
    """The standalone targets workbook: 设置, 员工名册 (empty), the target sheets, decomposed."""
    wb = Workbook()
    wb.remove(wb.active)
    settings_sheet(wb, store="", month=f"{YEAR}-09")
    _table_sheet(wb, S.ROSTER)
    add_target_sheets(wb, sample)
    atomic_save(wb.save, Path(path))
    tidy_styles(path)                       # fonts' children in the order the SDK validates
    if sample:
        macros.decompose_targets(path, YEAR, as_of)
    return Path(path)


def main() -> None:
    wb = new_workbook(store="", month="")
    atomic_save(wb.save, TEMPLATE)
    tidy_styles(TEMPLATE)
    xlsm = build_xlsm()
    from workbook.build_vba import build_addin
    addin = build_addin()
    CONF.write_text(CONF_TEXT, encoding="utf-8")
    targets = build_targets_template()
    print(f"wrote {TEMPLATE}, {xlsm.name}, {addin.name}, {targets.name}, {CONF.name}")


if __name__ == "__main__":
    main()
