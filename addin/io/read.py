"""Reading sheets: raw cell rows → tables with the schema's keys → typed frames + problems.

A workbook is opened from a path (python-calamine: values only, fast) or from a mapping
{sheet name: 2-D list of values} (what xlwings hands over from the live workbook). Sheets are
read on first use. A table's header is its first row naming a known header (so a title row
above it, blank rows and extra columns are fine); headers match by their Chinese text or an
alias. :func:`typed` converts every column with udfs.parse / udfs.vocab and reports each bad
cell as a Problem(sheet, row, column, message).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from udfs import parse
from udfs.vocab import YES_NO, key

from . import guard
from .problems import Problem
from .save import file_identity
from .schema import SETTINGS, SETTINGS_HEADERS, SHEETS, Sheet


class Workbook(Mapping):
    """Sheet name → raw rows (lists of cell values), read lazily and cached.

    A workbook file's sheets are checked (addin.io.guard) before the reader sees them: stray
    cells far outside a table and oversized sheets raise a FileProblem naming the cells;
    formula cells saved without a value are remembered (``uncached``) for the table readers."""

    def __init__(self, names: list, loader: Callable[[str], list], path: Path | None = None,
                 scanner: Callable[[list], dict] | None = None, identity=None):
        self.names = list(names)
        self.path = path
        self.identity = identity              # the file's (device, inode, size, mtime) when opened
        self._loader = loader
        self._scanner = scanner
        self._rows: dict = {}
        self.uncached: dict = {}              # sheet → [(row, column number)] formulas without values
        self._scanned: set = set()

    def scan(self, names) -> None:
        """Check these sheets now (all at once: one FileProblem lists every stray cell)."""
        todo = [n for n in names if n in self.names and n not in self._scanned]
        if todo and self._scanner is not None:
            self.uncached.update(self._scanner(todo))
        self._scanned.update(todo)

    def trust(self, names) -> None:
        """Read these sheets without scanning them here (another process scans them)."""
        self._scanned.update(names)

    def __getitem__(self, name) -> list:
        if name not in self.names:
            raise KeyError(name)
        if name not in self._rows:
            self.scan([name])
            self._rows[name] = self._loader(name)
        return self._rows[name]

    def __iter__(self):
        return iter(self.names)

    def __len__(self):
        return len(self.names)


def open_workbook(source) -> Workbook:
    """A path to .xlsx/.xlsm, or {sheet: 2-D values}. Raises BookError (a FileProblem) for a
    file that is not a workbook kpi4s can read: .xls, encrypted, corrupt, a zip bomb …"""
    if isinstance(source, Workbook):
        return source
    if isinstance(source, Mapping):
        data = dict(source)

        def load(name):
            v = data[name]
            if v is None:
                return []
            if not isinstance(v, (list, tuple)):
                return [[v]]
            return [list(r) if isinstance(r, (list, tuple)) else [r] for r in v]
        return Workbook(list(data), load)
    path = Path(source)
    pkg = guard.open_package(path)           # signature, zip directory, workbook part
    pkg.close()
    identity = file_identity(path)
    try:
        from python_calamine import CalamineWorkbook
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
        raise guard.FileProblem([Problem(path.name, None, None, f"无法读取工作簿：{exc}")]) from None

    def load(name):
        try:
            return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001 - a part the reader cannot parse
            raise guard.FileProblem([Problem(name, None, None, f"工作表无法读取（{exc}），文件可能已损坏；"
                                                               f"{guard.SAVE_AS}")]) from None

    def scan(names):
        return guard.check_sheets(path, names)
    return Workbook(names, load, path, scan, identity)


# --- tables ---------------------------------------------------------------------------------
def _known_headers(sheet: Sheet | None) -> dict:
    """key(header or alias) → canonical header."""
    if sheet is None:
        return {}
    out = {}
    for c in sheet.columns:
        for word in (c.header, *c.aliases):
            out.setdefault(key(word), c.header)
    if sheet.months:
        out.update({key(h): h for h in _MONTHS})
    return out


_MONTHS = tuple(f"{m}月" for m in range(1, 13))


def header_row(rows: list, known: dict, limit: int = 30) -> int | None:
    """Index of the first row naming a known header (None if no such row)."""
    for i, row in enumerate(rows[:limit]):
        if any(key(v) in known for v in row if v not in (None, "")):
            return i
    return None


@dataclass
class Cells:
    """A sheet's table as read: the kept columns' canonical headers, their cells (a 2-D object
    array of the kept rows) and each kept row's Excel row number."""

    names: list
    values: np.ndarray
    rows: np.ndarray


def cells(rows: list, sheet_name: str, problems: list | None = None, uncached=None) -> Cells:
    """Raw rows → :class:`Cells`: the canonical headers and the table's rows (see :func:`table`)."""
    sheet = SHEETS.get(sheet_name)
    known = _known_headers(sheet)
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in (rows or [])]
    h = header_row(rows, known) if known else (0 if rows else None)
    if h is None:
        if problems is not None and any(any(not parse.is_blank(v) for v in r) for r in rows):
            problems.append(Problem(sheet_name, None, None, "找不到表头行（应有一列名为「"
                                    + (sheet.columns[0].header if sheet else "?") + "」）"))
        return Cells([], np.empty((0, 0), dtype=object), np.zeros(0, dtype=np.int64))
    head = rows[h]
    width = max(len(r) for r in rows)
    names, keep = [], []
    for j in range(width):
        v = head[j] if j < len(head) else None
        if parse.is_blank(v) or (known and key(v) not in known):
            continue
        name = known.get(key(v), str(v).strip()) if known else str(v).strip()
        if name not in names:
            names.append(name)
            keep.append(j)
    body = rows[h + 1:]
    if body and all(len(r) == width for r in body):          # calamine: rectangular
        arr = np.array(body, dtype=object)[:, keep]
    else:
        arr = np.full((len(body), len(keep)), None, dtype=object)
        for i, r in enumerate(body):
            got = [r[j] if j < len(r) else None for j in keep]
            arr[i, :] = got
    numbers = np.arange(h + 2, h + 2 + len(body))
    if problems is not None and uncached:
        at = {j + 1: n for n, j in zip(names, keep)}
        problems += [Problem(sheet_name, r, at[c], guard.UNCACHED) for r, c in uncached if r > h + 1 and c in at]
    if len(body) and keep:
        blank = (arr == "") | pd.isna(arr)
        few = np.flatnonzero((~blank).sum(axis=1) <= 3)           # rows of a few cells: spaces?
        if few.size:
            blank[few] |= parse.blank_mask(arr[few])
        filled = ~blank.all(axis=1)
        if not filled.all():
            arr, numbers = arr[filled], numbers[filled]
    return Cells(names, arr, numbers)


def table(rows: list, sheet_name: str, problems: list | None = None, uncached=None) -> pd.DataFrame:
    """Raw rows → DataFrame with the canonical headers as columns, plus `_row` (Excel row).

    Of a schema sheet only the schema's columns are kept (other columns are the user's own);
    wholly blank rows (spaces count as blank) are dropped; a duplicated header keeps its first
    column. ``uncached``: [(row, column number)] of formula cells saved without a value — each
    one in a kept column is a problem (the value is unknown, not blank).
    """
    c = cells(rows, sheet_name, problems, uncached)
    df = pd.DataFrame({n: c.values[:, k] if len(c.rows) else pd.Series(dtype=object) for k, n in enumerate(c.names)})
    df["_row"] = c.rows
    return df


def typed_rows(rows: list, sheet_name: str, problems: list, uncached=None) -> pd.DataFrame:
    """Raw rows of a schema sheet → its typed frame (:func:`cells`, then :func:`typed`'s rules)."""
    c = cells(rows, sheet_name, problems, uncached)
    return _typed({n: c.values[:, k] for k, n in enumerate(c.names)}, c.rows, sheet_name, problems)


def typed(df: pd.DataFrame, sheet_name: str, problems: list) -> pd.DataFrame:
    """A table of a schema sheet → typed columns under the English keys (+ `_row`).

    Missing optional columns are added blank; a missing required column is a problem. Vocab
    columns hold codes (None for blank); yes/no columns hold bools.
    """
    rows = df["_row"].to_numpy() if "_row" in df else np.zeros(0, dtype=np.int64)
    return _typed({c: df[c].to_numpy(dtype=object) for c in df.columns if c != "_row"}, rows, sheet_name, problems)


def _typed(columns: dict, rows: np.ndarray, sheet_name: str, problems: list) -> pd.DataFrame:
    sheet = SHEETS[sheet_name]
    n = len(rows)
    out = {}
    for col in sheet.columns:
        raw = columns.get(col.header)
        if raw is None:
            if col.required:
                problems.append(Problem(sheet_name, None, col.header, "缺少此列"))
            out[col.key] = _blank_column(col, n)
            continue
        out[col.key] = _convert(raw, col, sheet_name, rows, problems)
        if col.needed:
            for r in rows[_blank_values(raw)]:
                problems.append(Problem(sheet_name, int(r), col.header, "不能为空"))
    if sheet.months:
        for m, h in enumerate(_MONTHS, 1):
            raw = columns.get(h)
            out[f"m{m}"] = np.full(n, np.nan) if raw is None else _convert(raw, _NUMBER, sheet_name, rows, problems, h)
    out["_row"] = rows
    return pd.DataFrame(out)


class _Num:
    kind, header = "number", ""


_NUMBER = _Num()


def _blank_values(raw: np.ndarray) -> np.ndarray:
    """Cells left blank (unreadable cells are flagged by their conversion already)."""
    return parse.blank_mask(raw)


def _blank_column(col, n: int) -> np.ndarray:
    if col.kind == "number":
        return np.full(n, np.nan)
    if col.kind in ("date", "datetime"):
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    if col.kind == "yesno":
        return np.zeros(n, dtype=bool)
    if col.kind == "vocab":
        return np.full(n, None, dtype=object)
    return np.full(n, "", dtype=object)


def _flag(problems, sheet, rows, bad, header, values, message: Callable[[object], str]):
    for r, v in zip(rows[bad], values[bad]):
        problems.append(Problem(sheet, int(r), header, message(v)))


def _convert(values: np.ndarray, col, sheet: str, rows, problems: list, header: str | None = None):
    header = header or col.header
    if col.kind == "text":
        return parse.texts(values)
    if col.kind == "id":
        return parse.ids(values)
    if col.kind == "number":
        nums, bad = parse.numbers(values)
        _flag(problems, sheet, rows, bad, header, values, lambda v: f"「{v}」不是数字")
        return nums
    if col.kind == "month":
        months, bad = parse.months(values)
        _flag(problems, sheet, rows, bad, header, values,
              lambda v: f"月份「{v}」无法识别（应为 YYYY-MM，如 2026-10）")
        return months
    if col.kind in ("date", "datetime"):
        dts, bad = parse.dates(values)
        _flag(problems, sheet, rows, bad, header, values, lambda v: f"日期/时间「{v}」无法识别")
        return dts
    if col.kind == "yesno":
        codes, bad = YES_NO.codes_of(values)
        _flag(problems, sheet, rows, bad, header, values, lambda v: f"「{v}」应填 是 或 否")
        return codes == "yes"
    if col.kind == "vocab":
        codes, bad = col.vocab.codes_of(values)
        _flag(problems, sheet, rows, bad, header, values,
              lambda v: f"{col.vocab.title}「{str(v).strip()}」无效（可选：{col.vocab.help_zh()}）")
        return codes
    raise ValueError(col.kind)


def settings_rows(rows: list) -> list[tuple[int, str, object]]:
    """The 设置 sheet (项目 | 值 | 说明) → [(Excel row, key, value)] for non-blank keys."""
    if not rows:
        return []
    known = {key(h): h for h in SETTINGS_HEADERS}
    h = header_row(rows, known, 20)
    if h is not None:
        head = [key(v) for v in rows[h]]
        kj, vj, start = head.index(key("项目")), head.index(key("值")) if key("值") in head else 1, h + 1
    else:
        kj, vj, start = 0, 1, 0
    out = []
    for i, row in enumerate(rows[start:], start=start + 1):
        k = parse.text_of(row[kj]) if kj < len(row) else ""
        if k:
            out.append((i, k, row[vj] if vj < len(row) else None))
    return out


__all__ = ["Workbook", "open_workbook", "Cells", "cells", "table", "typed", "typed_rows", "settings_rows", "header_row", "SETTINGS"]
