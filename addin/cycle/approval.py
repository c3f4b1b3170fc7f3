"""Approval before payroll (SPEC §9, [000 ❷7, 5.9]): `kpi4s approve BOOK --by NAME`.

A month's results go 草稿 → 部门确认 → 人力资源审核 → 总经理批准, one step per approval (each
a row of 审批记录 with who, when, the login user and the fingerprint of what was approved), or
back to 草稿 with 退回. An approval approves the numbers of the latest 月度报告: the workbook
must still give exactly what 历史 holds for the month, and a month in review must still give
what the previous step approved.

Once a month has left 草稿, :func:`guard_rerun` (called by every door's 月度报告) lets a re-run
through only when it changes nothing; a re-run that changes results needs an explicit
override (who and why): it records the override and one 变更 row per changed result (old →
new, against 审批快照) and sends the month back to 草稿, to be approved again before payroll.
"""
from __future__ import annotations

import pandas as pd

from addin.io import schema as S
from addin.io.book import StoreBook, load_book
from addin.io.lock import book_lock
from addin.io.problems import BookError, Problem, raise_if
from addin.month import compute_month
from addin.month.results import MonthResults
from udfs import cycle
from udfs.vocab import APPROVAL, InputError, TRAIL_EVENT

from . import payroll as P
from . import trail as T
from .runs import CycleRun, Who, now, write_book_sheets
from .runs import who as check_who

TRAIL_BROKEN = "审批记录有误，未写入任何内容"


def event(month: str, kind: str, status: str, who: Who, note: str, fp: str, **change) -> dict:
    return {"month": month, "time": now(), "event": TRAIL_EVENT.label(kind), "status": APPROVAL.label(status),
            "by": who.by, "login": who.login, "note": note, "fingerprint": fp, **change}


def _state(book: StoreBook) -> tuple[T.Trail, pd.DataFrame]:
    problems: list = []
    trail, snap = T.read_trail(book, problems), T.read_snapshot(book, problems)
    raise_if(problems, TRAIL_BROKEN)
    return trail, snap


def reported(book: StoreBook, res: MonthResults) -> None:
    """The month's 月度报告 was run and the workbook still gives what 历史 holds."""
    hist = book.frame(S.HISTORY) if book.has(S.HISTORY) else pd.DataFrame(columns=["month"])
    h = hist[hist["month"].eq(res.month)]
    if h.empty:
        raise_if([Problem(S.HISTORY, None, None, f"历史中没有 {res.month} 的结果：请先运行该月的月度报告，再审批")],
                 "该月尚未出月度报告，未审批")
    old = h.drop_duplicates("employee_id", keep="last").assign(
        total=pd.to_numeric(h["total"], errors="coerce"), pay=pd.to_numeric(h["pay"], errors="coerce"),
        grade=h["grade"].fillna(""))
    now_ = res.people.assign(grade=res.people["grade"].fillna(""))
    cols = ["employee_id", "name", "total", "grade", "pay"]
    a = old[cols].assign(fixed=0.0, fine=0.0, deduction=0.0, net=0.0)
    b = now_[cols].assign(fixed=0.0, fine=0.0, deduction=0.0, net=0.0)
    diff = P.change_text(P.differences(a, b))
    if diff:
        raise_if([Problem(S.HISTORY, None, None, d) for d in diff[:50]],
                 f"工作簿在上次运行 {res.month} 月度报告后有改动（{len(diff)} 人结果不同），请先重新运行月度报告，再审批")


def approval_sheets(source, month=None, who: Who | None = None, reject: bool = False, step=None,
                    note: str = "") -> CycleRun:
    """One approval step (or 退回) computed: the new 审批记录 (and 审批快照) as sheets; nothing
    written. BookError for a month not reported, changed since, or a step out of order."""
    book = load_book(source, month)
    res = compute_month(book, month)
    trail, snap = _state(book)
    reported(book, res)
    lines = P.lines(res)
    fp = T.fingerprint(lines)
    status = trail.status(res.month)
    specs = []
    try:
        if reject:
            if not cycle.can_reject(status):
                raise InputError(f"{res.month} 尚未进入审批（状态「{APPROVAL.label(status)}」），无需退回")
            new_status, kind = cycle.FIRST, "reject"
        else:
            wanted = APPROVAL.get(step) if step else None
            if step and wanted is None:
                raise InputError(f"审批步骤「{step}」无效（可选：{APPROVAL.help_zh()}）")
            new_status = cycle.step_to(status, wanted) if wanted else cycle.next_status(status)
            kind = "advance"
    except InputError as exc:
        raise BookError([Problem(S.TRAIL, None, None, str(exc))], "审批未进行，未写入任何内容") from None
    if not reject and status != cycle.FIRST and fp != trail.fingerprint(res.month):
        approved = snap[snap["month"].eq(res.month)]
        diff = P.change_text(P.differences(approved, lines))
        raise BookError([Problem(S.SNAPSHOT, None, None, d) for d in diff[:50]] or
                        [Problem(S.SNAPSHOT, None, None, "结果与上一步审批时不同")],
                        f"自「{APPROVAL.label(status)}」以来 {res.month} 的结果已变化：请覆盖重算该月月度报告"
                        "（kpi4s report --override），再从部门确认开始重新审批")
    new = trail.append([event(res.month, kind, new_status, who, note, fp)])
    specs.append(T.trail_sheet(new))
    if not reject:
        specs.append(T.snapshot_sheet(T.replace_month(snap, res.month, lines)))
    run = CycleRun(month=res.month, results=res, sheets=specs)
    verb = "退回" if reject else "审批通过"
    lines_ = [f"{book.store} {res.month}：{verb}，状态 「{APPROVAL.label(status)}」 → 「{APPROVAL.label(new_status)}」"
              f"（{who.by}，结果指纹 {fp}）"]
    if new_status == cycle.FINAL:
        lines_.append("已批准：可生成工资接口（kpi4s payroll）")
    elif not reject:
        lines_.append(f"下一步：{APPROVAL.label(cycle.next_status(new_status))}")
    lines_ += [f"提示：{w}" for w in res.payroll_warnings]
    run.summary = "\n".join(lines_)
    return run


def approve(path, month=None, by=None, reject: bool = False, step=None, note: str = "",
            person: Who | None = None) -> CycleRun:
    """`kpi4s approve`: one step (or 退回) written into the workbook, one writer at a time."""
    person = person or check_who(by)
    with book_lock(path):
        run = approval_sheets(path, month, person, reject, step, note)
        run.paths = [write_book_sheets(path, run.sheets)]
    return run


def status_text(source, month=None) -> str:
    """The month's status and its events (`kpi4s approve --show`); nothing written."""
    book = load_book(source, month)
    if not book.month:
        raise_if([Problem(S.SETTINGS, None, S.MONTH_KEY, "未指定考核月份（设置表「考核月份」或 --month）")])
    trail, _ = _state(book)
    status = trail.status(book.month)
    r = trail.rows[trail.rows["month"].eq(book.month)]
    out = [f"{book.store} {book.month} 审批状态：{APPROVAL.label(status)}（{APPROVAL.entry(status).note}）"]
    for e in r.itertuples(index=False):
        detail = f"{e.employee_id} {e.name} {e.field}：{e.old} → {e.new}" if e.field else e.note
        out.append(f"  {e.time} {e.event}（{e.status}）{e.by}" + (f"：{detail}" if detail else ""))
    return "\n".join(out)


def guard_rerun(book: StoreBook, res: MonthResults, override: Who | None = None) -> tuple[list, str]:
    """The 月度报告 of a month already in review: (extra sheets to write, a note for the summary).

    Unchanged results pass. Changed results raise BookError listing the changes, unless
    ``override`` (who, why): then the override and every change go into 审批记录 and the month
    goes back to 草稿."""
    draft = "提示：该月尚未进入审批，无需覆盖，未记录覆盖" if override else ""
    if not book.has(S.TRAIL) and not book.has(S.SNAPSHOT):
        return [], draft
    trail, snap = _state(book)
    status = trail.status(res.month)
    if not cycle.locked(status):
        return [], draft
    lines = P.lines(res)
    fp = T.fingerprint(lines)
    if fp == trail.fingerprint(res.month):
        return [], f"审批状态：{APPROVAL.label(status)}（本次结果与审批时相同）"
    approved = snap[snap["month"].eq(res.month)]
    if T.fingerprint(approved) != trail.fingerprint(res.month):
        raise_if([Problem(S.SNAPSHOT, None, None, f"{res.month} 的审批快照与审批记录的结果指纹不符（快照被修改），"
                                                  "无法确定变更内容；请从备份恢复 审批快照 表")], TRAIL_BROKEN)
    changes = P.differences(approved, lines)
    texts = P.change_text(changes)
    if override is None:
        raise BookError([Problem(S.SNAPSHOT, None, None, t) for t in texts[:100]] or
                        [Problem(S.SNAPSHOT, None, None, "结果与审批时不同")],
                        f"{res.month} 已进入审批（状态「{APPROVAL.label(status)}」），本次运行会改变 {len(texts)} 人的结果，"
                        "未写入任何内容；如确需重新计算，请覆盖重算（命令行 --override --by 姓名 --reason 理由），"
                        "变更将记入审批记录，该月退回草稿重新审批")
    events = [event(res.month, "override", cycle.FIRST, override, override.reason, fp)]
    events += [event(res.month, "change", cycle.FIRST, override, "", fp, employee_id=c["employee_id"], name=c["name"],
                     field=c["field"], old=c["old"], new=c["new"]) for c in changes]
    new = trail.append(events)
    return [T.trail_sheet(new)], (f"覆盖重算（{override.by}：{override.reason}）：{len(texts)} 人结果变更已记入审批记录，"
                                  f"状态由「{APPROVAL.label(status)}」退回「草稿」，须重新审批后才能转核算工资")
