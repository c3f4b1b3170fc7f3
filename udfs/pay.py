"""SPEC §3.4–3.5 — eligibility and performance pay."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .grading import grade_index
from .policy import CATEGORY_ALIASES, DEFAULT, Policy, canonical_array
from .scoring import as_float


def canonical_categories(category) -> np.ndarray:
    return canonical_array(category, CATEGORY_ALIASES, "category")


def round_yuan(x) -> np.ndarray:
    """Round half-up (away from zero) to 0.01 yuan, immune to binary float noise."""
    v = as_float(x)
    cents = np.round(np.abs(v) * 100.0, 6)          # 1234.565 stored as 1234.5649999… → 123456.5
    return np.sign(v) * np.floor(cents + 0.5) / 100.0


def perf_base(category, salary, commission=np.nan, policy: Policy = DEFAULT) -> np.ndarray:
    """Performance pay base (绩效基数): profit staff → commission total × ratio; others → salary × ratio."""
    cat = canonical_categories(category)
    sal, com = as_float(salary), as_float(commission)
    cat, sal, com = np.broadcast_arrays(cat, sal, com)
    ratios = pd.Series(cat.ravel(), dtype=object).map(policy.base_ratios).to_numpy(dtype=float).reshape(cat.shape)
    base = np.where(cat == "profit", com, sal) * ratios
    return round_yuan(base)


def base_errors(category, salary, commission=np.nan) -> np.ndarray:
    cat = canonical_categories(category)
    sal, com = as_float(salary), as_float(commission)
    cat, sal, com = np.broadcast_arrays(cat, sal, com)
    msg = np.where((cat != "profit") & (sal < 0), "salary must be ≥ 0", "")
    msg = np.where((cat == "profit") & np.isnan(com), "commission needed for profit staff", msg)
    return np.where((cat == "profit") & (com < 0), "commission must be ≥ 0", msg)


def perf_pay(base, score, policy: Policy = DEFAULT, grade=None) -> np.ndarray:
    """Performance pay = base × score / 100 (yuan, 0.01 half-up).

    With pay_method 'grade' the per-grade coefficient replaces score/100.
    """
    b, s = np.broadcast_arrays(as_float(base), as_float(score))
    if policy.pay_method == "grade":
        from .grading import band_grade
        g = grade_index(band_grade(s, policy) if grade is None else np.broadcast_to(np.asarray(grade, dtype=object), b.shape))
        coef = np.where(g >= 0, np.asarray(policy.grade_coefficients, dtype=float)[np.clip(g, 0, 4)], np.nan)
        return round_yuan(b * coef)
    return round_yuan(b * s / 100.0)


def eligibility(status, salary, policy: Policy = DEFAULT) -> tuple[np.ndarray, np.ndarray]:
    """(eligible, reason): probation staff and wages below min_wage are exempt (SPEC §3.4)."""
    st = pd.Series(np.asarray(status, dtype=object).ravel(), dtype=object).fillna("").astype(str).str.strip()
    sal = as_float(salary).ravel()
    probation = st.str.contains("试用|probation", case=False, regex=True).to_numpy()
    low = sal < policy.min_wage
    reason = np.where(probation, "试用期", np.where(low, f"月工资低于{policy.min_wage:g}元", ""))
    return reason == "", reason.astype(object)
