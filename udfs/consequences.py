"""SPEC §3.7 — consequences of consecutive monthly grades.

A grade history is a matrix of people × months (oldest first, latest last); a blank
month (no graded result) breaks every run.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .grading import grade_index
from .policy import ACTION_LABELS, ACTION_SEVERITY, ACTIONS, DEFAULT, Policy


def trailing_run(mask: np.ndarray) -> np.ndarray:
    """Length of the run of True at the end of each row of a 2-D bool matrix."""
    mask = np.asarray(mask, dtype=bool)
    if mask.shape[-1] == 0:
        return np.zeros(mask.shape[:-1], dtype=int)
    # position of the last False counted from the end; no False → whole row
    rev = ~mask[..., ::-1]
    first_false = np.where(rev.any(axis=-1), rev.argmax(axis=-1), mask.shape[-1])
    return first_false


def runs(grades) -> dict:
    """Runs of A, of D-or-E and of E ending at the latest month (per row)."""
    idx = np.atleast_2d(grade_index(grades))
    return {
        "a_run": trailing_run(idx == 0),
        "d_run": trailing_run(idx >= 3),
        "e_run": trailing_run(idx == 4),
    }


def actions_from_runs(a_run, d_run, e_run, policy: Policy = DEFAULT, award_allowed=True) -> np.ndarray:
    """Boolean matrix people × ACTIONS of what the latest month triggers."""
    a_run, d_run, e_run = (np.asarray(x) for x in (a_run, d_run, e_run))
    award = (a_run >= policy.award_run) & (a_run % policy.award_run == 0) & np.asarray(award_allowed, dtype=bool)
    plan = d_run == policy.plan_run
    hr_warning = d_run == policy.hr_warning_run
    manager_warning = e_run == policy.manager_warning_run
    separation = (d_run >= policy.d_separation_run) | (e_run >= policy.e_separation_run)
    return np.stack([award, plan, hr_warning, manager_warning, separation], axis=-1)


def headline(flags: np.ndarray) -> np.ndarray:
    """The most severe action per row ('' when none)."""
    sev = np.array([ACTION_SEVERITY[a] for a in ACTIONS])
    # equal severity (both warnings: a D-run of 4 ending in two Es) goes to the first listed,
    # HR's formal letter
    best = np.argmax(np.where(flags, sev, -1), axis=-1)
    names = np.array(ACTIONS, dtype=object)
    return np.where(flags.any(axis=-1), names[best], "").astype(object)


def next_action(grades, policy: Policy = DEFAULT) -> np.ndarray:
    """Headline action per row of a grade history (latest month last)."""
    r = runs(grades)
    return headline(actions_from_runs(r["a_run"], r["d_run"], r["e_run"], policy))


def history_matrix(history: pd.DataFrame, month: str) -> tuple[pd.DataFrame, list]:
    """Pivot history rows (employee_id, month 'YYYY-MM', grade) into people × consecutive months
    ending at `month`; months with no row are blank and break runs."""
    h = history[history["month"] <= month]
    if h.empty:
        return pd.DataFrame(), []
    first = pd.Period(h["month"].min(), "M")
    months = [str(p) for p in pd.period_range(first, pd.Period(month, "M"), freq="M")]
    wide = h.pivot_table(index="employee_id", columns="month", values="grade", aggfunc="last")
    return wide.reindex(columns=months), months


def month_actions(history: pd.DataFrame, month: str, policy: Policy = DEFAULT) -> pd.DataFrame:
    """Actions of `month` for everyone graded in it.

    history: employee_id, month ('YYYY-MM'), grade (blank for exempt months).
    Returns a frame indexed by employee_id: action (headline), actions (list), a_run, d_run,
    e_run, months (the months and grades behind the longest triggering run).
    An award is given at most once per calendar year.
    """
    wide, months = history_matrix(history, month)
    cols = ["action", "actions", "a_run", "d_run", "e_run", "months"]
    if wide.empty:
        return pd.DataFrame(columns=cols)
    grades = wide.to_numpy(dtype=object)
    idx = grade_index(np.where(pd.isna(grades), "", grades))
    r = {"a_run": trailing_run(idx == 0), "d_run": trailing_run(idx >= 3), "e_run": trailing_run(idx == 4)}
    # award once per year: an award this year already, at an earlier month of the year, blocks
    year = month[:4]
    in_year = np.array([m[:4] == year for m in months])
    a_mask = idx == 0
    earlier_award = np.zeros(len(wide), dtype=bool)
    for j in np.flatnonzero(in_year[:-1]):             # at most 11 months: loop over months, not people
        run_j = trailing_run(a_mask[:, : j + 1])
        earlier_award |= (run_j >= policy.award_run) & (run_j % policy.award_run == 0)
    flags = actions_from_runs(r["a_run"], r["d_run"], r["e_run"], policy, ~earlier_award)
    graded_now = idx[:, -1] >= 0
    flags &= graded_now[:, None]
    names = np.array(ACTIONS, dtype=object)
    out = pd.DataFrame(r, index=wide.index)
    out["action"] = headline(flags)
    out["actions"] = [list(names[f]) for f in flags]
    run_len = np.maximum.reduce([np.where(flags[:, 0], r["a_run"], 0),
                                 np.where(flags[:, 1:3].any(axis=1) | (flags[:, 4] & (r["d_run"] >= policy.d_separation_run)), r["d_run"], 0),
                                 np.where(flags[:, 3] | (flags[:, 4] & (r["e_run"] >= policy.e_separation_run)), r["e_run"], 0)])
    out["months"] = _run_text(grades, months, run_len)
    return out[cols]


def _run_text(grades: np.ndarray, months: list, run_len: np.ndarray) -> list:
    """'2026-07 D; 2026-08 D' for the last run_len months of each row (only rows with actions)."""
    labels = np.char.add(np.char.add(np.array(months, dtype=str), " "), np.where(pd.isna(grades), "", grades).astype(str))
    text = np.full(len(run_len), "", dtype=object)
    for i in np.flatnonzero(run_len):                  # only people with an action this month
        text[i] = "; ".join(labels[i, len(months) - run_len[i]:])
    return list(text)


def action_label(codes) -> np.ndarray:
    c = pd.Series(np.asarray(codes, dtype=object).ravel(), dtype=object)
    return c.map(ACTION_LABELS).fillna("").to_numpy(dtype=object).reshape(np.shape(codes))
