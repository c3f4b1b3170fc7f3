"""The demo store's September report with the cycle's lists: goal sheets filed late or never,
August interviews not recorded, and — switched on — the bottom-ranking list; sections are
numbered on past ten. The demo also writes October's goal sheets next to the book."""
from __future__ import annotations

import shutil

import pytest
from helpers import kpi4s, values
from openpyxl import load_workbook

from addin.io import schema as S


@pytest.fixture
def demo_copy(demo_run, tmp_path):
    path = tmp_path / "demo.xlsx"
    shutil.copy(demo_run[0], path)
    return path


def _titles(rows):
    return [r[0] for r in rows if r and isinstance(r[0], str) and "、" in r[0][:3]]


def test_demo_report_lists_late_goals_and_missing_interviews(demo_run):
    rows = values(demo_run[0], S.REPORT)
    titles = _titles(rows)
    assert "八、目标设定未按时备案（2026-09，截止 2026-09-07）" in titles       # the 5th was a Saturday
    assert "九、绩效面谈未记录（2026-08，须面谈：全员）" in titles
    i = titles.index("八、目标设定未按时备案（2026-09，截止 2026-09-07）")
    start = next(k for k, r in enumerate(rows) if r[0] == titles[i])
    listed = [r[4] for r in rows[start + 2:] if r[0]][:3]
    assert sorted(listed) == ["未备案", "逾期备案", "逾期备案"]
    assert (demo_run[0].parent / "目标设定表" / "2026-10_索引.csv").exists()
    assert "目标设定表（2026-10）" in demo_run[1]


def test_bottom_list_takes_the_report_past_ten_sections(demo_copy):
    wb = load_workbook(demo_copy)
    ws = wb[S.SETTINGS]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "末位名单")
    ws.cell(row, 2, "是")
    wb.save(demo_copy)
    run = kpi4s("report", demo_copy)
    assert run.returncode == 0, run.stderr
    titles = _titles(values(demo_copy, S.REPORT))
    assert titles[9].startswith("十、末位名单（各评定范围得分最低 5%") and titles[10] == "十一、员工明细"


def test_demo_goal_sheets_take_targets_from_the_decomposition(demo_run):
    wb = load_workbook(demo_run[0].parent / "目标设定表" / "2026-10_服务顾问组_目标设定表.xlsx")
    ws = wb.worksheets[1]                                          # a service advisor (the manager comes first)
    rows = {ws.cell(r, 3).value: [ws.cell(r, c).value for c in range(1, 9)] for r in range(10, 18)}
    repair = rows["维修产值"]
    assert repair[7] == "目标分解" and isinstance(repair[5], (int, float)) and repair[5] > 0
    assert rows["单车产值(维修)"][5] == 800 and rows["单车产值(维修)"][7] == "考核表"
    assert rows["学习与服务规范"][5] == "评分项"
