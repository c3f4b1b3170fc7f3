"""The month end as a pipeline: assemble → score → grade → pay → history → consequences.

Each step is a function over frames; the rules themselves are the udfs modules. Every
input problem of every stage (roster, scorecards, figures, targets) is collected first and
raised once, so the user sees all of them — nothing is computed from a bad book.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin import targets
from addin.io import holidays
from addin.io import schema as S
from addin.io.book import StoreBook, load_book
from addin.io.problems import Problem, problems_at, raise_if
from udfs import consequences, dates, grading, pay, periods, scoring
from udfs.parse import factorize, first_positions, id_key
from udfs.policy import Policy
from udfs.vocab import InputError

from . import cards as C
from . import cycle as CY
from . import inputs as I
from .results import (ACTION_COLUMNS, ADJUSTMENT_COLUMNS, HISTORY_COLUMNS, ITEM_COLUMNS, PEOPLE_COLUMNS,
                      SCORER_COLUMNS, MonthResults, Period)
from .roster import month_people, read_roster

log = logging.getLogger(__name__)
STORE_GROUP = "全店"


class Clock:
    """Stage timings, carried on the result (bench/ reads them)."""

    def __init__(self):
        self.marks: list = []
        self._t = time.perf_counter()

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        self.marks.append((stage, now - self._t))
        log.debug("%s: %.3f s", stage, now - self._t)
        self._t = now


@dataclass
class Assembled:
    people: pd.DataFrame
    items: pd.DataFrame
    adjustments: pd.DataFrame
    commission: pd.Series
    submissions: pd.DataFrame
    history: pd.DataFrame
    plan: targets.MonthPlan | None
    warnings: list
    calendar: object = None          # udfs.dates.Calendar of the policy, with the store's 节假日
    cycle: CY.CycleInputs | None = None


def assemble(book: StoreBook, month: str, problems: list | None = None) -> Assembled:
    """Read and validate every input of the month; raise one BookError with all problems
    (``problems``: those found before, e.g. the settings', raised together with these)."""
    problems = [] if problems is None else problems
    warnings: list = []
    policy = book.policy
    calendar = holidays.calendars(book, problems)[policy.calendar]
    roster = read_roster(book, problems)
    people = month_people(roster, month, policy)
    ids, graded = set(roster["employee_id"]), set(people.loc[people["eligible"], "employee_id"])
    lib = C.library(book, problems)
    cards = C.read_cards(book, lib, ids, policy, problems)
    items = C.assign(people, cards, problems)
    I.put_actuals(items, book, month, ids, graded, problems)
    warnings += I.put_dms_actuals(items, book, month, people, ids, policy, problems)
    plan = targets.month_plan(book, month, problems) if book.has(S.TARGETS) else None
    I.put_targets(items, plan.targets if plan else pd.DataFrame(columns=["indicator", "owner", "target"]),
                  people, month, problems)
    I.put_ratings(items, book, month, ids, graded, policy, problems)
    adjustments = I.adjustments(book, month, ids, graded, problems)
    commission = I.commissions(book, month, ids, policy, problems)
    history = book.frame(S.HISTORY, problems)
    problems += history_problems(history, people, month)
    subs = I.submissions(book, month, policy, problems)
    problems += deadline_problems(book, month, calendar)
    cyc = CY.read_cycle(book, month, roster, people, history, subs, policy, problems)
    raise_if(problems)
    if not len(people):
        warnings.append(f"员工名册中没有 {month} 在职的员工")
    return Assembled(people, items, adjustments, commission, subs, history, plan, warnings, calendar, cyc)


def history_problems(history: pd.DataFrame, people: pd.DataFrame, month: str) -> list:
    """历史 rows pasted twice (one month, one employee — ids compared ignoring case and spaces);
    this month's rows of the people recomputed now are replaced anyway."""
    k = pd.Series(id_key(history["employee_id"].to_numpy()), index=history.index)
    replaced = history["month"].eq(month) & history["employee_id"].isin(set(people["employee_id"]))
    dup = history["month"].ne("") & k.ne("") & ~replaced & pd.DataFrame({"m": history["month"], "k": k}).duplicated(
        keep=False).to_numpy()
    return problems_at(history, dup, S.HISTORY, S.SHEETS[S.HISTORY].header("employee_id"),
                       "{month} 员工 {employee_id} 在历史中有多行（连续等级只能按一行计算），请删除多余的行")


def deadline_problems(book: StoreBook, month: str, calendar) -> list:
    """The scorer deadlines of the month must be computable: December on calendar cn needs
    next January's holidays (the package's, or the store's 节假日)."""
    try:
        dates.scorer_deadlines(month, book.policy, calendar)
    except InputError:
        y, m = int(month[:4]), int(month[5:7])
        nxt = y + 1 if m == 12 else y
        return [holidays.holiday_problem(S.SETTINGS, book.setting_row("calendar"), "值", nxt, calendar,
                                         f"{month} 的评分截止日（次月 1–7 日）")]
    return []


def score(a: Assembled, policy: Policy) -> pd.DataFrame:
    """Item scores and one total per person (rounded once: the score everything uses)."""
    items = a.items.sort_values(["employee_id", "seq"], kind="stable").reset_index(drop=True)
    scored = scoring.score_items(items[["employee_id", "kind", "weight", "target", "actual", "direction",
                                        "rating_self", "rating_manager", "rating_peer"]], policy)
    for k in ("weight", "direction", "rating", "ratio", "score", "shortfall"):
        items[k] = scored[k].to_numpy()
    a.items = items
    totals = scoring.score_totals(items, a.adjustments, policy)
    people = a.people.reset_index(drop=True)
    t = totals.reset_index()
    at = first_positions((t["employee_id"].to_numpy(dtype=object),), (people["employee_id"].to_numpy(dtype=object),))
    found, safe, el = at >= 0, np.maximum(at, 0), people["eligible"].to_numpy(dtype=bool)

    def take(col: str, blank, graded_only: bool = False) -> np.ndarray:   # each person's total (blank when none)
        v = t[col].to_numpy()
        return np.where(found & (el | (not graded_only)), v[safe] if len(v) else blank, blank)
    people["items"] = take("items", 0).astype(int)
    people["items_score"] = take("items_score", np.nan, graded_only=True).astype(float)
    people["adjustment"] = take("adjustment", np.nan, graded_only=True).astype(float)
    people["veto"] = take("veto", False).astype(bool)
    people["total"] = take("total", np.nan, graded_only=True).astype(float)
    people["problems"] = take("problems", np.nan)
    return people


def grade(people: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Band grade, then the final grade under the grading policy within evaluation groups."""
    el = people["eligible"].to_numpy()
    group = people["department"] if policy.eval_group == "department" else pd.Series(STORE_GROUP, index=people.index)
    people["group"] = np.where(el, group, "")
    total = people["total"].to_numpy(dtype=float)
    people["band_grade"] = grading.band_grade(total, policy)
    final = np.full(len(people), "", dtype=object)
    if el.any():
        final[el] = grading.final_grades(total[el], policy, groups=people["group"].to_numpy()[el])
    people["grade"] = final
    return people


def pay_step(people: pd.DataFrame, commission: pd.Series, policy: Policy) -> pd.DataFrame:
    """Performance pay base and pay (SPEC §3.5); profit staff without a commission get base 0."""
    el = people["eligible"].to_numpy()
    people["commission"] = people["employee_id"].map(commission).astype(float)
    base = pay.perf_base(people["category"].to_numpy(), people["salary"].fillna(0).to_numpy(),
                         people["commission"].fillna(0.0).to_numpy(), policy)
    people["base"] = np.where(el, base, np.nan)
    g = people["grade"].to_numpy()
    pp = pay.perf_pay(people["base"].to_numpy(), people["total"].to_numpy(), policy, grade=np.where(g == "", None, g))
    people["pay"] = np.where(el, pp, np.nan)
    no_com = people["category"].eq("profit") & people["commission"].isna() & people["eligible"]
    warn = [p if isinstance(p, tuple) else () for p in people["problems"]]
    people["warnings"] = [w + (("本月无提成记录，绩效基数按0计",) if nc else ()) for w, nc in zip(warn, no_com)]
    return people


def merge_history(old: pd.DataFrame, people: pd.DataFrame, month: str) -> pd.DataFrame:
    """历史 after this run: this month's rows of the people recomputed are replaced; every other
    row (other months, and anyone not in this month's roster) is kept as it was."""
    ids = people["employee_id"].to_numpy(dtype=object)
    now = {"month": np.full(len(ids), month, dtype=object), "employee_id": ids,
           "name": people["name"].to_numpy(dtype=object), "department": people["department"].to_numpy(dtype=object),
           "total": people["total"].to_numpy(dtype=float), "grade": people["grade"].to_numpy(dtype=object),
           "pay": people["pay"].to_numpy(dtype=float)}
    months = old["month"].to_numpy(dtype=object)
    here = set(ids.tolist())
    kept = (months != "") & ~((months == month) & np.fromiter((e in here for e in old["employee_id"].tolist()),
                                                              dtype=bool, count=len(old)))
    grade = old["grade"].to_numpy(dtype=object)
    was = {c: old[c].to_numpy(dtype=float if c in ("total", "pay") else object)[kept] for c in HISTORY_COLUMNS}
    was["grade"] = np.where(pd.isna(grade[kept]), "", grade[kept]).astype(object)
    out = {c: np.concatenate([was[c], now[c]]) for c in HISTORY_COLUMNS}
    order = np.lexsort((_rank(out["employee_id"]), _rank(out["month"])))
    return pd.DataFrame({c: v[order] for c, v in out.items()})


def _rank(values: np.ndarray) -> np.ndarray:
    """Each value's place in the sorted distinct values (ties share it): a sort key for lexsort."""
    codes, uniques = factorize(values)
    place = np.empty(len(uniques), dtype=np.int64)
    place[np.argsort(uniques, kind="stable")] = np.arange(len(uniques))
    return np.where(codes >= 0, place[codes], -1)


def unchanged_rows(old: pd.DataFrame, new: pd.DataFrame) -> int:
    """How many rows at the top of 历史 are the same, in the same sheet rows, before and after this
    run (the writer copies them instead of serialising them again)."""
    rows = old["_row"].to_numpy()
    n = min(len(new), int(np.argmin(rows == np.arange(2, len(rows) + 2))) if len(rows) and
            not (rows == np.arange(2, len(rows) + 2)).all() else len(rows))
    if n == 0:
        return 0
    same = np.ones(n, dtype=bool)
    for col in ("month", "employee_id", "name", "department"):
        same &= old[col].to_numpy()[:n] == new[col].to_numpy()[:n]
    same &= pd.Series(old["grade"].to_numpy()[:n]).fillna("").to_numpy() == new["grade"].to_numpy()[:n]
    for col in ("total", "pay"):
        a, b = old[col].to_numpy(dtype=float)[:n], new[col].to_numpy(dtype=float)[:n]
        same &= (a == b) | (np.isnan(a) & np.isnan(b))
    return n if same.all() else int(np.argmin(same))


def consequence_step(people: pd.DataFrame, history: pd.DataFrame, month: str, policy: Policy) -> pd.DataFrame:
    """Runs and actions of the month (udfs.consequences), on the people and as action rows."""
    h = history[["employee_id", "month", "grade"]]
    matrix = consequences.history_matrix(h, month)
    runs = consequences.person_runs(h, month, matrix)
    ids = people["employee_id"].to_numpy(dtype=object)
    at = first_positions((runs.index.to_numpy(dtype=object),), (ids,))
    for k in ("a_run", "d_run", "e_run"):
        got = runs[k].to_numpy(dtype=np.int64)
        people[k] = np.where(at >= 0, got[np.maximum(at, 0)] if len(got) else 0, 0)
    acts = consequences.month_actions(h, month, policy, matrix)
    graded = set(ids[people["eligible"].to_numpy(dtype=bool)])
    acts = acts[acts["employee_id"].isin(graded)]
    per: dict = {}
    head: dict = {}
    for e, a, first in zip(acts["employee_id"].tolist(), acts["action"].tolist(), acts["headline"].tolist()):
        per.setdefault(e, []).append(a)
        if first:
            head[e] = a
    people["actions"] = [tuple(per.get(e, ())) for e in ids]
    people["action"] = np.array([head.get(e, "") for e in ids], dtype=object)
    pos = np.maximum(first_positions((ids,), (acts["employee_id"].to_numpy(dtype=object),)), 0)
    out = {c: acts[c].to_numpy() for c in ("employee_id", "action", "run", "months", "headline")}
    for c in ("name", "department", "manager"):
        out[c] = people[c].to_numpy()[pos] if len(pos) else np.zeros(0, dtype=object)
    return pd.DataFrame(out).reindex(columns=ACTION_COLUMNS)


def scorer_step(subs: pd.DataFrame, month: str, policy: Policy, calendar=None) -> pd.DataFrame:
    """Deadlines (SPEC §3.6) and late fines; a role nobody submitted for is listed as missing."""
    dl = dates.scorer_deadlines(month, policy, calendar)
    roles = dl["role"].tolist()
    due_of = dict(zip(roles, dl["due"].to_numpy()))
    role = subs["role"].to_numpy(dtype=object)
    nat = np.datetime64("NaT", "s")
    due = np.array([due_of.get(r, nat) for r in role], dtype="datetime64[s]")
    submitted = subs["submitted"].to_numpy().astype("datetime64[s]")
    late = (np.asarray(dates.late_days(submitted, due, policy.deadline_time), dtype=float) if len(role)
            else np.zeros(0))
    scorer = subs["scorer"].to_numpy(dtype=object)
    who = subs["employee_id"].to_numpy(dtype=object) if "employee_id" in subs else np.full(len(role), "", dtype=object)
    seen = set(role.tolist())
    missing = [k for k, r in enumerate(roles) if r not in seen]          # a role nobody submitted for
    if missing:
        m = len(missing)
        role = np.concatenate([role, np.array([roles[k] for k in missing], dtype=object)])
        due = np.concatenate([due, dl["due"].to_numpy().astype("datetime64[s]")[missing]])
        submitted = np.concatenate([submitted, np.full(m, nat)])
        late = np.concatenate([late, np.full(m, np.nan)])
        scorer = np.concatenate([scorer, np.full(m, "", dtype=object)])
        who = np.concatenate([who, np.full(m, "", dtype=object)])
    place = {r: i for i, r in enumerate(roles)}
    order = sorted(range(len(role)), key=lambda i: (place.get(role[i], len(roles)), scorer[i]))
    return pd.DataFrame({"scorer": scorer[order], "role": role[order], "due": due[order], "submitted": submitted[order],
                         "days_late": late[order], "fine": late[order] * policy.fine_per_day,
                         "employee_id": who[order]})[SCORER_COLUMNS]


def period_step(history: pd.DataFrame, people: pd.DataFrame, month: str, policy: Policy) -> list[Period]:
    """Quarter / year tables when the month closes one (SPEC §3.3), departments in roster order."""
    out = []
    order = {d: i for i, d in enumerate(pd.unique(people["department"]))}
    for kind, months, label in periods.closing_periods(month):
        t = periods.period_table(history, months, policy, policy if kind == "year" else None)
        t = t.assign(_d=t["department"].map(order).fillna(len(order)))
        t = t.sort_values(["_d", "employee_id"], kind="stable").drop(columns="_d").reset_index(drop=True)
        out.append(Period(kind, label, months, t))
    return out


def compute_month(source, month: str | None = None, clock: Clock | None = None,
                  periods: bool = True) -> MonthResults:
    """Validate the month's inputs and compute every person's results (SPEC §3).

    source: a path, {sheet: values} or a StoreBook. Raises BookError listing every problem.
    periods: also the quarter/year tables the month closes (the group roll-up needs none).
    """
    clock = clock or Clock()
    book = load_book(source, month, defer=True)
    month = book.month
    problems = list(book.problems)           # the settings' problems are raised with all the others
    if not month:
        raise_if(problems + [Problem(S.SETTINGS, None, S.MONTH_KEY, "未指定考核月份（设置表「考核月份」或 --month）")])
    book.prefetch([S.HISTORY])               # the longest sheet, read on the other core meanwhile
    policy = book.policy
    a = assemble(book, month, problems)
    clock.mark("校验")
    people = score(a, policy)
    people = CY.apply_appeals(people, a.cycle.appeals if a.cycle else None, month, policy)
    people = grade(people, policy)
    people = pay_step(people, a.commission, policy)
    scorers = scorer_step(a.submissions, month, policy, a.calendar)
    lost = CY.pay_lines(people, scorers, a.cycle)
    history = merge_history(a.history, people, month)
    kept = unchanged_rows(a.history, history)
    actions = consequence_step(people, history, month, policy)
    clock.mark("计算")
    warnings = a.warnings + [f"{e} {n}：{'；'.join(w)}" for e, n, w in
                             people.loc[people["warnings"].map(len) > 0, ["employee_id", "name", "warnings"]]
                             .itertuples(index=False)]
    cyc = a.cycle
    res = MonthResults(
        store=book.store, month=month, policy=policy, people=people.reindex(columns=PEOPLE_COLUMNS),
        items=a.items.reindex(columns=ITEM_COLUMNS), adjustments=a.adjustments[ADJUSTMENT_COLUMNS],
        history=history[HISTORY_COLUMNS], actions=actions, scorers=scorers,
        periods=period_step(history, people, month, policy) if periods else [],
        progress=a.plan.progress if a.plan else None, progress_as_of=a.plan.as_of if a.plan else None,
        warnings=warnings, timings=clock.marks, history_kept=kept,
        appeals=cyc.appeals if cyc else None, interviews=CY.interviews_for(cyc.interviews if cyc else None, month, people),
        interviews_missing=CY.missing_interviews(cyc.interviews if cyc else None, history, month, people, policy),
        goals=cyc.goals if cyc else None, goals_due=cyc.goals_due if cyc else None,
        bottom=CY.bottom_list(people, policy), payroll_warnings=lost)
    return res
