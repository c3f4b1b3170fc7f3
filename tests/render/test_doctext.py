"""The documents' shared words and figures (addin.render.doctext)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from addin.render import doctext as T


def test_add_months_clamps_to_the_months_end():
    assert T.add_months(dt.date(2026, 12, 31), 2) == dt.date(2027, 2, 28)
    assert T.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert T.add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert T.add_months(dt.date(2026, 9, 5), -9) == dt.date(2025, 12, 5)


def test_chinese_dates_months_counts_and_ordinals():
    assert T.zh_date(dt.date(2026, 9, 5)) == "2026年9月5日"
    assert T.zh_month("2026-08") == "2026年8月"
    assert [T.zh_count(n) for n in (1, 2, 4, 10, 12, 20, 24)] == [
        "一个月", "两个月", "四个月", "十个月", "十二个月", "二十个月", "二十四个月"]
    assert [T.zh_ordinal(k) for k in (1, 2, 3)] == ["一", "二", "三"]
    assert T.zh_count(150, "次") == "150次"


@pytest.mark.parametrize("value, unit, text", [
    (0.95, "%", "95%"), (0.875, "%", "87.5%"), (95, "%", "95%"), (12000, "元", "12,000元"),
    (87.5, "分", "87.5分"), (None, "元", ""), ("不适用", "元", "不适用"), (2.0, "", "2"),
])
def test_fmt_value(value, unit, text):
    assert T.fmt_value(value, unit) == text


def test_numbers_ratios_scores_and_text():
    assert T.fmt_number(1234.5) == "1,234.5" and T.fmt_number(None) == "" and T.fmt_number(3.0) == "3"
    assert T.fmt_ratio(0.5) == "50.0%" and T.fmt_ratio(np.nan) == ""
    assert T.fmt_score(61) == "61.0分" and T.fmt_score(None) == ""
    assert T.text("李\x07娜 ") == "李娜" and T.text(np.nan) == "" and T.text(1001.0) == "1001"
    assert T.flag(np.nan) is False and T.flag(np.bool_(True)) is True and T.flag(None) is False


def test_item_view_reads_kpi_and_rated_items():
    kpi = T.item_view(dict(seq=1, section="关键考核指标", item="返修率", kind="kpi", weight=0.3, target=0.02,
                           actual=0.025, unit="%", direction="lower", ratio=0.8, score=24.0, shortfall=0.2))
    assert (kpi["target"], kpi["actual"], kpi["lower"], kpi["ratio"]) == (0.02, 0.025, True, 0.8)
    rated = T.item_view(dict(item="", kpi_id="discipline", kind="rated", weight=0.2, target="", actual="",
                             rating=0.82, ratio=0.82, direction="higher"))
    assert (rated["item"], rated["kind"], rated["target"], rated["ratio"], rated["lower"]) == \
        ("discipline", "rated", None, 0.82, False)
