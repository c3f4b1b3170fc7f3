"""严重警告 / 绩效改进计划: contexts from the hand-worked month, the Word files read back (python-docx)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from addin import documents
from addin.render import letters
from udfs.policy import Policy

import docs_sample as S  # noqa: E402  (registered by conftest)
MONTH, ISSUE = S.MONTH, S.ISSUE


# --------------------------------------------------------------------------- contexts
def test_contexts_exactly_for_the_actions_that_call_for_them():
    ctxs = letters.letter_contexts(S.small_results(), ISSUE)
    # roster order; for one person the plan before the letter; the award (E01) gets none
    assert [(c["employee_id"], c["action"]) for c in ctxs] == [
        ("E03", "improvement_plan"), ("E04", "improvement_plan"), ("E04", "manager_warning"), ("E05", "hr_warning")]
    e05 = ctxs[-1]
    assert e05["months"] == [("2026-05", "D"), ("2026-06", "D"), ("2026-07", "D"), ("2026-08", "D")]
    assert (e05["run"], e05["kind"], e05["label"]) == (4, "严重警告-人力资源部", "严重警告(人力资源部)")
    assert (e05["issue"], e05["deadline_iso"], e05["ref"]) == ("2026-09-05", "2026-10-05", "2026-08-E05-JG2")
    assert ctxs[0]["review_dates"] == ["2026-10-05", "2026-11-05"]


def test_no_actions_no_letters():
    res = S.small_results()
    res.actions = res.actions[res.actions["action"] == "award"]
    assert letters.letter_contexts(res, ISSUE) == []


def test_trigger_text_from_the_months_and_the_history_totals():
    totals = {("E04", "2026-07"): 65.0}
    assert letters.trigger_text((("2026-07", "E"), ("2026-08", "E")), "E04", totals) == \
        "2026年7月 E级（不胜任，65.0分）、2026年8月 E级（不胜任）"
    assert letters.trigger_text((), "E04", totals) == ""


# --------------------------------------------------------------------------- files
def test_letters_exactly_for_the_actions_that_call_for_them(tmp_path):
    run = documents.warning_letters(S.small_results(), out_dir=tmp_path, issue_date=ISSUE)
    names = sorted(p.name for p in run.paths if p.suffix == ".docx")
    assert names == [f"{MONTH}_E03_李_娜_绩效改进计划.docx", f"{MONTH}_E04_王芳_严重警告-直线经理.docx",
                     f"{MONTH}_E04_王芳_绩效改进计划.docx", f"{MONTH}_E05_赵强_严重警告-人力资源部.docx"]
    index = S.read_index(tmp_path)
    assert [(r["工号"], r["措施代码"]) for r in index] == [
        ("E03", "improvement_plan"), ("E04", "improvement_plan"), ("E04", "manager_warning"), ("E05", "hr_warning")]
    assert {r["改正期限"] for r in index if r["措施代码"] != "improvement_plan"} == {"2026-10-05"}
    assert index[-1]["触发月份及等级"] == "2026-05 D; 2026-06 D; 2026-07 D; 2026-08 D"
    assert index[0]["回顾日期"] == "2026-10-05;2026-11-05" and index[0]["签发日期"] == "2026-09-05"
    assert run.summary.splitlines()[0] == \
        "已生成 4 份文件：绩效改进计划 2 份、严重警告(直线经理) 1 份、严重警告(人力资源部) 1 份"


def test_manager_warning_letter_text(tmp_path):
    documents.warning_letters(S.small_results(), out_dir=tmp_path, issue_date=ISSUE)
    text = S.docx_text(tmp_path / f"{MONTH}_E04_王芳_严重警告-直线经理.docx")
    assert "严 重 警 告" in text and "王芳" in text and "（员工姓名）" in text
    assert "这是继口头警告后正式的书面警告" in text and "此函是公司正式下达" not in text
    assert "两个月连续绩效评估等级为E级（不胜任）" in text
    assert "2026年7月 E级（不胜任，65.0分）" in text and "2026年8月 E级（不胜任，61.0分）" in text
    # the three items furthest below target, worst first
    lines = [ln for ln in text.splitlines() if ln[:2] in ("2.", "3.", "4.", "5.")]
    assert ["回访完成率" in lines[0], "投诉处理及时率" in lines[1], "客户满意度" in lines[2]] == [True] * 3
    assert "档案完整率" not in text
    assert "实际 50%" in lines[0] and "完成率 50.0%" in lines[0]
    assert "2026年8月扣分：工服不规范被通报（-3分）。" in lines[3]
    assert "在2026年10月5日之前" in text and "一个月内" in text
    assert "签发日期：2026年9月5日" in text
    assert "部门总监（或更上层经理）签名" in text and "人力资源部" in text
    assert "我在此确认已阅读并理解以上内容。" in text and "员工签字" in text


def test_hr_warning_letter_text_and_policy_deadline(tmp_path):
    res = S.small_results(Policy(correction_months=2))
    documents.warning_letters(res, out_dir=tmp_path, issue_date="2026-01-31")
    text = S.docx_text(tmp_path / f"{MONTH}_E05_赵强_严重警告-人力资源部.docx")
    assert "此函是公司正式下达的书面警告" in text and "继口头警告" not in text
    assert "四个月连续绩效评估等级为D级" in text
    for m, s in (("5", "85.0"), ("6", "84.0"), ("7", "86.0"), ("8", "80.0")):
        assert f"2026年{m}月 D级（待改进，{s}分）" in text
    assert "「工时收入」目标 800元，实际 600元" in text and "「一次修复率」" in text
    assert "培训考核" not in text                           # above target: not a reason
    assert "两个月内" in text and "2026年3月31日之前" in text   # 31 Jan + 2 months, clamped


def test_improvement_plan_text(tmp_path):
    documents.warning_letters(S.small_results(), out_dir=tmp_path, issue_date=ISSUE)
    text = S.docx_text(tmp_path / f"{MONTH}_E03_李_娜_绩效改进计划.docx")
    assert "绩 效 改 进 计 划" in text and "李/娜" in text and "\x07" not in text
    assert "连续两个月绩效评估为D级或以下：2026年7月 D级（待改进，88.0分）、2026年8月 D级（待改进，82.0分）" in text
    assert "2026年9月5日 至 2026年11月5日" in text and "制定日期 | 2026年9月5日" in text
    assert "第一次回顾 | 2026年10月5日" in text and "第二次回顾 | 2026年11月5日" in text
    rows = [ln for ln in text.splitlines() if ln.startswith(("1 |", "2 |", "3 |"))]
    assert ["培训考核" in rows[0], "一次修复率" in rows[1], "返修工时" in rows[2]] == [True] * 3
    # goals: halfway in the first month, the target in the second
    assert "第1月 ≥ 80分" in rows[0] and "第2月 ≥ 90分" in rows[0]
    assert "第1月 ≥ 87.5%" in rows[1] and "第2月 ≥ 95%" in rows[1]
    assert "C级（良好，≥90分）" in text
    for who in ("员工", "直接经理", "隔级经理", "人力资源部"):
        assert who in text


def test_plan_length_follows_the_policy(tmp_path):
    res = S.small_results(Policy(plan_months=3))
    ctx = letters.letter_contexts(res, dt.date(2026, 9, 5))[0]
    assert [r["label"] for r in ctx["reviews"]] == ["第一次回顾", "第二次回顾", "第三次回顾"]
    assert ctx["end"] == "2026年12月5日" and ctx["plan_period"] == "三个月"
    assert ctx["items"][0]["goals"][-1] == "第3月 ≥ 90分"
