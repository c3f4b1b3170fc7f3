"""Bad workbooks, bad files and odd-but-valid inputs through the real command (tests/hostile/
corpus.py): one clear Chinese message naming the sheet, row and column (or the cell to
delete), never a traceback or a crash, and the book unchanged — or, for odd input that is
valid, a report whose every part is well-formed XML and whose text stays text."""
from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import zipfile

import bad_files
import corpus
import openpyxl
import pytest
from helpers import MONTH, people_table, values
from lxml import etree
from python_calamine import CalamineWorkbook
from runner import run_cli

from addin.io import schema as S


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def command(book, cmd):
    """(subcommand, args): the case's command (report by default) on ``book``."""
    if cmd and not cmd[0].startswith("--"):
        return [cmd[0], book, *cmd[1:]]
    return ["report", book, *cmd]


def assert_well_formed(path):
    """Every XML part of an .xlsx/.docx parses with a strict XML parser."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                etree.fromstring(z.read(name), etree.XMLParser(resolve_entities=False, huge_tree=False))


@pytest.mark.parametrize("name, build, cmd, expect", corpus.BAD_BOOKS, ids=[c[0] for c in corpus.BAD_BOOKS])
def test_bad_workbook_gets_one_clear_message_and_stays_unchanged(tmp_path, name, build, cmd, expect):
    book = build(tmp_path)
    before = digest(book)
    got = run_cli(command(book, cmd))
    assert got.clear and not got.crashed, (got.code, got.err[-2000:], got.out[-500:])
    missing = [e for e in expect if e not in got.err]
    assert not missing, f"message lacks {missing}:\n{got.err}"
    assert digest(book) == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".~kpi4s")]      # no temp left
    if not cmd or cmd[0].startswith("--"):               # `check` says the same as `report`
        checked = run_cli(["check", book, *cmd])
        assert checked.code == 2 and checked.err == got.err, checked.err


@pytest.mark.parametrize("name, build, expect", bad_files.BAD_FILES, ids=[c[0] for c in bad_files.BAD_FILES])
def test_bad_file_is_handled_without_a_crash(tmp_path, name, build, expect):
    book = build(tmp_path)
    before = digest(book)
    checked, got = run_cli(["check", book]), run_cli(["report", book])
    for run in (checked, got):
        assert not run.crashed and not run.traceback, (name, run.code, run.signal, run.err[-2000:])
    if expect is None:                                      # valid, written by another program
        assert checked.code == 0 and got.code == 0, got.err
        assert_well_formed(book)
        wb = openpyxl.load_workbook(book)
        assert len({n.casefold() for n in wb.sheetnames}) == len(wb.sheetnames)
        assert [r[1] for r in values(book, S.HISTORY)[1:]].count("T1") == 1
    elif expect == "either":                                 # refused clearly, or read without harm
        assert got.code == 0 or got.clear, got.err
    else:
        assert checked.clear and got.clear, (checked.err, got.err)
        missing = [e for e in expect if e not in got.err]
        assert not missing, f"message lacks {missing}:\n{got.err}"
        assert checked.err == got.err
        assert digest(book) == before


def test_a_workbook_saved_by_libreoffice_is_read_and_reported(tmp_path):
    book = bad_files.libreoffice_saved(tmp_path)
    if book is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    got = run_cli(["report", book])
    assert got.code == 0, got.err
    assert_well_formed(book)
    assert people_table(book)["T1"]["总分"] == pytest.approx(95.0)


# --------------------------------------------------------------------------- odd but valid
ODD = {name: build for name, build, _ in corpus.ODD_BUT_VALID}


def report_ok(tmp_path, name, *extra):
    book = ODD[name](tmp_path)
    got = run_cli(["report", book, *extra])
    assert got.code == 0 and not got.traceback, got.err
    assert_well_formed(book)
    return book, got


def history(book) -> dict:
    rows = values(book, S.HISTORY)
    return {(r[0], r[1]): r for r in rows[1:] if r and r[0]}


def test_control_characters_from_an_erp_never_reach_the_xml(tmp_path):
    book, _ = report_ok(tmp_path, "control_char_name")
    h = history(book)
    assert len(h) == 5 and h[(MONTH, "T1")][2] == "甲乙"          # the whole month kept, the name cleaned
    if shutil.which("soffice"):                                    # LibreOffice reads every row too
        subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                        "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,false,false,false,-1",
                        "--outdir", str(tmp_path / "csv"), str(book)], capture_output=True, timeout=180)
        rows = (tmp_path / "csv" / f"{book.stem}-{S.HISTORY}.csv").read_text(encoding="utf-8").splitlines()
        assert len(rows) == 6 and any(r.startswith(f"{MONTH},T1,甲乙,") for r in rows), rows
    with zipfile.ZipFile(book) as z:
        assert not any(b"_x0001_" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")
                       and b"kpi4s:rows" in z.read(n))


def test_text_that_looks_like_a_formula_stays_text_everywhere(tmp_path):
    book, _ = report_ok(tmp_path, "formula_looking_names")
    with zipfile.ZipFile(book) as z:
        wb = openpyxl.load_workbook(book)
        written = [wb[S.HISTORY], wb[S.REPORT]]
        for ws in written:
            assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"], ws.title
    assert history(book)[(MONTH, "T1")][2] == corpus.FORMULA_TEXT
    forms = run_cli(["forms", book])
    assert forms.code == 0, forms.err
    index = next((tmp_path / "kpi4s-输出" / MONTH / "评估表").glob("*_索引.csv"))
    with open(index, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = {r["工号"]: r["姓名"] for r in rows}
    assert names["T1"] == "'" + corpus.FORMULA_TEXT and names["T2"] == "'@乙" and names["T3"] == "'-丙"
    assert {r["部门"] for r in rows if r["工号"] == "T1"} == {"'+一部"}


def test_text_longer_than_a_cell_holds_is_cut_to_excels_limit(tmp_path):
    book, _ = report_ok(tmp_path, "long_text_40000")
    for sheet in (S.HISTORY, S.REPORT):
        longest = max(len(v) for r in values(book, sheet) for v in r if isinstance(v, str))
        assert longest <= 32767, sheet


def test_two_and_nine_item_cards_are_warned_in_the_report_too(tmp_path):
    for case, n in (("card_of_2_items", 2), ("card_of_9_items", 9)):
        folder = tmp_path / case
        folder.mkdir()
        book, got = report_ok(folder, case)
        assert "提示 3 条" in got.out
        rows = values(book, S.REPORT)
        notes = [r[0] for r in rows if r and isinstance(r[0], str) and f"考核项 {n} 个，应为3–8个" in r[0]]
        assert len(notes) == 3, notes
        assert f"考核项 {n} 个" in people_table(book)["T1"]["提示"]


def test_december_on_calendar_cn_with_the_stores_own_holidays(tmp_path):
    book, _ = report_ok(tmp_path, "december_cn_with_holidays")
    rows = values(book, S.REPORT)
    due = {r[1]: r[2] for r in rows if r and len(r) > 2 and r[1] in ("行政部经理", "人力资源专员", "各部门经理",
                                                                     "客服经理", "财务部经理")}
    # 2027-01-02/03 weekend, 01-04 a typed 放假 → 01-05; the 5th is a Tuesday; the 7th a Thursday
    assert {k: v.strftime("%Y-%m-%d %H:%M") for k, v in due.items()} == {
        "行政部经理": "2027-01-05 17:30", "人力资源专员": "2027-01-05 17:30", "各部门经理": "2027-01-05 17:30",
        "客服经理": "2027-01-05 17:30", "财务部经理": "2027-01-07 17:30"}


def test_a_styled_empty_far_cell_and_rows_of_spaces_are_not_content(tmp_path):
    for case in ("styled_empty_far_cell", "spaces_only_rows"):
        (tmp_path / case).mkdir()
        report_ok(tmp_path / case, case)


def test_a_leaver_is_graded_for_the_month_they_worked(tmp_path):
    book, _ = report_ok(tmp_path, "leaver_in_month")
    assert history(book)[(MONTH, "T1")][5] == "C"


def test_emoji_and_direction_marks_survive(tmp_path):
    book, _ = report_ok(tmp_path, "emoji_and_rtl")
    assert history(book)[(MONTH, "T1")][2] == "甲😀\u202eevil"
    assert CalamineWorkbook.from_path(str(book)).sheet_names


def test_a_replaced_sheet_leaves_no_relationship_to_a_missing_part(tmp_path):
    """月度报告 (two charts) and 历史 replaced again and again: every relationship of the package
    points to a part that exists, nothing is left over, and openpyxl opens the book."""
    import posixpath
    from helpers import hand_book
    book = hand_book(tmp_path / "store.xlsx")
    for month in ("2026-09", "2026-08", "2026-09"):
        assert run_cli(["report", book, "--month", month]).code in (0, 2)
    with zipfile.ZipFile(book) as z:
        names = set(z.namelist())
        for rels in (n for n in names if n.endswith(".rels")):
            folder = posixpath.dirname(posixpath.dirname(rels))
            for rel in etree.fromstring(z.read(rels)).iter("{*}Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                assert part in names, (rels, target)
        charts = [n for n in names if n.startswith("xl/charts/")]
        assert len(charts) == 2                                       # the report's two, no orphans
    assert S.REPORT in openpyxl.load_workbook(book).sheetnames


def test_two_workbooks_never_delete_each_others_documents(tmp_path):
    """Two stores' books in one folder write to the same kpi4s-输出: the second is told to use its
    own 输出文件夹 and nothing of the first is touched; a re-run of the first replaces only its own."""
    from helpers import hand_book
    a = hand_book(tmp_path / "甲店.xlsx")
    b = hand_book(tmp_path / "乙店.xlsx")
    assert run_cli(["forms", a, "--by", "employee"]).code == 0
    folder = tmp_path / "kpi4s-输出" / MONTH / "评估表"
    mine = {p.name: digest(p) for p in folder.iterdir()}
    (folder / f"{MONTH}_自己放的.xlsx").write_bytes(b"HR's own file")          # not ours: never removed
    got = run_cli(["forms", b, "--by", "employee"])
    assert got.code == 2 and "甲店.xlsx" in got.err and "输出文件夹" in got.err, got.err
    assert {p.name: digest(p) for p in folder.iterdir() if p.name in mine} == mine
    assert run_cli(["forms", a]).code == 0                                   # by department now
    left = {p.name for p in folder.iterdir()}
    assert f"{MONTH}_自己放的.xlsx" in left and not any(n.startswith(f"{MONTH}_T") for n in left)
    setting = corpus.setting(b, S.OUTPUT_KEY, "乙店文档")
    assert run_cli(["forms", setting]).code == 0 and (tmp_path / "乙店文档" / MONTH / "评估表").is_dir()
