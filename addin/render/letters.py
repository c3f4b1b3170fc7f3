"""严重警告 letters and 绩效改进计划 (SPEC §3.7, §3.10): one Word file per action that calls for one.

:func:`letter_contexts` turns the month's actions into plain dicts (picklable); :func:`render_docx`
fills the docxtpl template of the action (``workbook/*.docx``, built by
``workbook/build_documents.py``; HR may edit them in Word). The reasons are built from the
action's ``months`` — (month, grade) pairs — and the history's totals, never from text.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from addin.io.outputs import template_dir
from addin.io.save import atomic_save
from addin.month.results import MonthResults
from udfs.consequences import run_grades
from udfs.policy import Policy
from udfs.vocab import ACTION, GRADE

from .doctext import (add_months, by_employee, flag, fmt_number, fmt_ratio, fmt_score, fmt_value, is_percent,
                      item_view, number, text, zh_count, zh_date, zh_month, zh_ordinal)


@dataclass(frozen=True)
class Letter:
    """One kind of document: its template, the short name used in file names, its reference code."""

    template: str
    kind: str
    ref: str


# the actions that call for a document (SPEC §3.7); every other action gets none
LETTERS = {
    "improvement_plan": Letter("improvement_plan.docx", "绩效改进计划", "GJ"),
    "hr_warning": Letter("letter_hr_warning.docx", "严重警告-人力资源部", "JG2"),
    "manager_warning": Letter("letter_manager_warning.docx", "严重警告-直线经理", "JG1"),
}
LETTER_ACTIONS = tuple(LETTERS)
WARNINGS = ("hr_warning", "manager_warning")
REASON_ITEMS = 3            # items furthest below target named in a letter
_TEMPLATES: dict = {}       # (template name, folder) → (prepared template, caching Jinja environment)


# =============================================================================
# contexts
# =============================================================================

def _totals(results: MonthResults, ids) -> dict:
    """{(employee_id, month): total} from the history, for these people."""
    h = results.history
    if h is None or h.empty:
        return {}
    h = h[h["employee_id"].isin(list(ids))]
    return dict(zip(zip(h["employee_id"].astype(str), h["month"].astype(str)), h["total"].to_numpy()))


def trigger_text(months, eid: str, totals: dict) -> str:
    """((2026-07, D), (2026-08, D)) → '2026年7月 D级（待改进，88.0分）、2026年8月 D级（待改进，82.0分）'."""
    parts = []
    for m, g in months or ():
        extra = "，".join(x for x in (GRADE.label(g), fmt_score(totals.get((eid, m)))) if x)
        parts.append(f"{zh_month(m)} {g}级" + (f"（{extra}）" if extra else ""))
    return "、".join(parts)


def _goal_text(it: dict, step: int, steps: int) -> str:
    """Interim goal after ``step`` of ``steps`` months: linear from this month's result to the target."""
    if it["kind"] == "rated" or it["target"] is None or it["actual"] is None:
        now = it["ratio"] if it["ratio"] is not None else 0.0
        return f"评分≥{(now + (1.0 - now) * step / steps) * 100:.0f}%"
    goal = it["actual"] + (it["target"] - it["actual"]) * step / steps
    if not is_percent(it["unit"]) and abs(goal) >= 100:
        goal = round(goal)
    return f"{'≤' if it['lower'] else '≥'} {fmt_value(goal, it['unit'])}"


def _reasons(code: str, run: int, trigger: str, month: str, below: list, adjustments: list) -> list[str]:
    grades = run_grades(code)                   # the run behind the action (udfs.consequences)
    track = f"{grades[0]}级（{GRADE.label(grades[0])}）" + ("或以下" if len(grades) > 1 else "")
    reasons = [f"{zh_count(run)}连续绩效评估等级为{track}：{trigger}。" if trigger
               else f"{zh_count(run)}连续绩效评估不达标。"]
    when = zh_month(month)
    for it in below[:REASON_ITEMS]:
        if it["kind"] == "rated":
            reasons.append(f"{when}「{it['item']}」评分仅为 {fmt_ratio(it['ratio'])}，明显低于岗位要求。")
        else:
            reasons.append(f"{when}「{it['item']}」目标 {fmt_value(it['target'], it['unit'])}，"
                           f"实际 {fmt_value(it['actual'], it['unit'])}，完成率 {fmt_ratio(it['ratio'])}。")
    for adj in adjustments:
        pts, veto = number(adj.get("points")) or 0.0, flag(adj.get("veto"))
        if (veto or pts < 0) and len(reasons) < REASON_ITEMS + 2:
            reasons.append(f"{when}{'否决项' if veto else '扣分'}：{text(adj.get('reason'))}"
                           + (f"（{fmt_number(pts)}分）" if pts else "") + "。")
    return reasons


def _plan(policy: Policy, issue: dt.date, run: int, trigger: str, month: str, below: list) -> dict:
    steps = policy.plan_months
    items = [{
        "item": it["item"],
        "target": "评分100%" if it["kind"] == "rated" else fmt_value(it["target"], it["unit"]),
        "actual": fmt_ratio(it["ratio"]) if it["kind"] == "rated" else fmt_value(it["actual"], it["unit"]),
        "ratio": fmt_ratio(it["ratio"]),
        "score": fmt_number(it["score"]),
        "goals": [f"第{k}月 {_goal_text(it, k, steps)}" for k in range(1, steps + 1)],
    } for it in below] or [{"item": "（各考核项均已达标，扣分来自加减分/否决项）", "target": "", "actual": "",
                            "ratio": "", "score": "", "goals": ["消除扣分事项"]}]
    reviews = [add_months(issue, k) for k in range(1, steps + 1)]
    return {
        "trigger": f"连续{zh_count(run)}绩效评估为D级或以下：{trigger}",
        "items": items,
        "start": zh_date(issue),
        "end": zh_date(add_months(issue, steps)),
        "plan_period": zh_count(steps),
        "period": zh_month(month),
        "reviews": [{"label": f"第{zh_ordinal(k)}次回顾", "date": zh_date(d)} for k, d in enumerate(reviews, 1)],
        "review_dates": [d.isoformat() for d in reviews],
        "overall_goal": f"改进期内每月绩效评估达到C级（{GRADE.label('C')}，≥{fmt_number(policy.c_min)}分）及以上",
        "rule": f"说明：改进期为{zh_count(steps)}，由直线经理帮助员工制定并落实改进措施；"
                f"如改进期评估成绩仍为D者，将由人力资源部出具严重警告信（《员工绩效考核管理制度》5.8）。",
    }


def letter_contexts(results: MonthResults, issue: dt.date) -> list[dict]:
    """One context per action of the month that calls for a document (LETTER_ACTIONS): roster
    order, and for one person the plan before the letters (ACTION order)."""
    acts = results.actions
    if acts is None or acts.empty:
        return []
    acts = acts[acts["action"].isin(LETTER_ACTIONS)]
    if acts.empty:
        return []
    roster = {e: i for i, e in enumerate(results.people["employee_id"])}
    kinds = {c: i for i, c in enumerate(ACTION.codes)}
    acts = acts.assign(_p=acts["employee_id"].map(roster).fillna(len(roster)), _a=acts["action"].map(kinds))
    acts = acts.sort_values(["_p", "_a"], kind="stable")
    ids = acts["employee_id"].unique().tolist()
    people = {r["employee_id"]: r for r in results.people[results.people["employee_id"].isin(ids)]
              .drop_duplicates("employee_id").to_dict("records")}
    items = results.items
    if items is not None and not items.empty:       # below target, worst first
        items = items.assign(_sf=pd.to_numeric(items["shortfall"], errors="coerce"))
        items = items[items["_sf"] > 1e-9].sort_values(["employee_id", "_sf"], ascending=[True, False],
                                                      kind="stable")
    by_items, by_adj = by_employee(items, ids), by_employee(results.adjustments, ids)
    totals = _totals(results, ids)
    policy: Policy = results.policy
    deadline = add_months(issue, policy.correction_months)
    out = []
    for a in acts.to_dict("records"):
        eid, code = a["employee_id"], a["action"]
        p = people.get(eid, {})
        months = [(text(m), text(g)) for m, g in (a.get("months") or ())]
        run = int(number(a.get("run")) or len(months))
        trigger = trigger_text(months, str(eid), totals)
        below = [item_view(r) for r in by_items.get(eid, [])]
        ctx = {
            "action": code,
            "label": ACTION.label(code, code),
            "kind": LETTERS[code].kind,
            "store": text(results.store),
            "month": results.month,
            "employee_id": text(eid),
            "name": text(a.get("name")) or text(p.get("name")),
            "department": text(a.get("department")) or text(p.get("department")),
            "position": text(p.get("position")),
            "manager": text(a.get("manager")) or text(p.get("manager")),
            "next_manager": text(p.get("next_manager")),
            "months": months,
            "run": run,
            "issue_date": zh_date(issue),
            "issue": issue.isoformat(),
            "ref": f"{results.month}-{text(eid)}-{LETTERS[code].ref}",
        }
        if code in WARNINGS:
            ctx.update(reasons=_reasons(code, run, trigger, results.month, below, by_adj.get(eid, [])),
                       deadline=zh_date(deadline), deadline_iso=deadline.isoformat(),
                       correction_period=zh_count(policy.correction_months))
        else:
            ctx.update(_plan(policy, issue, run or policy.plan_run, trigger, results.month, below))
        out.append(ctx)
    return out


# =============================================================================
# rendering (one prepared template per process)
# =============================================================================

def docx_template(code: str):
    """(template, Jinja environment) of an action's document, prepared once per process.

    docxtpl re-patches and re-compiles the same document XML on every render; the subclass
    keeps the patched XML and the environment keeps the compiled templates, so a render costs
    the Jinja run and the zip (PERF-NOTES: template size is the cost).
    """
    return prepared_template(LETTERS[code].template)


def prepared_template(name: str):
    """(template, Jinja environment) of the docxtpl template ``name`` in workbook/, once per process."""
    folder = template_dir(name)
    key = (name, folder)
    hit = _TEMPLATES.get(key)
    if hit is None:
        # docxtpl/jinja2 are imported here: only rendering needs them, not every door's start-up
        from docxtpl import DocxTemplate
        from jinja2 import Environment

        class CachingEnvironment(Environment):
            def from_string(self, source, globals=None, template_class=None):
                got = self.compiled.get(source)
                if got is None:
                    got = self.compiled[source] = super().from_string(source, globals, template_class)
                return got

        class PreparedTemplate(DocxTemplate):
            _patched = None

            def build_xml(self, context, jinja_env=None):
                if self._patched is None:
                    self._patched = self.patch_xml(self.get_xml())
                return self.render_xml_part(self._patched, self.docx._part, context, jinja_env)

        env = CachingEnvironment(autoescape=True)
        env.compiled = {}
        hit = _TEMPLATES[key] = (PreparedTemplate(str(folder / name)), env)
    return hit


def render_docx(path, ctx: dict) -> Path:
    """Fill the template of ``ctx['action']`` and save it at ``path`` (atomically)."""
    tpl, env = docx_template(ctx["action"])
    tpl.render(ctx, jinja_env=env)
    return atomic_save(tpl.save, path)


__all__ = ["LETTERS", "LETTER_ACTIONS", "REASON_ITEMS", "letter_contexts", "trigger_text", "docx_template",
           "prepared_template", "render_docx"]
