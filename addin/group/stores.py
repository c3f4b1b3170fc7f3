"""One store workbook's month, as the group sees it (runs in a worker process).

:func:`read_store` opens the book, checks that it has figures for the month, validates and
computes the month with the store pipeline (addin.month.compute_month — or, for ``--run``,
the macro that also writes the store's own report, passed in as ``report``), and hands back
a compact, picklable :class:`StoreMonth`: the people, KPI items, actions, scorers and 历史
of the month, or the problems that kept the store out. It never raises: a bad store is data.
"""
from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from addin.io import read
from addin.io import schema as S
from addin.io.book import StoreBook, load_book
from addin.io.problems import BookError, Problem
from addin.month import compute_month
from addin.month.results import HISTORY_COLUMNS, SCORER_COLUMNS, MonthResults
from udfs import parse

from .books import open_store

log = logging.getLogger(__name__)

PEOPLE = ["employee_id", "name", "department", "position", "category", "eligible", "exempt_reason", "items",
          "total", "band_grade", "grade", "commission", "base", "pay", "action", "actions", "a_run", "d_run", "e_run"]
ITEMS = ["employee_id", "seq", "section", "item", "kpi_id", "kind", "weight", "target", "actual", "unit",
         "direction", "rating", "ratio", "score"]
ACTIONS = ["employee_id", "action", "run", "months", "headline"]

Report = Callable[[StoreBook, str], MonthResults]


@dataclass
class StoreMonth:
    """What the group keeps of one store workbook for one month."""

    path: str
    store: str                              # 设置「门店名称」, else the file name
    status: str                             # udfs.vocab.STORE_STATUS code: ok | bad | missing | skipped
    month: str | None = None
    problems: list = field(default_factory=list)     # [Problem] (bad) — sheet, row, column, message
    notes: list = field(default_factory=list)        # Chinese remarks that do not keep the store out
    people: pd.DataFrame | None = None      # PEOPLE
    items: pd.DataFrame | None = None       # ITEMS
    actions: pd.DataFrame | None = None     # ACTIONS
    scorers: pd.DataFrame | None = None     # addin.month.results.SCORER_COLUMNS
    history: pd.DataFrame | None = None     # HISTORY_COLUMNS: every month the store's 历史 holds
    grading: str = ""                       # the store's own grading policy (udfs.vocab.GRADING)
    eval_group: str = ""
    seconds: float = 0.0
    fingerprint: str = ""                   # the file's content, kpi4s's version and the month (see below)
    cached: bool = False                    # taken from the archive: the book is unchanged since it was archived

    @property
    def file(self) -> str:
        return Path(self.path).name


def fingerprint(path, month: str) -> str:
    """What a store month's results depend on: the workbook's bytes, the month and the version
    of kpi4s that computes it. The same fingerprint gives the same results, so the archive's
    copy can stand in for reading the book again."""
    from addin import __version__
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    h.update(f"|{month}|kpi4s {__version__}".encode())
    return h.hexdigest()


def has_month(book: StoreBook, month: str) -> bool:
    """Whether the book holds any figures for the month (月度实绩 or 评分 rows)."""
    for sheet in (S.ACTUALS, S.RATINGS):
        if book.has(sheet) and book.frame(sheet, [])["month"].eq(month).any():
            return True
    return False


def _stale(before: pd.DataFrame, res: MonthResults) -> str | None:
    """A note when the store's own 历史 does not hold this month as computed now."""
    mine = before["month"].to_numpy(dtype=object) == res.month
    if not mine.any():
        return f"门店尚未运行 {res.month} 月度报告（已按工作簿当前数据汇总）"
    old = before[mine]
    at = parse.first_positions((old["employee_id"].to_numpy(dtype=object),), (res.people["employee_id"].to_numpy(dtype=object),))
    found, safe = at >= 0, np.maximum(at, 0)

    def was(col: str, dtype) -> np.ndarray:          # the 历史 row's value of each person (blank when none)
        v = old[col].to_numpy(dtype=dtype)
        return np.where(found, v[safe] if len(v) else None, None)
    now, grade = res.people, was("grade", object)
    same = np.isclose(was("total", float).astype(float), now["total"].to_numpy(dtype=float), equal_nan=True) & \
        np.isclose(was("pay", float).astype(float), now["pay"].to_numpy(dtype=float), equal_nan=True) & \
        (np.where(pd.isna(grade), "", grade) == now["grade"].to_numpy(dtype=object))
    k = int((~same).sum())
    if k:
        return (f"门店的 {res.month} 月度报告与工作簿当前数据不一致（{k} 人），已按当前数据汇总；"
                "请门店重新运行月度报告，或用 --run 汇总")
    return None


def _group_book(path: Path) -> bool:
    """A group workbook (its output sheets, or 设置 naming 集团名称) lying among the store books."""
    try:
        wb = read.open_workbook(path)
        if S.ROSTER in wb.names:
            return False
        if any(n in wb.names for n in S.GROUP_OUTPUTS):
            return True
        return S.SETTINGS in wb.names and any(k == S.GROUP_NAME_KEY for _, k, _ in read.settings_rows(wb[S.SETTINGS]))
    except Exception:  # noqa: BLE001 - unreadable: it is reported as a bad store book instead
        return False


def compact(res: MonthResults) -> dict:
    """The parts of a month's results the group keeps (small frames, picklable)."""
    p = res.people.reindex(columns=PEOPLE).copy()
    p["actions"] = [",".join(a) for a in p["actions"]]
    a = res.actions.reindex(columns=ACTIONS).copy()
    a["months"] = ["、".join(f"{m} {g}" for m, g in ms) for ms in a["months"]]
    sc = res.scorers.reindex(columns=SCORER_COLUMNS).reset_index(drop=True)
    sc = sc.assign(due=sc["due"].astype("datetime64[ns]"), submitted=sc["submitted"].astype("datetime64[ns]"))
    return dict(people=p.reset_index(drop=True), items=res.items.reindex(columns=ITEMS).reset_index(drop=True),
                actions=a, scorers=sc,
                history=res.history.reindex(columns=HISTORY_COLUMNS).reset_index(drop=True),
                grading=res.policy.grading, eval_group=res.policy.eval_group)


def stack(stores: list, attr: str) -> pd.DataFrame:
    """One frame of every store's ``attr`` (people, items …) with a ``store`` column, in order."""
    keep = [(s.store, getattr(s, attr)) for s in stores if getattr(s, attr) is not None]
    if not keep:
        return pd.DataFrame(columns=["store"])
    out = pd.concat([f for _, f in keep], ignore_index=True)
    out["store"] = np.repeat(np.array([n for n, _ in keep], dtype=object), [len(f) for _, f in keep])
    return out


def read_store(path, month: str | None = None, report: Report | None = None) -> StoreMonth:
    """The store workbook's month → StoreMonth (never raises; problems and faults are data)."""
    t0 = time.perf_counter()
    path = Path(path)
    out = StoreMonth(str(path), path.stem, "bad", month)
    try:
        wb, why = open_store(path)
        if why:
            out.problems = [Problem(path.name, None, None, why)]
            return out
        book = load_book(wb, month)
        out.store = parse.text_of(book.settings.get(S.STORE_KEY)) or path.stem
        out.month = book.month
        if not book.month:
            out.problems = [Problem(S.SETTINGS, None, S.MONTH_KEY, "未指定考核月份（设置表「考核月份」或 --month）")]
            return out
        if not has_month(book, book.month):
            out.status = "missing"
            return out
        before = book.frame(S.HISTORY) if book.has(S.HISTORY) else None
        if report is not None and path.suffix.lower() == ".xls":
            out.problems = [Problem(path.name, None, None, "无法为 .xls 工作簿运行月度报告：请另存为 .xlsx 后重试")]
            return out
        res = report(book, book.month) if report is not None else compute_month(book, book.month, periods=False)
        if report is None and before is not None:
            note = _stale(before, res)
            if note:
                out.notes.append(note)
        if res.warnings:
            out.notes.append(f"数据提示 {len(res.warnings)} 条（见门店月度报告），如：{res.warnings[0]}")
        for k, v in compact(res).items():
            setattr(out, k, v)
        out.status = "ok"
    except BookError as exc:
        out.problems = list(exc.problems)
        if _group_book(path):
            out.status, out.problems = "skipped", []
            out.notes.append("这是集团汇总工作簿，不是门店工作簿，已跳过")
    except Exception as exc:  # noqa: BLE001 - a store's fault must not stop the group: it is named
        log.debug("store %s failed", path, exc_info=True)
        out.problems = [Problem(path.name, None, None, f"处理时出错：{type(exc).__name__}: {str(exc)[:200]}")]
    finally:
        out.seconds = time.perf_counter() - t0
    return out


__all__ = ["StoreMonth", "read_store", "has_month", "compact", "stack", "fingerprint", "PEOPLE", "ITEMS", "ACTIONS"]
