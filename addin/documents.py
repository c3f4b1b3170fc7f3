"""评估表 / 警告信: the month's appraisal forms, warning letters and improvement plans (SPEC §3.10).

Input is the month's :class:`addin.results.MonthResults` (``report.compute_month``); output is one
file per document, filled from the templates in ``workbook/`` (built by ``workbook/build_documents.py``;
HR may edit them). Forms are openpyxl workbooks (``{{token}}`` cells), letters and plans are docxtpl
templates. Files are written atomically; re-running a month replaces that month's files.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from addin.errors import BookError, Problem
from addin.results import MonthResults
from udfs.policy import ACTION_LABELS, CATEGORY_ALIASES, GRADE_LABELS, Policy

FORM_TEMPLATE = "appraisal_form.xlsx"
LETTER_TEMPLATES = {
    "manager_warning": "letter_manager_warning.docx",
    "hr_warning": "letter_hr_warning.docx",
    "improvement_plan": "improvement_plan.docx",
}
LETTER_ACTIONS = tuple(LETTER_TEMPLATES)
# short labels used in file names
DOC_KIND = {
    "manager_warning": "严重警告-直线经理",
    "hr_warning": "严重警告-人力资源部",
    "improvement_plan": "绩效改进计划",
}
FORMS_DIR = "评估表"
LETTERS_DIR = "警告信"
OUTPUT_ROOT = "kpi4s-输出"
INDEX_NAME = "{month}_索引.csv"
ISSUE_KEYS = ("issue_date", "签发日期", "发文日期")
REASON_ITEMS = 3            # items furthest below target named in a letter
PARALLEL_MIN = 150          # documents before we use a process pool
DOC_SUFFIXES = (".xlsx", ".docx", ".pdf")

CATEGORY_ZH = {"profit": "创利部门", "functional": "职能部门", "manager": "部门经理",
               "support_manager": "行政/人力/客服经理"}
_ZH_ORD = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}
_ZH_NUM = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
           11: "十一", 12: "十二"}


# =============================================================================
# small helpers
# =============================================================================

_BAD_FILE_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]+')
_BAD_SHEET_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\[\]:*?/\\]+")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def safe_name(text: Any, limit: int = 40) -> str:
    """A file-name component: no path separators, no control or reserved characters."""
    s = _BAD_FILE_CHARS.sub("_", clean_text(text))
    s = re.sub(r"\s+", " ", s).strip(" ._")[:limit].strip(" ._")
    return s or "未命名"


def clean_text(value: Any) -> str:
    """Any cell value as display text ('' for blank/NaN), without XML-illegal characters."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return _ILLEGAL_XML.sub("", str(value))


def _num(value) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def add_months(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.month - 1 + int(n), 12)
    y += day.year
    m += 1
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def zh_month(month: str) -> str:
    y, m = month.split("-")[:2]
    return f"{int(y)}年{int(m)}月"


def zh_count(n: int, unit: str = "个月") -> str:
    return f"{_ZH_NUM.get(int(n), str(int(n)))}{unit}"


def next_month(month: str, n: int = 1) -> str:
    y, m = (int(x) for x in month.split("-")[:2])
    d = add_months(dt.date(y, m, 1), n)
    return f"{d.year:04d}-{d.month:02d}"


def parse_date(value: Any) -> dt.date | None:
    """A date as typed on the 设置 sheet: date/datetime, '2026-09-05', '2026/9/5', '2026年9月5日', serial."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 200000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        raise ValueError(str(value))
    m = re.match(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", str(value))
    if not m:
        raise ValueError(str(value))
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def fmt_number(v: float | None, decimals: int = 2) -> str:
    if v is None:
        return ""
    text = f"{v:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def is_percent(unit: str) -> bool:
    return unit.strip() in ("%", "％", "百分比")


def fmt_value(v: Any, unit: str) -> str:
    """A target/actual for reading: 0.95 with unit % → 95%; 12000 元 → 12,000元."""
    x = _num(v)
    if x is None:
        return clean_text(v)
    if is_percent(unit):
        return f"{fmt_number(x * 100 if abs(x) <= 5 else x, 1)}%"
    return f"{fmt_number(x)}{unit}"


def fmt_ratio(v: Any) -> str:
    x = _num(v)
    return "" if x is None else f"{x * 100:.1f}%"


def _atomic(path: Path, save) -> Path:
    from addin.book import atomic_save
    atomic_save(save, path)
    return path


def template_dir() -> Path:
    """The folder holding the templates (the repository's or the installed ``workbook`` package)."""
    here = Path(__file__).resolve().parent.parent / "workbook"
    if (here / FORM_TEMPLATE).exists():
        return here
    import importlib.util
    spec = importlib.util.find_spec("workbook")
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if (Path(loc) / FORM_TEMPLATE).exists():
            return Path(loc)
    raise FileNotFoundError("找不到模板文件夹 workbook/（appraisal_form.xlsx 等）")


# =============================================================================
# contexts: MonthResults → plain dicts (picklable, one per document)
# =============================================================================

def _records_by_employee(df: pd.DataFrame, ids: Iterable) -> dict:
    """{employee_id: [row dicts]} for the given ids (one pass, no per-row pandas)."""
    if df is None or df.empty:
        return {}
    sub = df[df["employee_id"].isin(list(ids))]
    if sub.empty:
        return {}
    recs = sub.to_dict("records")
    out: dict = {}
    for eid, pos in sub.groupby("employee_id", sort=False).indices.items():
        out[eid] = [recs[i] for i in pos]
    return out


def _item_view(rec: dict) -> dict:
    unit = clean_text(rec.get("unit"))
    rated = clean_text(rec.get("kind")) == "rated"
    ratio = _num(rec.get("rating") if rated else rec.get("ratio"))
    if ratio is None:
        ratio = _num(rec.get("ratio"))
    return {
        "seq": _num(rec.get("seq")),
        "section": clean_text(rec.get("section")),
        "item": clean_text(rec.get("item")) or clean_text(rec.get("kpi_id")),
        "kind": "rated" if rated else "kpi",
        "weight": _num(rec.get("weight")),
        "target": None if rated else _num(rec.get("target")),
        "actual": None if rated else _num(rec.get("actual")),
        "target_raw": "" if rated else clean_text(rec.get("target")),
        "actual_raw": "" if rated else clean_text(rec.get("actual")),
        "unit": unit,
        "direction": clean_text(rec.get("direction")) or "higher",
        "ratio": ratio,
        "score": _num(rec.get("score")),
        "shortfall": _num(rec.get("shortfall")),
    }


def form_contexts(results: MonthResults, generated: str = "") -> list[dict]:
    """One context per graded employee (exempt and ungraded staff get none), in roster order."""
    people = results.people
    graded = people[people["grade"].fillna("").astype(str).str.strip() != ""]
    if "eligible" in graded:
        graded = graded[graded["eligible"].fillna(False).astype(bool)]
    ids = graded["employee_id"].tolist()
    items = results.items
    if items is not None and not items.empty and "seq" in items:
        items = items.sort_values(["employee_id", "seq"], kind="stable")
    by_items = _records_by_employee(items, ids)
    by_adj = _records_by_employee(results.adjustments, ids)
    out = []
    for p in graded.to_dict("records"):
        eid = p["employee_id"]
        its = [_item_view(r) for r in by_items.get(eid, [])]
        adjs = [{"reason": clean_text(a.get("reason")), "points": _num(a.get("points")),
                 "veto": bool(a.get("veto")) if a.get("veto") is not None and not pd.isna(a.get("veto")) else False}
                for a in by_adj.get(eid, [])]
        weights = [i["weight"] for i in its if i["weight"] is not None]
        remarks = [clean_text(p.get("warnings"))]
        if bool(p.get("veto")) and not pd.isna(p.get("veto")):
            remarks.append(f"本月有否决项，总分不高于{fmt_number(results.policy.veto_cap)}分")
        actions = clean_text(p.get("actions"))
        if actions:
            remarks.append("本月措施：" + "、".join(ACTION_LABELS.get(a.strip(), a.strip())
                                                   for a in actions.split(";") if a.strip()))
        cat = clean_text(p.get("category"))
        canon = CATEGORY_ALIASES.get(cat, cat)
        grade = clean_text(p.get("grade"))
        out.append({
            "store": results.store,
            "month": results.month,
            "period": zh_month(results.month),
            "employee_id": clean_text(eid),
            "name": clean_text(p.get("name")),
            "department": clean_text(p.get("department")),
            "position": clean_text(p.get("position")),
            "category": CATEGORY_ZH.get(canon, cat),
            "manager": clean_text(p.get("manager")),
            "next_manager": clean_text(p.get("next_manager")),
            "group": clean_text(p.get("group")),
            "items": its,
            "adjustments": adjs,
            "weight_sum": sum(weights) if weights else None,
            "items_score": _num(p.get("items_score")),
            "adjustment": _num(p.get("adjustment")) or 0.0,
            "total": _num(p.get("total")),
            "grade": grade,
            "grade_label": clean_text(p.get("grade_label")) or GRADE_LABELS.get(grade, ""),
            "band_grade": clean_text(p.get("band_grade")),
            "remarks": "；".join(r for r in remarks if r),
            "development_plan": "",
            "employee_comment": "",
            "manager_comment": "",
            "footer": f"kpi4s 生成 {generated}  ·  {results.store}  ·  {results.month}  ·  "
                      f"{clean_text(eid)} {clean_text(p.get('name'))}",
        })
    return out


def _history_lookup(results: MonthResults, ids=None) -> dict:
    """{(employee_id, month): total} from the history (only for `ids` when given)."""
    h = results.history
    if h is None or h.empty:
        return {}
    if ids is not None:
        h = h[h["employee_id"].isin(list(ids))]
    keys = zip(h["employee_id"].astype(str), h["month"].astype(str))
    return dict(zip(keys, h["total"].to_numpy()))


def _trigger_text(months: str, eid: str, totals: dict) -> tuple[str, int]:
    """'2026-07 D; 2026-08 D' → ('2026年7月 D（待改进，85.0分）、2026年8月 D（…）', 2)."""
    parts = []
    for chunk in str(months or "").split(";"):
        bits = chunk.split()
        if len(bits) < 2:
            continue
        m, g = bits[0], bits[1]
        score = _num(totals.get((eid, m)))
        label = GRADE_LABELS.get(g, "")
        extra = "，".join(x for x in (label, f"{score:.1f}分" if score is not None else "") if x)
        try:
            mz = zh_month(m)
        except (ValueError, IndexError):
            mz = m
        parts.append(f"{mz} {g}级" + (f"（{extra}）" if extra else ""))
    return "、".join(parts), len(parts)


def _goal_text(it: dict, step: int, steps: int) -> str:
    """Interim goal after `step` of `steps` months: linear from this month's result to the target."""
    lower = it["direction"] in ("lower", "lower_linear", "max")
    sign = "≤" if lower else "≥"
    if it["kind"] == "rated" or it["target"] is None or it["actual"] is None:
        now = it["ratio"] if it["ratio"] is not None else 0.0
        goal = now + (1.0 - now) * step / steps
        return f"评分≥{goal * 100:.0f}%"
    goal = it["actual"] + (it["target"] - it["actual"]) * step / steps
    if not is_percent(it["unit"]) and abs(goal) >= 100:
        goal = round(goal)
    return f"{sign} {fmt_value(goal, it['unit'])}"


def letter_contexts(results: MonthResults, issue: dt.date) -> list[dict]:
    """One context per action of the month that calls for a document (warnings, plans)."""
    acts = results.actions
    if acts is None or acts.empty:
        return []
    acts = acts[acts["action"].isin(LETTER_ACTIONS)]
    if acts.empty:
        return []
    policy: Policy = results.policy
    ppl = results.people[results.people["employee_id"].isin(acts["employee_id"].unique())]
    pmap = {r["employee_id"]: r for r in ppl.drop_duplicates("employee_id").to_dict("records")}
    ids = acts["employee_id"].unique().tolist()
    items = results.items
    if items is not None and not items.empty:
        items = items.assign(_sf=pd.to_numeric(items["shortfall"], errors="coerce"))
        items = items[items["_sf"] > 1e-9].sort_values(["employee_id", "_sf"], ascending=[True, False],
                                                      kind="stable")
    by_items = _records_by_employee(items, ids)
    by_adj = _records_by_employee(results.adjustments, ids)
    totals = _history_lookup(results, ids)
    deadline = add_months(issue, policy.correction_months)
    out = []
    for a in acts.to_dict("records"):
        eid = a["employee_id"]
        p = pmap.get(eid, {})
        code = a["action"]
        trigger, n = _trigger_text(a.get("months"), str(eid), totals)
        below = [_item_view(r) for r in by_items.get(eid, [])]
        name = clean_text(a.get("name")) or clean_text(p.get("name"))
        base = {
            "action": code,
            "label": ACTION_LABELS.get(code, code),
            "kind": DOC_KIND[code],
            "store": results.store,
            "month": results.month,
            "employee_id": clean_text(eid),
            "name": name,
            "department": clean_text(a.get("department")) or clean_text(p.get("department")),
            "position": clean_text(p.get("position")),
            "manager": clean_text(a.get("manager")) or clean_text(p.get("manager")),
            "next_manager": clean_text(p.get("next_manager")),
            "months": clean_text(a.get("months")),
            "issue_date": zh_date(issue),
            "issue": issue.isoformat(),
            "ref": f"{results.month}-{clean_text(eid)}-{ {'manager_warning': 'JG1', 'hr_warning': 'JG2', 'improvement_plan': 'GJ'}[code]}",
        }
        if code in ("manager_warning", "hr_warning"):
            run = int(_num(a.get("run")) or n or 0)
            reasons = [f"{zh_count(run)}连续绩效评估等级为{'E级（不胜任）' if code == 'manager_warning' else 'D级（待改进）或以下'}："
                       f"{trigger}。" if trigger else
                       f"{zh_count(run)}连续绩效评估不达标。"]
            for it in below[:REASON_ITEMS]:
                if it["kind"] == "rated":
                    reasons.append(f"{zh_month(results.month)}「{it['item']}」评分仅为 {fmt_ratio(it['ratio'])}，明显低于岗位要求。")
                else:
                    reasons.append(f"{zh_month(results.month)}「{it['item']}」目标 {fmt_value(it['target'], it['unit'])}，"
                                   f"实际 {fmt_value(it['actual'], it['unit'])}，完成率 {fmt_ratio(it['ratio'])}。")
            for adj in by_adj.get(eid, []):
                pts = _num(adj.get("points")) or 0.0
                veto = adj.get("veto") is True or (adj.get("veto") not in (None, False) and not pd.isna(adj.get("veto")))
                if (veto or pts < 0) and len(reasons) < REASON_ITEMS + 2:
                    reasons.append(f"{zh_month(results.month)}{'否决项' if veto else '扣分'}：{clean_text(adj.get('reason'))}"
                                   + (f"（{fmt_number(pts)}分）" if pts else "") + "。")
            base.update({
                "reasons": reasons,
                "deadline": zh_date(deadline),
                "deadline_iso": deadline.isoformat(),
                "correction_period": zh_count(policy.correction_months),
            })
        else:
            plan_items = []
            for it in below:
                plan_items.append({
                    "item": it["item"],
                    "target": "评分100%" if it["kind"] == "rated" else fmt_value(it["target"], it["unit"]),
                    "actual": fmt_ratio(it["ratio"]) if it["kind"] == "rated" else fmt_value(it["actual"], it["unit"]),
                    "ratio": fmt_ratio(it["ratio"]),
                    "score": fmt_number(it["score"]),
                    "goals": [f"第{k}月 {_goal_text(it, k, policy.plan_months)}"
                              for k in range(1, policy.plan_months + 1)],
                })
            if not plan_items:
                plan_items.append({"item": "（各考核项均已达标，扣分来自加减分/否决项）", "target": "", "actual": "",
                                   "ratio": "", "score": "", "goals": ["消除扣分事项"]})
            base.update({
                "trigger": f"连续{zh_count(int(_num(a.get('run')) or n or policy.plan_run))}绩效评估为D级或以下：{trigger}",
                "items": plan_items,
                "start": zh_date(issue),
                "end": zh_date(add_months(issue, policy.plan_months)),
                "plan_period": zh_count(policy.plan_months),
                "period": zh_month(results.month),
                "reviews": [{"label": f"第{_ZH_ORD.get(k, str(k))}次回顾", "date": zh_date(add_months(issue, k))}
                            for k in range(1, policy.plan_months + 1)],
                "review_dates": [add_months(issue, k).isoformat() for k in range(1, policy.plan_months + 1)],
                "overall_goal": f"改进期内每月绩效评估达到C级（良好，≥{fmt_number(policy.c_min)}分）及以上",
                "rule": f"说明：改进期为{zh_count(policy.plan_months)}，由直线经理帮助员工制定并落实改进措施；"
                        f"如改进期评估成绩仍为D者，将由人力资源部出具严重警告信（《员工绩效考核管理制度》5.8）。",
            })
        out.append(base)
    return out


# =============================================================================
# renderers (one template per process, cached)
# =============================================================================

_TOKEN = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")
_CACHE: dict = {}


class FormTemplate:
    """The appraisal-form template, read once with openpyxl into a recipe written with xlsxwriter.

    HR edits ``workbook/appraisal_form.xlsx`` in Excel; this class reads its first sheet —
    cells, ``{{token}}`` placeholders, styles, merged ranges, column widths, row heights, page
    setup, print titles — and replays it per employee with xlsxwriter, which writes a form in a
    fraction of openpyxl's time (PERF-NOTES). Rows holding ``{{item.*}}`` tokens are the item
    slots, rows holding ``{{adj.*}}`` tokens the adjustment slots.
    """

    BORDER = {"hair": 7, "thin": 1, "medium": 2, "dashed": 3, "dotted": 4, "thick": 5, "double": 6,
              "mediumDashed": 8, "dashDot": 9, "mediumDashDot": 10, "dashDotDot": 11,
              "mediumDashDotDot": 12, "slantDashDot": 13}

    def __init__(self, path: Path):
        from openpyxl import load_workbook
        from openpyxl.utils import column_index_from_string
        self.path = Path(path)
        wb = load_workbook(self.path)
        ws = wb.worksheets[0]
        merged = {}
        inside = set()
        for r in ws.merged_cells.ranges:
            merged[(r.min_row, r.min_col)] = (r.max_row, r.max_col)
            inside.update((rr, cc) for rr in range(r.min_row, r.max_row + 1)
                          for cc in range(r.min_col, r.max_col + 1))
        self.styles: list[dict] = []
        style_ids: dict = {}
        self.cells = []            # (row0, col0, text|number|None, tokens, style id, (last row0, last col0)|None)
        item_rows, adj_rows = set(), set()
        for (row, col), c in sorted(ws._cells.items()):
            if (row, col) in inside and (row, col) not in merged:
                continue
            value = c.value
            if value is None and not c.has_style and (row, col) not in merged:
                continue
            props = self._props(c) if c.has_style else {}
            key = tuple(sorted(props.items()))
            if key not in style_ids:
                style_ids[key] = len(self.styles)
                self.styles.append(props)
            toks = _TOKEN.findall(value) if isinstance(value, str) else []
            if any(t.startswith("item.") for t in toks):
                item_rows.add(row)
            if any(t.startswith("adj.") for t in toks):
                adj_rows.add(row)
            end = merged.get((row, col))
            if end == (row, col):
                end = None
            self.cells.append((row - 1, col - 1, value, toks, style_ids[key],
                               (end[0] - 1, end[1] - 1) if end else None))
        self.item_rows = sorted(r - 1 for r in item_rows)
        self.adj_rows = sorted(r - 1 for r in adj_rows)
        self.widths = []
        for letter, dim in ws.column_dimensions.items():
            if dim.width:
                lo = dim.min or column_index_from_string(letter)
                hi = dim.max or lo
                self.widths.append((lo - 1, hi - 1, dim.width))
        self.heights = [(r - 1, d.height) for r, d in ws.row_dimensions.items() if d.height]
        ps = ws.page_setup
        self.paper = int(ps.paperSize or 9)
        self.landscape = ps.orientation == "landscape"
        fit = ws.sheet_properties.pageSetUpPr
        self.fit = (int(ps.fitToWidth if ps.fitToWidth is not None else 1),
                    int(ps.fitToHeight if ps.fitToHeight is not None else 1)) if fit and fit.fitToPage else None
        m = ws.page_margins
        self.margins = (m.left, m.right, m.top, m.bottom)
        self.header_footer_margins = (m.header, m.footer)
        self.center_h = bool(ws.print_options.horizontalCentered)
        self.center_v = bool(ws.print_options.verticalCentered)
        self.print_titles = self._rows_of(ws.print_title_rows)
        self.print_area = str(ws.print_area).split("!")[-1].replace("$", "") if ws.print_area else None
        if isinstance(ws.print_area, (list, tuple)):
            self.print_area = str(ws.print_area[0]).split("!")[-1].replace("$", "")
        self.footer = self._hf(ws.oddFooter)
        self.header = self._hf(ws.oddHeader)
        self.gridlines = bool(ws.sheet_view.showGridLines)

    @staticmethod
    def _rows_of(spec):
        if not spec:
            return None
        part = str(spec).split("!")[-1].replace("$", "")
        lo, _, hi = part.partition(":")
        try:
            return int(lo) - 1, int(hi or lo) - 1
        except ValueError:
            return None

    @staticmethod
    def _hf(hf) -> str:
        parts = []
        for code, side in (("&L", hf.left), ("&C", hf.center), ("&R", hf.right)):
            if side is not None and side.text:
                parts.append(code + side.text)
        return "".join(parts)

    @staticmethod
    def _color(c):
        rgb = getattr(c, "rgb", None) if c is not None else None
        if isinstance(rgb, str) and len(rgb) in (6, 8) and getattr(c, "type", "rgb") == "rgb":
            return "#" + rgb[-6:]
        return None

    def _props(self, c) -> dict:
        p: dict = {}
        f = c.font
        if f is not None:
            if f.name:
                p["font_name"] = f.name
            if f.sz:
                p["font_size"] = float(f.sz)
            if f.b:
                p["bold"] = True
            if f.i:
                p["italic"] = True
            if f.u:
                p["underline"] = 1
            col = self._color(f.color)
            if col and col.upper() != "#000000":
                p["font_color"] = col
        fill = c.fill
        if fill is not None and getattr(fill, "fill_type", None) == "solid":
            col = self._color(fill.fgColor)
            if col:
                p["pattern"], p["bg_color"] = 1, col
        b = c.border
        if b is not None:
            for side in ("left", "right", "top", "bottom"):
                s = getattr(b, side)
                if s is not None and s.style:
                    p[side] = self.BORDER.get(s.style, 1)
                    col = self._color(s.color)
                    if col and col.upper() != "#000000":
                        p[f"{side}_color"] = col
        a = c.alignment
        if a is not None:
            if a.horizontal and a.horizontal != "general":
                p["align"] = {"centerContinuous": "center_across"}.get(a.horizontal, a.horizontal)
            if a.vertical:
                p["valign"] = {"center": "vcenter"}.get(a.vertical, a.vertical)
            if a.wrap_text:
                p["text_wrap"] = True
            if a.indent:
                p["indent"] = int(a.indent)
        if c.number_format and c.number_format != "General":
            p["num_format"] = c.number_format
        return p

    # --- filling ---------------------------------------------------------
    def slots(self, ctx: dict) -> tuple[dict, dict]:
        """{row: item dict or None}, {row: adjustment dict or None}; overflow folded into the last slot."""
        its = list(ctx["items"])
        n = len(self.item_rows)
        if n and len(its) > n:
            rest = its[n - 1:]
            its = its[:n - 1] + [{
                "overflow": True, "seq": None, "section": "", "item": f"其他 {len(rest)} 项（见考核表）",
                "kind": "kpi", "weight": sum(i["weight"] or 0 for i in rest), "target": None, "actual": None,
                "target_raw": "", "actual_raw": "", "unit": "", "ratio": None,
                "score": sum(i["score"] or 0 for i in rest), "shortfall": None, "direction": "higher"}]
        adjs = list(ctx["adjustments"])
        m = len(self.adj_rows)
        if m and len(adjs) > m:
            rest = adjs[m - 1:]
            adjs = adjs[:m - 1] + [{"reason": f"其他 {len(rest)} 项：" + "；".join(a["reason"] for a in rest),
                                    "points": sum(a["points"] or 0 for a in rest),
                                    "veto": any(a["veto"] for a in rest)}]
        item_map = {r: (its[k] if k < len(its) else None) for k, r in enumerate(self.item_rows)}
        adj_map = {r: (adjs[k] if k < len(adjs) else None) for k, r in enumerate(self.adj_rows)}
        return item_map, adj_map

    def _value(self, tok: str, row: int, ctx: dict, item_map: dict, adj_map: dict):
        """(value, number format override or None) of one token on one row."""
        if tok.startswith("item."):
            it = item_map.get(row)
            if it is None:
                return None, None
            key = tok[5:]
            if key == "seq":
                return (None if it.get("overflow") else self.item_rows.index(row) + 1), None
            if key in ("target", "actual"):
                v = it[key]
                if v is None:
                    return (it[f"{key}_raw"] or None), None
                if is_percent(it["unit"]):
                    return (v if abs(v) <= 5 else v / 100), "0.0%"
                return v, ("#,##0" if float(v).is_integer() else "#,##0.00")
            return it.get(key), None
        if tok.startswith("adj."):
            a = adj_map.get(row)
            if a is None:
                return None, None
            key = tok[4:]
            if key == "seq":
                return self.adj_rows.index(row) + 1, None
            if key == "veto":
                return ("是" if a["veto"] else ""), None
            return a.get(key), None
        return ctx.get(tok), None

    def write_sheet(self, wb, ws, ctx: dict, formats: dict) -> None:
        """Write one employee's form onto a fresh xlsxwriter worksheet."""
        item_map, adj_map = self.slots(ctx)

        def fmt(style_id, num_format=None):
            key = (style_id, num_format)
            f = formats.get(key)
            if f is None:
                props = dict(self.styles[style_id])
                if num_format:
                    props["num_format"] = num_format
                f = formats[key] = wb.add_format(props)
            return f

        for lo, hi, width in self.widths:
            ws.set_column(lo, hi, width)
        for r, h in self.heights:
            ws.set_row(r, h)
        for row, col, text, toks, sid, end in self.cells:
            override = None
            if toks and len(toks) == 1 and _TOKEN.fullmatch(text.strip()):
                value, override = self._value(toks[0], row, ctx, item_map, adj_map)
            elif toks:
                def sub(m):
                    v, _ = self._value(m.group(1), row, ctx, item_map, adj_map)
                    return fmt_number(v) if isinstance(v, float) else clean_text(v)
                value = _TOKEN.sub(sub, text)
            else:
                value = text
            f = fmt(sid, override)
            if isinstance(value, bool):
                value = "是" if value else "否"
            if end is not None:
                if isinstance(value, (int, float, np.integer, np.floating)) and not (
                        isinstance(value, float) and math.isnan(value)):
                    ws.merge_range(row, col, end[0], end[1], None, f)
                    ws.write_number(row, col, float(value), f)
                else:
                    ws.merge_range(row, col, end[0], end[1], "", f)
                    text_value = clean_text(value)
                    if text_value:
                        ws.write_string(row, col, text_value, f)
                continue
            if value is None or (isinstance(value, float) and math.isnan(value)):
                ws.write_blank(row, col, None, f)
            elif isinstance(value, (int, float, np.integer, np.floating)):
                ws.write_number(row, col, float(value), f)
            else:
                text_value = clean_text(value)       # always a string: '=…' never becomes a formula
                if text_value:
                    ws.write_string(row, col, text_value, f)
                else:
                    ws.write_blank(row, col, None, f)
        ws.set_paper(self.paper)
        if self.landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        if self.fit:
            ws.fit_to_pages(*self.fit)
        left, right, top, bottom = self.margins
        ws.set_margins(left=left, right=right, top=top, bottom=bottom)
        if self.center_h:
            ws.center_horizontally()
        if self.center_v:
            ws.center_vertically()
        if self.print_titles:
            ws.repeat_rows(*self.print_titles)
        if self.print_area:
            ws.print_area(self.print_area)
        hm, fm = self.header_footer_margins
        if self.header:
            ws.set_header(self.header, {"margin": hm})
        if self.footer:
            ws.set_footer(self.footer, {"margin": fm})
        if not self.gridlines:
            ws.hide_gridlines(2)


def _form_template() -> FormTemplate:
    t = _CACHE.get("form")
    if t is None:
        t = _CACHE["form"] = FormTemplate(template_dir() / FORM_TEMPLATE)
    return t


def _new_xlsx(path: str):
    import xlsxwriter
    return xlsxwriter.Workbook(path, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False})


def render_form_book(path: str, contexts: list[dict]) -> str:
    """One workbook, a sheet per employee."""
    t = _form_template()

    def save(tmp):
        wb = _new_xlsx(tmp)
        formats: dict = {}
        used: set = set()
        for ctx in contexts:
            ws = wb.add_worksheet(sheet_title(ctx, used))
            t.write_sheet(wb, ws, ctx, formats)
        wb.close()
    _atomic(Path(path), save)
    return path


def render_form_single(path: str, ctx: dict) -> str:
    """One workbook for one employee."""
    return render_form_book(path, [ctx])


def _docx_template(code: str):
    """(template, jinja env) for a letter/plan, prepared once per process.

    docxtpl re-patches and re-compiles the same document XML on every render; the subclass
    keeps the patched XML and the environment keeps the compiled templates, so a render
    costs the Jinja run and the zip (PERF-NOTES: template size is the cost).
    """
    key = ("docx", code)
    t = _CACHE.get(key)
    if t is None:
        from docxtpl import DocxTemplate
        from jinja2 import Environment

        class CachingEnvironment(Environment):
            def from_string(self, source, globals=None, template_class=None):
                hit = self._compiled.get(source)
                if hit is None:
                    hit = self._compiled[source] = super().from_string(source, globals, template_class)
                return hit

        class PreparedTemplate(DocxTemplate):
            _patched = None

            def build_xml(self, context, jinja_env=None):
                if self._patched is None:
                    self._patched = self.patch_xml(self.get_xml())
                return self.render_xml_part(self._patched, self.docx._part, context, jinja_env)

        env = CachingEnvironment(autoescape=True)
        env._compiled = {}
        t = _CACHE[key] = (PreparedTemplate(str(template_dir() / LETTER_TEMPLATES[code])), env)
    return t


def sheet_title(ctx: dict, used: set) -> str:
    base = _BAD_SHEET_CHARS.sub("_", f"{ctx['employee_id']} {ctx['name']}").strip("' ")[:31] or "员工"
    title, k = base, 2
    while title.lower() in used:
        suffix = f"~{k}"
        title, k = base[:31 - len(suffix)] + suffix, k + 1
    used.add(title.lower())
    return title



def render_docx(path: str, ctx: dict) -> str:
    tpl, env = _docx_template(ctx["action"])
    tpl.render(ctx, jinja_env=env)
    _atomic(Path(path), tpl.save)
    return path


def _run_jobs(jobs: list[tuple], workers: int | None = None) -> list[str]:
    """jobs: (kind, path, payload). Runs them here, or on a process pool for big batches."""
    n_docs = sum(len(p) if k == "book" else 1 for k, _, p in jobs)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers > 1 and n_docs >= PARALLEL_MIN and len(jobs) > 1:
        chunks = _balance(jobs, workers * 4)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = []
            for part in pool.map(_run_chunk, chunks):
                done.extend(part)
        return done
    return _run_chunk(jobs)


def _balance(jobs: list, n: int) -> list[list]:
    weights = [len(p) if k == "book" else 1 for k, _, p in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -weights[i])
    bins = [[] for _ in range(min(n, len(jobs)))]
    load = [0] * len(bins)
    for i in order:
        b = load.index(min(load))
        bins[b].append(jobs[i])
        load[b] += weights[i]
    return [b for b in bins if b]


def _run_chunk(jobs: list) -> list[str]:
    out = []
    for kind, path, payload in jobs:
        if kind == "book":
            out.append(render_form_book(path, payload))
        elif kind == "form":
            out.append(render_form_single(path, payload))
        else:
            out.append(render_docx(path, payload))
    return out


# =============================================================================
# output folders, stale files, index, PDF
# =============================================================================

def default_out_dir(book, month: str, kind: str) -> Path:
    """设置「输出文件夹」if given (relative to the book), else <book dir>/kpi4s-输出/<month>/<kind>."""
    base_dir = Path(book.path).resolve().parent if getattr(book, "path", None) else Path.cwd()
    custom = str((getattr(book, "settings", {}) or {}).get("output_dir") or "").strip()
    root = (base_dir / custom) if custom else (base_dir / OUTPUT_ROOT)
    return root / month / kind


def _prune(folder: Path, month: str, keep: set) -> list[Path]:
    """Remove this month's documents in `folder` that this run did not write."""
    removed = []
    for f in folder.glob(f"{month}_*"):
        if f.suffix.lower() in DOC_SUFFIXES + (".csv",) and f.resolve() not in keep and f.is_file():
            f.unlink()
            removed.append(f)
    return removed


def _write_index(path: Path, header: list[str], rows: list[list]) -> Path:
    def save(tmp):
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
    return _atomic(path, save)


def soffice_path() -> str | None:
    env = os.environ.get("KPI4S_SOFFICE")
    if env is not None:
        return env if env and (os.path.exists(env) or shutil.which(env)) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


NO_SOFFICE = "未找到 LibreOffice（soffice 命令），未生成 PDF；请安装 LibreOffice 后重试，Word/Excel 文件已正常生成。"


def convert_pdf(files: list[Path], out_dir: Path, timeout: float = 600) -> list[Path]:
    """Convert the files to PDF with one LibreOffice call. Raises RuntimeError(NO_SOFFICE) if absent."""
    exe = soffice_path()
    if not exe:
        raise RuntimeError(NO_SOFFICE)
    files = [Path(f) for f in files]
    if not files:
        return []
    with tempfile.TemporaryDirectory(prefix="kpi4s-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir)] + [str(f) for f in files]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    pdfs = [out_dir / (f.stem + ".pdf") for f in files]
    missing = [p.name for p in pdfs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice 未能转换 {len(missing)} 个文件（{', '.join(missing[:3])}）："
                           f"{proc.stderr.strip()[:300]}")
    return pdfs


# =============================================================================
# the macros
# =============================================================================

def _results(source, month=None):
    """(book or None, MonthResults) from a path / mapping / StoreBook / MonthResults."""
    if isinstance(source, MonthResults):
        return None, source
    from addin.book import load_book
    from addin.report import compute_month
    book = load_book(source, month=month) if month else load_book(source)
    return book, compute_month(book, month)


def issue_date_of(book, default: dt.date | None = None) -> dt.date:
    settings = getattr(book, "settings", None) or {}
    for key in ISSUE_KEYS:
        if settings.get(key) not in (None, ""):
            try:
                return parse_date(settings[key])
            except ValueError:
                raise BookError([Problem("设置", None, key, f"签发日期「{settings[key]}」无法识别（应为 YYYY-MM-DD）")]) from None
    return default or dt.date.today()


def appraisal_forms(source, month=None, out_dir=None, by="department", pdf=False,
                    workers: int | None = None) -> list[Path]:
    """绩效评估表 for every graded employee of the month → the written files (.xlsx, + .pdf).

    by="department": one workbook per department with a sheet per employee;
    by="employee": one workbook per employee, named <month>_<id>_<name>.xlsx.
    """
    if by not in ("department", "employee"):
        raise ValueError("by must be 'department' or 'employee'")
    book, res = _results(source, month)
    out = Path(out_dir) if out_dir else default_out_dir(book, res.month, FORMS_DIR)
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    ctxs = form_contexts(res, generated=stamp)
    jobs, index = [], []
    if by == "employee":
        seen: set = set()
        for c in ctxs:
            name = f"{res.month}_{safe_name(c['employee_id'])}_{safe_name(c['name'])}.xlsx"
            name = _unique(name, seen)
            jobs.append(("form", str(out / name), c))
            index.append([res.month, c["employee_id"], c["name"], c["department"], _fmt_total(c["total"]),
                          c["grade"], name, sheet_title(c, set())])
    else:
        groups: dict = {}
        for c in ctxs:
            groups.setdefault(c["department"] or "未分部门", []).append(c)
        seen = set()
        for dept, members in groups.items():
            name = _unique(f"{res.month}_{safe_name(dept)}_绩效评估表.xlsx", seen)
            jobs.append(("book", str(out / name), members))
            used: set = set()
            for c in members:
                index.append([res.month, c["employee_id"], c["name"], c["department"], _fmt_total(c["total"]),
                              c["grade"], name, sheet_title(c, used)])
    written = [Path(p) for p in _run_jobs(jobs, workers)]
    idx = _write_index(out / INDEX_NAME.format(month=res.month),
                       ["月份", "工号", "姓名", "部门", "总分", "等级", "文件", "工作表"], index)
    files = written + [idx]
    if pdf:
        files += convert_pdf(written, out)
    _prune(out, res.month, {f.resolve() for f in files})
    return files


def warning_letters(source, month=None, out_dir=None, pdf=False, issue_date=None,
                    workers: int | None = None) -> list[Path]:
    """严重警告 letters and 绩效改进计划 for the month's actions → the written files (.docx, + .pdf).

    issue_date: the letters' date (default: 设置「签发日期」/issue_date, else today); the
    correction deadline is policy.correction_months later, the plan runs policy.plan_months.
    """
    book, res = _results(source, month)
    out = Path(out_dir) if out_dir else default_out_dir(book, res.month, LETTERS_DIR)
    out.mkdir(parents=True, exist_ok=True)
    issue = parse_date(issue_date) if issue_date is not None else issue_date_of(book)
    ctxs = letter_contexts(res, issue)
    jobs, index, seen = [], [], set()
    for c in ctxs:
        name = _unique(f"{res.month}_{safe_name(c['employee_id'])}_{safe_name(c['name'])}_{c['kind']}.docx", seen)
        jobs.append(("docx", str(out / name), c))
        index.append([res.month, c["employee_id"], c["name"], c["department"], c["action"], c["label"],
                      c["months"], c["issue"], c.get("deadline_iso", ""),
                      ";".join(c.get("review_dates", [])), name])
    written = [Path(p) for p in _run_jobs(jobs, workers)]
    idx = _write_index(out / INDEX_NAME.format(month=res.month),
                       ["月份", "工号", "姓名", "部门", "措施代码", "措施", "触发月份及等级", "签发日期",
                        "改正期限", "回顾日期", "文件"], index)
    files = written + [idx]
    if pdf:
        files += convert_pdf(written, out)
    _prune(out, res.month, {f.resolve() for f in files})
    return files


def _fmt_total(v):
    return "" if v is None else f"{v:.2f}"


def _unique(name: str, seen: set) -> str:
    stem, suffix = os.path.splitext(name)
    cand, k = name, 2
    while cand.lower() in seen:
        cand, k = f"{stem}_{k}{suffix}", k + 1
    seen.add(cand.lower())
    return cand


# =============================================================================
# command line
# =============================================================================

def _cli(kind: str, args) -> int:
    pdf = bool(getattr(args, "pdf", False))
    want_pdf = pdf and soffice_path() is not None
    try:
        if kind == "forms":
            files = appraisal_forms(args.book, month=args.month, out_dir=args.out,
                                    by=getattr(args, "by", "department") or "department", pdf=want_pdf)
        else:
            files = warning_letters(args.book, month=args.month, out_dir=args.out, pdf=want_pdf)
    except RuntimeError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    docs = [f for f in files if f.suffix in (".xlsx", ".docx")]
    pdfs = [f for f in files if f.suffix == ".pdf"]
    index = [f for f in files if f.suffix == ".csv"]
    folder = files[0].parent if files else Path(args.out or ".")
    with open(index[0], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if kind == "forms":
        print(f"已为 {len(rows)} 名员工生成绩效评估表（{len(docs)} 个文件）" + (f"，PDF {len(pdfs)} 个" if pdfs else ""))
    else:
        counts = {}
        for r in rows:
            counts[r["措施"]] = counts.get(r["措施"], 0) + 1
        detail = "、".join(f"{k} {v} 份" for k, v in counts.items()) or "本月无需发出警告信或改进计划"
        print(f"已生成 {len(docs)} 份文件：{detail}" + (f"，PDF {len(pdfs)} 个" if pdfs else ""))
    print(f"输出文件夹：{folder}")
    print(f"清单：{index[0].name}")
    if pdf and not want_pdf:
        print(NO_SOFFICE, file=sys.stderr)
        return 3
    return 0


def cli_forms(args) -> int:
    return _cli("forms", args)


def cli_letters(args) -> int:
    return _cli("letters", args)
