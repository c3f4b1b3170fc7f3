"""The hostile corpus: bad workbooks and odd-but-valid inputs, each built as a real file from
the hand-computed store (tests/helpers.py), with what the user must be told (bad files:
bad_files.py).

Shared by the tests (tests/hostile/test_*.py) and the audit script (tests/hostile/audit.py),
so the figures in an audit are those of exactly the cases the suite asserts on.

A case is (name, build(folder) -> path, command, expect): ``command`` the kpi4s arguments
after the book (e.g. ["--month", "0000-01"]); ``expect`` the substrings stderr must hold
(the sheet, the cell …) — or None for an input that is odd but valid and must succeed.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
from helpers import ACTUALS, CARD, MONTH, RATINGS, ROSTER, hand_book

from addin.io import schema as S


# --------------------------------------------------------------------------- building blocks
def book(folder: Path, name: str = "store.xlsx", settings: dict | None = None, **tables) -> Path:
    return hand_book(Path(folder) / name, settings, **tables)


def edit(path: Path, sheet: str, cells: dict, text: bool = False) -> Path:
    """Set cells ({"E2": value}) of a sheet with openpyxl (``text``: '=…' stays a string)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for ref, value in cells.items():
        ws[ref] = value
        if text and isinstance(value, str):
            ws[ref].data_type = "s"
    wb.save(path)
    return path


def setting(path: Path, label: str, value) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb[S.SETTINGS]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label)
    ws.cell(row, 2).value = value
    wb.save(path)
    return path


def rezip(path: Path, change) -> Path:
    """Rewrite the package: change(name, bytes) -> bytes | None (None drops the member)."""
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            new = change(info.filename, data)
            if new is not None:
                z.writestr(info.filename, new)
    return path


def sheet_part(path: Path, sheet: str) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def with_rows(rows, *extra):
    return [list(r) for r in rows] + [list(e) for e in extra]


def months(rows, month: str):
    return [[month] + list(r[1:]) for r in rows if r[0] == MONTH]


# --------------------------------------------------------------------------- bad workbooks
def _cells(sheet, cells, text=False, **tables):
    return lambda f: edit(book(f, **tables), sheet, cells, text)


def _setting(label, value):
    return lambda f: setting(book(f), label, value)


def _tables(settings=None, **tables):
    return lambda f: book(f, settings=settings, **tables)


def _stray(*where):
    def build(f):
        p = book(f)
        for sheet, ref in where:
            edit(p, sheet, {ref: " "})
        return p
    return build


def _uncached_setting(f):
    p = book(f)
    wb = openpyxl.load_workbook(p)
    ws = wb[S.SETTINGS]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == S.MONTH_KEY)
    ws.cell(row, 2, '="2026-"&"09"')
    wb.save(p)
    return p


def _history_dup(f):
    h = [["2026-08", "T1", "甲", "一部", 95, "C", 1425], ["2026-08", "T1", "甲", "一部", 80, "D", 1200]]
    p = book(f)
    wb = openpyxl.load_workbook(p)
    ws = wb[S.HISTORY]
    for i, r in enumerate(h, 2):
        for j, v in enumerate(r, 1):
            ws.cell(i, j, v)
    wb.save(p)
    return p


def _no_header(f):
    p = book(f)
    wb = openpyxl.load_workbook(p)
    wb[S.ACTUALS].delete_rows(1)
    wb.save(p)
    return p


def _no_sheet(sheet):
    def build(f):
        p = book(f)
        wb = openpyxl.load_workbook(p)
        del wb[sheet]
        wb.save(p)
        return p
    return build


def _target_cell(path: Path, value) -> Path:
    """目标分解: one indicator whose 年度目标 is ``value`` (the hand book has no targets)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[S.TARGETS]
    head = next(r for r in range(1, 10) if ws.cell(r, 2).value == "指标")
    ws.cell(head + 1, 1, 2026)
    ws.cell(head + 1, 2, "售后产值")
    ws.cell(head + 1, 3, "元")
    ws.cell(head + 1, 5, value)
    wb.save(path)
    return path


def _renamed_id_and_bad_targets(f):
    return _target_cell(edit(book(f), S.ROSTER, {"A1": "员工编码x"}), "很多")


def _many_bad_cells(f):
    """150 actual rows whose 实际值 is text: more problems than a message lists (it counts the rest)."""
    rows = with_rows(ACTUALS, *[[MONTH, "T1", "甲", f"项{k}", "很多", None] for k in range(150)])
    return book(f, **{S.ACTUALS: rows})


def _huge_used_range(f):
    """员工名册 filled down to row 60,010 in column GR (200): no stray cell, but 12 million cells."""
    p = book(f)
    part = sheet_part(p, S.ROSTER)
    extra = b"".join(b'<row r="%d"><c r="GR%d"><v>1</v></c></row>' % (r, r) for r in range(10, 60_011))
    return rezip(p, lambda n, d: d.replace(b"</sheetData>", extra + b"</sheetData>") if n == part else d)


def _targets_2027_cn(f):
    p = setting(_target_cell(book(f), 6_000_000), "日历", "法定节假日")
    wb = openpyxl.load_workbook(p)
    ws = wb[S.TARGETS]
    head = next(r for r in range(1, 10) if ws.cell(r, 2).value == "指标")
    ws.cell(head + 1, 1, 2027)
    wb.save(p)
    return p


DEC = "2026-12"
DEC_TABLES = {S.ACTUALS: months(ACTUALS, DEC), S.RATINGS: months(RATINGS, DEC), S.ADJUSTMENTS: [], S.COMMISSION: [],
              S.SUBMISSIONS: []}
CARD_2 = [CARD[0][:7] + [0.8] + CARD[0][8:], CARD[2]]                 # 产值 80% + 工作纪律 20%: 2 items
CARD_9 = [["测试岗", None, k, "财务指标", f"指标{k}", None, "KPI", w, 100, "正向", "元", None]
          for k, w in zip(range(1, 10), [20, 10, 10, 10, 10, 10, 10, 10, 10])]
ACTUALS_9 = [[MONTH, e, n, f"指标{k}", 100, None] for e, n in (("T1", "甲"), ("T2", "乙"), ("T3", "丙"))
             for k in range(1, 10)]

BAD_BOOKS = [
    ("actual_text", _cells(S.ACTUALS, {"E2": "一百一十"}), [], ["月度实绩", "第2行", "实际值", "不是数字"]),
    ("actual_inf", _cells(S.ACTUALS, {"E2": "inf"}), [], ["月度实绩", "第2行", "「inf」不是数字"]),
    ("actual_1e400", _cells(S.ACTUALS, {"E2": "1e400"}), [], ["第2行", "「1e400」不是数字"]),
    ("actual_minus_inf", _cells(S.ACTUALS, {"E3": "-inf"}), [], ["第3行", "不是数字"]),
    ("actual_nan", _cells(S.ACTUALS, {"E2": "nan"}), [], ["第2行", "「nan」不是数字"]),
    ("actual_infinity", _cells(S.ACTUALS, {"E2": "Infinity"}), [], ["第2行", "不是数字"]),
    ("salary_1e308", _cells(S.ROSTER, {"H2": 1e308}), [], ["员工名册", "第2行", "月工资超过"]),
    ("salary_text", _cells(S.ROSTER, {"H2": "五千"}), [], ["员工名册", "第2行", "月工资", "不是数字"]),
    ("salary_negative", _cells(S.ROSTER, {"H2": -5000}), [], ["第2行", "月工资不能为负"]),
    ("commission_huge", _cells(S.COMMISSION, {"D2": 1e20}), [], ["提成", "第2行", "提成金额超过"]),
    ("commission_negative", _cells(S.COMMISSION, {"D2": -1}), [], ["提成", "第2行", "不能为负"]),
    ("weights_90", _cells(S.SCORECARDS, {"H2": 0.4}), [], ["考核表", "权重合计 90.0%"]),
    ("weight_150", _cells(S.SCORECARDS, {"H2": 150}), [], ["考核表", "第2行", "单项权重不能超过100%"]),
    ("weight_text", _cells(S.SCORECARDS, {"H2": "一半"}), [], ["考核表", "第2行", "不是数字"]),
    ("dup_id_case_space", _tables(**{S.ROSTER: with_rows(ROSTER, [" t1 "] + ROSTER[0][1:])}), [],
     ["员工名册", "员工编号重复"]),
    ("dup_id_1001_float", _tables(**{S.ROSTER: with_rows(ROSTER, [1001] + ROSTER[0][1:], [1001.0] + ROSTER[1][1:])}),
     [], ["员工名册", "员工编号重复", "1001"]),
    ("month_9999_12", _setting(S.MONTH_KEY, "9999-12"), [], ["设置", "考核月份「9999-12」无法识别"]),
    ("month_blank", _setting(S.MONTH_KEY, None), [], ["未指定考核月份"]),
    ("cli_month_0000", _tables(), ["--month", "0000-01"], ["--month", "0000-01", "无法识别"]),
    ("cli_month_13", _tables(), ["--month", "2026-13"], ["--month", "无法识别"]),
    ("month_text", _setting(S.MONTH_KEY, "九月"), [], ["设置", "九月"]),
    ("calendar_unknown", _setting("日历", "火星历"), [], ["设置", "火星历", "无效"]),
    ("grading_unknown", _setting("等级评定方式", "抽签"), [], ["设置", "抽签"]),
    ("rating_blend_150", _setting("评分权重-自评", "50%"), [], ["设置", "三项合计应为100%"]),
    ("settings_and_sheet_together", lambda f: edit(setting(book(f), "日历", "火星历"), S.ACTUALS, {"E2": "inf"}), [],
     ["火星历", "「inf」不是数字"]),
    ("missing_cards_sheet", _no_sheet(S.SCORECARDS), [], ["考核表", "缺少工作表"]),
    ("renamed_id_column", _cells(S.ROSTER, {"A1": "员工编码x"}), [], ["员工名册", "员工编号", "缺少此列"]),
    ("renamed_id_and_bad_targets", _renamed_id_and_bad_targets, [], ["员工名册", "缺少此列", "目标分解"]),
    ("no_header_row", _no_header, [], ["月度实绩", "找不到表头行"]),
    ("unknown_employee", _tables(**{S.ACTUALS: with_rows(ACTUALS, [MONTH, "X9", "某人", "产值", 1, None])}), [],
     ["月度实绩", "第9行", "员工名册中没有员工编号「X9」"]),
    ("item_not_in_card", _tables(**{S.ACTUALS: with_rows(ACTUALS, [MONTH, "T1", "甲", "神秘指标", 1, None])}), [],
     ["月度实绩", "第9行", "神秘指标"]),
    ("target_zero", _cells(S.SCORECARDS, {"I2": 0}), [], ["考核表", "目标值必须大于0"]),
    ("negative_lower_actual", _cells(S.ACTUALS, {"E3": -0.01}), [], ["月度实绩", "实际值不能为负"]),
    ("missing_actual", _cells(S.ACTUALS, {"E2": None}), [], ["月度实绩", "缺少员工 T1「产值」的实际值"]),
    ("adjustment_500", _cells(S.ADJUSTMENTS, {"D3": 500}), [], ["加减分", "第3行", "−130 到 130"]),
    ("veto_maybe", _cells(S.ADJUSTMENTS, {"E3": "也许"}), [], ["加减分", "第3行", "也许"]),
    ("status_unknown", _cells(S.ROSTER, {"I2": "停薪留职"}), [], ["员工名册", "第2行", "停薪留职"]),
    ("category_unknown", _cells(S.ROSTER, {"E2": "外包"}), [], ["员工名册", "第2行", "外包"]),
    ("hire_date_text", _cells(S.ROSTER, {"J2": "昨天"}), [], ["员工名册", "第2行", "昨天"]),
    ("leave_before_hire", _cells(S.ROSTER, {"K2": dt.datetime(2019, 1, 1)}), [], ["员工名册", "第2行", "离职日期早于入职日期"]),
    ("history_duplicate_rows", _history_dup, [], ["历史", "2026-08 员工 T1 在历史中有多行"]),
    ("december_cn_unknown_year", _tables({S.MONTH_KEY: DEC, "日历": "法定节假日"}, **DEC_TABLES), [],
     ["设置", "2027 年", "节假日", "周末顺延"]),
    ("holiday_bad_date", _tables(**{S.HOLIDAYS: [["下周一", "放假", "", ""]]}), [], ["节假日", "第2行", "下周一"]),
    ("holiday_both_kinds", _tables(**{S.HOLIDAYS: [[dt.datetime(2026, 10, 1), "放假", "国庆", ""],
                                                  [dt.datetime(2026, 10, 1), "上班", "", ""]]}), [],
     ["节假日", "同一天既填了放假又填了上班"]),
    ("uncached_formula_actual", _cells(S.ACTUALS, {"E2": "=100+10"}), [], ["月度实绩", "第2行", "实际值",
                                                                          "公式未计算，请在 Excel 中打开并保存"]),
    ("uncached_formula_setting", _uncached_setting, [], ["设置", "公式未计算"]),
    ("stray_xfd1048576", _stray((S.ROSTER, "XFD1048576")), [], ["员工名册", "XFD1048576", "删除"]),
    ("stray_xfd5000", _stray((S.ROSTER, "XFD5000")), [], ["员工名册", "XFD5000", "删除"]),
    ("stray_a1048576", _stray((S.ACTUALS, "A1048576")), [], ["月度实绩", "A1048576", "删除"]),
    ("stray_two_sheets", _stray((S.ROSTER, "XFD1"), (S.RATINGS, "B900000")), [], ["员工名册", "XFD1", "评分",
                                                                                    "B900000"]),
    ("submission_time_text", _cells(S.SUBMISSIONS, {"D2": "明天下午"}), [], ["评分提交", "第2行", "明天下午"]),
    ("submission_role_unknown", _cells(S.SUBMISSIONS, {"C2": "董事长"}), [], ["评分提交", "第2行", "董事长"]),
    ("rating_250", _cells(S.RATINGS, {"F2": 250}), [], ["评分", "第2行", "0–130%"]),
    ("rating_missing", _tables(**{S.RATINGS: RATINGS[1:]}), [], ["评分", "缺少员工 T1「工作纪律」的评分"]),
    ("card_item_twice", _tables(**{S.SCORECARDS: with_rows(CARD, CARD[0])}), [], ["考核表", "考核项目重复"]),
    ("kpi_id_unknown", _cells(S.SCORECARDS, {"F3": "nosuch_kpi"}), [], ["考核表", "nosuch_kpi"]),
    ("direction_unknown", _cells(S.SCORECARDS, {"J2": "斜向"}), [], ["考核表", "斜向"]),
    ("actual_month_13", _cells(S.ACTUALS, {"A2": "2026/13"}), [], ["月度实绩", "第2行", "2026/13"]),
    ("output_folder_parent", _setting(S.OUTPUT_KEY, "../外面"), ["forms"], ["输出文件夹「../外面」", "--out"]),
    ("output_folder_absolute", _setting(S.OUTPUT_KEY, "/tmp/kpi4s-elsewhere"), ["letters"],
     ["输出文件夹", "不在工作簿所在的文件夹"]),
    ("issue_date_text", _setting(S.ISSUE_KEY, "下个月"), ["letters"], ["设置", "签发日期「下个月」"]),
    ("targets_text_target", lambda f: _target_cell(book(f), "很多"), ["decompose"], ["目标分解", "很多"]),
    ("stray_in_history", lambda f: edit(_history_dup(f), S.HISTORY, {"A3": "2026-07", "XFD5000": " "}), [],
     ["历史", "XFD5000", "删除"]),
    ("uncached_formula_history", lambda f: edit(_history_dup(f), S.HISTORY, {"A3": "2026-07", "E3": "=80+1"}), [],
     ["历史", "第3行", "总分", "公式未计算"]),
    ("many_bad_cells", _many_bad_cells, [], ["（共 300 处）", "……另有 200 处", "[月度实绩] 「实际值」 100 处"]),
    ("huge_used_range", _huge_used_range, [], ["员工名册", "已用区域达 60,010 行 × 200 列"]),
    ("december_cn_forms", _tables({S.MONTH_KEY: DEC, "日历": "法定节假日"}, **DEC_TABLES), ["forms"],
     ["2027 年", "节假日"]),
    ("december_cn_letters", _tables({S.MONTH_KEY: DEC, "日历": "法定节假日"}, **DEC_TABLES), ["letters"],
     ["2027 年", "节假日"]),
    ("targets_2027_on_cn", _targets_2027_cn, ["decompose", "--year", "2027"], ["目标分解", "2027 年", "节假日"]),
]


# --------------------------------------------------------------------------- odd but valid
def _control_char_name(f):
    """A name pasted from an ERP with U+0001 (Excel keeps it as the escape _x0001_)."""
    def change(n, d):
        if not (n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/sheet")):
            return d
        for jia in ("甲".encode(), b"&#30002;"):
            d = d.replace(b"<t>" + jia + b"</t>", b"<t>" + jia + b"_x0001_" + "乙".encode() + b"</t>")
        return d
    return rezip(book(f), change)


FORMULA_TEXT = '=HYPERLINK("http://evil.example/x","点我")'

ODD_BUT_VALID = [
    ("control_char_name", _control_char_name, []),
    ("formula_looking_names", _cells(S.ROSTER, {"B2": FORMULA_TEXT, "C2": "+一部", "B3": "@乙", "B4": "-丙"}, text=True),
     []),
    ("long_text_40000", _cells(S.ROSTER, {"B2": "甲" * 40_000}), []),
    ("emoji_and_rtl", _cells(S.ROSTER, {"B2": "甲😀\u202eevil"}), []),
    ("card_of_2_items", _tables(**{S.SCORECARDS: CARD_2, S.ACTUALS: [r for r in ACTUALS if r[3] != "返修率"]}), []),
    ("card_of_9_items", _tables(**{S.SCORECARDS: CARD_9, S.ACTUALS: ACTUALS_9, S.RATINGS: []}), []),
    ("december_cn_with_holidays", _tables({S.MONTH_KEY: DEC, "日历": "法定节假日"},
                                          **DEC_TABLES, **{S.HOLIDAYS: [[dt.datetime(2027, 1, 1), "放假", "元旦", ""],
                                                                        [dt.datetime(2027, 1, 4), "放假", "元旦调休", ""],
                                                                        [dt.datetime(2027, 1, 9), "上班", "调休上班", ""]]}),
     []),
    ("styled_empty_far_cell", lambda f: _styled(book(f)), []),
    ("spaces_only_rows", _cells(S.ACTUALS, {"A30": "  ", "C31": "\t"}), []),
    ("leaver_in_month", _cells(S.ROSTER, {"I2": "离职", "K2": dt.datetime(2026, 9, 20)}), []),
]


def _styled(path: Path) -> Path:
    from openpyxl.styles import Font
    wb = openpyxl.load_workbook(path)
    wb[S.ROSTER]["XFD1048576"].font = Font(bold=True)
    wb.save(path)
    return path


__all__ = ["BAD_BOOKS", "ODD_BUT_VALID", "book", "edit", "setting", "rezip", "sheet_part", "months", "with_rows",
           "FORMULA_TEXT", "DEC", "DEC_TABLES"]
