"""评估表 / 警告信 / 改进计划: written to real files and read back (openpyxl, python-docx, csv).

Two sources: a small MonthResults built here from plain DataFrames with the documented columns
(every case chosen by hand: an exempt person, a name that looks like a formula, a name with a
path separator, an E track, a D track, a fourth D), and the real chain
`kpi4s demo` → `kpi4s forms` / `kpi4s letters` on the sample store.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from addin import documents as docs
from addin.results import (ACTION_COLUMNS, ADJUSTMENT_COLUMNS, HISTORY_COLUMNS, ITEM_COLUMNS,
                           PEOPLE_COLUMNS, SCORER_COLUMNS, MonthResults)
from udfs.policy import ACTION_LABELS, GRADE_LABELS, Policy

ROOT = Path(__file__).resolve().parent.parent
MONTH = "2026-08"
ISSUE = dt.date(2026, 9, 5)


# --------------------------------------------------------------------------- fixtures
def _person(eid, name, dept, grade, total, **kw):
    row = dict.fromkeys(PEOPLE_COLUMNS, "")
    row.update(employee_id=eid, name=name, department=dept, position=kw.pop("position", "服务顾问"),
               category="profit", manager="王经理", next_manager="李总监", salary=6000.0, status="正式",
               hire_date=pd.Timestamp("2022-01-01"), eligible=grade != "", exempt_reason="" if grade else "试用期",
               items=3, items_score=total, adjustment=0.0, veto=False, total=total if grade else float("nan"),
               band_grade=grade, grade=grade, grade_label=GRADE_LABELS.get(grade, ""), group="全店",
               commission=float("nan"), base=1800.0, pay=0.0, a_run=0, d_run=0, e_run=0)
    row.update(kw)
    return row


def _items(eid, rows):
    out = []
    for seq, (item, target, actual, unit, weight) in enumerate(rows, 1):
        ratio = actual / target
        out.append(dict(employee_id=eid, seq=seq, section="关键考核指标", item=item, kpi_id="", kind="kpi",
                        weight=weight, target=target, actual=actual, unit=unit, direction="higher",
                        rating_self=float("nan"), rating_manager=float("nan"), rating_peer=float("nan"),
                        rating=float("nan"), ratio=ratio, score=100 * weight * min(ratio, 1.3),
                        shortfall=1 - ratio))
    return out


def small_results(policy: Policy | None = None) -> MonthResults:
    people = pd.DataFrame([
        _person("E01", "张伟", "服务顾问组", "A", 121.5),
        _person("E02", "=1+1", "服务顾问组", "C", 95.0),                       # looks like a formula
        _person("E03", "李/娜\x07", "机修车间", "D", 82.0, actions="improvement_plan", action="improvement_plan"),
        _person("E04", "王芳", "客服部", "E", 61.0, position="客服专员",
                actions="improvement_plan; manager_warning", action="manager_warning"),
        _person("E05", "赵强", "机修车间", "D", 80.0, position="机修技师", action="hr_warning", actions="hr_warning"),
        _person("E06", "刘新", "客服部", "", 0.0),                              # exempt: probation
    ], columns=PEOPLE_COLUMNS)
    items = pd.DataFrame(
        _items("E01", [("售后产值", 100.0, 125.0, "万元", 0.5), ("客户满意度", 0.9, 0.95, "%", 0.3),
                       ("工时收入", 800.0, 900.0, "元", 0.2)])
        + _items("E02", [("售后产值", 100.0, 95.0, "万元", 0.4), ("客户满意度", 0.9, 0.86, "%", 0.3),
                         ("工时收入", 800.0, 780.0, "元", 0.3)])
        + _items("E03", [("一次修复率", 0.95, 0.80, "%", 0.4), ("返修工时", 100.0, 85.0, "小时", 0.3),
                         ("培训考核", 90.0, 70.0, "分", 0.3)])
        + _items("E04", [("回访完成率", 1.0, 0.50, "%", 0.4), ("投诉处理及时率", 0.95, 0.70, "%", 0.3),
                         ("客户满意度", 0.90, 0.70, "%", 0.2), ("档案完整率", 1.0, 0.98, "%", 0.1)])
        + _items("E05", [("工时收入", 800.0, 600.0, "元", 0.5), ("一次修复率", 0.95, 0.90, "%", 0.3),
                         ("培训考核", 90.0, 95.0, "分", 0.2)]),
        columns=ITEM_COLUMNS)
    adjustments = pd.DataFrame([dict(employee_id="E04", points=-3.0, reason="工服不规范被通报", veto=False)],
                               columns=ADJUSTMENT_COLUMNS)
    history = pd.DataFrame([
        dict(month="2026-05", employee_id="E05", name="赵强", department="机修车间", total=85.0, grade="D", pay=0),
        dict(month="2026-06", employee_id="E05", name="赵强", department="机修车间", total=84.0, grade="D", pay=0),
        dict(month="2026-07", employee_id="E05", name="赵强", department="机修车间", total=86.0, grade="D", pay=0),
        dict(month="2026-08", employee_id="E05", name="赵强", department="机修车间", total=80.0, grade="D", pay=0),
        dict(month="2026-07", employee_id="E03", name="李/娜", department="机修车间", total=88.0, grade="D", pay=0),
        dict(month="2026-08", employee_id="E03", name="李/娜", department="机修车间", total=82.0, grade="D", pay=0),
        dict(month="2026-07", employee_id="E04", name="王芳", department="客服部", total=65.0, grade="E", pay=0),
        dict(month="2026-08", employee_id="E04", name="王芳", department="客服部", total=61.0, grade="E", pay=0),
    ], columns=HISTORY_COLUMNS)

    def act(eid, name, dept, code, run, months):
        return dict(employee_id=eid, name=name, department=dept, manager="王经理", action=code,
                    label=ACTION_LABELS[code], run=run, months=months)
    actions = pd.DataFrame([
        act("E01", "张伟", "服务顾问组", "award", 3, "2026-06 A; 2026-07 A; 2026-08 A"),
        act("E03", "李/娜\x07", "机修车间", "improvement_plan", 2, "2026-07 D; 2026-08 D"),
        act("E04", "王芳", "客服部", "improvement_plan", 2, "2026-07 E; 2026-08 E"),
        act("E04", "王芳", "客服部", "manager_warning", 2, "2026-07 E; 2026-08 E"),
        act("E05", "赵强", "机修车间", "hr_warning", 4, "2026-05 D; 2026-06 D; 2026-07 D; 2026-08 D"),
    ], columns=ACTION_COLUMNS)
    return MonthResults(store="测试4S店", month=MONTH, policy=policy or Policy(), people=people, items=items,
                        adjustments=adjustments, history=history, actions=actions,
                        scorers=pd.DataFrame(columns=SCORER_COLUMNS))


def docx_text(path) -> str:
    d = Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text.replace("\n", " ") for c in row.cells))
    return "\n".join(parts)


def sheet_values(ws) -> list:
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


def read_index(folder: Path, month=MONTH) -> list[dict]:
    with open(folder / f"{month}_索引.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- forms
def test_forms_by_department_one_sheet_per_graded_employee(tmp_path):
    files = docs.appraisal_forms(small_results(), out_dir=tmp_path)
    books = sorted(p.name for p in files if p.suffix == ".xlsx")
    assert books == [f"{MONTH}_客服部_绩效评估表.xlsx", f"{MONTH}_服务顾问组_绩效评估表.xlsx",
                     f"{MONTH}_机修车间_绩效评估表.xlsx"]
    wb = load_workbook(tmp_path / f"{MONTH}_客服部_绩效评估表.xlsx")
    assert wb.sheetnames == ["E04 王芳"]                   # E06 is exempt: no form
    ws = wb["E04 王芳"]
    values = sheet_values(ws)
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
    index = read_index(tmp_path)
    assert sorted(r["工号"] for r in index) == ["E01", "E02", "E03", "E04", "E05"]
    assert {r["工号"]: r["文件"] for r in index}["E05"] == f"{MONTH}_机修车间_绩效评估表.xlsx"
    assert {r["工号"]: r["等级"] for r in index} == {"E01": "A", "E02": "C", "E03": "D", "E04": "E", "E05": "D"}


def test_forms_by_employee_safe_names_and_text_never_a_formula(tmp_path):
    files = docs.appraisal_forms(small_results(), out_dir=tmp_path, by="employee")
    names = sorted(p.name for p in files if p.suffix == ".xlsx")
    assert names == [f"{MONTH}_E01_张伟.xlsx", f"{MONTH}_E02_=1+1.xlsx", f"{MONTH}_E03_李_娜.xlsx",
                     f"{MONTH}_E04_王芳.xlsx", f"{MONTH}_E05_赵强.xlsx"]
    assert all(p.parent == tmp_path for p in files)
    path = tmp_path / f"{MONTH}_E02_=1+1.xlsx"
    ws = load_workbook(path).active
    hits = [c for row in ws.iter_rows() for c in row if c.value == "=1+1"]
    assert hits and all(c.data_type == "s" for c in hits)
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    # control character dropped from the text, '/' from the file name
    ws3 = load_workbook(tmp_path / f"{MONTH}_E03_李_娜.xlsx").active
    assert "李/娜" in sheet_values(ws3)


def test_form_scores_and_items_read_back(tmp_path):
    docs.appraisal_forms(small_results(), out_dir=tmp_path, by="employee")
    ws = load_workbook(tmp_path / f"{MONTH}_E01_张伟.xlsx").active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    item_rows = [r for r in rows if r[2] in ("售后产值", "客户满意度", "工时收入")]
    assert [r[0] for r in item_rows] == [1, 2, 3]
    assert [r[3] for r in item_rows] == [0.5, 0.3, 0.2]
    assert item_rows[0][4:6] == [100, 125]
    assert item_rows[1][4:6] == [0.9, 0.95]                # percent unit: stored as fractions
    assert item_rows[0][7] == pytest.approx(62.5)
    assert 121.5 in sheet_values(ws) and "A（杰出）" in sheet_values(ws)


def test_form_with_more_items_than_slots_folds_the_rest(tmp_path):
    res = small_results()
    extra = pd.DataFrame(_items("E02", [(f"项目{i}", 10.0, 9.0, "次", 0.01) for i in range(4, 12)]),
                         columns=ITEM_COLUMNS)
    extra["seq"] = range(4, 12)
    res.items = pd.concat([res.items, extra], ignore_index=True)
    docs.appraisal_forms(res, out_dir=tmp_path, by="employee")
    values = sheet_values(load_workbook(tmp_path / f"{MONTH}_E02_=1+1.xlsx").active)
    assert "其他 4 项（见考核表）" in values and "项目7" in values and "项目8" not in values


# --------------------------------------------------------------------------- letters
def test_letters_exactly_for_the_actions_that_call_for_them(tmp_path):
    files = docs.warning_letters(small_results(), out_dir=tmp_path, issue_date=ISSUE)
    names = sorted(p.name for p in files if p.suffix == ".docx")
    assert names == [f"{MONTH}_E03_李_娜_绩效改进计划.docx", f"{MONTH}_E04_王芳_严重警告-直线经理.docx",
                     f"{MONTH}_E04_王芳_绩效改进计划.docx", f"{MONTH}_E05_赵强_严重警告-人力资源部.docx"]
    index = read_index(tmp_path)
    assert [(r["工号"], r["措施代码"]) for r in index] == [
        ("E03", "improvement_plan"), ("E04", "improvement_plan"), ("E04", "manager_warning"), ("E05", "hr_warning")]
    assert {r["改正期限"] for r in index if r["措施代码"] != "improvement_plan"} == {"2026-10-05"}


def test_manager_warning_letter_text(tmp_path):
    docs.warning_letters(small_results(), out_dir=tmp_path, issue_date=ISSUE)
    text = docx_text(tmp_path / f"{MONTH}_E04_王芳_严重警告-直线经理.docx")
    assert "严 重 警 告" in text and "王芳" in text and "（员工姓名）" in text
    assert "这是继口头警告后正式的书面警告" in text and "此函是公司正式下达" not in text
    assert "2026年7月 E级（不胜任，65.0分）" in text and "2026年8月 E级（不胜任，61.0分）" in text
    # the three items furthest below target, worst first
    lines = [ln for ln in text.splitlines() if ln[:2] in ("2.", "3.", "4.")]
    assert ["回访完成率" in lines[0], "投诉处理及时率" in lines[1], "客户满意度" in lines[2]] == [True] * 3
    assert "档案完整率" not in text
    assert "实际 50%" in lines[0] and "完成率 50.0%" in lines[0]
    assert "在2026年10月5日之前" in text and "一个月内" in text
    assert "签发日期：2026年9月5日" in text
    assert "部门总监（或更上层经理）签名" in text and "人力资源部" in text
    assert "我在此确认已阅读并理解以上内容。" in text and "员工签字" in text


def test_hr_warning_letter_text_and_policy_deadline(tmp_path):
    res = small_results(Policy(correction_months=2))
    docs.warning_letters(res, out_dir=tmp_path, issue_date="2026-01-31")
    text = docx_text(tmp_path / f"{MONTH}_E05_赵强_严重警告-人力资源部.docx")
    assert "此函是公司正式下达的书面警告" in text and "继口头警告" not in text
    assert "四个月连续绩效评估等级为D级" in text
    for m, s in (("5", "85.0"), ("6", "84.0"), ("7", "86.0"), ("8", "80.0")):
        assert f"2026年{m}月 D级（待改进，{s}分）" in text
    assert "「工时收入」目标 800元，实际 600元" in text and "「一次修复率」" in text
    assert "培训考核" not in text                           # above target: not a reason
    assert "两个月内" in text and "2026年3月31日之前" in text   # 31 Jan + 2 months, clamped


def test_improvement_plan_text(tmp_path):
    docs.warning_letters(small_results(), out_dir=tmp_path, issue_date=ISSUE)
    text = docx_text(tmp_path / f"{MONTH}_E03_李_娜_绩效改进计划.docx")
    assert "绩 效 改 进 计 划" in text and "李/娜" in text and "\x07" not in text
    assert "2026年7月 D级（待改进，88.0分）" in text
    assert "2026年9月5日 至 2026年11月5日" in text and "制定日期 | 2026年9月5日" in text
    assert "第一次回顾 | 2026年10月5日" in text and "第二次回顾 | 2026年11月5日" in text
    rows = [ln for ln in text.splitlines() if ln.startswith(("1 |", "2 |", "3 |"))]
    assert ["培训考核" in rows[0], "一次修复率" in rows[1], "返修工时" in rows[2]] == [True] * 3
    # goals: halfway in the first month, the target in the second
    assert "第1月 ≥ 80分" in rows[0] and "第2月 ≥ 90分" in rows[0]
    assert "第1月 ≥ 87.5%" in rows[1] and "第2月 ≥ 95%" in rows[1]
    assert "C级（良好，≥90分）" in text
    for who in ("员工", "直接经理", "隔级经理", "人力资源部"):
        assert who in text


def test_rerun_replaces_the_months_documents(tmp_path):
    res = small_results()
    docs.warning_letters(res, out_dir=tmp_path, issue_date=ISSUE)
    keep = tmp_path / "其他文件.docx"
    keep.write_text("x")
    other_month = tmp_path / "2026-07_E09_旧_绩效改进计划.docx"
    other_month.write_text("x")
    res.actions = res.actions[res.actions["employee_id"] != "E03"]
    files = docs.warning_letters(res, out_dir=tmp_path, issue_date=ISSUE)
    now = sorted(p.name for p in tmp_path.iterdir())
    assert f"{MONTH}_E03_李_娜_绩效改进计划.docx" not in now
    assert keep.exists() and other_month.exists()
    assert len([p for p in files if p.suffix == ".docx"]) == 3
    assert not [n for n in now if n.startswith(".")]       # no temp files left behind
    # forms: --by employee, then --by department replaces the per-employee files
    docs.appraisal_forms(res, out_dir=tmp_path / "f", by="employee")
    docs.appraisal_forms(res, out_dir=tmp_path / "f")
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == [
        f"{MONTH}_客服部_绩效评估表.xlsx", f"{MONTH}_服务顾问组_绩效评估表.xlsx",
        f"{MONTH}_机修车间_绩效评估表.xlsx", f"{MONTH}_索引.csv"]


def test_parallel_batch_matches_serial(tmp_path):
    res = small_results()
    a = docs.warning_letters(res, out_dir=tmp_path / "a", issue_date=ISSUE, workers=1)
    old = docs.PARALLEL_MIN
    docs.PARALLEL_MIN = 1
    try:
        b = docs.warning_letters(res, out_dir=tmp_path / "b", issue_date=ISSUE, workers=2)
    finally:
        docs.PARALLEL_MIN = old
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b):
        if pa.suffix == ".docx":
            assert docx_text(pa) == docx_text(pb)


def test_safe_name():
    assert docs.safe_name("../../etc/passwd") == "etc_passwd"
    assert docs.safe_name("a\\b:c*d?\"e<f>g|h\x01i\ttab") == "a_b_c_d_e_f_g_hi_tab"
    assert docs.safe_name("  ..  ") == "未命名"
    assert docs.safe_name("王芳") == "王芳"


# --------------------------------------------------------------------------- templates
def test_templates_are_built_from_code_and_cover_the_contexts(tmp_path):
    from docxtpl import DocxTemplate
    from workbook import build_documents as build
    built = build.build_all(tmp_path)
    for path in built:
        committed = ROOT / "workbook" / path.name
        assert committed.exists(), f"{path.name} not built into workbook/"
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as new, zipfile.ZipFile(committed) as old:
                assert new.read("word/document.xml") == old.read("word/document.xml"), \
                    f"workbook/{path.name} is stale: run python -m workbook.build_documents"
                assert 'w:eastAsia="宋体"' in new.read("word/styles.xml").decode()
            assert path.stat().st_size < 20_000               # small template: fast docxtpl
    ctx = {c["action"]: c for c in docs.letter_contexts(small_results(), ISSUE)}
    for code, name in docs.LETTER_TEMPLATES.items():
        wanted = DocxTemplate(str(ROOT / "workbook" / name)).get_undeclared_template_variables()
        assert wanted <= set(ctx[code]), (code, wanted - set(ctx[code]))
    form = docs.FormTemplate(ROOT / "workbook" / docs.FORM_TEMPLATE)
    assert len(form.item_rows) == Policy().items_max and form.adj_rows
    tokens = {t for *_, toks, _s, _e in form.cells for t in toks if "." not in t}
    assert tokens <= set(docs.form_contexts(small_results())[0])


# --------------------------------------------------------------------------- the real chain
def kpi4s(*args, env=None):
    # the module from this checkout (an installed console script may point at another copy)
    cmd = [sys.executable, "-m", "addin.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=600, cwd=ROOT,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})})


@pytest.fixture(scope="module")
def demo_book(demo_run):
    """The sample store written by `kpi4s demo` (once per session, conftest.demo_run)."""
    return demo_run[0]


@pytest.fixture(scope="module")
def demo_results(demo_book):
    from addin.book import load_book
    from addin.report import compute_month
    return compute_month(load_book(demo_book))


def test_cli_forms_for_every_graded_employee_of_the_demo(demo_book, demo_results, tmp_path):
    res = demo_results
    graded = res.people[res.people["grade"] != ""]
    out = kpi4s("forms", str(demo_book), "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert f"已为 {len(graded)} 名员工生成绩效评估表" in out.stdout
    sheets = {}
    for book in tmp_path.glob("*.xlsx"):
        wb = load_workbook(book)
        for ws in wb.worksheets:
            sheets[ws.title.split(" ")[0]] = ws
    assert set(sheets) == set(graded["employee_id"])
    exempt = res.people[res.people["grade"] == ""]["employee_id"]
    assert len(exempt) and not set(exempt) & set(sheets)
    for p in graded.head(8).to_dict("records"):
        values = sheet_values(sheets[p["employee_id"]])
        assert p["name"] in values
        assert any(isinstance(v, (int, float)) and abs(v - p["total"]) < 1e-9 for v in values)
        assert f"{p['grade']}（{p['grade_label']}）" in values


def test_cli_letters_for_the_demo_actions(demo_book, demo_results, tmp_path):
    res = demo_results
    want = res.actions[res.actions["action"].isin(docs.LETTER_ACTIONS)]
    assert set(want["action"]) == set(docs.LETTER_ACTIONS)     # the demo shows every kind
    out = kpi4s("letters", str(demo_book), "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    index = read_index(tmp_path, res.month)
    assert sorted((r["工号"], r["措施代码"]) for r in index) == sorted(
        zip(want["employee_id"], want["action"]))
    for r in index:
        text = docx_text(tmp_path / r["文件"])
        assert r["姓名"] in text
        for chunk in r["触发月份及等级"].split(";"):
            m, g = chunk.split()
            assert f"{int(m[:4])}年{int(m[5:])}月 {g}级" in text
        if r["措施代码"] != "improvement_plan":
            deadline = dt.date.fromisoformat(r["改正期限"])
            issue = dt.date.fromisoformat(r["签发日期"])
            assert deadline == docs.add_months(issue, res.policy.correction_months)
            assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in text


def test_cli_default_out_dir_next_to_the_book(demo_book, tmp_path):
    book = tmp_path / demo_book.name
    shutil.copy(demo_book, book)
    out = kpi4s("letters", str(book))
    assert out.returncode == 0, out.stderr
    from addin.book import load_book
    month = load_book(book).month
    folder = tmp_path / "kpi4s-输出" / month / "警告信"
    assert list(folder.glob("*.docx")) and (folder / f"{month}_索引.csv").exists()


def test_cli_pdf_without_libreoffice_says_so(demo_book, tmp_path):
    out = kpi4s("letters", str(demo_book), "--out", str(tmp_path), "--pdf",
                env={"KPI4S_SOFFICE": str(tmp_path / "no-soffice")})
    assert out.returncode == 3
    assert "未找到 LibreOffice" in out.stderr
    assert list(tmp_path.glob("*.docx")) and not list(tmp_path.glob("*.pdf"))


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_pdf_with_libreoffice(tmp_path):
    res = small_results()
    res.actions = res.actions[res.actions["employee_id"] == "E04"]
    files = docs.warning_letters(res, out_dir=tmp_path, issue_date=ISSUE, pdf=True)
    pdfs = [p for p in files if p.suffix == ".pdf"]
    assert sorted(p.stem for p in pdfs) == sorted(p.stem for p in files if p.suffix == ".docx")
    assert all(p.read_bytes()[:4] == b"%PDF" for p in pdfs)


def test_issue_date_from_settings():
    from types import SimpleNamespace
    from addin.errors import BookError
    assert docs.issue_date_of(SimpleNamespace(settings={"签发日期": "2026年10月8日"})) == dt.date(2026, 10, 8)
    assert docs.issue_date_of(SimpleNamespace(settings={"issue_date": 46303})) == dt.date(2026, 10, 8)
    assert docs.issue_date_of(SimpleNamespace(settings={})) == dt.date.today()
    with pytest.raises(BookError, match="签发日期「明天」无法识别"):
        docs.issue_date_of(SimpleNamespace(settings={"签发日期": "明天"}))
    assert docs.add_months(dt.date(2026, 12, 31), 2) == dt.date(2027, 2, 28)
