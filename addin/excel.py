"""The Excel doors: buttons (RunPython), "Run main" and the xlwings Lite script.

Every door runs the same macro as ``kpi4s report`` (addin.macros) on the live workbook's
values — unsaved edits count — and paints the same rendered sheets (addin.render.report →
SheetSpecs) into the open book with addin.render.live. Input sheets are never written. Bad
input shows one message listing every problem and writes nothing.

- Excel desktop + xlwings add-in: a button runs ``RunPython "import addin.excel;
  addin.excel.monthly_report_button()"``; the ribbon's *Run main* imports the module named
  after the workbook (``workbook/kpi4s_store.py``), whose ``main()`` is :func:`main` here.
- xlwings Lite / Office.js: :func:`monthly_report_script` is an ``@xw.script``.
"""
from __future__ import annotations

import datetime as _dt
import logging

import xlwings as xw

from addin import documents, macros
from addin.io import schema as S
from addin.io.problems import BookError
from addin.render.live import paint

log = logging.getLogger(__name__)


def read_book(book) -> dict:
    """{sheet name: 2-D values from A1} of every sheet a macro reads (outputs are skipped)."""
    data = {}
    for sheet in book.sheets:
        if S.is_output(sheet.name) or sheet.name == S.PREVIEW:
            continue
        last = sheet.used_range.last_cell
        if last.row == 1 and last.column == 1 and sheet["A1"].value is None:
            data[sheet.name] = []
            continue
        data[sheet.name] = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    return data


def _alert(book, text: str, title: str = "kpi4s") -> None:
    try:
        book.app.alert(text, title=title)
    except Exception:  # noqa: BLE001 - no UI (tests, Lite without task pane)
        log.warning("%s: %s", title, text)


def run_monthly_report(book, month: str | None = None):
    """Read the live workbook, run the month, paint the output sheets. Returns the Run or None."""
    try:
        run = macros.month_report(read_book(book), month)
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 月度报告：输入有误")
        return None
    for spec in run.sheets:
        paint(book, spec)
    _alert(book, run.summary, "kpi4s 月度报告")
    return run


@xw.script(name="月度报告")
def monthly_report_script(book: xw.Book):
    """xlwings Lite / Office.js: 月度报告 on the open workbook."""
    run_monthly_report(book)


def monthly_report_button():
    """RunPython target of the 月度报告 button (Excel desktop)."""
    run_monthly_report(xw.Book.caller())


def main():
    """xlwings "Run main" (the module named after the workbook re-exports this)."""
    monthly_report_button()


def _saved_path(book) -> str:
    """Document macros work on the saved file (they write files next to it)."""
    try:
        book.save()
    except Exception:  # noqa: BLE001 - read-only or unsaved: use the file as it is
        log.warning("could not save %s before writing documents", book.name)
    return book.fullname


def _documents_button(make, title: str):
    book = xw.Book.caller()
    try:
        run = make(_saved_path(book))
    except BookError as exc:
        _alert(book, str(exc), f"kpi4s {title}：输入有误")
        return
    except RuntimeError as exc:               # LibreOffice missing for PDFs
        _alert(book, str(exc), f"kpi4s {title}")
        return
    _alert(book, run.summary, f"kpi4s {title}")


def appraisal_forms_button():
    """评估表 button: the month's appraisal forms (files next to the workbook)."""
    _documents_button(documents.appraisal_forms, "评估表")


def warning_letters_button():
    """警告信 button: letters and improvement plans for the month's actions."""
    _documents_button(documents.warning_letters, "警告信")


def decompose_targets_button():
    """目标分解 button: decompose the live workbook's annual targets and paint the target sheets
    (the file may be open and locked by Excel, so nothing is saved here)."""
    book = xw.Book.caller()
    try:
        run = macros.targets_report(read_book(book), as_of=_dt.date.today())
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 目标分解：输入有误")
        return
    for spec in run.sheets:
        paint(book, spec)
    _alert(book, run.summary, "kpi4s 目标分解")


def dms_folder(book, settings: dict):
    """The folder the 导入DMS button reads: 设置「DMS导出文件夹」 (relative to the workbook's
    folder), default <workbook folder>/DMS导出."""
    from pathlib import Path
    base = Path(book.fullname).parent
    given = str(settings.get(S.DMS_FOLDER_KEY) or "").strip()
    return (base / given) if given else base / "DMS导出"


def run_dms_import(book, month: str | None = None):
    """Read the live workbook, compute the DMS actuals from the exports in the DMS folder and paint
    DMS实绩, 车间分析 and the evidence sheets. Returns the Run or None."""
    from addin.io.book import load_book
    try:
        store = load_book(read_book(book))          # DMS实绩 is read too: its other months are kept
        run = macros.dms_report(store, [dms_folder(book, store.settings)], month)
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 导入DMS：输入有误")
        return None
    for spec in run.sheets:
        paint(book, spec)
    _alert(book, run.summary + "\n请再运行「月度报告」，未手工填写的实际值将取自 DMS实绩。", "kpi4s 导入DMS")
    return run


def dms_import_button():
    """RunPython target of the 导入DMS button (Excel desktop): the exports in 设置「DMS导出文件夹」."""
    run_dms_import(xw.Book.caller())
