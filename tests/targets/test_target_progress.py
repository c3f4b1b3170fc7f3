"""Cross-checks, progress against time, and the month's plan for the scorecards
(addin.targets: checks, progress, month_plan)."""
import datetime as dt

import numpy as np
import pytest

from addin.io import schema as S
from addin.targets import MONTHS, PLAN_COLUMNS, STATUSES, month_plan
from workbook import build_targets as bt


# --------------------------------------------------------------------------- 目标校验
def test_cross_checks_of_the_seed(model):
    checks = model.checks
    text = "\n".join(" ".join(map(str, r)) for r in checks.itertuples(index=False))
    assert "6,000,000 元 ÷ 接车台次 7,800 台 = 769 元/台" in text
    assert "4,750 台" in text and "1,222 台" in text                 # 380万 ÷ 800, 220万 ÷ 1800
    daily = checks[checks["校验"].str.contains("日接车台次")]
    assert daily["结论"].item().startswith("注意")                     # 20/day cannot make 650/month
    sums = checks[checks["类别"] == "合计"]
    assert (sums["结论"] == "相符").all() and len(sums) == 4
    assert checks.loc[checks["类别"] == "不可加", "数据"].item().startswith("日接车台次、单车产值(维修)")


# --------------------------------------------------------------------------- 进度
def test_progress_against_time(model):
    pr = model.progress
    tp = 273 / 365                                                    # 2026-09-30 is day 273
    store = pr[(pr["indicator"] == "售后产值") & (pr["owner"] == "")].iloc[0]
    leaves = [r for r in bt.sample_actuals() if r[1] == "售后产值"]
    assert store["display"] == "全店"
    assert store["ytd"] == sum(r[3] for r in leaves)                  # summed up from the owners' figures
    assert store["time_progress"] == pytest.approx(tp)
    assert store["done"] == pytest.approx(store["ytd"] / 6_000_000)
    assert store["pace"] == pytest.approx(store["done"] - tp)
    node = (model.owners["indicator"] == "售后产值").to_numpy() & (model.owners["owner"] == "").to_numpy()
    assert store["plan"] == pytest.approx(model.months[node][0][:9].sum() / 6_000_000)    # Σ month targets to date
    assert set(pr["status"]) <= set(STATUSES)
    behind = pr[pr["status"] == "落后"]
    assert len(behind) and (behind["pace"] < 0).all() and (behind["done"] < behind["plan"]).all()
    e1006 = pr[(pr["indicator"] == "售后产值") & (pr["owner"] == "E1006")].iloc[0]
    assert e1006["status"] == "落后"                                   # the slowest advisor of the sample
    rework = pr[(pr["indicator"] == "返修率") & (pr["owner"] == "机修车间")].iloc[0]
    assert rework["ytd"] == pytest.approx(0.023) and rework["status"] == "未达标"    # lower is better
    assert rework["done"] == pytest.approx(0.02 / 0.023)
    csi = pr[(pr["indicator"] == "客户满意度CSI") & (pr["owner"] == "")].iloc[0]
    assert csi["ytd"] == pytest.approx(0.929) and csi["status"] == "未达标"
    # 接车台次 is split by workdays: its time progress counts cn workdays
    intake = pr[(pr["indicator"] == "接车台次") & (pr["owner"] == "")].iloc[0]
    assert intake["time_progress"] != pytest.approx(tp)


def test_progress_follows_the_date(sheets, open_book):
    from addin.targets import build_model
    early = build_model(open_book(sheets), 2026, "2026-03-31").progress
    store = early[(early["indicator"] == "配件采购额") & (early["owner"] == "")].iloc[0]
    assert store["ytd"] == 61200 + 58400 + 70300                     # only the months to date
    assert store["month_actual"] == 70300 and store["month_target"] == pytest.approx(66_667, abs=1)


# --------------------------------------------------------------------------- the month's plan
def test_month_plan_targets_for_scorecards(sample_book, model):
    problems = []
    plan = month_plan(sample_book, "2026-09", problems)
    assert problems == []
    assert plan.as_of == dt.date(2026, 9, 30)
    t = plan.targets
    assert list(t.columns) == ["indicator", "owner", "target"]
    look = t.set_index(["indicator", "owner"])["target"]
    assert not look.index.duplicated().any()
    store_sep = model.indicators.set_index("indicator").loc["售后产值", MONTHS[8]]
    assert look[("售后产值", "")] == store_sep
    assert look[("售后产值", "服务经理")] == store_sep                    # the 负责人 gets the store figure …
    assert look[("售后产值", "E1001")] == look[("售后产值", "王经理")] == store_sep   # … and the roster's 服务经理
    assert look[("售后产值", "保险理赔")] + look[("售后产值", "车间维修及索赔")] == store_sep
    assert look[("客户满意度CSI", "客服部")] == 0.93
    assert look[("接车台次", "E1002")] == pytest.approx(look[("接车台次", "服务顾问组")] / 10, abs=1)
    assert look[("接车台次", "顾问1")] == look[("接车台次", "E1002")]        # name ↔ id twins


def test_an_owner_on_two_paths_gets_the_sum(sheets, open_book):
    sheets[S.OWNERS].append(["售后产值", "钣喷车间", "员工", "E1002", 1.0, None, "钣喷也算他"])
    plan = month_plan(open_book(sheets), "2026-09", [])
    look = plan.targets.set_index(["indicator", "owner"])["target"]
    via_advisors, via_bodyshop = 38_028, 183_470                      # September's parts on both paths
    assert look[("售后产值", "E1002")] == via_advisors + via_bodyshop
    assert look[("售后产值", "顾问1")] == via_advisors + via_bodyshop


def test_month_plan_progress(sample_book, model):
    plan = month_plan(sample_book, "2026-09", [])
    pr = plan.progress
    assert list(pr.columns) == PLAN_COLUMNS
    for name, g in pr.groupby("indicator", sort=False):                # the store row first within an indicator
        assert g["display"].iloc[0] == "全店", name
    assert len(pr) == len(model.progress)
    assert np.allclose(pr["pace"].to_numpy(dtype=float), model.progress["pace"].to_numpy(dtype=float), equal_nan=True)
    assert month_plan(sample_book, "2025-09", []) is None              # no 目标分解 rows for 2025


def test_changed_annual_target_flows_to_the_months_plan(sheets, edit, open_book):
    edit(sheets, S.TARGETS, "指标", "售后产值", {"年度目标": 7_200_000})
    problems = []
    month_plan(open_book(sheets), "2026-09", problems)
    assert any("目标额合计 6,000,000 ≠ 上级目标 7,200,000" in p.message for p in problems)   # streams typed as amounts
    edit(sheets, S.OWNERS, "责任人", "保险理赔", {"目标额": 2_640_000})
    edit(sheets, S.OWNERS, "责任人", "车间维修及索赔", {"目标额": 4_560_000})
    problems = []
    plan = month_plan(open_book(sheets), "2026-09", problems)
    assert problems == []
    look = plan.targets.set_index(["indicator", "owner"])["target"]
    share = np.asarray(bt.LAST_YEAR, float)
    assert look[("售后产值", "E1001")] == pytest.approx(7_200_000 * share[8] / share.sum(), abs=1)   # the 服务经理 by id


def test_month_plan_reports_every_problem_of_the_target_sheets(sheets, edit, open_book):
    """A 目标分解 problem and an unknown 目标责任 owner land in the report's one list; the rest of
    the plan is still there for the report's other checks."""
    edit(sheets, S.TARGETS, "指标", "配件采购额", {"年度目标": "八十万"})
    sheets[S.OWNERS].append(["接车台次", "服务顾问组", "员工", "E9999", 0, None, ""])
    problems = ["an earlier problem of the report"]
    plan = month_plan(open_book(sheets), "2026-09", problems)
    assert problems[0] == "an earlier problem of the report"
    found = problems[1:]
    assert {(p.sheet, p.column) for p in found} == {(S.TARGETS, "年度目标"), (S.OWNERS, "责任人")}
    assert any("「八十万」不是数字" in p.message for p in found)
    assert any("员工「E9999」不在员工名册中" in p.message for p in found)
    look = plan.targets.set_index(["indicator", "owner"])["target"]
    assert ("配件采购额", "") not in look.index and look[("接车台次", "")] == 692
