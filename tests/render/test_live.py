"""addin.render.live: text that Excel would re-read is written as text; styles become the
properties xlwings sets (the whole painting is compared with the CLI in tests/e2e/test_same_sheets.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from addin.render.live import BORDER, look, protect
from addin.render.style import STYLES


@pytest.mark.parametrize("text", ["=1+1", "=HYPERLINK(\"http://x\")", "+86 138", "-5", "@SUM(A1)", "2026-09",
                                  "001", "30%", "1,500", "TRUE", "false", "¥100", "（1）", ".5", "2026年9月"])
def test_text_excel_would_reinterpret_gets_the_text_prefix(text):
    assert protect(text) == "'" + text


@pytest.mark.parametrize("value", ["张三", "E001", "服务顾问组", "A", "绩效改进计划", "", 5, 2.5, None])
def test_plain_text_and_numbers_are_written_as_they_are(value):
    assert protect(value) == value


def test_dates_stay_dates():
    assert protect(dt.date(2026, 9, 30)) == dt.date(2026, 9, 30)


def test_every_house_style_maps_to_xlwings_properties():
    for name, props in STYLES.items():
        num, font, size, bold, color, fill, align, valign, wrap, borders = look(props)
        assert font == props["font_name"] and size == props["font_size"], name
        for index, _ in borders:
            assert index is None or index in BORDER, name
