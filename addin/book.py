"""The store workbook at the border: read it fast, validate it, write output sheets atomically.

`load_book(source)` accepts a path to an .xlsx/.xlsm (read with python-calamine, values only)
or a mapping {sheet name: 2-D list of values} (what xlwings hands over). Every table sheet
has its header on its first non-blank row; headers are matched by their Chinese text or an
English alias, so users may reorder or add columns.

`StoreBook.frame(sheet, problems)` turns a sheet into a typed DataFrame with English column
keys and an `_row` column (the Excel row number); every bad cell is appended to `problems`
as an `addin.errors.Problem(sheet, row, column, message)` instead of stopping at the first.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from addin.errors import BookError, Problem
from addin.io.save import atomic_save  # noqa: F401  (moved)
from udfs.policy import SETTING_LABELS, Policy

# --- sheet names ----------------------------------------------------------------------
SETTINGS = "设置"
ROSTER = "员工名册"
KPI_LIB = "指标库"
SCORECARDS = "考核表"
ACTUALS = "月度实绩"
ADJUSTMENTS = "加减分"
COMMISSION = "提成"
SUBMISSIONS = "评分提交"
RATINGS = "评分"
HISTORY = "历史"
REPORT = "月度报告"
TARGETS = "目标分解"
PREVIEW = "考核预览"          # live worksheet-function preview (template only, never read)

INPUT_SHEETS = (SETTINGS, ROSTER, KPI_LIB, SCORECARDS, ACTUALS, ADJUSTMENTS, COMMISSION,
                SUBMISSIONS, RATINGS)
OUTPUT_SHEETS = (HISTORY, REPORT)

# keys of the 设置 sheet that are not Policy fields
STORE_KEY = "门店名称"
MONTH_KEY = "考核月份"
OUTPUT_KEY = "输出文件夹"
SETTINGS_HEADERS = ("项目", "值", "说明")


def quarter_sheet(year: int, quarter: int) -> str:
    return f"{year}年Q{quarter}季度考核"


def year_sheet(year: int) -> str:
    return f"{year}年度考核"


@dataclass(frozen=True)
class Col:
    key: str                  # English identifier used in code
    header: str               # Chinese header on the sheet
    kind: str = "str"         # str | id | num | month | date | datetime | bool
    required: bool = False    # the column must exist
    aliases: tuple = ()


SCHEMAS: dict[str, tuple[Col, ...]] = {
    ROSTER: (
        Col("employee_id", "员工编号", "id", True, ("工号", "编号", "employee_id", "id")),
        Col("name", "姓名", "str", True, ("name", "员工姓名")),
        Col("department", "部门", "str", True, ("department", "dept")),
        Col("position", "岗位", "str", True, ("position", "职位")),
        Col("category", "考核类别", "str", True, ("类别", "category")),
        Col("manager", "直接上级", "str", False, ("manager", "直属上级")),
        Col("next_manager", "隔级上级", "str", False, ("next_manager", "上级经理", "二级上级")),
        Col("salary", "月工资", "num", True, ("月薪", "salary", "月工资(元)")),
        Col("status", "状态", "str", True, ("status", "员工状态")),
        Col("hire_date", "入职日期", "date", False, ("hire_date", "入职时间")),
    ),
    KPI_LIB: (   # headers of udfs.kpis.LIBRARY_HEADERS_ZH; read with udfs.kpis.from_frame
        Col("id", "编号", "str", True, ("指标编号", "id", "kpi_id")),
        Col("name_zh", "中文名", "str", True, ("指标名称", "name_zh")),
        Col("name_en", "英文名", "str", False, ("name_en",)),
        Col("formula", "公式", "str", False, ("formula", "计算公式")),
        Col("direction", "方向", "str", False, ("direction",)),
        Col("target", "默认目标", "num", False, ("target", "目标值")),
        Col("unit", "单位", "str", False, ("unit",)),
        Col("additive", "可加", "str", False, ("additive",)),
        Col("section", "类别", "str", False, ("section", "考核维度")),
        Col("department", "部门", "str", False, ("department",)),
        Col("source", "来源", "str", False, ("source",)),
        Col("note", "说明", "str", False, ("note", "备注")),
    ),
    SCORECARDS: (
        Col("position", "岗位", "str", True, ("position",)),
        Col("employee_id", "员工编号", "id", False, ("工号", "employee_id")),
        Col("seq", "序号", "num", False, ("seq", "no")),
        Col("section", "考核维度", "str", False, ("section", "维度")),
        Col("item", "考核项目", "str", True, ("item", "项目", "指标名称")),
        Col("kpi_id", "指标编号", "str", False, ("kpi_id", "kpi")),
        Col("kind", "类型", "str", False, ("kind", "考核方式")),
        Col("weight", "权重", "num", True, ("weight",)),
        Col("target", "目标值", "num", False, ("target", "目标")),
        Col("direction", "方向", "str", False, ("direction",)),
        Col("unit", "单位", "str", False, ("unit",)),
        Col("indicator", "目标分解指标", "str", False, ("indicator", "目标指标")),
    ),
    ACTUALS: (
        Col("month", "月份", "month", True, ("month", "考核月份")),
        Col("employee_id", "员工编号", "id", True, ("工号", "employee_id")),
        Col("name", "姓名", "str", False, ("name",)),
        Col("item", "考核项目", "str", True, ("item", "项目")),
        Col("actual", "实际值", "num", True, ("actual", "实绩", "完成值")),
        Col("target", "目标值", "num", False, ("target", "本月目标")),
    ),
    ADJUSTMENTS: (
        Col("month", "月份", "month", True, ("month",)),
        Col("employee_id", "员工编号", "id", True, ("工号", "employee_id")),
        Col("name", "姓名", "str", False, ("name",)),
        Col("points", "加减分", "num", False, ("分值", "points")),
        Col("veto", "否决项", "bool", False, ("veto", "是否否决")),
        Col("reason", "事由", "str", False, ("reason", "原因", "说明")),
    ),
    COMMISSION: (
        Col("month", "月份", "month", True, ("month",)),
        Col("employee_id", "员工编号", "id", True, ("工号", "employee_id")),
        Col("name", "姓名", "str", False, ("name",)),
        Col("commission", "提成金额", "num", True, ("提成", "提成工资总额", "commission")),
    ),
    SUBMISSIONS: (
        Col("month", "考核月份", "month", True, ("月份", "month")),
        Col("scorer", "评分人", "str", True, ("scorer", "姓名")),
        Col("role", "角色", "str", True, ("role", "岗位")),
        Col("submitted", "提交时间", "datetime", False, ("submitted", "提交日期")),
    ),
    RATINGS: (
        Col("month", "月份", "month", True, ("month",)),
        Col("employee_id", "员工编号", "id", True, ("工号", "employee_id")),
        Col("name", "姓名", "str", False, ("name",)),
        Col("item", "考核项目", "str", True, ("item", "项目")),
        Col("rating_self", "自评", "num", False, ("self", "自评(%)", "rating_self")),
        Col("rating_manager", "直接上级评", "num", False, ("复评", "上级评分", "manager", "rating_manager")),
        Col("rating_peer", "360°评", "num", False, ("360评", "360°评定", "peer", "rating_peer")),
    ),
    HISTORY: (
        Col("month", "月份", "month", True, ("month",)),
        Col("employee_id", "员工编号", "id", True, ("工号", "employee_id")),
        Col("name", "姓名", "str", False, ("name",)),
        Col("department", "部门", "str", False, ("department",)),
        Col("total", "总分", "num", False, ("total", "得分")),
        Col("grade", "等级", "str", False, ("grade",)),
        Col("pay", "绩效工资", "num", False, ("pay",)),
    ),
}
HISTORY_HEADERS = [c.header for c in SCHEMAS[HISTORY]]
REQUIRED_SHEETS = (SETTINGS, ROSTER, SCORECARDS, ACTUALS)


def headers(sheet: str) -> list[str]:
    """The Chinese headers of a table sheet, in template order."""
    return [c.header for c in SCHEMAS[sheet]]


# --- value helpers ---------------------------------------------------------------------
_MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})")


def parse_month(value: Any) -> str | None:
    """'2026-10', '2026/10', '2026年10月', a date or datetime → 'YYYY-MM'; None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, (_dt.date, _dt.datetime, pd.Timestamp)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        v = int(value)
        if 190001 <= v <= 299912 and 1 <= v % 100 <= 12:   # 202610
            return f"{v // 100:04d}-{v % 100:02d}"
        if 20000 < v < 80000:                               # Excel date serial
            d = _dt.date(1899, 12, 30) + _dt.timedelta(days=v)
            return f"{d.year:04d}-{d.month:02d}"
        return None
    m = _MONTH_RE.match(str(value))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def _blank(s: pd.Series) -> np.ndarray:
    return (s.isna() | s.astype(str).str.strip().eq("")).to_numpy()


def _id_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v).strip()


def _as_ids(s: pd.Series) -> pd.Series:
    """Employee ids as text: 1001.0 → '1001', ' E01 ' → 'E01', blank → ''."""
    return pd.Series([_id_text(v) for v in s.tolist()], index=s.index, dtype=object)


def _texts(s: pd.Series) -> pd.Series:
    """Cell values as stripped text ('' for blank), one pass (no pandas .str loops)."""
    return pd.Series([v.strip() if isinstance(v, str) else ("" if v is None or v != v else str(v))
                      for v in s.tolist()], index=s.index, dtype=object)


def _months(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """parse_month over a column; values repeat, so each distinct value is parsed once."""
    codes, uniques = pd.factorize(pd.Series(s.tolist(), dtype=object), use_na_sentinel=True)
    parsed = np.array([parse_month(u) or ("" if u == "" else None) for u in uniques] + [""], dtype=object)
    out = parsed[codes]                      # code -1 (blank) → the trailing ""
    bad = pd.isna(out)
    out[bad] = ""
    return pd.Series(out, index=s.index, dtype=object), np.asarray(bad, dtype=bool)


def _to_datetime(v: Any):
    if isinstance(v, _dt.datetime):
        return v
    if isinstance(v, _dt.date):
        return _dt.datetime(v.year, v.month, v.day)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if 1 <= v < 80000:
            return _dt.datetime(1899, 12, 30) + _dt.timedelta(days=float(v))
        return None
    text = str(v).strip().replace("/", "-").replace("：", ":")
    try:
        return pd.Timestamp(text).to_pydatetime()
    except (ValueError, TypeError):
        return None


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "否决", "x"}
_FALSE = {"否", "n", "no", "false", "0", ""}


@dataclass
class StoreBook:
    """The store workbook's inputs as pandas tables (values only)."""

    path: Path | None
    tables: Mapping            # sheet name -> DataFrame (header row as columns, + `_row`)
    settings: dict
    policy: Policy
    month: str | None
    store: str
    sheet_names: list = field(default_factory=list)
    raw: dict = field(default_factory=dict, repr=False)
    _frames: dict = field(default_factory=dict, repr=False)

    def has(self, sheet: str) -> bool:
        return sheet in self.sheet_names

    def prefetch(self, sheets) -> None:
        """Start reading these sheets' typed frames in a forked process (the second core).

        Reading a group workbook's year of history costs ~1.3 s in calamine, which holds the
        GIL; a child process reads it while this one reads and scores the month's inputs.
        Only where `fork` exists (Linux) and the book came from a file; otherwise a no-op.
        """
        import multiprocessing as mp
        wanted = [s for s in sheets if self.has(s) and s not in self._frames]
        if not wanted or self.path is None or "fork" not in mp.get_all_start_methods():
            return
        from concurrent.futures import ProcessPoolExecutor
        ex = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"))
        for sheet in wanted:
            self._frames[sheet] = ex.submit(_frame_in_child, str(self.path), sheet)
        ex.shutdown(wait=False)

    def frame(self, sheet: str, problems: list | None = None) -> pd.DataFrame:
        """The sheet as a typed DataFrame with English keys (+ `_row`), bad cells → problems.

        Missing optional columns are added blank; a missing sheet gives an empty frame.
        """
        problems = [] if problems is None else problems
        pending = self._frames.get(sheet)
        if pending is not None:
            try:
                frame, found = pending.result() if hasattr(pending, "result") else pending
                self._frames[sheet] = (frame, found)
                problems.extend(found)
                return frame.copy()
            except Exception:   # noqa: BLE001 - the child failed: read it here instead
                self._frames.pop(sheet, None)
        found: list = []
        frame = self._read_frame(sheet, found)
        self._frames[sheet] = (frame, found)
        problems.extend(found)
        return frame.copy()

    def _read_frame(self, sheet: str, problems: list) -> pd.DataFrame:
        schema = SCHEMAS[sheet]
        cols = [c.key for c in schema] + ["_row"]
        if not self.has(sheet):
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        df = self.tables[sheet]
        out = pd.DataFrame(index=df.index)
        for col in schema:
            if col.header not in df.columns:
                if col.required:
                    problems.append(Problem(sheet, None, col.header, "缺少此列"))
                out[col.key] = np.nan if col.kind == "num" else ("" if col.kind in ("str", "id", "month") else None)
                continue
            s = df[col.header]
            out[col.key] = _convert(s, col, sheet, df["_row"], problems)
        out["_row"] = df["_row"].to_numpy()
        return out


def _frame_in_child(path: str, sheet: str):
    names, loader = _calamine_loader(Path(path))
    book = StoreBook(path=Path(path), tables=_LazyTables(names, loader), settings={}, policy=Policy(),
                     month=None, store="", sheet_names=names)
    problems: list = []
    return book.frame(sheet, problems), problems


def _convert(s: pd.Series, col: Col, sheet: str, rows: pd.Series, problems: list) -> pd.Series:
    def flag(mask, message):
        for r in rows.to_numpy()[mask]:
            problems.append(Problem(sheet, int(r), col.header, message))

    if col.kind == "str":
        return _texts(s)
    if col.kind == "id":
        return _as_ids(s)
    if col.kind == "num":
        values = s.tolist()
        num = pd.to_numeric(pd.Series(values, index=s.index, dtype=object), errors="coerce").astype(float)
        bad = np.zeros(len(values), dtype=bool)
        nan_at = np.flatnonzero(num.isna().to_numpy())
        for i in nan_at:                      # only blanks and typed text: few
            v = values[i]
            if v is None or v == "" or (isinstance(v, float) and v != v):
                continue
            if isinstance(v, str):            # "30%", "1,500"
                t = v.strip().replace(",", "").replace("，", "")
                try:
                    num.iat[i] = float(t.rstrip("%％")) / (100 if t.endswith(("%", "％")) else 1)
                    continue
                except ValueError:
                    pass
            bad[i] = True
        for i in [i for i, v in enumerate(values) if v.__class__ is bool]:                       # TRUE/FALSE are not numbers
            num.iat[i] = np.nan
            bad[i] = True
        flag(bad, f"「{s[bad].astype(str).iloc[0] if bad.any() else ''}」不是数字" if bad.sum() == 1 else "不是数字")
        return num.astype(float)
    if col.kind == "month":
        vals, bad = _months(s)
        flag(bad, "月份无法识别（应为 YYYY-MM，如 2026-10）")
        return vals
    if col.kind in ("date", "datetime"):
        blank = _blank(s)
        vals = [None if b else _to_datetime(v) for v, b in zip(s.to_numpy(), blank)]
        bad = np.array([v is None for v in vals], dtype=bool) & ~np.asarray(blank, dtype=bool)
        flag(bad, "日期/时间无法识别")
        return pd.Series(vals, index=s.index, dtype=object)
    if col.kind == "bool":
        key = pd.Series([t.lower() for t in _texts(s).tolist()], index=s.index, dtype=object)
        true = key.isin(_TRUE).to_numpy()
        bad = ~true & ~key.isin(_FALSE).to_numpy()
        flag(bad, "应填 是 或 否")
        return pd.Series(true, index=s.index)
    raise ValueError(col.kind)


# --- reading ---------------------------------------------------------------------------
def _header_row(rows: list, sheet: str) -> int:
    """Index of the header row: the first row naming a known header (schema sheets), else the
    first row with two or more non-blank cells."""
    known = set()
    for c in SCHEMAS.get(sheet, ()):
        known.add(c.header)
        known.update(c.aliases)
    if sheet == SETTINGS:
        known.update(SETTINGS_HEADERS)
    for i, row in enumerate(rows[:20]):
        cells = [str(v).strip() for v in row if v not in (None, "")]
        if known and any(c in known for c in cells):
            return i
        if not known and len(cells) >= 2:
            return i
    return 0


def _canonical_header(sheet: str, text: str) -> str:
    for c in SCHEMAS.get(sheet, ()):
        if text == c.header or text in c.aliases or text.lower() in c.aliases:
            return c.header
    return text


def table_from_rows(rows: list, sheet: str) -> pd.DataFrame:
    """A 2-D list of values (row 1 first) → DataFrame with the header row as columns + `_row`."""
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in (rows or [])]
    if not rows:
        return pd.DataFrame({"_row": pd.Series(dtype=int)})
    h = _header_row(rows, sheet)
    head = rows[h]
    width = max(len(r) for r in rows)
    names, keep = [], []
    for j in range(width):
        v = head[j] if j < len(head) else None
        text = "" if v is None else str(v).strip()
        if text:
            name = _canonical_header(sheet, text)
            if name in names:       # a duplicate header: keep the first
                continue
            names.append(name)
            keep.append(j)
    body = rows[h + 1:]
    if body and all(len(r) == width for r in body):      # calamine: rectangular
        cols = {name: [r[j] for r in body] for name, j in zip(names, keep)}
    else:
        cols = {name: [r[j] if j < len(r) else None for r in body] for name, j in zip(names, keep)}
    df = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()}) if names else \
        pd.DataFrame(index=range(len(body)))
    df["_row"] = np.arange(h + 2, h + 2 + len(body))
    # drop wholly blank rows (formatted but empty lines below the data)
    if len(df) and names:
        blank1, blank2 = [""] * width, [None] * width
        filled = np.fromiter((r != blank1 and r != blank2 for r in body), dtype=bool, count=len(body)) \
            if all(len(r) == width for r in body) else \
            np.fromiter((any(x not in ("", None) for x in r) for r in body), dtype=bool, count=len(body))
        if not filled.all():
            df = df[filled]
    return df.reset_index(drop=True)


class _LazyTables(Mapping):
    """Sheet tables read on first access (a group workbook has large sheets nobody needs)."""

    def __init__(self, names: list, loader: Callable[[str], list]):
        self._names = list(names)
        self._loader = loader
        self._cache: dict = {}

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(name)
        if name not in self._cache:
            self._cache[name] = table_from_rows(self._loader(name), name)
        return self._cache[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def rows(self, name) -> list:
        return self._loader(name)


def _calamine_loader(path: Path):
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(str(path))
    names = list(wb.sheet_names)

    def load(name):
        return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return names, load


def _mapping_loader(data: Mapping):
    names = list(data.keys())

    def load(name):
        v = data[name]
        if v is None:
            return []
        if not isinstance(v, (list, tuple)):
            return [[v]]
        return [list(r) if isinstance(r, (list, tuple)) else [r] for r in v]
    return names, load


def load_book(source, month: str | None = None) -> StoreBook:
    """Open the store workbook (path or {sheet: 2-D values}) and read 设置.

    Raises BookError listing every problem with the sheets and settings (missing required
    sheets, bad setting values). Table contents are validated by the macros (`frame`).
    """
    if isinstance(source, StoreBook):
        return source
    if isinstance(source, Mapping):
        path = None
        names, loader = _mapping_loader(source)
    else:
        path = Path(source)
        if not path.exists():
            raise BookError([Problem(str(path), None, None, "文件不存在")])
        try:
            names, loader = _calamine_loader(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
            raise BookError([Problem(path.name, None, None, f"无法读取工作簿：{exc}")]) from None
    problems = [Problem(s, None, None, "缺少工作表") for s in REQUIRED_SHEETS if s not in names]
    tables = _LazyTables(names, loader)
    settings, policy = {}, Policy()
    if SETTINGS in names:
        settings, policy = read_settings(tables.rows(SETTINGS), problems)
    m = month or settings.get("month")
    if month is not None:
        pm = parse_month(month)
        if pm is None:
            problems.append(Problem(SETTINGS, None, MONTH_KEY, f"月份「{month}」无法识别（应为 YYYY-MM）"))
        m = pm
    if problems:
        raise BookError(problems)
    return StoreBook(path=path, tables=tables, settings=settings, policy=policy, month=m,
                     store=str(settings.get(STORE_KEY) or "").strip() or "本店", sheet_names=names)


def read_settings(rows: list, problems: list) -> tuple[dict, Policy]:
    """设置 sheet (项目 | 值 | 说明) → (settings dict, Policy). Bad values → problems."""
    settings: dict = {}
    if not rows:
        return settings, Policy()
    h = _header_row(rows, SETTINGS)
    head = [str(v).strip() if v is not None else "" for v in rows[h]]
    if "项目" in head and "值" in head:
        kj, vj, start = head.index("项目"), head.index("值"), h + 1
    else:                                   # no header: first two columns
        kj, vj, start = 0, 1, 0
    where: dict = {}
    for i, row in enumerate(rows[start:], start=start + 1):
        key = str(row[kj]).strip() if kj < len(row) and row[kj] not in (None, "") else ""
        if not key:
            continue
        value = row[vj] if vj < len(row) else None
        settings[key] = None if value == "" else value
        where[key] = i
    good = {}
    for key, value in settings.items():
        if value is None:
            continue
        try:
            Policy.from_settings({key: value})
            good[key] = value
        except ValueError as exc:
            problems.append(Problem(SETTINGS, where[key], "值", f"{key}：{_zh_error(exc)}"))
    try:
        policy = Policy.from_settings(good)
    except ValueError as exc:
        problems.append(Problem(SETTINGS, None, "值", f"设置相互矛盾：{_zh_error(exc)}"))
        policy = Policy()
    if settings.get(MONTH_KEY) not in (None, ""):
        m = parse_month(settings[MONTH_KEY])
        if m is None:
            problems.append(Problem(SETTINGS, where[MONTH_KEY], "值", f"{MONTH_KEY}「{settings[MONTH_KEY]}」无法识别（应为 YYYY-MM）"))
        settings["month"] = m
    settings["store"] = str(settings.get(STORE_KEY) or "").strip()
    settings["output_dir"] = str(settings.get(OUTPUT_KEY) or "").strip()
    return settings, policy


def _zh_error(exc: Exception) -> str:
    text = str(exc)
    for label_key, label in SETTING_LABELS.items():
        text = text.replace(label_key, label) if f"{label_key} " in text or text.startswith(label_key) else text
    return text


# --- writing ---------------------------------------------------------------------------
def write_sheets(path, sheets: dict, order: list | None = None, dest=None) -> Path:
    """Replace the named sheets of the workbook at `path` atomically.

    sheets: {sheet name: callable(ws)} — each callable fills a fresh, empty openpyxl worksheet
    (cells, styles, merges, conditional formats, charts, data validation …).
    A sheet that exists keeps its position; new sheets are appended in `order` (default: the
    dict's order). Every other sheet is left as it was, byte for byte: the sheets are built in
    a small in-memory workbook and transplanted at the zip level (addin/xlsxpatch.py), so a
    group-sized workbook is not loaded into openpyxl and charts, buttons and cached formula
    values elsewhere survive. `dest`: write there instead of over `path`. Returns the path.
    """
    import io

    import openpyxl

    from addin.xlsxpatch import replace_sheets
    path = Path(path)
    names = [n for n in (order or []) if n in sheets] + [n for n in sheets if n not in (order or [])]
    donor = openpyxl.Workbook()
    donor.remove(donor.active)
    for name in names:
        sheets[name](donor.create_sheet(name))
    buf = io.BytesIO()
    donor.save(buf)
    return replace_sheets(path, buf.getvalue(), names, dest=dest)
