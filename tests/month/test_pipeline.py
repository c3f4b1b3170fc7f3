"""addin.month — the month end as a pipeline, step by step on the hand-computed store."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import MONTH, hand_book

from addin.io import schema as S
from addin.io.book import load_book
from addin.io.problems import BookError
from addin.month import compute_month
from addin.month.pipeline import merge_history, unchanged_rows


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return compute_month(hand_book(tmp_path_factory.mktemp("m") / "store.xlsx"))


def test_typed_results_carry_codes_tuples_and_timings(results):
    p = results.people.set_index("employee_id")
    assert p.loc["T2", "category"] == "profit" and p.loc["T4", "status"] == "probation"
    assert p.loc["T3", "actions"] == () and p.loc["T3", "warnings"] == ()
    assert p.loc["T2", "total"] == 128.0 and (p.loc["T2", "band_grade"], p.loc["T2", "grade"]) == ("A", "B")
    assert [stage for stage, _ in results.timings] == ["校验", "计算"]
    items = results.items[results.items["employee_id"] == "T1"].set_index("item")
    assert items.loc["返修率", "direction"] == "lower" and items.loc["工作纪律", "kind"] == "rated"
    assert items.loc["工作纪律", "rating"] == pytest.approx(0.9)                # the manager's rating by default


def test_history_replaces_only_the_people_recomputed():
    old = pd.DataFrame({"month": ["2026-08", MONTH, MONTH], "employee_id": ["A", "A", "LEFT"],
                        "name": ["甲", "甲", "离职者"], "department": ["一部"] * 3, "total": [90.0, 80.0, 60.0],
                        "grade": ["C", "D", "E"], "pay": [1.0, 2.0, 3.0], "_row": [2, 3, 4]})
    people = pd.DataFrame({"employee_id": ["A"], "name": ["甲"], "department": ["一部"], "total": [99.0],
                           "grade": ["C"], "pay": [9.0]})
    merged = merge_history(old, people, MONTH)
    assert merged[["month", "employee_id", "total"]].values.tolist() == [
        ["2026-08", "A", 90.0], [MONTH, "A", 99.0], [MONTH, "LEFT", 60.0]]      # the leaver's row stays
    assert unchanged_rows(old, merged) == 1                                     # row 2 (2026-08, A) kept as it was


def test_unchanged_rows_stops_at_a_gap_in_the_sheet():
    old = pd.DataFrame({"month": ["2026-07", "2026-08"], "employee_id": ["A", "A"], "name": ["甲"] * 2,
                        "department": ["一部"] * 2, "total": [1.0, np.nan], "grade": ["C", None],
                        "pay": [1.0, np.nan], "_row": [2, 4]})                  # row 3 was blank in the sheet
    new = old.drop(columns="_row").assign(grade=["C", ""])
    assert unchanged_rows(old, new) == 1


def test_every_stage_reports_its_problems_in_one_error(tmp_path):
    """A bad roster cell, a bad scorecard weight and a bad target row: one BookError with all three."""
    roster = [["T1", "甲", "一部", "测试岗", "职能部门", "李经理", "王总", "五千", "正式", None]]
    card = [["测试岗", None, 1, "", "产值", None, "KPI", 0.5, 100, "正向", None, "售后产值"],
            ["测试岗", None, 2, "", "返修率", None, "KPI", 0.4, 0.02, "反向", None, None],
            ["测试岗", None, 3, "", "纪律", None, "评分", 0.2, None, None, None, None]]
    path = hand_book(tmp_path / "bad.xlsx", **{S.ROSTER: roster, S.SCORECARDS: card, S.ACTUALS: [],
                                              S.RATINGS: [], S.ADJUSTMENTS: [], S.COMMISSION: [],
                                              S.TARGETS: [[2026, "售后产值", "元", "可加", "很多"]]})
    with pytest.raises(BookError) as err:
        compute_month(load_book(path))
    where = {(p.sheet, p.column) for p in err.value.problems}
    assert {(S.ROSTER, "月工资"), (S.SCORECARDS, "权重"), (S.TARGETS, "年度目标")} <= where
