"""Small store workbooks of a dealer group, with hand-computed results (tests/group).

甲店 is the hand-computed store of tests/helpers.py (T1 95 C, T2 128 B — band A capped to B —,
T3 70 E, T4/T5 exempt; departments 一部 and 二部). 乙店 shares 一部 with it and grades by the
bands (分数段), so its A is above the guideline for three people:
  U1 一部 职能部门 6000: 产值 100/100 → 50, 返修率 0.02/0.02 → 30, 纪律 100% → 20 = 100  → C, pay 6000×30%×1.00 = 1800
  U2 一部 创利部门, commission 5000: 产值 130/100 → 65, 返修率 0.02/0.016 → 37.5, 纪律 110% → 22
     = 124.5 → A, pay 5000 × 1.245 = 6225
  U3 三部 职能部门 5000: 产值 80 → 40, 返修率 0.02/0.025 → 24, 纪律 80% → 16 = 80 → D, pay 5000×30%×0.8 = 1200
丙店 has a text in a number cell (bad); 丁店 has figures for August only (missing September).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers import MONTH, hand_book

from addin.io import schema as S

ROSTER_B = [
    ["U1", "子", "一部", "测试岗", "职能部门", "周经理", "王总", 6000, "正式", dt.date(2019, 1, 1)],
    ["U2", "丑", "一部", "测试岗", "创利部门", "周经理", "王总", 4000, "正式", dt.date(2019, 1, 1)],
    ["U3", "寅", "三部", "测试岗", "职能部门", "周经理", "王总", 5000, "正式", dt.date(2019, 1, 1)],
]
ACTUALS_B = [
    [MONTH, "U1", "子", "产值", 100, None], [MONTH, "U1", "子", "返修率", 0.02, None],
    [MONTH, "U2", "丑", "产值", 130, None], [MONTH, "U2", "丑", "返修率", 0.016, None],
    [MONTH, "U3", "寅", "产值", 80, None], [MONTH, "U3", "寅", "返修率", 0.025, None],
]
RATINGS_B = [[MONTH, "U1", "子", "工作纪律", None, 1.0, None], [MONTH, "U2", "丑", "工作纪律", None, 1.1, None],
             [MONTH, "U3", "寅", "工作纪律", None, 0.8, None]]

SCORES = {("甲店", "T1"): 95.0, ("甲店", "T2"): 128.0, ("甲店", "T3"): 70.0,
          ("乙店", "U1"): 100.0, ("乙店", "U2"): 124.5, ("乙店", "U3"): 80.0}
GRADES = {("甲店", "T1"): "C", ("甲店", "T2"): "B", ("甲店", "T3"): "E",
          ("乙店", "U1"): "C", ("乙店", "U2"): "A", ("乙店", "U3"): "D"}
PAY = {("甲店", "T1"): 1425.0, ("甲店", "T2"): 10240.0, ("甲店", "T3"): 3500.0,
       ("乙店", "U1"): 1800.0, ("乙店", "U2"): 6225.0, ("乙店", "U3"): 1200.0}


def store_a(path: Path, settings_month: str = MONTH, **changes) -> Path:
    return hand_book(path, settings={S.STORE_KEY: "甲店", S.MONTH_KEY: settings_month}, **changes)


def store_b(path: Path, actuals=None, **changes) -> Path:
    return hand_book(path, settings={S.STORE_KEY: "乙店", "等级评定方式": "分数段"}, **{
        S.ROSTER: ROSTER_B, S.ACTUALS: actuals or ACTUALS_B, S.RATINGS: RATINGS_B, S.ADJUSTMENTS: [],
        S.COMMISSION: [[MONTH, "U2", "丑", 5000]], S.SUBMISSIONS: [], **changes})


def store_bad(path: Path) -> Path:
    from helpers import ACTUALS
    rows = [list(r) for r in ACTUALS]
    rows[0][4] = "abc"                         # 月度实绩 row 2, 实际值
    return hand_book(path, settings={S.STORE_KEY: "丙店"}, **{S.ACTUALS: rows})


def store_missing(path: Path) -> Path:
    from helpers import ACTUALS, RATINGS
    aug = "2026-08"
    return hand_book(path, settings={S.STORE_KEY: "丁店"}, **{
        S.ACTUALS: [[aug, *r[1:]] for r in ACTUALS], S.RATINGS: [[aug, *r[1:]] for r in RATINGS]})


def group_folder(folder: Path) -> Path:
    """甲店, 乙店, 丙店 (bad) and 丁店 (missing September) in one folder."""
    folder.mkdir(parents=True, exist_ok=True)
    store_a(folder / "甲店.xlsx")
    store_b(folder / "乙店.xlsx")
    store_bad(folder / "丙店.xlsx")
    store_missing(folder / "丁店.xlsx")
    return folder


def history_rows(month: str, people: dict) -> list:
    """历史 rows as HR pastes them: {employee id: (total, grade)} of 甲店's roster."""
    names = {"T1": ("甲", "一部"), "T2": ("乙", "一部"), "T3": ("丙", "二部")}
    return [[month, e, *names[e], total, grade, None] for e, (total, grade) in people.items()]


def group_book(path: Path, **settings) -> Path:
    """A group workbook from the template with these 设置 values ({项目: 值})."""
    from workbook.build_group import new_group_workbook
    wb = new_group_workbook()
    ws = wb[S.SETTINGS]
    where = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for k, v in settings.items():
        ws.cell(where[k], 2, v)
    wb.save(path)
    return path


def crash_on(name: str):
    """A ``report`` for addin.group.collect that kills its worker process on the store ``name``
    (a store whose file crashes a library): the others must go on."""
    return _Crash(name)


class _Crash:
    def __init__(self, name):
        self.name = name

    def __call__(self, book, month):
        import os

        from addin.month import compute_month
        if book.store == self.name:
            os._exit(3)
        return compute_month(book, month)


def table(rows, first_header: str, start: int = 0) -> tuple[list, list]:
    """(header, data rows) of the sheet table whose header row starts with ``first_header``."""
    h = next(i for i in range(start, len(rows)) if rows[i] and rows[i][0] == first_header)
    out = []
    for r in rows[h + 1:]:
        if not r or all(v in ("", None) for v in r):
            break
        out.append(r)
    return rows[h], out


def league_stores(path) -> list:
    """The stores of 门店排名's league table, in rank order."""
    from helpers import values
    _, rows = table(values(path, S.LEAGUE), "排名", 8)
    return [r[1] for r in rows if r[1] != "集团合计"]
