"""SPEC §3.3 and the annual part of §3.7 — quarters and years from monthly scores.

A quarter's or a year's score is the mean of the monthly scores available (months without a
graded result are skipped); its grade comes from the bands. An annual grade at or above
``annual_raise_grade`` makes the employee eligible for the year-end raise; the grade below it
is listed for priority ("年终调薪, 晋升方面优先考虑").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .grading import GradingRules, band_grade, grade_index
from .grading import RULES as GRADING
from .parse import factorize, month_parts
from .vocab import GRADES, setting


@dataclass(frozen=True)
class PeriodRules:
    annual_raise_grade: str = setting("B", "年终加薪最低年度等级", "年度等级达到此级及以上具备年终调薪资格", "grade")

    def _checks(self):
        if self.annual_raise_grade not in GRADES[:-1]:
            yield ("annual_raise_grade",), "应为 A–D"


RULES = PeriodRules()
RAISE = "具备年终调薪资格"
PRIORITY = "年终调薪、晋升方面优先考虑"


def score_values(matrix) -> np.ndarray:
    """The numeric monthly scores as floats; text (试用, even "95" typed as text), booleans and
    blanks are NaN (skipped)."""
    if isinstance(matrix, np.ndarray) and matrix.dtype.kind == "f":
        return np.atleast_2d(matrix)
    arr = np.atleast_2d(np.asarray(matrix, dtype=object))
    return np.array([float(v) if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                     else np.nan for v in arr.ravel()], dtype=float).reshape(arr.shape)


def mean_scores(matrix) -> np.ndarray:
    """Row means of the numeric monthly scores (see :func:`score_values`); NaN for a row
    without any score."""
    return _row_means(score_values(matrix))


def _row_means(values: np.ndarray) -> np.ndarray:
    values = np.where(np.isfinite(values), values, np.nan)
    count = (~np.isnan(values)).sum(axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, np.nansum(values, axis=1) / np.maximum(count, 1), np.nan)


def closing_periods(month: str) -> list[tuple[str, list[str], str]]:
    """The periods ``month`` closes: [(kind 'quarter'|'year', its months, Chinese label)]."""
    y, m = month_parts(month)
    out = []
    if m % 3 == 0:
        q = m // 3
        out.append(("quarter", [f"{y}-{k:02d}" for k in range(3 * q - 2, 3 * q + 1)], f"{y}年第{q}季度"))
    if m == 12:
        out.append(("year", [f"{y}-{k:02d}" for k in range(1, 13)], f"{y}年度"))
    return out


def annual_outcome(grades, policy: PeriodRules = RULES) -> np.ndarray:
    """The year-end consequence of annual grades: RAISE, PRIORITY or ''."""
    gi = grade_index(grades)
    cut = GRADES.index(policy.annual_raise_grade)
    return np.where((gi >= 0) & (gi <= cut), RAISE, np.where(gi == cut + 1, PRIORITY, "")).astype(object)


def period_table(history: pd.DataFrame, months: list[str], bands: GradingRules = GRADING,
                 annual: PeriodRules | None = None) -> pd.DataFrame:
    """One row per employee with a score in ``months``: the monthly totals as columns, months
    (count), score (mean), grade; with ``annual`` also note (annual_outcome).

    history: employee_id, month, total (NaN for exempt months), name, department.
    """
    h = history[history["month"].isin(months)]
    people, emps = factorize(h["employee_id"].to_numpy())
    col = pd.Series(range(len(months)), index=months)[h["month"].to_numpy()].to_numpy()
    grid = np.full((len(emps), len(months)), np.nan)
    grid[people, col] = h["total"].to_numpy(dtype=float)
    wide = pd.DataFrame(grid, index=pd.Index(emps, name="employee_id"), columns=months)
    info = h.drop_duplicates("employee_id", keep="last").set_index("employee_id")[["name", "department"]]
    frame = info.join(wide, how="inner")
    scores = frame[months].to_numpy(dtype=float)
    frame["months"] = (~np.isnan(scores)).sum(axis=1)
    frame["score"] = mean_scores(scores) if len(frame) else np.zeros(0)
    frame["grade"] = band_grade(frame["score"].to_numpy(), bands)
    frame = frame[frame["months"] > 0]
    if annual is not None:
        frame["note"] = annual_outcome(frame["grade"].to_numpy(), annual)
    return frame.rename_axis("employee_id").reset_index()
