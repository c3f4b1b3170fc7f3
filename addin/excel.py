"""xlwings entry points: the buttons (RunPython), "Run main" and the xlwings Lite script.

Three doors into the same room (SPEC §1):

- Excel desktop + xlwings add-in: a button runs ``RunPython "import addin.excel;
  addin.excel.monthly_report_button()"``; the ribbon's *Run main* imports the module named
  after the workbook (``workbook/kpi4s_store.py``) and calls its ``main()``, which is
  :func:`main` here.
- xlwings Lite / Office.js: :func:`monthly_report_script` is an ``@xw.script``; the runtime
  injects the workbook.
- Headless: ``kpi4s report BOOK`` (addin/report.py) on the saved file.

In Excel the live workbook is read through xlwings (so unsaved edits count), the month is
computed by the same :func:`addin.report.compute_month`, and the output sheets' values are
written back with xlwings (plus number formats and the two charts where the engine can).
Input sheets are never written. Bad input shows one message listing every problem.
"""
from __future__ import annotations

import os

import xlwings as xw

from addin import book as bk
from addin.errors import BookError

_HEADER_FILL = "#1F4E79"


# ---------------------------------------------------------------------------- reading
def _is_output(name: str) -> bool:
    return name == bk.REPORT or name.endswith(("季度考核", "年度考核"))


def read_book(book) -> dict:
    """{sheet name: 2-D values from A1} of every sheet the report reads (outputs skipped)."""
    data = {}
    for sheet in book.sheets:
        if _is_output(sheet.name) or sheet.name == bk.PREVIEW:
            continue
        last = sheet.used_range.last_cell
        if last.row == 1 and last.column == 1 and sheet["A1"].value is None:
            data[sheet.name] = []
            continue
        data[sheet.name] = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    return data


# ---------------------------------------------------------------------------- writing
def _sheet(book, name: str):
    names = [s.name for s in book.sheets]
    if name in names:
        sh = book.sheets[name]
        sh.clear()
        return sh
    return book.sheets.add(name, after=book.sheets[len(names) - 1])


def write_outputs(book, res) -> list[str]:
    """Write 历史, 月度报告 and the period sheets' values (+ formats, charts) into `book`."""
    from addin.report_sheets import report_sections, sheet_values
    values = sheet_values(res)
    written = []
    for name, rows in values.items():
        sh = _sheet(book, name)
        if rows:
            sh["A1"].value = rows
        written.append(name)
        try:
            _format(sh, name, rows, res, report_sections(res) if name == bk.REPORT else None)
        except Exception as exc:   # noqa: BLE001 - formats are cosmetic; values are written
            if os.environ.get("KPI4S_DEBUG"):
                raise
            print(f"kpi4s: formatting {name} skipped ({exc})")
    return written


def _format(sh, name, rows, res, secs):
    if not rows:
        return
    width = len(rows[0])
    if name != bk.REPORT:
        head = sh.range((1, 1), (1, width))
        head.font.bold = True
        head.font.color = "#FFFFFF"
        head.color = _HEADER_FILL
        n = len(rows)
        if name == bk.HISTORY and n > 1:
            sh.range((2, 5), (n, 5)).number_format = "0.0"
            sh.range((2, 7), (n, 7)).number_format = "#,##0.00"
        return
    sh["A1"].font.bold = True
    sh["A1"].font.size = 16
    index = {r[0]: i for i, r in enumerate(rows) if r and isinstance(r[0], str)}
    for key, sec in secs.items():
        i = index.get(sec.title)
        if i is None:
            continue
        sh.range((i + 1, 1)).font.bold = True
        hdr = sh.range((i + 2, 1), (i + 2, len(sec.headers)))
        hdr.font.bold = True
        hdr.font.color = "#FFFFFF"
        hdr.color = _HEADER_FILL
    # charts: grade distribution vs guideline; department averages
    g = index.get(secs["grades"].title)
    if g is not None:
        chart = sh.charts.add(left=560, top=15 * g, width=420, height=220)     # points (rows ≈ 15 pt)
        chart.chart_type = "column_clustered"
        chart.set_source_data(sh.range((g + 2, 5), (g + 7, 6)))
    d = index.get(secs["departments"].title)
    nd = len(secs["departments"].rows) - 1
    if d is not None and nd > 0:
        chart = sh.charts.add(left=900, top=15 * d, width=420, height=240)
        chart.chart_type = "bar_clustered"
        chart.set_source_data(sh.range((d + 2, 4), (d + 2 + nd, 4)))


def _alert(book, text: str, title: str = "kpi4s"):
    try:
        book.app.alert(text, title=title)
    except Exception:   # noqa: BLE001 - no UI (tests, Lite without task pane)
        print(text)


# ---------------------------------------------------------------------------- the report
def run_monthly_report(book, month: str | None = None):
    """Read the live workbook, compute the month, write the output sheets. Returns MonthResults."""
    from addin.report import compute_month, summary_text
    data = read_book(book)
    try:
        res = compute_month(bk.load_book(data, month), month)
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 月度报告：输入有误")
        raise
    write_outputs(book, res)
    _alert(book, summary_text(res), "kpi4s 月度报告")
    return res


@xw.script(name="月度报告")
def monthly_report_script(book: xw.Book):
    """xlwings Lite / Office.js: 月度报告 on the open workbook."""
    try:
        run_monthly_report(book)
    except BookError:
        pass        # the message was shown; nothing was written


def monthly_report_button():
    """RunPython target of the 月度报告 button (Excel desktop)."""
    book = xw.Book.caller()
    try:
        run_monthly_report(book)
    except BookError:
        return


def main():
    """xlwings "Run main" (the module named after the workbook re-exports this)."""
    monthly_report_button()


# ---------------------------------------------------------------------------- other buttons
def _saved_path(book):
    """Document macros work on the saved file (they write files next to it)."""
    try:
        book.save()
    except Exception:   # noqa: BLE001 - read-only or unsaved: use the file as it is
        pass
    return book.fullname


def _documents_button(make, title: str, what: str):
    """The document buttons: run `make` on the saved workbook and list what was written."""
    book = xw.Book.caller()
    try:
        paths = make(_saved_path(book))
    except BookError as exc:
        _alert(book, str(exc), f"kpi4s {title}：输入有误")
        return
    _alert(book, f"已生成 {len(paths)} 个{what}：\n" + "\n".join(str(p) for p in paths[:10]), f"kpi4s {title}")


def appraisal_forms_button():
    """评估表 button: the month's appraisal forms (files next to the workbook)."""
    from addin.documents import appraisal_forms
    _documents_button(appraisal_forms, "评估表", "评估表文件")


def warning_letters_button():
    """警告信 button: letters and improvement plans for the month's actions."""
    from addin.documents import warning_letters
    _documents_button(warning_letters, "警告信", "文件")


def decompose_targets_button():
    """目标分解 button: decompose the live workbook's annual targets and write the target
    output sheets' values (the file may be open and locked by Excel, so nothing is saved)."""
    from addin import targets
    book = xw.Book.caller()
    data = read_book(book)
    try:
        import datetime as _dt
        model = targets.build_model(data, as_of=_dt.date.today(), progress=True)
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 目标分解：输入有误")
        return
    write_openpyxl_sheets(book, targets.sheet_writers(model, bk.load_book(data)))
    _alert(book, "目标分解完成。", "kpi4s 目标分解")


def write_openpyxl_sheets(book, writers: dict) -> None:
    """Render {sheet: callable(openpyxl ws)} in memory and write the values with xlwings."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, fill in writers.items():
        ws = wb.create_sheet(name)
        fill(ws)
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        sh = _sheet(book, name)
        if rows:
            width = max(len(r) for r in rows)
            sh["A1"].value = [r + [None] * (width - len(r)) for r in rows]
