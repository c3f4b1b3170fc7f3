"""Group-level grading (SPEC §8): the quotas applied across the whole group, or across each
department of every store, against the stores' own grades — by hand.

Six graded people: 128 (甲店 T2), 124.5 (乙店 U2), 100 (U1), 95 (T1), 80 (U3), 70 (T3).
Quotas for 6 (largest remainder of 0.3/1.2/3.6/0.6/0.3): A0 B1 C4 D1 E0. Capped grading: the
bands give A A C C D E; A is over its quota of 0, so both A drop to B; B is then over its quota
of 1, so the lower of them (124.5) drops to C. Group grades: B C C C D E. The stores graded
T2 B (capped in a store of 3) and U2 A (乙店 grades by the bands): only U2 differs, A → C.
"""
from __future__ import annotations

import pytest
from group_stores import MONTH, group_book
from helpers import kpi4s, values

from addin import group
from addin.group.settings import GroupSettings
from addin.io import schema as S
from udfs.policy import GroupPolicy


def _section(rows, title):
    i = next(k for k, r in enumerate(rows) if r and str(r[0]).startswith(title))
    head, out = rows[i + 1], []
    for r in rows[i + 2:]:
        if not r or r[0] in ("", None):
            break
        out.append(dict(zip(head, r)))
    return out


def test_group_grading_across_the_whole_group(folder, tmp_path):
    out = group_book(tmp_path / "集团.xlsx", **{"集团名称": "测试集团", "集团统一评定": "全集团"})
    run = kpi4s("group", folder, "--out", out, "--month", MONTH)
    assert run.returncode == 0, run.stderr
    assert "集团统一评定：1 人的等级与门店评定不同" in run.stdout
    rows = values(out, S.GROUP_GRADES)
    assert rows[0][0] == "测试集团 2026年9月 集团统一评定"
    dist = {r["等级"]: r for r in _section(rows, "一、")}
    assert [dist[g]["门店评定(人)"] for g in "ABCDE"] == [1, 1, 2, 1, 1]
    assert [dist[g]["集团评定(人)"] for g in "ABCDE"] == [0, 1, 3, 1, 1]
    assert [dist[g]["指导人数"] for g in "ABCDE"] == [0, 1, 4, 1, 0]
    stores = {r["门店"]: r for r in _section(rows, "二、")}
    assert (stores["乙店"]["集团评定降级(人)"], stores["乙店"]["门店A+B(人)"], stores["乙店"]["集团A+B(人)"]) == (1, 1, 0)
    assert (stores["甲店"]["集团评定升级(人)"], stores["甲店"]["集团评定降级(人)"]) == (0, 0)
    changed = _section(rows, "三、")
    assert changed == [{"门店": "乙店", "部门": "一部", "员工编号": "U2", "姓名": "丑", "岗位": "测试岗", "总分": 124.5,
                        "门店等级": "A", "集团等级": "C", "变化": "降两级"}]
    # the group's settings are its own: the title uses 集团名称, the stores keep their grades
    league = values(out, S.LEAGUE)
    assert league[0][0] == "测试集团 2026年9月 门店绩效汇总"


@pytest.mark.parametrize("scope,how,expected", [
    # 一部 (4 people: quotas A0 B1 C3 D0 E0): 128 A→B, 124.5 A→B→C; 二部 70 E, 三部 80 D stay
    ("department", "capped", {"T2": "B", "U2": "C", "U1": "C", "T1": "C", "U3": "D", "T3": "E"}),
    # forced over the group (A0 B1 C4 D1 E0): ranked 128 B, 124.5/100/95/80 C, 70 D
    ("group", "forced", {"T2": "B", "U2": "C", "U1": "C", "T1": "C", "U3": "C", "T3": "D"}),
    ("group", "bands", {"T2": "A", "U2": "A", "U1": "C", "T1": "C", "U3": "D", "T3": "E"}),
])
def test_group_grading_scopes_and_methods(folder, tmp_path, scope, how, expected):
    settings = GroupSettings(book=tmp_path / "g.xlsx", policy=GroupPolicy(group_scope=scope, grading=how))
    res = group.compute_group([folder], settings, MONTH, workers=1)
    p = res.grading["people"]
    assert dict(zip(p["employee_id"], p["group_grade"])) == expected
    store = {"T2": "B", "U2": "A", "U1": "C", "T1": "C", "U3": "D", "T3": "E"}
    assert set(p.loc[p["change"] != 0, "employee_id"]) == {e for e in store if store[e] != expected[e]}


def test_group_grading_off_by_default(folder, tmp_path):
    out = tmp_path / "g.xlsx"
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    rows = values(out, S.GROUP_GRADES)
    assert any(r and str(r[0]).startswith("未启用") for r in rows)


def test_bad_group_setting_stops_with_its_row_and_writes_nothing(folder, tmp_path):
    from helpers import digest
    out = group_book(tmp_path / "集团.xlsx", **{"集团统一评定": "按区域", "等级比例A/B/C/D/E": "5,20,60,10,10"})
    before = digest(out)
    run = kpi4s("group", folder, "--out", out, "--month", MONTH)
    assert run.returncode == 2
    assert "[设置] 第" in run.stderr and "集团统一评定：「按区域」无效" in run.stderr
    assert "合计应为100%" in run.stderr and "Traceback" not in run.stderr
    assert digest(out) == before
    assert not (tmp_path / "kpi4s-归档.duckdb").exists()
