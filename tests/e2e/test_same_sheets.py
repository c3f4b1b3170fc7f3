"""One result from every door: the sheets the xlwings Lite script paints into the open book
(replayed from the actions xlwings' Office.js engine records, see tests/officejs.py) are the
sheets `kpi4s report` / `kpi4s decompose` write into the file — compared cell by cell (values,
number formats, fonts, fills, alignment, borders), with merges, widths, heights, hidden
columns, frozen panes, gridlines, conditional formats and charts. The desktop button paints
through the same addin.render.live code with xlwings' COM engine (not runnable here)."""
from __future__ import annotations

import shutil

import officejs
import pytest
from helpers import kpi4s

from addin.io import schema as S

pytest.importorskip("xlwings.server")


def _painted(book, actions) -> list[str]:
    names = [s.name for s in book.sheets]
    return [names[a["sheet_position"]] for a in actions if a["func"] == "setValues"]


def _compare(cli_path, book, actions, sheets):
    replay = officejs.Replay([s.name for s in book.sheets]).run(actions)
    cli = officejs.load(cli_path)
    report = {}
    for name in sheets:
        diffs = officejs.compare_sheet(cli[name], replay.wb[name], officejs.replay_borders(replay.borders[name]))
        assert diffs[:40] == [], f"{name}: {len(diffs)} differences"
        assert officejs.file_conditional(cli[name]) == officejs.replay_conditional(replay.cf[name]), name
        assert (cli[name].freeze_panes or None) == replay.freeze.get(name), name
        assert cli[name].sheet_view.showGridLines is not False or replay.gridlines.get(name) is False, name
        report[name] = (officejs.file_charts(cli_path, name), replay.charts.get(name, []))
    return replay, report


def _same_charts(in_file: list[dict], painted: list[dict]) -> None:
    assert len(in_file) == len(painted)
    for f, p in zip(in_file, painted):
        assert f["type"] == p["type"] and f["title"] == p["title"]
        series = [p["series"][i] for i in range(len(f["series"]))]
        assert [s["name"] for s in f["series"]] == [s.get("name") for s in series]
        assert [s["fill"] for s in f["series"]] == ["FF" + s["fill_color"].lstrip("#").upper() for s in series]
        sheet_prefix = lambda ref: ref.split("!")[-1]                      # noqa: E731
        assert {sheet_prefix(s["categories"]) for s in f["series"]} == {p["categories"]}
        first, last = sheet_prefix(f["series"][0]["values"]), sheet_prefix(f["series"][-1]["values"])
        assert p["source"] == f"{first.split(':')[0]}:{last.split(':')[1]}"
        assert (f["legend"] is None) == (p["legend"].get("visible") is False)
        if f["legend"]:
            assert {"b": "Bottom", "r": "Right", "t": "Top", "l": "Left"}[f["legend"]] == p["legend"]["position"]


def test_monthly_report_script_paints_what_the_cli_writes(demo_run, tmp_path):
    live = tmp_path / "live.xlsx"
    shutil.copy(demo_run[0], live)
    book, actions = officejs.run_script(live, "monthly_report_script")
    sheets = _painted(book, actions)
    assert sheets == [S.HISTORY, S.REPORT, "2026年Q3季度考核"]
    cli = tmp_path / "cli.xlsx"
    shutil.copy(demo_run[0], cli)
    run = kpi4s("report", cli)
    assert run.returncode == 0, run.stderr
    replay, charts = _compare(cli, book, actions, sheets)
    file_charts, painted = charts[S.REPORT]
    _same_charts(file_charts, painted)
    assert len(file_charts) == 2
    # what Office.js cannot set through xlwings (the desktop button sets it through COM):
    assert any(s["labels"] for c in file_charts for s in c["series"])
    assert replay.alerts and "月度报告" in replay.alerts[-1][1]


def test_decompose_targets_script_paints_what_the_cli_writes(demo_run, tmp_path):
    live = tmp_path / "live.xlsx"
    shutil.copy(demo_run[0], live)
    book, actions = officejs.run_script(live, "decompose_targets_script")
    sheets = _painted(book, actions)
    assert sheets == list(S.TARGET_OUTPUTS)
    cli = tmp_path / "cli.xlsx"
    shutil.copy(demo_run[0], cli)
    run = kpi4s("decompose", cli)
    assert run.returncode == 0, run.stderr
    _, charts = _compare(cli, book, actions, sheets)
    file_charts, painted = charts[S.PROGRESS]
    _same_charts(file_charts, painted)
