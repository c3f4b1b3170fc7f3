"""YYYY年终调薪 for a dealer group: the award and priority lists above the table name at most
LIST_MAX people and say where the rest are; the per-employee table below holds everyone."""
from __future__ import annotations

import numpy as np
import pandas as pd

from addin.cycle import year
from addin.render import year as RY
from addin.render.sheet import SheetSpec
from udfs.policy import DEFAULT


def _pack(n_c: int, n_a: int) -> year.YearPack:
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    people = [(f"C{i:03d}", 90.0 + i / 100, "C") for i in range(n_c)] + [(f"A{i:03d}", 125.0, "A") for i in range(n_a)]
    hist = pd.DataFrame([{"employee_id": e, "month": m, "total": t, "grade": g, "name": f"员工{e}", "department": "服务部",
                          "pay": 1000.0} for e, t, g in people for m in months])
    roster = pd.DataFrame({"employee_id": [e for e, _, _ in people], "position": "顾问", "status": "active",
                           "salary": 5000.0})
    annual = year.annual_table(hist, roster, 2026, DEFAULT)
    awards, actions = year.award_runs(hist, 2026, DEFAULT)
    info = annual.set_index("employee_id")
    awards = awards.assign(name=awards["employee_id"].map(info["name"]), department="服务部")
    return year.YearPack(2026, "集团", DEFAULT, annual, pd.DataFrame(), pd.DataFrame(), actions, awards,
                         pd.DataFrame(), pool=1e9, need=float(np.nansum(annual["amount"])))


def _section(sh: SheetSpec, title: str) -> list:
    """The first-column values of a section's rows, up to the next blank row."""
    start = next(r for (r, c), (v, _) in sh.cells.items() if c == 0 and isinstance(v, str) and title in v)
    out, r = [], start + 2
    while (r, 0) in sh.cells and sh.cells[(r, 0)][0] not in (None, ""):
        out.append(sh.cells[(r, 0)][0])
        r += 1
    return out


def test_long_lists_are_capped_and_point_to_the_table():
    pack = _pack(n_c=RY.LIST_MAX + 30, n_a=RY.LIST_MAX + 5)
    sh = RY.raise_sheet(pack)
    prio = _section(sh, "年终调薪、晋升优先考虑")
    assert len(prio) == RY.LIST_MAX + 1
    assert prio[0] == f"C{RY.LIST_MAX + 29:03d}"                       # best annual score first
    assert prio[-1].startswith(f"……共 {RY.LIST_MAX + 30} 人，此处列出前 {RY.LIST_MAX} 人") and "「年度结果」" in prio[-1]
    awards = _section(sh, "优秀员工候选")
    assert len(awards) == RY.LIST_MAX + 1 and f"共 {RY.LIST_MAX + 5} 人" in awards[-1] and "「优秀员工候选」" in awards[-1]
    table = sh.bulk.frame
    assert len(table) == 2 * RY.LIST_MAX + 35                          # everyone in the table
    assert (table["年度结果"] != "").sum() == 2 * RY.LIST_MAX + 35


def test_a_stores_lists_are_whole():
    sh = RY.raise_sheet(_pack(n_c=12, n_a=3))
    assert len(_section(sh, "年终调薪、晋升优先考虑")) == 12
    assert len(_section(sh, "优秀员工候选")) == 3
