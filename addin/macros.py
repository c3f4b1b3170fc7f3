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
from addin.io import schema as S
from addin.io.book import StoreBook, load_book
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


def write_sheets(path, specs: list[SheetSpec], dest=None) -> Path:
    """Replace (or add) these sheets of the workbook at ``path`` atomically; every other part of
    the file stays as it was (addin.ooxml transplants whole sheets)."""
    donor, streams = to_xlsx(specs)
    big = tuple(s.name for s in specs if s.bulk is not None and len(s.bulk.frame) > 20_000)
    return replace_sheets(path, donor, [s.name for s in specs], dest=dest, extra_rows=streams, parallel=big)


def month_report(source, month: str | None = None, clock: Clock | None = None) -> Run:
    """Compute the month and render its output sheets (nothing written)."""
    clock = clock or Clock()
    res = compute_month(source, month, clock)
    sheets = R.output_sheets(res)
    clock.mark("排版")
    return Run(res, sheets, timings=clock.marks, summary=text.month_summary(res))


def monthly_report(source, month: str | None = None, out_dir=None) -> Run:
    """月度报告: 历史, 月度报告 and the period sheets written into the workbook (or a copy in out_dir)."""
    clock = Clock()
    book = load_book(source, month)
    run = month_report(book, month, clock)
    path = Path(book.path)
    dest = Path(out_dir) / path.name if out_dir else path
    run.paths = [write_sheets(path, run.sheets, dest)]
    clock.mark("写入")
    run.timings = clock.marks
    log.info("monthly_report %s %s: %s", path.name, run.results.month,
             ", ".join(f"{k} {v:.2f}s" for k, v in run.timings))
    return run


def check(source, month: str | None = None) -> Run:
    """检查: validate everything the month end reads; writes nothing."""
    t = time.perf_counter()
    res = compute_month(source, month)
    summary = f"检查通过：{res.store} {res.month}，{len(res.people)} 人，{len(res.items)} 个考核项"
    summary += "".join(f"\n  提示：{w}" for w in res.warnings)
    return Run(res, timings=[("检查", time.perf_counter() - t)], summary=summary)


def dms_report(source, exports, month=None, override: bool = False) -> Run:
    """导入DMS computed and rendered (nothing written): DMS实绩 (this import's months replaced, the
    others kept), 车间分析 and an evidence sheet per KPI. month: 'YYYY-MM', 'YYYY-MM:YYYY-MM' or None."""
    from addin import dms
    from addin.render import dms as RD
    clock = Clock()
    book = source if isinstance(source, StoreBook) else load_book(source)
    res = dms.compute(book, exports, month, override=override)
    clock.mark("计算")
    old = book.frame(S.DMS_ACTUALS, []) if book.has(S.DMS_ACTUALS) else book.frame(S.DMS_ACTUALS)
    merged = dms.merge_actuals(old, res.actuals(), res.months)
    sheets = RD.dms_sheets(res, merged, book.sheet_names)
    clock.mark("排版")
    summary = text.dms_summary(res)
    if merged.attrs.get("dropped"):
        summary += f"\n提示：DMS实绩超出工作表行数上限，最早的 {len(merged.attrs['dropped'])} 个月（" + \
            "、".join(merged.attrs["dropped"][:6]) + "…）未保留"
    return Run(res, sheets, timings=clock.marks, summary=summary)


def dms_import(source, exports, month=None, override: bool = False, out_dir=None) -> Run:
    """导入DMS button / `kpi4s dms`: the DMS sheets written into the workbook (or a copy in out_dir);
    input sheets untouched; bad exports raise one BookError and nothing is written."""
    book = load_book(source)
    run = dms_report(book, exports, month, override)
    path = Path(book.path)
    dest = Path(out_dir) / path.name if out_dir else path
    t = time.perf_counter()
    run.paths = [write_sheets(path, run.sheets, dest)]
    run.timings.append(("写入", time.perf_counter() - t))
    names = [s.name for s in run.sheets]
    run.summary += f"\n已写入：{run.paths[0]}（{'、'.join(names[:3])}{'等 ' + str(len(names)) + ' 张表' if len(names) > 3 else ''}）"
    return run


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
    book = load_book(source, required=())
    run = targets_report(book, year, as_of)
    run.paths = [write_sheets(book.path, run.sheets)]
    run.summary += f"\n已写入：{run.paths[0]}（{'、'.join(s.name for s in run.sheets)}）"
    return run


__all__ = ["Run", "monthly_report", "month_report", "check", "targets_report", "decompose_targets", "write_sheets",
           "dms_report", "dms_import"]
