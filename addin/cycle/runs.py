"""What every step of the cycle shares: who did it, the run it hands back, writing sheets
into the book and finishing a batch of files (PDFs, index, pruning)."""
from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from addin.io import outputs as O
from addin.io.pdf import convert_pdf
from addin.io.problems import BookError, Problem
from addin.io.text import clean_text
from addin.ooxml import replace_sheets
from addin.render.sheet import SheetSpec, to_xlsx
from udfs.parse import text_of

NAME_LIMIT = 40            # an operator's name
REASON_LIMIT = 200         # an override's reason


@dataclass
class CycleRun:
    """What a cycle step did: the results it used, sheets rendered, files written, a summary."""

    month: str = ""
    results: Any = None
    sheets: list = field(default_factory=list)      # SheetSpecs (painted live by the Excel doors)
    paths: list = field(default_factory=list)       # files written
    folder: Path | None = None
    index: Path | None = None
    summary: str = ""


@dataclass(frozen=True)
class Who:
    """The person behind an approval step or an override, as the audit trail records them."""

    by: str
    reason: str = ""
    login: str = ""


def login_user() -> str:
    try:
        return clean_text(getpass.getuser())[:NAME_LIMIT]
    except Exception:  # noqa: BLE001 - no login name (service account, container)
        return ""


def who(by, reason=None, need_reason: bool = False, arg_by: str = "--by", arg_reason: str = "--reason") -> Who:
    """A checked Who: a name (1–40 characters, control characters dropped) and, when needed, a
    reason; BookError naming the missing argument otherwise."""
    name = clean_text(text_of(by))
    why = clean_text(text_of(reason))
    problems = []
    if not name:
        problems.append(Problem("命令行", None, arg_by, "请填写操作人姓名（审批记录记下是谁）"))
    elif len(name) > NAME_LIMIT:
        problems.append(Problem("命令行", None, arg_by, f"操作人姓名过长（最多 {NAME_LIMIT} 个字）"))
    if need_reason and not why:
        problems.append(Problem("命令行", None, arg_reason, "请填写覆盖重算的理由（审批记录记下为什么）"))
    elif len(why) > REASON_LIMIT:
        problems.append(Problem("命令行", None, arg_reason, f"理由过长（最多 {REASON_LIMIT} 个字）"))
    if problems:
        raise BookError(problems)
    return Who(name, why, login_user())


def now() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def write_book_sheets(path, specs: list[SheetSpec], dest=None) -> Path:
    """Replace (or add) these sheets of the workbook at ``path`` in one atomic write."""
    donor, streams = to_xlsx(specs)
    return replace_sheets(path, donor, [s.name for s in specs], dest=dest, extra_rows=streams)


def folder_for(out_dir, book, month: str, kind: str) -> Path:
    folder = Path(out_dir) if out_dir else O.output_dir(book, month, kind)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def finish(run: CycleRun, written: list, index: Path, headline: str, pdf: bool) -> CycleRun:
    """PDFs if asked, pruning the month's stale files, the summary; a PDF failure is raised
    after, with the run attached (the documents stand)."""
    pdfs, error = [], None
    folder = run.folder
    if pdf:
        try:
            pdfs = convert_pdf(written, folder)
        except RuntimeError as exc:
            error = exc
            pdfs = [p for p in (folder / (f.stem + ".pdf") for f in written) if p.exists()]
    run.paths = list(written) + [index] + pdfs
    run.index = index
    O.prune(folder, run.month, {p.resolve() for p in run.paths})
    run.summary = "\n".join([headline + (f"，PDF {len(pdfs)} 个" if pdfs else ""), f"输出文件夹：{folder}",
                             f"清单：{index.name}"] + ([run.summary] if run.summary else []))
    if error is not None:
        error.run = run
        raise error
    return run
