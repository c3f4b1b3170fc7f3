"""SPEC §3.7 — award, D track, E track; runs broken by a missing month."""
import pandas as pd
import pytest

from udfs import consequences
from udfs.policy import Policy


def act(*grades):
    return consequences.next_action([list(grades)])[0]


@pytest.mark.parametrize("grades,action", [
    (("A", "A"), ""),
    (("B", "A", "A", "A"), "award"),                   # 3rd consecutive A
    (("C", "D"), ""),
    (("C", "D", "D"), "improvement_plan"),             # D track, 2nd month
    (("D", "E"), "improvement_plan"),                  # E counts on the D track
    (("D", "D", "D"), ""),                             # inside the two-month improvement period
    (("D", "D", "D", "D"), "hr_warning"),              # 4th → HR's serious warning
    (("D", "D", "D", "D", "D"), "separation"),         # 5th → separation
    (("C", "E", "E"), "manager_warning"),              # E track 2nd (also D-track plan: warning is the headline)
    (("E", "E", "E"), "separation"),                   # E track 3rd
    (("D", "D", "C", "D"), ""),                        # a C ends the run
    (("D", "", "D"), ""),                              # a missing month breaks the run
    (("D", "D", "E", "E"), "hr_warning"),              # both warnings: HR's formal letter heads
])
def test_tracks(grades, action):
    assert act(*grades) == action


def _by(out):
    return {a: r for a, r in zip(out["action"], out.to_dict("records"))}


def test_all_actions_listed_with_their_months_as_data_and_the_headline():
    hist = pd.DataFrame({"employee_id": ["P"] * 3, "month": ["2026-04", "2026-05", "2026-06"], "grade": ["C", "E", "E"]})
    out = _by(consequences.month_actions(hist, "2026-06", Policy()))
    assert set(out) == {"improvement_plan", "manager_warning"}
    assert out["manager_warning"]["headline"] and not out["improvement_plan"]["headline"]
    assert out["manager_warning"]["months"] == (("2026-05", "E"), ("2026-06", "E"))
    assert out["manager_warning"]["run"] == 2


def test_award_once_per_year_and_missing_month_breaks():
    months = [f"2026-{m:02d}" for m in range(1, 7)]
    hist = pd.DataFrame({"employee_id": ["A"] * 6, "month": months, "grade": ["A"] * 6})
    assert list(consequences.month_actions(hist, "2026-03")["action"]) == ["award"]
    assert consequences.month_actions(hist, "2026-06").empty                 # second in the year
    gap = hist[hist["month"] != "2026-02"]
    assert consequences.person_runs(gap, "2026-03").loc["A", "a_run"] == 1
    # a new year allows a new award
    hist2 = pd.DataFrame({"employee_id": ["A"] * 6, "month": ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02",
                                                              "2026-03"], "grade": ["A"] * 6})
    assert list(consequences.month_actions(hist2, "2026-03")["action"]) == ["award"]


def test_separation_by_both_tracks_is_one_action():
    hist = pd.DataFrame({"employee_id": ["S"] * 5, "month": [f"2026-0{m}" for m in range(1, 6)],
                         "grade": ["D", "D", "E", "E", "E"]})
    out = consequences.month_actions(hist, "2026-05")
    assert list(out["action"]) == ["separation"] and out["run"].iloc[0] == 5


def test_run_lengths_from_settings():
    p = Policy.from_settings({"连续D次数-改进计划": 3})
    assert consequences.next_action([["D", "D"]], p)[0] == ""
    assert consequences.next_action([["D", "D", "D"]], p)[0] == "improvement_plan"


def test_exempt_month_is_not_graded():
    hist = pd.DataFrame({"employee_id": ["N", "N"], "month": ["2026-05", "2026-06"], "grade": ["D", ""]})
    assert consequences.month_actions(hist, "2026-06").empty
    assert consequences.person_runs(hist, "2026-06").loc["N", "d_run"] == 0
