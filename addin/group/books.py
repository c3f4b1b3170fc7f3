"""Which files are the group's store workbooks: the books and folders the user named.

A folder gives its own workbooks (not its subfolders: those hold the stores' kpi4s-输出 forms
and letters). Office lock files (``~$…``), hidden files and the group workbook itself are
skipped; the same file named twice is read once; a file kpi4s cannot read as a workbook is
named (as a Problem) instead of being silently ignored.
"""
from __future__ import annotations

from pathlib import Path

from addin.io import guard, read
from addin.io.problems import Problem
from addin.io.read import Workbook
from addin.io.schema import SHEETS

BOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
UNSUPPORTED = (".et", ".ett", ".xlsb", ".ods", ".numbers", ".csv")     # named, not read
WHERE = "门店工作簿"


def _skip(p: Path) -> bool:
    return p.name.startswith(("~$", ".", "~"))


def find_books(sources, exclude=()) -> tuple[list[Path], list[Problem]]:
    """(store workbook paths in a stable order, problems about what was named)."""
    skip = {Path(e).resolve() for e in exclude if e}
    out: dict = {}
    problems: list = []
    for src in sources:
        p = Path(src)
        if p.is_dir():
            found = [f for f in sorted(p.iterdir(), key=lambda f: f.name)
                     if f.is_file() and not _skip(f) and f.suffix.lower() in BOOK_SUFFIXES + UNSUPPORTED]
            for f in found:
                if f.suffix.lower() in UNSUPPORTED:
                    problems.append(Problem(f.name, None, None, f"不支持 {f.suffix} 格式，未读取：请在 Excel/WPS 中另存为 .xlsx"))
                elif f.resolve() not in skip:
                    out.setdefault(f.resolve(), f)
            continue
        if not p.exists():
            problems.append(Problem(str(p), None, None, "文件或文件夹不存在"))
        elif p.suffix.lower() not in BOOK_SUFFIXES:
            problems.append(Problem(p.name, None, None, f"不是 Excel 工作簿（{p.suffix or '无扩展名'}），未读取：请用 .xlsx/.xlsm"))
        elif p.resolve() not in skip:
            out.setdefault(p.resolve(), p)
    return list(out.values()), problems


def open_store(path: Path) -> tuple[Workbook | None, str | None]:
    """(the workbook, opened and every schema sheet scanned, or None; why it cannot be read
    safely, or None): addin.io.guard's checks — not an .xlsx package (an .xls too: one message,
    as in every store command), a zip bomb, a stray cell far outside a table — all named at
    once. The workbook goes on to load_book, which then reads without scanning again."""
    try:
        wb = read.open_workbook(path)
        wb.scan([s for s in wb.names if s in SHEETS])
    except guard.FileProblem as exc:
        return None, "；".join(f"[{p.sheet}] {p.message}" if p.sheet != path.name else p.message for p in exc.problems)
    return wb, None


__all__ = ["find_books", "open_store", "BOOK_SUFFIXES"]
