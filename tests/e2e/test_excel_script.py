"""The xlwings Lite / Office.js door: `monthly_report_script` run through xlwings' own runtime
(`xlwings.server.custom_scripts_call`) on a book built from the demo workbook, compared with the
headless run of the same month. conftest.py sets XLWINGS_ON_SERVER / XLWINGS_LICENSE_KEY."""
from __future__ import annotations

import asyncio
import shutil

import pytest

xw = pytest.importorskip("xlwings")
server = pytest.importorskip("xlwings.server")

from helpers import kpi4s, values  # noqa: E402
from officejs import office_js_book  # noqa: E402

from addin.io import schema as bk  # noqa: E402


@pytest.fixture
def demo_book(demo_run):
    return demo_run


def _norm(v):
    if v in ("", None):
        return None
    if isinstance(v, str) and v.startswith("'"):       # Excel's text prefix (addin.render.live.protect)
        return v[1:]
    if isinstance(v, float):
        return round(v, 6)
    return v


@pytest.fixture
def headless_and_script(demo_book, tmp_path):
    path, _ = demo_book
    book_path = tmp_path / "kpi4s_demo.xlsx"
    shutil.copy(path, book_path)
    import addin.excel as excel
    book = office_js_book(book_path)
    result = asyncio.run(server.custom_scripts_call(excel, "monthly_report_script",
                                                    typehint_to_value={xw.Book: book}))
    actions = result.json()["actions"]
    run = kpi4s("report", book_path)            # the headless run on the same file
    assert run.returncode == 0, run.stderr
    return book_path, book, actions


def test_script_is_registered_for_xlwings_lite():
    import addin.excel as excel
    meta = server.custom_scripts_meta(excel)
    assert sorted(m["function_name"] for m in meta) == ["check_script", "decompose_targets_script", "monthly_report_script"]


def test_script_writes_the_same_history_as_the_headless_run(headless_and_script):
    book_path, book, actions = headless_and_script
    names = [s.name for s in book.sheets]
    writes = {names[a["sheet_position"]]: a["values"] for a in actions if a["func"] == "setValues"}
    assert {bk.HISTORY, bk.REPORT, "2026年Q3季度考核"} <= set(writes)
    assert not set(writes) & {bk.ROSTER, bk.ACTUALS, bk.SCORECARDS, bk.SETTINGS}     # inputs untouched
    headless = values(book_path, bk.HISTORY)
    script = writes[bk.HISTORY]
    assert len(script) == len(headless) > 400
    assert [[_norm(v) for v in r] for r in script] == [[_norm(v) for v in r] for r in headless]


def test_script_report_table_matches_headless(headless_and_script):
    book_path, book, actions = headless_and_script
    names = [s.name for s in book.sheets]
    report = next(a["values"] for a in actions if a["func"] == "setValues" and names[a["sheet_position"]] == bk.REPORT)
    headless = values(book_path, bk.REPORT)

    def people(rows):
        i = next(k for k, r in enumerate(rows) if r and isinstance(r[0], str) and r[0].endswith("、员工明细"))
        return [[_norm(v) for v in r[:16]] for r in rows[i + 1:] if r and r[0]]
    assert people(report) == people(headless)
    assert len(people(report)) == 61          # header + 60 people
    kinds = {a["func"] for a in actions}
    assert "addChart" in kinds                 # native charts through the Office.js API
    assert "alert" in kinds                    # the summary shown to HR


def test_check_script_lists_problems_and_writes_nothing(demo_book):
    path, _ = demo_book
    import addin.excel as excel
    book = office_js_book(path)
    ok = asyncio.run(server.custom_scripts_call(excel, "check_script", typehint_to_value={xw.Book: book})).json()
    assert [a["func"] for a in ok["actions"]] == ["alert"] and "检查通过" in ok["actions"][0]["args"][0]
    book = office_js_book(path)
    roster = next(s for s in book.api["sheets"] if s["name"] == bk.ROSTER)
    roster["values"][1][8] = "在岗?"
    bad = asyncio.run(server.custom_scripts_call(excel, "check_script", typehint_to_value={xw.Book: book})).json()
    assert [a["func"] for a in bad["actions"]] == ["alert"]
    assert "[员工名册] 第2行 「状态」" in bad["actions"][0]["args"][0]


def test_script_stops_on_bad_input_and_writes_nothing(demo_book, tmp_path):
    path, _ = demo_book
    book = office_js_book(path)
    roster = next(s for s in book.api["sheets"] if s["name"] == bk.ROSTER)
    roster["values"][1][8] = "在岗?"                     # bad status
    import addin.excel as excel
    result = asyncio.run(server.custom_scripts_call(excel, "monthly_report_script", typehint_to_value={xw.Book: book}))
    actions = result.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    assert "[员工名册] 第2行 「状态」" in str(actions[0]["args"])
