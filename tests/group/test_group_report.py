"""`kpi4s group` on real store workbooks (SPEC §8): the league table, the departments across
stores, the problems sheet and the trends, checked against hand-computed numbers
(tests/group/group_stores.py)."""
from __future__ import annotations

import statistics

import duckdb
import pytest
from group_stores import GRADES, MONTH, PAY, SCORES, league_stores, store_a, table
from helpers import digest, kpi4s, values

from addin.io import schema as S


@pytest.fixture
def group_run(folder, tmp_path):
    out = tmp_path / "集团汇总.xlsx"
    run = kpi4s("group", folder, "--out", out, "--month", MONTH)
    assert run.returncode == 0, run.stderr
    return out, run


def test_league_table_by_hand(group_run):
    out, run = group_run
    rows = values(out, S.LEAGUE)
    assert rows[0][0] == "集团 2026年9月 门店绩效汇总"
    head, data = table(rows, "排名", 8)
    by = {r[1]: dict(zip(head, r)) for r in data}
    assert list(by) == ["乙店", "甲店", "集团合计"]                       # ranked by average score
    a, b, total = by["甲店"], by["乙店"], by["集团合计"]
    a_scores = [SCORES["甲店", e] for e in ("T1", "T2", "T3")]
    b_scores = [SCORES["乙店", e] for e in ("U1", "U2", "U3")]
    assert (b["排名"], a["排名"]) == (1, 2)
    assert (a["参评"], a["免考核"], b["参评"], b["免考核"]) == (3, 2, 3, 0)      # T4 probation, T5 below 800
    assert a["平均分"] == pytest.approx(97.6667, abs=1e-4) == pytest.approx(statistics.mean(a_scores))
    assert b["平均分"] == pytest.approx(101.5)
    assert a["标准差"] == pytest.approx(statistics.pstdev(a_scores)) == pytest.approx(23.7533, abs=1e-4)
    assert b["标准差"] == pytest.approx(statistics.pstdev(b_scores)) == pytest.approx(18.1980, abs=1e-4)
    assert (a["最高分"], a["最低分"], b["最高分"], b["最低分"]) == (128, 70, 124.5, 80)
    assert [a[g] for g in "ABCDE"] == [0, 1, 1, 0, 1]
    assert [b[g] for g in "ABCDE"] == [1, 0, 1, 1, 0]
    # 3 people: guideline 0/1/2/0/0 (largest remainder); 乙店 grades by the bands and has an A
    assert b["指导比例检查"] == "A 1人＞指导0人" and a["指导比例检查"] in ("", None)
    # the group's 6 people: guideline A0 B1, the stores gave one A and one B
    assert total["指导比例检查"] == "1 家门店超出；全集团 A 1人＞指导0人；A+B 2人＞指导1人"
    assert a["绩效工资(元)"] == pytest.approx(1425 + 10240 + 3500)
    assert b["绩效工资(元)"] == pytest.approx(1800 + 6225 + 1200)
    assert total["绩效工资(元)"] == pytest.approx(sum(PAY.values()))
    assert total["平均分"] == pytest.approx(statistics.mean(SCORES.values()))
    assert (total["参评"], total["免考核"]) == (6, 2)
    # 甲店: 李经理 one minute late = 500; three roles nobody submitted for; 乙店 submitted nothing
    assert (a["逾期评分(人次)"], a["未提交评分"], a["逾期罚款(元)"]) == (1, 3, 500)
    assert (b["逾期评分(人次)"], b["未提交评分"], b["逾期罚款(元)"]) == (0, 5, 0)
    # the group's distribution against the guideline for 6 people (0/1/4/1/0)
    head, dist = table(rows, "等级", 7)
    got = {r[0]: dict(zip(head, r)) for r in dist}
    assert [got[g]["人数"] for g in "ABCDE"] == [1, 1, 2, 1, 1]
    assert [got[g]["指导人数"] for g in "ABCDE"] == [0, 1, 4, 1, 0]
    assert "有错误、未汇总：丙店（丙店.xlsx，" in run.stdout and "缺少 2026-09 数据：丁店" in run.stdout


def test_departments_side_by_side(group_run):
    out, _ = group_run
    head, data = table(values(out, S.DEPT_VIEW), "部门")
    rows = [dict(zip(head, r)) for r in data]
    assert [(r["部门"], r["门店"]) for r in rows] == [
        ("一部", "全集团（2 家门店）"), ("一部", "乙店"), ("一部", "甲店"),
        ("三部", "全集团（1 家门店）"), ("三部", "乙店"), ("二部", "全集团（1 家门店）"), ("二部", "甲店")]
    one, b, a = rows[:3]
    assert one["参评"] == 4 and one["平均分"] == pytest.approx((95 + 128 + 100 + 124.5) / 4)
    assert (b["部门内排名"], b["平均分"]) == ("1/2", pytest.approx(112.25))     # U1 100, U2 124.5
    assert (a["部门内排名"], a["平均分"]) == ("2/2", pytest.approx(111.5))      # T1 95, T2 128
    assert (one["A"], one["B"], one["C"]) == (1, 1, 2)
    assert one["绩效工资(元)"] == pytest.approx(1425 + 10240 + 1800 + 6225)
    two = rows[5]
    assert (two["参评"], two["免考核"], two["E"]) == (1, 2, 1)


def test_problems_sheet_names_the_bad_and_the_missing_store(group_run):
    out, _ = group_run
    rows = values(out, S.GROUP_PROBLEMS)
    head, status = table(rows, "门店")
    st = {r[0]: dict(zip(head, r)) for r in status}
    assert st["丙店"]["状态"] == "有错误未汇总" and st["丙店"]["文件"] == "丙店.xlsx"
    assert st["丁店"]["状态"] == "缺少本月数据" and "2026-09" in st["丁店"]["说明"]
    assert st["甲店"]["状态"] == st["乙店"]["状态"] == "已汇总"
    head, detail = table(rows, "门店", rows.index(head) + len(status) + 1)
    bad = [dict(zip(head, r)) for r in detail]
    assert {"门店": "丙店", "文件": "丙店.xlsx", "工作表": "月度实绩", "行": 2, "列": "实际值",
            "问题": "「abc」不是数字"} in bad
    # every other store went on: their people are in the league table, 丙店's and 丁店's are not
    assert league_stores(out) == ["乙店", "甲店"]


def test_store_books_are_read_not_written(folder, tmp_path):
    before = {p.name: digest(p) for p in folder.iterdir()}
    assert kpi4s("group", folder, "--out", tmp_path / "g.xlsx", "--month", MONTH).returncode == 0
    assert {p.name: digest(p) for p in folder.iterdir()} == before


def test_run_reports_the_stores_first(folder, tmp_path):
    bad_before = digest(folder / "丙店.xlsx")
    out = tmp_path / "g.xlsx"
    run = kpi4s("group", folder, "--out", out, "--month", MONTH, "--run")
    assert run.returncode == 0, run.stderr
    report = values(folder / "甲店.xlsx", S.REPORT)                  # 甲店's own 月度报告, written by --run
    assert report[0][0].startswith("甲店 2026年9月")
    assert digest(folder / "丙店.xlsx") == bad_before               # a bad store is not written
    notes = [r for r in values(out, S.GROUP_PROBLEMS) if r and r[0] in ("甲店", "乙店") and r[2] == "已汇总"]
    assert notes and all("尚未运行" not in str(r[5]) for r in notes)
    head, data = table(values(out, S.LEAGUE), "排名", 8)
    assert {r[1]: r[head.index("平均分")] for r in data}["乙店"] == pytest.approx(101.5)


def test_unreported_store_is_noted_and_a_stale_report_is_named(folder, tmp_path):
    out = tmp_path / "g.xlsx"
    assert kpi4s("report", folder / "甲店.xlsx").returncode == 0      # 甲店 reports, then changes a figure
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    notes = {r[0]: r[5] for r in values(out, S.GROUP_PROBLEMS) if r and r[2] == "已汇总"}
    assert "尚未运行" in notes["乙店"] and not notes["甲店"]
    from openpyxl import load_workbook
    wb = load_workbook(folder / "甲店.xlsx")
    ws = wb[S.ACTUALS]
    ws.cell(2, 5, 120)                                               # T1 产值 110 → 120 after the report
    wb.save(folder / "甲店.xlsx")
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    notes = {r[0]: r[5] for r in values(out, S.GROUP_PROBLEMS) if r and r[2] == "已汇总"}
    assert "不一致（1 人）" in notes["甲店"]


def test_month_defaults_to_the_month_the_stores_name(folder, tmp_path):
    out = tmp_path / "g.xlsx"
    run = kpi4s("group", folder, "--out", out)
    assert run.returncode == 0, run.stderr
    assert "集团 2026-09 集团汇总" in run.stdout


def test_trends_come_from_the_archive(folder, tmp_path):
    """甲店's 历史 holds August (pasted by HR); the trend shows it beside September."""
    from group_stores import history_rows
    store_a(folder / "甲店.xlsx", **{S.HISTORY: history_rows("2026-08", {"T1": (90, "C"), "T2": (110, "B")})})
    out = tmp_path / "g.xlsx"
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    rows = values(out, S.TRENDS)
    head = next(r for r in rows if r and r[0] == "指标")
    i8, i9 = head.index("8月"), head.index("9月")
    line = {r[0]: r for r in rows if r and r[0] in ("参评人数", "平均分", "门店数")}
    assert (line["门店数"][i8], line["参评人数"][i8], line["平均分"][i8]) == (1, 2, pytest.approx(100.0))
    assert (line["门店数"][i9], line["参评人数"][i9]) == (2, 6)
    assert line["平均分"][i9] == pytest.approx(statistics.mean(SCORES.values()))
    with duckdb.connect(str(tmp_path / "kpi4s-归档.duckdb"), read_only=True) as con:
        src = con.execute("SELECT source, count(*) FROM people WHERE store = '甲店' GROUP BY 1 ORDER BY 1").fetchall()
    assert src == [("history", 2), ("month", 5)]

    # every store row has its sparkline in the trend column, drawn from its own row's months
    import re
    import zipfile
    from openpyxl import load_workbook
    ws = load_workbook(out)[S.TRENDS]
    sheet = f"xl/worksheets/sheet{load_workbook(out).sheetnames.index(S.TRENDS) + 1}.xml"
    xml = zipfile.ZipFile(out).read(sheet).decode()
    lines = re.findall(r"<x14:sparkline><xm:f>(.*?)</xm:f><xm:sqref>(.*?)</xm:sqref></x14:sparkline>", xml)
    stores = [(r, c.value) for r in range(1, ws.max_row + 1) for c in ws[r][1:2] if c.value in ("甲店", "乙店")]
    assert len(lines) == len(stores) == 4     # 平均分 and 绩效工资 tables: one line per store in each
    assert xml.count("<x14:sparklineGroup ") == 1            # one look, one group (as Excel groups them)
    for f, where in lines:
        row = int(re.sub(r"[A-Z]", "", where))
        assert ws.cell(row, 2).value in ("甲店", "乙店")
        assert re.fullmatch(rf"'?{S.TRENDS}'?!\$?C\$?{row}:\$?[A-Z]+\$?{row}", f), (f, where)


def test_grades_of_the_hand_computed_stores_in_the_archive(group_run, tmp_path):
    with duckdb.connect(str(tmp_path / "kpi4s-归档.duckdb"), read_only=True) as con:
        got = con.execute("SELECT store, employee_id, total, grade, pay FROM people WHERE month = ? AND eligible",
                          [MONTH]).fetchall()
    assert {(s, e): (t, g, p) for s, e, t, g, p in got} == {
        k: (pytest.approx(SCORES[k]), GRADES[k], pytest.approx(PAY[k])) for k in SCORES}
