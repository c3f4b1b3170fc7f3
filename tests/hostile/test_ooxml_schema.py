"""Every .xlsx/.docx kpi4s writes, validated against ECMA-376 (transitional) with openxml-audit —
the Open XML SDK's schema and semantic validation in pure Python — with zero errors.

Known gaps (findings that are not violations of the standard, listed in KNOWN):
* "inline-string cells but no sharedStrings part": an Excel app-compat *warning*. Inline
  strings are valid SpreadsheetML (ECMA-376 Part 1, §18.3.1.53 is); Excel converts them to
  shared strings the next time the user saves. The transplant writes inline strings on
  purpose: the user's sharedStrings part (and so every input sheet) is never touched.

(Two findings were real and are fixed: fonts' children in the SDK's sequence — ECMA's
CT_Font is a choice, the SDK's a sequence — and the letters' missing font table and theme.)

Run with `pip install -e .[test,audit]`; without openxml-audit the module is skipped.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import corpus
import pytest
from helpers import hand_book, kpi4s

oa = pytest.importorskip("openxml_audit")

ROOT = Path(__file__).resolve().parents[2]
KNOWN = [re.compile(r"has \d+ inline-string cell\(s\) \(`<c t=\"inlineStr\">`\) but the package has no populated "
                    r"`xl/sharedStrings\.xml`")]


def findings(path) -> tuple[list, list]:
    """(errors and unknown warnings, known-gap warnings) of one file."""
    result = oa.OpenXmlValidator(max_errors=0).validate(str(path))
    known = [e for e in result.errors if e.severity == oa.ValidationSeverity.WARNING
             and any(k.search(e.description) for k in KNOWN)]
    other = [f"{e.severity.value} {e.part_uri} {e.path}: {e.description}" for e in result.errors if e not in known]
    return other, known


def assert_valid(paths) -> int:
    paths = list(paths)
    assert paths
    bad = {str(p): f for p in paths for f, _ in [findings(p)] if f}
    assert bad == {}, bad
    return len(paths)


def test_the_templates_in_workbook(tmp_path):
    files = [p for p in (ROOT / "workbook").iterdir() if p.suffix in (".xlsx", ".xlsm", ".docx")]
    assert assert_valid(files) == 7                                # 2 stores, targets, a form, 3 letters


def test_a_month_end_of_the_demo_store(demo_run, tmp_path):
    src, _ = demo_run
    folder = tmp_path / "demo"
    shutil.copytree(src.parent, folder)
    book = folder / src.name
    assert kpi4s("report", book).returncode == 0                # a re-run over a reported book
    assert kpi4s("decompose", book, "--year", "2026", "--date", "2026-09-30").returncode == 0
    assert kpi4s("forms", book, "--by", "employee").returncode == 0
    written = [book] + sorted(folder.rglob("*.docx")) + sorted(folder.rglob("*.xlsx"))
    assert assert_valid(dict.fromkeys(written)) > 60


def test_reports_over_hostile_input(tmp_path):
    """Odd-but-valid input (formula-like names, control characters, long text, December on cn)."""
    books = []
    for name, build, _ in corpus.ODD_BUT_VALID:
        folder = tmp_path / name
        folder.mkdir()
        book = build(folder)
        assert kpi4s("report", book).returncode == 0, name
        books.append(book)
    assert assert_valid(books) == len(corpus.ODD_BUT_VALID)


def test_a_replaced_sheet_that_had_a_chart_and_comments(tmp_path):
    """月度报告 replaced twice (its two charts removed and added again); 历史 with comments."""
    book = hand_book(tmp_path / "store.xlsx")
    for _ in range(2):
        assert kpi4s("report", book).returncode == 0
    _, known = findings(book)
    assert known                                                  # (the gap is what we think it is)
    assert assert_valid([book]) == 1
