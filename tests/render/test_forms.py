"""绩效评估表: contexts from the hand-worked month, and the forms written and read back (openpyxl)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from addin import documents
from addin.month.results import ITEM_COLUMNS
from addin.render import forms

import docs_sample as S  # noqa: E402  (registered by conftest)
MONTH = S.MONTH


# --------------------------------------------------------------------------- contexts
def test_one_context_per_graded_employee_in_roster_order():
    ctxs = forms.form_contexts(S.small_results(), generated="2026-09-01 08:00")
    assert [c["employee_id"] for c in ctxs] == ["E01", "E02", "E03", "E04", "E05"]       # E06 exempt
    by = {c["employee_id"]: c for c in ctxs}
    e04 = by["E04"]
    assert (e04["grade"], e04["grade_label"], e04["category"], e04["period"]) == ("E", "不胜任", "职能部门", "2026年8月")
    assert by["E01"]["category"] == "创利部门"
    assert [i["item"] for i in e04["items"]] == ["回访完成率", "投诉处理及时率", "客户满意度", "档案完整率"]
    assert e04["weight_sum"] == pytest.approx(1.0) and e04["adjustment"] == -3.0
    assert e04["adjustments"] == [{"reason": "工服不规范被通报", "points": -3.0, "veto": False}]
    # the actions tuple in vocabulary labels; the warnings tuple as text
    assert e04["remarks"] == "本月措施：严重警告(直线经理)、绩效改进计划"
    assert by["E02"]["remarks"] == "本月无提成记录，绩效基数按0计"
    assert by["E03"]["name"] == "李/娜"                                          # control character dropped
    assert "2026-09-01 08:00" in e04["footer"] and "E04 王芳" in e04["footer"]


def test_veto_is_noted_with_the_policy_cap():
    res = S.small_results()
    res.people.loc[res.people["employee_id"] == "E05", "veto"] = True
    e05 = {c["employee_id"]: c for c in forms.form_contexts(res)}["E05"]
    assert e05["remarks"].startswith("本月有否决项，总分不高于70分")


def test_sheet_title_is_legal_and_unique():
    used: set = set()
    assert forms.sheet_title({"employee_id": "E03", "name": "李/娜"}, used) == "E03 李_娜"
    long = {"employee_id": "E1", "name": "很" * 40}
    first, second = forms.sheet_title(long, used), forms.sheet_title(long, used)
    assert len(first) == 31 and len(second) == 31 and second.endswith("~2") and first != second
    assert forms.sheet_title({"employee_id": "", "name": "[x]:"}, used) == "_x_"


# --------------------------------------------------------------------------- files
def test_forms_by_department_one_sheet_per_graded_employee(tmp_path):
    run = documents.appraisal_forms(S.small_results(), out_dir=tmp_path)
    books = sorted(p.name for p in run.paths if p.suffix == ".xlsx")
    assert books == [f"{MONTH}_客服部_绩效评估表.xlsx", f"{MONTH}_服务顾问组_绩效评估表.xlsx",
                     f"{MONTH}_机修车间_绩效评估表.xlsx"]
    assert run.index == tmp_path / f"{MONTH}_索引.csv" and run.index in run.paths
    assert run.summary.splitlines() == ["已为 5 名员工生成绩效评估表（3 个文件）", f"输出文件夹：{tmp_path}",
                                        f"清单：{MONTH}_索引.csv"]
    wb = load_workbook(tmp_path / f"{MONTH}_客服部_绩效评估表.xlsx")
    assert wb.sheetnames == ["E04 王芳"]                   # E06 is exempt: no form
    ws = wb["E04 王芳"]
    values = S.sheet_values(ws)
    assert "王芳" in values and "E04" in values and "客服专员" in values and "2026年8月" in values
    assert 61.0 in values and "E（不胜任）" in values
    assert {"回访完成率", "投诉处理及时率", "客户满意度", "档案完整率"} <= set(values)
    assert "工服不规范被通报" in values and -3.0 in values
    # page set-up of the template: A4 portrait, one page, print titles, borders
    assert ws.page_setup.paperSize in (9, "9") and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight in (1, None)
    assert ws.print_title_rows and ws.merged_cells.ranges
    wb2 = load_workbook(tmp_path / f"{MONTH}_机修车间_绩效评估表.xlsx")
    assert wb2.sheetnames == ["E03 李_娜", "E05 赵强"]
    index = S.read_index(tmp_path)
    assert [r["工号"] for r in index] == ["E01", "E02", "E03", "E05", "E04"]           # file by file
    assert {r["工号"]: r["文件"] for r in index}["E05"] == f"{MONTH}_机修车间_绩效评估表.xlsx"
    assert {r["工号"]: r["等级"] for r in index} == {"E01": "A", "E02": "C", "E03": "D", "E04": "E", "E05": "D"}
    assert {r["工号"]: r["总分"] for r in index}["E01"] == "121.50"
    assert {r["工号"]: r["工作表"] for r in index}["E03"] == "E03 李_娜"


def test_forms_by_employee_safe_names_and_text_never_a_formula(tmp_path):
    run = documents.appraisal_forms(S.small_results(), out_dir=tmp_path, by="employee")
    names = sorted(p.name for p in run.paths if p.suffix == ".xlsx")
    assert names == [f"{MONTH}_E01_张伟.xlsx", f"{MONTH}_E02_=1+1.xlsx", f"{MONTH}_E03_李_娜.xlsx",
                     f"{MONTH}_E04_王芳.xlsx", f"{MONTH}_E05_赵强.xlsx"]
    assert all(p.parent == tmp_path for p in run.paths)
    path = tmp_path / f"{MONTH}_E02_=1+1.xlsx"
    ws = load_workbook(path).active
    hits = [c for row in ws.iter_rows() for c in row if c.value == "=1+1"]
    assert hits and all(c.data_type == "s" for c in hits)
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    # in the index the name is neutralised for spreadsheets
    assert {r["工号"]: r["姓名"] for r in S.read_index(tmp_path)}["E02"] == "'=1+1"
    # control character dropped from the text, '/' from the file name
    ws3 = load_workbook(tmp_path / f"{MONTH}_E03_李_娜.xlsx").active
    assert "李/娜" in S.sheet_values(ws3)


def test_hyperlink_formula_name_is_written_as_text(tmp_path):
    ctx = forms.form_contexts(S.small_results())[0]
    ctx = dict(ctx, name='=HYPERLINK("http://evil","点我")', remarks="@SUM(1)")
    path = forms.render_form_book(tmp_path / "x.xlsx", [ctx])
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    values = S.sheet_values(load_workbook(path).active)
    assert '=HYPERLINK("http://evil","点我")' in values and "@SUM(1)" in values


def test_form_scores_and_items_read_back(tmp_path):
    documents.appraisal_forms(S.small_results(), out_dir=tmp_path, by="employee")
    ws = load_workbook(tmp_path / f"{MONTH}_E01_张伟.xlsx").active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    item_rows = [r for r in rows if r[2] in ("售后产值", "客户满意度", "工时收入")]
    assert [r[0] for r in item_rows] == [1, 2, 3]
    assert [r[3] for r in item_rows] == [0.5, 0.3, 0.2]
    assert item_rows[0][4:6] == [100, 125]
    assert item_rows[1][4:6] == [0.9, 0.95]                # percent unit: stored as fractions
    assert item_rows[0][7] == pytest.approx(62.5)
    assert 121.5 in S.sheet_values(ws) and "A（杰出）" in S.sheet_values(ws)


def test_form_with_more_items_than_slots_folds_the_rest(tmp_path):
    res = S.small_results()
    extra = pd.DataFrame(S.items("E02", [(f"项目{i}", 10.0, 9.0, "次", 0.01) for i in range(4, 12)]),
                         columns=ITEM_COLUMNS)
    extra["seq"] = range(4, 12)
    res.items = pd.concat([res.items, extra], ignore_index=True)
    documents.appraisal_forms(res, out_dir=tmp_path, by="employee")
    values = S.sheet_values(load_workbook(tmp_path / f"{MONTH}_E02_=1+1.xlsx").active)
    assert "其他 4 项（见考核表）" in values and "项目7" in values and "项目8" not in values


def test_unknown_layout_is_refused(tmp_path):
    with pytest.raises(ValueError, match="by must be"):
        documents.appraisal_forms(S.small_results(), out_dir=tmp_path, by="store")
    assert list(tmp_path.iterdir()) == []
