"""The Excel doors meet the same hostile input: a stray cell far outside a table in the live
workbook is named, not fetched (xlwings Lite / Office.js runtime, as in tests/e2e)."""
from __future__ import annotations

import asyncio

import pytest

xw = pytest.importorskip("xlwings")
server = pytest.importorskip("xlwings.server")

from helpers import hand_book  # noqa: E402
from officejs import office_js_book  # noqa: E402

from addin.io import schema as S  # noqa: E402


def test_a_stray_cell_beyond_the_table_in_the_live_book_is_named(tmp_path):
    book = office_js_book(hand_book(tmp_path / "store.xlsx"))
    roster = next(s for s in book.api["sheets"] if s["name"] == S.ROSTER)
    width = 300                                       # a value typed in column KN (300), row 2
    roster["values"] = [r + [""] * (width - len(r)) for r in roster["values"]]
    roster["values"][1][width - 1] = " "
    import addin.excel as excel
    result = asyncio.run(server.custom_scripts_call(excel, "monthly_report_script", typehint_to_value={xw.Book: book}))
    actions = result.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    text = str(actions[0]["args"])
    assert "[员工名册]" in text and "KN" in text and "删除" in text
