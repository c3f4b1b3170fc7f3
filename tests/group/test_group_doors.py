"""The other doors of 集团汇总: the Excel button (through xlwings' Office.js runtime, as in
tests/e2e/test_excel_script.py) paints the same sheets the command writes; the group workbook
renders to a printable PDF."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from group_stores import MONTH, group_book, table
from helpers import kpi4s, values
from officejs import office_js_book

from addin.io import schema as S

xw = pytest.importorskip("xlwings")


def _norm(v):
    """A cell as Excel shows it: the text prefix (') a live write puts before risky text is not part of it."""
    if isinstance(v, str) and v.startswith("'"):
        v = v[1:]
    return None if v in ("", None) else round(v, 6) if isinstance(v, float) else v


def test_button_paints_what_the_command_writes(folder, tmp_path):
    live = group_book(tmp_path / "集团.xlsx", **{"门店工作簿": str(folder), "归档数据库": str(tmp_path / "a.duckdb"),
                                                 "考核月份": MONTH})
    headless = group_book(tmp_path / "集团-命令行.xlsx", **{"考核月份": MONTH})
    import addin.excel as excel
    book = office_js_book(live)
    run = excel.run_group_report(book)
    assert run is not None and len(run.results.ok) == 2
    actions = book.json()["actions"]
    names = [s.name for s in book.sheets]
    writes = {names[a["sheet_position"]]: a["values"] for a in actions if a["func"] == "setValues"}
    assert set(S.GROUP_OUTPUTS) <= set(writes) and S.SETTINGS not in writes
    assert any(a["func"] == "alert" and "集团汇总" in str(a["args"]) for a in actions)
    cli = kpi4s("group", folder, "--out", headless, "--archive", tmp_path / "b.duckdb")
    assert cli.returncode == 0, cli.stderr
    for name in (S.LEAGUE, S.DEPT_VIEW, S.GROUP_PROBLEMS):
        want = values(headless, name)
        got = writes[name]
        want = [[_norm(v) for v in r] for r in want[2:]]              # the subtitle names the archive
        got = [[_norm(v) for v in r] for r in got[2:]]
        width = max(len(r) for r in want)
        assert [r[:width] + [None] * (width - len(r[:width])) for r in got][:len(want)] == \
               [r + [None] * (width - len(r)) for r in want], name


def test_button_shows_bad_settings_and_paints_nothing(folder, tmp_path):
    live = group_book(tmp_path / "集团.xlsx", **{"门店工作簿": str(folder), "集团统一评定": "随便"})
    import addin.excel as excel
    book = office_js_book(live)
    assert excel.run_group_report(book) is None
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"] and "集团统一评定" in str(actions[0]["args"])


def test_button_in_a_store_workbook_says_where_to_press_it(folder, tmp_path):
    store = sorted(folder.glob("*.xlsx"))[0]
    import addin.excel as excel
    book = office_js_book(store)
    assert excel.run_group_report(book) is None
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    assert "是门店工作簿" in actions[0]["args"][0] and "门店工作簿」填写" in actions[0]["args"][0]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_group_workbook_prints(folder, tmp_path):
    out = group_book(tmp_path / "集团.xlsx", **{"集团统一评定": "全集团"})
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    pdf = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                          "pdf", "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=300)
    assert pdf.returncode == 0 and (tmp_path / "集团.pdf").exists()
    text = subprocess.run(["pdftotext", str(tmp_path / "集团.pdf"), "-"], capture_output=True, text=True).stdout
    for words in ("门店绩效汇总", "KPI 指标达成率", "部门对比", "月度趋势", "集团统一评定", "问题清单", "乙店"):
        assert words in text, words
    _, league = table(values(out, S.LEAGUE), "排名", 8)
    assert len(league) == 3


def test_progress_bar_and_a_line_per_store_on_a_terminal(folder, tmp_path):
    """On a terminal (stderr a tty) `kpi4s group` shows tqdm's bar and one line per store."""
    import os
    import pty
    import sys

    from helpers import ROOT
    import fcntl
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))     # a 120-column terminal
    proc = subprocess.Popen([sys.executable, "-m", "addin.cli", "group", str(folder), "--out", str(tmp_path / "g.xlsx"),
                             "--month", MONTH, "--archive", "a.duckdb"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=slave, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"})
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=300)
    os.close(master)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    assert "读取门店" in text and "4/4" in text                        # the bar, to the last store
    for line in ("✓ 甲店（甲店.xlsx）2026-09 参评 3 人", "✗ 丙店（丙店.xlsx）2 处错误，未汇总", "– 丁店（丁店.xlsx）缺少 2026-09"):
        assert line in text, line
    assert "集团 2026-09 集团汇总" in out.decode("utf-8")
    assert (tmp_path / "a.duckdb").exists()                          # --archive relative to where it runs
