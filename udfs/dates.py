"""SPEC §3.3/§3.6/§3.8 — calendar arithmetic: dates, workdays, deadlines, late fines, time progress.

Pure and vectorised: every function takes scalars, lists, numpy arrays or pandas objects,
broadcasts them together and returns numpy results (a numpy scalar for scalar input).
Dates may be ``datetime``/``date``/``Timestamp``, ``"YYYY-MM-DD[ HH:MM]"`` text, or Excel
date serial numbers (days since 1899-12-30, the fraction is the time of day — what
Office.js hands over). Blank/NaN/NaT in → NaN/NaT out. Bad input raises ValueError with a
short English message naming the argument.

Calendars (``udfs.policy.CALENDAR_ALIASES``):
* ``weekend`` — Monday to Friday are workdays (the seed's rule: Sat/Sun deadlines move to Monday).
* ``cn`` — China's public holidays and official make-up workdays (package ``chinesecalendar``).
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from .policy import CALENDAR_ALIASES, DEFAULT, Policy, canonical

_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "ns")
_NS_PER_DAY = 86_400 * 10**9
_MAX_SERIAL = 2_958_465.0          # 9999-12-31

PERIOD_ALIASES = {
    "month": "month", "月": "month", "月度": "month", "m": "month",
    "quarter": "quarter", "季": "quarter", "季度": "quarter", "q": "quarter",
    "year": "year", "年": "year", "年度": "year", "y": "year",
}
BASIS_ALIASES = {
    "days": "days", "day": "days", "calendar": "days", "天": "days", "天数": "days", "日历天": "days",
    "自然日": "days",
    "workdays": "workdays", "workday": "workdays", "工作日": "workdays",
}
MONTH_METHOD_ALIASES = {
    "equal": "equal", "平均": "equal", "均分": "equal", "平均分配": "equal",
    "days": "days", "天数": "days", "日历天": "days", "自然日": "days", "按天数": "days",
    "workdays": "workdays", "工作日": "workdays", "按工作日": "workdays",
}


# --------------------------------------------------------------------------- parsing
def _scalar_out(out: np.ndarray, *inputs):
    return out[()] if all(np.ndim(x) == 0 and not isinstance(x, (list, tuple)) for x in inputs) else out


def to_timestamps(x, name: str = "date") -> np.ndarray:
    """Any date-like cell values → numpy ``datetime64[ns]`` array of the same shape (NaT = blank).

    Accepts datetime/date/Timestamp/np.datetime64, text "YYYY-MM-DD[ HH:MM[:SS]]" (also
    "YYYY/MM/DD"), and Excel serial numbers (float days since 1899-12-30, rounded to the
    second). ``pd.DatetimeIndex(result.ravel())`` gives the pandas view.
    """
    if isinstance(x, (pd.Series, pd.Index, pd.DataFrame)):
        x = x.to_numpy()
    arr = np.asarray(x) if not isinstance(x, (list, tuple)) else np.array(x, dtype=object)
    shape = arr.shape
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[ns]")
    if arr.dtype.kind in "fiu":
        return _from_serial(arr.astype(float), name).reshape(shape)
    s = pd.Series(arr.ravel(), dtype=object)
    if len(s) == 0:
        return np.array([], dtype="datetime64[ns]").reshape(shape)
    is_bool = s.map(type).eq(bool)
    blank = s.isna() | s.astype(str).str.strip().isin(["", "NaT", "nan", "None"])
    num = pd.to_numeric(s.where(~is_bool & ~blank), errors="coerce")
    out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
    numeric = num.notna().to_numpy()
    if numeric.any():
        out[numeric] = _from_serial(num[numeric].to_numpy(dtype=float), name)
    rest = ~numeric & ~blank.to_numpy()
    if rest.any():
        values = s[rest]
        text = values.copy()
        strs = values.map(type).eq(str)
        text[strs] = values[strs].str.strip().str.replace("/", "-", regex=False)
        try:
            parsed = pd.to_datetime(text, errors="coerce", format="mixed")
        except (TypeError, ValueError):
            parsed = pd.Series(pd.NaT, index=values.index)
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        bad = parsed.isna().to_numpy() | is_bool[rest].to_numpy()
        if bad.any():
            raise ValueError(f"{name} '{values[bad].iloc[0]}' is not a date")
        out[rest] = parsed.to_numpy(dtype="datetime64[ns]")
    return out.reshape(shape)


def _from_serial(serial: np.ndarray, name: str) -> np.ndarray:
    bad = (serial < 0) | (serial > _MAX_SERIAL)
    if bad.any():
        raise ValueError(f"{name} {serial[bad][0]:g} is not an Excel date serial (0–{_MAX_SERIAL:.0f})")
    nan = np.isnan(serial)
    seconds = np.round(np.where(nan, 0, serial) * 86_400).astype(np.int64)
    out = _EXCEL_EPOCH + seconds.astype("timedelta64[s]").astype("timedelta64[ns]")
    return np.where(nan, np.datetime64("NaT", "ns"), out)


def _days(x, name: str = "date") -> np.ndarray:
    """Dates → datetime64[D] (time of day dropped)."""
    return to_timestamps(x, name).astype("datetime64[D]")


def _calendar(calendar) -> str:
    if calendar is None or (isinstance(calendar, str) and not calendar.strip()):
        return DEFAULT.calendar
    return canonical(calendar, CALENDAR_ALIASES, "calendar")


def _time_of_day(value, name: str = "deadline_time") -> np.timedelta64:
    """'17:30' / datetime.time / Excel time fraction → timedelta64[ns]."""
    if hasattr(value, "hour") and hasattr(value, "minute"):
        h, m = value.hour, value.minute
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 0 <= value < 1:
            raise ValueError(f"{name} must be a time of day (HH:MM)")
        minutes = round(value * 24 * 60)
        h, m = divmod(minutes, 60)
    else:
        text = str(value).strip().replace("：", ":")
        hh, _, mm = text.partition(":")
        try:
            h, m = int(hh), int(mm or 0)
        except ValueError:
            raise ValueError(f"{name} '{value}' must be HH:MM") from None
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"{name} '{value}' must be HH:MM")
    return np.timedelta64(h * 60 + m, "m").astype("timedelta64[ns]")


# --------------------------------------------------------------------------- calendars
@functools.lru_cache(maxsize=1)
def _cn_tables():
    import chinese_calendar as cc

    holidays = np.array(sorted(cc.holidays), dtype="datetime64[D]")
    makeup = np.array(sorted(cc.workdays), dtype="datetime64[D]")
    first, last = min(cc.holidays).year, max(cc.holidays).year
    return holidays, makeup, first, last


def cn_years() -> tuple[int, int]:
    """First and last year the ``cn`` calendar knows (from the installed chinesecalendar)."""
    _, _, first, last = _cn_tables()
    return first, last


def _weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday … 6 = Sunday for datetime64[D] (NaT gives garbage; mask it)."""
    return (days.astype("int64") + 3) % 7          # 1970-01-01 was a Thursday


def _year(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]").astype("int64") + 1970


def _check_cn(days: np.ndarray) -> None:
    first, last = cn_years()
    ok = ~np.isnat(days)
    years = _year(days[ok])
    if years.size and ((years < first) | (years > last)).any():
        raise ValueError(f"calendar cn knows years {first}–{last} only")


def _workday_mask(days: np.ndarray, cal: str) -> np.ndarray:
    """Boolean workday mask for valid datetime64[D] values (NaT → False)."""
    nat = np.isnat(days)
    work = (_weekday(days) < 5) & ~nat
    if cal == "cn":
        _check_cn(days)
        holidays, makeup, _, _ = _cn_tables()
        work = (work & ~np.isin(days, holidays)) | (np.isin(days, makeup) & ~nat)
    return work


def is_workday(dates, calendar: str = "weekend") -> np.ndarray:
    """True on workdays of the calendar (``weekend`` or ``cn``).

    Returns a bool array; if any date is blank (NaT) the result is float (1/0, NaN for blank).
    """
    cal = _calendar(calendar)
    days = _days(dates)
    work = _workday_mask(days, cal)
    nat = np.isnat(days)
    if nat.any():
        work = np.where(nat, np.nan, work.astype(float))
    return _scalar_out(work, dates)


def _next_workday_table(start: np.datetime64, end: np.datetime64, cal: str):
    """For every day in [start, end]: the first workday on or after it (NaT when none in range)."""
    span = np.arange(start, end + np.timedelta64(1, "D"), dtype="datetime64[D]")
    if cal == "cn":
        first, last = cn_years()
        known = (_year(span) >= first) & (_year(span) <= last)
        span_known = span[known]
        work = np.zeros(len(span), dtype=bool)
        work[known] = _workday_mask(span_known, cal)
    else:
        work = _workday_mask(span, cal)
    idx = np.where(work, np.arange(len(span)), len(span))
    nxt = np.minimum.accumulate(idx[::-1])[::-1]
    table = np.full(len(span), np.datetime64("NaT"), dtype="datetime64[D]")
    found = nxt < len(span)
    table[found] = span[nxt[found]]
    return span, table


def roll_forward(dates, calendar: str = "weekend") -> np.ndarray:
    """The first workday on or after each date, as datetime64[D] (time of day dropped)."""
    cal = _calendar(calendar)
    days = _days(dates)
    ok = ~np.isnat(days)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    if ok.any():
        if cal == "cn":
            _check_cn(days)
        lo, hi = days[ok].min(), days[ok].max() + np.timedelta64(40, "D")
        span, table = _next_workday_table(lo, hi, cal)
        rolled = table[(days[ok] - lo).astype(np.int64)]
        if np.isnat(rolled).any():
            first, last = cn_years()
            raise ValueError(f"calendar cn knows years {first}–{last} only")
        out[ok] = rolled
    return _scalar_out(out, dates)


def workdays_in(start, end, calendar: str = "weekend") -> np.ndarray:
    """Number of workdays from ``start`` to ``end``, both inclusive (0 when end < start)."""
    cal = _calendar(calendar)
    s, e = np.broadcast_arrays(_days(start, "start"), _days(end, "end"))
    ok = ~np.isnat(s) & ~np.isnat(e)
    out = np.full(s.shape, np.nan)
    if ok.any():
        if cal == "cn":
            _check_cn(s[ok]), _check_cn(e[ok])
        lo = min(s[ok].min(), e[ok].min())
        hi = max(s[ok].max(), e[ok].max())
        span = np.arange(lo, hi + np.timedelta64(1, "D"), dtype="datetime64[D]")
        cum = np.concatenate([[0], np.cumsum(_workday_mask(span, cal))])
        si = (s[ok] - lo).astype(np.int64)
        ei = (e[ok] - lo).astype(np.int64)
        out[ok] = np.maximum(cum[ei + 1] - cum[si], 0)
    if ok.all():
        out = out.astype(np.int64)
    return _scalar_out(out, start, end)


# --------------------------------------------------------------------------- deadlines
def _int_array(x, name: str) -> tuple[np.ndarray, np.ndarray]:
    from .scoring import parse_floats

    values, bad = parse_floats(x)
    if bad.any():
        raise ValueError(f"{name} must be a number")
    nan = np.isnan(values)
    if (values[~nan] % 1 != 0).any():
        raise ValueError(f"{name} must be a whole number")
    return np.where(nan, 0, values).astype(np.int64), nan


def month_start(year, month) -> np.ndarray:
    """First day of each (year, month) as datetime64[D] (no validation beyond integers)."""
    y, m = np.broadcast_arrays(np.asarray(year, dtype=np.int64), np.asarray(month, dtype=np.int64))
    return ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]").astype("datetime64[D]")


def days_in_month(year, month) -> np.ndarray:
    start = month_start(year, month)
    return ((start.astype("datetime64[M]") + 1).astype("datetime64[D]") - start).astype(np.int64)


def due_date(year, month, day, calendar: str = "weekend") -> np.ndarray:
    """The deadline day: (year, month, day) rolled forward to the first workday (SPEC §3.6).

    ``weekend``: Saturday/Sunday move to the next Monday; ``cn`` also skips public holidays
    and counts official make-up workdays. Returns datetime64[D].
    """
    cal = _calendar(calendar)
    y, y_nan = _int_array(year, "year")
    m, m_nan = _int_array(month, "month")
    d, d_nan = _int_array(day, "day")
    y, m, d, y_nan, m_nan, d_nan = np.broadcast_arrays(y, m, d, y_nan, m_nan, d_nan)
    nan = y_nan | m_nan | d_nan
    ok = ~nan
    if ((y[ok] < 1900) | (y[ok] > 9998)).any():
        raise ValueError("year must be 1900–9998")
    if ((m[ok] < 1) | (m[ok] > 12)).any():
        raise ValueError("month must be 1–12")
    mm = np.where(ok, m, 1)
    yy = np.where(ok, y, 2000)
    dim = days_in_month(yy, mm)
    if ((d[ok] < 1) | (d[ok] > dim[ok])).any():
        raise ValueError("day must be a valid day of the month")
    nominal = month_start(yy, mm) + (np.where(ok, d, 1) - 1).astype("timedelta64[D]")
    nominal = np.where(ok, nominal, np.datetime64("NaT"))
    out = np.asarray(roll_forward(nominal, cal), dtype="datetime64[D]").reshape(y.shape)
    return _scalar_out(out, year, month, day)


def _month_key(month) -> tuple[int, int]:
    text = str(month).strip()
    if hasattr(month, "year") and hasattr(month, "month"):
        return int(month.year), int(month.month)
    try:
        y, m = text.replace("/", "-").split("-")[:2]
        y, m = int(y), int(m)
    except ValueError:
        raise ValueError(f"month '{month}' must be YYYY-MM") from None
    if not 1 <= m <= 12:
        raise ValueError(f"month '{month}' must be YYYY-MM")
    return y, m


def scorer_deadlines(month, policy: Policy = DEFAULT) -> pd.DataFrame:
    """When each scorer's scores for ``month`` ("YYYY-MM") are due (SPEC §3.6).

    One row per ``policy.deadlines`` entry: role, day (the nominal day of month M+1),
    nominal (that date), due (Timestamp: the rolled-forward workday at ``policy.deadline_time``).
    """
    y, m = _month_key(month)
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    roles = [str(r) for r, _ in policy.deadlines]
    days = np.array([int(d) for _, d in policy.deadlines], dtype=np.int64)
    nominal = month_start(ny, nm) + (days - 1).astype("timedelta64[D]")
    if (days < 1).any() or (days > days_in_month(ny, nm)).any():
        raise ValueError("deadlines day must be a valid day of the month")
    due_day = np.asarray(roll_forward(nominal, policy.calendar), dtype="datetime64[D]")
    due = due_day.astype("datetime64[ns]") + _time_of_day(policy.deadline_time)
    return pd.DataFrame({"role": roles, "day": days, "nominal": pd.to_datetime(nominal),
                         "due": pd.to_datetime(due)})


def _deadline_moment(due, deadline_time) -> np.ndarray:
    d = to_timestamps(due, "due")
    tod = d - d.astype("datetime64[D]").astype("datetime64[ns]")
    at_midnight = tod == np.timedelta64(0, "ns")
    return np.where(at_midnight, d + _time_of_day(deadline_time), d)


def late_days(submitted, due, deadline_time: str = DEFAULT.deadline_time) -> np.ndarray:
    """Whole calendar days late (SPEC §3.6): ceil((submitted − deadline) / 24 h), 0 if on time.

    A ``due`` without a time (00:00) means that day at ``deadline_time``; a ``due`` with a
    time keeps it. One minute late is one day. Blank → NaN (then the result is float).
    """
    sub = to_timestamps(submitted, "submitted")
    deadline = _deadline_moment(due, deadline_time)
    sub, deadline = np.broadcast_arrays(sub, deadline)
    missing = np.isnat(sub) | np.isnat(deadline)
    elapsed = (sub - deadline).astype(np.int64)          # ns; garbage where missing
    days = np.where(elapsed > 0, -((-elapsed) // _NS_PER_DAY), 0)
    if missing.any():
        out = np.where(missing, np.nan, days.astype(float))
    else:
        out = days.astype(np.int64)
    return _scalar_out(out, submitted, due)


def late_fine(submitted, due, per_day=DEFAULT.fine_per_day,
              deadline_time: str = DEFAULT.deadline_time) -> np.ndarray:
    """Late fine in yuan: late_days × per_day (SPEC §3.6: 500 yuan per day)."""
    from .scoring import parse_floats

    rate, bad = parse_floats(per_day)
    if bad.any():
        raise ValueError("per_day must be a number")
    if (rate[~np.isnan(rate)] < 0).any():
        raise ValueError("per_day must be ≥ 0")
    out = late_days(submitted, due, deadline_time) * rate
    return _scalar_out(np.asarray(out, dtype=float), submitted, due, per_day)


# --------------------------------------------------------------------------- months and weeks
def _year_int(year) -> int:
    try:
        y = float(year)
    except (TypeError, ValueError):
        raise ValueError(f"year '{year}' must be a number") from None
    if math.isnan(y) or y % 1 or not 1900 <= y <= 9998:
        raise ValueError("year must be a whole number 1900–9998")
    return int(y)


def year_days(year: int) -> np.ndarray:
    start = np.datetime64(f"{int(year):04d}-01-01")
    return np.arange(start, np.datetime64(f"{int(year) + 1:04d}-01-01"), dtype="datetime64[D]")


def month_weights(year, method: str = "equal", calendar: str = "weekend") -> np.ndarray:
    """Twelve fractions summing to 1: ``equal``, ``days`` (calendar days) or ``workdays``.

    ``year`` may be an array: the result then has shape year.shape + (12,).
    """
    how = canonical(method if method not in (None, "") else "equal", MONTH_METHOD_ALIASES, "method")
    cal = _calendar(calendar)
    years = np.asarray(year, dtype=object)
    flat = years.ravel()
    rows = []
    for y in flat:                                  # one row per year asked for (usually one)
        if y is None or (isinstance(y, float) and np.isnan(y)):
            rows.append(np.full(12, np.nan))
            continue
        y = _year_int(y)
        if how == "equal":
            w = np.ones(12)
        else:
            days = year_days(y)
            month = days.astype("datetime64[M]").astype(np.int64) % 12
            counted = np.ones(len(days), dtype=bool) if how == "days" else _workday_mask(days, cal)
            w = np.bincount(month, weights=counted.astype(float), minlength=12)
        rows.append(w / w.sum())
    out = np.array(rows).reshape(years.shape + (12,))
    return out


def week_segments(year, calendar: str = "weekend") -> pd.DataFrame:
    """The ISO weeks of a year cut at month ends: one row per (month, ISO week) piece.

    Columns: month (1–12), iso_year, iso_week, label ("W40"), start, end (dates inside the
    month), days (calendar days in the piece), workdays (under ``calendar``), seq (1… within
    the month). A week that straddles a month end is split between the two months, so weeks
    within a month add up to the month.
    """
    cal = _calendar(calendar)
    y = _year_int(year)
    days = year_days(y)
    idx = pd.DatetimeIndex(days)
    iso = idx.isocalendar()
    frame = pd.DataFrame({
        "month": idx.month.to_numpy(),
        "iso_year": iso["year"].to_numpy(dtype=np.int64),
        "iso_week": iso["week"].to_numpy(dtype=np.int64),
        "date": idx,
        "work": _workday_mask(days, cal).astype(np.int64),
    })
    seg = (frame.groupby(["month", "iso_year", "iso_week"], sort=False)
           .agg(start=("date", "min"), end=("date", "max"), days=("date", "size"),
                workdays=("work", "sum"))
           .reset_index())
    seg = seg.sort_values(["month", "start"], kind="stable").reset_index(drop=True)
    seg["seq"] = seg.groupby("month").cumcount() + 1
    week = "W" + seg["iso_week"].astype(str).str.zfill(2)
    seg["label"] = week.where(seg["iso_year"] == y, seg["iso_year"].astype(str) + "-" + week)
    return seg[["month", "seq", "iso_year", "iso_week", "label", "start", "end", "days", "workdays"]]


# --------------------------------------------------------------------------- progress
def _period_bounds(days: np.ndarray, period: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (inclusive) of the month/quarter/year containing each day."""
    months = days.astype("datetime64[M]").astype(np.int64)
    if period == "month":
        first = months
        n = 1
    elif period == "quarter":
        first = months - months % 3
        n = 3
    else:
        first = months - months % 12
        n = 12
    start = first.astype("datetime64[M]").astype("datetime64[D]")
    end = (first + n).astype("datetime64[M]").astype("datetime64[D]") - np.timedelta64(1, "D")
    return start, end


def time_progress(date, period: str = "month", basis: str = "days", calendar: str = "weekend") -> np.ndarray:
    """Share of the period (month/quarter/year; 月/季/年) elapsed through ``date`` inclusive.

    ``basis`` ``days``: day d of a 30-day month gives d/30. ``workdays``: workdays from the
    period's start through ``date`` over the period's workdays (calendar ``weekend``/``cn``).
    """
    per = canonical(period if period not in (None, "") else "month", PERIOD_ALIASES, "period")
    bas = canonical(basis if basis not in (None, "") else "days", BASIS_ALIASES, "basis")
    days = _days(date)
    ok = ~np.isnat(days)
    out = np.full(days.shape, np.nan)
    if ok.any():
        d = days[ok]
        start, end = _period_bounds(d, per)
        if bas == "days":
            done = (d - start).astype(np.int64) + 1
            total = (end - start).astype(np.int64) + 1
        else:
            done = workdays_in(start, d, calendar)
            total = workdays_in(start, end, calendar)
        out[ok] = np.asarray(done, dtype=float) / np.asarray(total, dtype=float)
    return _scalar_out(out, date)


def pace(actual, target, date, period: str = "month", basis: str = "days",
         calendar: str = "weekend") -> np.ndarray:
    """Achievement minus time progress: actual/target − time_progress(date).

    Negative = behind schedule. ``target`` must be > 0; blank → NaN.
    """
    from .scoring import parse_floats

    a, bad_a = parse_floats(actual)
    t, bad_t = parse_floats(target)
    if bad_a.any():
        raise ValueError("actual must be a number")
    if bad_t.any():
        raise ValueError("target must be a number")
    if (t[~np.isnan(t)] <= 0).any():
        raise ValueError("target must be > 0")
    tp = time_progress(date, period, basis, calendar)
    a, t, tp = np.broadcast_arrays(a, t, np.asarray(tp, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = a / t - tp
    return _scalar_out(np.asarray(out, dtype=float), actual, target, date)
