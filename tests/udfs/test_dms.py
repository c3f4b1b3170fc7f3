"""udfs.dms / udfs.dms_sql — SPEC §7's rules and definitions, pure."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from udfs import dms
from udfs.dms_sql import SQL, kpis_used, params_used, views_used
from udfs.kpis import LIBRARY
from udfs.policy import Policy, PolicyError

PEOPLE = pd.DataFrame({"employee_id": ["T1", "T2", "M1", "K1", "K2"],
                       "department": ["机修车间", "机修车间", "机修车间", "客服部", "客服部"],
                       "category": ["profit", "profit", "manager", "functional", "support_manager"]})


def rows(*r):
    return pd.DataFrame(r, columns=["level", "employee_id", "department", "kpi_id", "actual", "override"])


def test_hand_out_own_then_department_for_managers_then_store():
    r = rows(("person", "T1", "机修车间", "rework_rate", 0.25, False),
             ("department", "", "机修车间", "rework_rate", 1 / 7, False),
             ("store", "", "", "rework_rate", 0.1, True),
             ("person", "A1", "服务顾问组", "sfu_rate", 0.9, False),
             ("department", "", "服务顾问组", "sfu_rate", 0.9, False),
             ("store", "", "", "sfu_rate", 6 / 7, False),
             ("store", "", "", "parts_fill_rate", 0.5, False))
    wanted = pd.DataFrame({"employee_id": ["T1", "T2", "M1", "K1", "K2", "K1", "T2"],
                           "kpi_id": ["rework_rate", "rework_rate", "rework_rate", "sfu_rate", "rework_rate",
                                      "parts_fill_rate", "csi"]}, index=[10, 11, 12, 13, 14, 15, 16])
    got = dms.hand_out(wanted, PEOPLE, r)
    assert list(got.index) == [10, 11, 12, 13, 14, 15, 16]
    assert got.loc[10, ["actual", "level"]].tolist() == [0.25, "person"]              # own figure
    assert np.isnan(got.loc[11, "actual"]) and got.loc[11, "level"] == ""            # a technician without one
    assert got.loc[12, ["actual", "level"]].tolist() == [1 / 7, "department"]         # a manager: the workshop
    assert got.loc[13, ["actual", "level"]].tolist() == [6 / 7, "store"]              # 客服部: nobody attributed
    assert got.loc[14, ["actual", "level", "override"]].tolist() == [0.1, "store", True]   # a support manager
    assert got.loc[15, "level"] == "store" and np.isnan(got.loc[16, "actual"])


def test_figure_and_parameters():
    np.testing.assert_allclose(dms.figure([1, 3, 5, 2], [4, 0, np.nan, 8], [True, True, False, True]),
                               [0.25, np.nan, 5, 0.25])
    assert dms.month_span(["2026-03", "2026-09"]) == (dt.date(2026, 3, 1), dt.date(2026, 10, 1))
    assert dms.month_span(["2026-12"]) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    p = dms.parameters(SQL["rework_rate"], ["2026-09"], Policy(rework_days=21))
    assert p == {"start": dt.date(2026, 9, 1), "end": dt.date(2026, 10, 1), "rework_days": 21}


def test_the_sql_helpers_read_code_not_comments_or_strings():
    sql = "-- from followup\nSELECT 'claims' AS x, $base_months FROM ro JOIN kpi_rework_rate USING (ro_no) /* parts */"
    assert views_used(sql) == {"ro"}
    assert kpis_used(sql) == {"rework_rate"}
    assert params_used(sql) == {"base_months"}
    assert views_used(SQL["technician_efficiency"]) == {"ro", "clocking"}
    assert kpis_used(SQL["first_time_fix_rate"]) == {"rework_rate"}


def test_every_definition_belongs_to_a_library_kpi_and_reads_documented_views():
    ids = {k["id"] for k in LIBRARY}
    assert set(SQL) <= ids
    for kid, sql in SQL.items():
        assert sql.lstrip().startswith("--"), kid                       # each says what it counts, in Chinese
        assert views_used(sql) or kpis_used(sql), kid
        assert params_used(sql) <= {"start", "end", "rework_days", "base_months", "csi_score", "reminder_days",
                                    "maintenance_days"}, kid
    assert {k["id"] for k in LIBRARY if k["sql"]} == set(SQL)


def test_dms_settings_are_validated_in_chinese():
    assert Policy().rework_days == 30 and Policy().base_months == 12 and Policy().dms_wins == "no"
    with pytest.raises(PolicyError, match="返修判定天数"):
        Policy(rework_days=0)
    with pytest.raises(PolicyError, match="基盘统计月数"):
        Policy.from_settings({"基盘统计月数": "100"})
    assert Policy.from_settings({"DMS实绩优先": "是", "返修判定天数": "45"}).dms_wins == "yes"
