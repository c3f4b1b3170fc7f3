"""A small month, worked by hand, in the column contracts of addin.month.results (not collected).

Six people: E01 a third A (award: no document), E02 a name that looks like a formula, E03 a
name with a path separator and a control character entering the D track (plan), E04 a second E
(plan + line-manager warning, a deduction), E05 a fourth D (HR warning), E06 exempt on probation.
The action rows come in the pipeline's order (most severe first); documents follow the roster.

Test modules ``import docs_sample`` (conftest.py registers it).
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd

from addin.month.results import (ACTION_COLUMNS, ADJUSTMENT_COLUMNS, HISTORY_COLUMNS, ITEM_COLUMNS,
                                 PEOPLE_COLUMNS, SCORER_COLUMNS, MonthResults)
from udfs.policy import Policy

MONTH = "2026-08"
ISSUE = dt.date(2026, 9, 5)
ROOT = Path(__file__).resolve().parents[1]


def person(eid, name, dept, grade, total, **kw):
    row = dict.fromkeys(PEOPLE_COLUMNS, "")
    graded = grade != ""
    row.update(employee_id=eid, name=name, department=dept, position=kw.pop("position", "服务顾问"),
               category="profit", manager="王经理", next_manager="李总监", salary=6000.0,
               status="active" if graded else "probation", hire_date=pd.Timestamp("2022-01-01"),
               eligible=graded, exempt_reason="" if graded else "试用期", items=3,
               items_score=total if graded else float("nan"), adjustment=0.0 if graded else float("nan"),
               veto=False, total=total if graded else float("nan"), band_grade=grade, grade=grade,
               group="全店" if graded else "", commission=float("nan"), base=1800.0, pay=0.0,
               action="", actions=(), a_run=0, d_run=0, e_run=0, warnings=())
    row.update(kw)
    return row


def items(eid, rows):
    out = []
    for seq, (item, target, actual, unit, weight) in enumerate(rows, 1):
        ratio = actual / target
        out.append(dict(employee_id=eid, seq=seq, section="关键考核指标", item=item, kpi_id="", kind="kpi",
                        weight=weight, target=target, actual=actual, unit=unit, direction="higher",
                        rating_self=float("nan"), rating_manager=float("nan"), rating_peer=float("nan"),
                        rating=float("nan"), ratio=ratio, score=100 * weight * min(ratio, 1.3),
                        shortfall=1 - ratio))
    return out


def act(eid, name, dept, code, months, headline=True):
    return dict(employee_id=eid, name=name, department=dept, manager="王经理", action=code, run=len(months),
                months=tuple(months), headline=headline)


def small_results(policy: Policy | None = None) -> MonthResults:
    people = pd.DataFrame([
        person("E01", "张伟", "服务顾问组", "A", 121.5, action="award", actions=("award",), a_run=3),
        person("E02", "=1+1", "服务顾问组", "C", 95.0, warnings=("本月无提成记录，绩效基数按0计",)),
        person("E03", "李/娜\x07", "机修车间", "D", 82.0, action="improvement_plan", actions=("improvement_plan",),
               d_run=2),
        person("E04", "王芳", "客服部", "E", 61.0, position="客服专员", category="functional",
               action="manager_warning", actions=("manager_warning", "improvement_plan"), d_run=2, e_run=2,
               adjustment=-3.0),
        person("E05", "赵强", "机修车间", "D", 80.0, position="机修技师", action="hr_warning",
               actions=("hr_warning",), d_run=4),
        person("E06", "刘新", "客服部", "", 0.0),                              # exempt: probation
    ], columns=PEOPLE_COLUMNS)
    item_rows = pd.DataFrame(
        items("E01", [("售后产值", 100.0, 125.0, "万元", 0.5), ("客户满意度", 0.9, 0.95, "%", 0.3),
                      ("工时收入", 800.0, 900.0, "元", 0.2)])
        + items("E02", [("售后产值", 100.0, 95.0, "万元", 0.4), ("客户满意度", 0.9, 0.86, "%", 0.3),
                        ("工时收入", 800.0, 780.0, "元", 0.3)])
        + items("E03", [("一次修复率", 0.95, 0.80, "%", 0.4), ("返修工时", 100.0, 85.0, "小时", 0.3),
                        ("培训考核", 90.0, 70.0, "分", 0.3)])
        + items("E04", [("回访完成率", 1.0, 0.50, "%", 0.4), ("投诉处理及时率", 0.95, 0.70, "%", 0.3),
                        ("客户满意度", 0.90, 0.70, "%", 0.2), ("档案完整率", 1.0, 0.98, "%", 0.1)])
        + items("E05", [("工时收入", 800.0, 600.0, "元", 0.5), ("一次修复率", 0.95, 0.90, "%", 0.3),
                        ("培训考核", 90.0, 95.0, "分", 0.2)]),
        columns=ITEM_COLUMNS)
    adjustments = pd.DataFrame([dict(employee_id="E04", points=-3.0, reason="工服不规范被通报", veto=False)],
                               columns=ADJUSTMENT_COLUMNS)
    hist = [("2026-05", "E05", 85.0, "D"), ("2026-06", "E05", 84.0, "D"), ("2026-07", "E05", 86.0, "D"),
            ("2026-08", "E05", 80.0, "D"), ("2026-07", "E03", 88.0, "D"), ("2026-08", "E03", 82.0, "D"),
            ("2026-07", "E04", 65.0, "E"), ("2026-08", "E04", 61.0, "E")]
    names = dict(zip(people["employee_id"], zip(people["name"], people["department"])))
    history = pd.DataFrame([dict(month=m, employee_id=e, name=names[e][0], department=names[e][1], total=t,
                                 grade=g, pay=0.0) for m, e, t, g in hist], columns=HISTORY_COLUMNS)
    actions = pd.DataFrame([                                  # the pipeline's order: most severe first
        act("E04", "王芳", "客服部", "manager_warning", [("2026-07", "E"), ("2026-08", "E")]),
        act("E05", "赵强", "机修车间", "hr_warning",
            [("2026-05", "D"), ("2026-06", "D"), ("2026-07", "D"), ("2026-08", "D")]),
        act("E03", "李/娜\x07", "机修车间", "improvement_plan", [("2026-07", "D"), ("2026-08", "D")]),
        act("E04", "王芳", "客服部", "improvement_plan", [("2026-07", "E"), ("2026-08", "E")], headline=False),
        act("E01", "张伟", "服务顾问组", "award", [("2026-06", "A"), ("2026-07", "A"), ("2026-08", "A")]),
    ], columns=ACTION_COLUMNS)
    return MonthResults(store="测试4S店", month=MONTH, policy=policy or Policy(), people=people, items=item_rows,
                        adjustments=adjustments, history=history, actions=actions,
                        scorers=pd.DataFrame(columns=SCORER_COLUMNS))


# --------------------------------------------------------------------------- reading files back
def docx_text(path) -> str:
    from docx import Document
    d = Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text.replace("\n", " ") for c in row.cells))
    return "\n".join(parts)


def sheet_values(ws) -> list:
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


def read_index(folder: Path, month=MONTH) -> list[dict]:
    with open(Path(folder) / f"{month}_索引.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))
