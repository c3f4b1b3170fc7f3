"""kpi4s worksheet functions — the Excel surface of SPEC §4.

Each function is a few lines: :class:`udfs._cells.Cells` turns the cell shapes into
arrays, a rule module of ``udfs`` computes, and the result goes back in the caller's
shape. Import them in Python (``from udfs import KPI_SCORE``) or register the module
with xlwings (``UDF Modules = udfs``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xlwings as xw

from . import consequences, grading, pay, scoring
from ._cells import Cells, CellError, Kind, excel, squeeze_vector, to_array
from .policy import CALENDAR_ALIASES, CATEGORY_ALIASES, DEFAULT, DIRECTION_ALIASES, GRADING_ALIASES

__all__ = [
    "KPI_SCORE", "KPI_TOTAL", "SCORE_TABLE", "GRADE", "FORCED_GRADE", "GRADE_QUOTA",
    "PERIOD_SCORE", "PERF_BASE", "PERF_PAY", "DECOMPOSE", "MONTH_WEIGHTS", "TIME_PROGRESS",
    "PACE", "DUE_DATE", "LATE_FINE", "NEXT_ACTION", "KPI_INFO",
]

_LANG = {"en": "en", "english": "en", "": "en", "zh": "zh", "cn": "zh", "中文": "zh", "chinese": "zh"}
_PERIODS = {"month": "month", "月": "month", "月度": "month", "m": "month",
            "quarter": "quarter", "季": "quarter", "季度": "quarter", "q": "quarter",
            "year": "year", "年": "year", "年度": "year", "y": "year"}
_BASES = {"days": "days", "日历日": "days", "天": "days", "workdays": "workdays", "工作日": "workdays"}
_METHODS = {"equal": "equal", "平均": "equal", "均分": "equal", "days": "days", "日历日": "days",
            "天数": "days", "workdays": "workdays", "工作日": "workdays"}


def _lang(lang) -> str:
    key = "" if lang is None else str(lang).strip().lower()
    if key not in _LANG:
        raise CellError(f"lang '{lang}' unknown (use en/zh)")
    return _LANG[key]


# --------------------------------------------------------------------------- §3.1 scoring
@xw.func
@xw.arg("actual", ndim=2, doc="实际值 actual (cell or range)")
@xw.arg("target", ndim=2, doc="目标值 target")
@xw.arg("weight", ndim=2, doc="权重 weight: 0.3, 30% or 30 (points)")
@xw.arg("direction", ndim=2, doc="方向 higher(正向)/lower(反向)/lower_linear/min(不低于)/max(不超过); default higher")
@xw.arg("cap", ndim=2, doc="完成率上限 ratio cap, default 1.3 (130%)")
@excel("KPI")
def KPI_SCORE(actual, target, weight, direction=None, cap=None):
    """KPI 单项得分 Item score in points = 100 × weight × clip(ratio, 0, cap); ratio by direction."""
    c = Cells("KPI", actual=actual, target=target, weight=weight, direction=direction, cap=cap)
    a, t, w = c.number("actual"), c.number("target"), c.number("weight")
    d = c.enum("direction", DIRECTION_ALIASES, "higher")
    cp = c.number("cap", DEFAULT.ratio_cap)
    c.check(scoring.kpi_errors(a, t, w, d))
    c.check(np.where(cp <= 0, "cap must be > 0", ""))
    return c.result(scoring.item_score(a, t, w, d, cp))


@xw.func
@xw.arg("actuals", ndim=2, doc="实际值: people × items (one row per person), or one card as a column")
@xw.arg("targets", ndim=2, doc="目标值: a row (same for all) or a matrix like actuals")
@xw.arg("weights", ndim=2, doc="权重: a row (one per item) or a matrix; must sum to 100%")
@xw.arg("directions", ndim=2, doc="方向: a row or a matrix; default higher")
@xw.arg("cap_total", doc="总分上限, default 130")
@excel("KPI")
def KPI_TOTAL(actuals, targets, weights, directions=None, cap_total=None):
    """KPI 总分 Total score per person = Σ item scores, clipped to [0, cap_total]; one total per row."""
    a_raw = to_array(actuals)
    w_raw = to_array(weights)
    one_card = a_raw.ndim <= 1 or (a_raw.ndim == 2 and a_raw.shape[1] == 1 and w_raw.size == a_raw.size)
    def rows(x):
        arr = to_array(x)
        if one_card:
            return arr.reshape(1, -1) if arr.ndim else arr.reshape(1, 1)
        return arr if arr.ndim == 2 else arr.reshape(1, -1)
    c = Cells("KPI", actual=rows(actuals), target=rows(targets), weight=rows(weights),
              direction=None if directions is None else rows(directions))
    av = c.number("actual", blank_gives_blank=False)
    tv = c.number("target", blank_gives_blank=False)
    wv = c.number("weight", 0.0)
    d = c.enum("direction", DIRECTION_ALIASES, "higher")
    used = wv > 0                                   # a blank or zero weight is an unused column
    c.check(np.where(used, scoring.kpi_errors(av, tv, wv, d), ""))
    points = np.where(used, scoring.item_score(av, tv, wv, d), 0.0)
    cap = DEFAULT.total_max if cap_total in (None, "") else float(cap_total)
    totals = np.clip(points.sum(axis=1), DEFAULT.total_min, cap).astype(object)
    # one result per card: a text cell → error; an unfilled item → blank; then value errors
    def first(msgs):
        has = msgs != ""
        return np.where(has.any(axis=1), msgs[np.arange(len(msgs)), np.argmax(has, axis=1)], "")
    input_err = first(np.where(used | (c.input_err != ""), c.input_err, ""))
    value_err = first(c.value_err)
    value_err = np.where(value_err == "", scoring.weight_errors(np.where(used, wv, 0.0)), value_err)
    unfilled = (used & (np.isnan(av) | np.isnan(tv))).any(axis=1)
    out = np.where(value_err != "", np.char.add("#KPI! ", value_err.astype(str)).astype(object), totals)
    out = np.where(unfilled, "", out)
    out = np.where(input_err != "", np.char.add("#KPI! ", input_err.astype(str)).astype(object), out)
    if one_card:
        return _cells_plain(out[0])
    return Kind(actuals).give(out.reshape(-1, 1))


def _cells_plain(v):
    return float(v) if isinstance(v, (float, np.floating)) else v


_TABLE_HEADERS = {
    "employee": "employee", "员工": "employee", "员工编号": "employee", "姓名": "employee", "id": "employee",
    "kpi": "kpi", "指标": "kpi", "考核项": "kpi", "item": "kpi",
    "actual": "actual", "实际": "actual", "实际值": "actual", "实绩": "actual",
    "target": "target", "目标": "target", "目标值": "target",
    "weight": "weight", "权重": "weight",
    "direction": "direction", "方向": "direction",
}


@xw.func
@xw.arg("table", ndim=2, doc="表格(含表头) employee, kpi, actual, target, weight, [direction]")
@xw.arg("policy", doc="等级评定方式 bands/forced/capped (分数段/强制分布/限额), default capped")
@excel("SCORE")
def SCORE_TABLE(table, policy=None):
    """考核汇总 One row per employee: total, band grade and final grade under the policy."""
    arr = to_array(table)
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise CellError("table needs a header row and data rows")
    header = [_TABLE_HEADERS.get(str(h).strip().lower(), _TABLE_HEADERS.get(str(h).strip())) for h in arr[0]]
    missing = [h for h in ("employee", "actual", "target", "weight") if h not in header]
    if missing:
        raise CellError(f"table lacks column {', '.join(missing)}")
    how = GRADING_ALIASES.get(str(policy).strip(), None) if policy not in (None, "") else DEFAULT.grading
    if how is None:
        raise CellError(f"policy '{policy}' unknown (use bands/forced/capped)")
    body = pd.DataFrame(arr[1:], columns=[h or f"_{i}" for i, h in enumerate(header)])
    body = body[body["employee"].notna() & body["employee"].astype(str).str.strip().ne("")]
    c = Cells("SCORE", actual=body["actual"].to_numpy(), target=body["target"].to_numpy(),
              weight=body["weight"].to_numpy(),
              direction=body["direction"].to_numpy() if "direction" in body else None)
    a, t, w = c.number("actual"), c.number("target"), c.number("weight")
    d = c.enum("direction", DIRECTION_ALIASES, "higher")
    c.check(scoring.kpi_errors(a, t, w, d))
    err = np.where(c.input_err != "", c.input_err, c.value_err)
    err = np.where(err != "", "row " + (body.index.to_numpy() + 2).astype(str) + ": " + err.astype(str), "")
    items = pd.DataFrame({"employee_id": body["employee"].astype(str).str.strip().to_numpy(),
                          "kind": "kpi", "weight": w, "target": t, "actual": a, "direction": d})
    scored = scoring.score_items(items, DEFAULT)
    per = scoring.score_totals(scored, None, DEFAULT)
    first_err = pd.Series(err).groupby(items["employee_id"], sort=False).agg(lambda s: next((m for m in s if m), ""))
    blank = pd.Series(c.blank).groupby(items["employee_id"], sort=False).any()
    weight_off = (per["weight_sum"] - 100).abs() > DEFAULT.weight_tolerance
    msg = first_err.where(first_err != "", np.where(weight_off, "weights must sum to 100% (got " + per["weight_sum"].round(1).astype(str) + "%)", ""))
    total = per["total"].where((msg == "") & ~blank)
    final = grading.final_grades(total.to_numpy(), DEFAULT, how)
    band = grading.band_grade(total.to_numpy(), DEFAULT)
    total_cell = np.where(msg != "", "#SCORE! " + msg.astype(str), total.round(2).astype(object).where(total.notna(), ""))
    rows = [["员工 employee", "总分 total", "分数段等级 band", "最终等级 grade"]]
    rows += [[e, tc, b, f] for e, tc, b, f in zip(per.index, total_cell, band, final)]
    return rows


# --------------------------------------------------------------------------- §3.2 grades
@xw.func
@xw.arg("score", ndim=2, doc="总分 score (0–130), cell or range")
@xw.arg("lang", doc="en: A…E (default); zh: 杰出…不胜任")
@excel("GRADE")
def GRADE(score, lang=None):
    """等级 Grade from the score bands: A ≥120, B ≥105, C ≥90, D >70, E ≤70."""
    language = _lang(lang)
    c = Cells("GRADE", score=score)
    s = c.number("score")
    c.check(grading.score_errors(s))
    g = grading.band_grade(s)
    return c.result(grading.grade_label(g) if language == "zh" else g)


@xw.func
@xw.arg("scores", ndim=2, doc="总分 scores of one evaluation group (column)")
@xw.arg("policy", doc="forced(强制分布) or capped(限额, default)")
@xw.arg("quotas", ndim=2, doc="比例 five shares A…E, default 5%,20%,60%,10%,5%")
@excel("GRADE")
def FORCED_GRADE(scores, policy=None, quotas=None):
    """强制分布等级 Grades by quota (forced) or bands with A/B capped at their quotas (capped)."""
    how = GRADING_ALIASES.get(str(policy).strip(), None) if policy not in (None, "") else "capped"
    if how is None:
        raise CellError(f"policy '{policy}' unknown (use forced/capped/bands)")
    q = _quotas(quotas)
    c = Cells("GRADE", scores=scores)
    s = c.number("scores")
    c.check(grading.score_errors(s))
    ok = np.where((c.input_err == "") & (c.value_err == ""), s, np.nan)
    return c.result(grading.final_grades(ok, DEFAULT, how, quotas=q))


def _quotas(quotas):
    if quotas is None:
        return DEFAULT.quotas
    values = scoring.as_float(to_array(quotas)).ravel()
    values = values[~np.isnan(values)]
    if values.size != 5:
        raise CellError("quotas must be five shares A…E")
    if values.max() > 1:
        values = values / 100
    if abs(values.sum() - 1) > 1e-6 or (values < 0).any():
        raise CellError("quotas must add up to 100%")
    return tuple(values)


@xw.func
@xw.arg("n", ndim=2, doc="人数 number of people graded (cell or column)")
@xw.arg("quotas", ndim=2, doc="比例 five shares A…E, default 5%,20%,60%,10%,5%")
@excel("GRADE")
def GRADE_QUOTA(n, quotas=None):
    """等级名额 Five counts A…E for n people, largest-remainder method (they sum to n)."""
    q = _quotas(quotas)
    c = Cells("GRADE", n=n)
    values = c.number("n")
    c.check(np.where((values < 0) | (np.nan_to_num(values) % 1 != 0), "n must be a whole number ≥ 0", ""))
    good = (c.input_err == "") & (c.value_err == "") & ~c.blank
    counts = grading.quota_counts(np.where(good, values, 0), q).astype(object)
    flat_err = np.where(c.input_err != "", c.input_err, c.value_err).reshape(-1)
    counts = counts.reshape(-1, 5)
    counts[flat_err != ""] = [""] * 5
    counts[flat_err != "", 0] = c.error_text(flat_err[flat_err != ""])
    counts[c.blank.reshape(-1)] = ""
    return [list(map(_int_or_text, r)) for r in counts] if np.ndim(n) else list(map(_int_or_text, counts[0]))


def _int_or_text(v):
    return int(v) if isinstance(v, (int, np.integer)) else v


# --------------------------------------------------------------------------- §3.3 periods
@xw.func
@xw.arg("monthly_scores", ndim=2, doc="月度得分 a row or column of months, or people × months")
@excel("PERIOD")
def PERIOD_SCORE(monthly_scores):
    """季度/年度得分 Mean of the numeric monthly scores; one per row for a people × months matrix."""
    arr, vector = squeeze_vector(monthly_scores)
    values, _bad = scoring.parse_floats(arr)             # text (e.g. 试用) is not a score: skipped
    values = values.reshape(1, -1) if vector else values
    with np.errstate(invalid="ignore"):
        count = (~np.isnan(values)).sum(axis=1)
        mean = np.where(count > 0, np.nansum(values, axis=1) / np.maximum(count, 1), np.nan)
    out = [["" if np.isnan(m) else round(float(m), 10)] for m in mean]
    return out[0][0] if vector else out


# --------------------------------------------------------------------------- §3.5 pay
@xw.func
@xw.arg("category", ndim=2, doc="类别 profit(创利部门)/functional(职能部门)/manager(部门经理)/support_manager")
@xw.arg("salary", ndim=2, doc="月全额工资 full monthly salary (yuan)")
@xw.arg("commission", ndim=2, doc="提成工资总额 commission total (profit staff)")
@excel("PAY")
def PERF_BASE(category, salary, commission=None):
    """绩效基数 Performance pay base: commission (profit), 30%/50%/30% of salary (functional/manager/support)."""
    c = Cells("PAY", category=category, salary=salary, commission=commission)
    cat = c.enum("category", CATEGORY_ALIASES, "functional")
    sal = c.number("salary", blank_gives_blank=False)
    com = c.number("commission", blank_gives_blank=False)
    c.blank_where(np.isnan(np.where(cat == "profit", com, sal)) & (cat != "profit"))
    c.blank_where(pd.isna(pd.Series(c.raw("category").ravel(), dtype=object)).to_numpy().reshape(c.shape))
    c.check(pay.base_errors(cat, sal, com))
    return c.result(pay.perf_base(cat, sal, com))


@xw.func
@xw.arg("base", ndim=2, doc="绩效基数 performance pay base (yuan)")
@xw.arg("score", ndim=2, doc="总分 score (0–130)")
@excel("PAY")
def PERF_PAY(base, score):
    """绩效工资 Performance pay = base × score / 100, yuan rounded half-up to 0.01."""
    c = Cells("PAY", base=base, score=score)
    b, s = c.number("base"), c.number("score")
    c.check(np.where(b < 0, "base must be ≥ 0", ""))
    c.check(grading.score_errors(s))
    return c.result(pay.perf_pay(b, s))


# --------------------------------------------------------------------------- §3.8 targets
@xw.func
@xw.arg("total", ndim=2, doc="总目标 total (cell, or a column of totals, one per row of weights)")
@xw.arg("weights", ndim=2, doc="权重 weights/shares (row, column or matrix)")
@xw.arg("decimals", doc="小数位 precision, default 0 (whole units)")
@excel("TARGET")
def DECOMPOSE(total, weights, decimals=None):
    """目标分解 Parts proportional to the weights that add up exactly to the total (largest remainder)."""
    from . import decompose
    places = 0 if decimals in (None, "") else int(float(decimals))
    if not 0 <= places <= 6:
        raise CellError("decimals must be 0–6")
    c = Cells("TARGET", weights=weights)
    w = c.number("weights", 0.0)
    c.check(np.where(w < 0, "weights must be ≥ 0", ""))
    totals = scoring.as_float(to_array(total)).ravel()
    if np.isnan(totals).all():
        c.blank_where(True)
        return c.result(np.nan)
    if totals.size == 1:                            # one total over the whole range of weights
        parts = decompose.decompose(totals[0], w.ravel(), places).reshape(w.shape)
    elif w.ndim == 2 and totals.size == w.shape[0]:  # a column of totals, one per row of weights
        parts = decompose.decompose(totals.reshape(-1, 1), w, places)
    else:
        raise CellError("total must be one cell or one per row of weights")
    return c.result(parts)


@xw.func
@xw.arg("year", ndim=2, doc="年份 year (cell or column)")
@xw.arg("method", doc="equal(平均) / days(日历日) / workdays(工作日); default equal")
@xw.arg("calendar", doc="workdays calendar: weekend (default) or cn (法定节假日)")
@excel("TARGET")
def MONTH_WEIGHTS(year, method=None, calendar=None):
    """月度权重 A row of 12 month weights summing to 1: equal, calendar days or workdays."""
    from . import dates
    m = _METHODS.get(str(method).strip().lower() if method not in (None, "") else "equal")
    if m is None:
        raise CellError(f"method '{method}' unknown (use equal/days/workdays)")
    cal = _calendar(calendar)
    years, vector = squeeze_vector(year)
    ys = scoring.as_float(years)
    rows = [[""] * 12 if np.isnan(y) else [float(v) for v in dates.month_weights(int(y), m, cal)] for y in ys]
    return rows[0] if np.ndim(year) == 0 else rows


def _calendar(calendar) -> str:
    if calendar in (None, ""):
        return DEFAULT.calendar
    key = str(calendar).strip()
    cal = CALENDAR_ALIASES.get(key) or CALENDAR_ALIASES.get(key.lower())
    if cal is None:
        raise CellError(f"calendar '{calendar}' unknown (use weekend/cn)")
    return cal


@xw.func
@xw.arg("date", ndim=2, doc="日期 date (cell or range)")
@xw.arg("period", doc="month(月, default) / quarter(季) / year(年)")
@xw.arg("basis", doc="days(日历日, default) / workdays(工作日)")
@excel("PROGRESS")
def TIME_PROGRESS(date, period=None, basis=None):
    """时间进度 Share of the month/quarter/year elapsed through the date (inclusive)."""
    from . import dates
    per = _enum_arg(period, _PERIODS, "month", "period")
    bas = _enum_arg(basis, _BASES, "days", "basis")
    c = Cells("PROGRESS", date=date)
    d, ok = _dates(c, "date")
    out = np.full(c.shape, np.nan)
    if ok.any():
        out[ok] = dates.time_progress(d[ok], per, bas, DEFAULT.calendar)
    return c.result(out)


@xw.func
@xw.arg("actual", ndim=2, doc="累计实际 actual to date")
@xw.arg("target", ndim=2, doc="期间目标 target of the period")
@xw.arg("date", ndim=2, doc="截至日期 as-of date")
@xw.arg("period", doc="month(月, default) / quarter(季) / year(年)")
@excel("PROGRESS")
def PACE(actual, target, date, period=None):
    """进度差 Achievement (actual/target) minus time progress; below 0 = behind."""
    from . import dates
    per = _enum_arg(period, _PERIODS, "month", "period")
    c = Cells("PROGRESS", actual=actual, target=target, date=date)
    a, t = c.number("actual"), c.number("target")
    c.check(np.where(t <= 0, "target must be > 0", ""))
    d, ok = _dates(c, "date")
    ok &= ~np.isnan(a) & (t > 0)
    out = np.full(c.shape, np.nan)
    if ok.any():
        out[ok] = a[ok] / t[ok] - dates.time_progress(d[ok], per, "days", DEFAULT.calendar)
    return c.result(out)


def _enum_arg(value, table, default, name):
    if value in (None, ""):
        return default
    key = str(value).strip().lower()
    if key not in table and str(value).strip() not in table:
        raise CellError(f"{name} '{value}' unknown (use {'/'.join(dict.fromkeys(table.values()))})")
    return table.get(key) or table[str(value).strip()]


def _dates(c: Cells, name: str):
    """Dates of a Cells argument as Timestamps (Excel serials or datetimes); bad → cell error."""
    from . import dates
    raw = pd.Series(c.raw(name).ravel(), dtype=object)
    blank = raw.isna() | raw.astype(str).str.strip().eq("")
    stamps = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    try:
        parsed = pd.Series(dates.to_timestamps(raw[~blank].to_numpy()), index=raw.index[~blank])
        stamps.loc[parsed.index] = parsed.to_numpy()
        bad = np.zeros(len(raw), dtype=bool)
    except (ValueError, TypeError):
        bad = ~blank.to_numpy()
    bad = bad | (~blank.to_numpy() & stamps.isna().to_numpy())
    c.input_err[bad.reshape(c.shape) & (c.input_err == "")] = f"{name} must be a date"
    c.blank_where(blank.to_numpy().reshape(c.shape))
    return stamps.to_numpy().reshape(c.shape), (~blank.to_numpy() & ~bad).reshape(c.shape)


# --------------------------------------------------------------------------- §3.6 calendar
@xw.func
@xw.arg("year", ndim=2, doc="年 year")
@xw.arg("month", ndim=2, doc="月 month (1–12)")
@xw.arg("day", ndim=2, doc="日 nominal due day (e.g. 4 for 各部门经理)")
@xw.arg("calendar", doc="weekend (周末顺延, default) or cn (also China's public holidays)")
@excel("DATE")
def DUE_DATE(year, month, day, calendar=None):
    """截止日 The due date after rolling a Saturday/Sunday (or, with cn, a public holiday) forward."""
    from . import dates
    cal = _calendar(calendar)
    c = Cells("DATE", year=year, month=month, day=day)
    y, m, d = c.number("year"), c.number("month"), c.number("day")
    c.check(np.where((m < 1) | (m > 12) | (m % 1 != 0), "month must be 1–12", ""))
    c.check(np.where((d < 1) | (d > 31) | (d % 1 != 0), "day must be 1–31", ""))
    valid = np.isfinite(y) & np.isfinite(m) & np.isfinite(d) & (c.value_err == "") & (c.input_err == "")
    days_in = np.zeros(c.shape)
    if valid.any():
        starts = pd.to_datetime(pd.DataFrame({"year": y[valid], "month": m[valid], "day": 1}))
        days_in[valid] = starts.dt.days_in_month.to_numpy()
    c.check(np.where(valid & (d > days_in), "day is past the month's end", ""))
    valid &= c.value_err == ""
    out = np.full(c.shape, None, dtype=object)
    if valid.any():
        due = pd.to_datetime(dates.due_date(y[valid].astype(int), m[valid].astype(int), d[valid].astype(int), cal))
        out[valid] = pd.DatetimeIndex(due).to_pydatetime()
    return c.result(out)


@xw.func
@xw.arg("submitted", ndim=2, doc="提交时间 submission date and time")
@xw.arg("due", ndim=2, doc="截止日 due date (deadline at 17:30 that day) or date-time")
@xw.arg("per_day", ndim=2, doc="每日罚款 fine per day late, default 500 yuan")
@excel("DATE")
def LATE_FINE(submitted, due, per_day=None):
    """逾期罚款 Fine in yuan: per_day × whole calendar days after the 17:30 deadline (1 minute = 1 day)."""
    from . import dates
    c = Cells("DATE", submitted=submitted, due=due, per_day=per_day)
    fine = c.number("per_day", DEFAULT.fine_per_day)
    c.check(np.where(fine < 0, "per_day must be ≥ 0", ""))
    s, ok_s = _dates(c, "submitted")
    d, ok_d = _dates(c, "due")
    ok = ok_s & ok_d & (c.value_err == "")
    out = np.full(c.shape, np.nan)
    if ok.any():
        out[ok] = dates.late_fine(s[ok], d[ok], fine[ok], DEFAULT.deadline_time)
    return c.result(out)


# --------------------------------------------------------------------------- §3.7 actions
@xw.func
@xw.arg("grades", ndim=2, doc="等级历史 monthly grades, oldest first (row/column; or people × months)")
@xw.arg("lang", doc="en: action code (default); zh: 中文")
@excel("ACTION")
def NEXT_ACTION(grades, lang=None):
    """绩效结果应用 The headline action of the latest month: award, improvement_plan, hr_warning, manager_warning, separation or blank."""
    language = _lang(lang)
    arr, vector = squeeze_vector(grades)
    arr = arr.reshape(1, -1) if vector else arr
    idx = grading.grade_index(np.where(pd.isna(arr), "", arr))
    text = pd.Series(arr.ravel(), dtype=object)
    bad = (idx.ravel() < 0) & ~(text.isna() | text.astype(str).str.strip().eq("")).to_numpy()
    codes = consequences.next_action(np.where(pd.isna(arr), "", arr))
    out = consequences.action_label(codes) if language == "zh" else codes
    row_bad = bad.reshape(arr.shape).any(axis=1)
    first_bad = [str(arr[i][np.argmax(bad.reshape(arr.shape)[i])]) for i in np.flatnonzero(row_bad)]
    out = out.astype(object)
    out[row_bad] = [f"#ACTION! grades '{g}' is not A–E" for g in first_bad]
    res = [[v] for v in out]
    return res[0][0] if vector else res


# --------------------------------------------------------------------------- §3.9 KPI library
@xw.func
@xw.arg("kpi_id", ndim=2, doc="指标编号 KPI id (e.g. rework_rate) or 中文名")
@xw.arg("field", ndim=2, doc="字段 name_zh/name_en/direction/target/unit/formula")
@excel("KPI")
def KPI_INFO(kpi_id, field):
    """指标库 A field of the built-in KPI library (name_zh, name_en, direction, target, unit, formula)."""
    from . import kpis
    c = Cells("KPI", kpi_id=kpi_id, field=field)
    ids, fields = c.text("kpi_id"), c.text("field")
    c.blank_where((ids == "") | (fields == ""))
    out = np.full(c.shape, None, dtype=object)
    ok = ~c.blank
    if ok.any():
        # unknown ids/fields are found once per distinct value, then every good cell is looked up at once
        def problem(i, f):
            try:
                kpis.kpi_info(i, f)
                return ""
            except ValueError as exc:
                return str(exc)
        pairs = pd.DataFrame({"i": ids[ok], "f": fields[ok]})
        distinct = pairs.drop_duplicates()
        distinct["msg"] = [problem(i, f) for i, f in zip(distinct["i"], distinct["f"])]
        msgs = pairs.merge(distinct, on=["i", "f"], how="left")["msg"].to_numpy(dtype=object)
        c.value_err[ok] = msgs
        good = ok.copy()
        good[ok] = msgs == ""
        if good.any():
            out[good] = kpis.kpi_info(ids[good], fields[good])
    return c.result(out)
