"""Shared helpers of the test suite: the real command, reading sheets back, a hand-computed store.

conftest.py registers this module, so every test module can ``import helpers``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from python_calamine import CalamineWorkbook

from addin.io import schema as S
from workbook.build import fill_table, new_workbook

ROOT = Path(__file__).resolve().parent.parent
MONTH = "2026-09"


def kpi4s(*args, cwd=None, timeout=600, env=None):
    """The real command line (python -m addin.cli), as a user runs it."""
    return subprocess.run([sys.executable, "-m", "addin.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout,
                          env={"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                               "HOME": os.environ.get("HOME", "/tmp"), **(env or {})})


def values(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def section_titles(rows) -> list[str]:
    return [r[0] for r in rows if r and isinstance(r[0], str) and len(r[0]) > 2 and r[0][1] == "、"]


def people_table(path) -> dict:
    """月度报告's per-employee table: {employee id: {header: value}}."""
    rows = values(path, S.REPORT)
    start = next(i for i, r in enumerate(rows) if r and isinstance(r[0], str) and r[0].endswith("、员工明细"))
    head = rows[start + 1]
    return {r[0]: dict(zip(head, r)) for r in rows[start + 2:] if r and r[0]}


# --------------------------------------------------------------------------- a hand-computed store
CARD = [  # 测试岗: 产值 50% (higher, target 100), 返修率 30% (lower, 2%), 工作纪律 20% (rated)
    ["测试岗", None, 1, "财务指标", "产值", None, "KPI", 0.5, 100, "正向", "元", None],
    ["测试岗", None, 2, "关键考核指标", "返修率", "rework_rate", "KPI", 30, 0.02, "反向", "%", None],
    ["测试岗", None, 3, "工作纪律", "工作纪律", None, "评分", "20%", None, None, None, None],
]
ROSTER = [
    ["T1", "甲", "一部", "测试岗", "职能部门", "李经理", "王总", 5000, "正式", dt.date(2020, 1, 1)],
    ["T2", "乙", "一部", "测试岗", "创利部门", "李经理", "王总", 4000, "正式", dt.date(2020, 1, 1)],
    ["T3", "丙", "二部", "测试岗", "部门经理", "王总", "", 10000, "正式", dt.date(2020, 1, 1)],
    ["T4", "丁", "二部", "测试岗", "职能部门", "李经理", "王总", 4000, "试用", dt.date(2026, 8, 1)],
    ["T5", "戊", "二部", "测试岗", "职能部门", "李经理", "王总", 700, "正式", dt.date(2020, 1, 1)],
]
ACTUALS = [
    [MONTH, "T1", "甲", "产值", 110, None], [MONTH, "T1", "甲", "返修率", 0.025, None],
    [MONTH, "T2", "乙", "产值", 140, None], [MONTH, "T2", "乙", "返修率", 0.01, None],
    [MONTH, "T3", "丙", "产值", 200, 250],                 # own target 250 → ratio 0.8
    [MONTH, "T3", "丙", "返修率", 0.02, None],
    ["2026-08", "T1", "甲", "产值", 1, None],               # another month: ignored
]
RATINGS = [
    [MONTH, "T1", "甲", "工作纪律", 1.0, 0.9, None],         # manager's rating counts: 90%
    [MONTH, "T2", "乙", "工作纪律", None, 120, None],        # typed as points: 120%
    [MONTH, "T3", "丙", "工作纪律", None, 1.0, None],
]
ADJUST = [[MONTH, "T3", "丙", None, "是", "重大客户投诉"], [MONTH, "T1", "甲", -2, "否", "迟到"]]
COMMISSION = [[MONTH, "T2", "乙", 8000]]
SUBMISSIONS = [[MONTH, "李经理", "各部门经理", dt.datetime(2026, 10, 5, 17, 31)],       # due Mon 10-05 17:30
               [MONTH, "赵专员", "人力资源专员", dt.datetime(2026, 10, 1, 9, 0)]]


def hand_book(path: Path, settings: dict | None = None, **changes) -> Path:
    """The hand-computed store (tables above, each replaceable by keyword) saved to ``path``."""
    wb = new_workbook(store="测试店", month=MONTH)
    ws = wb[S.SCORECARDS]
    ws.delete_rows(2, ws.max_row)
    data = {S.SCORECARDS: CARD, S.ROSTER: ROSTER, S.ACTUALS: ACTUALS, S.RATINGS: RATINGS,
            S.ADJUSTMENTS: ADJUST, S.COMMISSION: COMMISSION, S.SUBMISSIONS: SUBMISSIONS}
    data.update(changes)
    for sheet, rows in data.items():
        fill_table(wb[sheet], rows, start=3 if sheet in S.TARGET_INPUTS else 2)   # target sheets: title row first
    if settings:
        ws = wb[S.SETTINGS]
        where = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
        for key, value in settings.items():
            ws.cell(where[key], 2, value)
    wb.save(path)
    return path
