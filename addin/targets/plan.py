"""The two ways in: the 目标分解 button's whole model, and the month report's plan.

:func:`build_model` reads and validates the three target sheets, decomposes, cross-checks and
tracks progress; any problem raises one BookError listing every one. :func:`month_plan` does the
same for the monthly report but hands its problems to the report's list (the report raises
everything once) and returns the month's targets per owner and the progress table.
"""
from __future__ import annotations

import calendar as _calendar
import datetime as _dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.io.book import StoreBook
from addin.io import holidays
from addin.io.problems import BookError, Problem, raise_if
from addin.io.schema import TARGETS
from udfs.parse import month_or_none

from . import read as R
from .checks import checks
from .model import Model, owner_tree, split_calendar
from .progress import as_of_date, empty_progress, progress_rows

TITLE_ERRORS = "目标分解有错误，未写入任何内容"
TITLE_EMPTY = "目标分解没有可分解的内容，未写入任何内容"
PLAN_COLUMNS = ["indicator", "display", "unit", "additive", "annual", "ytd", "done", "time_progress", "plan", "pace",
                "status"]


def decomposition(book: StoreBook, year, problems: list) -> tuple[Model, set, pd.DataFrame]:
    """Read and decompose (no checks, no progress); problems are appended. Indicators with a
    problem stay out of the model; owner groups with one get NaN targets. Returns the model,
    the names of every indicator typed for the year and 目标责任 as read."""
    cals = holidays.calendars(book, problems)              # the cn calendar with the store's 节假日
    ind, y = R.read_indicators(book, year, problems, book.policy.calendar, cals)
    own = R.read_owners(book, ind["indicator"], problems)
    ok = ind[ind["ok"].to_numpy(dtype=bool)]
    ok, seg, week = split_calendar(ok, y, book.policy.calendar, cals)
    nodes, months = owner_tree(ok, own, problems)
    if not len(nodes):
        nodes = pd.DataFrame(columns=["indicator", "parent", "owner", "type", "display", "twin", "path", "level",
                                      "parent_idx", "share", "annual", "unit", "additive", "lower", "decimals",
                                      "lead", "_row"])
    model = Model(year=y, as_of=None, indicators=ok, owners=nodes, months=months, segments=seg, weeks=week,
                  calendars=cals)
    return model, set(ind["indicator"]) - {""}, own


def build_model(book: StoreBook, year=None, as_of=None, progress: bool = True) -> Model:
    """The year's decomposition with its checks and (optionally) progress as of ``as_of``
    (blank = today, clamped into the year).

    Raises BookError(title 目标分解有错误…) listing every problem of the three sheets, and
    BookError(title 目标分解没有可分解的内容…) when the year has no indicator. Writes nothing.
    """
    problems: list = []
    model, names, own = decomposition(book, year, problems)
    act = None
    if progress:
        model.as_of = as_of_date(as_of, model.year)
        act = R.read_actuals(book, model.year, model.owners, names, own, problems)
    raise_if(problems, TITLE_ERRORS)
    if not len(model.indicators):
        raise BookError([Problem(TARGETS, None, R.T.header("indicator"),
                                 f"目标分解表中没有 {model.year} 年的指标，请先填写年度目标")], TITLE_EMPTY)
    model.checks = checks(model)
    if progress:
        model.progress = progress_rows(model, act)
    return model


@dataclass
class MonthPlan:
    """What the monthly report takes from 目标分解.

    targets: DataFrame[indicator, owner, target] — the month's target of the store (owner "")
        and of every owner as typed on 目标责任, plus its name ↔ id twin, plus the indicator's
        负责人 (and each roster employee of that position or that employee's twin) with the
        store figure; an owner reached along two paths gets the sum of additive targets.
    progress: one row per store/owner node (store first within an indicator): PLAN_COLUMNS.
    as_of: the month's last day.
    """

    targets: pd.DataFrame
    progress: pd.DataFrame
    as_of: _dt.date


def month_plan(book: StoreBook, month: str, problems: list) -> MonthPlan | None:
    """The month's targets and progress for the report; problems of the target sheets are
    appended to ``problems`` (nothing raised). None when 目标分解 has no rows for that year.

    The model is built once, for the month's year, with progress as of the month's last day.
    With problems the plan still holds what could be decomposed (indicators and owner groups
    with a problem left out, so the report adds no "no target" noise for the rest) and an
    empty progress table."""
    key = month_or_none(month)
    if key is None:
        raise ValueError(f"month '{month}' must be YYYY-MM")
    if not book.has(TARGETS):
        return None
    y, m = int(key[:4]), int(key[5:7])
    found: list = []
    rows, _, _ = R.year_rows(book, y, found)
    if not len(rows):
        problems += found                              # only a 年度 that cannot be read
        return None
    found = []
    model, names, own = decomposition(book, y, found)
    model.as_of = _dt.date(y, m, _calendar.monthrange(y, m)[1])
    act = R.read_actuals(book, y, model.owners, names, own, found)
    problems += found
    targets = plan_targets(model, R.roster(book), m)
    if found or not len(model.indicators):
        progress = empty_progress()[PLAN_COLUMNS]
    else:
        progress = progress_rows(model, act)[PLAN_COLUMNS].reset_index(drop=True)
    return MonthPlan(targets=targets, progress=progress, as_of=model.as_of)


def plan_targets(model: Model, roster: pd.DataFrame | None, month: int) -> pd.DataFrame:
    """DataFrame[indicator, owner, target] of month 1–12 (see MonthPlan.targets)."""
    empty = pd.DataFrame({"indicator": pd.Series(dtype=object), "owner": pd.Series(dtype=object),
                          "target": pd.Series(dtype=float)})
    nodes = model.owners
    if not len(nodes):
        return empty
    t = model.months[:, month - 1]
    twin = nodes["twin"].ne("").to_numpy()
    tree = pd.DataFrame({"indicator": np.concatenate([nodes["indicator"], nodes["indicator"][twin]]),
                         "owner": np.concatenate([nodes["owner"], nodes["twin"][twin]]),
                         "target": np.concatenate([t, t[twin]]),
                         "additive": np.concatenate([nodes["additive"], nodes["additive"][twin]]).astype(bool)})
    tree = tree[tree["target"].notna()]                  # a group with a problem has no targets
    # an owner reached along two paths: additive targets add up, rates are the same figure
    summed = tree[tree["additive"]].groupby(["indicator", "owner"], sort=False)["target"].sum()
    first = tree[~tree["additive"]].groupby(["indicator", "owner"], sort=False)["target"].first()
    res = pd.concat([summed, first]).rename("target").reset_index()
    # the 负责人 of an indicator answers for the store figure: the text as typed and, when it
    # names a position (or an employee) of the roster, every such employee's id and name — so a
    # scorecard finds it by employee before it finds the employee's department
    store = nodes[nodes["level"].eq(0).to_numpy() & nodes["lead"].fillna("").astype(str).ne("").to_numpy()
                  & ~np.isnan(t)]
    if len(store):
        leads = pd.DataFrame({"indicator": store["indicator"].to_numpy(), "lead": store["lead"].to_numpy(),
                              "target": t[store.index.to_numpy()]})
        rows = [leads.rename(columns={"lead": "owner"})]
        if roster is not None:
            people = pd.concat([
                pd.DataFrame({"lead": roster["position"], "owner": roster["employee_id"]}),
                pd.DataFrame({"lead": roster["position"], "owner": roster["name"]}),
                pd.DataFrame({"lead": roster["employee_id"], "owner": roster["name"]}),
                pd.DataFrame({"lead": roster["name"], "owner": roster["employee_id"]})], ignore_index=True)
            rows.append(leads.merge(people, on="lead")[["indicator", "owner", "target"]])
        extra = pd.concat(rows, ignore_index=True)[["indicator", "owner", "target"]]
        extra = extra[extra["owner"].astype(str).ne("")].drop_duplicates(["indicator", "owner"])
        have = pd.MultiIndex.from_frame(res[["indicator", "owner"]])
        extra = extra[~pd.MultiIndex.from_frame(extra[["indicator", "owner"]]).isin(have)]
        res = pd.concat([res, extra], ignore_index=True)
    return res[["indicator", "owner", "target"]].reset_index(drop=True)
