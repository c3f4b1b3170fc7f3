"""The month's results: what `monthly_report` computes and every document reads.

One object, plain pandas tables, so the report sheets, the appraisal forms, the
letters and the Office.js script all read the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from udfs.policy import Policy

# Column contracts (English identifiers; sheets show Chinese headers).
PEOPLE_COLUMNS = [
    "employee_id", "name", "department", "position", "category",
    "manager", "next_manager", "salary", "status", "hire_date",
    "eligible",        # bool: under the system this month (SPEC §3.4)
    "exempt_reason",   # "" or 试用期 / 工资低于800元
    "items",           # number of scorecard items
    "items_score",     # Σ item scores (points)
    "adjustment",      # Σ 加减分 (points)
    "veto",            # bool: a veto item this month
    "total",           # final total score, clipped; NaN for exempt
    "band_grade",      # A–E from the bands; "" for exempt
    "grade",           # final grade under the grading policy; "" for exempt
    "grade_label",     # 杰出 … 不胜任
    "group",           # evaluation group (store or department)
    "commission",      # the month's commission total (profit staff), NaN if none
    "base",            # performance pay base (yuan)
    "pay",             # performance pay (yuan, 0.01)
    "action",          # headline action code ("" = none)
    "actions",         # all action codes of the month, "; "-joined
    "a_run", "d_run", "e_run",   # consecutive-month runs ending this month
    "warnings",        # data warnings for this person (e.g. "考核项 9 个, 应为3–8个")
]

ITEM_COLUMNS = [
    "employee_id", "seq", "section", "item", "kpi_id", "kind",  # kind: kpi | rated
    "weight",          # fraction (0.3 = 30%)
    "target", "actual", "unit", "direction",
    "rating_self", "rating_manager", "rating_peer", "rating",   # rated items, fractions
    "ratio",           # achievement ratio before the cap (kpi) / combined rating (rated)
    "score",           # item points
    "shortfall",       # 1 − ratio (positive = below target); used to pick letter reasons
]

ADJUSTMENT_COLUMNS = ["employee_id", "points", "reason", "veto"]

HISTORY_COLUMNS = ["month", "employee_id", "name", "department", "total", "grade", "pay"]

ACTION_COLUMNS = [
    "employee_id", "name", "department", "manager", "action", "label",
    "run",             # length of the run that triggered it
    "months",          # "2026-07 D; 2026-08 D; …" the months and grades behind it
]

SCORER_COLUMNS = ["scorer", "role", "due", "submitted", "days_late", "fine"]


@dataclass
class MonthResults:
    store: str
    month: str                         # "YYYY-MM"
    policy: Policy
    people: pd.DataFrame               # PEOPLE_COLUMNS, one row per roster employee
    items: pd.DataFrame                # ITEM_COLUMNS, scored items of the month
    adjustments: pd.DataFrame          # ADJUSTMENT_COLUMNS
    history: pd.DataFrame              # HISTORY_COLUMNS, all months incl. this one
    actions: pd.DataFrame              # ACTION_COLUMNS, one row per action of the month
    scorers: pd.DataFrame              # SCORER_COLUMNS
    period: dict = field(default_factory=dict)   # {"quarter": DataFrame, "year": DataFrame} when closing
    warnings: list = field(default_factory=list)  # whole-book warnings (Chinese text)
