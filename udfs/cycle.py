"""SPEC §9 — the cycle around the month: goals by the 5th, interviews, the approval chain.

* Goals [000 5.1.1]: "每一评估周期初（每月5日前）… 三方签字后报人力资源部备案". Month M's
  目标设定表 is due on day ``goal_day`` of M, rolled forward to a workday by the calendar of
  §3.6; it counts as filed on time when HR's filing date is on or before that day and the
  employee, the direct manager and the next-level manager have all signed.
* Interviews [000 5.1.4, 附件1]: after month M is graded, the direct manager holds a
  performance interview with each employee graded at or below ``interview_grade`` (A: all).
* Approval [000 ❷7, 5.9]: results go 草稿 → 部门确认 → 人力资源审核 → 总经理批准 (the
  order of udfs.vocab.APPROVAL), one step at a time; any step may send them back to 草稿.

The year-end raise is with the annual rules (udfs.periods), the bottom-ranking list with
grading (udfs.grading), an appeal's changed score with the totals (udfs.scoring), the
payroll split with pay (udfs.pay).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dates import due_date
from .grading import grade_index
from .parse import month_parts, to_dates
from .vocab import APPROVAL, GRADES, InputError, setting


@dataclass(frozen=True)
class CycleRules:
    goal_day: int = setting(5, "目标设定截止日", "每月几号前完成目标设定表三方签字并报人力资源部备案"
                            "（遇非工作日按「日历」顺延）[000 5.1.1]")
    interview_grade: str = setting("A", "须面谈等级(及以下)", "月度等级为此级及以下的员工须做绩效面谈；A = 全员 [000 5.1.4]",
                                   "grade")

    def _checks(self):
        if not 1 <= self.goal_day <= 28:
            yield ("goal_day",), "应为每月 1–28 日"
        if self.interview_grade not in GRADES:
            yield ("interview_grade",), "应为 A–E"


RULES = CycleRules()


# --------------------------------------------------------------------------- goals
def goal_due(month: str, day: int = RULES.goal_day, calendar: str = "weekend") -> np.datetime64:
    """The day month ``month``'s goals are due: day ``day`` of that month, rolled to a workday."""
    y, m = month_parts(month)
    return np.datetime64(due_date(y, m, day, calendar), "D")


def goal_status(signed_employee, signed_manager, signed_next, filed, due) -> tuple[np.ndarray, np.ndarray]:
    """(udfs.vocab.GOAL_STATUS codes, whole days late) per goal sheet.

    missing: HR has no filing date; late: filed after ``due`` (the day counts, not the hour);
    incomplete: filed on time but a signature date is missing; on_time otherwise. Days late is
    0 for a sheet filed on time and NaN for a missing one.
    """
    f = to_dates(filed, "filed").astype("datetime64[D]")
    d = np.broadcast_to(to_dates(due, "due").astype("datetime64[D]"), f.shape)
    signed = [to_dates(s, "signed").astype("datetime64[D]") for s in (signed_employee, signed_manager, signed_next)]
    missing = np.isnat(f)
    late_by = np.where(missing | np.isnat(d), 0, (f - d).astype("timedelta64[D]").astype(np.int64))
    unsigned = np.zeros(f.shape, dtype=bool)
    for s in signed:
        unsigned |= np.broadcast_to(np.isnat(s), f.shape)
    code = np.where(missing, "missing", np.where(late_by > 0, "late", np.where(unsigned, "incomplete", "on_time")))
    days = np.where(missing, np.nan, np.maximum(late_by, 0).astype(float))
    return code.astype(object), days


# --------------------------------------------------------------------------- interviews
def needs_interview(grades, policy: CycleRules = RULES) -> np.ndarray:
    """True for a graded month at or below ``interview_grade`` (blank grades: False)."""
    gi = grade_index(grades)
    return (gi >= 0) & (gi >= GRADES.index(policy.interview_grade))


# --------------------------------------------------------------------------- approval
STEPS = APPROVAL.codes                      # draft → department → hr → approved
FIRST, FINAL = STEPS[0], STEPS[-1]


def next_status(status: str) -> str:
    """The status one step after ``status``; InputError (Chinese) when already approved."""
    i = STEPS.index(status)
    if i == len(STEPS) - 1:
        raise InputError(f"已是「{APPROVAL.label(FINAL)}」，无需再审批")
    return STEPS[i + 1]


def step_to(status: str, wanted: str) -> str:
    """Check a requested step: ``wanted`` must be the very next status (steps are not skipped)."""
    nxt = next_status(status)
    if wanted != nxt:
        raise InputError(f"当前状态「{APPROVAL.label(status)}」，下一步应为「{APPROVAL.label(nxt)}」，"
                         f"不能直接进入「{APPROVAL.label(wanted)}」")
    return nxt


def can_reject(status: str) -> bool:
    return status != FIRST


def locked(status: str) -> bool:
    """Whether a month in this status may only be recomputed with an explicit override."""
    return status != FIRST
