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
from addin.cycle import approval, year
from addin.io.book import StoreBook, load_book
from addin.io.lock import book_lock
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


def month_report(source, month: str | None = None, clock: Clock | None = None, override=None) -> Run:
    """Compute the month and render its output sheets (nothing written).

    A month already in review (审批记录) is recomputed only when nothing changes, or with an
    ``override`` (addin.cycle.runs.Who: who and why), which adds 审批记录 to the sheets; in
    December the year-end pack's sheets come too (addin.cycle)."""
    clock = clock or Clock()
    book = load_book(source, month)
    res = compute_month(book, month, clock)
    sheets = R.output_sheets(res)
    extra, note = approval.guard_rerun(book, res, override)
    year_sheets, year_note = year.december_sheets(book, res)
    clock.mark("排版")
    summary = "\n".join(t for t in (text.month_summary(res), note, year_note) if t)
    return Run(res, sheets + extra + year_sheets, timings=clock.marks, summary=summary)


def monthly_report(source, month: str | None = None, out_dir=None, override=None) -> Run:
    """月度报告: 历史, 月度报告 and the period sheets written into the workbook (or a copy in out_dir).
    An override (who, why) recomputes a month in review and records it (one writer at a time)."""
    clock = Clock()
    book = load_book(source, month)
    path = Path(book.path)
    if override is not None:
        with book_lock(path):
            return _report_into(load_book(path, month), month, out_dir, override, clock)
    return _report_into(book, month, out_dir, override, clock)


def _report_into(book, month, out_dir, override, clock) -> Run:
    run = month_report(book, month, clock, override)
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


__all__ = ["Run", "monthly_report", "month_report", "check", "targets_report", "decompose_targets", "write_sheets"]


# --------------------------------------------------------------------------- the cycle (SPEC §9)
def apply_appeals(path, by) -> Run:
    """员工申述 --apply: re-run every month with accepted appeals not yet in 历史, oldest first —
    the ordinary 月度报告, with an override naming the appeals when the month is in review."""
    from addin.cycle import appeals
    from addin.cycle.runs import Who, who
    person = who(by)
    todo = appeals.pending(load_book(path, required=()))
    if not todo:
        return Run(None, summary="没有待生效的改分申述（员工申述表中「改分」的得分均已计入历史）")
    lines, paths, last = [], [], None
    for month, rows in todo:
        run = monthly_report(path, month, override=Who(person.by, appeals.reason(rows), person.login))
        paths += run.paths
        last = run
        lines.append(f"{month}：{len(rows)} 条改分已生效（" + "、".join(f"{r.employee_id} {r.changed:.2f}分"
                                                                 for r in rows.itertuples(index=False)) + "）")
        lines += [f"  {x}" for x in run.summary.splitlines() if x.startswith(("覆盖重算", "审批状态"))]
    later = appeals.later_months(load_book(path, required=()), todo[0][0])
    if later:
        lines.append(f"提示：{todo[0][0]} 之后已出报告的月份（{'、'.join(later)}）的连续等级与处理事项按当时的历史计算，"
                     "如受影响请重新运行这些月份（已审批的需覆盖重算）")
    return Run(last.results if last else None, paths=paths, summary="\n".join(lines))
