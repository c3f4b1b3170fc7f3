"""SPEC §3.6 (and the calendar parts of §3.8) — workdays, deadlines, late fines, time progress.

Pure and vectorised: functions take scalars, lists, numpy arrays or pandas objects (dates as
anything :func:`udfs.parse.dates` reads: datetimes, text, Excel serials) and return numpy
results (a numpy scalar for scalar input). Blank in → NaN/NaT out. Bad input raises
ValueError with a short English message naming the argument.

Calendars (udfs.vocab.CALENDAR): ``weekend`` — Monday to Friday are workdays (the seed's
rule: a Saturday/Sunday deadline moves to Monday); ``cn`` — also China's public holidays and
official make-up workdays (package ``chinesecalendar``).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .parse import FIRST_YEAR, LAST_YEAR, floats, month_parts, time_of_day, to_dates
from .vocab import BASIS, CALENDAR, CALENDAR_SPLITS, InputError, PERIOD, SPLIT, setting

_NS_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class CalendarRules:
    calendar: str = setting("weekend", "日历", "周末顺延 / 法定节假日（遇节假日顺延、调休上班日照常）",
                            vocab=CALENDAR)
    deadline_time: str = setting("17:30", "提交截止时间", "评分在截止日此时间前提交", "time")
    fine_per_day: float = setting(500.0, "逾期罚款(元/天)", "每逾期一天（不足一天按一天）罚款")
    deadlines: tuple = setting((("行政部经理", 2), ("人力资源专员", 3), ("各部门经理", 4),
                                ("客服经理", 5), ("财务部经理", 7)),
                               "评分提交日", "评分人角色:次月几号（截止时间前提交）", "deadlines")

    def _checks(self):
        if self.fine_per_day < 0:
            yield ("fine_per_day",), "不能为负数"
        if any(not 1 <= d <= 28 for _, d in self.deadlines):
            yield ("deadlines",), "提交日应为每月 1–28 日"
        if len({r for r, _ in self.deadlines}) != len(self.deadlines):
            yield ("deadlines",), "同一角色出现两次"

    @property
    def deadline_days(self) -> dict:
        return dict(self.deadlines)


RULES = CalendarRules()


def _scalar_out(out: np.ndarray, *inputs):
    return out[()] if all(np.ndim(x) == 0 and not isinstance(x, (list, tuple)) for x in inputs) else out


def _days(x, name: str = "date") -> np.ndarray:
    """Dates → datetime64[D] (time of day dropped)."""
    return to_dates(x, name).astype("datetime64[D]")


@dataclass(frozen=True)
class Calendar:
    """A workday calendar as data: its code (udfs.vocab.CALENDAR) and, for ``cn``, the days a
    store typed itself (the workbook's 节假日 sheet) — public holidays and make-up workdays
    that override the chinesecalendar package, e.g. next year's before the package knows them.
    Any function here taking ``calendar`` takes a code, an alias or a Calendar."""

    code: str = "weekend"
    off: tuple = ()        # ISO dates (YYYY-MM-DD) that are days off
    work: tuple = ()       # ISO dates that are workdays (调休上班) even on a weekend

    @property
    def typed_years(self) -> frozenset:
        return frozenset(int(d[:4]) for d in self.off + self.work)


def as_calendar(calendar) -> Calendar:
    """A Calendar from a code, a Chinese name or alias (blank → the default), or a Calendar."""
    if isinstance(calendar, Calendar):
        return calendar
    return Calendar(CALENDAR.code(calendar, default=RULES.calendar, arg="calendar"))


def calendar_code(calendar) -> str:
    """The calendar code of a name or alias (or a Calendar); blank → the default calendar."""
    return as_calendar(calendar).code


def _year(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]").astype("int64") + 1970


def _tod(deadline_time) -> np.timedelta64:
    h, m = time_of_day(deadline_time, "deadline_time")
    return np.timedelta64(h * 60 + m, "m").astype("timedelta64[s]")


# --------------------------------------------------------------------------- calendars
@functools.lru_cache(maxsize=1)
def _package_tables():
    import chinese_calendar as cc

    holidays = np.array(sorted(cc.holidays), dtype="datetime64[D]")
    makeup = np.array(sorted(cc.workdays), dtype="datetime64[D]")
    return holidays, makeup, min(cc.holidays).year, max(cc.holidays).year


@functools.lru_cache(maxsize=8)
def _cn_tables(cal: Calendar = Calendar("cn")):
    """(days off, make-up workdays, known years) of the cn calendar with the store's days."""
    holidays, makeup, first, last = _package_tables()
    off = np.array(sorted(cal.off), dtype="datetime64[D]")
    work = np.array(sorted(cal.work), dtype="datetime64[D]")
    holidays = np.union1d(holidays[~np.isin(holidays, work)], off)
    makeup = np.union1d(makeup[~np.isin(makeup, off)], work)
    return holidays, makeup, np.union1d(np.arange(first, last + 1), sorted(cal.typed_years)).astype(np.int64)


def cn_years() -> tuple[int, int]:
    """First and last year the chinesecalendar package knows."""
    return _package_tables()[2:]


def cn_known(calendar=None) -> np.ndarray:
    """The years the cn calendar knows: the package's and those the store typed days for."""
    return _cn_tables(_cn(calendar))[2]


def _cn(calendar) -> Calendar:
    cal = Calendar("cn") if calendar is None else as_calendar(calendar)
    return cal if cal.code == "cn" else Calendar("cn")


def cn_unknown(days, calendar=None) -> str:
    """'' when every date is in a year the cn calendar knows, else the (cell) message."""
    d = np.asarray(days, dtype="datetime64[D]")
    years = _year(d[~np.isnat(d)])
    known = cn_known(calendar)
    if years.size and not np.isin(years, known).all():
        first, last = cn_years()
        extra = sorted(set(known.tolist()) - set(range(first, last + 1)))
        typed = f" (and {', '.join(map(str, extra))} from the holiday table)" if extra else ""
        return f"calendar cn knows years {first}–{last} only{typed}"
    return ""


def _weekday(days: np.ndarray) -> np.ndarray:
    return (days.astype("int64") + 3) % 7          # 0 = Monday; 1970-01-01 was a Thursday


def _workday_mask(days: np.ndarray, cal: Calendar) -> np.ndarray:
    nat = np.isnat(days)
    work = (_weekday(days) < 5) & ~nat
    if cal.code == "cn":
        msg = cn_unknown(days, cal)
        if msg:
            raise InputError(msg)
        holidays, makeup, _ = _cn_tables(cal)
        work = (work & ~np.isin(days, holidays)) | (np.isin(days, makeup) & ~nat)
    return work


def is_workday(dates, calendar="weekend") -> np.ndarray:
    """True on workdays; with a blank date the result is float (1/0, NaN for blank)."""
    days = _days(dates)
    work = _workday_mask(days, as_calendar(calendar))
    if np.isnat(days).any():
        work = np.where(np.isnat(days), np.nan, work.astype(float))
    return _scalar_out(work, dates)


def roll_forward(dates, calendar="weekend") -> np.ndarray:
    """The first workday on or after each date, as datetime64[D]."""
    cal = as_calendar(calendar)
    days = _days(dates)
    ok = ~np.isnat(days)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    if ok.any():
        if cal.code == "cn" and cn_unknown(days[ok], cal):
            raise InputError(cn_unknown(days[ok], cal))
        lo, hi = days[ok].min(), days[ok].max() + np.timedelta64(40, "D")
        span = np.arange(lo, hi + _NS_DAY, dtype="datetime64[D]")
        if cal.code == "cn":     # days in years the calendar does not know are unknown, not workdays
            known = np.isin(_year(span), cn_known(cal))
            work = np.zeros(len(span), dtype=bool)
            work[known] = _workday_mask(span[known], cal)
        else:
            work = _workday_mask(span, cal)
        idx = np.where(work, np.arange(len(span)), len(span))
        nxt = np.minimum.accumulate(idx[::-1])[::-1][(days[ok] - lo).astype(np.int64)]
        if (nxt >= len(span)).any():
            raise InputError(cn_unknown(span[~known], cal) or "calendar cn knows no workday after this date")
        out[ok] = span[nxt]
    return _scalar_out(out, dates)


def workdays_in(start, end, calendar="weekend") -> np.ndarray:
    """Number of workdays from ``start`` to ``end``, both inclusive (0 when end < start)."""
    cal = as_calendar(calendar)
    s, e = np.broadcast_arrays(_days(start, "start"), _days(end, "end"))
    ok = ~np.isnat(s) & ~np.isnat(e)
    out = np.full(s.shape, np.nan)
    if ok.any():
        lo, hi = min(s[ok].min(), e[ok].min()), max(s[ok].max(), e[ok].max())
        span = np.arange(lo, hi + _NS_DAY, dtype="datetime64[D]")
        cum = np.concatenate([[0], np.cumsum(_workday_mask(span, cal))])
        out[ok] = np.maximum(cum[(e[ok] - lo).astype(np.int64) + 1] - cum[(s[ok] - lo).astype(np.int64)], 0)
    if ok.all():
        out = out.astype(np.int64)
    return _scalar_out(out, start, end)


# --------------------------------------------------------------------------- deadlines
def _whole(x, name: str) -> tuple[np.ndarray, np.ndarray]:
    values = floats(x, name)
    nan = np.isnan(values)
    if (values[~nan] % 1 != 0).any():
        raise InputError(f"{name} must be a whole number")
    return np.where(nan, 0, values).astype(np.int64), nan


def month_start(year, month) -> np.ndarray:
    y, m = np.broadcast_arrays(np.asarray(year, dtype=np.int64), np.asarray(month, dtype=np.int64))
    return ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]").astype("datetime64[D]")


def days_in_month(year, month) -> np.ndarray:
    start = month_start(year, month)
    return ((start.astype("datetime64[M]") + 1).astype("datetime64[D]") - start).astype(np.int64)


def due_date(year, month, day, calendar="weekend") -> np.ndarray:
    """The deadline day: (year, month, day) rolled forward to the first workday (SPEC §3.6)."""
    cal = as_calendar(calendar)
    y, y_nan = _whole(year, "year")
    m, m_nan = _whole(month, "month")
    d, d_nan = _whole(day, "day")
    y, m, d, nan = np.broadcast_arrays(y, m, d, y_nan | m_nan | d_nan)
    ok = ~nan
    if ((y[ok] < FIRST_YEAR) | (y[ok] > LAST_YEAR)).any():
        raise InputError(f"year must be {FIRST_YEAR}–{LAST_YEAR}")
    if ((m[ok] < 1) | (m[ok] > 12)).any():
        raise InputError("month must be 1–12")
    yy, mm = np.where(ok, y, 2000), np.where(ok, m, 1)
    if ((d[ok] < 1) | (d[ok] > days_in_month(yy, mm)[ok])).any():
        raise InputError("day must be a valid day of the month")
    nominal = month_start(yy, mm) + (np.where(ok, d, 1) - 1).astype("timedelta64[D]")
    nominal = np.where(ok, nominal, np.datetime64("NaT"))
    out = np.asarray(roll_forward(nominal, cal), dtype="datetime64[D]").reshape(y.shape)
    return _scalar_out(out, year, month, day)


def scorer_deadlines(month: str, policy: CalendarRules = RULES, calendar=None) -> pd.DataFrame:
    """When each scorer's scores for ``month`` ('YYYY-MM') are due (SPEC §3.6): one row per
    policy.deadlines entry — role, day, nominal (date in M+1), due (the workday, at deadline_time).
    ``calendar``: a Calendar with the store's own days (default: policy.calendar alone)."""
    y, m = month_parts(month)
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    roles = [str(r) for r, _ in policy.deadlines]
    days = np.array([int(d) for _, d in policy.deadlines], dtype=np.int64)
    if (days < 1).any() or (days > days_in_month(ny, nm)).any():
        raise InputError("deadlines day must be a valid day of the month")
    nominal = month_start(ny, nm) + (days - 1).astype("timedelta64[D]")
    cal = as_calendar(policy.calendar if calendar is None else calendar)
    due = np.asarray(roll_forward(nominal, cal), dtype="datetime64[D]").astype("datetime64[s]")
    return pd.DataFrame({"role": roles, "day": days, "nominal": nominal.astype("datetime64[s]"),
                         "due": due + _tod(policy.deadline_time)})


def late_days(submitted, due, deadline_time: str = RULES.deadline_time) -> np.ndarray:
    """Whole calendar days late: ceil((submitted − deadline) / 24 h), 0 if on time.

    A ``due`` without a time (00:00) means that day at ``deadline_time``; a ``due`` with a time
    keeps it. One minute late is one day. Blank → NaN (then the result is float).
    """
    sub = to_dates(submitted, "submitted")
    d = to_dates(due, "due")
    at_midnight = d == d.astype("datetime64[D]").astype("datetime64[s]")
    deadline = np.where(at_midnight, d + _tod(deadline_time), d)
    sub, deadline = np.broadcast_arrays(sub, deadline)
    missing = np.isnat(sub) | np.isnat(deadline)
    elapsed = np.where(missing, 0, (sub - deadline).astype("timedelta64[s]").astype(np.int64))
    days = np.where(elapsed > 0, -((-elapsed) // 86_400), 0)
    out = np.where(missing, np.nan, days.astype(float)) if missing.any() else days.astype(np.int64)
    return _scalar_out(out, submitted, due)


def late_fine(submitted, due, per_day=RULES.fine_per_day, deadline_time: str = RULES.deadline_time) -> np.ndarray:
    """Late fine in yuan: late_days × per_day (SPEC §3.6: 500 yuan per day)."""
    rate = floats(per_day, "per_day")
    if (rate[~np.isnan(rate)] < 0).any():
        raise InputError("per_day must be ≥ 0")
    out = late_days(submitted, due, deadline_time) * rate
    return _scalar_out(np.asarray(out, dtype=float), submitted, due, per_day)


# --------------------------------------------------------------------------- months and weeks
def year_int(year) -> int:
    try:
        y = float(year)
    except (TypeError, ValueError):
        raise InputError(f"year '{year}' must be a number") from None
    if y != y or y % 1 or not FIRST_YEAR <= y <= LAST_YEAR:
        raise InputError(f"year must be a whole number {FIRST_YEAR}–{LAST_YEAR}")
    return int(y)


def year_days(year: int) -> np.ndarray:
    start = np.datetime64(f"{int(year):04d}-01-01")
    return np.arange(start, np.datetime64(f"{int(year) + 1:04d}-01-01"), dtype="datetime64[D]")


def month_weights(year, method: str = "equal", calendar="weekend") -> np.ndarray:
    """Twelve fractions summing to 1: ``equal``, ``days`` (calendar days) or ``workdays``.

    ``year`` may be an array: the result then has shape year.shape + (12,).
    """
    how = SPLIT.code(method, default="equal", arg="method")
    if how not in CALENDAR_SPLITS:
        raise InputError(f"method '{method}' needs monthly values (use {'/'.join(CALENDAR_SPLITS)})")
    cal = as_calendar(calendar)
    years = np.asarray(year, dtype=object)
    rows = []
    for y in years.ravel():                      # one row per year asked for (usually one)
        if y is None or (isinstance(y, float) and np.isnan(y)):
            rows.append(np.full(12, np.nan))
            continue
        days = year_days(year_int(y))
        counted = np.ones(len(days), dtype=bool) if how == "days" else _workday_mask(days, cal)
        w = np.ones(12) if how == "equal" else np.bincount(
            days.astype("datetime64[M]").astype(np.int64) % 12, weights=counted.astype(float), minlength=12)
        rows.append(w / w.sum())
    return np.array(rows).reshape(years.shape + (12,))


def week_segments(year, calendar="weekend") -> pd.DataFrame:
    """The ISO weeks of a year cut at month ends: one row per (month, ISO week) piece.

    Columns: month (1–12), seq (1… within the month), iso_year, iso_week, label ("W40"),
    start, end (dates inside the month), days, workdays (under ``calendar``).
    """
    cal = as_calendar(calendar)
    y = year_int(year)
    days = year_days(y)
    idx = pd.DatetimeIndex(days.astype("datetime64[s]"))
    iso = idx.isocalendar()
    frame = pd.DataFrame({"month": idx.month.to_numpy(), "iso_year": iso["year"].to_numpy(dtype=np.int64),
                          "iso_week": iso["week"].to_numpy(dtype=np.int64), "date": idx,
                          "work": _workday_mask(days, cal).astype(np.int64)})
    seg = (frame.groupby(["month", "iso_year", "iso_week"], sort=False)
           .agg(start=("date", "min"), end=("date", "max"), days=("date", "size"), workdays=("work", "sum"))
           .reset_index().sort_values(["month", "start"], kind="stable").reset_index(drop=True))
    seg["seq"] = seg.groupby("month").cumcount() + 1
    week = "W" + seg["iso_week"].astype(str).str.zfill(2)
    seg["label"] = week.where(seg["iso_year"] == y, seg["iso_year"].astype(str) + "-" + week)
    return seg[["month", "seq", "iso_year", "iso_week", "label", "start", "end", "days", "workdays"]]


# --------------------------------------------------------------------------- progress
def _period_bounds(days: np.ndarray, period: str) -> tuple[np.ndarray, np.ndarray]:
    months = days.astype("datetime64[M]").astype(np.int64)
    n = {"month": 1, "quarter": 3, "year": 12}[period]
    first = months - months % n
    start = first.astype("datetime64[M]").astype("datetime64[D]")
    end = (first + n).astype("datetime64[M]").astype("datetime64[D]") - _NS_DAY
    return start, end


def time_progress(date, period: str = "month", basis: str = "days", calendar="weekend") -> np.ndarray:
    """Share of the period (month/quarter/year) elapsed through ``date`` inclusive.

    ``basis`` days: day d of a 30-day month gives d/30; workdays: workdays from the period's
    start through ``date`` over the period's workdays (calendar weekend/cn).
    """
    per = PERIOD.code(period, default="month")
    bas = BASIS.code(basis, default="days")
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
            done, total = workdays_in(start, d, calendar), workdays_in(start, end, calendar)
        out[ok] = np.asarray(done, dtype=float) / np.asarray(total, dtype=float)
    return _scalar_out(out, date)


def pace(actual, target, date, period: str = "month", basis: str = "days", calendar="weekend") -> np.ndarray:
    """Achievement minus time progress: actual/target − time_progress(date); negative = behind."""
    a, t = floats(actual, "actual"), floats(target, "target")
    if (t[~np.isnan(t)] <= 0).any():
        raise InputError("target must be > 0")
    tp = time_progress(date, period, basis, calendar)
    a, t, tp = np.broadcast_arrays(a, t, np.asarray(tp, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = a / t - tp
    return _scalar_out(np.asarray(out, dtype=float), actual, target, date)
