"""addin.io: reading the store workbook (path or xlwings-style mapping), header aliases,
typed frames with every bad cell reported, settings validated together, atomic writing."""
from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

import openpyxl
import pytest

from addin import macros
from addin.io import schema as bk
from addin.io.book import load_book
from addin.io.problems import BookError
from addin.render.sheet import SheetSpec
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
    book = load_book(small_book)
    assert book.store == "测试店"
    assert book.month == "2026-09"
    assert book.policy.grading == "capped"           # SPEC default prefilled in 设置
    assert {bk.SETTINGS, bk.ROSTER, bk.SCORECARDS, bk.ACTUALS, bk.KPI_LIB} <= set(book.sheet_names)
    roster = book.table(bk.ROSTER)
    assert list(roster["员工编号"]) == ["E1", 1002.0]
    assert list(roster["_row"]) == [2, 3]
    problems = []
    frame = book.frame(bk.ROSTER, problems)
    assert problems == []
    assert list(frame["employee_id"]) == ["E1", "1002"]             # ids as text
    assert list(frame["salary"]) == [5000.0, 4500.0]                # "4,500" typed as text
    assert frame["hire_date"].iloc[1] == dt.datetime(2026, 8, 1)
    assert list(frame["category"]) == ["profit", "functional"] and list(frame["status"]) == ["active", "probation"]


def test_mapping_source_and_english_headers():
    data = {
        bk.SETTINGS: [["项目", "值"], ["门店名称", "映射店"], ["考核月份", dt.datetime(2026, 10, 1)]],
        bk.ROSTER: [["employee_id", "name", "department", "position", "category", "salary", "status"],
                    ["A1", "甲", "财务部", "会计", "职能部门", 4000, "正式"],
                    [None, None, None, None, None, None, None]],
        bk.SCORECARDS: [["岗位", "考核项目", "权重"]],
        bk.ACTUALS: [["月份", "员工编号", "考核项目", "实际值"]],
    }
    book = load_book(data)
    assert book.path is None and book.month == "2026-10" and book.store == "映射店"
    frame = book.frame(bk.ROSTER)
    assert list(frame["name"]) == ["甲"]                               # blank line dropped
    assert list(frame["category"]) == ["functional"]


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
    load_book(data).frame(bk.ACTUALS, problems)
    where = {(p.sheet, p.row, p.column) for p in problems}
    assert where == {(bk.ACTUALS, 2, "实际值"), (bk.ACTUALS, 3, "月份"), (bk.ACTUALS, 4, "实际值")}


def test_missing_sheets_and_bad_settings_are_listed_together(tmp_path):
    data = {bk.SETTINGS: [["项目", "值"], ["等级评定方式", "抽签"], ["逾期罚款(元/天)", "五百"],
                          ["考核月份", "下个月"]]}
    with pytest.raises(BookError) as err:
        load_book(data)
    text = str(err.value)
    for needle in ("员工名册", "考核表", "月度实绩", "等级评定方式", "逾期罚款", "考核月份"):
        assert needle in text
    assert len(err.value.problems) == 6


def _spec(name, value):
    spec = SheetSpec(name)
    spec.put(0, 0, "结果", "head")
    spec.put(1, 0, value, "int")
    return spec


def test_write_sheets_replaces_outputs_and_keeps_inputs(small_book):
    before = [[c.value for c in r] for r in openpyxl.load_workbook(small_book)[bk.ROSTER].iter_rows()]
    macros.write_sheets(small_book, [_spec("输出", 41)])
    macros.write_sheets(small_book, [_spec("输出", 42)])          # again: replaced, not duplicated
    wb = openpyxl.load_workbook(small_book)
    assert wb.sheetnames.count("输出") == 1 and wb.sheetnames[-1] == "输出"
    assert wb["输出"]["A2"].value == 42
    assert [[c.value for c in r] for r in wb[bk.ROSTER].iter_rows()] == before


def test_failed_write_leaves_the_old_file_whole(small_book):
    digest = _digest(small_book)
    import pandas as pd

    from addin.render.sheet import Bulk

    class Boom:                           # a value that fails while the rows are being written
        def __str__(self):
            raise RuntimeError("crash while writing")
    bad = _spec("输出", 1)
    bad.bulk = Bulk(2, pd.DataFrame({"x": ["a", Boom()]}), ["text"], [False])
    with pytest.raises(RuntimeError, match="crash while writing"):
        macros.write_sheets(small_book, [bad])
    assert _digest(small_book) == digest
    assert [p.name for p in small_book.parent.iterdir()] == [small_book.name]      # no temp left


def test_write_sheets_keeps_other_parts_byte_for_byte(small_book):
    with zipfile.ZipFile(small_book) as z:
        before = {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}
    macros.write_sheets(small_book, [_spec("输出", 1)])
    with zipfile.ZipFile(small_book) as z:
        after = {n: z.read(n) for n in z.namelist()}
    for name, data in before.items():
        assert after[name] == data


def test_settings_that_belong_together_are_validated_together():
    base = [["项目", "值"], ["考核月份", "2026-09"]]
    sheets = {bk.ROSTER: [["员工编号"]], bk.SCORECARDS: [["岗位"]], bk.ACTUALS: [["月份"]]}
    ok = load_book({bk.SETTINGS: base + [["评分权重-自评", "20%"], ["评分权重-直接上级", 60], ["评分权重-360°", 0.2]],
                    **sheets})
    assert (ok.policy.rating_self, ok.policy.rating_manager, ok.policy.rating_peer) == (0.2, 0.6, 0.2)
    with pytest.raises(BookError) as err:
        load_book({bk.SETTINGS: base + [["评分权重-自评", "20%"], ["A级下限", 100], ["B级下限", 110]], **sheets})
    texts = [str(p) for p in err.value.problems]
    assert any("评分权重-自评/评分权重-直接上级/评分权重-360°" in t and "120%" in t for t in texts)
    assert any("A级下限/B级下限/C级下限/E级上限" in t and "第4行" in t for t in texts)
    assert len(texts) == 2
