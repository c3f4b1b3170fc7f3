"""SPEC §9 rules, with numbers worked by hand: goals by the 5th, interviews, the approval chain,
an appeal's changed score, the 末位 list, the year-end raise within the pool, the payroll split."""
import numpy as np
import pytest

from udfs import cycle, grading, pay, periods, scoring
from udfs.policy import Policy, PolicyError
from udfs.vocab import APPEAL_DECISION, APPROVAL, InputError


# --------------------------------------------------------------------------- goals
@pytest.mark.parametrize("month,day,calendar,due", [
    ("2026-06", 5, "weekend", "2026-06-05"),       # a Friday: as it is
    ("2026-09", 5, "weekend", "2026-09-07"),       # Saturday → Monday
    ("2026-10", 5, "weekend", "2026-10-05"),       # Monday, but the National Day holiday …
    ("2026-10", 5, "cn", "2026-10-08"),            # … with the 法定节假日 calendar: the first workday after it
    ("2026-12", 5, "cn", "2026-12-07"),            # December: a Saturday, no holiday
])
def test_goals_are_due_on_the_fifth_rolled_to_a_workday(month, day, calendar, due):
    assert str(cycle.goal_due(month, day, calendar)) == due


def test_goal_status_by_filing_date_and_signatures():
    due = np.datetime64("2026-06-05")
    code, days = cycle.goal_status(
        ["2026-06-02", "2026-06-02", None, "2026-06-08", None],
        ["2026-06-02", "2026-06-03", "2026-06-03", "2026-06-08", None],
        ["2026-06-03", "2026-06-04", "2026-06-04", "2026-06-09", None],
        ["2026-06-05 18:00", "2026-06-04", "2026-06-04", "2026-06-09", None], due)
    # filed on the due day (the hour does not count) · on time · on time but unsigned · 4 days late · never filed
    assert code.tolist() == ["on_time", "on_time", "incomplete", "late", "missing"]
    assert days[:4].tolist() == [0, 0, 0, 4] and np.isnan(days[4])


def test_interview_needed_at_or_below_the_setting():
    assert cycle.needs_interview(["A", "C", "D", "E", ""]).tolist() == [True, True, True, True, False]
    d = Policy(interview_grade="D")
    assert cycle.needs_interview(["A", "C", "D", "E", ""], d).tolist() == [False, False, True, True, False]


# --------------------------------------------------------------------------- approval chain
def test_approval_goes_one_step_at_a_time():
    assert APPROVAL.choices == ["草稿", "部门确认", "人力资源审核", "总经理批准"]
    assert cycle.next_status("draft") == "department"
    assert cycle.step_to("department", "hr") == "hr"
    with pytest.raises(InputError, match="不能直接进入「总经理批准」"):
        cycle.step_to("department", "approved")
    with pytest.raises(InputError, match="无需再审批"):
        cycle.next_status("approved")
    assert not cycle.can_reject("draft") and cycle.can_reject("hr")
    assert [cycle.locked(s) for s in APPROVAL.codes] == [False, True, True, True]


# --------------------------------------------------------------------------- appeals
def test_an_accepted_appeal_replaces_the_total_rounded_once():
    got = scoring.appealed_totals([88.0, 95.0, np.nan], [96.004, np.nan, 80.0])
    assert got[0] == 96.0 and got[1] == 95.0 and got[2] == 80.0
    assert scoring.appeal_score_errors([96, 131, -1]).tolist() == ["", "调整后得分应在 0–130 之间",
                                                                 "调整后得分应在 0–130 之间"]
    assert APPEAL_DECISION.code("接受") == "accepted" and APPEAL_DECISION.code("驳回") == "upheld"


# --------------------------------------------------------------------------- 末位
def test_bottom_list_per_group_with_ties():
    # store of 20: 20 × 5% = 1 → the lowest (50), and 50 is shared: both listed
    scores = [50, 60, 70, 80, 90, 50] + list(range(100, 114))
    listed, rank = grading.bottom_ranks(scores, share=0.05)
    assert np.flatnonzero(listed).tolist() == [0, 5] and rank[0] == rank[5] == 1 and rank[1] == 3
    # two groups of 10 at 10%: one each; a blank score is never ranked
    s = [70, 80, 90, 91, 92, 93, 94, 95, 96, 97] * 2 + [np.nan]
    g = ["一部"] * 10 + ["二部"] * 10 + ["一部"]
    listed, rank = grading.bottom_ranks(s, g, share=0.10)
    assert np.flatnonzero(listed).tolist() == [0, 10] and np.isnan(rank[-1])
    assert grading.bottom_count([9, 10, 29, 30, 60], 0.05).tolist() == [0, 1, 1, 2, 3]   # half-up


def test_bottom_list_is_off_by_default_and_validated():
    assert Policy().bottom_list is False and Policy().bottom_share == 0.05
    p = Policy.from_settings({"末位名单": "是", "末位比例": "10%"})
    assert p.bottom_list and p.bottom_share == 0.10
    with pytest.raises(PolicyError, match="末位比例"):
        Policy.from_settings({"末位比例": "0"})


# --------------------------------------------------------------------------- year-end raise
def test_raise_by_matrix_for_eligible_grades_rounded_to_ten_yuan():
    eligible, rate, amount = periods.raise_plan(["A", "B", "C", "D", ""], [6000, 6000, 5000, 4000, 3000])
    assert eligible.tolist() == [True, True, False, False, False]
    assert rate.tolist() == [0.08, 0.05, 0, 0, 0]
    assert amount.tolist() == [480.0, 300.0, 0, 0, 0]
    _, _, amount = periods.raise_plan(["B"], [4567])               # 228.35 → 230
    assert amount.tolist() == [230.0]
    lower = Policy(annual_raise_grade="C", raise_matrix=(0.08, 0.05, 0.02, 0, 0))
    assert periods.raise_plan(["C"], [5000], lower)[2].tolist() == [100.0]


def test_raise_pool_and_budget_check():
    assert periods.raise_pool([6000, 5000, 4000]) == 450.0                       # 15000 × 3%
    assert periods.raise_pool([6000], Policy(raise_pool_amount=500)) == 500.0
    assert periods.over_budget([300, 180], 450.0) == 30.0
    assert periods.over_budget([300], 450.0) == 0.0
    with pytest.raises(PolicyError, match="较高等级"):
        Policy.from_settings({"年终调薪比例A/B/C/D/E": "5,8,0,0,0"})
    assert Policy.from_settings({"年终调薪比例A/B/C/D/E": "10,6,0,0,0"}).raise_matrix == (0.10, 0.06, 0, 0, 0)


# --------------------------------------------------------------------------- payroll split
def test_basic_wage_is_the_salary_less_the_base_except_profit_and_exempt():
    fixed = pay.fixed_pay(["functional", "profit", "manager", "functional"], [6000, 4000, 10000, 4000],
                          [1800, 8000, 5000, np.nan], [True, True, True, False])
    assert fixed.tolist() == [4200.0, 4000.0, 5000.0, 4000.0]
    full = Policy(payroll_basis="full")
    assert pay.fixed_pay(["functional"], [6000], [1800], [True], full).tolist() == [6000.0]
    gross, off, net = pay.net_pay([4200, 4000], [1728, np.nan], [500, 0], [200, 0])
    assert gross.tolist() == [5928.0, 4000.0] and off.tolist() == [700.0, 0] and net.tolist() == [5228.0, 4000.0]


def test_cycle_settings_validated_together():
    with pytest.raises(PolicyError, match="目标设定截止日"):
        Policy.from_settings({"目标设定截止日": "30"})
    assert Policy.from_settings({"目标设定截止日": "3", "须面谈等级(及以下)": "待改进"}).interview_grade == "D"


def test_actions_over_a_year_match_the_month_end_month_by_month():
    """The year-end pack replays the consequence rules in one pass; it must fire exactly what
    month_actions fires month by month (awards once a year, separations once)."""
    import pandas as pd

    from udfs import consequences
    rng = np.random.default_rng(7)
    months = [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 13)]
    people = [f"P{k}" for k in range(300)]
    grades = rng.choice(list("AAABCCDDDEE") + [""], size=(len(people), len(months)))
    hist = pd.DataFrame([(p, m, g) for i, p in enumerate(people) for j, m in enumerate(months)
                         for g in [grades[i, j]]], columns=["employee_id", "month", "grade"])
    hist = hist[~((hist["grade"] == "") & (rng.random(len(hist)) < 0.5))]       # some months missing
    year = [m for m in months if m.startswith("2026")]
    got = consequences.actions_over(hist, year)
    want = pd.concat([consequences.month_actions(hist, m).assign(month=m) for m in year], ignore_index=True)
    key = ["month", "employee_id", "action", "run"]
    assert got[key].sort_values(key).values.tolist() == want[key].sort_values(key).values.tolist()
    assert (got["action"] == "award").any() and (got["action"] == "separation").any()


def test_a_yes_no_setting_reads_what_excel_and_people_type():
    for typed, want in (("是", True), ("否", False), (True, True), (False, False), (1, True), (0.0, False), ("√", True)):
        assert Policy.from_settings({"末位名单": typed}).bottom_list is want, typed
    with pytest.raises(PolicyError, match="末位名单：「开」应填 是 或 否"):
        Policy.from_settings({"末位名单": "开"})
