"""SPEC §3.4–3.5 — eligibility and performance pay."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import grading
from .grading import band_grade, grade_index
from .parse import floats, round_half_up
from .vocab import CATEGORY, PAY_BASIS, PAY_METHOD, STATUS, setting


@dataclass(frozen=True)
class PayRules:
    min_wage: float = setting(800.0, "适用最低工资", "月工资低于此数不参加考核（试用期员工也不参加）")
    pay_method: str = setting("score", "绩效工资计算方式", "按得分：绩效工资=基数×得分/100；按等级系数：基数×等级系数",
                              vocab=PAY_METHOD)
    base_ratio_functional: float = setting(0.30, "绩效基数-职能部门", "月全额工资的比例", "share")
    base_ratio_manager: float = setting(0.50, "绩效基数-部门经理", "月全额工资的比例", "share")
    base_ratio_support_manager: float = setting(0.30, "绩效基数-行政/人力/客服经理", "月全额工资的比例", "share")
    base_ratio_profit: float = setting(1.00, "绩效基数-创利部门(提成比例)", "当月提成工资总额的比例", "share")
    grade_coefficients: tuple = setting((1.2, 1.1, 1.0, 0.8, 0.5), "等级系数A/B/C/D/E",
                                        "按等级系数计算时使用", "numbers")
    max_salary: float = setting(1_000_000.0, "月工资上限(校验)", "高于此数的月工资、提成视为输入错误")
    payroll_basis: str = setting("net", "基本工资口径", "工资接口中基本工资的算法：月工资减绩效基数（绩效基数含在月工资内，"
                                 "[000 5.6]）/ 月工资全额（绩效工资另计）", vocab=PAY_BASIS)

    def _checks(self):
        if len(self.grade_coefficients) != 5 or any(c < 0 for c in self.grade_coefficients):
            yield ("grade_coefficients",), "应为 A…E 五个不小于0的系数"
        ratios = (self.base_ratio_functional, self.base_ratio_manager, self.base_ratio_support_manager,
                  self.base_ratio_profit)
        if any(not 0 <= r <= 2 for r in ratios):
            yield ("base_ratio_functional", "base_ratio_manager", "base_ratio_support_manager",
                   "base_ratio_profit"), "比例应在 0–200% 之间"
        if not 0 <= self.min_wage < self.max_salary:
            yield ("min_wage", "max_salary"), "应满足 0 ≤ 适用最低工资 < 月工资上限"

    @property
    def base_ratios(self) -> dict:
        return {"profit": self.base_ratio_profit, "functional": self.base_ratio_functional,
                "manager": self.base_ratio_manager, "support_manager": self.base_ratio_support_manager}


RULES = PayRules()


def categories(category) -> np.ndarray:
    """Category names or Chinese aliases → codes; unknown raises VocabError."""
    codes, bad = CATEGORY.codes_of(category)
    if bad.any() or pd.isna(codes).any():
        flat = np.asarray(category, dtype=object).ravel()
        CATEGORY.code(flat[np.flatnonzero((bad | pd.isna(codes)).ravel())[0]])
    return codes


def round_yuan(x) -> np.ndarray:
    """Round half-up (away from zero) to 0.01 yuan."""
    return round_half_up(floats(x, "amount"), 2)


def perf_base(category, salary, commission=np.nan, policy: PayRules = RULES) -> np.ndarray:
    """Performance pay base (绩效基数): profit staff → commission × ratio; others → salary × ratio."""
    cat = categories(category)
    sal, com = floats(salary, "salary"), floats(commission, "commission")
    cat, sal, com = np.broadcast_arrays(cat, sal, com)
    ratios = pd.Series(cat.ravel(), dtype=object).map(policy.base_ratios).to_numpy(dtype=float).reshape(cat.shape)
    return round_yuan(np.where(cat == "profit", com, sal) * ratios)


def base_errors(category, salary, commission=np.nan, policy: PayRules = RULES) -> np.ndarray:
    cat = categories(category)
    sal, com = floats(salary, "salary"), floats(commission, "commission")
    cat, sal, com = np.broadcast_arrays(cat, sal, com)
    money = np.where(cat == "profit", com, sal)
    msg = np.where((cat != "profit") & (sal < 0), "salary must be ≥ 0", "")
    msg = np.where((cat == "profit") & np.isnan(com), "commission needed for profit staff", msg)
    msg = np.where((cat == "profit") & (com < 0), "commission must be ≥ 0", msg)
    return np.where(money > policy.max_salary, f"amount above {policy.max_salary:,.0f} yuan", msg)


def perf_pay(base, score, policy: PayRules = RULES, grade=None) -> np.ndarray:
    """Performance pay = base × score / 100 (yuan, 0.01 half-up).

    With pay_method 'grade' the per-grade coefficient replaces score/100.
    """
    b, s = np.broadcast_arrays(floats(base, "base"), floats(score, "score"))
    if policy.pay_method == "grade":
        bands = policy if isinstance(policy, grading.GradingRules) else grading.RULES
        g = grade_index(band_grade(s, bands) if grade is None else np.broadcast_to(np.asarray(grade, dtype=object), b.shape))
        coef = np.where(g >= 0, np.asarray(policy.grade_coefficients, dtype=float)[np.clip(g, 0, 4)], np.nan)
        return round_yuan(b * coef)
    return round_yuan(b * s / 100.0)


def eligibility(status, salary, policy: PayRules = RULES) -> tuple[np.ndarray, np.ndarray]:
    """(eligible, reason): probation staff and wages below min_wage are exempt (SPEC §3.4).

    status: codes of udfs.vocab.STATUS (or their Chinese words)."""
    st, _ = STATUS.codes_of(status)
    sal = floats(salary, "salary").ravel()
    probation = np.asarray(st, dtype=object).ravel() == "probation"
    low = sal < policy.min_wage
    reason = np.where(probation, "试用期", np.where(low, f"月工资低于{policy.min_wage:g}元", ""))
    return reason == "", reason.astype(object)


def fixed_pay(category, salary, base, eligible=True, policy: PayRules = RULES) -> np.ndarray:
    """The month's basic wage for the payroll hand-off (SPEC §9, [000 5.6, 5.9]).

    With payroll_basis 'net' the performance base is part of the monthly wage (全额工资的30%):
    basic wage = salary − base, never below 0. Profit staff, whose base is the commission, and
    staff not under the system (``eligible`` False) keep the whole salary, as does every
    employee with payroll_basis 'full' (performance pay paid on top).
    """
    cat = categories(category)
    sal, b, el = np.broadcast_arrays(floats(salary, "salary"), floats(base, "base"), np.asarray(eligible, dtype=bool))
    whole = (policy.payroll_basis == "full") | (np.broadcast_to(cat, sal.shape) == "profit") | ~el
    return round_yuan(np.where(whole, sal, np.maximum(sal - np.nan_to_num(b), 0.0)))


def net_pay(fixed, perf, fines=0.0, deductions=0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(gross, deductions total, net): gross = basic wage + performance pay; the scorer's late
    fines and other deductions come off it (blanks count as 0)."""
    f, p, fi, d = (np.nan_to_num(floats(x, "amount")) for x in (fixed, perf, fines, deductions))
    gross = round_yuan(f + p)
    off = round_yuan(fi + d)
    return gross, off, round_yuan(gross - off)
