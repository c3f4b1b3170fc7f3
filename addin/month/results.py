"""What the month end hands to the renderers: typed tables, no text to re-parse.

One :class:`MonthResults` per run; the report sheets, the appraisal forms, the letters, the
xlwings doors and the group roll-up all read the same numbers from it. Column contracts are
listed here (English keys; sheets show Chinese headers from the renderers).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from udfs.policy import Policy

PEOPLE_COLUMNS = [
    "employee_id", "name", "department", "position", "category",   # category: udfs.vocab.CATEGORY code
    "manager", "next_manager", "salary", "status", "hire_date",     # status: udfs.vocab.STATUS code
    "leave_date",      # 离职日期 (NaT: none)
    "eligible",        # bool: under the system this month (SPEC §3.4)
    "exempt_reason",   # "" or 试用期 / 月工资低于800元
    "items",           # number of scorecard items
    "items_score",     # Σ item scores (points)
    "adjustment",      # Σ 加减分 (points)
    "veto",            # bool: a veto item this month
    "total",           # the score: rounded once at policy.score_decimals; NaN for exempt
    "band_grade",      # A–E from the bands; "" for exempt
    "grade",           # final grade under the grading policy; "" for exempt
    "group",           # evaluation group (全店 or the department); "" for exempt
    "commission",      # the month's commission total (profit staff), NaN if none
    "base",            # performance pay base (yuan)
    "pay",             # performance pay (yuan, 0.01)
    "action",          # headline action code ("" = none)
    "actions",         # tuple of every action code of the month
    "a_run", "d_run", "e_run",   # consecutive-month runs ending this month
    "warnings",        # tuple of data warnings for this person (Chinese)
    # the cycle around the month (SPEC §9)
    "total_computed",  # the total the scorecard gave, before an accepted appeal (= total without one)
    "appeal",          # "" or the accepted appeal behind the total (Chinese)
    "fine",            # the person's late-scoring fines of the month (yuan, as a scorer)
    "deduction",       # other deductions of the month (工资扣款, yuan)
]

ITEM_COLUMNS = [
    "employee_id", "seq", "section", "item", "kpi_id", "kind",   # kind: 'kpi' | 'rated'
    "weight",          # fraction (0.3 = 30%)
    "target", "actual", "unit", "direction",                      # direction: udfs.vocab.DIRECTION code
    "rating_self", "rating_manager", "rating_peer", "rating",    # rated items, fractions
    "ratio",           # achievement ratio after the cap (kpi) / combined rating (rated)
    "score",           # item points
    "shortfall",       # 1 − ratio (positive = below target); letters name the worst items
    "source",          # where the actual came from: 手工 (月度实绩) or DMS·员工/部门/门店 (DMS实绩); "" = none
]

ADJUSTMENT_COLUMNS = ["employee_id", "points", "reason", "veto"]
HISTORY_COLUMNS = ["month", "employee_id", "name", "department", "total", "grade", "pay"]
ACTION_COLUMNS = [
    "employee_id", "name", "department", "manager", "action",    # action: udfs.vocab.ACTION code
    "run",             # length of the run that triggered it
    "months",          # tuple of (month 'YYYY-MM', grade) pairs behind it, oldest first
    "headline",        # bool: the most severe action of that person this month
]
SCORER_COLUMNS = ["scorer", "role", "due", "submitted", "days_late", "fine",
                  "employee_id"]     # the scorer in the roster ("" when not found: the fine reaches no payslip)
APPEAL_COLUMNS = ["row", "date", "employee_id", "name", "department", "month", "reason", "handler",
                  "decision",        # udfs.vocab.APPEAL_DECISION code
                  "changed", "decided", "comment"]
INTERVIEW_COLUMNS = ["employee_id", "month", "date", "kind", "interviewer", "summary", "actions"]
MISSING_INTERVIEW_COLUMNS = ["employee_id", "name", "department", "manager", "month", "grade", "total"]
GOAL_COLUMNS = ["employee_id", "name", "department", "manager", "status",   # udfs.vocab.GOAL_STATUS code
                "filed", "days_late", "note"]
BOTTOM_COLUMNS = ["group", "n", "rank", "employee_id", "name", "department", "position", "total", "grade"]
PROGRESS_COLUMNS = ["indicator", "display", "unit", "additive", "annual", "ytd", "done", "time_progress",
                    "plan", "pace", "status"]


@dataclass
class Period:
    """A quarter or year the month closes: kind 'quarter'|'year', its months, label, the table
    (employee_id, name, department, one column per month, months, score, grade[, note])."""

    kind: str
    label: str
    months: list
    table: pd.DataFrame


@dataclass
class MonthResults:
    store: str
    month: str                         # "YYYY-MM"
    policy: Policy
    people: pd.DataFrame               # PEOPLE_COLUMNS, one row per employee active in the month
    items: pd.DataFrame                # ITEM_COLUMNS, the scored items of the month
    adjustments: pd.DataFrame          # ADJUSTMENT_COLUMNS
    history: pd.DataFrame              # HISTORY_COLUMNS, every month incl. this one
    actions: pd.DataFrame              # ACTION_COLUMNS, one row per action of the month
    scorers: pd.DataFrame              # SCORER_COLUMNS
    periods: list = field(default_factory=list)        # [Period] closed by this month
    progress: pd.DataFrame | None = None               # PROGRESS_COLUMNS: target progress (目标分解)
    progress_as_of: object = None                      # the date the progress is measured at
    warnings: list = field(default_factory=list)       # whole-book warnings (Chinese text)
    timings: list = field(default_factory=list)        # [(stage, seconds)]
    history_kept: int = 0                              # leading 历史 rows unchanged by this run
    # the cycle around the month (SPEC §9); None = the store does not keep that sheet
    appeals: pd.DataFrame | None = None                # APPEAL_COLUMNS: the whole register, every month
    interviews: pd.DataFrame | None = None             # INTERVIEW_COLUMNS: last month's interviews (forms show them)
    interviews_missing: pd.DataFrame | None = None     # MISSING_INTERVIEW_COLUMNS: due for last month, none recorded
    goals: pd.DataFrame | None = None                  # GOAL_COLUMNS: the month's goal sheets, one per graded person
    goals_due: object = None                           # the day the month's goal sheets were due
    bottom: pd.DataFrame | None = None                 # BOTTOM_COLUMNS: 末位名单 (only when the setting is on)
    payroll_warnings: list = field(default_factory=list)   # fines that reach no payslip (Chinese)

    @property
    def graded(self) -> pd.DataFrame:
        return self.people[self.people["eligible"]]
