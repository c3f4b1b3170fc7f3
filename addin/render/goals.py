"""目标设定表 (SPEC §9, [000 5.1.1]): one printable A4 goal sheet per employee and month.

:func:`goal_contexts` turns the month's people and their scorecard items (targets resolved
like the month end resolves them) into plain dicts; :func:`render_goal_book` writes them, one
sheet each, from ``workbook/goal_form.xlsx`` (built by ``workbook/build_cycle_documents.py``)
with the appraisal form's template engine (:class:`addin.render.forms.FormTemplate`).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from udfs.policy import Policy
from udfs.vocab import CATEGORY, DIRECTION, GRADING

from .doctext import by_employee, fmt_number, interview_text, number, text, zh_date, zh_month
from .forms import render_form_book

GOAL_TEMPLATE = "goal_form.xlsx"
WEEKDAYS = "一二三四五六日"
SOURCES = (("act_target", "月度实绩"), ("card_target", "考核表"), ("plan_target", "目标分解"), ("lib_target", "指标库"))


def due_text(due) -> str:
    """2026-10-08 → '2026年10月8日（周四）'."""
    d = pd.Timestamp(due).date()
    return f"{zh_date(d)}（周{WEEKDAYS[d.weekday()]}）"


def rule_text(kind: str, direction: str, policy: Policy) -> str:
    """How an item is scored, in the words of the scorecard rules (SPEC §3.1)."""
    if kind == "rated":
        blend = "以直接上级评分为准" if policy.rating_manager == 1 else \
            f"自评{policy.rating_self:.0%}·上级{policy.rating_manager:.0%}·360°{policy.rating_peer:.0%}"
        return f"评分：按满分的0–{policy.rating_max:.0%}评定，{blend}"
    e = DIRECTION.entry(direction or "higher")
    cap = f"，封顶{policy.ratio_cap:.0%}" if e.code in ("higher", "lower", "lower_linear") else ""
    return f"{e.label}：{e.note}{cap}"


def rules_text(policy: Policy) -> str:
    return (f"单项得分 = 100 × 权重 × 完成率；总分 = 各项得分 + 加减分（{fmt_number(policy.total_min)}–"
            f"{fmt_number(policy.total_max)}分，有否决项时不高于{fmt_number(policy.veto_cap)}分）。"
            f"等级：A 杰出 ≥{fmt_number(policy.a_min)}、B 优秀 ≥{fmt_number(policy.b_min)}、C 良好 ≥{fmt_number(policy.c_min)}、"
            f"D 待改进 >{fmt_number(policy.e_max)}、E 不胜任 ≤{fmt_number(policy.e_max)}（{GRADING.label(policy.grading)}）。"
            f"绩效工资 = 绩效基数 × 总分 ÷ 100，随当月工资发放。")


def _item(rec: dict, policy: Policy) -> dict:
    rated = rec.get("kind") == "rated"
    target = None if rated else number(rec.get("target"))
    source = next((label for col, label in SOURCES if number(rec.get(col)) is not None), "")
    return {
        "seq": number(rec.get("seq")),
        "section": text(rec.get("section")),
        "item": text(rec.get("item")) or text(rec.get("kpi_id")),
        "kind": "评分" if rated else "KPI",
        "weight": number(rec.get("weight")),
        "target": target,
        "target_raw": "评分项" if rated else ("待定" if target is None else ""),
        "unit": text(rec.get("unit")),
        "rule": rule_text("rated" if rated else "kpi", text(rec.get("direction")), policy),
        "source": "—" if rated else (source or "待定"),
        "actual": None, "actual_raw": "", "score": None,
    }


def goal_contexts(store: str, month: str, people: pd.DataFrame, items: pd.DataFrame, interviews: pd.DataFrame,
                  due, policy: Policy, generated: str = "") -> list[dict]:
    """One goal sheet per person of ``people`` (roster order) with their items (seq order)."""
    ids = people["employee_id"].tolist()
    items = items.sort_values(["employee_id", "seq"], kind="stable") if len(items) else items
    by_items = by_employee(items, ids)
    talks = by_employee(interviews, ids)
    rules = rules_text(policy)
    out = []
    for p in people.to_dict("records"):
        eid = p["employee_id"]
        its = [_item(r, policy) for r in by_items.get(eid, [])]
        weights = [i["weight"] for i in its if i["weight"] is not None]
        open_ = sum(1 for i in its if i["kind"] == "KPI" and i["target"] is None)
        note = f"共 {len(its)} 项"
        if not policy.items_min <= len(its) <= policy.items_max:
            note += f"（应为{policy.items_min}–{policy.items_max}项）"
        if open_:
            note += f"；{open_} 项目标值待定，请填写后签字"
        out.append({
            "store": text(store), "month": month, "period": zh_month(month), "due_text": due_text(due),
            "goal_day": policy.goal_day,
            "employee_id": text(eid), "name": text(p.get("name")), "department": text(p.get("department")),
            "position": text(p.get("position")),
            "category": CATEGORY.label(text(p.get("category")), text(p.get("category"))),
            "manager": text(p.get("manager")), "next_manager": text(p.get("next_manager")),
            "group": "按部门" if policy.eval_group == "department" else "全店",
            "items": its, "adjustments": [],
            "weight_sum": sum(weights) if weights else None, "items_note": note, "open_targets": open_,
            "development_plan": interview_text(talks.get(eid, [])),
            "rules": rules,
            "footer": f"kpi4s 生成 {generated}  ·  {text(store)}  ·  {month} 目标设定  ·  {text(eid)} {text(p.get('name'))}",
        })
    return out


def render_goal_book(path, contexts: list[dict]) -> Path:
    """One workbook at ``path`` with a 目标设定表 sheet per context (written atomically)."""
    return render_form_book(path, contexts, GOAL_TEMPLATE)


def now_text() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M")


__all__ = ["GOAL_TEMPLATE", "goal_contexts", "render_goal_book", "rule_text", "rules_text", "due_text"]
