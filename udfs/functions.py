"""The 17 worksheet functions of SPEC §4 — a thin surface over the rule modules.

Each function reads its cells through :class:`udfs._cells.Cells` (shapes, blanks, our error
texts), calls one rule, and hands the result back in the caller's shape. The package
``udfs`` re-exports them, so ``UDF Modules = udfs`` registers them with xlwings.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xlwings as xw

from . import consequences, dates, decompose, grading, kpis, pay, periods, scoring
from ._cells import CellError, Cells, Kind, excel, scalar_arg, squeeze_vector, to_array
from .parse import ids, numbers
from .policy import DEFAULT
from .vocab import (ACTION, BASIS, CALENDAR, CALENDAR_SPLITS, CATEGORY, DIRECTION, GRADING, LANG, PERIOD, SPLIT,
                    TABLE_COLUMN)
from .vocab import GRADE as GRADE_WORDS          # GRADE is also a worksheet function below

__all__ = [  # the same list as udfs.__all__ (tests check they agree)
    "KPI_SCORE", "KPI_TOTAL", "SCORE_TABLE", "GRADE", "FORCED_GRADE", "GRADE_QUOTA",
    "PERIOD_SCORE", "PERF_BASE", "PERF_PAY", "DECOMPOSE", "MONTH_WEIGHTS", "TIME_PROGRESS",
    "PACE", "DUE_DATE", "LATE_FINE", "NEXT_ACTION", "KPI_INFO",
]


def _rows(x, one_card: bool) -> np.ndarray:
    a = to_array(x)
    if one_card:
        return a.reshape(1, -1) if a.ndim else a.reshape(1, 1)
    return a if a.ndim == 2 else a.reshape(1, -1)


def _first_per_row(msgs: np.ndarray) -> np.ndarray:
    has = msgs != ""
    return np.where(has.any(axis=1), msgs[np.arange(len(msgs)), np.argmax(has, axis=1)], "")


def _quotas(quotas):
    if quotas is None:
        return DEFAULT.quotas
    values, _ = numbers(to_array(quotas).ravel())
    values = values[~np.isnan(values)]
    if values.size != 5:
        raise CellError("quotas must be five shares A…E")
    values = values / 100 if values.max() > 1 else values
    if abs(values.sum() - 1) > 1e-6 or (values < 0).any():
        raise CellError("quotas must add up to 100%")
    return tuple(values)


# --------------------------------------------------------------------------- §3.1 scoring
@xw.func
@xw.arg("actual", "raw", doc="实际值 actual (cell or range)")
@xw.arg("target", "raw", doc="目标值 target")
@xw.arg("weight", "raw", doc="权重 weight: 0.3, 30% or 30 (points)")
@xw.arg("direction", "raw", doc="方向 higher(正向)/lower(反向)/lower_linear/min(不低于)/max(不超过); default higher")
@xw.arg("cap", "raw", doc="完成率上限 ratio cap, default 1.3 (130%)")
@excel("KPI")
def KPI_SCORE(actual, target, weight, direction=None, cap=None):
    """KPI 单项得分 Item score in points = 100 × weight × clip(ratio, 0, cap); ratio by direction."""
    c = Cells("KPI", actual=actual, target=target, weight=weight, direction=direction, cap=cap)
    a, t, w = c.number("actual"), c.number("target"), c.number("weight")
    d = c.enum("direction", DIRECTION, "higher")
    cp = c.number("cap", DEFAULT.ratio_cap)
    c.check(np.where(c.ok, scoring.kpi_errors(a, t, np.where(c.ok, w, 0), d), ""))
    c.check(np.where(cp <= 0, "cap must be > 0", ""))
    return c.result(scoring.item_score(a, t, np.where(c.ok, w, 0), d, np.where(cp > 0, cp, 1)))


@xw.func
@xw.arg("actuals", "raw", doc="实际值: people × items (one row per person), or one card as a column")
@xw.arg("targets", "raw", doc="目标值: a row (same for all) or a matrix like actuals")
@xw.arg("weights", "raw", doc="权重: a row (one per item) or a matrix; must sum to 100%")
@xw.arg("directions", "raw", doc="方向: a row or a matrix; default higher")
@xw.arg("cap_total", doc="总分上限, default 130")
@excel("KPI")
def KPI_TOTAL(actuals, targets, weights, directions=None, cap_total=None):
    """KPI 总分 Total score per person = Σ item scores, clipped to [0, cap_total]; one total per row."""
    a_raw, w_raw = to_array(actuals), to_array(weights)
    one_card = a_raw.ndim <= 1 or (a_raw.shape[1] == 1 and w_raw.size == a_raw.size)
    c = Cells("KPI", actual=_rows(actuals, one_card), target=_rows(targets, one_card),
              weight=_rows(weights, one_card), direction=None if directions is None else _rows(directions, one_card))
    av, tv = c.number("actual", blank_gives_blank=False), c.number("target", blank_gives_blank=False)
    wv, d = c.number("weight", 0.0), c.enum("direction", DIRECTION, "higher")
    cap = DEFAULT.total_max if cap_total in (None, "") else scoring.floats(cap_total, "cap_total").item()
    if not DEFAULT.total_min < cap <= DEFAULT.total_max:
        raise CellError(f"cap_total must be {DEFAULT.total_min:g}–{DEFAULT.total_max:g}")
    used = (wv > 0) & (c.input_err == "")                  # a blank or zero weight is an unused column
    c.check(np.where(used, scoring.kpi_errors(av, tv, np.where(used, wv, 0), d), ""))
    points = np.where(used & (c.value_err == ""), scoring.item_score(av, tv, np.where(used, wv, 0), d), 0.0)
    totals = scoring.total_score(points.sum(axis=1), policy=DEFAULT.replace(total_max=cap)).astype(object)
    input_err = _first_per_row(np.where(used | (c.input_err != ""), c.input_err, ""))
    value_err = _first_per_row(c.value_err)
    sums = np.nansum(np.where(used, scoring.normalize_weight(np.where(used, wv, 0)), 0.0), axis=1) * 100
    value_err = np.where(value_err == "", scoring.weight_check(sums)[1], value_err)
    unfilled = (used & (np.isnan(av) | np.isnan(tv))).any(axis=1)
    empty = np.isnan(av).all(axis=1) & np.isnan(tv).all(axis=1) & (input_err == "")
    out = np.where(value_err != "", np.char.add("#KPI! ", value_err.astype(str)).astype(object), totals)
    out = np.where(unfilled | empty, "", out)
    out = np.where(input_err != "", np.char.add("#KPI! ", input_err.astype(str)).astype(object), out)
    if one_card:
        v = out[0]
        return float(v) if isinstance(v, (float, np.floating)) else v
    return Kind(actuals).give(out.reshape(-1, 1))


@xw.func
@xw.arg("table", "raw", doc="表格(含表头) employee, kpi, actual, target, weight, [direction]")
@xw.arg("policy", doc="等级评定方式 bands/forced/capped (分数段/强制分布/限额), default capped")
@excel("SCORE")
def SCORE_TABLE(table, policy=None):
    """考核汇总 One row per employee: total, band grade and final grade under the policy."""
    arr = to_array(table)
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise CellError("table needs a header row and data rows")
    header = [TABLE_COLUMN.get(h) or f"_{i}" for i, h in enumerate(arr[0])]
    missing = [h for h in ("employee", "actual", "target", "weight") if h not in header]
    if missing:
        raise CellError(f"table lacks column {', '.join(missing)}")
    how = scalar_arg(policy, GRADING, DEFAULT.grading, "policy")
    body = pd.DataFrame(arr[1:], columns=header).loc[:, lambda f: ~f.columns.duplicated()]
    body["employee"] = ids(body["employee"].to_numpy())
    body = body[body["employee"] != ""]
    c = Cells("SCORE", actual=body["actual"].to_numpy(), target=body["target"].to_numpy(),
              weight=body["weight"].to_numpy(), direction=body["direction"].to_numpy() if "direction" in body else None)
    a, t, w = c.number("actual"), c.number("target"), c.number("weight")
    d = c.enum("direction", DIRECTION, "higher")
    c.check(np.where(c.input_err == "", scoring.kpi_errors(a, t, np.where(c.input_err == "", w, 0), d), ""))
    err = np.where(c.input_err != "", c.input_err, c.value_err)
    # object arrays: numpy < 2 has no string "+" (np.add) for str dtypes
    row_no = (body.index.to_numpy() + 2).astype(str).astype(object)
    err = np.where(err != "", "row " + row_no + ": " + err.astype(str).astype(object), "")
    items = pd.DataFrame({"employee_id": body["employee"].to_numpy(), "kind": "kpi",
                          "weight": np.where(err == "", w, 0), "target": t, "actual": a, "direction": d})
    per = scoring.score_totals(scoring.score_items(items, DEFAULT), None, DEFAULT)
    first_err = pd.Series(err).groupby(items["employee_id"].to_numpy(), sort=False).agg(lambda s: next((m for m in s if m), ""))
    blank = pd.Series(c.blank).groupby(items["employee_id"].to_numpy(), sort=False).any().reindex(per.index)
    msg = first_err.reindex(per.index).fillna("")
    msg = msg.where(msg != "", scoring.weight_check(per["weight_sum"].to_numpy())[1])
    total = per["total"].where((msg == "") & ~blank)
    final = grading.final_grades(total.to_numpy(), DEFAULT, how)
    total_cell = np.where(msg != "", "#SCORE! " + msg.astype(str), total.astype(object).where(total.notna(), ""))
    rows = [["员工 employee", "总分 total", "分数段等级 band", "最终等级 grade"]]
    return rows + [[e, tc, b, f] for e, tc, b, f in zip(per.index, total_cell, grading.band_grade(total.to_numpy()), final)]


# --------------------------------------------------------------------------- §3.2 grades
@xw.func
@xw.arg("score", "raw", doc="总分 score (0–130), cell or range")
@xw.arg("lang", doc="en: A…E (default); zh: 杰出…不胜任")
@excel("GRADE")
def GRADE(score, lang=None):
    """等级 Grade from the score bands: A ≥120, B ≥105, C ≥90, D >70, E ≤70."""
    language = scalar_arg(lang, LANG, "en")
    c = Cells("GRADE", score=score)
    s = c.number("score")
    c.check(grading.score_errors(s, DEFAULT.total_min, DEFAULT.total_max))
    g = grading.band_grade(np.where(c.ok, s, np.nan))
    return c.result(GRADE_WORDS.labels_of(g) if language == "zh" else g)



@xw.func
@xw.arg("scores", "raw", doc="总分 scores of one evaluation group (column)")
@xw.arg("policy", doc="forced(强制分布) or capped(限额, default)")
@xw.arg("quotas", "raw", doc="比例 five shares A…E, default 5%,20%,60%,10%,5%")
@excel("GRADE")
def FORCED_GRADE(scores, policy=None, quotas=None):
    """强制分布等级 Grades by quota (forced) or bands with A/B capped at their quotas (capped)."""
    how = scalar_arg(policy, GRADING, "capped", "policy")
    q = _quotas(quotas)
    c = Cells("GRADE", scores=scores)
    s = c.number("scores")
    c.check(grading.score_errors(s, DEFAULT.total_min, DEFAULT.total_max))
    return c.result(grading.final_grades(np.where(c.ok, s, np.nan), DEFAULT, how, quotas=q))


@xw.func
@xw.arg("n", "raw", doc="人数 number of people graded (cell or column)")
@xw.arg("quotas", "raw", doc="比例 five shares A…E, default 5%,20%,60%,10%,5%")
@excel("GRADE")
def GRADE_QUOTA(n, quotas=None):
    """等级名额 Five counts A…E for n people, largest-remainder method (they sum to n)."""
    q = _quotas(quotas)
    c = Cells("GRADE", n=n)
    values = c.number("n")
    c.check(np.where((values < 0) | (values % 1 != 0) | (values > 1e9), "n must be a whole number 0–1,000,000,000", ""))
    counts = grading.quota_counts(np.where(c.ok, values, 0), q).astype(object).reshape(-1, 5)
    err = np.where(c.input_err != "", c.input_err, c.value_err).reshape(-1)
    counts[err != ""] = ""
    counts[err != "", 0] = c.error_text(err[err != ""])
    counts[c.blank.reshape(-1)] = ""
    rows = [[int(v) if isinstance(v, (int, np.integer)) else v for v in r] for r in counts]
    return rows if np.ndim(n) else rows[0]


# --------------------------------------------------------------------------- §3.3 periods
@xw.func
@xw.arg("monthly_scores", "raw", doc="月度得分 a row or column of months, or people × months")
@excel("PERIOD")
def PERIOD_SCORE(monthly_scores):
    """季度/年度得分 Mean of the numeric monthly scores (text is skipped); one per row for people × months."""
    arr, vector = squeeze_vector(monthly_scores)
    mean = periods.mean_scores(arr.reshape(1, -1) if vector else arr)
    out = [["" if m != m else m] for m in np.round(mean, 10).tolist()]
    return out[0][0] if vector else out


# --------------------------------------------------------------------------- §3.5 pay
@xw.func
@xw.arg("category", "raw", doc="类别 profit(创利部门)/functional(职能部门)/manager(部门经理)/support_manager")
@xw.arg("salary", "raw", doc="月全额工资 full monthly salary (yuan)")
@xw.arg("commission", "raw", doc="提成工资总额 commission total (profit staff)")
@excel("PAY")
def PERF_BASE(category, salary, commission=None):
    """绩效基数 Performance pay base: commission (profit), 30%/50%/30% of salary (functional/manager/support)."""
    c = Cells("PAY", category=category, salary=salary, commission=commission)
    cat = c.enum("category", CATEGORY, "functional")
    sal = c.number("salary", blank_gives_blank=False)
    com = c.number("commission", blank_gives_blank=False)
    c.blank_where((np.isnan(sal) & (cat != "profit")) | pd.isna(c.raw("category")))
    c.check(np.where(c.input_err == "", pay.base_errors(cat, sal, com, DEFAULT), ""))
    return c.result(pay.perf_base(cat, sal, com, DEFAULT))


@xw.func
@xw.arg("base", "raw", doc="绩效基数 performance pay base (yuan)")
@xw.arg("score", "raw", doc="总分 score (0–130)")
@excel("PAY")
def PERF_PAY(base, score):
    """绩效工资 Performance pay = base × score / 100, yuan rounded half-up to 0.01."""
    c = Cells("PAY", base=base, score=score)
    b, s = c.number("base"), c.number("score")
    c.check(np.where((b < 0) | (b > DEFAULT.max_salary), f"base must be 0–{DEFAULT.max_salary:,.0f}", ""))
    c.check(grading.score_errors(s, DEFAULT.total_min, DEFAULT.total_max))
    return c.result(pay.perf_pay(b, s))


# --------------------------------------------------------------------------- §3.8 targets
@xw.func
@xw.arg("total", "raw", doc="总目标 total (cell, or a column of totals, one per row of weights)")
@xw.arg("weights", "raw", doc="权重 weights/shares (row, column or matrix)")
@xw.arg("decimals", doc="小数位 precision, default 0 (whole units)")
@excel("TARGET")
def DECOMPOSE(total, weights, decimals=None):
    """目标分解 Parts proportional to the weights that add up exactly to the total (largest remainder)."""
    places = 0 if decimals in (None, "") else scoring.floats(decimals, "decimals").item()
    if places != places or places % 1 or not 0 <= places <= 6:
        raise CellError("decimals must be 0–6")
    c = Cells("TARGET", weights=weights)
    w = c.number("weights", 0.0)
    c.check(np.where(w < 0, "weights must be ≥ 0", ""))
    totals = scoring.floats(to_array(total), "total").ravel()
    if np.isnan(totals).all() or not c.ok.any():
        c.blank_where(np.isnan(totals).all())
        return c.result(np.nan)
    if totals.size == 1:                            # one total over the whole range of weights
        parts = decompose.decompose(totals[0], np.where(c.ok, w, 0).ravel(), int(places)).reshape(w.shape)
    elif w.ndim == 2 and totals.size == w.shape[0]:  # a column of totals, one per row of weights
        parts = decompose.decompose(totals.reshape(-1, 1), np.where(c.ok, w, 0), int(places))
    else:
        raise CellError("total must be one cell or one per row of weights")
    return c.result(parts)


@xw.func
@xw.arg("year", "raw", doc="年份 year (cell or column)")
@xw.arg("method", doc="equal(平均) / days(天数) / workdays(工作日); default equal")
@xw.arg("calendar", doc="workdays calendar: weekend (default) or cn (法定节假日)")
@excel("TARGET")
def MONTH_WEIGHTS(year, method=None, calendar=None):
    """月度权重 A row of 12 month weights summing to 1: equal, calendar days or workdays."""
    how = scalar_arg(method, SPLIT, "equal", "method")
    if how not in CALENDAR_SPLITS:
        raise CellError(f"method '{method}' unknown (use {'/'.join(CALENDAR_SPLITS)})")
    cal = scalar_arg(calendar, CALENDAR, DEFAULT.calendar, "calendar")
    years, _ = squeeze_vector(year)
    ys = scoring.floats(years, "year")
    table = {y: [float(v) for v in dates.month_weights(int(y), how, cal)] for y in set(ys[~np.isnan(ys)].tolist())}
    rows = [[""] * 12 if np.isnan(y) else list(table[y]) for y in ys.tolist()]     # each year computed once
    return rows[0] if np.ndim(year) == 0 else rows


@xw.func
@xw.arg("date", "raw", doc="日期 date (cell or range)")
@xw.arg("period", doc="month(月, default) / quarter(季度) / year(年度)")
@xw.arg("basis", doc="days(日历日, default) / workdays(工作日)")
@excel("PROGRESS")
def TIME_PROGRESS(date, period=None, basis=None):
    """时间进度 Share of the month/quarter/year elapsed through the date (inclusive)."""
    per = scalar_arg(period, PERIOD, "month", "period")
    bas = scalar_arg(basis, BASIS, "days", "basis")
    c = Cells("PROGRESS", date=date)
    d, ok = c.date("date")
    out = np.full(c.shape, np.nan)
    out[ok] = dates.time_progress(d[ok], per, bas, DEFAULT.calendar)
    return c.result(out)


@xw.func
@xw.arg("actual", "raw", doc="累计实际 actual to date")
@xw.arg("target", "raw", doc="期间目标 target of the period")
@xw.arg("date", "raw", doc="截至日期 as-of date")
@xw.arg("period", doc="month(月, default) / quarter(季度) / year(年度)")
@excel("PROGRESS")
def PACE(actual, target, date, period=None):
    """进度差 Achievement (actual/target) minus time progress; below 0 = behind."""
    per = scalar_arg(period, PERIOD, "month", "period")
    c = Cells("PROGRESS", actual=actual, target=target, date=date)
    a, t = c.number("actual"), c.number("target")
    c.check(np.where(t <= 0, "target must be > 0", ""))
    d, ok = c.date("date")
    ok &= c.ok
    out = np.full(c.shape, np.nan)
    out[ok] = a[ok] / t[ok] - dates.time_progress(d[ok], per, "days", DEFAULT.calendar)
    return c.result(out)


# --------------------------------------------------------------------------- §3.6 calendar
@xw.func
@xw.arg("year", "raw", doc="年 year")
@xw.arg("month", "raw", doc="月 month (1–12)")
@xw.arg("day", "raw", doc="日 nominal due day (e.g. 4 for 各部门经理)")
@xw.arg("calendar", doc="weekend (周末顺延, default) or cn (also China's public holidays)")
@excel("DATE")
def DUE_DATE(year, month, day, calendar=None):
    """截止日 The due date after rolling a Saturday/Sunday (or, with cn, a public holiday) forward."""
    cal = scalar_arg(calendar, CALENDAR, DEFAULT.calendar, "calendar")
    c = Cells("DATE", year=year, month=month, day=day)
    y, m, d = c.number("year"), c.number("month"), c.number("day")
    c.check(np.where((y < 1900) | (y > 9998) | (y % 1 != 0), "year must be 1900–9998", ""))
    c.check(np.where((m < 1) | (m > 12) | (m % 1 != 0), "month must be 1–12", ""))
    c.check(np.where((d < 1) | (d > 31) | (d % 1 != 0), "day must be 1–31", ""))
    ok = c.ok
    dim = np.zeros(c.shape)
    dim[ok] = dates.days_in_month(y[ok].astype(int), m[ok].astype(int))
    c.check(np.where(ok & (d > dim), "day is past the month's end", ""))
    ok = c.ok
    if cal == "cn" and ok.any():
        nominal = dates.month_start(y[ok].astype(int), m[ok].astype(int)) + (d[ok].astype(int) - 1).astype("timedelta64[D]")
        first, last = dates.cn_years()
        years = nominal.astype("datetime64[Y]").astype("int64") + 1970
        unknown = np.zeros(c.shape, dtype=bool)
        unknown[ok] = (years < first) | (years > last)
        c.check(np.where(unknown, dates.cn_unknown(nominal) or "", ""))
        ok = c.ok
    out = np.full(c.shape, None, dtype=object)
    if ok.any():
        due = dates.due_date(y[ok].astype(int), m[ok].astype(int), d[ok].astype(int), cal)
        out[ok] = np.asarray(due, dtype="datetime64[s]").astype(object)
    return c.result(out)


@xw.func
@xw.arg("submitted", "raw", doc="提交时间 submission date and time")
@xw.arg("due", "raw", doc="截止日 due date (deadline at 17:30 that day) or date-time")
@xw.arg("per_day", "raw", doc="每日罚款 fine per day late, default 500 yuan")
@excel("DATE")
def LATE_FINE(submitted, due, per_day=None):
    """逾期罚款 Fine in yuan: per_day × whole calendar days after the 17:30 deadline (1 minute = 1 day)."""
    c = Cells("DATE", submitted=submitted, due=due, per_day=per_day)
    fine = c.number("per_day", DEFAULT.fine_per_day)
    c.check(np.where(fine < 0, "per_day must be ≥ 0", ""))
    s, ok_s = c.date("submitted")
    d, ok_d = c.date("due")
    ok = ok_s & ok_d & c.ok
    out = np.full(c.shape, np.nan)
    out[ok] = dates.late_fine(s[ok], d[ok], fine[ok], DEFAULT.deadline_time)
    return c.result(out)


# --------------------------------------------------------------------------- §3.7 actions
@xw.func
@xw.arg("grades", "raw", doc="等级历史 monthly grades, oldest first (row/column; or people × months)")
@xw.arg("lang", doc="en: action code (default); zh: 中文")
@excel("ACTION")
def NEXT_ACTION(grades, lang=None):
    """绩效结果应用 The headline action of the latest month: award, improvement_plan, hr_warning, manager_warning, separation or blank."""
    language = scalar_arg(lang, LANG, "en")
    arr, vector = squeeze_vector(grades)
    arr = arr.reshape(1, -1) if vector else arr
    codes, bad = GRADE_WORDS.codes_of(arr)
    out = consequences.next_action(np.where(pd.isna(codes), "", codes))
    out = ACTION.labels_of(out) if language == "zh" else out
    for i in np.flatnonzero(bad.any(axis=1)):
        out[i] = f"#ACTION! grades '{str(arr[i][np.argmax(bad[i])]).strip()}' is not A–E"
    res = [[v] for v in out]
    return res[0][0] if vector else res


# --------------------------------------------------------------------------- §3.9 KPI library
@xw.func
@xw.arg("kpi_id", "raw", doc="指标编号 KPI id (e.g. rework_rate) or 中文名")
@xw.arg("field", "raw", doc="字段 name_zh/name_en/direction/target/unit/formula")
@excel("KPI")
def KPI_INFO(kpi_id, field):
    """指标库 A field of the built-in KPI library (name_zh, name_en, direction, target, unit, formula)."""
    c = Cells("KPI", kpi_id=kpi_id, field=field)
    ids_, fields = c.text("kpi_id"), c.text("field")
    c.blank_where((ids_ == "") | (fields == ""))
    ok = ~c.blank
    pairs = pd.DataFrame({"i": ids_[ok], "f": fields[ok]})
    distinct = pairs.drop_duplicates().copy()
    distinct["msg"] = [kpis.info_problem(i, f) for i, f in zip(distinct["i"], distinct["f"])]
    c.value_err[ok] = pairs.merge(distinct, on=["i", "f"], how="left")["msg"].to_numpy(dtype=object)
    out = np.full(c.shape, None, dtype=object)
    good = c.ok
    if good.any():
        out[good] = kpis.kpi_info(ids_[good], fields[good])
    return c.result(out)

