"""Synthetic store workbooks for the group benchmark (bench/bench_group.py), written fast.

Each store: about 50 people in eight departments on the template's standard scorecards
(workbook.build.POSITION_CARDS), twelve months of figures in the input sheets (月度实绩, 评分,
提成, 评分提交) and eleven earlier months in 历史 — what a store's workbook looks like after a
year of use. Written with xlsxwriter (the sheets and headers the store template has, taken
from addin.io.schema), seeded per store so the league table has something to rank.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

YEAR = 2026
MONTHS = [f"{YEAR}-{m:02d}" for m in range(1, 13)]
# (department, position, category, count, salary)
ORG = [
    ("服务顾问组", "服务经理", "部门经理", 1, 12000), ("服务顾问组", "服务顾问", "创利部门", 10, 5500),
    ("机修车间", "车间主管", "部门经理", 1, 10000), ("机修车间", "机修技师", "创利部门", 14, 5200),
    ("钣喷车间", "钣喷主管", "部门经理", 1, 9500), ("钣喷车间", "钣喷技师", "创利部门", 8, 5300),
    ("配件部", "配件经理", "部门经理", 1, 9000), ("配件部", "配件专员", "职能部门", 4, 4500),
    ("客服部", "客服经理", "行政部/人力资源部/客户服务部经理", 1, 8000), ("客服部", "客服专员", "职能部门", 4, 4200),
    ("行政部", "行政经理", "行政部/人力资源部/客户服务部经理", 1, 8000), ("行政部", "行政专员", "职能部门", 2, 3900),
    ("人力资源部", "人力资源经理", "行政部/人力资源部/客户服务部经理", 1, 8500),
    ("人力资源部", "人力资源专员", "职能部门", 1, 4300),
]
MONEY_TARGET = 300_000.0        # items without a card target get this one in 月度实绩「目标值」


def _cards():
    from workbook.build import POSITION_CARDS
    cards: dict = {}
    for (pos, sec, item, kid, kind, w, t, d, unit, ind) in POSITION_CARDS:
        cards.setdefault(pos, []).append((sec, item, kid, kind, w, t, d, unit))
    return cards


def write_store(path: Path, k: int, month: str = MONTHS[-1], months: list = MONTHS, input_months: int = 12) -> Path:
    """Store number k (1-based) as a workbook at path; its 设置 month is ``month``. The input
    sheets hold the last ``input_months`` months (1: HR clears them each month; 12: they grow
    all year); 历史 holds every earlier month either way."""
    import xlsxwriter

    from addin.io import schema as S
    rng = np.random.default_rng(1000 + k)
    cards = _cards()
    store = f"{['华东', '华南', '华北', '西南', '东北'][k % 5]}{k:03d}店"
    wb = xlsxwriter.Workbook(str(path))
    pct = wb.add_format({"num_format": "0%"})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})

    def sheet(name, rows):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, S.SHEETS[name].headers if name in S.SHEETS else S.SETTINGS_HEADERS)
        for i, r in enumerate(rows, 1):
            for j, v in enumerate(r):
                if isinstance(v, dt.datetime):
                    ws.write_datetime(i, j, v, when)
                elif v is not None and v != "":
                    ws.write(i, j, v, pct if (name == S.SCORECARDS and j == 7) else None)
        return ws

    sheet(S.SETTINGS, [(S.STORE_KEY, store, ""), (S.MONTH_KEY, month, "")])
    people = []
    n = 0
    for dept, pos, cat, count, salary in ORG:
        for _ in range(count):
            n += 1
            people.append((f"S{k:03d}-{n:03d}", f"员工{k}-{n}", dept, pos, cat, salary))
    sheet(S.ROSTER, [(e, nm, d, p, c, "经理", "总经理", s, "正式", dt.datetime(2020, 1, 1)) for e, nm, d, p, c, s in people])
    seq_rows = []
    for pos in dict.fromkeys(p[3] for p in people):
        for i, (sec, item, kid, kind, w, t, d, unit) in enumerate(cards[pos], 1):
            seq_rows.append((pos, None, i, sec, item, kid or None, kind, w / 100, t, d or None, unit or None, None))
    sheet(S.SCORECARDS, seq_rows)
    store_level = rng.normal(1.0, 0.05)
    level = np.clip(rng.normal(store_level, 0.1, size=len(people)), 0.55, 1.3)
    actuals, ratings, commission, subs, history = [], [], [], [], []
    for mi, m in enumerate(months):
        y, mm = map(int, m.split("-"))
        lv = np.clip(level + rng.normal(0, 0.04, size=len(people)), 0.4, 1.35)
        inputs = mi >= len(months) - input_months
        for (e, nm, d, pos, cat, sal), x in zip(people, lv):
            for sec, item, kid, kind, w, t, direction, unit in cards[pos] if inputs else ():
                r = float(np.clip(x * rng.uniform(0.97, 1.03), 0.05, 1.3))
                if kind == "评分":
                    ratings.append((m, e, nm, item, None, round(r, 2), None))
                    continue
                target = t if t else MONEY_TARGET
                if direction == "不低于":
                    a = target * (1.02 if r >= 0.8 else 0.9)
                elif direction == "不超过":
                    a = target * (0.9 if r >= 0.8 else 1.3)
                elif direction == "反向":
                    a = target / r
                else:
                    a = target * r
                actuals.append((m, e, nm, item, round(a, 4), None if t else target))
            if cat == "创利部门" and inputs:
                commission.append((m, e, nm, round(float(rng.uniform(5000, 9000)), 2)))
        ny, nm_ = (y + 1, 1) if mm == 12 else (y, mm + 1)
        late = rng.random() < 0.2
        if inputs:
            subs.append((m, "张经理", "各部门经理", dt.datetime(ny, nm_, 4 + (2 if late else 0), 10, 0)))
            subs.append((m, "李专员", "人力资源专员", dt.datetime(ny, nm_, 3, 9, 0)))
        if m != month:
            tot = np.round(np.clip(lv * 100, 40, 130), 2)
            g = np.select([tot >= 120, tot >= 105, tot >= 90, tot > 70], list("ABCD"), "E")
            history += [(m, p[0], p[1], p[2], float(t_), str(g_), round(1500 * t_ / 100, 2))
                        for p, t_, g_ in zip(people, tot, g)]
    sheet(S.ACTUALS, actuals)
    sheet(S.RATINGS, ratings)
    sheet(S.COMMISSION, commission)
    sheet(S.SUBMISSIONS, subs)
    sheet(S.ADJUSTMENTS, [(month, people[3][0], people[3][1], -2, "否", "迟到")])
    sheet(S.HISTORY, history)
    wb.close()
    return path


def write_stores(folder: Path, count: int, **kw) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_store(folder / f"store{k:03d}.xlsx", k, **kw) for k in range(1, count + 1)]
