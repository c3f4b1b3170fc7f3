"""KPI actuals from the dealer management system's exports (SPEC §7).

:func:`compute` opens the exports (addin.dms.files), types and validates them into DuckDB
(addin.dms.load), runs every DMS definition of the book's 指标库 (addin.dms.engine) for the months
asked for and hands back :class:`DmsResults`: figures per employee, department and store, each
KPI's evidence, what was skipped and why. Bad exports raise one BookError listing every problem
(file, row, column); nothing is written here.
"""
from __future__ import annotations

import logging
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pandas as pd

from addin.io import duck
from addin.io import schema as S
from addin.io.book import StoreBook, load_book
from addin.io.problems import Problem, raise_if
from addin.month.cards import library
from addin.month.roster import read_roster
from udfs import dms as D
from udfs import parse
from udfs.vocab import DMS_EXPORT

from .engine import Engine, create_views, definitions
from .files import expand, open_export
from .load import Loader
from .mapping import read_mapping
from .results import DmsResults, merge_actuals

log = logging.getLogger(__name__)
TITLE = "DMS导出有错误，未写入任何内容"
TREND_MONTHS = 12                 # 车间分析's monthly trend


def months_of(text, book_month: str | None) -> list[str]:
    """--month: 'YYYY-MM', 'YYYY-MM:YYYY-MM' (a range) or None (the book's month)."""
    if text is None or str(text).strip() == "":
        if not book_month:
            raise_if([Problem(S.SETTINGS, None, S.MONTH_KEY, "未指定月份（设置表「考核月份」或 --month）")], TITLE)
        return [book_month]
    first, _, last = str(text).replace("..", ":").replace("～", ":").replace("~", ":").partition(":")
    a, b = parse.month_or_none(first.strip()), parse.month_or_none((last or first).strip())
    if a is None or b is None or a > b:
        raise_if([Problem("命令行", None, "--month", f"月份「{text}」无法识别（YYYY-MM，或 YYYY-MM:YYYY-MM）")], TITLE)
    months = parse.month_range(a, b)
    if len(months) > 120:
        raise_if([Problem("命令行", None, "--month", "一次最多计算 120 个月")], TITLE)
    return months



def compute(source, exports, months=None, *, evidence: bool = True, override: bool = False,
            trend: bool = True) -> DmsResults:
    """The DMS figures of ``months`` (a list, 'YYYY-MM[:YYYY-MM]' or None = the book's month).

    source: the store workbook (path, {sheet: values} or StoreBook) for its roster, 指标库,
    DMS映射 and 设置. exports: files or folders. evidence: keep each KPI's rows of the last month.
    trend: also compute the 12 months up to the last one (车间分析's trend).
    """
    marks, t0 = [], time.perf_counter()
    book = source if isinstance(source, StoreBook) else load_book(source)
    wanted = months if isinstance(months, list) else months_of(months, book.month)
    span_months = sorted(set(wanted) | (set(parse.month_range(parse.add_months(wanted[-1], 1 - TREND_MONTHS), wanted[-1]))
                                        if trend else set()))
    problems: list = []
    mapping = read_mapping(book, problems)
    # the roster and the 指标库 are read on the side while DuckDB loads the exports (it leaves the
    # interpreter free while it reads; started once the exports are opened, so that it does not
    # slow down the Python that opens them); the book is not touched here meanwhile
    side = ThreadPoolExecutor(max_workers=1)
    people: list = []
    try:
        return _compute(book, exports, wanted, span_months, mapping,
                        lambda: people.append(side.submit(_people_and_library, book)) or people[0],
                        problems, marks, t0, evidence=evidence, override=override)
    finally:
        side.shutdown(wait=False)
        wait(people)                # never leave the side thread reading a book the caller goes on using


def _compute(book, exports, wanted, span_months, mapping, people, problems, marks, t0, *, evidence,
             override) -> DmsResults:
    files, found = expand(exports)
    problems += found
    if not files and not found:
        problems.append(Problem("命令行", None, "EXPORT", "没有给出DMS导出文件"))
    with tempfile.TemporaryDirectory(prefix="kpi4s-dms-") as scratch:
        opened = [e for e in (open_export(f, mapping, Path(scratch), problems) for f in files) if e is not None]
        if opened and "ro" not in {e.kind for e in opened}:
            problems.append(Problem("命令行", None, "EXPORT", "缺少维修工单导出（必需）：" +
                                    "、".join(f"{e.name}={e.label}" for e in opened)))
        marks.append(("识别", time.perf_counter() - t0))
        con = duck.connect()
        try:
            loader = Loader(con, mapping, problems)
            people = people()
            loader.load(opened if not problems else [])
            roster, lib, lib_rows, found = people.result()
            problems += found
            raise_if(problems, TITLE)
            loader.check(book.settings.get(S.STORE_KEY) or "", D.month_span(wanted), roster)
            raise_if(problems, TITLE)
            marks.append(("读取校验", time.perf_counter() - t0))
            kinds = set(loader.loaded.tables)
            columns = {k: [r[0] for r in con.execute(f"DESCRIBE {k}_t").fetchall()
                           if not r[0].endswith("__raw") and r[0] not in ("_blank", "_src") and not r[0].startswith("t_")]
                       for k in kinds}
            defs = definitions(lib, lib_rows)
            create_views(con, kinds, columns, loader.store_filter, customers=any("customers" in d.views for d in defs),
                         words=loader.words)
            staff = loader.loaded.staff if loader.loaded.staff is not None else pd.DataFrame(
                columns=["dms", "employee_id", "name", "department", "category", "position"])
            res = _run(con, book, lib, defs, kinds, wanted, span_months, evidence, override, staff, loader, problems)
        finally:
            con.close()
    raise_if(problems, TITLE)
    marks.append(("计算", time.perf_counter() - t0))
    res.timings = [(k, v) for k, v in marks]
    return res


def _run(con, book, lib, defs, kinds, wanted, span_months, evidence, override, staff, loader,
         problems) -> DmsResults:
    engine = Engine(con, book.policy, span_months, problems, staff)
    con.execute("SET enable_external_access = false")         # the definitions read the loaded tables only
    engine.needed_by_others = {k for d in defs for k in d.kpis}
    kept, skipped = {}, {}
    for d in defs:
        missing = engine.missing(d, kinds)
        gone = [k for k in sorted(d.kpis) if k not in engine.made]
        if missing:
            skipped[d.kpi_id] = "缺少" + "、".join(DMS_EXPORT.label(v) for v in sorted(missing)) + "导出"
            continue
        if gone:
            skipped[d.kpi_id] = "所依据的指标未计算：" + "、".join(lib.at[k, "name_zh"] if k in lib.index else k for k in gone)
            continue
        if not engine.run(d, keep_rows=evidence):
            skipped[d.kpi_id] = "计算定义出错"
            continue
        if evidence:
            kept[d.kpi_id] = engine.evidence(d, wanted[-1])
    return DmsResults(
        store=book.store, months=wanted, month=wanted[-1], figures=engine.figures(lib),
        evidence=kept,
        definitions={d.kpi_id: (d.name, d.unit, str(lib.loc[d.kpi_id, "formula"]), d.sql) for d in defs},
        skipped=skipped,
        files=[(e.name, e.label, n) for kind in loader.loaded.tables for e, _, n in loader.loaded.tables[kind]],
        override=override, rework_days=book.policy.rework_days)


def _people_and_library(book: StoreBook) -> tuple:
    """员工名册 and 指标库 read and checked: (roster, library, 指标库 rows by id, problems)."""
    found: list = []
    roster = read_roster(book, found)
    lib = library(book, found)
    return roster, lib, _library_rows(book), found


def _library_rows(book: StoreBook) -> dict:
    """KPI id → its 指标库 row (for problems in a definition)."""
    if not book.has(S.KPI_LIB):
        return {}
    t = book.table(S.KPI_LIB)
    if "编号" not in t.columns:
        return {}
    return {str(k).strip(): int(r) for k, r in zip(t["编号"], t["_row"]) if str(k).strip()}


__all__ = ["compute", "months_of", "DmsResults", "merge_actuals", "TITLE"]
