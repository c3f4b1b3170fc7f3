"""SPEC §3.7 — what consecutive monthly grades lead to.

Every rule of the section is one row of :data:`RULES_TABLE` (which grades continue the run,
the setting holding its length, and whether it fires exactly at that length, from it on, or
at every multiple) plus the run lengths in :class:`ConsequenceRules`. A grade history is a
matrix of people × consecutive months (oldest first); a month without a graded result
(exempt, missing) breaks every run.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .grading import grade_index
from .parse import factorize, month_range
from .vocab import ACTION, GRADES, setting


@dataclass(frozen=True)
class ConsequenceRules:
    award_run: int = setting(3, "连续A次数-优秀员工", "连续第3个A：优秀员工候选/奖励旅游（每年最多一次）")
    plan_run: int = setting(2, "连续D次数-改进计划", "连续第2个月D或E：绩效改进计划")
    hr_warning_run: int = setting(4, "连续D次数-人力资源部警告", "连续第4个月D或E：人力资源部严重警告")
    d_separation_run: int = setting(5, "连续D次数-离职", "连续第5个月D或E：自动办理离职")
    manager_warning_run: int = setting(2, "连续E次数-直线经理警告", "连续第2个月E：直线经理严重警告（继口头警告后）")
    e_separation_run: int = setting(3, "连续E次数-离职", "连续第3个月E：自动办理离职")
    plan_months: int = setting(2, "改进期(月)", "绩效改进计划的期限，每月回顾一次")
    correction_months: int = setting(1, "警告改正期(月)", "严重警告信的改正期限：签发日期后几个月")

    def _checks(self):
        runs = ("award_run", "plan_run", "hr_warning_run", "d_separation_run", "manager_warning_run",
                "e_separation_run", "plan_months", "correction_months")
        if any(getattr(self, r) < 1 or getattr(self, r) > 24 for r in runs):
            yield runs, "应为 1–24 的整数"
        if not self.plan_run <= self.hr_warning_run < self.d_separation_run:
            yield ("plan_run", "hr_warning_run", "d_separation_run"), "应满足 改进计划 ≤ 人力资源部警告 < 离职"
        if not self.manager_warning_run < self.e_separation_run:
            yield ("manager_warning_run", "e_separation_run"), "应满足 直线经理警告 < 离职"


RULES = ConsequenceRules()


@dataclass(frozen=True)
class Rule:
    action: str          # udfs.vocab.ACTION code
    track: str           # the run it counts: 'A' (grade A), 'D' (grade D or E), 'E' (grade E)
    length: str          # the ConsequenceRules field with the run length
    fires: str           # 'at' the length exactly, 'from' the length on, or 'every' multiple of it


TRACKS = {"A": (0,), "D": (3, 4), "E": (4,)}                # grade indices continuing each run
RULES_TABLE = (
    Rule("award", "A", "award_run", "every"),
    Rule("improvement_plan", "D", "plan_run", "at"),
    Rule("hr_warning", "D", "hr_warning_run", "at"),
    Rule("manager_warning", "E", "manager_warning_run", "at"),
    Rule("separation", "D", "d_separation_run", "from"),
    Rule("separation", "E", "e_separation_run", "from"),
)
ONCE_A_YEAR = frozenset({"award"})
# the headline of a month is the most severe action; equal severity goes to the earlier in
# ACTION order (both warnings at once: HR's formal letter)
SEVERITY = {"separation": 4, "hr_warning": 3, "manager_warning": 3, "improvement_plan": 2, "award": 1}


def run_grades(action: str) -> tuple[str, ...]:
    """The grades whose run leads to ``action`` (its first rule): ('E',) for manager_warning."""
    rule = next(r for r in RULES_TABLE if r.action == action)
    return tuple(GRADES[i] for i in TRACKS[rule.track])


def trailing_run(mask: np.ndarray) -> np.ndarray:
    """Length of the run of True at the end of each row of a bool matrix."""
    mask = np.asarray(mask, dtype=bool)
    if mask.shape[-1] == 0:
        return np.zeros(mask.shape[:-1], dtype=int)
    rev = ~mask[..., ::-1]
    return np.where(rev.any(axis=-1), rev.argmax(axis=-1), mask.shape[-1])


def run_lengths(grade_idx: np.ndarray) -> dict:
    """{track: matrix of the run length ending at every column} (one pass over the months)."""
    idx = np.atleast_2d(grade_idx)
    col = np.arange(1, idx.shape[-1] + 1)
    out = {}
    for t, g in TRACKS.items():
        broken = np.where(np.isin(idx, g), 0, col)                    # 1-based column of each break
        out[t] = col - np.maximum.accumulate(broken, axis=-1)
    return out


def runs(grade_idx: np.ndarray) -> dict:
    """{track: run length ending at the last column} for a matrix of grade indices (-1 blank)."""
    idx = np.atleast_2d(grade_idx)
    return {t: trailing_run(np.isin(idx, g)) for t, g in TRACKS.items()}


def _fires(rule: Rule, run: np.ndarray, policy: ConsequenceRules) -> np.ndarray:
    n = getattr(policy, rule.length)
    if rule.fires == "at":
        return run == n
    if rule.fires == "from":
        return run >= n
    return (run >= n) & (run % n == 0)


def rule_flags(run: dict, policy: ConsequenceRules = RULES) -> np.ndarray:
    """Bool matrix people × RULES_TABLE of the rules the latest month fires."""
    return np.stack([_fires(r, run[r.track], policy) for r in RULES_TABLE], axis=-1)


def _headline(codes: list[tuple]) -> list[str]:
    order = {c: i for i, c in enumerate(ACTION.codes)}
    return [max(c, key=lambda a: (SEVERITY[a], -order[a])) if c else "" for c in codes]


def next_action(grades, policy: ConsequenceRules = RULES) -> np.ndarray:
    """The headline action per row of a grade history (latest month last)."""
    flags = rule_flags(runs(grade_index(grades)), policy)
    codes = [tuple(dict.fromkeys(r.action for r, f in zip(RULES_TABLE, row) if f)) for row in flags]
    return np.array(_headline(codes), dtype=object)


def history_matrix(history: pd.DataFrame, month: str) -> tuple[pd.DataFrame, list]:
    """History rows (employee_id, month 'YYYY-MM', grade) → people × consecutive months ending at
    ``month``; months without a row are blank (they break runs). A repeated (employee, month)
    row: the last one counts."""
    h = history[(history["month"] <= month) & (history["month"] != "")]
    if h.empty:
        return pd.DataFrame(), []
    months = month_range(h["month"].min(), month)
    people, emps = factorize(h["employee_id"].to_numpy())
    col = pd.Series(range(len(months)), index=months)[h["month"].to_numpy()].to_numpy()
    grid = np.full((len(emps), len(months)), None, dtype=object)
    grid[people, col] = h["grade"].to_numpy(dtype=object)
    return pd.DataFrame(grid, index=pd.Index(emps, name="employee_id"), columns=months), months


def month_actions(history: pd.DataFrame, month: str, policy: ConsequenceRules = RULES,
                  matrix: tuple | None = None) -> pd.DataFrame:
    """Everything the month's grades lead to, one row per (employee, action).

    history: employee_id, month ('YYYY-MM'), grade ('' for exempt months).
    Returns columns employee_id, action, run (the run's length), months (a tuple of
    (month, grade) pairs: the run behind the action, oldest first), headline (bool: the most
    severe action of that employee this month). Awards fire at most once per calendar year.
    """
    cols = ["employee_id", "action", "run", "months", "headline"]
    wide, months = matrix if matrix is not None else history_matrix(history, month)
    if wide.empty:
        return _no_actions()
    grades = wide.to_numpy(dtype=object)
    idx = grade_index(np.where(pd.isna(grades), "", grades))
    run = runs(idx)
    flags = rule_flags(run, policy) & (idx[:, -1] >= 0)[:, None]     # graded this month only
    # an award given at an earlier month of the same year blocks this one
    year = month[:4]
    award = [k for k, r in enumerate(RULES_TABLE) if r.action in ONCE_A_YEAR]
    past = [j for j, m in enumerate(months[:-1]) if m[:4] == year]       # ≤ 11 months
    earlier = np.zeros(len(wide), dtype=bool)
    if past:
        every = run_lengths(idx[:, :past[-1] + 1])                       # runs ending at each month
        graded = idx[:, past] >= 0
        for k in award:
            rule = RULES_TABLE[k]
            earlier |= (_fires(rule, every[rule.track][:, past], policy) & graded).any(axis=1)
    flags[:, award] &= ~earlier[:, None]
    people, rules = np.nonzero(flags)
    rows, seen = [], set()
    for p, k in zip(people.tolist(), rules.tolist()):             # only people with an action
        rule = RULES_TABLE[k]
        if (p, rule.action) in seen:                              # separation by both tracks: once
            continue
        seen.add((p, rule.action))
        n = int(run[rule.track][p])
        rows.append((wide.index[p], rule.action, n,
                     tuple(zip(months[-n:], (str(g) for g in grades[p, -n:])))))
    if not rows:
        return _no_actions()
    per: dict = {}
    for e, a, _, _ in rows:
        per.setdefault(e, []).append(a)
    best = dict(zip(per, _headline([tuple(v) for v in per.values()])))
    order = {c: i for i, c in enumerate(reversed(ACTION.codes))}
    rows.sort(key=lambda r: (order[r[1]], r[0]))                   # stable: a person's rules keep their order
    return pd.DataFrame([(*r, best[r[0]] == r[1]) for r in rows], columns=cols)


def _no_actions() -> pd.DataFrame:
    return pd.DataFrame({"employee_id": pd.Series(dtype=object), "action": pd.Series(dtype=object),
                         "run": pd.Series(dtype=np.int64), "months": pd.Series(dtype=object),
                         "headline": pd.Series(dtype=bool)})


def person_runs(history: pd.DataFrame, month: str, matrix: tuple | None = None) -> pd.DataFrame:
    """Runs of A, of D-or-E and of E ending at ``month`` for every employee in the history."""
    wide, _ = matrix if matrix is not None else history_matrix(history, month)
    if wide.empty:
        return pd.DataFrame(columns=["a_run", "d_run", "e_run"])
    grades = wide.to_numpy(dtype=object)
    run = runs(grade_index(np.where(pd.isna(grades), "", grades)))
    return pd.DataFrame({"a_run": run["A"], "d_run": run["D"], "e_run": run["E"]}, index=wide.index)


def actions_over(history: pd.DataFrame, months: list, policy: ConsequenceRules = RULES) -> pd.DataFrame:
    """Every action of every month in ``months`` (oldest first, one calendar year), as the month end
    fires them month by month: columns month, employee_id, action, run. The same rule helpers
    as :func:`month_actions` on one history matrix (for the year-end pack: 12 months of a dealer
    group in one pass); an award fires at most once in the year, a separation once a month."""
    cols = ["month", "employee_id", "action", "run"]
    wide, all_months = history_matrix(history, months[-1]) if len(months) else (pd.DataFrame(), [])
    if wide.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c != "run" else np.int64) for c in cols})
    grades = wide.to_numpy(dtype=object)
    idx = grade_index(np.where(pd.isna(grades), "", grades))
    codes = list(dict.fromkeys(r.action for r in RULES_TABLE))
    awarded = np.zeros(len(wide), dtype=bool)
    out = []
    for m in months:
        if m not in all_months:
            continue
        j = all_months.index(m)
        run = runs(idx[:, : j + 1])
        flags = rule_flags(run, policy) & (idx[:, j] >= 0)[:, None]
        for code in codes:
            ks = [k for k, r in enumerate(RULES_TABLE) if r.action == code]
            hit = flags[:, ks].any(axis=1)
            if code in ONCE_A_YEAR:
                hit &= ~awarded
                awarded |= hit
            if hit.any():             # the run of the first rule that fires (as month_actions reports it)
                first = np.argmax(flags[:, ks], axis=1)
                tracks = np.stack([run[RULES_TABLE[k].track] for k in ks], axis=1)
                length = tracks[np.arange(len(wide)), first][hit]
                out.append(pd.DataFrame({"month": m, "employee_id": wide.index[hit], "action": code, "run": length}))
    if not out:
        return pd.DataFrame({c: pd.Series(dtype=object if c != "run" else np.int64) for c in cols})
    return pd.concat(out, ignore_index=True)[cols]
