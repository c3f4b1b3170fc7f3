"""A store of two walked through a whole year of the appraisal cycle (SPEC §9), worked by hand
(not collected; conftest.py registers it: ``import cycle_sample``).

Y1 张伟 (职能部门, 月工资 6000 → 绩效基数 1800) is the employee the tests follow:

| month | 产值 (50%, ≥100) | 返修率 (30%, ≤2%) | 工作纪律 (20%) | total | grade |
|---|---|---|---|---|---|
| 01 | 100 → 50 | 2% → 30 | 100% → 20 | 100.00 | C |
| 02–04 | 130 → 65 | 1.6% → 37.5 | 120% → 24 | 126.50 | A (3rd A in April: award) |
| 05, 09, 12 | 120 → 60 | 2% → 30 | 100% → 20 | 110.00 | B |
| 06 | 80 → 40 | 2.5% → 24 | 105% → 21 | 85.00 | D (goal sheet filed late) |
| 07, 08, 11 | as 01 | | | 100.00 | C |
| 10 | 90 → 45 | 2% → 30 | 65% → 13 | 88.00 | D, appealed: 96.00 → C |

Annual: (100 + 3 × 126.5 + 3 × 110 + 85 + 3 × 100 + 96) / 12 = 1290.5 / 12 = 107.54 → B → raise
5% × 6000 = 300.00 → 6300.00. Y2 李娜 (月工资 5000) scores 100.00 (C) every month: annual C →
priority list, no raise. Grading is by bands (a store of two has no A/B quota).

October's payroll for Y1: basic 6000 − 1800 = 4200.00; performance 1800 × 0.88 = 1584.00 before
the appeal, 1800 × 0.96 = 1728.00 after; fines 500.00 (as 人力资源专员 he handed in October's
scores on 4 November 09:00, due Tuesday 3 November 17:30: one day late) and a deduction of
200.00 → 5084.00 before, 5228.00 after.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from addin.io import schema as S
from workbook.build import fill_table, new_workbook

YEAR = 2026
MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
CARD = [
    ["测试岗", None, 1, "财务指标", "产值", None, "KPI", 0.5, 100, "正向", "元", None],
    ["测试岗", None, 2, "关键考核指标", "返修率", "rework_rate", "KPI", 0.3, 0.02, "反向", "%", None],
    ["测试岗", None, 3, "工作纪律", "工作纪律", None, "评分", 0.2, None, None, None, None],
]
ROSTER = [
    ["Y1", "张伟", "服务部", "测试岗", "职能部门", "李经理", "王总", 6000, "正式", dt.date(2020, 1, 1)],
    ["Y2", "李娜", "服务部", "测试岗", "职能部门", "李经理", "王总", 5000, "正式", dt.date(2020, 1, 1)],
]
LEVELS = {"C": (100, 0.02, 1.0), "A": (130, 0.016, 1.2), "B": (120, 0.02, 1.0), "D": (80, 0.025, 1.05),
          "d": (90, 0.02, 0.65)}
PLAN = "CAAABDCCBdCB"               # Y1, January … December ('d': October, appealed)
SETTINGS = {"等级评定方式": "分数段", "须面谈等级(及以下)": "D", "调薪预算(元/月)": 500, "签发日期": "2027-01-08",
            "调薪生效日期": "2027-01-01"}
GOAL_DUE = {"2026-06": dt.date(2026, 6, 5)}
APPEAL = [dt.date(2026, 11, 6), "Y1", "张伟", "2026-10", "工作纪律评分未考虑加班抢修", "王总", "改分", 96,
          dt.date(2026, 11, 9), "复核后工作纪律按85%计"]


def _rows():
    actuals, ratings, goals, subs = [], [], [], []
    for m, g in zip(MONTHS, PLAN):
        for eid, name, level in (("Y1", "张伟", LEVELS[g]), ("Y2", "李娜", LEVELS["C"])):
            out, rework, rating = level
            actuals += [[m, eid, name, "产值", out, None], [m, eid, name, "返修率", rework, None]]
            ratings.append([m, eid, name, "工作纪律", None, rating, None])
            y, mm = map(int, m.split("-"))
            filed = dt.date(y, mm, 9) if (eid, m) == ("Y1", "2026-06") else dt.date(y, mm, 2)
            goals.append([m, eid, name, filed, filed, filed, filed, None])
    subs.append(["2026-10", "张伟", "人力资源专员", dt.datetime(2026, 11, 4, 9, 0), "Y1"])
    interviews = [["2026-06", "Y1", "张伟", dt.date(2026, 7, 6), "绩效面谈", "李经理", "产值未达标，返修偏高",
                   "参加返修质量培训；每周复盘产值"]]
    deductions = [["2026-10", "Y1", "张伟", 200, "损坏专用工具"]]
    return {S.ACTUALS: actuals, S.RATINGS: ratings, S.GOAL_SIGNOFF: goals, S.SUBMISSIONS: subs,
            S.INTERVIEWS: interviews, S.DEDUCTIONS: deductions}


def year_book(path: Path, settings: dict | None = None) -> Path:
    wb = new_workbook(store="测试店", month=MONTHS[0])
    ws = wb[S.SCORECARDS]
    ws.delete_rows(2, ws.max_row)
    fill_table(ws, CARD)
    fill_table(wb[S.ROSTER], ROSTER)
    for sheet, rows in _rows().items():
        fill_table(wb[sheet], rows)
    ws = wb[S.SETTINGS]
    where = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for k, v in {**SETTINGS, **(settings or {})}.items():
        ws.cell(where[k], 2, v)
    wb.save(path)
    return path


def add_rows(path: Path, sheet: str, rows: list) -> None:
    """A user typing rows into an input sheet (and saving in a spreadsheet program)."""
    wb = openpyxl.load_workbook(path)
    for r in rows:
        wb[sheet].append(r)
    wb.save(path)
