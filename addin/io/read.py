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
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from udfs import parse
from udfs.vocab import YES_NO, key

from .guard import package_problems
from .problems import BookError, Problem
from .schema import SETTINGS, SETTINGS_HEADERS, SHEETS, Sheet


class Workbook(Mapping):
    """Sheet name → raw rows (lists of cell values), read lazily and cached."""

    def __init__(self, names: list, loader: Callable[[str], list], path: Path | None = None):
        self.names = list(names)
        self.path = path
        self._loader = loader
        self._rows: dict = {}

    def __getitem__(self, name) -> list:
        if name not in self.names:
            raise KeyError(name)
        if name not in self._rows:
            self._rows[name] = self._loader(name)
        return self._rows[name]

    def __iter__(self):
        return iter(self.names)

    def __len__(self):
        return len(self.names)


def open_workbook(source) -> Workbook:
    """A path to .xlsx/.xlsm, or {sheet: 2-D values}. Raises BookError for an unreadable file."""
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
    if not path.exists():
        raise BookError([Problem(str(path), None, None, "文件不存在")])
    unsafe = package_problems(path)               # a zip bomb, a stray cell at XFD1048576
    if unsafe:
        raise BookError([Problem(where, None, None, msg) for where, msg in unsafe])
    try:
        from python_calamine import CalamineWorkbook
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
        raise BookError([Problem(path.name, None, None, f"无法读取工作簿：{exc}")]) from None

    def load(name):
        return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return Workbook(names, load, path)


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


def table(rows: list, sheet_name: str, problems: list | None = None) -> pd.DataFrame:
    """Raw rows → DataFrame with the canonical headers as columns, plus `_row` (Excel row).

    Wholly blank rows are dropped; a duplicated header keeps its first column.
    """
    sheet = SHEETS.get(sheet_name)
    known = _known_headers(sheet)
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in (rows or [])]
    h = header_row(rows, known) if known else (0 if rows else None)
    if h is None:
        if problems is not None and any(any(v not in (None, "") for v in r) for r in rows):
            problems.append(Problem(sheet_name, None, None, "找不到表头行（应有一列名为「"
                                    + (sheet.columns[0].header if sheet else "?") + "」）"))
        return pd.DataFrame({"_row": pd.Series(dtype="int64")})
    head = rows[h]
    width = max(len(r) for r in rows)
    names, keep = [], []
    for j in range(width):
        v = head[j] if j < len(head) else None
        if v in (None, ""):
            continue
        name = known.get(key(v), str(v).strip()) if known else str(v).strip()
        if name not in names:
            names.append(name)
            keep.append(j)
    body = rows[h + 1:]
    if body and all(len(r) == width for r in body):          # calamine: rectangular
        arr = np.array(body, dtype=object)
    else:
        arr = np.full((len(body), width), None, dtype=object)
        for i, r in enumerate(body):
            arr[i, :len(r)] = r
    df = pd.DataFrame({n: arr[:, j] if len(body) else pd.Series(dtype=object) for n, j in zip(names, keep)})
    df["_row"] = np.arange(h + 2, h + 2 + len(body))
    if len(df) and keep:
        sub = arr[:, keep]
        filled = ~((sub == "") | pd.isna(sub)).all(axis=1)
        df = df[filled]
    return df.reset_index(drop=True)


def typed(df: pd.DataFrame, sheet_name: str, problems: list) -> pd.DataFrame:
    """A table of a schema sheet → typed columns under the English keys (+ `_row`).

    Missing optional columns are added blank; a missing required column is a problem. Vocab
    columns hold codes (None for blank); yes/no columns hold bools.
    """
    sheet = SHEETS[sheet_name]
    rows = df["_row"].to_numpy() if "_row" in df else np.zeros(0, dtype=np.int64)
    out = {}
    for col in sheet.columns:
        if col.header not in df.columns:
            if col.required:
                problems.append(Problem(sheet_name, None, col.header, "缺少此列"))
            out[col.key] = _blank_column(col, len(df))
            continue
        out[col.key] = _convert(df[col.header].to_numpy(dtype=object), col, sheet_name, rows, problems)
        if col.needed:
            for r in rows[_blank_values(df[col.header].to_numpy(dtype=object))]:
                problems.append(Problem(sheet_name, int(r), col.header, "不能为空"))
    if sheet.months:
        for m, h in enumerate(_MONTHS, 1):
            if h in df.columns:
                out[f"m{m}"] = _convert(df[h].to_numpy(dtype=object), _NUMBER, sheet_name, rows, problems, h)
            else:
                out[f"m{m}"] = np.full(len(df), np.nan)
    frame = pd.DataFrame(out, index=df.index)
    frame["_row"] = rows
    return frame


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


__all__ = ["Workbook", "open_workbook", "table", "typed", "settings_rows", "header_row", "SETTINGS"]
