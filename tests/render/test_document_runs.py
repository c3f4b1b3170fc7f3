"""The two document macros around the renderers: issue date, re-runs, the process pool, PDFs,
and the templates built from code (workbook/build_documents.py)."""
from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from addin import documents
from addin.io import outputs
from addin.io.pdf import NO_SOFFICE, PdfUnavailable
from addin.io.problems import BookError
from addin.render import forms, letters
from addin.render.style import DOC_SERIF
from udfs.policy import Policy

import docs_sample as S  # noqa: E402  (registered by conftest)
MONTH, ISSUE, ROOT = S.MONTH, S.ISSUE, S.ROOT


# --------------------------------------------------------------------------- issue date
def test_issue_date_argument_then_settings_then_today():
    book = SimpleNamespace(settings={"签发日期": "2026年10月8日"})
    assert documents.issue_date_of(book) == dt.date(2026, 10, 8)
    assert documents.issue_date_of(book, "2026-09-05") == dt.date(2026, 9, 5)        # the argument wins
    assert documents.issue_date_of(book, dt.date(2026, 9, 6)) == dt.date(2026, 9, 6)
    assert documents.issue_date_of(SimpleNamespace(settings={"签发日期": 46303})) == dt.date(2026, 10, 8)
    assert documents.issue_date_of(SimpleNamespace(settings={"签发日期": None})) == dt.date.today()
    assert documents.issue_date_of(None) == dt.date.today()
    with pytest.raises(ValueError, match="签发日期「后天」无法识别"):
        documents.issue_date_of(book, "后天")


def test_bad_issue_date_in_settings_names_sheet_row_and_key():
    rows = [["项目", "值", "说明"], ["门店名称", "测试店", None], ["签发日期", "明天", None]]
    book = SimpleNamespace(settings={"签发日期": "明天"}, rows=lambda sheet: rows if sheet == "设置" else [])
    with pytest.raises(BookError) as err:
        documents.issue_date_of(book)
    (p,) = err.value.problems
    assert (p.sheet, p.row) == ("设置", 3) and "签发日期「明天」无法识别" in p.message


# --------------------------------------------------------------------------- re-runs
def test_rerun_replaces_the_months_documents(tmp_path):
    res = S.small_results()
    documents.warning_letters(res, out_dir=tmp_path, issue_date=ISSUE)
    keep = tmp_path / "其他文件.docx"
    keep.write_text("x")
    other_month = tmp_path / "2026-07_E09_旧_绩效改进计划.docx"
    other_month.write_text("x")
    stale_pdf = tmp_path / f"{MONTH}_E03_李_娜_绩效改进计划.pdf"
    stale_pdf.write_text("x")
    res.actions = res.actions[res.actions["employee_id"] != "E03"]
    run = documents.warning_letters(res, out_dir=tmp_path, issue_date=ISSUE)
    now = sorted(p.name for p in tmp_path.iterdir())
    assert f"{MONTH}_E03_李_娜_绩效改进计划.docx" not in now and not stale_pdf.exists()
    assert keep.exists() and other_month.exists()
    assert len([p for p in run.paths if p.suffix == ".docx"]) == 3
    assert [r["工号"] for r in S.read_index(tmp_path)] == ["E04", "E04", "E05"]
    assert not [n for n in now if n.startswith(".")]       # no temp files left behind
    # forms: by employee, then by department replaces the per-employee files
    documents.appraisal_forms(res, out_dir=tmp_path / "f", by="employee")
    documents.appraisal_forms(res, out_dir=tmp_path / "f")
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == [
        f"{MONTH}_客服部_绩效评估表.xlsx", f"{MONTH}_服务顾问组_绩效评估表.xlsx",
        f"{MONTH}_机修车间_绩效评估表.xlsx", f"{MONTH}_索引.csv"]


def test_a_month_without_letters_still_writes_its_index(tmp_path):
    res = S.small_results()
    res.actions = res.actions.iloc[0:0]
    run = documents.warning_letters(res, out_dir=tmp_path, issue_date=ISSUE)
    assert run.paths == [tmp_path / f"{MONTH}_索引.csv"] and S.read_index(tmp_path) == []
    assert run.summary.splitlines()[0] == "已生成 0 份文件：本月无需发出警告信或改进计划"


# --------------------------------------------------------------------------- the process pool
def test_parallel_batch_matches_serial(tmp_path, monkeypatch):
    res = S.small_results()
    a = documents.warning_letters(res, out_dir=tmp_path / "a", issue_date=ISSUE, workers=1)
    fa = documents.appraisal_forms(res, out_dir=tmp_path / "fa", by="employee", workers=1)
    monkeypatch.setattr(outputs, "PARALLEL_MIN", 1)
    b = documents.warning_letters(res, out_dir=tmp_path / "b", issue_date=ISSUE, workers=2)
    fb = documents.appraisal_forms(res, out_dir=tmp_path / "fb", by="employee", workers=2)
    assert [p.name for p in a.paths] == [p.name for p in b.paths]
    for pa, pb in zip(a.paths, b.paths):
        if pa.suffix == ".docx":
            assert S.docx_text(pa) == S.docx_text(pb)
    assert [p.name for p in fa.paths] == [p.name for p in fb.paths]
    def stable(path):       # the footer carries the minute the form was made: a run may cross one
        return [v for v in S.sheet_values(load_workbook(path).active) if not str(v).startswith("kpi4s 生成")]
    for pa, pb in zip(fa.paths, fb.paths):
        if pa.suffix == ".xlsx":
            assert stable(pa) == stable(pb)
    assert (tmp_path / "a" / f"{MONTH}_索引.csv").read_bytes() == (tmp_path / "b" / f"{MONTH}_索引.csv").read_bytes()


# --------------------------------------------------------------------------- PDF
def test_pdf_without_libreoffice_keeps_the_documents_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("KPI4S_SOFFICE", str(tmp_path / "no-soffice"))
    res = S.small_results()
    with pytest.raises(PdfUnavailable) as err:
        documents.warning_letters(res, out_dir=tmp_path / "out", issue_date=ISSUE, pdf=True)
    assert str(err.value) == NO_SOFFICE and "未找到 LibreOffice" in str(err.value)
    assert isinstance(err.value, RuntimeError)                  # the command line's exit code 3
    run = err.value.run
    assert len([p for p in run.paths if p.suffix == ".docx"]) == 4 and run.index.exists()
    assert "PDF" not in run.summary
    assert list((tmp_path / "out").glob("*.docx")) and not list((tmp_path / "out").glob("*.pdf"))


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_pdf_with_libreoffice(tmp_path, monkeypatch):
    monkeypatch.delenv("KPI4S_SOFFICE", raising=False)
    res = S.small_results()
    res.actions = res.actions[res.actions["employee_id"] == "E04"]
    res.people = res.people[res.people["employee_id"].isin(["E04"])]
    run = documents.warning_letters(res, out_dir=tmp_path, issue_date=ISSUE, pdf=True)
    pdfs = [p for p in run.paths if p.suffix == ".pdf"]
    assert sorted(p.stem for p in pdfs) == sorted(p.stem for p in run.paths if p.suffix == ".docx")
    assert all(p.read_bytes()[:4] == b"%PDF" for p in pdfs)
    assert run.summary.splitlines()[0].endswith("，PDF 2 个")
    forms_run = documents.appraisal_forms(res, out_dir=tmp_path / "f", pdf=True)
    assert [p.name for p in forms_run.paths if p.suffix == ".pdf"] == [f"{MONTH}_客服部_绩效评估表.pdf"]


# --------------------------------------------------------------------------- templates
def test_templates_are_built_from_code_and_cover_the_contexts(tmp_path):
    from docxtpl import DocxTemplate
    from workbook import build_documents as build
    built = build.build_all(tmp_path)
    for path in built:
        committed = ROOT / "workbook" / path.name
        assert committed.exists(), f"{path.name} not built into workbook/"
        with zipfile.ZipFile(path) as new, zipfile.ZipFile(committed) as old:
            # core.xml: timestamps; app.xml: the writing library's name/version (openpyxl 3.1.x
            # writes a different <Application>/<AppVersion> in every release)
            skip = {"docProps/core.xml", "docProps/app.xml"}
            parts = [n for n in new.namelist() if n not in skip]
            assert parts == [n for n in old.namelist() if n not in skip]
            for part in parts:
                assert new.read(part) == old.read(part), \
                    f"workbook/{path.name} ({part}) is stale: run python -m workbook.build_documents"
            if path.suffix == ".docx":
                assert f'w:eastAsia="{DOC_SERIF}"' in new.read("word/styles.xml").decode()
        if path.suffix == ".docx":
            assert path.stat().st_size < 20_000               # small template: fast docxtpl
    ctx = {c["action"]: c for c in letters.letter_contexts(S.small_results(), ISSUE)}
    assert set(ctx) == set(letters.LETTER_ACTIONS)
    for code, letter in letters.LETTERS.items():
        wanted = DocxTemplate(str(ROOT / "workbook" / letter.template)).get_undeclared_template_variables()
        assert wanted <= set(ctx[code]), (code, wanted - set(ctx[code]))
    form = forms.FormTemplate(ROOT / "workbook" / forms.FORM_TEMPLATE)
    assert len(form.item_rows) == Policy().items_max and form.adj_rows
    tokens = {t for *_, toks, _s, _e in form.cells for t in toks if "." not in t}
    assert tokens <= set(forms.form_contexts(S.small_results())[0])
