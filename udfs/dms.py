"""SPEC §7 — KPI actuals from the dealer management system: the policy numbers and the rule that
hands a computed figure to each employee's scorecard item.

The definitions themselves are data (udfs.dms_sql, shown in the 指标库); addin/dms runs them
over the exports and writes 员工 / 部门 / 门店 figures to the DMS实绩 sheet. The month end then
gives each employee's KPI item (:func:`hand_out`):

1. the employee's own figure (the KPI is attributed to them: their repair orders, their calls);
2. a manager (部门经理, 行政/人力/客服经理) without one: their department's figure, else the store's;
3. anyone whose department has nobody the KPI is attributed to (客服部 and the advisors' SFU, 配件部
   and the store's parts turnover): the store's figure.

An employee of a department that has the KPI but who has no figure of their own (a technician with
no closed repair order this month) gets nothing from the DMS: the actual must be entered by hand.
A hand-entered actual (月度实绩) wins over the DMS unless 设置「DMS实绩优先」 says 是 or the
import was run with ``--override`` (then every figure it wrote is marked to win).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dms_sql import params_used
from .parse import add_months
from .vocab import YES_NO, setting

MANAGERS = frozenset({"manager", "support_manager"})       # udfs.vocab.CATEGORY codes


@dataclass(frozen=True)
class DmsRules:
    rework_days: int = setting(30, "返修判定天数",
                               "同一VIN同一故障在工单结算后N天内（含第N天）再次开单算返修")
    base_months: int = setting(12, "基盘统计月数", "回厂率、基盘客户：近N个月（含当月）有工单的客户")
    csi_score: float = setting(9.0, "CSI满意分数线",
                               "回访满意度为分数时，达到此分数算满意（10分制常用9；5分制改为4；百分制改为90）")
    reminder_days: int = setting(30, "保养提醒到店天数", "定期保养成功率：提醒后N天内到店保养算成功")
    maintenance_days: int = setting(30, "保养到期前后天数", "定期保养实施率：到期日前后N天内做了保养算已实施")
    dms_wins: str = setting("no", "DMS实绩优先",
                            "否（默认）：月度实绩中手工填写的实际值优先；是：DMS实绩覆盖手工值", vocab=YES_NO)

    def _checks(self):
        if not 1 <= self.rework_days <= 365:
            yield ("rework_days",), "应为 1–365 天"
        if not 1 <= self.base_months <= 60:
            yield ("base_months",), "应为 1–60 个月"
        if not (0 <= self.reminder_days <= 365 and 0 <= self.maintenance_days <= 365):
            yield ("reminder_days", "maintenance_days"), "应为 0–365 天"
        if not 0 < self.csi_score < 1e6:
            yield ("csi_score",), "应大于0"


RULES = DmsRules()


def month_span(months) -> tuple[_dt.date, _dt.date]:
    """First day of the first month, first day after the last month ('YYYY-MM' list)."""
    first, last = min(months), max(months)
    return (_dt.date(int(first[:4]), int(first[5:7]), 1),
            _dt.date(int(add_months(last, 1)[:4]), int(add_months(last, 1)[5:7]), 1))


def parameters(sql: str, months, rules: DmsRules = RULES) -> dict:
    """The named parameters a KPI query uses, for these months and settings."""
    start, end = month_span(months)
    every = {"start": start, "end": end, "rework_days": int(rules.rework_days),
             "base_months": int(rules.base_months), "csi_score": float(rules.csi_score),
             "reminder_days": int(rules.reminder_days), "maintenance_days": int(rules.maintenance_days)}
    return {k: v for k, v in every.items() if k in params_used(sql)}




def figure(num, den, has_den) -> np.ndarray:
    """A KPI's figure from its summed rows: Σnum ÷ Σden, or Σnum when the KPI has no
    denominator; NaN where the denominator is 0 (nothing to divide: no figure)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    has = np.asarray(has_den, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den != 0, num / np.where(den == 0, 1, den), np.nan)
    return np.where(has, ratio, num)


def hand_out(wanted: pd.DataFrame, people: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The DMS figure for each wanted (employee_id, kpi_id) by the rule of this module.

    people: employee_id, department, category. rows: level ('person'|'department'|'store'),
    employee_id, department, kpi_id, actual, override (bool). Returns wanted's index with
    actual (NaN = none), level ('' = none) and override.
    """
    out = pd.DataFrame({"actual": np.nan, "level": "", "override": False}, index=wanted.index)
    if not len(wanted) or not len(rows):
        return out
    who = people.drop_duplicates("employee_id").set_index("employee_id")
    emp, kpi = wanted["employee_id"].to_numpy(dtype=object), wanted["kpi_id"].to_numpy(dtype=object)
    dept = pd.Series(emp).map(who["department"]).fillna("").to_numpy(dtype=object)
    manager = pd.Series(emp).map(who["category"]).isin(MANAGERS).to_numpy()
    level = rows["level"].to_numpy(dtype=object)

    def lookup(lvl: str, key: np.ndarray, row_key: str | None) -> tuple[np.ndarray, np.ndarray]:
        r = rows[level == lvl]
        keys = r["kpi_id"] if row_key is None else r[row_key].astype(str) + "\x1f" + r["kpi_id"]
        r = r.set_axis(keys.to_numpy()).loc[lambda x: ~x.index.duplicated()]
        got = r.reindex(key)
        return got["actual"].to_numpy(dtype=float), got["override"].fillna(False).to_numpy(dtype=bool)

    by_person = lookup("person", pd.Series(emp).astype(str).to_numpy() + "\x1f" + kpi, "employee_id")
    by_dept = lookup("department", pd.Series(dept).astype(str).to_numpy() + "\x1f" + kpi, "department")
    by_store = lookup("store", kpi, None)
    dept_rows = rows[level == "department"]
    own_dept = pd.MultiIndex.from_arrays([dept, kpi]).isin(
        pd.MultiIndex.from_arrays([dept_rows["department"].to_numpy(dtype=object), dept_rows["kpi_id"].to_numpy(dtype=object)]))
    actual, lvl, over = np.full(len(emp), np.nan), np.full(len(emp), "", dtype=object), np.zeros(len(emp), bool)
    for (value, flag), allowed, name in ((by_person, True, "person"), (by_dept, manager, "department"),
                                          (by_store, manager | ~own_dept, "store")):
        take = np.isnan(actual) & ~np.isnan(value) & allowed
        actual[take], over[take], lvl[take] = value[take], flag[take], name
    out["actual"], out["level"], out["override"] = actual, lvl, over
    return out
