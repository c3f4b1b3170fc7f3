"""Bad input around the cycle: one clear message naming sheet, row and column, exit code 2, and
nothing written — an appeal for a month not yet reported, payroll before approval or after the
book changed, a raise matrix beyond the pool, a tampered trail, steps out of order, two
approvers at once, formula-looking names in the payroll file."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys

import cycle_sample as CS
import pytest
from helpers import ROOT, digest, hand_book, kpi4s, values
from openpyxl import load_workbook

from addin import macros
from addin.cycle import approval, trail as T
from addin.cycle.runs import Who
from addin.io import schema as S
from addin.io.book import load_book
from addin.io.lock import book_lock, lock_path
from addin.io.problems import BookError

OCT = "2026-10"


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """The year book with January … October reported (nothing approved)."""
    d = tmp_path_factory.mktemp("reported")
    book = CS.year_book(d / "year.xlsx")
    for m in CS.MONTHS[:10]:
        macros.monthly_report(book, m)
    return book


@pytest.fixture
def book(reported, tmp_path):
    path = tmp_path / "year.xlsx"
    shutil.copy(reported, path)
    return path


def _approved(book, month=OCT):
    for who in ("甲", "乙", "丙"):
        approval.approve(book, month, by=who)


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


# --------------------------------------------------------------------------- appeals
def test_an_appeal_for_a_month_not_yet_reported_is_refused(book, tmp_path):
    CS.add_rows(book, S.APPEALS, [[dt.date(2026, 12, 2), "Y1", "张伟", "2026-11", "十一月评分不公", "王总", None, None,
                                   None, None]])
    before, files = digest(book), _files(tmp_path)
    run = kpi4s("report", book, "--month", OCT)
    assert run.returncode == 2
    assert "[员工申述] 第2行 「考核月份」: 2026-11 尚未出月度报告，不能申述" in run.stderr
    assert digest(book) == before and _files(tmp_path) == files
    assert kpi4s("appeals", book).returncode == 2                     # the register check says the same


def test_every_bad_appeal_row_is_named(book):
    CS.add_rows(book, S.APPEALS, [
        [dt.date(2026, 11, 2), "Y1", "张伟", OCT, "理由", "王总", "改分", None, None, None],          # no score
        [dt.date(2026, 11, 2), "Y2", "李娜", OCT, "理由", "王总", "改分", 140, None, None],           # out of range
        [dt.date(2026, 11, 2), "Y2", "李娜", "2026-09", "理由", "王总", "待处理", 99, None, None],    # score, not 改分
        [dt.date(2026, 9, 20), "Y1", "张伟", "2026-09", "理由", "王总", None, None, None, None],      # before results
        [dt.date(2026, 11, 2), "X9", "无名", OCT, "理由", "王总", None, None, None, None],            # unknown
        [dt.date(2026, 11, 2), "Y1", "张伟", OCT, "理由", "王总", "同意了吧", None, None, None],      # bad decision
        [dt.date(2026, 11, 5), "Y1", "张伟", OCT, "理由", "王总", "维持", None, dt.date(2026, 11, 1), None],
    ])
    run = kpi4s("report", book, "--month", OCT)
    assert run.returncode == 2
    err = run.stderr
    for needle in ("[员工申述] 第2行 「调整后得分」: 处理结果为「改分」，须填写调整后得分",
                   "[员工申述] 第3行 「调整后得分」: 调整后得分应在 0–130 之间",
                   "[员工申述] 第4行 「处理结果」: 填写了调整后得分，处理结果应为「改分」（现为「待处理」）",
                   "[员工申述] 第5行 「申述日期」: 申述日期早于 2026-09 考核结果产生",
                   "[员工申述] 第6行 「员工编号」: 员工名册中没有员工编号「X9」",
                   "[员工申述] 第7行 「处理结果」: 处理结果「同意了吧」无效",
                   "[员工申述] 第8行 「处理日期」: 处理日期早于申述日期"):
        assert needle in err, needle


# --------------------------------------------------------------------------- approval and payroll
def test_steps_out_of_order_and_without_a_name_are_refused(book):
    before = digest(book)
    assert "不能直接进入「总经理批准」" in kpi4s("approve", book, "--month", OCT, "--by", "王总", "--step", "总经理批准").stderr
    assert "尚未进入审批" in kpi4s("approve", book, "--month", OCT, "--by", "王总", "--reject").stderr
    run = kpi4s("approve", book, "--month", OCT)
    assert run.returncode == 2 and "「--by」: 请填写操作人姓名" in run.stderr
    run = kpi4s("approve", book, "--month", "2026-11", "--by", "王总")
    assert run.returncode == 2 and "历史中没有 2026-11 的结果" in run.stderr
    assert digest(book) == before


def test_a_rejected_month_starts_again_from_draft(book):
    approval.approve(book, OCT, by="甲")
    run = kpi4s("approve", book, "--month", OCT, "--by", "王总", "--reject", "--note", "返修率数据待核")
    assert run.returncode == 0 and "「部门确认」 → 「草稿」" in run.stdout
    trail = T.read_trail(load_book(book), [])
    assert trail.status(OCT) == "draft" and trail.rows["note"].iloc[-1] == "返修率数据待核"


def test_payroll_refused_when_the_book_changed_after_approval(book, tmp_path):
    _approved(book)
    CS.add_rows(book, S.DEDUCTIONS, [[OCT, "Y2", "李娜", 150, "罚款"]])
    run = kpi4s("payroll", book, "--month", OCT, "--out", tmp_path / "pay")
    assert run.returncode == 2
    assert "批准后工作簿数据已变更（1 人结果不同）" in run.stderr
    assert "Y2 李娜：其他扣款 0.00 → 150.00；合计 5000.00 → 4850.00" in run.stderr
    assert not (tmp_path / "pay").exists()
    assert kpi4s("report", book, "--month", OCT).returncode == 2          # and the report wants an override
    run = kpi4s("report", book, "--month", OCT, "--override", "--by", "王总")
    assert run.returncode == 2 and "「--reason」: 请填写覆盖重算的理由" in run.stderr
    run = kpi4s("report", book, "--month", OCT, "--override", "--by", "王总", "--reason", "补录十月扣款")
    assert run.returncode == 0 and "退回「草稿」" in run.stdout
    trail = T.read_trail(load_book(book), [])
    change = trail.rows[trail.rows["event"].eq("变更")]
    assert change[["employee_id", "field", "old", "new"]].values.tolist() == [
        ["Y2", "其他扣款", "0.00", "150.00"], ["Y2", "合计", "5000.00", "4850.00"]]


def test_a_tampered_trail_stops_approval_and_payroll(book, tmp_path):
    _approved(book)
    wb = load_workbook(book)
    ws = wb[S.TRAIL]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 4).value == "总经理批准")
    ws.cell(row, 5, "总经理")                                           # someone edits who approved
    wb.save(book)
    run = kpi4s("payroll", book, "--month", OCT, "--out", tmp_path / "pay")
    assert run.returncode == 2
    assert f"[审批记录] 第{row}行 「校验码」: 与上一行的校验码不符" in run.stderr
    assert kpi4s("approve", book, "--month", OCT, "--by", "x", "--reject").returncode == 2
    assert not (tmp_path / "pay").exists()


def test_a_tampered_snapshot_stops_payroll(book, tmp_path):
    _approved(book)
    wb = load_workbook(book)
    ws = wb[S.SNAPSHOT]
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(2, c).value == "绩效工资")
    ws.cell(3, col, 99999)
    wb.save(book)
    run = kpi4s("payroll", book, "--month", OCT, "--out", tmp_path / "pay")
    assert run.returncode == 2 and "审批快照与审批记录的结果指纹不符" in run.stderr


def test_two_approvers_at_once_both_land_in_order(book):
    procs = [subprocess.Popen([sys.executable, "-m", "addin.cli", "approve", str(book), "--month", OCT, "--by", who],
                              cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for who in ("甲", "乙")]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    problems: list = []
    trail = T.read_trail(load_book(book), problems)
    assert problems == []
    assert trail.rows["status"].tolist() == ["部门确认", "人力资源审核"]
    assert sorted(trail.rows["by"]) == ["乙", "甲"]
    assert not lock_path(book).exists()


def test_a_held_lock_gives_a_clear_message(book):
    with book_lock(book):
        with pytest.raises(BookError, match="另一位用户正在处理此工作簿"):
            with book_lock(book, wait=0.3):
                pass


def test_payroll_file_neutralises_formula_like_names(tmp_path):
    book = hand_book(tmp_path / "store.xlsx")
    wb = load_workbook(book)
    cell = wb[S.ROSTER].cell(2, 2)
    cell.value, cell.data_type = '=HYPERLINK("http://x","甲")', "s"        # typed as text ('=… in Excel)
    wb.save(book)
    macros.monthly_report(book)
    for who in ("甲", "乙", "丙"):
        approval.approve(book, by=who)
    run = kpi4s("payroll", book, "--out", tmp_path / "pay")
    assert run.returncode == 0, run.stderr
    with open(tmp_path / "pay" / "2026-09_工资接口.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][2] == "'=HYPERLINK(\"http://x\",\"甲\")"
    xlsx = values(tmp_path / "pay" / "2026-09_工资接口.xlsx", "工资接口")
    assert xlsx[1][2] == '=HYPERLINK("http://x","甲")'                  # text in the workbook, not a formula
    # the scorer 李经理 is not on the roster: the fine reaches nobody's payslip, and says so
    assert "评分人「李经理」（各部门经理）在员工名册中找不到或重名，逾期罚款 500 元未计入工资接口" in run.stdout


# --------------------------------------------------------------------------- year end
def test_a_raise_matrix_beyond_the_pool_writes_nothing(tmp_path):
    book = CS.year_book(tmp_path / "year.xlsx", {"调薪预算(元/月)": 200})
    for m in CS.MONTHS:
        run = macros.monthly_report(book, m)
    assert "年终资料未生成：按调薪矩阵（A 8%/B 5%/C 0%/D 0%/E 0%）1 人每月共需增加 300.00 元，超出调薪预算 200.00 元/月 100.00 元" \
        in run.summary                                               # December's own results are written
    names = load_workbook(book, read_only=True).sheetnames
    assert S.raise_sheet(2026) not in names and S.HISTORY in names
    before = digest(book)
    run = kpi4s("year", book, "--out", tmp_path / "letters")
    assert run.returncode == 2
    assert "2026 年终调薪超出预算，未生成年终资料（未写入任何内容）" in run.stderr
    assert "请调整「年终调薪比例A/B/C/D/E」" in run.stderr
    assert digest(book) == before and not (tmp_path / "letters").exists()


def test_the_year_end_pack_needs_december(book, tmp_path):
    run = kpi4s("year", book, "--year", "2026", "--out", tmp_path / "letters")
    assert run.returncode == 2 and "历史中没有 2026-12 的结果" in run.stderr
    assert not (tmp_path / "letters").exists()


# --------------------------------------------------------------------------- other sheets
def test_bad_cycle_sheets_are_named_cell_by_cell(tmp_path):
    book = CS.year_book(tmp_path / "year.xlsx")
    CS.add_rows(book, S.GOAL_SIGNOFF, [["2026-01", "Y1", "张伟", dt.date(2026, 1, 8), None, None, dt.date(2026, 1, 3)],
                                       ["2026-01", "Y1", "张伟", "昨天", None, None, None]])
    CS.add_rows(book, S.INTERVIEWS, [["2026-01", "Y7", "无名", dt.date(2026, 2, 3), "绩效面谈", "李经理", "", ""],
                                     ["2026-01", "Y1", "张伟", dt.date(2025, 12, 30), "聊天", "李经理", "", ""]])
    CS.add_rows(book, S.DEDUCTIONS, [["2026-01", "Y1", "张伟", -5, "退款"], ["2026-01", "Y2", "李娜", "很多", "?"]])
    before = digest(book)
    run = kpi4s("report", book, "--month", "2026-01")
    assert run.returncode == 2
    last = len(values(book, S.GOAL_SIGNOFF))
    for needle in (f"[目标签署] 第{last - 1}行 「员工签字日期」: 签字日期晚于人力资源部备案日期",
                   f"[目标签署] 第{last}行 「员工签字日期」: 日期/时间「昨天」无法识别",
                   f"[目标签署] 第{last}行 「员工编号」: 本月同一员工重复：Y1",
                   "[绩效面谈] 第3行 「员工编号」: 员工名册中没有员工编号「Y7」",
                   "[绩效面谈] 第4行 「面谈类型」: 面谈类型「聊天」无效",
                   "[绩效面谈] 第4行 「面谈日期」: 面谈日期早于所反馈的考核月份 2026-01",
                   "[工资扣款] 第3行 「扣款金额」: 扣款金额应为正数（元）",
                   "[工资扣款] 第4行 「扣款金额」: 「很多」不是数字"):
        assert needle in run.stderr, needle
    assert digest(book) == before


def test_goals_need_a_month(tmp_path):
    book = hand_book(tmp_path / "store.xlsx", settings={"考核月份": ""})
    run = kpi4s("goals", book)
    assert run.returncode == 2 and "未指定月份（设置表「考核月份」或 --month）" in run.stderr
    run = kpi4s("goals", book, "--month", "13月")
    assert run.returncode == 2 and "月份「13月」无法识别" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.xlsx"]


def test_bottom_list_only_when_switched_on(tmp_path):
    off = hand_book(tmp_path / "off.xlsx")
    macros.monthly_report(off)
    assert not any(isinstance(r[0], str) and "末位名单" in r[0] for r in values(off, S.REPORT))
    on = hand_book(tmp_path / "on.xlsx", settings={"末位名单": "是", "末位比例": "20%"})
    run = macros.monthly_report(on)
    rows = values(on, S.REPORT)
    i = next(k for k, r in enumerate(rows) if isinstance(r[0], str) and "末位名单（各评定范围得分最低 20%" in r[0])
    # 3 graded people × 20% = 0.6 → 1: T3 (70, veto) is the lowest of the store
    assert rows[i + 2][:5] == ["全店", 3, 1, "T3", "丙"] and not rows[i + 3][0]
    assert run.results.bottom["employee_id"].tolist() == ["T3"]


def test_an_override_of_a_draft_month_changes_nothing(book):
    run = macros.monthly_report(book, OCT, override=Who("王总", "只是试试", ""))
    assert "该月尚未进入审批，无需覆盖" in run.summary
    assert not load_book(book).has(S.TRAIL)


def test_an_accepted_appeal_of_someone_who_has_left_says_so(book):
    CS.add_rows(book, S.APPEALS, [[dt.date(2026, 11, 6), "Y2", "李娜", OCT, "理由", "王总", "改分", 101, None, None]])
    wb = load_workbook(book)
    ws = wb[S.ROSTER]
    ws.cell(3, 9, "离职")                                              # Y2 left after October
    wb.save(book)
    run = kpi4s("appeals", book, "--apply", "--by", "王总")
    assert run.returncode == 2
    assert "[员工申述] 第2行 「员工编号」: 员工 Y2 在员工名册中已离职" in run.stderr


def test_a_deleted_trail_is_noticed(book, tmp_path):
    _approved(book)
    wb = load_workbook(book)
    del wb[S.TRAIL]
    wb.save(book)
    run = kpi4s("payroll", book, "--month", OCT, "--out", tmp_path / "pay")
    assert run.returncode == 2 and "[审批记录]: 缺少此表，而审批快照中有已审批的结果" in run.stderr
    assert kpi4s("report", book, "--month", OCT).returncode == 2        # no re-run past a deleted trail either


def test_a_folder_without_write_permission_gives_a_message(book, monkeypatch):
    import os

    def denied(*args, **kwargs):                 # what the OS says in a read-only folder (root never hears it)
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(BookError, match="无法在工作簿所在文件夹写入"):
        with book_lock(book):
            pass


def test_the_trail_holds_in_a_book_saved_by_libreoffice(book, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice not installed")
    _approved(book)
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(book)], capture_output=True, timeout=300)
    saved = out / book.name
    assert saved.exists()
    problems: list = []
    assert T.read_trail(load_book(saved), problems).status(OCT) == "approved" and problems == []
    run = kpi4s("payroll", saved, "--month", OCT, "--out", tmp_path / "pay")
    assert run.returncode == 0, run.stderr
