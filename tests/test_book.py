"""addin/book.py: reading the store workbook (path or xlwings-style mapping), header aliases,
typed frames with every bad cell reported, and atomic writing of output sheets."""
from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

import openpyxl
import pytest

from addin import book as bk
from addin.errors import BookError
from workbook.build import fill_table, new_workbook


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def small_book(tmp_path):
    wb = new_workbook(store="测试店", month="2026-09")
    fill_table(wb[bk.ROSTER], [
        ["E1", "张三", "机修车间", "机修技师", "创利部门", "李四", "王五", 5000, "正式", dt.date(2020, 1, 1)],
        [1002, "赵六", "客服部", "客服专员", "职能部门", "钱七", "王五", "4,500", "试用", "2026-08-01"],
    ])
    path = tmp_path / "store.xlsx"
    wb.save(path)
    return path


def test_load_book_reads_settings_and_tables(small_book):
    book = bk.load_book(small_book)
    assert book.store == "测试店"
    assert book.month == "2026-09"
    assert book.policy.grading == "capped"           # SPEC default prefilled in 设置
    assert {bk.SETTINGS, bk.ROSTER, bk.SCORECARDS, bk.ACTUALS, bk.KPI_LIB} <= set(book.tables)
    roster = book.tables[bk.ROSTER]
    assert list(roster["员工编号"]) == ["E1", 1002.0]
    assert list(roster["_row"]) == [2, 3]
    problems = []
    frame = book.frame(bk.ROSTER, problems)
    assert problems == []
    assert list(frame["employee_id"]) == ["E1", "1002"]             # ids as text
    assert list(frame["salary"]) == [5000.0, 4500.0]                # "4,500" typed as text
    assert frame["hire_date"].iloc[1] == dt.datetime(2026, 8, 1)


def test_mapping_source_and_english_headers():
    data = {
        bk.SETTINGS: [["项目", "值"], ["门店名称", "映射店"], ["考核月份", dt.datetime(2026, 10, 1)]],
        bk.ROSTER: [["employee_id", "name", "department", "position", "category", "salary", "status"],
                    ["A1", "甲", "财务部", "会计", "职能部门", 4000, "正式"],
                    [None, None, None, None, None, None, None]],
        bk.SCORECARDS: [["岗位", "考核项目", "权重"]],
        bk.ACTUALS: [["月份", "员工编号", "考核项目", "实际值"]],
    }
    book = bk.load_book(data)
    assert book.path is None and book.month == "2026-10" and book.store == "映射店"
    frame = book.frame(bk.ROSTER)
    assert list(frame["name"]) == ["甲"]                               # blank line dropped
    assert list(frame["category"]) == ["职能部门"]


def test_every_bad_cell_is_reported_with_sheet_row_column():
    data = {
        bk.SETTINGS: [["项目", "值"], ["考核月份", "2026-09"]],
        bk.ROSTER: [["员工编号", "姓名", "部门", "岗位", "考核类别", "月工资", "状态"]],
        bk.SCORECARDS: [["岗位", "考核项目", "权重"]],
        bk.ACTUALS: [["月份", "员工编号", "考核项目", "实际值"],
                     ["2026-09", "E1", "产值", "很多"],
                     ["九月", "E2", "产值", 3],
                     ["2026-09", "E3", "产值", True]],
    }
    problems = []
    bk.load_book(data).frame(bk.ACTUALS, problems)
    where = {(p.sheet, p.row, p.column) for p in problems}
    assert where == {(bk.ACTUALS, 2, "实际值"), (bk.ACTUALS, 3, "月份"), (bk.ACTUALS, 4, "实际值")}


def test_missing_sheets_and_bad_settings_are_listed_together(tmp_path):
    data = {bk.SETTINGS: [["项目", "值"], ["等级评定方式", "抽签"], ["逾期罚款(元/天)", "五百"],
                          ["考核月份", "下个月"]]}
    with pytest.raises(BookError) as err:
        bk.load_book(data)
    text = str(err.value)
    for needle in ("员工名册", "考核表", "月度实绩", "等级评定方式", "逾期罚款", "考核月份"):
        assert needle in text
    assert len(err.value.problems) == 6


def test_write_sheets_replaces_outputs_and_keeps_inputs(small_book):
    before = {n: openpyxl.load_workbook(small_book)[n] for n in (bk.ROSTER,)}
    rows_before = [[c.value for c in r] for r in before[bk.ROSTER].iter_rows()]

    def fill(ws):
        ws["A1"] = "结果"
        ws["A2"] = 42
    bk.write_sheets(small_book, {"输出": fill})
    bk.write_sheets(small_book, {"输出": fill})          # again: replaced, not duplicated
    wb = openpyxl.load_workbook(small_book)
    assert wb.sheetnames.count("输出") == 1 and wb.sheetnames[-1] == "输出"
    assert wb["输出"]["A2"].value == 42
    assert [[c.value for c in r] for r in wb[bk.ROSTER].iter_rows()] == rows_before


def test_failed_write_leaves_the_old_file_whole(small_book):
    digest = _digest(small_book)

    def boom(ws):
        ws["A1"] = "半成品"
        raise RuntimeError("crash while writing")
    with pytest.raises(RuntimeError):
        bk.write_sheets(small_book, {"输出": boom})
    assert _digest(small_book) == digest
    assert [p.name for p in small_book.parent.iterdir()] == [small_book.name]      # no temp left


def test_write_sheets_keeps_other_parts_byte_for_byte(small_book):
    with zipfile.ZipFile(small_book) as z:
        before = {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}
    bk.write_sheets(small_book, {"输出": lambda ws: ws.append(["x"])})
    with zipfile.ZipFile(small_book) as z:
        after = {n: z.read(n) for n in z.namelist()}
    for name, data in before.items():
        assert after[name] == data


def test_long_sheet_built_in_a_forked_process_matches_the_serial_path(small_book, tmp_path):
    """xlsxpatch: a long sheet's rows streamed (and deflated on the other core) read back the same."""
    import io

    import pandas as pd
    import xlsxwriter

    from addin.report_sheets import rows_xml
    from addin.xlsxpatch import replace_sheets
    from python_calamine import CalamineWorkbook
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("长表")
    fmt = wb.add_format({"num_format": "0.0", "bold": True})
    ws.write_row(0, 0, ["编号", "得分"], fmt)
    xf = fmt._get_xf_index()
    wb.close()
    df = pd.DataFrame({"编号": [f"E{i}&<" for i in range(3000)], "得分": [i / 3 for i in range(3000)]})
    rows = lambda xf_map: rows_xml(df, 2, ["text", "num"], [xf_map[xf]] * 2)       # noqa: E731
    out = {}
    for mode in ("serial", "fork"):
        dest = tmp_path / f"{mode}.xlsx"
        replace_sheets(small_book, buf.getvalue(), ["长表"], dest=dest, extra_rows={"长表": rows},
                       parallel=("长表",) if mode == "fork" else ())
        with zipfile.ZipFile(dest) as z:
            assert z.testzip() is None
            out[mode] = {n: z.read(n) for n in z.namelist()}
        got = CalamineWorkbook.from_path(str(dest)).get_sheet_by_name("长表").to_python()
        assert got[1] == ["E0&<", 0.0] and got[-1] == ["E2999&<", pytest.approx(2999 / 3)] and len(got) == 3001
    assert out["serial"] == out["fork"]
