"""One employee through a whole year of the appraisal cycle (SPEC §9), on a real workbook, through
the real commands where the cycle adds one: goals signed late in June, an award in April, an
interview shown on July's form, October approved and paid, appealed, refused without an
override, re-run by the appeal with its audit trail, re-approved and paid again, and the
December pack with its letter — every number worked by hand in tests/cycle_sample.py."""
from __future__ import annotations

import csv
import shutil

import cycle_sample as CS
import pytest
from docs_sample import docx_text
from helpers import digest, kpi4s, people_table, values
from openpyxl import load_workbook

from addin import documents, macros
from addin.io import schema as S
from addin.io.book import load_book
from addin.cycle import trail as T

OCT = "2026-10"


def _csv(path) -> dict:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}


def _approve_three(book, names):
    for name in names:
        run = kpi4s("approve", book, "--month", OCT, "--by", name)
        assert run.returncode == 0, run.stderr


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    d = tmp_path_factory.mktemp("year")
    book = CS.year_book(d / "year.xlsx")
    seen: dict = {"book": book, "dir": d}
    seen["goals"] = kpi4s("goals", book, "--month", "2026-06", "--out", d / "goals06")
    for m in CS.MONTHS[:10]:
        macros.monthly_report(book, m)
        if m in ("2026-04", "2026-06", "2026-07"):
            seen[m] = values(book, S.REPORT)
        if m == "2026-07":
            seen["forms07"] = documents.appraisal_forms(book, m, out_dir=d / "forms07", by="employee")
    seen["payroll_refused"] = kpi4s("payroll", book, "--month", OCT, "--out", d / "pay-early")
    _approve_three(book, ["李经理", "赵专员", "王总"])
    seen["pay_before"] = kpi4s("payroll", book, "--month", OCT, "--out", d / "pay-before")
    CS.add_rows(book, S.APPEALS, [CS.APPEAL])
    before = digest(book)
    seen["rerun_refused"] = kpi4s("report", book, "--month", OCT)
    seen["rerun_unchanged"] = digest(book) == before
    seen["apply"] = kpi4s("appeals", book, "--apply", "--by", "王总")
    seen["status_after_apply"] = kpi4s("approve", book, "--month", OCT, "--show")
    seen["pay_draft"] = kpi4s("payroll", book, "--month", OCT, "--out", d / "pay-draft")
    _approve_three(book, ["李经理", "赵专员", "王总"])
    seen["pay_after"] = kpi4s("payroll", book, "--month", OCT, "--out", d / "pay-after")
    for m in CS.MONTHS[10:]:
        seen[f"run-{m}"] = macros.monthly_report(book, m)
    seen["year"] = kpi4s("year", book, "--out", d / "letters")
    return seen


def test_goal_sheets_carry_the_items_targets_and_the_due_day(walk):
    run = walk["goals"]
    assert run.returncode == 0, run.stderr
    assert "已为 2 名员工生成 2026-06 目标设定表（1 个文件）" in run.stdout
    folder = walk["dir"] / "goals06"
    ws = load_workbook(folder / "2026-06_服务部_目标设定表.xlsx")["Y1 张伟"]
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    for needle in ("目 标 设 定 表", "张伟", "产值", "返修率", "工作纪律", "评分项", "员工", "直接经理", "隔级经理",
                   "人力资源部备案", "按时备案（截止 2026年6月5日（周五））"):
        assert any(needle == v or (isinstance(v, str) and needle in v) for v in cells), needle
    assert 100 in cells and 0.02 in cells and 0.5 in cells and 0.3 in cells        # targets and weights
    rows = list(csv.DictReader(open(folder / "2026-06_索引.csv", encoding="utf-8-sig")))
    assert [(r["工号"], r["考核项数"], r["权重合计"], r["截止日期"]) for r in rows] == [
        ("Y1", "3", "100%", "2026-06-05"), ("Y2", "3", "100%", "2026-06-05")]


def test_june_report_lists_the_goal_sheet_filed_four_days_late(walk):
    rows = walk["2026-06"]
    i = next(k for k, r in enumerate(rows) if isinstance(r[0], str) and "目标设定未按时备案（2026-06，截止 2026-06-05）" in r[0])
    assert rows[i + 2][:5] == ["Y1", "张伟", "服务部", "李经理", "逾期备案"] and rows[i + 2][6] == 4
    assert not rows[i + 3][0]                                        # Y2 filed on the 2nd: not listed


def test_the_third_a_in_a_row_is_april_award(walk):
    t = {r[0]: r for r in walk["2026-04"] if r and r[0] in ("Y1", "Y2") and len(r) > 15}
    assert t["Y1"][9] == pytest.approx(126.5) and t["Y1"][11] == "A" and t["Y1"][15] == "优秀员工候选"


def test_july_form_shows_june_interview_and_nothing_is_missing(walk):
    ws = load_workbook(walk["dir"] / "forms07" / "2026-07_Y1_张伟.xlsx").active
    plan = next(c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "发展行动" in c.value)
    assert plan == "2026年6月绩效面谈（2026-07-06，李经理）：发展行动：参加返修质量培训；每周复盘产值；面谈纪要：产值未达标，返修偏高"
    assert not any(isinstance(r[0], str) and "绩效面谈未记录" in r[0] for r in walk["2026-07"])


def test_payroll_is_refused_before_approval_and_writes_nothing(walk):
    run = walk["payroll_refused"]
    assert run.returncode == 2
    assert "该月尚未批准，未生成工资接口" in run.stderr and "当前状态为「草稿」" in run.stderr
    assert not (walk["dir"] / "pay-early").exists()


def test_october_payroll_before_the_appeal_matches_the_hand_numbers(walk):
    run = walk["pay_before"]
    assert run.returncode == 0, run.stderr
    rows = _csv(walk["dir"] / "pay-before" / f"{OCT}_工资接口.csv")
    y1 = rows["Y1"]
    assert [y1[k] for k in ("月工资", "基本工资", "绩效基数", "考核总分", "考核等级", "绩效工资", "应发工资", "评分逾期罚款",
                            "其他扣款", "扣款合计", "合计")] == \
        ["6000.00", "4200.00", "1800.00", "88.00", "D", "1584.00", "5784.00", "500.00", "200.00", "700.00", "5084.00"]
    assert rows["Y2"]["合计"] == "5000.00" and rows["Y2"]["绩效工资"] == "1500.00"


def test_an_approved_month_is_not_recomputed_without_an_override(walk):
    run = walk["rerun_refused"]
    assert run.returncode == 2
    assert "已进入审批（状态「总经理批准」）" in run.stderr and "--override" in run.stderr
    assert "Y1 张伟：总分 88.00 → 96.00；等级 D → C；绩效工资 1584.00 → 1728.00；合计 5084.00 → 5228.00" in run.stderr
    assert walk["rerun_unchanged"]


def test_the_accepted_appeal_reruns_october_with_its_audit_trail(walk):
    run = walk["apply"]
    assert run.returncode == 0, run.stderr
    assert "2026-10：1 条改分已生效（Y1 96.00分）" in run.stdout
    assert "状态由「总经理批准」退回「草稿」" in run.stdout
    show = walk["status_after_apply"].stdout
    assert "审批状态：草稿" in show
    assert "覆盖重算（草稿）王总：员工申述改分（第2行 Y1 张伟 改为 96.00 分）" in show
    for line in ("Y1 张伟 总分：88.00 → 96.00", "Y1 张伟 等级：D → C", "Y1 张伟 绩效工资：1584.00 → 1728.00",
                 "Y1 张伟 合计：5084.00 → 5228.00"):
        assert line in show, line
    assert walk["pay_draft"].returncode == 2 and not (walk["dir"] / "pay-draft").exists()


def test_october_payroll_after_reapproval_pays_the_changed_score(walk):
    run = walk["pay_after"]
    assert run.returncode == 0, run.stderr
    y1 = _csv(walk["dir"] / "pay-after" / f"{OCT}_工资接口.csv")["Y1"]
    assert [y1[k] for k in ("考核总分", "考核等级", "绩效工资", "应发工资", "扣款合计", "合计")] == \
        ["96.00", "C", "1728.00", "5928.00", "700.00", "5228.00"]
    info = dict(r[:2] for r in values(walk["dir"] / "pay-after" / f"{OCT}_工资接口.xlsx", "审批信息") if r and r[0])
    assert info["审批状态"] == "总经理批准" and info["批准人"] == "王总" and info["合计(元)"] == pytest.approx(10228.0)


def test_history_and_trail_hold_the_year(walk):
    book = walk["book"]
    hist = {(r[0], r[1]): r for r in values(book, S.HISTORY)[1:]}
    assert hist[(OCT, "Y1")][4:7] == [96.0, "C", 1728.0]
    assert [hist[(m, "Y1")][5] for m in CS.MONTHS] == list("CAAABDCCBCCB")
    problems: list = []
    trail = T.read_trail(load_book(book), problems)
    assert problems == [] and trail.status(OCT) == "approved" and trail.status("2026-09") == "draft"
    events = trail.rows[trail.rows["month"].eq(OCT)]["event"].tolist()
    assert events == ["审批通过"] * 3 + ["覆盖重算"] + ["变更"] * 4 + ["审批通过"] * 3


def test_december_report_brings_the_year_end_sheets(walk):
    run = walk["run-2026-12"]
    assert "年终资料：已生成 2026年终调薪、2026年度总结" in run.summary
    rows = values(walk["book"], S.raise_sheet(2026))
    table = {r[0]: r for r in rows if r and r[0] in ("Y1", "Y2") and len(r) > 12 and r[4] == 12}
    y1, y2 = table["Y1"], table["Y2"]
    assert y1[5] == pytest.approx(1290.5 / 12) and y1[6] == "B" and y1[7] == "具备年终调薪资格"
    assert y1[8] == "2026年2月至2026年4月" and y1[9:13] == [6000.0, 0.05, 300.0, 6300.0]
    assert y2[5] == pytest.approx(100.0) and y2[6] == "C" and y2[7] == "年终调薪、晋升方面优先考虑" and y2[11] in ("", None)
    pool = next(rows[k + 2] for k, r in enumerate(rows) if r and r[0] == "二、预算核对")
    assert pool[0] == 500.0 and pool[2] == 300.0 and pool[3] == 200.0
    summary = values(walk["book"], S.year_summary_sheet(2026))
    start = next(k for k, r in enumerate(summary) if r[0] == "二、各月等级分布")
    months = {r[0]: r for r in summary[start + 2:start + 14]}         # month, A…E, n, mean, pay
    assert list(months) == CS.MONTHS
    assert months["2026-06"][1:9] == [0, 0, 1, 1, 0, 2, 92.5, 1530 + 1500]     # D 85 → 1800 × 0.85
    assert months["2026-10"][3] == 2 and months["2026-10"][7] == 98.0        # two C after the appeal (96, 100)
    actions = next(k for k, r in enumerate(summary) if r[0] == "四、全年处理事项")
    april = summary[actions + 2 + 3]
    assert april[0] == "2026-04" and april[1] == 1 and april[6] == 1           # the award, and the total


def test_the_raise_letter(walk):
    run = walk["year"]
    assert run.returncode == 0, run.stderr
    assert "已生成 1 份调薪通知书（生效日期 2027-01-01）" in run.stdout
    assert "具备调薪资格 1 人，每月增加 300.00 元（预算 500.00 元/月）；优先考虑 1 人；优秀员工候选 1 人" in run.stdout
    folder = walk["dir"] / "letters"
    text = docx_text(folder / "2026_Y1_张伟_调薪通知书.docx")
    for needle in ("调 薪 通 知 书", "张伟", "2026年度绩效评估成绩为B级（优秀，年度得分107.54分，12个月有考核成绩）",
                   "2027年1月1日", "6,000.00 | 5% | 300.00 | 6,300.00", "2026年2月至2026年4月连续三个月获得A级",
                   "签发日期：2027年1月8日", "编号：2026-Y1-TX"):
        assert needle in text, needle
    rows = list(csv.DictReader(open(folder / "2026_索引.csv", encoding="utf-8-sig")))
    assert [(r["工号"], r["年度等级"], r["每月增加"], r["调整后月工资"]) for r in rows] == [("Y1", "B", "300.00", "6,300.00")]


def test_a_missing_interview_is_listed_when_interviews_are_kept(tmp_path):
    book = CS.year_book(tmp_path / "y.xlsx")
    wb = load_workbook(book)
    ws = wb[S.INTERVIEWS]
    ws.cell(2, 2, "Y2")                                                # the June interview was Y2's, not Y1's
    wb.save(book)
    for m in CS.MONTHS[:7]:
        macros.monthly_report(book, m)
    rows = values(book, S.REPORT)
    i = next(k for k, r in enumerate(rows) if isinstance(r[0], str) and "绩效面谈未记录（2026-06，须面谈：D级及以下）" in r[0])
    assert rows[i + 2][:6] == ["Y1", "张伟", "服务部", "李经理", "2026-06", "D"]
    people = people_table(book)
    assert set(people) == {"Y1", "Y2"}
    shutil.rmtree(tmp_path / "kpi4s-输出", ignore_errors=True)
