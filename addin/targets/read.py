"""Reading the three target sheets from their typed frames, validated into one problem list.

* 目标分解 → one row per indicator of the year (:func:`read_indicators`), with its month weights;
* 目标责任 → the owners (:func:`read_owners`), types taken from the roster when left blank;
* 目标实绩 → the year's actuals (:func:`read_actuals`), owners matched to the owner tree.

Cells are read by addin.io (numbers, months, vocabulary codes); this module adds the rules
that concern the targets: a year's indicators are unique, shares add up to 100%, last year's
months are complete, owners exist on the roster. Every problem names its sheet, row and column.
A row with a problem keeps ``ok`` False and stays out of the decomposition.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from addin.io.book import StoreBook
from addin.io.problems import Problem, problems_at
from addin.io.schema import MONTH_HEADERS, OWNERS, ROSTER, SHEETS, TARGET_ACTUALS, TARGETS
from addin.io.holidays import unknown_year_text
from udfs.dates import Calendar, cn_known
from udfs.decompose import split_weights
from udfs.parse import FIRST_YEAR, LAST_YEAR
from udfs.vocab import LOWER_IS_BETTER, OWNER_TYPE, SPLIT, InputError

T, O, A = SHEETS[TARGETS], SHEETS[OWNERS], SHEETS[TARGET_ACTUALS]
STORE = OWNER_TYPE.label("store")                 # 全店: the root of every indicator
SHARE_TOLERANCE = 1e-4                            # shares must add up to 100% ± 0.01%
GIVEN = [f"m{m}" for m in range(1, 13)]           # 目标分解's 1月…12月 keys (last year / shares)
RATE_UNIT = r"%|/|每"                             # a unit of a rate: 93%, 元/台, 每天 …
RATE_NAME = r"率|单车|日均|每天|/天"               # … or an indicator named like one

INDICATOR_COLUMNS = ["indicator", "unit", "additive", "target", "direction", "lower", "method", "calendar",
                     "decimals", "lead", "note", "weights", "_row", "ok"]
OWNER_COLUMNS = ["indicator", "parent", "type", "owner", "share", "amount", "note", "display", "twin", "_row"]


def roster(book: StoreBook) -> pd.DataFrame | None:
    """员工名册 (ids, names, departments, positions) for owner names; None without one.

    Its problems are the month report's business: here it only names people."""
    if not book.has(ROSTER):
        return None
    r = book.frame(ROSTER, [])
    r = r[r["employee_id"].ne("")]
    return r if len(r) else None


# --------------------------------------------------------------------------- 目标分解
def year_of(book: StoreBook, years: np.ndarray, year=None) -> int:
    """The year to decompose: as asked; else the sheet's only year; else the book's month's
    year; else the sheet's latest year; else this year."""
    if year not in (None, ""):
        return int(year)
    typed = sorted({int(y) for y in years if y == y and y % 1 == 0})
    if len(typed) == 1:
        return typed[0]
    if book.month:
        return int(str(book.month)[:4])
    return typed[-1] if typed else _dt.date.today().year


def empty_indicators() -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(dtype=float if k in ("target",) else object) for k in INDICATOR_COLUMNS})


def year_rows(book: StoreBook, year, problems: list) -> tuple[pd.DataFrame, int, list]:
    """目标分解's rows for the year (typed), the year, and the frame's problems of those rows.

    Problems of the 年度 column are appended to ``problems`` at once (a row whose year cannot be
    read may belong to any year); the other cell problems come back for the chosen rows only."""
    found: list = []
    df = book.frame(TARGETS, found)
    y_col = T.header("year")
    yr = df["year"].to_numpy(dtype=float)
    bad_year = ~np.isnan(yr) & ((yr % 1 != 0) | (yr < FIRST_YEAR) | (yr > LAST_YEAR))
    problems += [p for p in found if p.column == y_col]
    problems += problems_at(df, bad_year, TARGETS, y_col, "年度应为四位数年份，如 2026")
    y = year_of(book, yr[~bad_year], year)
    keep = np.isnan(yr) | (yr == y)
    df = df[keep].reset_index(drop=True)
    kept = set(df["_row"].tolist())
    return df, y, [p for p in found if p.column != y_col and (p.row is None or p.row in kept)]


def read_indicators(book: StoreBook, year, problems: list, policy_calendar: str,
                    calendars: dict | None = None) -> tuple[pd.DataFrame, int]:
    """The year's indicators, validated: codes, defaults, and the 12 month weights.
    ``calendars``: code → udfs.dates.Calendar (the cn calendar with the store's 节假日)."""
    cals = calendars or {}
    if not book.has(TARGETS):
        problems.append(Problem(TARGETS, None, None, "缺少工作表"))
        return empty_indicators(), year_of(book, np.zeros(0), year)
    df, y, found = year_rows(book, year, problems)
    mine: list = []
    h = T.header
    flagged = {(p.row, p.column) for p in found}
    name = df["indicator"]
    blank_name = name.eq("")
    mine += problems_at(df, blank_name, TARGETS, h("indicator"), "指标名称不能为空")
    mine += problems_at(df, name.duplicated(keep="first") & ~blank_name, TARGETS, h("indicator"),
                        f"指标「{{indicator}}」在 {y} 年重复")
    rows = df["_row"].to_numpy()
    unread = np.array([(r, h("target")) in flagged for r in rows], dtype=bool)
    target = df["target"].to_numpy(dtype=float)
    mine += problems_at(df, np.isnan(target) & ~unread & ~blank_name, TARGETS, h("target"), "缺少年度目标")
    mine += problems_at(df, target < 0, TARGETS, h("target"), "年度目标不能为负数")
    # kind: as typed, else from the unit or the name (%, x/y, 率, 单车 … are rates: copied)
    rate_like = df["unit"].str.contains(RATE_UNIT, regex=True) | name.str.contains(RATE_NAME, regex=True)
    kind = df["kind"].to_numpy(dtype=object)
    additive = np.where(pd.isna(kind), ~rate_like.to_numpy(dtype=bool), kind == "additive").astype(bool)
    method = df["method"].where(df["method"].notna(), "equal")
    calendar = df["calendar"].where(df["calendar"].notna(), policy_calendar)
    if y not in cn_known(cals.get("cn")):
        mine += problems_at(df, calendar.eq("cn"), TARGETS, h("calendar"),
                            unknown_year_text(y, cals.get("cn", Calendar("cn")), "分解年度"))
    dec = df["decimals"].to_numpy(dtype=float)
    bad_dec = ~np.isnan(dec) & ((dec % 1 != 0) | (dec < -6) | (dec > 6))
    mine += problems_at(df, bad_dec, TARGETS, h("decimals"), "小数位应为 -6 到 6 的整数")
    default_dec = np.where(df["unit"].str.startswith("万"), 4, 0)
    decimals = np.where(np.isnan(dec) | bad_dec, default_dec, np.nan_to_num(dec)).astype(int)
    given = df[GIVEN].to_numpy(dtype=float) if len(df) else np.zeros((0, 12))
    bad_rows = {p.row for p in found + mine}
    weights = []
    for i, r in enumerate(rows):                       # one row per indicator (tens)
        if r in bad_rows or not additive[i] or np.isnan(target[i]):
            weights.append(np.ones(12) if not additive[i] else None)
            continue
        w, msg = _weights(y, method.iloc[i], cals.get(calendar.iloc[i], calendar.iloc[i]), given[i],
                          [(r, m) in flagged for m in MONTH_HEADERS])
        if msg is not None:
            mine.append(Problem(TARGETS, int(r), *msg))
        weights.append(w)
    problems += found + mine
    bad_rows = {p.row for p in found + mine}
    out = pd.DataFrame({
        "indicator": name.to_numpy(dtype=object), "unit": df["unit"].to_numpy(dtype=object), "additive": additive,
        "target": target, "direction": df["direction"].to_numpy(dtype=object),
        "lower": df["direction"].isin(LOWER_IS_BETTER).to_numpy(dtype=bool),
        "method": method.to_numpy(dtype=object), "calendar": calendar.to_numpy(dtype=object),
        "decimals": decimals, "lead": df["lead"].to_numpy(dtype=object), "note": df["note"].to_numpy(dtype=object),
        "weights": pd.Series(weights, dtype=object).to_numpy() if weights else np.zeros(0, dtype=object),
        "_row": rows, "ok": np.array([r not in bad_rows for r in rows], dtype=bool)})
    return out, y


def _weights(year: int, how: str, calendar, vals: np.ndarray, unread: list):
    """(12 month weights or None, (column, message) of the problem or None) of one indicator."""
    if how in ("last_year", "shares"):
        if any(unread):                                    # already reported cell by cell
            return None, None
        label = "去年实绩" if how == "last_year" else "各月比例"
        gaps = [MONTH_HEADERS[j] for j in np.flatnonzero(np.isnan(vals))]
        if gaps:
            return None, ("、".join(gaps[:3]) + ("…" if len(gaps) > 3 else ""),
                          f"分解方式为{SPLIT.label(how)}，{label}缺少 {len(gaps)} 个月")
        if (vals < 0).any():
            return None, (MONTH_HEADERS[int(np.argmax(vals < 0))], f"{label}不能为负数")
        if vals.sum() <= 0:
            return None, (MONTH_HEADERS[0], f"{label}不能全为 0")
        if how == "shares":
            total = vals.sum() / (100 if vals.max() > 1 else 1)
            if abs(total - 1) > SHARE_TOLERANCE:
                return None, (MONTH_HEADERS[0], f"各月比例合计应为100%（现为 {total:.2%}）")
    try:
        return split_weights(year, how, calendar, last_year=vals, shares=vals), None
    except InputError as exc:                                # not reachable after the checks above
        return None, (T.header("method"), str(exc))


# --------------------------------------------------------------------------- 目标责任
def empty_owners() -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(dtype=float if k in ("share", "amount") else object) for k in OWNER_COLUMNS})


def read_owners(book: StoreBook, indicators, problems: list) -> pd.DataFrame:
    """The owners, validated: known indicator, a named owner, a type (blank: from the roster),
    roster departments/positions/employees that exist, no negative share or amount."""
    if not book.has(OWNERS):
        return empty_owners()
    own = book.frame(OWNERS, problems)
    h = O.header
    is_store = OWNER_TYPE.codes_of(own["parent"].to_numpy(dtype=object))[0] == "store"
    own["parent"] = np.where(is_store, "", own["parent"].to_numpy(dtype=object))
    unknown = ~own["indicator"].isin(set(indicators))
    problems += problems_at(own, unknown & own["indicator"].ne(""), OWNERS, h("indicator"),
                            "指标「{indicator}」不在本年度目标分解表中")
    problems += problems_at(own, own["indicator"].eq(""), OWNERS, h("indicator"), "指标不能为空")
    blank = own["owner"].eq("")
    problems += problems_at(own, blank, OWNERS, h("owner"), "责任人不能为空")
    problems += problems_at(own, own["type"].eq("store"), OWNERS, h("type"),
                            "责任类型「全店」不能用于责任人（上级留空即表示全店；可选：业务线/部门/岗位/员工）")
    # a blank type is read from the roster: a department, a position, an employee, else a stream
    r = roster(book)
    depts = set(r["department"]) if r is not None else set()
    poss = set(r["position"]) if r is not None else set()
    ids = dict(zip(r["employee_id"], r["name"])) if r is not None else {}
    names = {v: k for k, v in ids.items() if v}
    people = set(ids) | set(names)
    guess = np.select([own["owner"].isin(depts), own["owner"].isin(poss), own["owner"].isin(people)],
                      ["department", "position", "employee"], "stream")
    own["type"] = own["type"].where(own["type"].notna(), pd.Series(guess, index=own.index, dtype=object))
    if r is not None:
        for code, pool, msg in (("department", depts, "部门「{owner}」不在员工名册中"),
                                ("position", poss, "岗位「{owner}」不在员工名册中"),
                                ("employee", people, "员工「{owner}」不在员工名册中（填员工编号或姓名）")):
            bad = own["type"].eq(code) & ~own["owner"].isin(pool) & ~blank
            problems += problems_at(own, bad, OWNERS, h("owner"), msg)
    own["display"] = [f"{v} {ids[v]}" if v in ids and ids[v] else (f"{names[v]} {v}" if v in names else v)
                      for v in own["owner"]]
    own["twin"] = [ids.get(v) or names.get(v) or "" for v in own["owner"]]
    problems += problems_at(own, (own["share"] < 0) | (own["amount"] < 0), OWNERS, h("share"),
                            "占比和目标额不能为负数")
    return own[OWNER_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- 目标实绩
def read_actuals(book: StoreBook, year: int, nodes: pd.DataFrame, indicators, owners: pd.DataFrame,
                 problems: list) -> pd.DataFrame:
    """The year's actuals (month 'YYYY-MM', indicator, owner as typed on 目标责任, actual).

    ``indicators``: every indicator typed for the year (also those left out for a problem);
    ``nodes``: the owner tree; ``owners``: 目标责任 as read (an owner left out of the tree for a
    problem of its own is not an unknown owner here). The owner may be given by its twin (an
    employee's name for the id typed on 目标责任); blank or 全店 is the store. Indicators not
    typed for the year, and owners not typed for an indicator of the tree, are problems."""
    cols = ["month", "indicator", "owner", "actual"]
    if not book.has(TARGET_ACTUALS):
        return pd.DataFrame({k: pd.Series(dtype=float if k == "actual" else object) for k in cols})
    found: list = []
    act = book.frame(TARGET_ACTUALS, found)
    problems += found
    h = A.header
    unread = {p.row for p in found if p.column == h("month")}
    problems += problems_at(act, act["month"].eq("") & ~act["_row"].isin(unread), TARGET_ACTUALS, h("month"),
                            "缺少月份")
    is_store = OWNER_TYPE.codes_of(act["owner"].to_numpy(dtype=object))[0] == "store"
    act["owner"] = np.where(is_store, "", act["owner"].to_numpy(dtype=object))
    this_year = act["month"].str.startswith(f"{year:04d}-")
    known_i = act["indicator"].isin(set(indicators))
    problems += problems_at(act, this_year & act["indicator"].eq(""), TARGET_ACTUALS, h("indicator"),
                            "指标不能为空")
    problems += problems_at(act, this_year & ~known_i & act["indicator"].ne(""), TARGET_ACTUALS, h("indicator"),
                            f"指标「{{indicator}}」不在 {year} 年目标分解表中")
    known = set()
    for frame in (nodes, owners):
        known |= set(zip(frame["indicator"], frame["owner"])) | set(zip(frame["indicator"], frame["twin"]))
    pairs = list(zip(act["indicator"], act["owner"]))
    in_tree = act["indicator"].isin(set(nodes["indicator"]))
    unknown_o = np.array([p not in known for p in pairs], dtype=bool) & in_tree & act["owner"].ne("") & this_year
    problems += problems_at(act, unknown_o, TARGET_ACTUALS, h("owner"),
                            "「{owner}」不是指标「{indicator}」的责任人（见目标责任表）")
    # a twin identifier (name for an id) means the owner as typed on 目标责任
    twin_to_owner = {(i, t): o for i, o, t in zip(nodes["indicator"], nodes["owner"], nodes["twin"]) if t}
    act["owner"] = [twin_to_owner.get(p, p[1]) for p in pairs]
    keep = this_year & act["actual"].notna() & in_tree & ~unknown_o
    return act.loc[keep, cols].reset_index(drop=True)
