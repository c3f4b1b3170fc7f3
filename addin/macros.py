"""The macros behind the buttons — the same code for every door (button, Run main, xlwings
Lite, the `kpi4s` command): open the book → run the pipeline → render → save atomically.

Each macro returns a :class:`Run` (what was computed, the files written, stage timings and
the Chinese summary the door shows); bad input raises one BookError and writes nothing.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from addin import targets
from addin.io.book import StoreBook, load_book
from addin.io.lock import book_session
from addin.io.save import real_path
from addin.month.pipeline import Clock, compute_month
from addin.ooxml import replace_sheets
from addin.render import report as R
from addin.render import targets as T
from addin.render import text
from addin.render.sheet import SheetSpec, to_xlsx

log = logging.getLogger(__name__)


@dataclass
class Run:
    results: Any
    sheets: list = field(default_factory=list)       # the SheetSpecs rendered (for the live-book doors)
    paths: list = field(default_factory=list)        # files written
    timings: list = field(default_factory=list)      # [(stage, seconds)]
    summary: str = ""


def write_sheets(path, specs: list[SheetSpec], dest=None, expect=None) -> Path:
    """Replace (or add) these sheets of the workbook at ``path`` atomically; every other part of
    the file stays as it was (addin.ooxml transplants whole sheets). ``expect``: the book's
    file identity when it was read — a book changed since is not overwritten."""
    donor, streams = to_xlsx(specs)
    big = tuple(s.name for s in specs if s.bulk is not None and len(s.bulk.frame) > 20_000)
    return replace_sheets(path, donor, [s.name for s in specs], dest=dest, extra_rows=streams, parallel=big,
                          expect=expect)


def month_report(source, month: str | None = None, clock: Clock | None = None) -> Run:
    """Compute the month and render its output sheets (nothing written)."""
    clock = clock or Clock()
    res = compute_month(source, month, clock)
    sheets = R.output_sheets(res)
    clock.mark("排版")
    return Run(res, sheets, timings=clock.marks, summary=text.month_summary(res))


def monthly_report(source, month: str | None = None, out_dir=None) -> Run:
    """月度报告: 历史, 月度报告 and the period sheets written into the workbook (or a copy in out_dir).

    The book is locked from before it is read until it is written (a second run waits), and
    is not overwritten if anything else changed it meanwhile."""
    with book_session(source, "月度报告"):
        clock = Clock()
        book = load_book(source, month, defer=True)
        run = month_report(book, month, clock)
        path = Path(book.path)
        dest = Path(out_dir) / path.name if out_dir else path
        same = real_path(dest) == real_path(path)
        run.paths = [write_sheets(path, run.sheets, dest, expect=book.workbook.identity if same else None)]
        clock.mark("写入")
    run.timings = clock.marks
    log.info("monthly_report %s %s: %s", path.name, run.results.month,
             ", ".join(f"{k} {v:.2f}s" for k, v in run.timings))
    return run


def check(source, month: str | None = None) -> Run:
    """检查: validate everything the month end reads; writes nothing."""
    t = time.perf_counter()
    with book_session(source, "检查"):
        res = compute_month(source, month)
    summary = f"检查通过：{res.store} {res.month}，{len(res.people)} 人，{len(res.items)} 个考核项"
    summary += "".join(f"\n  提示：{w}" for w in res.warnings)
    return Run(res, timings=[("检查", time.perf_counter() - t)], summary=summary)


def targets_report(source, year=None, as_of=None) -> Run:
    """目标分解 computed and rendered (nothing written): the model and its five sheets."""
    clock = Clock()
    book = source if isinstance(source, StoreBook) else load_book(source, required=())
    model = targets.build_model(book, year, as_of, progress=True)
    clock.mark("分解")
    sheets = T.target_sheets(model)
    clock.mark("排版")
    return Run(model, sheets, timings=clock.marks, summary=T.summary_text(model))


def decompose_targets(source, year=None, as_of=None) -> Run:
    """目标分解 button / `kpi4s decompose`: the target output sheets written into the workbook."""
    with book_session(source, "目标分解"):
        book = load_book(source, required=())
        run = targets_report(book, year, as_of)
        run.paths = [write_sheets(book.path, run.sheets, expect=book.workbook.identity)]
    run.summary += f"\n已写入：{run.paths[0]}（{'、'.join(s.name for s in run.sheets)}）"
    return run


__all__ = ["Run", "monthly_report", "month_report", "check", "targets_report", "decompose_targets", "write_sheets"]
