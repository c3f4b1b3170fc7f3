"""`kpi4s demo` runs its months from a generated DMS export: the report's actuals are the DMS
figures, and each figure is what its evidence sheet adds up to."""
from __future__ import annotations

import zipfile

import numpy as np
import pytest
from helpers import values

from addin.io import schema as S
from addin.io.book import load_book
from addin.month.pipeline import compute_month
from udfs.dms_sql import SQL

MONTH = "2026-09"


@pytest.fixture(scope="module")
def demo(demo_run):
    path, _ = demo_run
    rows = values(path, S.DMS_ACTUALS)
    head = rows[0]
    actuals = [dict(zip(head, r)) for r in rows[1:] if r and r[0]]
    return path, actuals


def test_the_demo_ships_its_dms_export(demo):
    path, actuals = demo
    folder = path.parent / "DMS导出"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["保修索赔.xlsx", "保养提醒.csv", "回访记录.csv", "客户投诉.csv", "客户档案.csv", "派工工时.csv",
                     "维修工单.csv", "配件出入库.csv"]
    raw = (folder / "维修工单.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                                          # GBK, as Chinese DMS write them
    ro = raw.decode("gb18030").splitlines()
    assert ro[0].startswith("维修工单明细") and len(ro) > 9000       # a title line, 19 months of orders
    types = {line.split(",")[8] for line in ro[2:]}
    assert {"保养", "一般维修", "保险", "索赔", "钣喷", "内部", "返修"} <= types
    assert sorted({a["月份"] for a in actuals}) == [f"2026-{m:02d}" for m in range(3, 10)]
    assert {a["指标编号"] for a in actuals} == set(SQL)              # every DMS KPI computed


def test_report_actuals_are_the_dms_figures(demo):
    path, actuals = demo
    res = compute_month(load_book(path))
    items = res.items[res.items["kind"].eq("kpi") & res.items["kpi_id"].isin(list(SQL))]
    assert len(items) > 100 and items["source"].str.startswith("DMS").all()
    lut = {(a["层级"], a["员工编号"] or a["部门"], a["指标编号"]): a["实际值"] for a in actuals if a["月份"] == MONTH}
    people = res.people.set_index("employee_id")
    for r in items.itertuples():
        level = r.source.split("·")[1]
        who = r.employee_id if level == "员工" else people.at[r.employee_id, "department"] if level == "部门" else ""
        assert r.actual == pytest.approx(lut[(level, who, r.kpi_id)]), (r.employee_id, r.kpi_id)
    # nobody typed them: 月度实绩 has no row for a DMS item
    hand = {(r[1], r[3]) for r in values(path, S.ACTUALS)[1:] if r and r[0] == MONTH}
    assert not {(r.employee_id, r.item) for r in items.itertuples()} & hand


def test_every_person_figure_is_what_its_evidence_adds_up_to(demo):
    path, actuals = demo
    lib = {r[0]: r[1] for r in values(path, S.KPI_LIB)[1:] if r and r[0]}
    checked = 0
    for kpi in SQL:
        rows = values(path, S.evidence_sheet(lib[kpi]))
        head = rows[4]
        body = [dict(zip(head, r)) for r in rows[5:] if r and any(v not in ("", None) for v in r)]
        assert body, kpi
        mine = [a for a in actuals if a["月份"] == MONTH and a["指标编号"] == kpi and a["层级"] == "员工"]
        for a in mine:
            got = [b for b in body if b["员工编号"] == a["员工编号"]]
            num = sum(float(b["分子"] or 0) for b in got)
            den = [float(b["分母"]) for b in got if b["分母"] not in ("", None)]
            value = num / sum(den) if den else num
            assert value == pytest.approx(a["实际值"], rel=1e-9), (kpi, a["员工编号"])
            checked += 1
        store = next(a for a in actuals if a["月份"] == MONTH and a["指标编号"] == kpi and a["层级"] == "门店")
        num = sum(float(b["分子"] or 0) for b in body)
        den = [float(b["分母"]) for b in body if b["分母"] not in ("", None)]
        assert (num / sum(den) if den else num) == pytest.approx(store["实际值"], rel=1e-9), kpi
    assert checked > 150


def test_workshop_analysis_sheet_with_charts(demo):
    path, _ = demo
    rows = values(path, S.WORKSHOP)
    text = [r[0] for r in rows if r and isinstance(r[0], str)]
    assert text[0].endswith("车间分析报告") and "一、技师明细（本月）" in text and "三、月度趋势（全店，近12个月）" in text
    head = next(r for r in rows if r and r[0] == "技师")
    assert head[3:8] == ["工单数", "售出工时", "打卡工时", "出勤工时", "利用率"]
    techs = [r for r in rows[rows.index(head) + 1:] if r and r[0] and r[0] != "全店合计" and r[1]]
    assert len(techs) >= 20
    months = [r[0] for r in rows if r and isinstance(r[0], str) and r[0][:3] == "202" and len(r[0]) == 7]
    assert months == [f"2025-{m:02d}" for m in range(10, 13)] + [f"2026-{m:02d}" for m in range(1, 10)]
    util = np.array([r[7] for r in techs if r[7] not in ("", None)], dtype=float)
    assert len(util) >= 20 and ((util > 0.1) & (util < 1.3)).all()
    store = next(r for r in rows if r and r[0] == "全店合计")
    assert 0.45 < store[7] < 0.95 and 0.8 < store[8] < 1.25           # utilisation, efficiency
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 4                                  # 月度报告's two, 车间分析's two
