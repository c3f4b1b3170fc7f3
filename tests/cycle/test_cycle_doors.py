"""Every door runs the same cycle code: the 审批 button on the open workbook (through xlwings'
Office.js runtime, as in xlwings Lite) paints the same 审批记录 the command writes into the file,
with its text columns formatted as text first so Excel keeps '2026-01' and '88.00' as typed."""
from __future__ import annotations

import shutil

import cycle_sample as CS
import pytest
from helpers import kpi4s, values
from officejs import office_js_book

xw = pytest.importorskip("xlwings")

from addin import excel, macros  # noqa: E402
from addin.cycle import approval  # noqa: E402
from addin.cycle.runs import Who  # noqa: E402
from addin.io import schema as S  # noqa: E402


@pytest.fixture
def reported(tmp_path):
    book = CS.year_book(tmp_path / "year.xlsx")
    macros.monthly_report(book, "2026-01")
    return book


def test_the_approve_button_paints_what_the_command_writes(reported, tmp_path):
    copy = tmp_path / "copy.xlsx"
    shutil.copy(reported, copy)
    book = office_js_book(reported)
    run = excel._live(book, "审批", lambda: approval.approval_sheets(excel.read_book(book), "2026-01", Who("甲", "", "hr")))
    assert run is not None and "「草稿」 → 「部门确认」" in run.summary
    actions = book.json()["actions"]
    added = {a["args"][1]: a["args"][0] for a in actions if a["func"] == "addSheet"}
    assert set(added) == {S.TRAIL, S.SNAPSHOT}
    live = next(a["values"] for a in actions if a["func"] == "setValues" and a["sheet_position"] == added[S.TRAIL])
    assert live[2][0] == "'2026-01"               # written as text: Excel would turn 2026-01 into a date

    def typed(v):                                 # what Excel shows: the text prefix is not part of it
        return v[1:] if isinstance(v, str) and v.startswith("'") else v
    assert kpi4s("approve", copy, "--month", "2026-01", "--by", "甲").returncode == 0
    filed = values(copy, S.TRAIL)
    keep = [0, 2, 3, 4, 12]                                          # month, event, status, by, fingerprint
    assert [[typed(r[k]) for k in keep] for r in live[1:]] == [[r[k] for k in keep] for r in filed[1:]]
    assert live[2][12] and live[2][3] == "部门确认"
    kinds = {a["func"] for a in actions}
    assert "alert" in kinds


def test_the_button_shows_the_refusal_and_paints_nothing(reported):
    book = office_js_book(reported)
    run = excel._live(book, "审批", lambda: approval.approval_sheets(excel.read_book(book), "2026-02",
                                                                      Who("甲", "", "hr")))
    assert run is None
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    assert "历史中没有 2026-02 的结果" in str(actions[0]["args"])
