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
from addin.io import schema as S
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

    The book is locked from before it is read until it is written (a second run waits, and an
    approval step or override of the cycle takes the same lock), and is not overwritten if
    anything else changed it meanwhile. An override (who, why) recomputes a month in review
    and records it."""
    held = source.path if isinstance(source, StoreBook) else source    # (a book read already: its file)
    with book_session(held, "月度报告"):
        clock = Clock()
        book = load_book(source, month, defer=True)
        run = month_report(book, month, clock, override)
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
    input sheets untouched; bad exports raise one BookError and nothing is written. The book is
    locked from before it is read until it is written (one import or month end at a time, each
    keeping the DMS实绩 months the other wrote) and not overwritten if anything else changed it."""
    held = source.path if isinstance(source, StoreBook) else source
    with book_session(held, "导入DMS"):
        book = load_book(source)                       # (a missing file: its message)
        path = Path(book.path)
        dest = Path(out_dir) / path.name if out_dir else path
        same = real_path(dest) == real_path(path)
        return _dms_into(book, path, dest, exports, month, override,
                         book.workbook.identity if same else None)


def _dms_into(book, path: Path, dest: Path, exports, month, override, expect) -> Run:
    run = dms_report(book, exports, month, override)
    t = time.perf_counter()
    run.paths = [write_sheets(path, run.sheets, dest, expect=expect)]
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
    with book_session(source, "目标分解"):
        book = load_book(source, required=())
        run = targets_report(book, year, as_of)
        run.paths = [write_sheets(book.path, run.sheets, expect=book.workbook.identity)]
    run.summary += f"\n已写入：{run.paths[0]}（{'、'.join(s.name for s in run.sheets)}）"
    return run


# --------------------------------------------------------------------------- the cycle (SPEC §9)
def apply_appeals(path, by) -> Run:
    """员工申述 --apply: re-run every month with accepted appeals not yet in 历史, oldest first —
    the ordinary 月度报告, with an override naming the appeals when the month is in review."""
    from addin.cycle import appeals
    from addin.cycle.runs import Who, who
    person = who(by)
    with book_session(path, "员工申述"):             # the months re-run below re-enter this lock
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
           "dms_report", "dms_import", "apply_appeals", "group_report", "group_month", "report_store"]
