"""Exports as careless or hostile users and other programs make them."""
from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest
from helpers import kpi4s, values

import dmsdata as D
from addin import dms
from addin.io.book import load_book

MONTH = D.MONTH
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def store_figure(res, kpi, level="store", who=""):
    f = res.figures
    f = f[(f.month == MONTH) & (f.kpi_id == kpi) & (f.level == level)]
    if level == "person":
        f = f[f.employee_id == who]
    return float(f["actual"].iloc[0])


def _xlsx(path, head, rows, title=None):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice not installed")
@pytest.mark.parametrize("fmt", ["xls", "xlsx"])
def test_files_saved_by_libreoffice(store, tmp_path, fmt):
    """A real BIFF .xls and an .xlsx written by LibreOffice (dates as date cells) read as the CSV does."""
    book, folder = store
    (folder / "维修工单.csv").unlink()
    import datetime as dt
    rows = [[dt.datetime.fromisoformat(v) if i in (1, 2) and v else v for i, v in enumerate(r)] for r in D.RO]
    src = _xlsx(tmp_path / "维修工单.xlsx", D.RO_HEAD, rows, title="维修工单明细")
    out = tmp_path / "lo"
    run = subprocess.run([SOFFICE, "--headless", "--convert-to", fmt, "--outdir", str(out), str(src)],
                         capture_output=True, text=True, timeout=180)
    assert (out / f"维修工单.{fmt}").exists(), run.stderr
    shutil.copy(out / f"维修工单.{fmt}", folder / f"维修工单.{fmt}")
    res = dms.compute(book, [folder], MONTH)
    assert store_figure(res, "rework_rate", "person", "T1") == pytest.approx(1 / 4)
    assert store_figure(res, "revenue_per_repair") == pytest.approx(3820 / 5)


def test_formulas_and_control_characters_stay_text(store, tmp_path):
    """A concern typed as =HYPERLINK(…) and control characters pasted from an ERP end up as plain text."""
    book, folder = store
    rows = [list(r) for r in D.RO]
    rows[1][9] = '=HYPERLINK("http://evil","点我")'            # R02's concern (and R03's, so still a comeback)
    rows[2][9] = '=HYPERLINK("http://evil","点我")'
    rows[4][9] = "E03\x07\x1b"                                # R05: control characters
    rows[3][9] = "E03\x07\x1b"
    D.write_csv(folder / "维修工单.csv", D.RO_HEAD, rows)
    run = kpi4s("dms", book, folder)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>HYPERLINK" not in z.read(name), name                # never a formula
    ev = values(book, "证据-返修率")
    cells = [c for r in ev for c in r]
    assert '=HYPERLINK("http://evil","点我")' in cells                  # shown as text, not a link
    assert "E03" in cells and not any(isinstance(c, str) and "\x07" in c for c in cells)


def test_someone_who_left_is_still_known(store, tmp_path):
    """A technician who left last month keeps his repair orders; the roster keeps him as 离职."""
    book, folder = store
    roster = D.ROSTER + [["T8", "离职技师", "机修车间", "机修技师", "创利部门", "赵主管", "王总", 5000, "离职", None]]
    left = D.make_book(tmp_path / "left.xlsx", roster=roster)
    rows = [list(r) for r in D.RO] + [["R50", "2026-09-03 09:00:00", "2026-09-03 11:00:00", "V50", "", "C50", "张伟",
                                         "离职技师", "一般维修", "E09", 1, 180, 0, "否"]]
    D.write_csv(folder / "维修工单.csv", D.RO_HEAD, rows)
    res = dms.compute(left, [folder], MONTH)
    assert store_figure(res, "hours_per_ro", "person", "T8") == 1
    assert store_figure(res, "rework_rate", "department", "机修车间") == pytest.approx(1 / 8)


def test_two_imports_at_once_leave_a_whole_workbook(store, tmp_path):
    book, folder = store
    import sys
    procs = [subprocess.Popen([sys.executable, "-c", "import sys; from addin.cli import main; sys.exit(main(sys.argv[1:]))",
                               "dms", str(book), str(folder), "--month", m], cwd=str(tmp_path),
                              env={"PYTHONPATH": str(D.Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for m in ("2026-08", "2026-09")]
    for p in procs:
        p.wait(timeout=300)
    assert [p.returncode for p in procs] == [0, 0], [p.stderr.read().decode() for p in procs]
    months = {r[0] for r in values(book, "DMS实绩")[1:] if r[0]}
    assert months in ({"2026-08"}, {"2026-09"}, {"2026-08", "2026-09"})      # the last writer's whole book
    assert load_book(book).has("车间分析")


def test_a_runaway_definition_is_stopped(store, tmp_path, monkeypatch):
    """A definition that would run for hours (a cross join) is interrupted and reported on its row."""
    from addin.dms import engine
    from udfs.kpis import library_frame
    monkeypatch.setattr(engine, "TIME_LIMIT", 1.0)
    lib = library_frame("zh")
    lib.loc[lib["编号"] == "monthly_intake", "DMS计算定义"] = (
        "SELECT DATE '2026-09-01' AS month, NULL AS person, count(*) AS num, NULL AS den "
        "FROM range(100000000) a, range(100000) b")
    book = D.make_book(tmp_path / "slow.xlsx", **{"指标库": lib.astype(object).where(lib.notna(), None).values.tolist()})
    from addin.io.problems import BookError
    with pytest.raises(BookError) as err:
        dms.compute(book, [store[1]], MONTH)
    assert "月接车台次" in str(err.value) and "已停止" in str(err.value)
