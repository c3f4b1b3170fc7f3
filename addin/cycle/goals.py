"""目标设定表 for a month (SPEC §9, [000 5.1.1]): `kpi4s goals BOOK [--month]`.

Goals for month M are set at its start: by default the month after 设置「考核月份」 (the
month just evaluated). Every person graded in M gets a sheet with their scorecard items,
weights and M's targets — resolved exactly as the month end resolves them (月度实绩 目标值 >
考核表 > 目标分解 > 指标库) — the development plan from last month's interview, and the
signature and filing lines. Who signed and filed by the due day is tracked in 目标签署 and
listed in the month's report.
"""
from __future__ import annotations

import pandas as pd

from addin import targets
from addin.io import outputs as O
from addin.io import schema as S
from addin.io.book import StoreBook, load_book
from addin.io.problems import Problem, raise_if
from addin.month import cards as C
from addin.month import cycle as CY
from addin.month import inputs as I
from addin.month.roster import month_people, read_roster
from addin.render.goals import goal_contexts, now_text, render_goal_book
from addin.render.forms import sheet_title
from udfs import cycle
from udfs.parse import add_months, month_or_none

from .runs import CycleRun, finish, folder_for

GOALS_DIR = "目标设定表"
INDEX = ["月份", "工号", "姓名", "部门", "直接经理", "隔级经理", "考核项数", "权重合计", "待定目标", "截止日期", "文件", "工作表"]
BY = ("department", "employee")


def goals_month(book: StoreBook, month=None) -> str:
    """The month goals are set for: ``month``, else the month after 设置「考核月份」."""
    if month is not None:
        chosen = month_or_none(month)
        if chosen is None:
            raise_if([Problem("命令行", None, "--month", f"月份「{month}」无法识别（应为 YYYY-MM）")])
        return chosen
    if not book.month:
        raise_if([Problem(S.SETTINGS, None, S.MONTH_KEY, "未指定月份（设置表「考核月份」或 --month）")])
    return add_months(book.month, 1)


def assemble(book: StoreBook, month: str):
    """(people graded in the month, their items with targets, last month's interviews, due day);
    BookError listing every problem of the sheets read."""
    problems: list = []
    policy = book.policy
    roster = read_roster(book, problems)
    people = month_people(roster, month, policy)
    graded = people[people["eligible"]].reset_index(drop=True)
    ids = set(roster["employee_id"])
    lib = C.library(book, problems)
    cards = C.read_cards(book, lib, ids, policy, problems)
    items = C.assign(people, cards, problems)
    items["card_target"] = items["target"]
    I.put_actuals(items, book, month, ids, set(graded["employee_id"]), problems)     # targets typed ahead
    plan = targets.month_plan(book, month, problems) if book.has(S.TARGETS) else None
    I.resolve_targets(items, plan.targets if plan else pd.DataFrame(columns=["indicator", "owner", "target"]), people)
    interviews = CY.read_interviews(book, ids, problems)
    raise_if(problems)
    due = cycle.goal_due(month, policy.goal_day, policy.calendar)
    return graded, items, CY.interviews_for(interviews, month, graded), due


def goal_forms(source, month=None, out_dir=None, by: str = "department", pdf: bool = False,
               workers: int | None = None) -> CycleRun:
    """目标设定表 of the month for every graded employee: one workbook per department (a sheet
    each) or one per employee, the index CSV, optionally PDFs. Bad input: BookError, nothing written."""
    if by not in BY:
        raise ValueError("by must be 'department' or 'employee'")
    book = load_book(source)
    month = goals_month(book, month)
    people, items, interviews, due = assemble(book, month)
    ctxs = goal_contexts(book.store, month, people, items, interviews, due, book.policy, generated=now_text())
    run = CycleRun(month=month, folder=folder_for(out_dir, book, month, GOALS_DIR))
    groups: dict = {}
    for c in ctxs:
        groups.setdefault(c["employee_id"] if by == "employee" else (c["department"] or "未分部门"), []).append(c)
    jobs, rows, seen = [], [], set()
    for key, members in groups.items():
        c0 = members[0]
        stem = f"{O.safe_name(c0['employee_id'])}_{O.safe_name(c0['name'])}" if by == "employee" \
            else f"{O.safe_name(key)}_目标设定表"
        name = O.unique_name(f"{month}_{stem}.xlsx", seen)
        jobs.append((render_goal_book, str(run.folder / name), members))
        used: set = set()
        rows += [[month, c["employee_id"], c["name"], c["department"], c["manager"], c["next_manager"], len(c["items"]),
                  "" if c["weight_sum"] is None else f"{c['weight_sum']:.0%}", c["open_targets"], str(due), name,
                  sheet_title(c, used)] for c in members]
    written = O.run_jobs(jobs, workers)
    index = O.write_index(O.index_path(run.folder, month), INDEX, rows)
    open_ = sum(c["open_targets"] for c in ctxs)
    run.summary = f"截止日期：{due}（每月{book.policy.goal_day}日前三方签字后报人力资源部备案；备案情况填入「目标签署」表）" + \
        (f"\n提示：{open_} 个考核项目尚无目标值，表上显示「待定」" if open_ else "")
    return finish(run, written, index, f"已为 {len(ctxs)} 名员工生成 {month} 目标设定表（{len(written)} 个文件）", pdf)
