"""评估表 / 警告信 — the two document macros (SPEC §3.10, §5), the same for every door.

Each opens the book (a path, {sheet: values}, a StoreBook — or takes a computed MonthResults)
under the book's lock, computes the month, renders one file per document into a staging
folder, moves them into the month's folder only when all of them succeeded, writes the index
CSV last, optionally PDFs, and removes the files this book's previous index listed that this
run did not write again (re-running a month replaces its documents; another workbook's files
in the folder are never touched — a folder another workbook already wrote the month into is
refused). Returns a :class:`DocumentsRun`; bad input, an unwritable folder or a full disk
raise one BookError and leave the folder as it was. Asked for PDFs without LibreOffice, the
Word/Excel files and the index are written and :class:`addin.io.pdf.PdfUnavailable` (a
RuntimeError, the command line's exit code 3) is raised with the run attached.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from addin.io import outputs as O
from addin.io.book import StoreBook, load_book
from addin.io.lock import book_session
from addin.io.pdf import convert_pdf
from addin.io.problems import BookError, Problem
from addin.io.read import settings_rows
from addin.io.save import WriteError, cause, clean_stale, os_error
from addin.io.schema import ISSUE_KEY, SETTINGS
from addin.month import MonthResults, compute_month
from addin.render.forms import form_contexts, render_form_book, sheet_title
from addin.render.letters import letter_contexts, render_docx
from udfs.parse import date_or_none, is_blank

FORM_INDEX = ["月份", "工号", "姓名", "部门", "总分", "等级", "文件", "工作表", O.BOOK_COLUMN]
LETTER_INDEX = ["月份", "工号", "姓名", "部门", "措施代码", "措施", "触发月份及等级", "签发日期", "改正期限",
                "回顾日期", "文件", O.BOOK_COLUMN]
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


def _owner(book, res: MonthResults) -> str:
    """The name the index records for the workbook behind this run."""
    path = getattr(book, "path", None)
    return Path(path).name if path else f"（{res.store}）"


def _batch(res: MonthResults, book, folder: Path, jobs: list, header: list, rows: list, headline: str,
           pdf: bool, workers) -> DocumentsRun:
    """Render ``jobs`` ((render, file name, payload)) all or nothing, then the index, PDFs and
    the pruning of this book's previous files; a PDF failure is raised after, with the run."""
    owner = _owner(book, res)
    listed, other = O.previous_index(folder, res.month, owner)
    if other is not None:
        raise BookError([Problem(str(folder), None, None,
                                 f"此文件夹中已有工作簿「{other}」生成的 {res.month} 文件（见 {O.index_path(folder, res.month).name}）；"
                                 "两个工作簿共用一个输出文件夹会互相覆盖、删除文件。请在设置「输出文件夹」中为本工作簿"
                                 "指定另一个子文件夹，或用 --out 指定")])
    clean_stale(Path(owner), folder)                        # a killed run's staging folder
    clean_stale(O.index_path(folder, res.month))
    with O.Staging(folder, owner) as stage:
        try:
            O.run_jobs([(render, str(stage.path(name)), payload) for render, name, payload in jobs], workers)
        except WriteError as exc:
            raise WriteError(folder, f"生成文件失败，输出文件夹未改动：{exc.problems[0].message}") from None
        except Exception as exc:  # noqa: BLE001 - a library's wrapper of a full disk …
            if os_error(exc) is None:
                raise
            raise WriteError(folder, f"生成文件失败，输出文件夹未改动：{cause(os_error(exc))}") from None
        written = stage.commit([name for _, name, _ in jobs])
    index = O.write_index(O.index_path(folder, res.month), header, [r + [owner] for r in rows])
    pdfs, error = [], None
    if pdf:
        try:
            pdfs = convert_pdf(written, folder)
        except RuntimeError as exc:          # the documents stand; keep any PDF that was made
            error = exc
            pdfs = [p for p in (folder / (f.stem + ".pdf") for f in written) if p.exists()]
    paths = written + [index] + pdfs
    O.prune(folder, listed, {p.resolve() for p in paths})
    lines = [headline + (f"，PDF {len(pdfs)} 个" if pdfs else ""), f"输出文件夹：{folder}", f"清单：{index.name}"]
    run = DocumentsRun(res, folder, paths, index, "\n".join(lines))
    if error is not None:
        error.run = run
        raise error
    return run


def _folder(out_dir, book, month: str, kind: str) -> Path:
    return Path(out_dir) if out_dir else O.output_dir(book, month, kind)


def appraisal_forms(source, month=None, out_dir=None, by="department", pdf=False,
                    workers: int | None = None) -> DocumentsRun:
    """绩效评估表 for every graded employee of the month (.xlsx, + .pdf).

    by="department": one workbook per department (<month>_<部门>_绩效评估表.xlsx), a sheet per
    employee; by="employee": one workbook each (<month>_<工号>_<姓名>.xlsx).
    """
    if by not in BY:
        raise ValueError("by must be 'department' or 'employee'")
    with book_session(source, "评估表"):
        return _forms(source, month, out_dir, by, pdf, workers)


def _forms(source, month, out_dir, by, pdf, workers) -> DocumentsRun:
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
        jobs.append((render_form_book, name, members))
        used: set = set()
        rows += [[res.month, c["employee_id"], c["name"], c["department"],
                  "" if c["total"] is None else f"{c['total']:.{decimals}f}", c["grade"], name, sheet_title(c, used)]
                 for c in members]
    return _batch(res, book, folder, jobs, FORM_INDEX, rows, f"已为 {len(ctxs)} 名员工生成绩效评估表（{len(jobs)} 个文件）",
                  pdf, workers)


def warning_letters(source, month=None, out_dir=None, pdf=False, issue_date=None,
                    workers: int | None = None) -> DocumentsRun:
    """严重警告 letters and 绩效改进计划 for the month's actions (.docx, + .pdf).

    issue_date: the letters' date (default 设置「签发日期」, else today); the correction deadline
    is policy.correction_months later, the plan runs policy.plan_months.
    """
    with book_session(source, "警告信"):
        return _letters(source, month, out_dir, pdf, issue_date, workers)


def _letters(source, month, out_dir, pdf, issue_date, workers) -> DocumentsRun:
    book, res = _month(source, month)
    issue = issue_date_of(book, issue_date)
    folder = _folder(out_dir, book, res.month, O.LETTERS_DIR)
    ctxs = letter_contexts(res, issue)
    jobs, rows, seen, counts = [], [], set(), {}
    for c in ctxs:
        name = O.unique_name(f"{res.month}_{O.safe_name(c['employee_id'])}_{O.safe_name(c['name'])}_{c['kind']}.docx",
                             seen)
        jobs.append((render_docx, name, c))
        rows.append([res.month, c["employee_id"], c["name"], c["department"], c["action"], c["label"],
                     "; ".join(f"{m} {g}" for m, g in c["months"]), c["issue"], c.get("deadline_iso", ""),
                     ";".join(c.get("review_dates", [])), name])
        counts[c["label"]] = counts.get(c["label"], 0) + 1
    detail = "、".join(f"{k} {v} 份" for k, v in counts.items()) or "本月无需发出警告信或改进计划"
    return _batch(res, book, folder, jobs, LETTER_INDEX, rows, f"已生成 {len(jobs)} 份文件：{detail}", pdf, workers)


__all__ = ["DocumentsRun", "appraisal_forms", "warning_letters", "issue_date_of"]
