"""The 导入DMS button door (addin.excel) on a live workbook through xlwings' Office.js runtime gives
the same DMS实绩 as `kpi4s dms`; bad exports show one message and paint nothing."""
from __future__ import annotations

import shutil

import pytest

xw = pytest.importorskip("xlwings")

from helpers import kpi4s, values  # noqa: E402
from officejs import office_js_book  # noqa: E402

import dmsdata as D  # noqa: E402
from addin.io import schema as S  # noqa: E402


def _norm(v):
    if v in ("", None):
        return None
    if isinstance(v, str) and v.startswith("'"):         # Excel's text prefix (addin.render.live.protect)
        return v[1:]
    return round(v, 6) if isinstance(v, float) else v


def test_button_paints_what_the_command_writes(store, tmp_path):
    _, folder = store
    book = D.make_book(tmp_path / "live.xlsx", settings={S.DMS_FOLDER_KEY: str(folder)})
    import addin.excel as excel
    live = office_js_book(book)
    run = excel.run_dms_import(live)
    assert run is not None
    names = [s.name for s in live.sheets]
    actions = live.json()["actions"]
    writes = {names[a["sheet_position"]]: a["values"] for a in actions if a["func"] == "setValues"
              and a["sheet_position"] < len(names)}
    assert {S.DMS_ACTUALS, S.WORKSHOP, "证据-返修率"} <= set(writes)
    assert not set(writes) & set(S.MONTH_INPUTS + (S.DMS_MAP,))             # inputs untouched
    assert any(a["func"] == "alert" and "月度报告" in str(a["args"]) for a in actions)
    headless = tmp_path / "headless.xlsx"
    shutil.copy(book, headless)
    assert kpi4s("dms", headless, folder).returncode == 0
    file_rows = [[_norm(v) for v in r[:14]] for r in values(headless, S.DMS_ACTUALS)]
    live_rows = [[_norm(v) for v in r[:14]] for r in writes[S.DMS_ACTUALS]]
    assert len(file_rows) > 70
    for a, b in zip(live_rows, file_rows):
        assert a == b, (a, b)
    assert len(live_rows) == len(file_rows)


def test_button_on_bad_exports_shows_one_message(store, tmp_path):
    _, folder = store
    D.write_csv(folder / "维修工单.csv", D.RO_HEAD, [r[:6] + ["无名氏"] + r[7:] for r in D.RO])
    book = D.make_book(tmp_path / "live.xlsx", settings={S.DMS_FOLDER_KEY: str(folder)})
    import addin.excel as excel
    live = office_js_book(book)
    assert excel.run_dms_import(live) is None
    actions = live.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    assert "[维修工单.csv] 第3行 「服务顾问」: 员工名册中没有「无名氏」" in str(actions[0]["args"])


def test_the_folder_defaults_to_dms_exports_beside_the_book(tmp_path):
    import addin.excel as excel

    class Book:
        fullname = str(tmp_path / "店.xlsx")
    assert excel.dms_folder(Book(), {}) == tmp_path / "DMS导出"
    assert excel.dms_folder(Book(), {S.DMS_FOLDER_KEY: "导出/九月"}) == tmp_path / "导出" / "九月"
