"""目标分解 (SPEC §3.8): the seed's targets decomposed over the calendar and the owner tree, and
bad input reported cell by cell (addin.targets.build_model)."""
import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from addin.io import schema as S
from addin.io.book import load_book
from addin.io.problems import BookError
from addin.targets import MONTHS, QUARTERS, TITLE_EMPTY, TITLE_ERRORS, build_model, month_plan
from udfs import dates as ud
from udfs.decompose import decompose
from workbook import build_targets as bt

AS_OF = "2026-09-30"


def row(model, name):
    return model.indicators.set_index("indicator").loc[name]


# --------------------------------------------------------------------------- year → quarters → months → weeks
def test_seed_targets_add_up_exactly_at_every_calendar_level(model):
    rev = row(model, "售后产值")
    assert rev["target"] == 6_000_000
    q = rev[QUARTERS].to_numpy(dtype=float)
    m = rev[MONTHS].to_numpy(dtype=float)
    assert q.sum() == 6_000_000 and (m.reshape(4, 3).sum(axis=1) == q).all()
    assert (m == np.round(m)).all()                                  # whole yuan
    for name in ("接车台次", "配件采购额", "精品销售额", "汽车讲堂", "技术讲座"):
        mm = row(model, name)[MONTHS].to_numpy(dtype=float)
        assert mm.sum() == row(model, name)["target"] and (mm == np.round(mm)).all(), name
    assert row(model, "接车台次")[MONTHS].sum() == 7_800                # 650 × 12
    assert row(model, "汽车讲堂")[MONTHS].tolist() == [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    # weeks: every month's ISO-week pieces add up to the month
    k = model.indicators.index[model.indicators["indicator"] == "售后产值"][0]
    seg_month = model.segments["month"].to_numpy()
    for mo in range(1, 13):
        assert model.weeks[k, seg_month == mo].sum() == m[mo - 1]
    assert model.segments["label"].iloc[0] == "W01" and model.segments["label"].iloc[-1] == "W53"   # 2026: ISO week 53


def test_seasonality_follows_last_years_months(model):
    m = row(model, "售后产值")[MONTHS].to_numpy(dtype=float)
    share = np.asarray(bt.LAST_YEAR, float) / sum(bt.LAST_YEAR)
    assert np.abs(m - 6_000_000 * share).max() <= 1.0                # within one yuan of the exact share
    assert m.argmin() == 1 and m.argmax() == 11                      # February low, December high


def test_non_additive_targets_are_copied_not_split(model):
    for name, value in (("客户满意度CSI", 0.93), ("返修率", 0.02), ("日接车台次", 20), ("单车产值(保险)", 1800),
                        ("基盘客户数", 1500)):
        r = row(model, name)
        assert not r["additive"]
        assert r[QUARTERS + MONTHS].astype(float).tolist() == [value] * 16, name
    nodes = model.owners
    csi = np.flatnonzero((nodes["indicator"] == "客户满意度CSI").to_numpy() & (nodes["owner"] == "客服部").to_numpy())
    assert (model.months[csi] == 0.93).all()
    assert row(model, "返修率")["lower"] and not row(model, "客户满意度CSI")["lower"]   # 方向 ≤ / ≥


def test_workday_split_under_both_calendars(sheets, edit, open_book):
    intake = {}
    for typed, code in (("中国", "cn"), ("周末", "weekend")):
        edit(sheets, S.TARGETS, "指标", "接车台次", {"日历": typed})
        model = build_model(open_book(sheets), 2026, progress=False)
        months = row(model, "接车台次")[MONTHS].to_numpy(dtype=float)
        w = ud.month_weights(2026, "workdays", code).reshape(4, 3)
        want = decompose(decompose(7800, w.sum(axis=1)).reshape(4, 1), w).reshape(12)
        assert months.tolist() == want.tolist()
        intake[code] = months
        # weeks follow the calendar's workdays: the national-day week piece gets nothing under cn
        seg = model.segments
        k = model.indicators.index[model.indicators["indicator"] == "接车台次"][0]
        oct1 = np.flatnonzero((seg["start"] == pd.Timestamp("2026-10-01")).to_numpy())[0]
        assert (model.weeks[k, oct1] == 0) == (code == "cn")
    # February 2026 (Spring Festival 02-15…02-23) has fewer cn workdays than weekdays
    assert intake["cn"][1] < intake["weekend"][1]


# --------------------------------------------------------------------------- owners
def test_owner_tree_adds_up_in_every_month(model):
    nodes, months = model.owners, model.months
    rev = nodes[nodes["indicator"] == "售后产值"]
    by_owner = rev.set_index("owner")
    assert by_owner.loc["保险理赔", "annual"] == 2_200_000 and by_owner.loc["车间维修及索赔", "annual"] == 3_800_000
    checked = 0
    for idx in rev.index:
        kids = rev.index[rev["parent_idx"] == idx]
        if len(kids):
            assert np.array_equal(months[kids].sum(axis=0), months[idx])        # each month
            assert rev.loc[kids, "annual"].sum() == rev.loc[idx, "annual"]       # the year
            checked += 1
        assert months[idx].sum() == rev.loc[idx, "annual"]                      # own months = own year
        assert (months[idx] == np.round(months[idx])).all()
    assert checked == 4                                   # store, two streams, 服务顾问组
    advisors = rev[rev["type"] == "employee"]
    assert advisors["annual"].tolist() == [456_000, 456_000, 456_000, 418_000, 418_000, 342_000, 342_000,
                                           304_000, 304_000, 304_000]
    # depth-first: each owner right under its 上级, the store first
    assert rev["level"].tolist()[:5] == [0, 1, 2, 1, 2]
    assert (rev["parent_idx"].iloc[1:] < rev.index[1:]).all()
    assert advisors["display"].iloc[0] == "E1002 顾问1" and advisors["twin"].iloc[0] == "顾问1"   # from the roster


def test_owner_types_come_from_the_roster_when_blank(sheets, edit, open_book):
    edit(sheets, S.OWNERS, "责任人", "配件部", {"责任类型": None})
    edit(sheets, S.OWNERS, "责任人", "保险理赔", {"责任类型": None})
    nodes = build_model(open_book(sheets), 2026, progress=False).owners.set_index(["indicator", "owner"])
    assert nodes.loc[("配件采购额", "配件部"), "type"] == "department"
    assert nodes.loc[("售后产值", "保险理赔"), "type"] == "stream"


# --------------------------------------------------------------------------- bad input
def test_bad_input_lists_every_problem(sheets, edit, open_book):
    edit(sheets, S.TARGETS, "指标", "配件采购额", {"年度目标": -800_000})
    edit(sheets, S.OWNERS, "责任人", "客服部", {"占比": 0.2})                # 精品销售额: 70% + 20%
    sheets[S.OWNERS].append(["接车台次", "服务顾问组", "员工", "E9999", 0, None, "不在名册"])
    with pytest.raises(BookError) as err:
        build_model(open_book(sheets), 2026, AS_OF)
    e = err.value
    assert e.title == TITLE_ERRORS
    text = str(e)
    assert "年度目标不能为负数" in text
    assert "占比合计应为100%（现为 90.00%" in text
    assert "员工「E9999」不在员工名册中" in text
    assert len(e.problems) == 3                                         # nothing else (actuals of 配件采购额 fine)
    assert {p.sheet for p in e.problems} == {S.TARGETS, S.OWNERS}
    assert all(p.row is not None and p.column for p in e.problems)      # each names its cell


def test_more_bad_inputs_are_named(sheets, edit, open_book):
    edit(sheets, S.TARGETS, "指标", "精品销售额", {"分解方式": "按心情"})
    edit(sheets, S.TARGETS, "指标", "售后产值", {"3月": None})
    edit(sheets, S.TARGETS, "指标", "汽车讲堂", {"小数位": 1.5})
    edit(sheets, S.OWNERS, "责任人", "配件部", {"上级": "配件总部"})
    sheets[S.TARGET_ACTUALS] += [["2026-13", "接车台次", "", 5, ""], ["2026-05", "接车台次", "E9999", 5, ""],
                                 ["2026-05", "无此指标", "", 5, ""]]
    with pytest.raises(BookError) as err:
        build_model(open_book(sheets), 2026, AS_OF)
    text = str(err.value)
    assert "分解方式「按心情」无效" in text
    assert "去年实绩缺少 1 个月" in text and "「3月」" in text
    assert "小数位应为 -6 到 6 的整数" in text
    assert "上级「配件总部」不是「配件采购额」的责任人" in text
    assert "月份「2026-13」无法识别" in text
    assert "「E9999」不是指标「接车台次」的责任人" in text
    assert "指标「无此指标」不在 2026 年目标分解表中" in text
    assert len(err.value.problems) == 7


def test_shares_and_amounts_must_add_up(sheets, edit, open_book):
    edit(sheets, S.TARGETS, "指标", "技术讲座", {"4月": 0.4})           # 40% + 50%
    edit(sheets, S.OWNERS, "责任人", "车间维修及索赔", {"目标额": 3_700_000})
    with pytest.raises(BookError) as err:
        build_model(open_book(sheets), 2026, progress=False)
    text = str(err.value)
    assert "各月比例合计应为100%（现为 90.00%）" in text
    assert "目标额合计 5,900,000 ≠ 上级目标 6,000,000" in text


def test_a_bad_date_is_named():
    from addin.targets.progress import as_of_date
    with pytest.raises(BookError, match="--date"):
        as_of_date("昨天", 2026)
    assert str(as_of_date("2027-03-01", 2026)) == "2026-12-31"          # clamped into the year


def test_empty_targets_sheet_is_one_clear_message(sheets, open_book):
    sheets[S.TARGETS] = sheets[S.TARGETS][:2]                             # title and header only
    del sheets[S.OWNERS], sheets[S.TARGET_ACTUALS]
    book = open_book(sheets)
    with pytest.raises(BookError) as err:
        build_model(book)
    assert err.value.title == TITLE_EMPTY and "没有 2026 年的指标" in str(err.value)
    problems = []
    assert month_plan(book, "2026-09", problems) is None and problems == []   # the report simply finds none


def test_other_years_rows_are_left_alone(sheets, open_book):
    t = sheets[S.TARGETS]
    t.append([2025, "售后产值", "元", "可加", "不是数字", None, None, None, None, None, None])
    t.append([2025, "售后产值", "元", "可加", 5_000_000, None, None, None, None, None, None])
    model = build_model(open_book(sheets), 2026, AS_OF)               # 2025's bad cell is not 2026's problem
    assert row(model, "售后产值")["target"] == 6_000_000


# --------------------------------------------------------------------------- sheets that may be missing
def test_without_owner_and_actual_sheets(sheets, open_book):
    del sheets[S.OWNERS], sheets[S.TARGET_ACTUALS]
    book = open_book(sheets)
    model = build_model(book, 2026, "2026-05-31")
    assert (model.owners["level"] == 0).all()
    assert set(model.progress["status"]) == {"无实绩"}
    problems = []
    t = month_plan(book, "2026-05", problems).targets.set_index(["indicator", "owner"])["target"]
    assert problems == []
    assert t[("配件采购额", "")] == 66_667 and t[("配件采购额", "配件经理")] == 66_667
    assert t[("配件采购额", "E1015")] == 66_667 and t[("配件采购额", "孙配件")] == 66_667   # the roster's 配件经理


def test_targets_only_workbook_file(tmp_path):
    """A workbook with 设置 and the three target sheets only (no roster, no scorecards)."""
    path = tmp_path / "targets.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(S.SETTINGS)
    ws.write_row(0, 0, S.SETTINGS_HEADERS)
    ws.write_row(1, 0, [S.MONTH_KEY, "2026-09"])
    t, o = S.SHEETS[S.TARGETS], S.SHEETS[S.OWNERS]
    ws = wb.add_worksheet(S.TARGETS)
    ws.write(0, 0, t.title)
    ws.write_row(1, 0, t.headers + list(S.MONTH_HEADERS))
    ws.write_row(2, 0, [None, "配件采购额", "元", "可加", "80万", "≥", "平均", "周末", None, "配件经理"])
    ws.write_row(3, 0, [None, "客户满意度CSI", "%", None, "93%", "不低于"])
    ws = wb.add_worksheet(S.OWNERS)
    ws.write_row(0, 0, o.headers)
    ws.write_row(1, 0, ["配件采购额", "全店", "部门", "配件部", "100%"])
    wb.add_worksheet(S.TARGET_ACTUALS).write_row(0, 0, S.SHEETS[S.TARGET_ACTUALS].headers)
    wb.close()
    book = load_book(path, required=())
    model = build_model(book, as_of="2026-03-31")
    assert model.year == 2026                                           # the sheet's year is blank: 设置's month
    assert row(model, "配件采购额")[MONTHS].sum() == 800_000
    assert not row(model, "客户满意度CSI")["additive"]                   # a % unit: copied
    nodes = model.owners.set_index(["indicator", "owner"])
    assert nodes.loc[("配件采购额", "配件部"), "annual"] == 800_000 and nodes.loc[("配件采购额", "配件部"), "level"] == 1
    assert set(model.progress["status"]) == {"无实绩"}                  # 目标实绩 has its header only
