"""Output folders, file names, the index CSV, pruning and the batch runner (addin.io.outputs)."""
from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from addin.io import outputs as O
from addin.io.problems import BookError


def test_safe_name():
    assert O.safe_name("../../etc/passwd") == "etc_passwd"
    assert O.safe_name("a\\b:c*d?\"e<f>g|h\x01i\ttab") == "a_b_c_d_e_f_g_hi_tab"
    assert O.safe_name("  ..  ") == "未命名" and O.safe_name(None) == "未命名"
    assert O.safe_name("王芳") == "王芳" and O.safe_name(1001.0) == "1001"
    assert O.safe_name("=1+1") == "=1+1"                      # a legal file name; the cells are text
    assert len(O.safe_name("很" * 100)) == 40


def test_unique_name_case_insensitive():
    seen: set = set()
    assert [O.unique_name(n, seen) for n in ("a.xlsx", "A.xlsx", "a.xlsx", "b.xlsx")] == \
        ["a.xlsx", "A_2.xlsx", "a_3.xlsx", "b.xlsx"]


def test_output_dir_default_and_custom_inside_the_books_folder(tmp_path):
    book = SimpleNamespace(path=tmp_path / "店" / "kpi4s.xlsx", settings={"输出文件夹": ""})
    assert O.output_dir(book, "2026-08", O.LETTERS_DIR) == tmp_path / "店" / "kpi4s-输出" / "2026-08" / "警告信"
    book.settings["输出文件夹"] = "文档/绩效"
    assert O.output_dir(book, "2026-08", O.FORMS_DIR) == tmp_path / "店" / "文档" / "绩效" / "2026-08" / "评估表"
    book.settings["输出文件夹"] = "文档/../绩效"                    # still inside
    assert O.output_dir(book, "2026-08", O.FORMS_DIR) == tmp_path / "店" / "绩效" / "2026-08" / "评估表"
    assert O.output_dir(None, "2026-08", O.FORMS_DIR) == Path.cwd() / "kpi4s-输出" / "2026-08" / "评估表"


@pytest.mark.parametrize("custom", ["{tmp}/共享", "../共享", "文档/../../共享", "C:\\共享", "link/x"])
def test_output_dir_outside_the_books_folder_is_refused(tmp_path, custom):
    (tmp_path / "店").mkdir()
    (tmp_path / "店" / "link").symlink_to(tmp_path)                  # a link leading out counts as out
    book = SimpleNamespace(path=tmp_path / "店" / "kpi4s.xlsx", settings={"输出文件夹": custom.format(tmp=tmp_path)})
    with pytest.raises(BookError, match="不在工作簿所在的文件夹.*--out"):
        O.output_dir(book, "2026-08", O.FORMS_DIR)


def test_index_is_utf8_with_bom_and_neutralises_formulas(tmp_path):
    path = O.write_index(O.index_path(tmp_path, "2026-08"), ["工号", "姓名", "总分"],
                         [["E01", "=1+1", "95.00"], ["E02", "+SUM(A1)", "-3"], ["E03", "@cmd", "-1+2"],
                         ["E04", "-x", None], ["E05", "\t=1", "李\x07娜"]])
    assert path == tmp_path / "2026-08_索引.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines == ["工号,姓名,总分", "E01,'=1+1,95.00", "E02,'+SUM(A1),-3", "E03,'@cmd,'-1+2", "E04,'-x,",
                     "E05,'\t=1,李娜"]


def test_prune_removes_only_what_the_previous_index_listed_and_was_not_rewritten(tmp_path):
    names = ["2026-08_a.docx", "2026-08_a.pdf", "2026-08_b.xlsx", "2026-08_b.pdf", "2026-08_索引.csv",
             "2026-08_notes.txt", "2026-08_c.docx", "2026-07_a.docx", "其他.docx"]
    for n in names:
        (tmp_path / n).write_text("x")
    (tmp_path / "2026-08_dir.docx").mkdir()
    keep = {(tmp_path / "2026-08_a.docx").resolve(), (tmp_path / "2026-08_索引.csv").resolve()}
    listed = ["2026-08_a.docx", "2026-08_b.xlsx", "2026-08_dir.docx", "2026-08_gone.docx"]
    removed = O.prune(tmp_path, listed, keep)
    # a's PDF was not made again (stale); b is gone from this run; c was never listed: someone else's
    assert sorted(p.name for p in removed) == ["2026-08_a.pdf", "2026-08_b.pdf", "2026-08_b.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["2026-08_a.docx", "2026-08_索引.csv", "2026-08_notes.txt", "2026-08_c.docx", "2026-07_a.docx", "其他.docx",
         "2026-08_dir.docx"])


def test_previous_index_names_its_workbook_and_only_bare_file_names(tmp_path):
    O.write_index(O.index_path(tmp_path, "2026-08"), ["工号", "文件", O.BOOK_COLUMN],
                  [["E1", "2026-08_a.docx", "甲店.xlsx"], ["E2", "../../etc/passwd", "甲店.xlsx"],
                   ["E3", "2026-08_b.docx", "甲店.xlsx"]])
    assert O.previous_index(tmp_path, "2026-08", "甲店.xlsx") == (["2026-08_a.docx", "2026-08_b.docx"], None)
    assert O.previous_index(tmp_path, "2026-08", "乙店.xlsx") == ([], "甲店.xlsx")
    O.write_index(O.index_path(tmp_path, "2026-08"), ["工号", "文件"], [["E1", "2026-08_a.docx"]])   # before 工作簿
    assert O.previous_index(tmp_path, "2026-08", "乙店.xlsx") == (["2026-08_a.docx"], None)
    assert O.previous_index(tmp_path, "2026-09", "乙店.xlsx") == ([], None)


def write_payload(path, payload) -> str:
    """A render function for run_jobs (module level: the pool pickles it by name)."""
    Path(path).write_text(f"{os.getpid()}:{payload if not isinstance(payload, list) else len(payload)}")
    return path


def test_run_jobs_serial_keeps_job_order(tmp_path):
    jobs = [(write_payload, str(tmp_path / f"{k}.txt"), [k] * k if k % 2 else k) for k in range(1, 6)]
    paths = O.run_jobs(jobs, workers=4)                      # below PARALLEL_MIN: here
    assert paths == [tmp_path / f"{k}.txt" for k in range(1, 6)]
    assert {p.read_text().split(":")[0] for p in paths} == {str(os.getpid())}


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="pickling a test module's function needs fork")
def test_run_jobs_on_a_pool_keeps_job_order(tmp_path, monkeypatch):
    monkeypatch.setattr(O, "PARALLEL_MIN", 1)
    jobs = [(write_payload, str(tmp_path / f"{k}.txt"), [0] * (6 - k)) for k in range(6)]   # heaviest first
    paths = O.run_jobs(jobs, workers=2)
    assert paths == [tmp_path / f"{k}.txt" for k in range(6)]
    assert [p.read_text().split(":")[1] for p in paths] == ["6", "5", "4", "3", "2", "1"]
    assert str(os.getpid()) not in {p.read_text().split(":")[0] for p in paths}


def test_template_dir_finds_the_workbook_folder():
    folder = O.template_dir("appraisal_form.xlsx")
    assert (folder / "appraisal_form.xlsx").exists() and (folder / "improvement_plan.docx").exists()
    with pytest.raises(FileNotFoundError, match="找不到模板文件 nope.docx"):
        O.template_dir("nope.docx")
