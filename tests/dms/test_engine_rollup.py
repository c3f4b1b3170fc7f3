"""The roll-up of a definition's rows to employees, departments and the store (addin.dms.engine),
on rows whose sums are worked out by hand: two DMS accounts of one employee, an employee without a
department, a DMS name the roster does not know, a KPI without a denominator, a month outside the
months asked for."""
from __future__ import annotations

import pandas as pd
import pytest

from addin.dms.engine import Definition, Engine
from addin.dms.results import FIGURE_COLUMNS
from addin.io import duck
from udfs.dms import RULES

STAFF = pd.DataFrame({
    "dms": ["王伟", "wangwei", "李娜", "赵强"],
    "employee_id": ["E1", "E1", "E2", "E3"],
    "name": ["王伟", "王伟", "李娜", "赵强"],
    "department": ["服务顾问组", "服务顾问组", "服务顾问组", ""],       # 赵强: no department
    "category": "", "position": ""})
LIBRARY = pd.DataFrame({"name_zh": ["比率", "台次"], "unit": ["%", "台"]}, index=["ratio", "count"])

RATIO = """
SELECT * FROM (VALUES
  (DATE '2026-09-01', '王伟', 1, 2), (DATE '2026-09-01', 'wangwei', 1, 2),  -- E1: 2 / 4
  (DATE '2026-09-01', '李娜', 0, 4),                                         -- E2: 0 / 4
  (DATE '2026-09-01', '赵强', 3, 3),                                         -- E3: 3 / 3, no department
  (DATE '2026-09-01', '外援', 5, 5),                                         -- not on the roster: store only
  (DATE '2026-09-01', NULL, 1, 2),                                           -- the store's own row
  (DATE '2026-08-01', '王伟', 9, 9)                                          -- a month not asked for
) AS t(month, person, num, den)"""
COUNT = """
SELECT * FROM (VALUES (DATE '2026-09-01', '王伟', 1, NULL), (DATE '2026-09-01', '李娜', 2, NULL),
                      (DATE '2026-09-01', '外援', 4, NULL)) AS t(month, person, num, den)"""


@pytest.fixture
def figures():
    con = duck.connect()
    try:
        engine = Engine(con, RULES, ["2026-09"], [], STAFF)
        for kid, sql in (("ratio", RATIO), ("count", COUNT)):
            assert engine.run(Definition(kid, LIBRARY.at[kid, "name_zh"], LIBRARY.at[kid, "unit"], sql, None),
                              keep_rows=False)
        return engine.figures(LIBRARY)
    finally:
        con.close()


def _get(f, kpi, level, who=""):
    f = f[(f.kpi_id == kpi) & (f.level == level)]
    f = f[f.employee_id == who] if level == "person" else f[f.department == who] if level == "department" else f
    assert len(f) == 1, (kpi, level, who)
    return f.iloc[0]


def test_rows_roll_up_to_employees_departments_and_the_store(figures):
    assert list(figures.columns) == FIGURE_COLUMNS
    assert set(figures.month) == {"2026-09"}
    e1 = _get(figures, "ratio", "person", "E1")                  # two accounts, one employee
    assert (e1["name"], e1["department"], e1["num"], e1["den"], e1["actual"]) == ("王伟", "服务顾问组", 2, 4, 0.5)
    assert _get(figures, "ratio", "person", "E2")["actual"] == 0
    e3 = _get(figures, "ratio", "person", "E3")
    assert (e3["department"], e3["actual"]) == ("", 1)
    dept = _get(figures, "ratio", "department", "服务顾问组")
    assert (dept["employee_id"], dept["name"], dept["num"], dept["den"]) == ("", "", 2, 8)
    store = _get(figures, "ratio", "store")
    assert (store["num"], store["den"], store["actual"]) == (11, 18, pytest.approx(11 / 18))
    # no department row for '' and none for the stranger; people are the three on the roster
    assert set(figures.loc[figures.level == "department", "department"]) == {"服务顾问组"}
    assert set(figures.loc[figures.level == "person", "employee_id"]) == {"E1", "E2", "E3"}
    assert (figures.kpi == figures.kpi_id.map(LIBRARY.name_zh)).all()


def test_a_kpi_without_a_denominator_is_the_sum(figures):
    e1 = _get(figures, "count", "person", "E1")
    assert e1["actual"] == 1 and pd.isna(e1["den"]) and e1["unit"] == "台"
    assert _get(figures, "count", "department", "服务顾问组")["actual"] == 3
    assert _get(figures, "count", "store")["actual"] == 7
    assert not (figures.kpi_id.eq("count") & figures.employee_id.eq("E3")).any()
