"""The month end reads DMS实绩: precedence (hand-entered > DMS unless asked), levels, problems."""
from __future__ import annotations

import pytest
from helpers import digest, kpi4s, values

import dmsdata as D
from addin.io import schema as S
from addin.io.book import load_book
from addin.io.problems import BookError
from addin.month.pipeline import compute_month

MONTH = D.MONTH
CARDS = [
    ["服务顾问", None, 1, "关键考核指标", "月接车台次", "monthly_intake", "KPI", 0.3, 5, "正向", "台", None],
    ["服务顾问", None, 2, "客户/市场", "客户满意度", "csi", "KPI", 0.3, 0.9, "正向", "%", None],
    ["服务顾问", None, 3, "财务指标", "单车产值", "revenue_per_repair", "KPI", 0.2, 800, "正向", "元/台", None],
    ["服务顾问", None, 4, "学习/成长", "服务规范", None, "评分", 0.2, None, None, None, None],
    ["机修技师", None, 1, "关键考核指标", "返修率", "rework_rate", "KPI", 0.4, 0.02, "反向", "%", None],
    ["机修技师", None, 2, "关键考核指标", "技师效率", "technician_efficiency", "KPI", 0.4, 1.0, "正向", "%", None],
    ["机修技师", None, 3, "学习/成长", "工作纪律", None, "评分", 0.2, None, None, None, None],
    ["车间主管", None, 1, "关键考核指标", "返修率", "rework_rate", "KPI", 0.5, 0.02, "反向", "%", None],
    ["车间主管", None, 2, "学习/成长", "安全管理", None, "评分", 0.5, None, None, None, None],
    ["客服专员", None, 1, "关键考核指标", "服务回访率", "sfu_rate", "KPI", 0.5, 0.95, "正向", "%", None],
    ["客服专员", None, 2, "工作纪律", "工作纪律", None, "评分", 0.5, None, None, None, None],
    ["配件专员", None, 1, "关键考核指标", "配件首次供应率", "parts_fill_rate", "KPI", 0.5, 0.9, "正向", "%", None],
    ["配件专员", None, 2, "工作纪律", "工作纪律", None, "评分", 0.5, None, None, None, None],
]
RATED = {"服务顾问": "服务规范", "机修技师": "工作纪律", "车间主管": "安全管理", "客服专员": "工作纪律", "配件专员": "工作纪律"}
RATINGS = [[MONTH, r[0], r[1], RATED[r[3]], None, 1.0, None] for r in D.ROSTER]
COMMISSION = [[MONTH, e, n, 6000] for e, n in (("A1", "张伟"), ("A2", "王芳"), ("T1", "李强"), ("T2", "刘洋"))]


def book_with_cards(tmp_path, name="cards.xlsx", actuals=None, settings=None, roster=D.ROSTER):
    return D.make_book(tmp_path / name, roster=roster, cards=CARDS, actuals=actuals, settings=settings,
                       **{S.RATINGS: RATINGS, S.COMMISSION: COMMISSION})


def items_of(book):
    res = compute_month(load_book(book))
    return {(r.employee_id, r.kpi_id): r for r in res.items.itertuples() if r.kpi_id}, res


def test_each_person_gets_their_own_their_departments_or_the_stores_figure(store, tmp_path):
    _, folder = store
    book = book_with_cards(tmp_path)
    run = kpi4s("dms", book, folder)
    assert run.returncode == 0, run.stderr
    assert "计算指标 21 个" in run.stdout and "已写入" in run.stdout
    items, res = items_of(book)
    want = {("A1", "monthly_intake"): (4, "DMS·员工"), ("A2", "monthly_intake"): (4, "DMS·员工"),
            ("A1", "csi"): (1.0, "DMS·员工"), ("A2", "csi"): (1 / 3, "DMS·员工"),
            ("A1", "revenue_per_repair"): (550, "DMS·员工"), ("A2", "revenue_per_repair"): (2720 / 3, "DMS·员工"),
            ("T1", "rework_rate"): (0.25, "DMS·员工"), ("T2", "rework_rate"): (0.0, "DMS·员工"),
            ("T1", "technician_efficiency"): (8.5 / 7, "DMS·员工"), ("T2", "technician_efficiency"): (11 / 13, "DMS·员工"),
            ("M1", "rework_rate"): (1 / 7, "DMS·部门"),            # a manager: the workshop's rework rate
            ("K1", "sfu_rate"): (6 / 7, "DMS·门店"),               # 客服部 has no advisor: the store's SFU
            ("P1", "parts_fill_rate"): (0.5, "DMS·门店")}          # a store-wide figure
    for k, (actual, source) in want.items():
        assert items[k].actual == pytest.approx(actual), k
        assert items[k].source == source, k
    report = kpi4s("report", book)
    assert report.returncode == 0 and "KPI实际值：手工填写 0 项，取自DMS实绩 13 项" in report.stdout, report.stdout
    # T1: rework 2% ÷ 25% = 0.08 × 40 = 3.2; efficiency 1.2143 × 40 = 48.57; 工作纪律 100% × 20 = 20
    t1 = res.people.set_index("employee_id").loc["T1"]
    assert t1["total"] == pytest.approx(3.2 + 40 * 8.5 / 7 + 20, abs=0.01)


def test_a_hand_entered_actual_wins_unless_the_dms_is_asked_to(store, tmp_path):
    _, folder = store
    hand = [[MONTH, "A1", "张伟", "月接车台次", 6, None]]
    book = book_with_cards(tmp_path, actuals=hand)
    assert kpi4s("dms", book, folder).returncode == 0
    items, res = items_of(book)
    assert (items[("A1", "monthly_intake")].actual, items[("A1", "monthly_intake")].source) == (6, "手工")
    assert "A1「月接车台次」手工填写 6，DMS计算 4，采用手工值" in res.warnings
    # 设置「DMS实绩优先」= 是
    wins = book_with_cards(tmp_path, "wins.xlsx", actuals=hand, settings={"DMS实绩优先": "是"})
    assert kpi4s("dms", wins, folder).returncode == 0
    items, res = items_of(wins)
    assert (items[("A1", "monthly_intake")].actual, items[("A1", "monthly_intake")].source) == (4, "DMS·员工")
    assert "A1「月接车台次」手工填写 6，DMS计算 4，采用DMS值" in res.warnings
    # kpi4s dms --override: every figure written is marked to win
    over = book_with_cards(tmp_path, "over.xlsx", actuals=hand)
    run = kpi4s("dms", over, folder, "--override")
    assert run.returncode == 0 and "覆盖手工填写" in run.stdout
    items, _ = items_of(over)
    assert items[("A1", "monthly_intake")].actual == 4
    assert all(r[13] == "是" for r in values(over, S.DMS_ACTUALS)[1:] if r[0])


def test_no_figure_for_a_person_is_a_missing_actual(store, tmp_path):
    """A technician with no closed repair order this month gets nothing from the DMS."""
    _, folder = store
    roster = D.ROSTER + [["T3", "新技师", "机修车间", "机修技师", "创利部门", "赵主管", "王总", 5000, "正式", None]]
    book = book_with_cards(tmp_path, roster=roster)
    assert kpi4s("dms", book, folder).returncode == 0
    with pytest.raises(BookError) as err:
        compute_month(load_book(book))
    assert "缺少员工 T3「返修率」的实际值" in str(err.value)


def test_import_replaces_its_months_keeps_the_others_and_leaves_inputs_alone(store, tmp_path):
    _, folder = store
    book = book_with_cards(tmp_path)
    inputs = {s: values(book, s) for s in S.MONTH_INPUTS + (S.DMS_MAP,)}
    assert kpi4s("dms", book, folder, "--month", "2026-08:2026-09").returncode == 0
    months = sorted({r[0] for r in values(book, S.DMS_ACTUALS)[1:] if r[0]})
    assert months == ["2026-08", "2026-09"]
    first = [r for r in values(book, S.DMS_ACTUALS)[1:] if r[0] == "2026-08"]
    assert kpi4s("dms", book, folder, "--month", "2026-09").returncode == 0
    rows = values(book, S.DMS_ACTUALS)[1:]
    assert [r[:14] for r in rows if r[0] == "2026-08"] == [r[:14] for r in first]        # kept
    n09 = sum(r[0] == "2026-09" for r in rows)
    assert kpi4s("dms", book, folder).returncode == 0                                     # re-run: no duplicates
    assert sum(r[0] == "2026-09" for r in values(book, S.DMS_ACTUALS)[1:]) == n09
    assert {s: values(book, s) for s in inputs} == inputs                                 # inputs untouched
    names = load_book(book).sheet_names
    assert {S.DMS_ACTUALS, S.WORKSHOP, "证据-返修率", "证据-回厂率", "证据-单车产值(维修)"} <= set(names)


def test_an_evidence_sheet_of_a_kpi_no_longer_computed_says_so(store, tmp_path):
    _, folder = store
    book = book_with_cards(tmp_path)
    assert kpi4s("dms", book, folder).returncode == 0
    assert values(book, "证据-客户满意度 CSI")[5]
    (folder / "回访.csv").unlink()
    run = kpi4s("dms", book, folder)
    assert run.returncode == 0 and "客户满意度 CSI（缺少回访满意度导出）" in run.stdout
    assert "本次导入（2026-09）未计算" in values(book, "证据-客户满意度 CSI")[0][0]


def test_a_damaged_dms_sheet_is_a_problem_of_the_month(store, tmp_path):
    _, folder = store
    book = book_with_cards(tmp_path)
    assert kpi4s("dms", book, folder).returncode == 0
    import openpyxl
    wb = openpyxl.load_workbook(book)
    ws = wb[S.DMS_ACTUALS]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "T1" and ws.cell(r, 6).value == "rework_rate")
    ws.cell(row, 8, "二成五")
    ws.cell(row + 1, 3, "E404")
    ws.cell(row + 1, 2, "员工")
    wb.save(book)
    before = digest(book)
    run = kpi4s("report", book)
    assert run.returncode == 2 and digest(book) == before
    assert f"[DMS实绩] 第{row}行 「实际值」: 「二成五」不是数字" in run.stderr
    assert f"[DMS实绩] 第{row + 1}行 「员工编号」: 员工名册中没有员工编号「E404」" in run.stderr


def test_dms_actuals_keep_the_latest_months_a_sheet_can_hold(monkeypatch):
    import pandas as pd
    from addin.dms import results
    monkeypatch.setattr(results, "SHEET_ROWS", 5)
    old = pd.DataFrame({"month": ["2026-06"] * 2 + ["2026-07"] * 2, "level": "store", "kpi_id": "csi"})
    new = pd.DataFrame({"month": ["2026-08"] * 2 + ["2026-09"] * 2, "level": "store", "kpi_id": "csi"})
    out = results.merge_actuals(old.reindex(columns=results.ACTUAL_COLUMNS).assign(**old),
                                new.reindex(columns=results.ACTUAL_COLUMNS).assign(**new), ["2026-08", "2026-09"])
    assert sorted(set(out["month"])) == ["2026-08", "2026-09"] and out.attrs["dropped"] == ["2026-06", "2026-07"]


def test_an_import_waits_for_the_run_that_holds_the_book(store, tmp_path):
    """导入DMS takes the book's lock like the month end: a second run on the book makes it stop
    with the message naming the holder, and the book is not written."""
    from addin.io.lock import book_lock
    book, folder = store
    before = digest(book)
    with book_lock(book, "月度报告"):
        got = kpi4s("dms", book, folder, env={"KPI4S_LOCK_WAIT": "0.5"})
    assert got.returncode == 4 and "正由另一个 kpi4s 运行处理" in got.stderr and "月度报告" in got.stderr, got.stderr
    assert digest(book) == before
    assert kpi4s("dms", book, folder).returncode == 0 and digest(book) != before         # free again: written
