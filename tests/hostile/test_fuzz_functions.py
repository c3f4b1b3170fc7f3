"""The 17 worksheet functions fuzzed through xlwings' Office.js runtime (tests/hostile/fuzz.py):
no call raises, no result is NaN or infinite, every error text a cell shows is one of ours
(udfs._cells.CELL_ERRORS) — plus the audit's findings, each pinned by a case."""
from __future__ import annotations

import asyncio
import datetime as dt

import fuzz
import pytest
import xlwings as xw
import xlwings.server

import udfs
from udfs._cells import UNEXPECTED, is_our_error

CALLS = 5_000                   # per test run (tests/hostile/audit.py fuzzes 28,000)


def call(name, *args):
    data = {"func_name": name, "args": list(args), "version": xw.__version__, "client": "Office.js", "runtime": "1.4"}
    return asyncio.run(xlwings.server.custom_functions_call(data, udfs))


def serial(d):
    return (d - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def test_fuzzed_calls_are_finite_and_every_error_is_ours():
    tally = fuzz.fuzz(CALLS, seed=1)
    assert tally.calls == CALLS
    assert (tally.raised, tally.nonfinite, sorted(tally.undocumented)) == (0, 0, []), tally.examples
    assert len(tally.errors) > 200                       # (the fuzz does reach the error paths)
    assert set(fuzz.PARAMS) == set(udfs.__all__)


def test_the_registry_refuses_texts_that_are_not_ours():
    for text in ("#SCORE! 'DataFrame' object has no attribute 'str'", f"#KPI! {UNEXPECTED}",
                 "#KPI! can only convert an array of size 1 to a Python scalar", "#NUM!", "#FOO! target must be > 0"):
        assert not is_our_error(text), text
    for text in ("#KPI! target must be > 0", "#SCORE! row 3: weight must be a number",
                 "#KPI! field 'x' unknown (use id/name_zh/name_en/formula/formula_en/direction/target/unit/ad…"):
        assert is_our_error(text), text


def test_what_the_audit_found_stays_fixed():
    assert call("TIME_PROGRESS", [[1]], None, None) == [[pytest.approx(1 / 31)]]    # serial 1 is 1900-01-01
    assert call("TIME_PROGRESS", [[60]], None, None) == [["#PROGRESS! date must be a date"]]   # 1900-02-29: never was
    assert call("TIME_PROGRESS", [[61]], None, None) == [[pytest.approx(1 / 31)]]   # 1900-03-01
    assert call("DUE_DATE", [[2300]], [[1]], [[4]], None)[0][0] == pytest.approx(serial(dt.datetime(2300, 1, 4)))
    assert call("DUE_DATE", [[9998]], [[12]], [[31]], None)[0][0] > 2_900_000
    assert call("GRADE_QUOTA", [[1e12]], None)[0][0].startswith("#GRADE! n must be a whole number")
    assert call("KPI_TOTAL", [[None, None]], [[None, None]], [[50, 50]], None, None) == [[""]]
    assert call("KPI_SCORE", [[1]], [[1]], [[150]], None, None) == [["#KPI! weight must be ≤ 100%"]]
    assert call("KPI_TOTAL", [[1, 1]], [[1, 1]], [[50, 50]], None, [[-5]]) == [["#KPI! cap_total must be 0–130"]]
    assert call("KPI_TOTAL", [[1, 1]], [[1, 1]], [[50, 50]], None, [[50, 60]]) == [["#KPI! cap_total must be one cell"]]
    assert call("KPI_TOTAL", [[100, 100]], [[100, 100]], [[50, 50]], None, [[50]]) == [[50.0]]
    assert call("PERIOD_SCORE", [[100, "80", 110]]) == [[105.0]]                 # numeric text is skipped
    assert call("PERIOD_SCORE", [[-1e308, -1e308]]) == [["#PERIOD! monthly_scores must be 0–130"]]
    table = [["员工", "指标", "实际", "目标", "权重"], [1001, "产值", 100, 100, 60], [1001.0, "返修", 100, 100, 40]]
    out = call("SCORE_TABLE", table, None)
    assert len(out) == 2 and out[1][:2] == ["1001", 100.0]                      # one employee, not two
    assert call("DECOMPOSE", [[-1e308]], [[1], [2]], None)[0][0] == "#TARGET! total is too large to split at this precision"
    assert call("DECOMPOSE", [[100]], [[1, 2]], [[1, 2]]) == [["#TARGET! decimals must be one cell"]]
    assert call("PERF_BASE", [["销售\x01"]], [[5000]], None) == [["#PAY! category '销售' unknown"]]
    for text in ("inf", "1e400", "-inf", "nan"):
        assert call("KPI_SCORE", [[text]], [[100]], [[30]], None, None) == [["#KPI! actual must be a number"]]
    assert call("PERF_PAY", [[1e308]], [[100]]) == [["#PAY! base must be 0–1,000,000"]]
