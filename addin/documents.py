"""评估表 / 警告信 — the two document macros (SPEC §3.10, §5), the same for every door.

Each opens the book (a path, {sheet: values}, a StoreBook — or takes a computed MonthResults),
computes the month, renders one file per document into the month's folder, writes the index
CSV, optionally PDFs, and removes the month's files a previous run wrote that this run did not
(re-running a month replaces its documents). Returns a :class:`DocumentsRun`; bad input raises
one BookError before anything is written. Asked for PDFs without LibreOffice, the Word/Excel
files and the index are written and :class:`addin.io.pdf.PdfUnavailable` (a RuntimeError, the
command line's exit code 3) is raised with the run attached.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from addin.io import outputs as O
from addin.io.book import StoreBook, load_book
from addin.io.pdf import convert_pdf
from addin.io.problems import BookError, Problem
from addin.io.read import settings_rows
from addin.io.schema import ISSUE_KEY, SETTINGS
from addin.month import MonthResults, compute_month
from addin.render.forms import form_contexts, render_form_book, sheet_title
from addin.render.letters import letter_contexts, render_docx
from udfs.parse import date_or_none, is_blank

FORM_INDEX = ["月份", "工号", "姓名", "部门", "总分", "等级", "文件", "工作表"]
LETTER_INDEX = ["月份", "工号", "姓名", "部门", "措施代码", "措施", "触发月份及等级", "签发日期", "改正期限",
                "回顾日期", "文件"]
BY = ("department", "employee")


@dataclass
class DocumentsRun:
    results: MonthResults
    folder: Path
    paths: list = field(default_factory=list)     # documents, then the index, then PDFs
    index: Path | None = None
    summary: str = ""                              # what the door shows (Chinese)


def _month(source, month=None) -> tuple[StoreBook | None, MonthResults]:
    if isinstance(source, MonthResults):
        return None, source
    book = load_book(source, month)
    return book, compute_month(book, month)


def issue_date_of(book, given=None) -> dt.date:
    """The letters' date: ``given``, else 设置「签发日期」, else today.

    A 设置 value that is not a date raises BookError naming the sheet, row and key."""
    if not is_blank(given):
        day = date_or_none(given)
        if day is None:
            raise ValueError(f"签发日期「{given}」无法识别（应为 YYYY-MM-DD）")
        return day
    value = (getattr(book, "settings", None) or {}).get(ISSUE_KEY)
    if is_blank(value):
        return dt.date.today()
    day = date_or_none(value)
    if day is None:
        rows = book.rows(SETTINGS) if hasattr(book, "rows") else []
        row = next((r for r, k, _ in settings_rows(rows) if k == ISSUE_KEY), None)
        raise BookError([Problem(SETTINGS, row, "值", f"{ISSUE_KEY}「{value}」无法识别（应为 YYYY-MM-DD，如 2026-10-08）")])
    return day


def _finish(res: MonthResults, folder: Path, written: list, index: Path, headline: str, pdf: bool) -> DocumentsRun:
    """PDFs if asked, pruning, the summary; a PDF failure is raised after, with the run attached."""
    pdfs, error = [], None
    if pdf:
        try:
            pdfs = convert_pdf(written, folder)
        except RuntimeError as exc:          # the documents stand; keep any PDF that was made
            error = exc
            pdfs = [p for p in (folder / (f.stem + ".pdf") for f in written) if p.exists()]
    paths = written + [index] + pdfs
    O.prune(folder, res.month, {p.resolve() for p in paths})
    lines = [headline + (f"，PDF {len(pdfs)} 个" if pdfs else ""), f"输出文件夹：{folder}", f"清单：{index.name}"]
    run = DocumentsRun(res, folder, paths, index, "\n".join(lines))
    if error is not None:
        error.run = run
        raise error
    return run


def _folder(out_dir, book, month: str, kind: str) -> Path:
    folder = Path(out_dir) if out_dir else O.output_dir(book, month, kind)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def appraisal_forms(source, month=None, out_dir=None, by="department", pdf=False,
                    workers: int | None = None) -> DocumentsRun:
    """绩效评估表 for every graded employee of the month (.xlsx, + .pdf).

    by="department": one workbook per department (<month>_<部门>_绩效评估表.xlsx), a sheet per
    employee; by="employee": one workbook each (<month>_<工号>_<姓名>.xlsx).
    """
    if by not in BY:
        raise ValueError("by must be 'department' or 'employee'")
    book, res = _month(source, month)
    folder = _folder(out_dir, book, res.month, O.FORMS_DIR)
    ctxs = form_contexts(res, generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))
    groups: dict = {}
    for c in ctxs:
        key = c["employee_id"] if by == "employee" else (c["department"] or "未分部门")
        groups.setdefault(key, []).append(c)
    jobs, rows, seen = [], [], set()
    decimals = res.policy.score_decimals
    for key, members in groups.items():
        c0 = members[0]
        stem = f"{O.safe_name(c0['employee_id'])}_{O.safe_name(c0['name'])}" if by == "employee" \
            else f"{O.safe_name(key)}_绩效评估表"
        name = O.unique_name(f"{res.month}_{stem}.xlsx", seen)
        jobs.append((render_form_book, str(folder / name), members))
        used: set = set()
        rows += [[res.month, c["employee_id"], c["name"], c["department"],
                  "" if c["total"] is None else f"{c['total']:.{decimals}f}", c["grade"], name, sheet_title(c, used)]
                 for c in members]
    written = O.run_jobs(jobs, workers)
    index = O.write_index(O.index_path(folder, res.month), FORM_INDEX, rows)
    return _finish(res, folder, written, index, f"已为 {len(ctxs)} 名员工生成绩效评估表（{len(written)} 个文件）", pdf)


def warning_letters(source, month=None, out_dir=None, pdf=False, issue_date=None,
                    workers: int | None = None) -> DocumentsRun:
    """严重警告 letters and 绩效改进计划 for the month's actions (.docx, + .pdf).

    issue_date: the letters' date (default 设置「签发日期」, else today); the correction deadline
    is policy.correction_months later, the plan runs policy.plan_months.
    """
    book, res = _month(source, month)
    issue = issue_date_of(book, issue_date)
    folder = _folder(out_dir, book, res.month, O.LETTERS_DIR)
    ctxs = letter_contexts(res, issue)
    jobs, rows, seen, counts = [], [], set(), {}
    for c in ctxs:
        name = O.unique_name(f"{res.month}_{O.safe_name(c['employee_id'])}_{O.safe_name(c['name'])}_{c['kind']}.docx",
                             seen)
        jobs.append((render_docx, str(folder / name), c))
        rows.append([res.month, c["employee_id"], c["name"], c["department"], c["action"], c["label"],
                     "; ".join(f"{m} {g}" for m, g in c["months"]), c["issue"], c.get("deadline_iso", ""),
                     ";".join(c.get("review_dates", [])), name])
        counts[c["label"]] = counts.get(c["label"], 0) + 1
    written = O.run_jobs(jobs, workers)
    index = O.write_index(O.index_path(folder, res.month), LETTER_INDEX, rows)
    detail = "、".join(f"{k} {v} 份" for k, v in counts.items()) or "本月无需发出警告信或改进计划"
    return _finish(res, folder, written, index, f"已生成 {len(written)} 份文件：{detail}", pdf)


__all__ = ["DocumentsRun", "appraisal_forms", "warning_letters", "issue_date_of"]
