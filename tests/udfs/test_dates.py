"""SPEC §3.3/§3.6/§3.8 — dates, calendars, deadlines, late fines, time progress."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from udfs import dates
from udfs.policy import DEFAULT, Policy


def ts(text):
    return np.datetime64(text, "s")


# --------------------------------------------------------------------------- calendars
def test_weekend_calendar():
    got = dates.is_workday(["2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06"])
    assert got.tolist() == [True, False, False, True]
    assert dates.is_workday("2025-10-01", "周末") == True      # noqa: E712 — numpy bool


def test_cn_calendar_national_day_and_make_up_workdays():
    days = pd.date_range("2025-09-27", "2025-10-12")
    got = dates.is_workday(days, "cn")
    work = {d.strftime("%m-%d") for d, w in zip(days, got) if w}
    # 2025: 10-01…10-08 off; Sunday 09-28 and Saturday 10-11 are official make-up workdays
    assert work == {"09-28", "09-29", "09-30", "10-09", "10-10", "10-11"}
    assert dates.is_workday("2025-10-08", "法定节假日") == False  # noqa: E712


def test_cn_matches_chinese_calendar_day_by_day():
    import chinese_calendar

    days = pd.date_range("2024-01-01", "2025-12-31")
    want = [chinese_calendar.is_workday(d.date()) for d in days]
    assert dates.is_workday(days, "cn").tolist() == want


def test_blank_dates_give_nan():
    got = dates.is_workday(["2025-10-06", None])
    assert got[0] == 1.0 and np.isnan(got[1])


def test_cn_outside_known_years_is_a_clear_error():
    first, last = dates.cn_years()
    assert first <= 2025 <= last
    with pytest.raises(ValueError, match=f"calendar cn knows years {first}–{last} only"):
        dates.is_workday(f"{last + 1}-03-02", "cn")


def test_unknown_calendar():
    with pytest.raises(ValueError, match=r"calendar 'xx' unknown \(use weekend/cn\)"):
        dates.is_workday("2025-01-01", "xx")


def test_roll_forward_both_calendars():
    got = dates.roll_forward(["2025-10-04", "2025-10-06", "2025-10-01", None], "weekend")
    np.testing.assert_array_equal(got, np.array(["2025-10-06", "2025-10-06", "2025-10-01", "NaT"], dtype="datetime64[D]"))
    got = dates.roll_forward(["2025-10-01", "2025-10-11", "2025-01-26"], "cn")
    # national day → 10-09; 10-11 is a make-up Saturday (workday); 2025-01-26 Sunday is a make-up day
    np.testing.assert_array_equal(got, np.array(["2025-10-09", "2025-10-11", "2025-01-26"], dtype="datetime64[D]"))


def test_workdays_in():
    assert dates.workdays_in("2025-10-01", "2025-10-31") == 23
    assert dates.workdays_in("2025-10-01", "2025-10-31", "cn") == 18   # 8 days off, +1 make-up Saturday
    assert dates.workdays_in("2025-10-31", "2025-10-01") == 0
    assert dates.workdays_in(["2025-01-01"], ["2025-12-31"], "cn").tolist() == [248]


# --------------------------------------------------------------------------- deadlines (SPEC §3.6)
def test_due_date_rolls_over_weekends():
    # 2025-10-04 is a Saturday, 2025-10-05 a Sunday, 2025-11-02 a Sunday, 2025-12-07 a Sunday
    got = dates.due_date(2025, [10, 10, 11, 12, 10], [4, 5, 2, 7, 3])
    np.testing.assert_array_equal(got, np.array(["2025-10-06", "2025-10-06", "2025-11-03", "2025-12-08", "2025-10-03"],
                                                dtype="datetime64[D]"))


def test_due_date_cn_skips_holidays():
    assert dates.due_date(2025, 10, 2, "cn") == np.datetime64("2025-10-09")
    assert dates.due_date(2025, 10, 2) == np.datetime64("2025-10-02")        # weekend: a Thursday


@pytest.mark.parametrize("args,msg", [((2025, 13, 1), "month must be 1–12"),
                                      ((2025, 2, 29), "day must be a valid day of the month"),
                                      ((2025, 1, 0), "day must be a valid day"),
                                      ((2025, 1.5, 1), "month must be a whole number"),
                                      ((2025, "x", 1), "month must be a number")])
def test_due_date_validation(args, msg):
    with pytest.raises(ValueError, match=msg):
        dates.due_date(*args)


def test_due_date_blank_gives_nat():
    got = dates.due_date(2025, [10, None], 4)
    assert got[0] == np.datetime64("2025-10-06") and np.isnat(got[1])
    assert dates.due_date(2024, 2, 29) == np.datetime64("2024-02-29")


def test_scorer_deadlines_for_september_2025():
    table = dates.scorer_deadlines("2025-09")
    assert table["role"].tolist() == ["行政部经理", "人力资源专员", "各部门经理", "客服经理", "财务部经理"]
    assert table["day"].tolist() == [2, 3, 4, 5, 7]
    assert [d.strftime("%m-%d %H:%M") for d in table["due"]] == [
        "10-02 17:30", "10-03 17:30", "10-06 17:30", "10-06 17:30", "10-07 17:30"]
    cn = dates.scorer_deadlines("2025-09", Policy(calendar="cn", deadline_time="18:00"))
    assert {d.strftime("%m-%d %H:%M") for d in cn["due"]} == {"10-09 18:00"}


def test_scorer_deadlines_december_rolls_into_next_year():
    table = dates.scorer_deadlines("2025-12")
    assert table["due"].iloc[0] == pd.Timestamp("2026-01-02 17:30")


def test_late_days_and_fines_at_the_minute():
    due = "2025-10-06"          # a plain date means 17:30 that day
    sub = ["2025-10-06 17:30", "2025-10-06 17:31", "2025-10-07 17:30", "2025-10-07 17:31",
           "2025-10-01 09:00", None]
    got = dates.late_days(sub, due)
    assert got[:5].tolist() == [0, 1, 1, 2, 0] and np.isnan(got[5])
    fines = dates.late_fine(sub, due)
    assert fines[:5].tolist() == [0, 500, 500, 1000, 0] and np.isnan(fines[5])
    assert dates.late_fine("2025-10-06 17:31", "2025-10-06", per_day=DEFAULT.fine_per_day * 2) == 1000


def test_late_days_due_with_a_time_keeps_it_and_no_nan_gives_ints():
    got = dates.late_days(["2025-10-06 12:01", "2025-10-06 11:59"], "2025-10-06 12:00")
    assert got.dtype.kind == "i" and got.tolist() == [1, 0]
    # a due handed over as an Excel serial at midnight also means deadline_time
    serial_due = (pd.Timestamp("2025-10-06") - pd.Timestamp("1899-12-30")).days
    assert dates.late_days("2025-10-06 17:31", float(serial_due)) == 1
    assert dates.late_days("2025-10-06 18:01", "2025-10-06", deadline_time="18:00") == 1


def test_late_fine_rejects_a_negative_rate():
    with pytest.raises(ValueError, match="per_day must be ≥ 0"):
        dates.late_fine("2025-10-07", "2025-10-06", per_day=-1)


# --------------------------------------------------------------------------- months, weeks, progress
def test_month_weights():
    eq = dates.month_weights(2025)
    assert np.allclose(eq, 1 / 12)
    d = dates.month_weights(2024, "days")
    assert d[1] == pytest.approx(29 / 366) and d.sum() == pytest.approx(1)
    w = dates.month_weights(2025, "工作日", "cn")
    assert w[9] == pytest.approx(18 / 248) and w.sum() == pytest.approx(1)
    assert dates.month_weights([2024, 2025], "days").shape == (2, 12)
    with pytest.raises(ValueError, match="method 'weekly' unknown"):
        dates.month_weights(2025, "weekly")


def test_week_segments_cut_iso_weeks_at_month_ends():
    seg = dates.week_segments(2025)
    assert seg.groupby("month")["days"].sum().tolist() == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    jan = seg[seg["month"] == 1]
    assert jan["label"].tolist() == ["W01", "W02", "W03", "W04", "W05"] and jan["days"].tolist() == [5, 7, 7, 7, 5]
    assert seg["label"].iloc[-1] == "2026-W01"          # 2025-12-29..31 belong to ISO week 2026-W01
    cn = dates.week_segments(2025, "cn")
    assert cn["workdays"].sum() == 248     # 261 weekdays - 19 holiday weekdays + 6 make-up days


def test_time_progress():
    assert dates.time_progress("2025-11-15") == pytest.approx(15 / 30)
    assert dates.time_progress("2025-06-30", "年") == pytest.approx(181 / 365)
    assert dates.time_progress("2025-05-15", "季") == pytest.approx((30 + 15) / 91)
    assert dates.time_progress("2025-10-09", "月", "workdays", "cn") == pytest.approx(1 / 18)
    got = dates.time_progress(["2025-02-28", None])
    assert got[0] == 1 and np.isnan(got[1])


def test_pace():
    # 300万 of 600万 by 30 June: 50% against 181/365 of the year
    assert dates.pace(300, 600, "2025-06-30", "year") == pytest.approx(0.5 - 181 / 365)
    got = dates.pace([100, 200], 650, "2025-11-15")
    assert got.tolist() == pytest.approx([100 / 650 - 0.5, 200 / 650 - 0.5])
    with pytest.raises(ValueError, match="target must be > 0"):
        dates.pace(1, 0, "2025-11-15")
    with pytest.raises(ValueError, match="period 'week' unknown"):
        dates.pace(1, 1, "2025-11-15", "week")
