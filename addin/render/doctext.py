"""The words and figures the documents share: Chinese dates, counts, values, and item views.

Forms (:mod:`addin.render.forms`) and letters (:mod:`addin.render.letters`) read the same
:class:`~addin.month.results.MonthResults` rows; each helper here has one home so an item reads
``目标 95%，实际 80%`` the same way on a form and in a letter. Months are 'YYYY-MM' text and are
read with :mod:`udfs.parse`; every text that ends up in a document goes through :func:`text`
(XML-illegal characters dropped).
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Any, Iterable

import pandas as pd

from addin.io.text import clean_text
from udfs.parse import month_parts, number_or_none, text_of
from udfs.vocab import INTERVIEW, LOWER_IS_BETTER

# counts read "两个月", ordinals "第二次" (二, not 两)
_ZH_DIGITS = "零一二三四五六七八九"
PERCENT_UNITS = ("%", "％", "百分比")


# --------------------------------------------------------------------------- plain values
def text(value: Any) -> str:
    """Any cell value as display text ('' for blank/NaN; 3.0 → '3'), safe for any XML part."""
    return clean_text(text_of(value))


def number(value: Any) -> float | None:
    """A finite float, or None for blank / unreadable / non-finite."""
    return number_or_none(value)


def flag(value: Any) -> bool:
    """A bool column cell (NaN/None → False)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    return bool(value)


# --------------------------------------------------------------------------- dates and counts
def add_months(day: dt.date, n: int) -> dt.date:
    """The same day n months later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    k = day.year * 12 + day.month - 1 + int(n)
    y, m = divmod(k, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def zh_month(month: str) -> str:
    """'2026-08' → '2026年8月'."""
    y, m = month_parts(month)
    return f"{y}年{m}月"


def zh_number(n: int, two: str = "二") -> str:
    """1–99 in Chinese numerals (12 → 十二, 20 → 二十); other numbers as digits."""
    n = int(n)
    if not 0 < n < 100:
        return str(n)
    if n == 2:
        return two
    tens, ones = divmod(n, 10)
    if not tens:
        return _ZH_DIGITS[ones]
    return f"{_ZH_DIGITS[tens] if tens > 1 else ''}十{_ZH_DIGITS[ones] if ones else ''}"


def zh_count(n: int, unit: str = "个月") -> str:
    """A count with its unit: 1 → 一个月, 2 → 两个月, 4 → 四个月."""
    return f"{zh_number(n, two='两')}{unit}"


def zh_ordinal(k: int) -> str:
    """第k: 1 → 一, 2 → 二 (as in 第二次回顾)."""
    return zh_number(k)


# --------------------------------------------------------------------------- numbers
def fmt_number(v: float | None, decimals: int = 2) -> str:
    """12000 → '12,000'; 87.5 → '87.5'; None → ''."""
    if v is None:
        return ""
    s = f"{v:,.{decimals}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def is_percent(unit: str) -> bool:
    return str(unit).strip() in PERCENT_UNITS


def fmt_value(v: Any, unit: str) -> str:
    """A target/actual for reading: 0.95 with unit % → 95%; 12000 元 → 12,000元."""
    x = number(v)
    if x is None:
        return text(v)
    if is_percent(unit):
        return f"{fmt_number(x * 100 if abs(x) <= 5 else x, 1)}%"
    return f"{fmt_number(x)}{unit}"


def fmt_ratio(v: Any) -> str:
    """An achievement ratio: 0.5 → '50.0%'."""
    x = number(v)
    return "" if x is None else f"{x * 100:.1f}%"


def fmt_score(v: Any) -> str:
    """A total as stored: 61 → '61.0分'."""
    x = number(v)
    return "" if x is None else f"{x:.1f}分"


# --------------------------------------------------------------------------- rows as views
def by_employee(df: pd.DataFrame | None, ids: Iterable) -> dict:
    """{employee_id: [row dicts]} for the given ids, in frame order (one pass, no per-row pandas)."""
    if df is None or df.empty:
        return {}
    sub = df[df["employee_id"].isin(list(ids))]
    if sub.empty:
        return {}
    recs = sub.to_dict("records")
    return {eid: [recs[i] for i in pos] for eid, pos in sub.groupby("employee_id", sort=False).indices.items()}


def item_view(rec: dict) -> dict:
    """One scored item (ITEM_COLUMNS row) as the documents read it: plain numbers and texts."""
    rated = text(rec.get("kind")) == "rated"
    ratio = number(rec.get("rating") if rated else rec.get("ratio"))
    if ratio is None:
        ratio = number(rec.get("ratio"))
    return {
        "seq": number(rec.get("seq")),
        "section": text(rec.get("section")),
        "item": text(rec.get("item")) or text(rec.get("kpi_id")),
        "kind": "rated" if rated else "kpi",
        "weight": number(rec.get("weight")),
        "target": None if rated else number(rec.get("target")),
        "actual": None if rated else number(rec.get("actual")),
        "target_raw": "" if rated else text(rec.get("target")),
        "actual_raw": "" if rated else text(rec.get("actual")),
        "unit": text(rec.get("unit")),
        "lower": text(rec.get("direction")) in LOWER_IS_BETTER,
        "ratio": ratio,
        "score": number(rec.get("score")),
        "shortfall": number(rec.get("shortfall")),
    }


def interview_text(rows: list[dict]) -> str:
    """Interview records (INTERVIEW_COLUMNS rows) as the development plan a form shows: who,
    when, the development actions agreed, then the summary — one line per interview."""
    lines = []
    for r in rows:
        day = r.get("date")
        when = pd.Timestamp(day).strftime("%Y-%m-%d") if day is not None and not pd.isna(day) else ""
        head = f"{zh_month(text(r.get('month')))}{INTERVIEW.label(text(r.get('kind')), '绩效面谈')}"
        who = "，".join(x for x in (when, text(r.get("interviewer"))) if x)
        body = "；".join(x for x in (f"发展行动：{text(r.get('actions'))}" if text(r.get("actions")) else "",
                                    f"面谈纪要：{text(r.get('summary'))}" if text(r.get("summary")) else "") if x)
        lines.append(f"{head}（{who}）" + (f"：{body}" if body else ""))
    return "\n".join(lines)
