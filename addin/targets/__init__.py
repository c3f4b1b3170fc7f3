"""目标分解 — the year's after-sales targets decomposed over time and owners, and progress (SPEC §3.8).

Input sheets (schemas in addin.io.schema; macros never change them):

* **目标分解** — one row per indicator and year: 年度, 指标, 单位, 类型 (可加/不可加), 年度目标, 方向,
  分解方式 (平均/天数/工作日/去年实绩/指定比例), 日历 (blank = 设置), 小数位, 负责人, 说明, and
  1月…12月 holding last year's monthly actuals (去年实绩) or the month shares (指定比例);
* **目标责任** — the owners: 指标, 上级 (blank = 全店), 责任类型, 责任人, 占比 or 目标额;
* **目标实绩** — actuals to date for progress: 月份, 指标, 责任人 (blank = 全店), 实际值.

Modules: ``read`` (the sheets → validated frames + problems), ``model`` (the calendar split and
the owner tree), ``checks`` (目标校验), ``progress`` (进度), ``plan`` (the two entry points).
The output sheets are drawn by addin.render.targets.
"""
from __future__ import annotations

from .model import MONTHS, QUARTERS, Model
from .plan import PLAN_COLUMNS, TITLE_EMPTY, TITLE_ERRORS, MonthPlan, build_model, month_plan
from .progress import STATUSES, actual_matrix, behind

__all__ = ["build_model", "month_plan", "Model", "MonthPlan", "MONTHS", "QUARTERS", "PLAN_COLUMNS", "STATUSES",
           "TITLE_ERRORS", "TITLE_EMPTY", "actual_matrix", "behind"]
