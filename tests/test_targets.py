"""目标分解 (SPEC §3.8, issue 5): the seed's targets decomposed through the real command, read back.

Every test writes a real workbook, runs `python -m addin.cli decompose` (or the public function)
and reads the written sheets back with openpyxl.
"""
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from addin import book as bk
from addin import targets as tg
from addin.errors import BookError
from udfs import dates as ud
from udfs.decompose import decompose
from workbook import build_targets as bt

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-09-30"


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "addin.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def sheet_frame(path, name, header_row=3) -> pd.DataFrame:
    ws = openpyxl.load_workbook(path, data_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    head = [str(h) if h is not None else f"_{i}" for i, h in enumerate(rows[header_row - 1])]
    df = pd.DataFrame(rows[header_row:], columns=head)
    return df.dropna(how="all").reset_index(drop=True)


def set_cells(path, sheet, find_col, find_value, changes: dict, header_row=2):
    """Edit input cells (the user typing): rows whose `find_col` is `find_value`."""
    edit(path, [(sheet, find_col, find_value, changes)])


def edit(path, edits: list, append: dict | None = None, header_row=2):
    """Several edits with one open/save: [(sheet, find_col, find_value, {col: value})]."""
    wb = openpyxl.load_workbook(path)
    for sheet, find_col, find_value, changes in edits:
        ws = wb[sheet]
        head = [c.value for c in ws[header_row]]
        hits = 0
        for r in range(header_row + 1, ws.max_row + 1):
            if ws.cell(r, head.index(find_col) + 1).value == find_value:
                for col, v in changes.items():
                    ws.cell(r, head.index(col) + 1).value = v
                hits += 1
        assert hits, f"{find_value} not found on {sheet}"
    for sheet, rows in (append or {}).items():
        for row in rows:
            wb[sheet].append(row)
    wb.save(path)


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory):
    """The store template with the seed's targets (no roster: owners are not checked)."""
    from workbook.build import new_workbook
    path = tmp_path_factory.mktemp("targets") / "store.xlsx"
    new_workbook(store="测试店", month="2026-09", sample_targets=True).save(path)
    return path


@pytest.fixture(scope="module")
def decomposed(sample_book, tmp_path_factory):
    path = tmp_path_factory.mktemp("dec") / "store.xlsx"
    shutil.copy(sample_book, path)
    out = run_cli("decompose", path, "--year", 2026, "--date", AS_OF)
    assert out.returncode == 0, out.stderr
    return path, out.stdout


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    """The demo store (roster of ~60) with the seed's targets, months not run."""
    from addin.demo import write_demo_book
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    write_demo_book(path, run=False)
    return path


def copy(path, tmp_path, name="book.xlsx"):
    dest = tmp_path / name
    shutil.copy(path, dest)
    return dest


# --------------------------------------------------------------------------- year → quarters → months → weeks
def test_seed_targets_add_up_exactly_at_every_calendar_level(decomposed):
    path, stdout = decomposed
    months = sheet_frame(path, tg.OUT_MONTHS).set_index("指标")
    rev = months.loc["售后产值"]
    assert rev["年度目标"] == 6_000_000
    q = rev[["Q1", "Q2", "Q3", "Q4"]].astype(float).to_numpy()
    m = rev[tg.MONTH_HEADERS].astype(float).to_numpy()
    assert q.sum() == 6_000_000 and (m.reshape(4, 3).sum(axis=1) == q).all()
    assert (m == np.round(m)).all()                              # whole yuan
    for name in ("接车台次", "配件采购额", "精品销售额", "汽车讲堂", "技术讲座"):
        row = months.loc[name]
        mm = row[tg.MONTH_HEADERS].astype(float).to_numpy()
        assert mm.sum() == row["年度目标"] and (mm == np.round(mm)).all(), name
        assert row["合计校验"] == "✓"
    assert months.loc["接车台次", tg.MONTH_HEADERS].astype(float).sum() == 7_800       # 650 × 12
    assert months.loc["汽车讲堂", tg.MONTH_HEADERS].tolist() == [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    # weeks: every month's ISO-week pieces add up to the month (the 小计 row and our own sum)
    weeks = sheet_frame(path, tg.OUT_WEEKS)
    cols = [c for c in weeks.columns if c.startswith("售后产值")]
    assert cols
    body = weeks[weeks["周"] != "小计"]
    for k, month in enumerate(tg.MONTH_HEADERS):
        pieces = body.loc[body["月份"] == month, cols[0]].astype(float)
        subtotal = weeks.loc[(weeks["月份"] == month) & (weeks["周"] == "小计"), cols[0]].astype(float).item()
        assert pieces.sum() == subtotal == m[k]
    assert body["周"].iloc[0] == "W01" and body["周"].iloc[-1] == "W53"     # 2026 has ISO week 53
    assert "✓" in stdout or "相符" in stdout


def test_seasonality_follows_last_years_months(decomposed):
    path, _ = decomposed
    months = sheet_frame(path, tg.OUT_MONTHS).set_index("指标")
    m = months.loc["售后产值", tg.MONTH_HEADERS].astype(float).to_numpy()
    share = np.asarray(bt.LAST_YEAR, float) / sum(bt.LAST_YEAR)
    assert np.abs(m - 6_000_000 * share).max() <= 1.0           # within one yuan of the exact share
    assert m.argmin() == 1 and m.argmax() == 11                  # February low (Spring Festival), December high


def test_non_additive_targets_are_copied_not_split(decomposed):
    path, _ = decomposed
    months = sheet_frame(path, tg.OUT_MONTHS).set_index("指标")
    for name, value in (("客户满意度CSI", 0.93), ("返修率", 0.02), ("日接车台次", 20), ("单车产值(保险)", 1800),
                        ("基盘客户数", 1500)):
        row = months.loc[name]
        assert row["类型"] == "不可加" and row["合计校验"] == "复制"
        assert row[["Q1", "Q2", "Q3", "Q4"] + tg.MONTH_HEADERS].astype(float).tolist() == [value] * 16, name
    owners = sheet_frame(path, tg.OUT_OWNERS)
    csi = owners[owners["责任人（层级）"].astype(str).str.contains("客服部")]
    assert (csi[tg.MONTH_HEADERS].astype(float).to_numpy() == 0.93).any(axis=1).any()


def test_workday_split_under_both_calendars(sample_book, tmp_path):
    weights = {}
    for cal in ("中国", "周末"):
        path = copy(sample_book, tmp_path, f"{cal}.xlsx")
        set_cells(path, tg.TARGETS, "指标", "接车台次", {"日历": cal})
        model = tg.build_model(path, 2026, AS_OF)
        row = model.indicators.set_index("indicator").loc["接车台次"]
        months = row[tg.MONTH_HEADERS].to_numpy(float)
        key = "cn" if cal == "中国" else "weekend"
        want = decompose(decompose(7800, ud.month_weights(2026, "workdays", key).reshape(4, 3).sum(axis=1)).reshape(4, 1),
                         ud.month_weights(2026, "workdays", key).reshape(4, 3)).reshape(12)
        assert months.tolist() == want.tolist()
        weights[key] = months
        # weeks follow the calendar's workdays: a national-day week piece gets nothing under cn
        seg = model.segments
        k = model.indicators.index[model.indicators["indicator"] == "接车台次"][0]
        oct1 = np.flatnonzero((seg["month"] == 10).to_numpy() & (seg["start"] == pd.Timestamp("2026-10-01")).to_numpy())[0]
        assert (model.weeks[k, oct1] == 0) == (key == "cn")
    # February 2026 (Spring Festival 02-15…02-23) has fewer cn workdays than weekdays
    assert weights["cn"][1] < weights["weekend"][1]


# --------------------------------------------------------------------------- owners
def test_owner_tree_adds_up_in_every_month(decomposed):
    path, _ = decomposed
    model = tg.build_model(path, 2026, AS_OF)
    nodes, months = model.owners, model.months
    rev = nodes[nodes["indicator"] == "售后产值"]
    by_owner = rev.set_index("owner")
    assert by_owner.loc["保险理赔", "annual"] == 2_200_000 and by_owner.loc["车间维修及索赔", "annual"] == 3_800_000
    checked = 0
    for idx in rev.index:
        kids = rev.index[rev["parent_idx"] == idx]
        if len(kids):
            assert np.array_equal(months[kids].sum(axis=0), months[idx])          # each month
            assert rev.loc[kids, "annual"].sum() == rev.loc[idx, "annual"]         # the year
            checked += 1
        assert months[idx].sum() == rev.loc[idx, "annual"]                        # own months = own year
        assert (months[idx] == np.round(months[idx])).all()
    assert checked == 4                                   # store, two streams, 服务顾问组
    advisors = rev[rev["type_key"] == "employee"]
    assert advisors["annual"].tolist() == [456_000, 456_000, 456_000, 418_000, 418_000, 342_000, 342_000,
                                           304_000, 304_000, 304_000]
    # the sheet shows the same figures
    sheet = sheet_frame(path, tg.OUT_OWNERS)
    assert sheet["年度目标"].astype(float).iloc[: len(rev)].tolist() == rev["annual"].tolist()


def test_month_targets_for_scorecards(decomposed):
    path, _ = decomposed
    book = bk.load_book(path)
    t = tg.month_targets(book, "2026-09")
    assert list(t.columns) == ["indicator", "owner", "target"]
    look = t.set_index(["indicator", "owner"])["target"]
    model = tg.build_model(book, 2026, progress=False)
    store_sep = model.indicators.set_index("indicator").loc["售后产值", "9月"]
    assert look[("售后产值", "")] == store_sep
    assert look[("售后产值", "服务经理")] == store_sep                       # the 负责人 gets the store figure
    assert look[("售后产值", "保险理赔")] + look[("售后产值", "车间维修及索赔")] == store_sep
    assert look[("客户满意度CSI", "客服部")] == 0.93
    assert look[("接车台次", "E1002")] == pytest.approx(look[("接车台次", "服务顾问组")] / 10, abs=1)


# --------------------------------------------------------------------------- cross-checks and progress
def test_cross_checks_of_the_seed(decomposed):
    path, stdout = decomposed
    checks = sheet_frame(path, tg.OUT_CHECKS)
    text = "\n".join(" ".join(map(str, r)) for r in checks.itertuples(index=False))
    assert "6,000,000 元 ÷ 接车台次 7,800 台 = 769 元/台" in text
    assert "4,750 台" in text and "1,222 台" in text                 # 380万 ÷ 800, 220万 ÷ 1800
    daily = checks[checks["校验"].str.contains("日接车台次")]
    assert daily["结论"].item().startswith("注意")                     # 20/day cannot make 650/month
    sums = checks[checks["类别"] == "合计"]
    assert (sums["结论"] == "相符").all() and len(sums) == 4
    assert "769 元/台" in stdout


def test_progress_sheet_against_time(decomposed):
    path, _ = decomposed
    pr = sheet_frame(path, tg.PROGRESS)
    tp = 273 / 365                                                    # 2026-09-30 is day 273
    store = pr[(pr["指标"] == "售后产值") & (pr["责任人"] == "全店")].iloc[0]
    leaves = [r for r in bt.sample_actuals() if r[1] == "售后产值"]
    assert store["累计实绩"] == sum(r[3] for r in leaves)              # summed up from the owners' figures
    assert store["时间进度"] == pytest.approx(tp)
    assert store["完成率"] == pytest.approx(store["累计实绩"] / 6_000_000)
    assert store["差距"] == pytest.approx(store["完成率"] - tp)
    assert set(pr["状态"]) <= {"正常", "按计划", "落后", "达标", "未达标", "无实绩"}
    behind = pr[pr["状态"] == "落后"]
    assert len(behind) and (behind["差距"].astype(float) < 0).all()
    e1006 = pr[(pr["指标"] == "售后产值") & (pr["责任人"] == "E1006")].iloc[0]
    assert e1006["状态"] == "落后"                                     # the slowest advisor of the sample
    rework = pr[(pr["指标"] == "返修率") & (pr["责任人"] == "机修车间")].iloc[0]
    assert rework["累计实绩"] == pytest.approx(0.023) and rework["状态"] == "未达标"   # lower is better
    with zipfile.ZipFile(path) as z:                                  # the chart travelled with the sheet
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


def test_inputs_untouched_and_rerun_replaces(decomposed, tmp_path):
    path, _ = decomposed
    again = copy(path, tmp_path)
    before = {s: [list(r) for r in openpyxl.load_workbook(again)[s].iter_rows(values_only=True)]
              for s in tg.INPUT_SHEETS}
    out = run_cli("decompose", again, "--year", 2026, "--date", "2026-06-30")
    assert out.returncode == 0, out.stderr
    wb = openpyxl.load_workbook(again)
    for s in tg.INPUT_SHEETS:
        assert [list(r) for r in wb[s].iter_rows(values_only=True)] == before[s]
    assert wb.sheetnames.count(tg.PROGRESS) == 1 and wb.sheetnames.count(tg.OUT_MONTHS) == 1
    assert "截至 2026-06-30" in wb[tg.PROGRESS]["A1"].value


# --------------------------------------------------------------------------- bad input
def test_bad_input_lists_every_problem_and_writes_nothing(demo_book, tmp_path):
    path = copy(demo_book, tmp_path)
    edit(path, [(tg.TARGETS, "指标", "配件采购额", {"年度目标": -800_000}),
                (tg.OWNERS, "责任人", "客服部", {"占比": 0.2})],              # 精品销售额: 70% + 20%
         append={tg.OWNERS: [["接车台次", "服务顾问组", "员工", "E9999", 0, None, "不在名册"]]})
    raw = path.read_bytes()
    out = run_cli("decompose", path, "--date", AS_OF)
    assert out.returncode == 2
    msg = out.stderr
    assert "目标分解有错误，未写入任何内容" in msg
    assert "年度目标不能为负数" in msg
    assert "占比合计应为100%（现为 90.00%" in msg
    assert "员工「E9999」不在员工名册中" in msg
    assert path.read_bytes() == raw                                   # nothing written
    with pytest.raises(BookError) as err:
        tg.decompose_targets(path, as_of=AS_OF)
    assert len(err.value.problems) == 3
    assert {p.sheet for p in err.value.problems} == {tg.TARGETS, tg.OWNERS}


def test_more_bad_inputs_are_named(sample_book, tmp_path):
    path = copy(sample_book, tmp_path)
    edit(path, [(tg.TARGETS, "指标", "精品销售额", {"分解方式": "按心情"}),
                (tg.TARGETS, "指标", "售后产值", {"3月": None}),
                (tg.OWNERS, "责任人", "配件部", {"上级": "配件总部"})])
    with pytest.raises(BookError) as err:
        tg.build_model(path, 2026, AS_OF)
    text = str(err.value)
    assert "分解方式「按心情」无法识别" in text
    assert "去年实绩缺少 1 个月" in text
    assert "上级「配件总部」不是「配件采购额」的责任人" in text


# --------------------------------------------------------------------------- into the scorecards
def test_changed_annual_target_flows_to_the_months_scorecard(demo_book, tmp_path):
    """The 服务经理's card item 售后产值 names the indicator; its target comes from 目标分解."""
    from addin.report import compute_month
    path = copy(demo_book, tmp_path)
    # let the plan speak: no per-row target on 月度实绩 for this item
    wb = openpyxl.load_workbook(path)
    ws = wb[bk.ACTUALS]
    head = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, head.index("考核项目") + 1).value == "售后产值":
            ws.cell(r, head.index("目标值") + 1).value = None
    wb.save(path)

    def manager_target():
        res = compute_month(bk.load_book(path), "2026-09")
        it = res.items[res.items["item"] == "售后产值"]
        assert len(it) == 1
        return float(it["target"].item())

    before = manager_target()
    sep_share = np.asarray(bt.LAST_YEAR, float)
    assert before == tg.month_targets(bk.load_book(path), "2026-09").set_index(["indicator", "owner"]).loc[
        ("售后产值", "服务经理"), "target"]
    set_cells(path, tg.TARGETS, "指标", "售后产值", {"年度目标": 7_200_000})
    with pytest.raises(BookError, match="目标额合计 6,000,000 ≠ 上级目标 7,200,000"):
        manager_target()                 # the streams were typed as amounts: they must follow
    edit(path, [(tg.OWNERS, "责任人", "保险理赔", {"目标额": 2_640_000}),
                (tg.OWNERS, "责任人", "车间维修及索赔", {"目标额": 4_560_000})])
    after = manager_target()
    assert after != before
    assert after == pytest.approx(7_200_000 * sep_share[8] / sep_share.sum(), abs=1)
    assert after == tg.month_targets(bk.load_book(path), "2026-09").set_index(["indicator", "owner"]).loc[
        ("售后产值", "E1001"), "target"]                                  # the 服务经理 by employee id


def test_mapping_source_returns_the_sheets_without_writing(sample_book):
    rows = {}
    wb = openpyxl.load_workbook(sample_book)
    for name in wb.sheetnames:
        rows[name] = [list(r) for r in wb[name].iter_rows(values_only=True)]
    res = tg.decompose_targets(rows, 2026, AS_OF)
    assert res["path"] is None
    assert res["sheets"] == list(tg.OUTPUT_SHEETS)
    assert res["model"].indicators["indicator"].iloc[0] == "售后产值"


def test_targets_only_workbook_and_template(tmp_path):
    path = bt.build_template(tmp_path / "kpi4s_targets.xlsx")
    wb = openpyxl.load_workbook(path)
    assert {tg.TARGETS, tg.OWNERS, tg.TARGET_ACTUALS, *tg.OUTPUT_SHEETS} <= set(wb.sheetnames)
    assert bt.TEMPLATE.exists()                                       # the shipped template is built


def test_empty_targets_sheet_is_one_clear_message(tmp_path):
    from workbook.build import new_workbook
    path = tmp_path / "empty.xlsx"
    new_workbook(store="测试店", month="2026-09").save(path)
    raw = path.read_bytes()
    out = run_cli("decompose", path)
    assert out.returncode == 2 and "没有 2026 年的指标" in out.stderr
    assert path.read_bytes() == raw
    assert tg.month_targets(bk.load_book(path), "2026-09").empty       # the report simply finds none


def test_without_owner_and_actual_sheets(sample_book):
    wb = openpyxl.load_workbook(sample_book)
    rows = {n: [list(r) for r in wb[n].iter_rows(values_only=True)] for n in wb.sheetnames
            if n not in (tg.OWNERS, tg.TARGET_ACTUALS)}
    res = tg.decompose_targets(rows, 2026, "2026-05-31")
    assert (res["model"].owners["level"] == 0).all()
    assert set(res["model"].progress["status"]) == {"无实绩"}
    t = tg.month_targets(rows, "2026-05").set_index(["indicator", "owner"])["target"]
    assert t[("配件采购额", "")] == 66_667 and t[("配件采购额", "配件经理")] == 66_667
