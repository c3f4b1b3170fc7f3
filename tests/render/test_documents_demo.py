"""The real chain on the sample store: `kpi4s demo` → `kpi4s forms` / `kpi4s letters` (SPEC §3.10, §5).

Uses the session's demo book (tests/conftest.py ``demo_run``); every test works on copies or
its own output folder.
"""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from helpers import kpi4s            # the real command line (tests/helpers.py)
from openpyxl import load_workbook

from addin import documents
from addin.demo import ISSUE_DATE
from addin.io.book import load_book
from addin.month import compute_month
from addin.render.doctext import add_months
from addin.render.letters import LETTER_ACTIONS
from udfs.vocab import GRADE

import docs_sample as S  # noqa: E402  (registered by conftest)


@pytest.fixture(scope="module")
def demo_book(demo_run):
    return demo_run[0]


@pytest.fixture(scope="module")
def demo_results(demo_book):
    return compute_month(load_book(demo_book))


def test_demo_writes_forms_and_letters_next_to_the_book(demo_book, demo_results):
    month = demo_results.month
    for kind in ("评估表", "警告信"):
        folder = demo_book.parent / kind
        assert (folder / f"{month}_索引.csv").exists(), kind
    assert list((demo_book.parent / "评估表").glob("*.xlsx")) and list((demo_book.parent / "警告信").glob("*.docx"))


def test_cli_forms_for_every_graded_employee_of_the_demo(demo_book, demo_results, tmp_path):
    res = demo_results
    graded = res.people[res.people["grade"] != ""]
    out = kpi4s("forms", str(demo_book), "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert f"已为 {len(graded)} 名员工生成绩效评估表" in out.stdout
    assert f"清单：{res.month}_索引.csv" in out.stdout
    sheets = {}
    for book in tmp_path.glob("*.xlsx"):
        for ws in load_workbook(book).worksheets:
            sheets[ws.title.split(" ")[0]] = ws
    assert set(sheets) == set(graded["employee_id"])
    exempt = res.people[res.people["grade"] == ""]["employee_id"]
    assert len(exempt) and not set(exempt) & set(sheets)
    for p in graded.head(8).to_dict("records"):
        values = S.sheet_values(sheets[p["employee_id"]])
        assert p["name"] in values
        assert any(isinstance(v, (int, float)) and abs(v - p["total"]) < 1e-9 for v in values)
        assert f"{p['grade']}（{GRADE.label(p['grade'])}）" in values


def test_cli_letters_for_the_demo_actions(demo_book, demo_results, tmp_path):
    res = demo_results
    want = res.actions[res.actions["action"].isin(LETTER_ACTIONS)]
    assert set(want["action"]) == set(LETTER_ACTIONS)     # the demo shows every kind
    out = kpi4s("letters", str(demo_book), "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert f"已生成 {len(want)} 份文件" in out.stdout
    index = S.read_index(tmp_path, res.month)
    assert sorted((r["工号"], r["措施代码"]) for r in index) == sorted(zip(want["employee_id"], want["action"]))
    months = {(e, a): m for e, a, m in zip(want["employee_id"], want["action"], want["months"])}
    for r in index:
        text = S.docx_text(tmp_path / r["文件"])
        assert r["姓名"] in text
        for m, g in months[(r["工号"], r["措施代码"])]:
            assert f"{int(m[:4])}年{int(m[5:])}月 {g}级" in text
        if r["措施代码"] != "improvement_plan":
            deadline = dt.date.fromisoformat(r["改正期限"])
            assert deadline == add_months(dt.date.fromisoformat(r["签发日期"]), res.policy.correction_months)
            assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in text


def test_demo_issue_date_comes_from_its_settings(demo_book, tmp_path):
    run = documents.warning_letters(demo_book, out_dir=tmp_path)
    assert documents.issue_date_of(load_book(demo_book)) == dt.date.fromisoformat(ISSUE_DATE)
    assert {r["签发日期"] for r in S.read_index(tmp_path, run.results.month)} == {ISSUE_DATE}


def test_cli_default_out_dir_next_to_the_book(demo_book, tmp_path):
    book = tmp_path / demo_book.name
    shutil.copy(demo_book, book)
    out = kpi4s("letters", str(book))
    assert out.returncode == 0, out.stderr
    month = load_book(book).month
    folder = tmp_path / "kpi4s-输出" / month / "警告信"
    assert list(folder.glob("*.docx")) and (folder / f"{month}_索引.csv").exists()
    assert f"输出文件夹：{folder}" in out.stdout


def test_cli_pdf_without_libreoffice_says_so(demo_book, tmp_path):
    out = kpi4s("letters", str(demo_book), "--out", str(tmp_path), "--pdf",
                env={"KPI4S_SOFFICE": str(tmp_path / "no-soffice")})
    assert out.returncode == 3
    assert "未找到 LibreOffice" in out.stderr and "Traceback" not in out.stderr
    assert list(tmp_path.glob("*.docx")) and not list(tmp_path.glob("*.pdf"))


def test_macro_takes_a_storebook_and_a_month(demo_book, demo_results, tmp_path):
    book = load_book(demo_book)
    run = documents.appraisal_forms(book, month=demo_results.month, out_dir=tmp_path, by="employee")
    graded = demo_results.people[demo_results.people["grade"] != ""]
    assert len([p for p in run.paths if p.suffix == ".xlsx"]) == len(graded)
    with open(run.index, encoding="utf-8-sig", newline="") as fh:
        assert [r["工号"] for r in csv.DictReader(fh)] == list(graded["employee_id"])
