"""Every worksheet function through xlwings' own Office.js runtime (xlwings Lite / Server).

conftest.py sets XLWINGS_ON_SERVER and XLWINGS_LICENSE_KEY before xlwings is imported.
Arguments are given as Excel gives them: 2-D lists for ranges, [[v]] for a cell, None for
blank cells, Excel date serials for dates.
"""
import asyncio
import datetime as dt

import pytest
import xlwings as xw
import xlwings.server

import udfs

SPEC_FUNCTIONS = {
    "KPI_SCORE": ["actual", "target", "weight", "direction", "cap"],
    "KPI_TOTAL": ["actuals", "targets", "weights", "directions", "cap_total"],
    "SCORE_TABLE": ["table", "policy"],
    "GRADE": ["score", "lang"],
    "FORCED_GRADE": ["scores", "policy", "quotas"],
    "GRADE_QUOTA": ["n", "quotas"],
    "PERIOD_SCORE": ["monthly_scores"],
    "PERF_BASE": ["category", "salary", "commission"],
    "PERF_PAY": ["base", "score"],
    "DECOMPOSE": ["total", "weights", "decimals"],
    "MONTH_WEIGHTS": ["year", "method", "calendar"],
    "TIME_PROGRESS": ["date", "period", "basis"],
    "PACE": ["actual", "target", "date", "period"],
    "DUE_DATE": ["year", "month", "day", "calendar"],
    "LATE_FINE": ["submitted", "due", "per_day"],
    "NEXT_ACTION": ["grades", "lang"],
    "KPI_INFO": ["kpi_id", "field"],
}


def serial(d):
    return (d - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def call(name, *args):
    data = {"func_name": name, "args": list(args), "version": xw.__version__,
            "client": "Office.js", "runtime": "1.4"}
    return asyncio.run(xlwings.server.custom_functions_call(data, udfs))


def test_meta_describes_every_spec_function_with_parameters_and_help():
    meta = xlwings.server.custom_functions_meta(udfs)
    by_name = {f["name"]: f for f in meta["functions"]}
    assert set(by_name) == set(SPEC_FUNCTIONS)
    for name, params in SPEC_FUNCTIONS.items():
        f = by_name[name]
        assert [p["name"] for p in f["parameters"]] == params, name
        assert not f["description"].startswith("Python function"), name
        for p in f["parameters"]:
            assert p["description"] and not p["description"].startswith("Positional"), (name, p["name"])
        assert f["result"]["dimensionality"] == "matrix"


def test_kpi_score_range_with_blank_and_error_cells():
    out = call("KPI_SCORE", [[110], [None], [90], ["x"]], [[100]], [[0.3]], [["正向"]], None)
    assert out == [[33.0], [""], [27.0], ["#KPI! actual must be a number"]]
    assert call("KPI_SCORE", [[2]], [[3]], [[30]], [["反向"]], None) == [[39.0]]
    assert call("KPI_SCORE", [[1]], [[0]], [[30]], None, None) == [["#KPI! target must be > 0"]]


def test_kpi_total_people_by_items():
    actuals = [[660000, 0.02, 0.95], [540000, 0.04, 0.90], [None, None, None]]
    out = call("KPI_TOTAL", actuals, [[600000, 0.03, 0.93]], [[40, 30, 30]], [["higher", "lower", "min"]], None)
    # 40×1.1 + 30×1.3 + 30 = 113; 40×0.9 + 30×0.75 + 0 = 58.5; blank row → blank
    assert out == [[pytest.approx(113.0)], [pytest.approx(58.5)], [""]]
    bad = call("KPI_TOTAL", [[1, 1]], [[1, 1]], [[50, 40]], None, None)
    assert bad == [["#KPI! weights must sum to 100% (got 90.0%)"]]


def test_kpi_total_single_card_as_a_3x1_column():
    out = call("KPI_TOTAL", [[110], [95], [2]], [[100], [100], [3]], [[40], [30], [30]],
               [["higher"], ["higher"], ["lower"]], None)
    assert out == [[pytest.approx(44 + 28.5 + 39)]]


def test_score_table_spills_one_row_per_employee():
    table = [["员工", "指标", "实际", "目标", "权重", "方向"],
             ["张三", "产值", 110, 100, 60, "higher"], ["张三", "返修率", 2, 3, 40, "lower"],
             ["李四", "产值", 90, 100, 60, None], ["李四", "返修率", 4, 3, 40, "反向"]]
    out = call("SCORE_TABLE", table, [["bands"]])
    assert out[0][0].startswith("员工")
    assert out[1] == ["张三", 118.0, "B", "B"]
    assert out[2] == ["李四", 84.0, "D", "D"]
    assert call("SCORE_TABLE", [["name", "x"], [1, 2]], None)[0][0].startswith("#SCORE! table lacks column")


def test_grade_and_labels():
    assert call("GRADE", [[120], [70], [None], [131]], None) == [["A"], ["E"], [""], ["#GRADE! score must be 0–130"]]
    assert call("GRADE", [[105]], [["zh"]]) == [["优秀"]]


def test_forced_grade_column():
    scores = [[125], [124], [123], [122], [121], [119], [118], [117], [116], [115],
              [114], [113], [112], [111], [110], [100], [95], [90], [85], [60], [None]]
    forced = call("FORCED_GRADE", scores, [["forced"]], None)
    assert [r[0] for r in forced] == list("A" + "B" * 4 + "C" * 12 + "DDE") + [""]
    capped = call("FORCED_GRADE", scores, None, None)
    assert [r[0] for r in capped][:6] == ["A", "B", "B", "B", "B", "C"]


def test_grade_quota_row_and_column():
    assert call("GRADE_QUOTA", [[20]], None) == [[1, 4, 12, 2, 1]]
    assert call("GRADE_QUOTA", [[10], [7]], [[0.1, 0.2, 0.5, 0.15, 0.05]]) == [[1, 2, 5, 2, 0], [1, 1, 4, 1, 0]]


def test_period_score_row_and_matrix():
    assert call("PERIOD_SCORE", [[100, 110, None]]) == [[105.0]]
    assert call("PERIOD_SCORE", [[100], [110], [None]]) == [[105.0]]
    assert call("PERIOD_SCORE", [[100, 110], [90, None]]) == [[105.0], [90.0]]


def test_perf_base_and_pay():
    assert call("PERF_BASE", [["创利部门"], ["职能部门"], ["部门经理"], ["行政部经理"]],
                [[5000], [5000], [8000], [8000]], [[3000], [None], [None], [None]]) == [[3000.0], [1500.0], [4000.0], [2400.0]]
    assert call("PERF_BASE", [["销售"]], [[5000]], None) == [["#PAY! category '销售' unknown"]]
    assert call("PERF_PAY", [[1234.5], [100.01]], [[91.3], [50]]) == [[1127.1], [50.01]]


def test_decompose_adds_up_exactly():
    out = call("DECOMPOSE", [[6000000]], [[220, 380]], None)
    assert out == [[2200000, 3800000]]
    thirds = call("DECOMPOSE", [[100]], [[1], [1], [1]], [[0]])
    assert [r[0] for r in thirds] == [34, 33, 33]


def test_month_weights_row_of_twelve():
    equal = call("MONTH_WEIGHTS", [[2026]], None, None)
    assert len(equal) == 1 and len(equal[0]) == 12 and sum(equal[0]) == pytest.approx(1)
    days = call("MONTH_WEIGHTS", [[2026]], [["days"]], None)[0]
    assert days[0] == pytest.approx(31 / 365) and days[1] == pytest.approx(28 / 365)


def test_time_progress_and_pace_with_excel_serial_dates():
    d = serial(dt.datetime(2026, 11, 15))
    assert call("TIME_PROGRESS", [[d]], None, None) == [[pytest.approx(15 / 30)]]
    assert call("TIME_PROGRESS", [[d]], [["year"]], None) == [[pytest.approx(319 / 365)]]
    assert call("PACE", [[400]], [[650]], [[d]], None) == [[pytest.approx(400 / 650 - 0.5)]]
    assert call("TIME_PROGRESS", [["not a date"]], None, None) == [["#PROGRESS! date must be a date"]]


def test_due_date_rolls_weekends_and_returns_an_excel_date():
    # 2026-11-07 is a Saturday → Monday 2026-11-09
    assert call("DUE_DATE", [[2026]], [[11]], [[7]], None) == [[serial(dt.datetime(2026, 11, 9))]]
    assert call("DUE_DATE", [[2026]], [[11]], [[4]], None) == [[serial(dt.datetime(2026, 11, 4))]]
    # cn: 2025-10-03 is inside the national-day holiday → 2025-10-09 (Thu)
    assert call("DUE_DATE", [[2025]], [[10]], [[3]], [["cn"]]) == [[serial(dt.datetime(2025, 10, 9))]]
    assert call("DUE_DATE", [[2026]], [[13]], [[1]], None) == [["#DATE! month must be 1–12"]]


def test_late_fine_at_1730_and_1731():
    due = serial(dt.datetime(2026, 12, 4))
    on_time = serial(dt.datetime(2026, 12, 4, 17, 30))
    late = serial(dt.datetime(2026, 12, 4, 17, 31))
    two_days = serial(dt.datetime(2026, 12, 6, 9, 0))
    assert call("LATE_FINE", [[on_time], [late], [two_days], [None]], [[due]], None) == [[0.0], [500.0], [1000.0], [""]]


def test_next_action_rows_and_column():
    assert call("NEXT_ACTION", [["C", "D", "D"]], None) == [["improvement_plan"]]
    assert call("NEXT_ACTION", [["E"], ["E"]], [["zh"]]) == [["严重警告(直线经理)"]]
    rows = call("NEXT_ACTION", [["A", "A", "A"], ["D", None, "D"], ["Q", "D", "D"]], None)
    assert rows == [["award"], [""], ["#ACTION! grades 'Q' is not A–E"]]


def test_kpi_info_lookups():
    assert call("KPI_INFO", [["rework_rate"], ["回厂率"]], [["target"]]) == [[0.03], [0.5]]
    assert call("KPI_INFO", [["csi"]], [["name_zh"]]) == [["客户满意度 CSI"]]
    assert call("KPI_INFO", [["nope"]], [["unit"]]) == [["#KPI! kpi_id 'nope' unknown"]]


def test_engine_specific_cells_read_as_blank():
    """Arguments arrive raw (no per-cell conversion by xlwings): error records, empty strings,
    Pyodide's JsNull, COM's error codes and tz-aware COM dates are cleaned at our boundary."""
    na = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    assert call("KPI_SCORE", [[110.0], [""], [na]], [[100.0], [100.0], [100.0]], [[0.3], [0.3], [0.3]]) == \
        [[33.0], [""], [""]]
    JsNull = type("JsNull", (), {})
    assert udfs.KPI_SCORE([[110.0], [JsNull()], [-2146826246]], 100, 0.3) == [[33.0], [""], [""]]
    utc = dt.timezone.utc
    assert udfs.LATE_FINE(dt.datetime(2026, 12, 4, 17, 31, tzinfo=utc), dt.datetime(2026, 12, 4, tzinfo=utc)) == 500
    assert udfs.KPI_SCORE({"type": "Double", "basicValue": 120.0}, 100, 0.5) == 50 * 1.2
