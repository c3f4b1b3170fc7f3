"""The cycle around the month end (SPEC §9), read and checked with the month's other inputs.

* 员工申述 — the appeals register: every row validated (an appeal is for a month already
  reported, for a person graded in it, after its results came out); an accepted appeal's
  changed score becomes the month's score of record (udfs.scoring.appealed_totals) before
  grading, so grade, pay, history and consequences follow it.
* 绩效面谈 — interviews: last month's are shown on this month's forms; those due and not
  recorded are listed in the report.
* 目标签署 — whether each graded person's 目标设定表 was signed and filed by the due day.
* 工资扣款 and the scorers' fines per person — for the payroll hand-off.
* 末位名单 — the bottom-ranking list per evaluation group (when the setting is on).

A store that leaves 目标签署 or 绩效面谈 empty does not track them (no lists in the report).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.io import schema as S
from addin.io.book import StoreBook
from addin.io.problems import problems_at
from udfs import cycle, grading, scoring
from udfs.parse import add_months
from udfs.policy import Policy
from udfs.vocab import APPEAL_DECISION

from .inputs import month_rows
from .results import (APPEAL_COLUMNS, BOTTOM_COLUMNS, GOAL_COLUMNS, INTERVIEW_COLUMNS, MISSING_INTERVIEW_COLUMNS)


@dataclass
class CycleInputs:
    appeals: pd.DataFrame | None          # APPEAL_COLUMNS (None: no 员工申述 sheet)
    interviews: pd.DataFrame | None       # every interview row (None: not tracked)
    goals: pd.DataFrame | None            # GOAL_COLUMNS (None: not tracked)
    goals_due: object
    deductions: pd.Series                 # employee_id → yuan


def _month_start(months: pd.Series, shift: int = 0) -> pd.Series:
    """'YYYY-MM' → the first day of that month (+ shift months) as datetime64[s]; NaT for ''."""
    ok = months.ne("")
    day = pd.to_datetime(months.where(ok) + "-01", format="%Y-%m-%d", errors="coerce")
    if shift:
        day = day + pd.DateOffset(months=shift)
    return day.astype("datetime64[s]")


def _tracked(book: StoreBook, sheet: str) -> bool:
    return book.has(sheet) and len(book.table(sheet)) > 0


# --------------------------------------------------------------------------- appeals
def read_appeals(book: StoreBook, history: pd.DataFrame, roster: pd.DataFrame, people: pd.DataFrame, month: str,
                 policy: Policy, problems: list) -> pd.DataFrame | None:
    """员工申述 validated, every row (all months): the register with decision codes."""
    if not book.has(S.APPEALS):
        return None
    h = S.SHEETS[S.APPEALS].header
    a = book.frame(S.APPEALS, problems)
    a["decision"] = a["decision"].fillna("pending")
    ids = set(roster["employee_id"])
    known = a["employee_id"].isin(ids)
    problems += problems_at(a, a["employee_id"].ne("") & ~known, S.APPEALS, h("employee_id"),
                            "员工名册中没有员工编号「{employee_id}」")
    hist = history[history["month"].ne("")]
    reported = set(hist["month"])
    has_month = a["month"].ne("")
    unreported = has_month & ~a["month"].isin(reported)
    problems += problems_at(a, unreported, S.APPEALS, h("month"),
                            "{month} 尚未出月度报告，不能申述（该月运行月度报告后才有可申述的结果）")
    graded = set(zip(hist.loc[hist["grade"].fillna("").ne(""), "employee_id"],
                     hist.loc[hist["grade"].fillna("").ne(""), "month"]))
    pairs = pd.Series(list(zip(a["employee_id"], a["month"])), index=a.index, dtype=object)
    ungraded = has_month & ~unreported & known & ~pairs.isin(graded)
    problems += problems_at(a, ungraded, S.APPEALS, h("employee_id"),
                            "员工 {employee_id} 在 {month} 没有考核等级（免考核或未参评），不能申述")
    early = a["date"].notna() & has_month & (a["date"] < _month_start(a["month"], 1))
    problems += problems_at(a, early, S.APPEALS, h("date"), "申述日期早于 {month} 考核结果产生（次月1日起才能申述）")
    decided_early = a["decided"].notna() & a["date"].notna() & (a["decided"] < a["date"])
    problems += problems_at(a, decided_early, S.APPEALS, h("decided"), "处理日期早于申述日期")
    accepted = a["decision"].eq("accepted")
    problems += problems_at(a, accepted & a["changed"].isna(), S.APPEALS, h("changed"),
                            "处理结果为「改分」，须填写调整后得分")
    errors = scoring.appeal_score_errors(a["changed"].to_numpy(), policy)
    problems += problems_at(a, accepted & (errors != ""), S.APPEALS, h("changed"), errors)
    label = pd.Series(APPEAL_DECISION.labels_of(a["decision"].to_numpy()), index=a.index)
    stray = ~accepted & a["changed"].notna()
    problems += problems_at(a.assign(label=label), stray, S.APPEALS, h("decision"),
                            "填写了调整后得分，处理结果应为「改分」（现为「{label}」）")
    twice = a.loc[accepted, ["employee_id", "month"]].duplicated(keep=False).reindex(a.index, fill_value=False)
    problems += problems_at(a, twice, S.APPEALS, h("decision"), "员工 {employee_id} 在 {month} 有多条「改分」申述，只能保留一条")
    now = accepted & a["month"].eq(month) & a["changed"].notna()
    exempt = set(people.loc[~people["eligible"], "employee_id"])
    problems += problems_at(a, now & a["employee_id"].isin(exempt), S.APPEALS, h("employee_id"),
                            "员工 {employee_id} 本月不参加考核（见员工名册），改分无法生效")
    gone = now & known & ~a["employee_id"].isin(set(people["employee_id"]))
    problems += problems_at(a, gone, S.APPEALS, h("employee_id"),
                            "员工 {employee_id} 在员工名册中已离职（或入职日期晚于 {month}），重新计算该月时不在其中，改分无法生效；"
                            "请核对员工名册的状态与入职日期")
    info = roster.drop_duplicates("employee_id").set_index("employee_id")
    out = a.assign(row=a["_row"], name=a["name"].where(a["name"].ne(""), a["employee_id"].map(info["name"]).fillna("")),
                   department=a["employee_id"].map(info["department"]).fillna(""))
    return out.reindex(columns=APPEAL_COLUMNS).reset_index(drop=True)


def apply_appeals(people: pd.DataFrame, appeals: pd.DataFrame | None, month: str, policy: Policy) -> pd.DataFrame:
    """The month's accepted appeals: the changed score replaces the computed total (the rule of
    record, udfs.scoring.appealed_totals) before grading; the computed one is kept beside it."""
    people["total_computed"] = people["total"]
    people["appeal"] = ""
    if appeals is None or appeals.empty:
        return people
    acc = appeals[appeals["month"].eq(month) & appeals["decision"].eq("accepted") & appeals["changed"].notna()]
    acc = acc.drop_duplicates("employee_id", keep="last").set_index("employee_id")
    changed = people["employee_id"].map(acc["changed"]).astype(float).where(people["eligible"])
    people["total"] = scoring.appealed_totals(people["total"].to_numpy(dtype=float), changed.to_numpy(), policy)
    hit = changed.notna().to_numpy()
    if hit.any():
        rows = acc.loc[people.loc[hit, "employee_id"]]
        dates = pd.to_datetime(rows["date"]).dt.strftime("%Y-%m-%d").fillna("").to_numpy()
        who = rows["handler"].fillna("").to_numpy()
        old = people.loc[hit, "total_computed"].to_numpy(dtype=float)
        new = people.loc[hit, "total"].to_numpy(dtype=float)
        d = policy.score_decimals
        people.loc[hit, "appeal"] = [f"申述改分：原 {o:.{d}f} 分 → {n:.{d}f} 分（{dt} 申述" + (f"，{w}处理）" if w else "）")
                                     for o, n, dt, w in zip(old, new, dates, who)]
    return people


# --------------------------------------------------------------------------- interviews
def read_interviews(book: StoreBook, ids: set, problems: list) -> pd.DataFrame | None:
    """绩效面谈 validated (None when the store does not record interviews)."""
    if not _tracked(book, S.INTERVIEWS):
        return None
    h = S.SHEETS[S.INTERVIEWS].header
    f = book.frame(S.INTERVIEWS, problems)
    f["kind"] = f["kind"].fillna("review")
    problems += problems_at(f, f["employee_id"].ne("") & ~f["employee_id"].isin(ids), S.INTERVIEWS,
                            h("employee_id"), "员工名册中没有员工编号「{employee_id}」")
    early = f["date"].notna() & f["month"].ne("") & (f["date"] < _month_start(f["month"]))
    problems += problems_at(f, early, S.INTERVIEWS, h("date"), "面谈日期早于所反馈的考核月份 {month}")
    return f


def interviews_for(interviews: pd.DataFrame | None, month: str, people: pd.DataFrame) -> pd.DataFrame:
    """The interviews about the month before ``month`` of this month's people (forms show them)."""
    if interviews is None:
        return pd.DataFrame(columns=INTERVIEW_COLUMNS)
    prev = add_months(month, -1)
    f = interviews[interviews["month"].eq(prev) & interviews["employee_id"].isin(set(people["employee_id"]))]
    return f.sort_values(["employee_id", "date"], kind="stable").reindex(columns=INTERVIEW_COLUMNS) \
        .reset_index(drop=True)


def missing_interviews(interviews: pd.DataFrame | None, history: pd.DataFrame, month: str, people: pd.DataFrame,
                       policy: Policy) -> pd.DataFrame | None:
    """Graded last month at or below the interview grade, still here, and no 绩效面谈 recorded."""
    if interviews is None:
        return None
    prev = add_months(month, -1)
    h = history[history["month"].eq(prev) & history["grade"].fillna("").ne("")]
    need = cycle.needs_interview(h["grade"].to_numpy(), policy) & h["employee_id"].isin(set(people["employee_id"]))
    done = set(interviews.loc[interviews["month"].eq(prev) & interviews["kind"].eq("review"), "employee_id"])
    out = h[need & ~h["employee_id"].isin(done)]
    manager = people.drop_duplicates("employee_id").set_index("employee_id")["manager"]
    return out.assign(manager=out["employee_id"].map(manager).fillna("")) \
        .reindex(columns=MISSING_INTERVIEW_COLUMNS).reset_index(drop=True)


# --------------------------------------------------------------------------- goals
def goal_tracking(book: StoreBook, people: pd.DataFrame, month: str, ids: set, policy: Policy,
                  problems: list) -> tuple[pd.DataFrame | None, object]:
    """目标签署 of the month: a status per graded person (None when the store does not track it)."""
    due = cycle.goal_due(month, policy.goal_day, policy.calendar)
    if not _tracked(book, S.GOAL_SIGNOFF):
        return None, due
    h = S.SHEETS[S.GOAL_SIGNOFF].header
    rows = month_rows(book, S.GOAL_SIGNOFF, month, ids, problems, key=("employee_id",))
    for k in ("signed_employee", "signed_manager", "signed_next"):
        after = rows[k].notna() & rows["filed"].notna() & (rows[k] > rows["filed"])
        problems += problems_at(rows, after, S.GOAL_SIGNOFF, h(k), "签字日期晚于人力资源部备案日期")
    dup = rows["employee_id"].duplicated(keep="first")
    problems += problems_at(rows, dup, S.GOAL_SIGNOFF, h("employee_id"), "本月同一员工重复：{employee_id}")
    rows = rows[~dup]
    graded = people[people["eligible"]]
    m = graded[["employee_id", "name", "department", "manager"]].merge(
        rows[["employee_id", "signed_employee", "signed_manager", "signed_next", "filed", "note"]],
        on="employee_id", how="left")
    status, days = cycle.goal_status(m["signed_employee"].to_numpy(), m["signed_manager"].to_numpy(),
                                     m["signed_next"].to_numpy(), m["filed"].to_numpy(), due)
    out = m.assign(status=status, days_late=days, note=m["note"].fillna(""))
    return out.reindex(columns=GOAL_COLUMNS).reset_index(drop=True), due


# --------------------------------------------------------------------------- payroll inputs
def deductions(book: StoreBook, month: str, ids: set, policy: Policy, problems: list) -> pd.Series:
    """工资扣款 of the month: yuan per employee."""
    if not book.has(S.DEDUCTIONS):
        return pd.Series(dtype=float)
    h = S.SHEETS[S.DEDUCTIONS].header
    rows = month_rows(book, S.DEDUCTIONS, month, ids, problems, key=("employee_id",))
    problems += problems_at(rows, rows["amount"] < 0, S.DEDUCTIONS, h("amount"), "扣款金额应为正数（元）")
    problems += problems_at(rows, rows["amount"] > policy.max_salary, S.DEDUCTIONS, h("amount"),
                            f"扣款金额超过 {policy.max_salary:,.0f} 元，请检查")
    return rows.groupby("employee_id")["amount"].sum()


def scorer_ids(subs: pd.DataFrame, roster: pd.DataFrame, problems: list) -> np.ndarray:
    """The roster id of each 评分提交 row: its 员工编号, else the one roster entry with that
    name ('' when there is none or several — the report warns, approval refuses)."""
    h = S.SHEETS[S.SUBMISSIONS].header
    given = subs["employee_id"] if "employee_id" in subs else pd.Series("", index=subs.index)
    ids = set(roster["employee_id"])
    problems += problems_at(subs.assign(employee_id=given), given.ne("") & ~given.isin(ids), S.SUBMISSIONS,
                            h("employee_id"), "员工名册中没有员工编号「{employee_id}」")
    names = roster[roster["employee_id"].ne("")].drop_duplicates("employee_id")
    unique = names[~names["name"].duplicated(keep=False)].set_index("name")["employee_id"]
    by_name = subs["scorer"].map(unique).fillna("")
    return np.where(given.ne(""), given, by_name).astype(object)


def read_cycle(book: StoreBook, month: str, roster: pd.DataFrame, people: pd.DataFrame, history: pd.DataFrame,
               subs: pd.DataFrame, policy: Policy, problems: list) -> CycleInputs:
    """Every cycle sheet of the month, validated into ``problems``; subs gets its roster ids."""
    ids = set(roster["employee_id"])
    appeals = read_appeals(book, history, roster, people, month, policy, problems)
    interviews = read_interviews(book, ids, problems)
    goals, due = goal_tracking(book, people, month, ids, policy, problems)
    subs["employee_id"] = scorer_ids(subs, roster, problems) if len(subs) else np.zeros(0, dtype=object)
    return CycleInputs(appeals, interviews, goals, due, deductions(book, month, ids, policy, problems))


def pay_lines(people: pd.DataFrame, scorers: pd.DataFrame, cyc: CycleInputs | None) -> list[str]:
    """The person's late-scoring fines and other deductions of the month; warnings (Chinese)
    for fines that reach nobody's payslip."""
    emp = scorers["employee_id"].to_numpy(dtype=object)
    fine = scorers["fine"].to_numpy(dtype=float)
    fines: dict = {}
    for e, f in zip(emp.tolist(), fine.tolist()):
        if e != "" and f == f:
            fines[e] = fines.get(e, 0.0) + f
    ids = people["employee_id"].tolist()
    people["fine"] = np.array([fines.get(e, 0.0) for e in ids], dtype=float)
    ded = cyc.deductions if cyc is not None else None
    people["deduction"] = (people["employee_id"].map(ded).astype(float).fillna(0.0) if ded is not None and len(ded)
                           else np.zeros(len(ids)))
    fined = np.nan_to_num(fine) > 0
    nobody = (emp == "") & fined & (scorers["scorer"].to_numpy(dtype=object) != "")
    gone = (emp != "") & fined & ~np.isin(emp, np.array(ids, dtype=object))
    if not (nobody.any() or gone.any()):
        return []
    return ([f"评分人「{r.scorer}」（{r.role}）在员工名册中找不到或重名，逾期罚款 {r.fine:,.0f} 元未计入工资接口"
             "（请在评分提交表填写员工编号）" for r in scorers[nobody].itertuples(index=False)]
            + [f"评分人「{r.scorer}」（{r.employee_id}）本月不在职，逾期罚款 {r.fine:,.0f} 元未计入工资接口"
               for r in scorers[gone].itertuples(index=False)])


# --------------------------------------------------------------------------- 末位
def bottom_list(people: pd.DataFrame, policy: Policy) -> pd.DataFrame | None:
    """末位名单 per evaluation group (udfs.grading.bottom_ranks), lowest first; None when off."""
    if not policy.bottom_list:
        return None
    el = people[people["eligible"] & people["total"].notna()]
    listed, rank = grading.bottom_ranks(el["total"].to_numpy(dtype=float), el["group"].to_numpy(), policy.bottom_share)
    n = el.groupby("group")["employee_id"].transform("size").to_numpy()
    out = el.assign(rank=rank, n=n)[listed]
    return out.sort_values(["group", "rank", "employee_id"], kind="stable").reindex(columns=BOTTOM_COLUMNS) \
        .reset_index(drop=True)


