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
from .parse import floats, month_parts, round_half_up
from .vocab import GRADES, setting


@dataclass(frozen=True)
class PeriodRules:
    annual_raise_grade: str = setting("B", "年终加薪最低年度等级", "年度等级达到此级及以上具备年终调薪资格", "grade")
    raise_matrix: tuple = setting((0.08, 0.05, 0.0, 0.0, 0.0), "年终调薪比例A/B/C/D/E",
                                  "具备调薪资格者按年度等级调整月工资的比例（只用于达到「年终加薪最低年度等级」的等级）",
                                  "shares")
    raise_pool_share: float = setting(0.03, "调薪预算(占月工资总额)",
                                      "年终调薪每月增加额的上限 = 年度参评员工月工资合计 × 此比例", "share")
    raise_pool_amount: float = setting(0.0, "调薪预算(元/月)", "填写大于0的金额则以此为上限（优先于比例）")
    raise_rounding: float = setting(10.0, "调薪金额取整(元)", "每人调薪金额四舍五入到此金额的整数倍")

    def _checks(self):
        if self.annual_raise_grade not in GRADES[:-1]:
            yield ("annual_raise_grade",), "应为 A–D"
        if len(self.raise_matrix) != 5 or any(not 0 <= r <= 1 for r in self.raise_matrix):
            yield ("raise_matrix",), "应为 A…E 五个 0–100% 的比例"
        elif any(a < b for a, b in zip(self.raise_matrix, self.raise_matrix[1:])):
            yield ("raise_matrix",), "较高等级的调薪比例不应低于较低等级"
        if not 0 <= self.raise_pool_share <= 1:
            yield ("raise_pool_share",), "应在 0–100% 之间"
        if self.raise_pool_amount < 0:
            yield ("raise_pool_amount",), "不能为负数"
        if not 0 < self.raise_rounding <= 1000:
            yield ("raise_rounding",), "应在 0–1000 元之间（不含0）"


RULES = PeriodRules()
RAISE = "具备年终调薪资格"
PRIORITY = "年终调薪、晋升方面优先考虑"


def mean_scores(matrix) -> np.ndarray:
    """Row means of the numeric monthly scores; text (试用, even "95" typed as text), booleans and
    blanks are skipped; NaN for a row without any score."""
    if isinstance(matrix, np.ndarray) and matrix.dtype.kind == "f":
        return _row_means(np.atleast_2d(matrix))
    arr = np.atleast_2d(np.asarray(matrix, dtype=object))
    if set(map(type, arr.ravel().tolist())) <= {float, int}:        # all numbers: no per-value test
        return _row_means(arr.astype(float))
    values = np.array([float(v) if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                       else np.nan for v in arr.ravel()], dtype=float).reshape(arr.shape)
    return _row_means(values)


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
    people, emps = pd.factorize(h["employee_id"])
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


def raise_plan(grades, salaries, policy: PeriodRules = RULES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The year-end raise by the matrix [000 5.8, SPEC §9]: (eligible, rate, amount per month).

    Eligible: an annual grade at or above ``annual_raise_grade``; the rate is the matrix's for
    that grade, the amount salary × rate rounded half-up to ``raise_rounding`` yuan. Everyone
    else: rate 0, amount 0.
    """
    gi = grade_index(grades)
    sal = floats(salaries, "salary")
    eligible = (gi >= 0) & (gi <= GRADES.index(policy.annual_raise_grade))
    rate = np.where(eligible, np.asarray(policy.raise_matrix, dtype=float)[np.clip(gi, 0, 4)], 0.0)
    step = float(policy.raise_rounding)
    amount = round_half_up(np.nan_to_num(sal) * rate / step, 0) * step
    return eligible, rate, np.where(eligible, amount, 0.0)


def raise_pool(salaries, policy: PeriodRules = RULES) -> float:
    """The monthly raise budget: ``raise_pool_amount`` when set, else the salaries' sum × share."""
    if policy.raise_pool_amount > 0:
        return float(policy.raise_pool_amount)
    return float(round_half_up(np.nansum(floats(salaries, "salary")) * policy.raise_pool_share, 2))


def over_budget(amounts, pool: float) -> float:
    """How far the raises exceed the pool (yuan per month; 0 when within it)."""
    need = float(round_half_up(np.nansum(floats(amounts, "amount")), 2))
    return max(0.0, float(round_half_up(need - pool, 2)))
