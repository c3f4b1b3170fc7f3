"""The group month end (SPEC §8): find the store books → read them on every core → archive →
roll up → (addin.render.group draws the sheets; addin.macros writes them).

A bad store never stops the others: it is listed with its problems and left out; a store
without figures for the month is named; a store archived lately that sent no workbook is named.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from addin.io.problems import BookError, Problem
from addin.month.pipeline import Clock
from udfs.parse import month_or_none

from . import rollup
from .archive import open_archive
from .books import find_books
from .collect import collect
from .settings import GroupSettings
from .stores import Report, StoreMonth, fingerprint

log = logging.getLogger(__name__)


@dataclass
class GroupResults:
    settings: GroupSettings
    month: str
    stores: list                          # [StoreMonth] of every store book read, in file order
    unread: list = field(default_factory=list)    # [Problem] files named but not read
    absent: pd.DataFrame | None = None    # stores archived lately without a workbook now: store, last
    league: pd.DataFrame | None = None    # addin.group.rollup.league, ranked
    totals: dict = field(default_factory=dict)
    dept_rows: pd.DataFrame | None = None
    dept_totals: pd.DataFrame | None = None
    attainment: pd.DataFrame | None = None
    grading: dict | None = None           # rollup.group_grading (None: 不启用)
    trend: dict = field(default_factory=dict)     # archive.trend
    archive: str = ""                     # where the archive is (no password)
    archived: dict = field(default_factory=dict)  # rows written per table
    timings: list = field(default_factory=list)

    def having(self, status: str) -> list:
        return [s for s in self.stores if s.status == status]

    @property
    def ok(self) -> list:
        return self.having("ok")


def _month_of(stores: list[StoreMonth]) -> str | None:
    """The month most store books name (the latest on a tie)."""
    counts = Counter(s.month for s in stores if s.month)
    if not counts:
        return None
    top = max(counts.values())
    return max(m for m, n in counts.items() if n == top)


def _duplicates(stores: list[StoreMonth]) -> None:
    """Two books claiming one store name cannot both be archived under it: both are left out."""
    by: dict = {}
    for s in stores:
        if s.status == "ok":
            by.setdefault(s.store, []).append(s)
    for name, same in by.items():
        if len(same) > 1:
            files = "、".join(s.file for s in same)
            for s in same:
                s.status = "bad"
                s.problems = [Problem("设置", None, "门店名称", f"门店名称「{name}」在多个工作簿中重复（{files}），"
                                      "无法区分，均未汇总：请改正门店名称")]


def compute_group(sources, settings: GroupSettings, month: str | None = None, report: Report | None = None,
                  workers: int | None = None, on_done: Callable | None = None,
                  on_start: Callable | None = None, full: bool = False) -> GroupResults:
    """Read, validate and archive the stores' month and roll it up. Raises BookError when there
    is nothing to roll up (no readable store workbook, no month) or the archive is unusable.

    The archive is held for the whole run (a second run waits for it). A book unchanged since its
    month was archived (same fingerprint: bytes, month, kpi4s version) is taken from the archive
    instead of being read again — unless ``full``, or ``report`` (the stores are reported first).
    """
    clock = Clock()
    if month is not None and month_or_none(month) is None:
        raise BookError([Problem("命令行", None, "--month", f"月份「{month}」无法识别（应为 YYYY-MM）")])
    month = month_or_none(month) if month else settings.month
    books, unread = find_books(sources, exclude=[settings.book])
    if not books:
        raise BookError(unread or [Problem("、".join(map(str, sources)) or ".", None, None,
                                           "没有找到门店工作簿（.xlsx/.xlsm）")], "没有可读取的门店工作簿，未汇总")
    done = on_done or (lambda s: None)
    with open_archive(settings.archive, settings.folder) as archive:
        if on_start is not None:
            on_start(len(books))
        cached: dict = {}
        if month and report is None and not full:
            cached = archive.cached(month, {str(b): fingerprint(b, month) for b in books})
            for s in cached.values():
                done(s)
        todo = [b for b in books if str(b) not in cached]
        read = dict(zip(map(str, todo), collect([(b, month) for b in todo], report, workers, done)))
        stores = [cached.get(str(b)) or read[str(b)] for b in books]
        if month is None:
            month = _month_of(stores)
            if month is None:
                raise BookError([Problem("设置", None, "考核月份", "各门店工作簿都未指定考核月份：请用 --month 指定汇总月份")],
                                "未汇总")
            redo = [i for i, s in enumerate(stores) if s.status != "skipped" and s.month != month]
            for i, again in zip(redo, collect([(stores[i].path, month) for i in redo], report, workers, done)):
                stores[i] = again
        for s in stores:
            if s.status == "ok" and not s.cached:
                s.fingerprint = fingerprint(s.path, month)
        clock.mark("读取门店")
        _duplicates(stores)
        ok = [s for s in stores if s.status == "ok"]
        res = GroupResults(settings, month, stores, unread)
        res.archive = archive.label
        res.archived = archive.write(month, ok)
        res.trend = archive.trend(month)
        res.absent = archive.absent(month, {s.store for s in stores})
    clock.mark("归档")
    res.league = rollup.league(ok, settings.policy)
    people = rollup.stacked(ok, "people")
    res.totals = rollup.group_totals(res.league, people, settings.policy)
    res.dept_rows, res.dept_totals = rollup.departments(ok, list(res.league["store"]))
    res.attainment = rollup.attainment(ok, list(res.league["store"]))
    res.grading = rollup.group_grading(ok, settings.policy)
    clock.mark("汇总")
    res.timings = clock.marks
    log.info("group %s: %d stores ok of %d (%d unchanged, from the archive); %s", month, len(ok), len(stores),
             sum(s.cached for s in stores), ", ".join(f"{k} {v:.2f}s" for k, v in res.timings))
    return res


def store_sources(settings: GroupSettings, sources) -> list:
    """The books/folders to read: those named, else 设置「门店工作簿」 (relative to the group
    workbook), else the group workbook's own folder."""
    if sources:
        return list(sources)
    if settings.stores:
        p = Path(settings.stores).expanduser()
        return [p if p.is_absolute() else settings.folder / p]
    return [settings.folder]


__all__ = ["GroupResults", "compute_group", "store_sources"]
