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


# --------------------------------------------------------------------------- the dealer group (SPEC §8)
GROUP_BOOK = "kpi4s-集团汇总.xlsx"          # the group workbook when none is named
GROUP_TEMPLATE = "kpi4s_group.xlsx"         # workbook/: its 设置 and 使用说明, built by workbook.build_group


def report_store(book: StoreBook, month: str):
    """``--run``: a store's 月度报告 written into its own workbook (runs in a worker process)."""
    return monthly_report(book, month).results


def group_month(settings, sources=(), month=None, run: bool | None = None, workers=None, on_done=None,
                on_start=None, full: bool = False) -> Run:
    """集团汇总 computed, archived and rendered (the group workbook itself is not written): the
    store books named (else 设置「门店工作簿」) read on every core, each store's month validated by
    the store pipeline (reported first when ``run``; a book unchanged since it was archived is
    taken from the archive unless ``full``), the archive updated, the sheets drawn."""
    from addin import group
    from addin.render import group_trends
    run = settings.run if run is None else run
    res = group.compute_group(group.store_sources(settings, sources), settings, month,
                              report_store if run else None, workers, on_done, on_start, full)
    clock = Clock()
    sheets = group_trends.group_sheets(res)
    clock.mark("排版")
    return Run(res, sheets, timings=res.timings + clock.marks, summary=text.group_summary(res))


def group_report(sources=(), out=None, month=None, run: bool | None = None, archive=None, workers=None,
                 on_done=None, on_start=None, full: bool = False) -> Run:
    """`kpi4s group`: the group workbook ``out`` (created from the template when missing; its 设置
    is read first) with 门店排名, 指标达成, 部门对比, 月度趋势, 集团评定 and 问题清单 replaced."""
    from addin.group import load_group_settings
    from addin.io.outputs import template_dir
    from addin.io.problems import BookError, Problem
    out = Path(out or GROUP_BOOK)
    if out.suffix.lower() not in (".xlsx", ".xlsm"):
        raise BookError([Problem("命令行", None, "--out", f"集团汇总工作簿应为 .xlsx 文件（现为「{out.name}」）")])
    settings = load_group_settings(out)
    if archive is not None:                  # typed on the command line: a path is relative to where it runs
        from addin.group.archive import target
        settings.archive = target(str(archive), Path.cwd())[1]
    r = group_month(settings, sources, month, run, workers, on_done, on_start, full)
    t = time.perf_counter()
    r.paths = [write_sheets(out if out.exists() else template_dir(GROUP_TEMPLATE) / GROUP_TEMPLATE, r.sheets, out)]
    r.timings.append(("写入", time.perf_counter() - t))
    r.summary += f"\n已写入：{r.paths[0]}"
    log.info("group_report %s: %s", out.name, ", ".join(f"{k} {v:.2f}s" for k, v in r.timings))
    return r


__all__ = ["Run", "monthly_report", "month_report", "check", "targets_report", "decompose_targets", "write_sheets",
           "group_report", "group_month", "report_store"]
