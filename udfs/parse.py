"""Reading values as people type them into Excel — once, for every caller.

* numbers: ``0.3``, ``"30%"``, ``"600万"``, ``"1,500"``, ``"≥ 93%"``, ``"800元"``; text that is
  not a number, booleans and non-finite values (``inf``, ``"1e400"``) are *bad*, never numbers;
* Excel date serials with the 1900 leap-day rule (serial 1 = 1900-01-01, 60 = the fictitious
  1900-02-29, 61 = 1900-03-01), date and date-time text in the forms DMS exports use;
* months (``2026-09``, ``2026/9``, ``2026年9月``, ``202609``, a date);
* employee ids (``1001.0`` → ``"1001"``), text, times of day, and half-up rounding.

Vectorised functions return ``(values, bad)``: the parsed array and a mask of cells holding
something unreadable (blanks are not bad). Dates are ``datetime64[s]`` so years up to 9999
are safe (nanosecond timestamps overflow in 2262).
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from .vocab import InputError, key

FIRST_YEAR, LAST_YEAR = 1900, 9998       # months/dates outside are not accepted
NAT = np.datetime64("NaT", "s")
_EPOCH = np.datetime64("1899-12-30", "s")
MAX_SERIAL = 2_958_465.0                  # 9999-12-31


def factorize(values) -> tuple[np.ndarray, np.ndarray]:
    """pandas.factorize over cell values (codes, uniques; -1 = None/NaN), exact for any text:
    some pandas versions hash a column of only text as C strings, where 'T1' and 'T1\\x00x' (an
    Excel _x0000_ escape) collide — a None appended keeps it on the object hash table."""
    flat = np.asarray(values, dtype=object).ravel()
    codes, uniques = pd.factorize(np.append(flat, None), use_na_sentinel=True)
    return codes[:-1], uniques


def first_positions(columns: tuple, keys: tuple) -> np.ndarray:
    """For each row of ``keys`` (a tuple of equal-length arrays, one per field): the position of
    its first occurrence among the rows of ``columns`` (the same fields), -1 when absent. Exact
    for any text (through :func:`factorize`); None/NaN match each other."""
    n = len(columns[0]) if columns else 0
    left, right = np.zeros(n, dtype=np.int64), np.zeros(len(keys[0]) if keys else 0, dtype=np.int64)
    for col, key_ in zip(columns, keys):
        codes, uniques = factorize(np.concatenate([np.asarray(col, dtype=object).ravel(),
                                                   np.asarray(key_, dtype=object).ravel()]))
        both = np.concatenate([left, right]) * (len(uniques) + 1) + codes + 1
        if len(both) and both.max() > 1 << 31:                          # keep the next product in int64
            both = np.unique(both, return_inverse=True)[1].reshape(-1)
        left, right = both[:n], both[n:]
    values, first = np.unique(left, return_index=True)
    at = np.minimum(np.searchsorted(values, right), max(len(values) - 1, 0))
    found = (at < len(values)) & (values[at] == right) if len(values) else np.zeros(len(right), dtype=bool)
    return np.where(found, first[at] if len(values) else 0, -1)


def _factorized(values) -> tuple[np.ndarray, list, tuple]:
    """(codes, uniques, shape): distinct cell values are parsed once (-1 = None/NaN)."""
    arr = np.asarray(values, dtype=object)
    codes, uniques = factorize(arr)
    return codes, list(uniques), arr.shape


def _take(parsed: list, blank_value, codes: np.ndarray, dtype=object) -> np.ndarray:
    table = np.array(parsed + [blank_value], dtype=dtype) if dtype is not object else \
        np.array(parsed + [blank_value], dtype=object)
    return table[codes]


def is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NaT or v is pd.NA or \
        (isinstance(v, str) and not v.strip())


# --------------------------------------------------------------------------- numbers
_STRIP = str.maketrans("", "", ",，  元¥￥")
_PREFIX = "≥≤<>=＞＜≈约~"


def number_or_none(v: Any) -> float | None:
    """One cell as a finite float; None for blank *or* unreadable (see :func:`number`)."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if not isinstance(v, str):
        return None
    text = key(v).translate(_STRIP).lstrip(_PREFIX).strip()
    if not text:
        return None
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    elif text.endswith("‰"):
        text, scale = text[:-1], 0.001
    elif text.endswith("万"):
        text, scale = text[:-1], 10_000.0
    elif text.endswith("亿"):
        text, scale = text[:-1], 1e8
    try:
        f = float(text) * scale
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def numbers(values) -> tuple[np.ndarray, np.ndarray]:
    """Cell values → (float array with NaN for blanks, mask of unreadable cells)."""
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if arr.dtype.kind in "iu":
        return arr.astype(float), np.zeros(arr.shape, dtype=bool)
    if arr.dtype.kind == "f":
        f = arr.astype(float)
        return np.where(np.isinf(f), np.nan, f), np.isinf(f)
    if arr.dtype.kind == "b":
        return np.full(arr.shape, np.nan), np.ones(arr.shape, dtype=bool)
    flat = arr.ravel()
    kinds = set(map(type, flat))
    if kinds <= {float, int}:                    # a range of numbers (the usual case): all in C
        f = flat.astype(float)
        bad = np.isinf(f)
        return np.where(bad, np.nan, f).reshape(arr.shape), bad.reshape(arr.shape)
    # numbers (what a reader hands over for numeric cells) convert in C; only the rest — text
    # such as "30%" or "1,500", booleans, blanks — goes through the per-value reader
    is_bool = np.fromiter((type(v) is bool for v in flat), dtype=bool, count=flat.size) if bool in kinds \
        else np.zeros(flat.size, dtype=bool)
    vals = pd.to_numeric(pd.Series(flat, dtype=object).where(~is_bool), errors="coerce").to_numpy(dtype=float, copy=True)
    rest = np.isnan(vals) & ~pd.isna(flat) | is_bool
    bad = ~np.isfinite(vals) & ~np.isnan(vals)
    vals[bad] = np.nan
    if rest.any():
        codes, uniques = factorize(flat[rest])
        parsed = [None if isinstance(u, bool) else number_or_none(u) for u in uniques]
        blank = np.array([is_blank(u) and not isinstance(u, bool) for u in uniques] + [True], dtype=bool)
        got = np.array([np.nan if p is None else p for p in parsed] + [np.nan], dtype=float)
        vals[rest] = got[codes]
        bad[rest] = np.isnan(got[codes]) & ~blank[codes]
    return vals.reshape(arr.shape), bad.reshape(arr.shape)


def number(v: Any) -> float:
    """One cell as a finite float; raises ValueError for blank or unreadable."""
    f = number_or_none(v)
    if f is None:
        raise InputError(f"'{v}' is not a number")
    return f


def floats(values, name: str = "value") -> np.ndarray:
    """Numbers as floats (NaN for blank); any unreadable cell raises ValueError naming ``name``."""
    vals, bad = numbers(values)
    if bad.any():
        raise InputError(f"{name} must be a number")
    return vals


def round_half_up(x, decimals: int = 2) -> np.ndarray:
    """Round half away from zero at ``decimals``, immune to binary noise (1.005 → 1.01)."""
    v = np.asarray(x, dtype=float)
    scale = 10.0 ** decimals
    with np.errstate(over="ignore", invalid="ignore"):   # (a value near 1e308 rounds to ±inf: the caller checks)
        units = np.round(np.abs(v) * scale, 6)       # 1234.565 stored as 1234.56499… → 123456.5
        return np.sign(v) * np.floor(units + 0.5) / scale


# --------------------------------------------------------------------------- Excel serials
def from_serial(serial) -> tuple[np.ndarray, np.ndarray]:
    """Excel serials (days, fraction = time of day) → (datetime64[s], bad).

    The 1900 system: Excel counts 1900 as a leap year, so serial 60 is 1900-02-29, a day that
    never was (bad); serials 1–59 are one day later than a plain count from 1899-12-30.
    """
    s = np.asarray(serial, dtype=float)
    bad = ~np.isnan(s) & ((s < 1) | (s > MAX_SERIAL + 1) | ((s >= 60) & (s < 61)))
    ok = ~np.isnan(s) & ~bad
    seconds = np.round(np.where(ok, s, 0) * 86_400).astype(np.int64)
    seconds = np.where(s < 60, seconds + 86_400, seconds)
    out = np.where(ok, _EPOCH + seconds.astype("timedelta64[s]"), NAT)
    return out.astype("datetime64[s]"), bad


def to_serial(dates) -> np.ndarray:
    """datetime64 → Excel serials (float days; NaN for NaT), the inverse of :func:`from_serial`."""
    d = np.asarray(dates).astype("datetime64[s]")
    sec = (d - _EPOCH).astype("timedelta64[s]").astype(np.int64).astype(float)
    days = sec / 86_400
    days = np.where(days < 61, days - 1, days)
    return np.where(np.isnat(d), np.nan, days)


# --------------------------------------------------------------------------- dates
_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\stT]+(\d{1,2})\s*[:时：]\s*(\d{1,2})(?:\s*[:分：]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?)?\s*$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s*(\d{2})(\d{2})(\d{2})?)?$")


def _date_one(v: Any) -> np.datetime64 | None:
    """One cell as datetime64[s]; None when unreadable (blank handled by the caller)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (np.datetime64,)):
        return None if np.isnat(v) else v.astype("datetime64[s]")
    if isinstance(v, (_dt.datetime, pd.Timestamp)):
        if getattr(v, "tzinfo", None) is not None:
            v = v.replace(tzinfo=None)
        return _valid(np.datetime64(v.replace(microsecond=0).isoformat(), "s"))
    if isinstance(v, _dt.date):
        return _valid(np.datetime64(v.isoformat(), "s"))
    if isinstance(v, (int, float, np.integer, np.floating)):
        d, bad = from_serial(np.array([float(v)]))
        return None if bad[0] or np.isnat(d[0]) else d[0]
    if not isinstance(v, str):
        return None
    text = key(v)
    m = _DATE_RE.match(text) or _COMPACT_RE.match(text)
    if m:
        y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
        try:
            return _valid(np.datetime64(_dt.datetime(y, mo, d, hh, mm, ss).isoformat(), "s"))
        except ValueError:
            return None
    num = number_or_none(text)
    if num is not None and re.fullmatch(r"\d+(\.\d+)?", text):   # a serial typed as text
        return _date_one(num)
    return None


def _valid(d: np.datetime64) -> np.datetime64 | None:
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    return d if FIRST_YEAR <= year <= LAST_YEAR + 1 else None


def dates(values) -> tuple[np.ndarray, np.ndarray]:
    """Cell values → (datetime64[s] array, NaT for blanks; mask of unreadable cells)."""
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[s]"), np.zeros(arr.shape, dtype=bool)
    if arr.dtype.kind in "fiu":
        return from_serial(arr.astype(float))
    codes, uniques, shape = _factorized(arr)
    parsed = [None if is_blank(u) else _date_one(u) for u in uniques]
    blank = [is_blank(u) for u in uniques]
    vals = _take([NAT if p is None else p for p in parsed], NAT, codes, "datetime64[s]")
    bad = _take([p is None and not b for p, b in zip(parsed, blank)], False, codes, bool)
    return vals.reshape(shape), bad.reshape(shape)


def to_dates(values, name: str = "date") -> np.ndarray:
    """Like :func:`dates` but raises ValueError naming the first unreadable cell."""
    vals, bad = dates(values)
    if bad.any():
        first = np.asarray(values, dtype=object).ravel()[np.flatnonzero(bad.ravel())[0]]
        raise InputError(f"{name} '{first}' is not a date")
    return vals


def date_or_none(v: Any) -> _dt.date | None:
    d = None if is_blank(v) else _date_one(v)
    return None if d is None else d.astype("datetime64[D]").astype(_dt.date)


# --------------------------------------------------------------------------- months
_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?(?:[\stT].*)?$")


def month_or_none(v: Any) -> str | None:
    """'2026-10', '2026/10', '2026年10月', 202610, a date, an Excel serial → 'YYYY-MM'."""
    if is_blank(v) or isinstance(v, bool):
        return None
    y = m = None
    if isinstance(v, (_dt.date, pd.Timestamp, np.datetime64)):
        d = _date_one(v)
        if d is None:
            return None
        y, m = int(str(d)[:4]), int(str(d)[5:7])
    elif isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if not math.isfinite(f):
            return None
        if f.is_integer() and 100_001 <= f <= 999_912:          # 202610
            y, m = int(f) // 100, int(f) % 100
        elif 1 <= f <= MAX_SERIAL:                               # an Excel date
            d, bad = from_serial(np.array([f]))
            if bad[0]:
                return None
            y, m = int(str(d[0])[:4]), int(str(d[0])[5:7])
    else:
        text = key(v)
        hit = _MONTH_RE.match(text)
        if hit:
            y, m = int(hit.group(1)), int(hit.group(2))
        elif re.fullmatch(r"\d{6}", text):
            y, m = int(text[:4]), int(text[4:])
    if y is None or not (1 <= m <= 12) or not FIRST_YEAR <= y <= LAST_YEAR:
        return None
    return f"{y:04d}-{m:02d}"


def months(values) -> tuple[np.ndarray, np.ndarray]:
    """Cell values → (object array of 'YYYY-MM', '' for blanks; mask of unreadable cells)."""
    codes, uniques, shape = _factorized(values)
    parsed = [month_or_none(u) for u in uniques]
    blank = [is_blank(u) for u in uniques]
    vals = _take([p or "" for p in parsed], "", codes)
    bad = _take([p is None and not b for p, b in zip(parsed, blank)], False, codes, bool)
    return vals.reshape(shape), bad.reshape(shape)


def month_parts(month: str) -> tuple[int, int]:
    return int(month[:4]), int(month[5:7])


def add_months(month: str, n: int) -> str:
    y, m = month_parts(month)
    k = y * 12 + m - 1 + int(n)
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    y0, m0 = month_parts(first)
    y1, m1 = month_parts(last)
    return [add_months(first, k) for k in range((y1 - y0) * 12 + m1 - m0 + 1)]


# --------------------------------------------------------------------------- text and ids
def text_of(v: Any) -> str:
    """A cell as stripped text ('' for blank); whole floats lose their '.0' (1001.0 → '1001')."""
    if type(v) is str:
        return v.strip()
    if is_blank(v):
        return ""
    if isinstance(v, (float, np.floating)) and math.isfinite(v) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, (_dt.datetime, pd.Timestamp)):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v).strip()


def blank_mask(values) -> np.ndarray:
    """True where a cell is blank: None, NaN, or text of spaces only."""
    flat = np.asarray(values, dtype=object).ravel()
    return np.fromiter((v is None or v != v or (type(v) is str and not v.strip()) for v in flat),
                       dtype=bool, count=flat.size).reshape(np.shape(values))


def texts(values) -> np.ndarray:
    """Vectorised :func:`text_of` (object array)."""
    codes, uniques, shape = _factorized(values)
    return _take([text_of(u) for u in uniques], "", codes).reshape(shape)


ids = texts            # employee ids are text: 1001, 1001.0 and ' 1001 ' are the same person


def id_key(values) -> np.ndarray:
    """The comparison form of ids: case-folded, NFKC, no spaces ('e 01' ≡ 'E01')."""
    codes, uniques, shape = _factorized(values)
    return _take([key(text_of(u)).replace(" ", "") for u in uniques], "", codes).reshape(shape)


# --------------------------------------------------------------------------- times of day
def time_of_day(value: Any, name: str = "time") -> tuple[int, int]:
    """'17:30', '17：30', datetime.time, or an Excel time fraction → (hour, minute)."""
    if hasattr(value, "hour") and hasattr(value, "minute"):
        h, m = int(value.hour), int(value.minute)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 0 <= value < 1:
            raise InputError(f"{name} must be a time of day (HH:MM)")
        h, m = divmod(round(value * 24 * 60), 60)
    else:
        hh, _, mm = key(value).replace("：", ":").partition(":")
        try:
            h, m = int(hh), int(mm or 0)
        except ValueError:
            raise InputError(f"{name} '{value}' must be HH:MM") from None
    if not (0 <= h < 24 and 0 <= m < 60):
        raise InputError(f"{name} '{value}' must be HH:MM")
    return h, m
