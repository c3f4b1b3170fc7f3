"""The Excel doors: buttons (RunPython), "Run main" and the xlwings Lite script.

Every door runs the same macro as ``kpi4s report`` (addin.macros) on the live workbook's
values — unsaved edits count — and paints the same rendered sheets (addin.render.report →
SheetSpecs) into the open book with addin.render.live. Input sheets are never written. Bad
input shows one message listing every problem and writes nothing.

- Excel desktop + xlwings add-in: a button runs ``RunPython "import addin.excel;
  addin.excel.monthly_report_button()"``; the ribbon's *Run main* imports the module named
  after the workbook (``workbook/kpi4s_store.py``), whose ``main()`` is :func:`main` here.
- xlwings Lite / Office.js: :func:`monthly_report_script`, :func:`decompose_targets_script` and
  :func:`check_script` are ``@xw.script``s (the document buttons write files: command line only).
- The ribbon tab 绩效考核 (kpi4s.xlam, kpi4s_store.xlsm; sources in workbook/vba/) runs the
  ``*_button`` functions through xlwings' RunPython.
"""
from __future__ import annotations

import datetime as _dt
import logging

import xlwings as xw

from addin import documents, macros
from addin.io import guard
from addin.io import schema as S
from addin.io.problems import BookError, Problem
from addin.render.live import paint

log = logging.getLogger(__name__)


def read_book(book) -> dict:
    """{sheet name: 2-D values from A1} of every sheet a macro reads (outputs are skipped).

    A used range far larger than a table (one stray space at XFD1048576 makes it 17 billion
    cells) is not fetched: BookError naming the sheet and the last cell to delete, as for a file
    (addin.io.guard)."""
    data, problems = {}, []
    for sheet in book.sheets:
        if S.is_output(sheet.name) or sheet.name == S.PREVIEW:
            continue
        last = sheet.used_range.last_cell
        if last.row == 1 and last.column == 1 and sheet["A1"].value is None:
            data[sheet.name] = []
            continue
        if last.column > guard.MAX_COLUMNS or last.row * last.column > guard.MAX_CELLS:
            ref = f"{guard.column_letters(last.column)}{last.row}"
            problems.append(Problem(sheet.name, last.row, None, f"已用区域一直到单元格 {ref}，远超出表格范围，很可能有误输入；"
                                                                 f"请删除表格以外的内容（最后一个单元格 {ref}）后重试"))
            continue
        data[sheet.name] = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    if problems:
        raise guard.FileProblem(problems, "工作表中有表格以外的内容，未读取、未写入任何内容")
    return data


def _alert(book, text: str, title: str = "kpi4s") -> None:
    try:
        book.app.alert(text, title=title)
    except Exception:  # noqa: BLE001 - no UI (tests, Lite without task pane)
        log.warning("%s: %s", title, text)


def _unexpected(book, title: str) -> None:
    """Nothing reaches the user as a traceback: one message, the details in the log."""
    log.exception("%s: unexpected error", title)
    _alert(book, "kpi4s 内部错误，未写入任何内容；详情已记入日志，请发给维护人员。", f"kpi4s {title}")


def run_monthly_report(book, month: str | None = None, override=None):
    """Read the live workbook, run the month, paint the output sheets. Returns the Run or None.
    ``override`` (addin.cycle.runs.Who) recomputes a month already in review (SPEC §9)."""
    try:
        run = macros.month_report(read_book(book), month, override=override)
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 月度报告：输入有误")
        return None
    except Exception:  # noqa: BLE001 - a door: one message, never a traceback
        _unexpected(book, "月度报告")
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
    except Exception:  # noqa: BLE001 - a door: one message, never a traceback
        _unexpected(book, title)
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
    run_decompose_targets(xw.Book.caller())


def run_check(book):
    """检查 on the live workbook (unsaved edits count): every problem listed; nothing written."""
    try:
        run = macros.check(read_book(book))
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 检查：发现问题")
        return None
    except Exception:  # noqa: BLE001 - a door: one message, never a traceback
        _unexpected(book, "检查")
        return None
    _alert(book, run.summary, "kpi4s 检查")
    return run


def check_button():
    """检查 button (Excel desktop)."""
    run_check(xw.Book.caller())


@xw.script(name="检查")
def check_script(book: xw.Book):
    """xlwings Lite / Office.js: 检查 on the open workbook."""
    run_check(book)


def run_decompose_targets(book, as_of=None):
    """目标分解 on the live workbook: decompose, paint the five target sheets (nothing saved)."""
    try:
        run = macros.targets_report(read_book(book), as_of=as_of or _dt.date.today())
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 目标分解：输入有误")
        return None
    except Exception:  # noqa: BLE001 - a door: one message, never a traceback
        _unexpected(book, "目标分解")
        return None
    for spec in run.sheets:
        paint(book, spec)
    _alert(book, run.summary, "kpi4s 目标分解")
    return run


@xw.script(name="目标分解")
def decompose_targets_script(book: xw.Book):
    """xlwings Lite / Office.js: 目标分解 on the open workbook."""
    run_decompose_targets(book)


# --------------------------------------------------------------------------- 导入DMS (SPEC §7)
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


# --------------------------------------------------------------------------- the cycle (SPEC §9)
def _person(book, reason: bool = False):
    """Who presses the button: 设置「操作人」 (else the login name), and 设置「覆盖理由」 when needed."""
    from addin.cycle.runs import login_user, who
    from addin.io.book import load_book
    settings = load_book(read_book(book), required=(S.SETTINGS,)).settings
    return who(settings.get(S.OPERATOR_KEY) or login_user(), settings.get(S.OVERRIDE_KEY) if reason else None,
               need_reason=reason, arg_by=f"设置「{S.OPERATOR_KEY}」", arg_reason=f"设置「{S.OVERRIDE_KEY}」")


def _live(book, title: str, make):
    """Run ``make()`` → a run with SheetSpecs; paint them into the live book; show the summary."""
    try:
        run = make()
    except BookError as exc:
        _alert(book, str(exc), f"kpi4s {title}：未完成")
        return None
    except Exception:  # noqa: BLE001 - a door: one message, never a traceback
        _unexpected(book, title)
        return None
    for spec in run.sheets:
        paint(book, spec)
    _alert(book, run.summary, f"kpi4s {title}")
    return run


def approve_button(reject: bool = False):
    """审批 button: the month one step on (or 退回), recorded in 审批记录 of the open workbook."""
    from addin.cycle import approval
    book = xw.Book.caller()
    _live(book, "退回" if reject else "审批",
          lambda: approval.approval_sheets(read_book(book), None, _person(book), reject=reject))


def reject_button():
    """退回 button: the month back to 草稿."""
    approve_button(reject=True)


def monthly_report_override_button():
    """覆盖重算 button: 月度报告 of a month in review, with 设置「操作人」「覆盖理由」 recorded."""
    book = xw.Book.caller()
    try:
        person = _person(book, reason=True)
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 覆盖重算：未完成")
        return
    except Exception:  # noqa: BLE001 - a door: one message, never a traceback
        _unexpected(book, "覆盖重算")
        return
    run_monthly_report(book, override=person)


def goal_forms_button():
    """目标设定表 button: next month's goal sheets (files next to the workbook)."""
    from addin.cycle import goals
    _documents_button(goals.goal_forms, "目标设定表")


def payroll_button():
    """工资接口 button: the payroll hand-off of the approved month (files next to the workbook)."""
    from addin.cycle import payroll
    _documents_button(payroll.payroll, "工资接口")


def apply_appeals_button():
    """申述改分 button: re-run (in the open workbook) every month with accepted appeals not yet in 历史."""
    from addin.cycle import appeals
    from addin.cycle.runs import Who
    from addin.io.book import load_book
    book = xw.Book.caller()
    try:
        person = _person(book)
        todo = appeals.pending(load_book(read_book(book), required=()))
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 申述改分：未完成")
        return
    except Exception:  # noqa: BLE001 - a door: one message, never a traceback
        _unexpected(book, "申述改分")
        return
    if not todo:
        _alert(book, "没有待生效的改分申述", "kpi4s 申述改分")
    for month, rows in todo:
        if run_monthly_report(book, month, Who(person.by, appeals.reason(rows), person.login)) is None:
            return


def year_end_button():
    """年终资料 button: 调薪通知书 next to the workbook, the year sheets painted into it."""
    from addin.cycle import year
    book = xw.Book.caller()
    _live(book, "年终资料", lambda: year.year_end(_saved_path(book), write_book=False))


# --------------------------------------------------------------------------- the dealer group (SPEC §8)
def _values(sheet) -> list:
    last = sheet.used_range.last_cell
    return sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value


def run_group_report(book, sources=(), month: str | None = None):
    """集团汇总 on the open group workbook: its 设置 (unsaved edits count) name the store books and
    the archive; the stores are read from their files, the archive is written, and the output
    sheets are painted into the open book (which Excel keeps locked, so it is not saved here).
    Returns the Run or None."""
    from pathlib import Path

    from addin.group import read_group_settings
    names = [s.name for s in book.sheets]
    if S.ROSTER in names:                    # pressed in a store workbook: it has no stores to gather
        _alert(book, f"当前工作簿「{book.name}」是门店工作簿（有「{S.ROSTER}」表）。集团汇总请在集团汇总工作簿"
               f"（由 workbook/kpi4s_group.xlsx 复制）中点击，并在其设置「{S.STORES_KEY}」填写门店工作簿所在文件夹。",
               "kpi4s 集团汇总：未汇总")
        return None
    try:
        rows = _values(book.sheets[S.SETTINGS]) if S.SETTINGS in names else []
        settings = read_group_settings(rows, Path(book.fullname))
        run = macros.group_month(settings, sources, month)
    except BookError as exc:
        _alert(book, str(exc), "kpi4s 集团汇总：未汇总")
        return None
    except Exception:  # noqa: BLE001 - a door: one message, never a traceback
        _unexpected(book, "集团汇总")
        return None
    for spec in run.sheets:
        paint(book, spec)
    _alert(book, run.summary, "kpi4s 集团汇总")
    return run


def group_report_button():
    """RunPython target of the 集团汇总 button (Excel desktop, in the group workbook)."""
    run_group_report(xw.Book.caller())
