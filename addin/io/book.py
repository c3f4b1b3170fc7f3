"""The store workbook as the macros see it: settings, policy, month, and typed sheet frames.

``load_book(source, month)`` opens the file (or the live workbook's values), reads 设置 into
the book's settings and a :class:`udfs.policy.Policy` — every bad value, and every group of
settings that do not fit together, reported with its row — and hands out each schema sheet
as a typed frame (:meth:`StoreBook.frame`), validated once and cached.
"""
from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from udfs import parse
from udfs.policy import FIELD_OF, LABELS, Policy, PolicyError, parse_setting
from udfs.vocab import key

from . import guard, procs, read
from .problems import BookError, Problem
from .schema import (BOOK_SETTINGS, HISTORY, MONTH_KEY, OUTPUT_KEY, REQUIRED_SHEETS, SETTINGS, SHEETS,
                     STORE_KEY)

log = logging.getLogger(__name__)


@dataclass
class StoreBook:
    """The store workbook's inputs: settings, policy, month and typed frames (values only)."""

    workbook: read.Workbook
    settings: dict
    policy: Policy
    month: str | None
    store: str
    problems: list = field(default_factory=list)     # settings problems kept by load_book(defer=True)
    _frames: dict = field(default_factory=dict, repr=False)
    _pending: dict = field(default_factory=dict, repr=False)
    _calendars: dict | None = field(default=None, repr=False)     # addin.io.holidays, read once

    @property
    def path(self) -> Path | None:
        return self.workbook.path

    @property
    def sheet_names(self) -> list:
        return self.workbook.names

    def has(self, sheet: str) -> bool:
        return sheet in self.workbook.names

    def rows(self, sheet: str) -> list:
        return self.workbook[sheet] if self.has(sheet) else []

    def setting_row(self, name: str) -> int | None:
        """The 设置 row of a policy field or a book setting (None when the sheet lacks it)."""
        label = key(LABELS.get(name, name))
        return next((r for r, k, _ in read.settings_rows(self.rows(SETTINGS)) if key(k) == label), None)

    def table(self, sheet: str, problems: list | None = None) -> pd.DataFrame:
        """The sheet's table with its canonical headers (untyped) and `_row`."""
        return read.table(self.rows(sheet), sheet, problems, self.workbook.uncached.get(sheet))

    def frame(self, sheet: str, problems: list | None = None) -> pd.DataFrame:
        """The schema sheet as a typed frame (English keys + `_row`); bad cells → problems.

        Read and validated once; later calls return a copy and repeat its problems. A sheet the
        book does not have is an empty frame (whether it is required is the caller's business);
        a sheet whose file part cannot be read (guard.FileProblem) adds its problems and is
        empty — with ``problems`` None that error is raised.
        """
        if sheet not in self._frames:
            pending = self._pending.pop(sheet, None)
            got = _result_of(pending) if pending is not None else None
            if got is not None and self.workbook.uncached.get(sheet):
                got = None                   # formulas without values: the child did not see them
            if got is None:
                found: list = []
                try:
                    got = (read.typed_rows(self.rows(sheet), sheet, found, self.workbook.uncached.get(sheet))
                           if self.has(sheet)
                           else _empty(sheet), found)
                except guard.FileProblem as exc:
                    got = (_empty(sheet), list(exc.problems))
            self._frames[sheet] = (got[0], _one_per_cell(got[1]))
        frame, found = self._frames[sheet]
        if problems is not None:
            problems.extend(found)
        elif any(p.sheet == sheet and p.row is None and p.column is None for p in found):
            raise guard.FileProblem(found)
        return frame.copy()

    def prefetch(self, sheets) -> None:
        """Read these sheets' frames in a forked child (the second core) while this process
        works on the others. Only for a book read from a file, where fork exists.

        The child reads without the guard's scan and under an address-space limit (a hostile
        sheet makes it fail fast; the sheet is then read here, scanned first); the scan runs in
        this process meanwhile — it waits for the child anyway — and a sheet it refuses is
        never taken from the child. The child dies with this process (addin.io.procs)."""
        import multiprocessing as mp
        wanted = [s for s in sheets if self.has(s) and s not in self._frames and s not in self._pending]
        if not wanted or self.path is None or "fork" not in mp.get_all_start_methods():
            return
        from concurrent.futures import ProcessPoolExecutor
        pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"),
                                   initializer=_child_start, initargs=(os.getpid(),))
        for sheet in wanted:
            self._pending[sheet] = pool.submit(_frame_in_child, str(self.path), sheet)
        pool.shutdown(wait=False)
        try:
            self.workbook.scan(wanted)
        except guard.FileProblem as exc:
            for sheet in wanted:
                self._pending.pop(sheet, None)
                self._frames[sheet] = (_empty(sheet), list(exc.problems))
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.kill()


CHILD_HEADROOM = 3 << 30        # bytes of address space a prefetch child may add to what it has


def _child_start(parent: int) -> None:
    procs.die_with_parent(parent)
    import faulthandler                     # (a host that enabled it on a copy of stderr, as pytest
    faulthandler.disable()                  # does, would print the child's expected abort)
    try:                                    # a read that fails here is answered by the parent's own
        quiet = os.open(os.devnull, os.O_WRONLY)    # read; the reader's abort text (Rust's "memory
        os.dup2(quiet, 2)                           # allocation … failed") must not reach the user
        os.close(quiet)
    except OSError:
        pass
    try:
        import resource
        with open("/proc/self/statm") as fh:
            size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + CHILD_HEADROOM, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (OSError, ValueError, ImportError):
        pass                                # no /proc or no limits here: the parent's scan still guards


def _one_per_cell(found: list) -> list:
    """A formula never calculated is the one problem of its cell (it is not also 'blank')."""
    uncached = {(p.sheet, p.row, p.column) for p in found if p.message == guard.UNCACHED}
    if not uncached:
        return found
    return [p for p in found if p.message == guard.UNCACHED or (p.sheet, p.row, p.column) not in uncached]


def _empty(sheet: str) -> pd.DataFrame:
    return read.typed_rows([], sheet, [])


def _frame_in_child(path: str, sheet: str):
    found: list = []
    wb = read.open_workbook(path)
    wb.trust([sheet])                               # scanned by the parent meanwhile
    return read.typed_rows(wb[sheet], sheet, found, wb.uncached.get(sheet)), found


def _result_of(future):
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - the child failed (killed, no memory): read it here instead
        log.warning("prefetch failed; reading in this process", exc_info=True)
        return None


def load_book(source, month: str | None = None, required: tuple = REQUIRED_SHEETS, defer: bool = False) -> StoreBook:
    """Open the store workbook (path, {sheet: 2-D values}, or a StoreBook) and read 设置.

    Raises BookError listing every problem with the sheets and settings (missing required
    sheets, bad setting values, settings that contradict each other, a bad month). ``required``:
    the sheets this use needs (the target decomposition needs none but its own). With
    ``defer`` those problems are kept on the book (``book.problems``, the policy falls back
    to the defaults) so that the caller can add every problem of its own stages and raise
    them all at once. A file the reader cannot take (.xls, corrupt, stray cells far outside
    a table …) raises guard.FileProblem at once.
    """
    if isinstance(source, StoreBook):
        if month is None or parse.month_or_none(month) == source.month:
            return source
        chosen = parse.month_or_none(month)
        if chosen is None:
            bad = [Problem("命令行", None, "--month", f"月份「{month}」无法识别（应为 YYYY-MM，1900–9998 年）")]
            if not defer:
                raise BookError(bad)
            return dataclasses.replace(source, problems=source.problems + bad)
        return dataclasses.replace(source, month=chosen, _frames=source._frames, _pending=source._pending)
    wb = read.open_workbook(source)
    wb.scan([s for s in wb.names if (s in SHEETS or s == SETTINGS) and s != HISTORY])   # 历史 where it is read
    problems = [Problem(s, None, None, "缺少工作表") for s in required if s not in wb.names]
    settings, policy = read_settings(wb[SETTINGS] if SETTINGS in wb.names else [], problems,
                                     wb.uncached.get(SETTINGS, ()))
    chosen = settings.get("month")
    if month is not None:
        chosen = parse.month_or_none(month)
        if chosen is None:
            problems.append(Problem("命令行", None, "--month", f"月份「{month}」无法识别（应为 YYYY-MM，1900–9998 年）"))
    if problems and not defer:
        raise BookError(problems)
    return StoreBook(workbook=wb, settings=settings, policy=policy, month=chosen,
                     store=settings.get(STORE_KEY) or "本店", problems=problems)


def read_settings(rows: list, problems: list, uncached=()) -> tuple[dict, Policy]:
    """设置 (项目 | 值 | 说明) → (book settings by key, Policy). Bad values → problems with rows.

    Each value is read alone (its row is named); then the policy is built once, so settings
    that belong together (e.g. the three rating weights) are validated together.
    """
    settings: dict = {}
    where: dict = {}
    values: dict = {}
    problems += [Problem(SETTINGS, r, "值" if c == 2 else "项目", guard.UNCACHED) for r, c in uncached if c <= 2]
    for row, k, value in read.settings_rows(rows):
        name = FIELD_OF.get(key(k))
        if name is not None:
            where[name] = row
            if not parse.is_blank(value):
                try:
                    values[name] = parse_setting(name, value)
                except ValueError as exc:
                    problems.append(Problem(SETTINGS, row, "值", f"{k}：{exc}"))
            continue
        settings[k] = None if parse.is_blank(value) else value
        where[k] = row
    policy = Policy()
    try:
        policy = Policy(**values)
    except PolicyError as exc:
        for names, msg in exc.problems:
            rows_ = sorted(where[n] for n in names if n in where)
            problems.append(Problem(SETTINGS, rows_[0] if rows_ else None, "值",
                                    f"{'/'.join(LABELS[n] for n in names)}：{msg}"))
    month_value = settings.get(MONTH_KEY)
    settings["month"] = None
    if month_value is not None:
        settings["month"] = parse.month_or_none(month_value)
        if settings["month"] is None:
            problems.append(Problem(SETTINGS, where[MONTH_KEY], "值",
                                    f"{MONTH_KEY}「{month_value}」无法识别（应为 YYYY-MM，如 2026-09）"))
    for k in (STORE_KEY, OUTPUT_KEY):
        settings[k] = parse.text_of(settings.get(k))
    return settings, policy


def known_setting(name: str) -> bool:
    """Whether a 设置 key means something to kpi4s (a policy label or a book setting)."""
    return key(name) in FIELD_OF or name in BOOK_SETTINGS


__all__ = ["StoreBook", "load_book", "read_settings", "SHEETS"]
