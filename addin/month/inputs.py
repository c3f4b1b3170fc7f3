"""Step 3 of the month end: the month's figures put on the items, every problem collected.

Actuals (月度实绩, then DMS实绩 for what was not entered by hand), targets (actual row > scorecard > 目标分解 > library), ratings (评分),
adjustments (加减分), commissions (提成) and scorer submissions (评分提交).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from addin.io import schema as S
from addin.io.book import StoreBook
from addin.io.problems import Problem, problems_at
from udfs import dms, scoring
from udfs.parse import first_positions
from udfs.policy import Policy
from udfs.vocab import DMS_LEVEL


def month_rows(book: StoreBook, sheet: str, month: str, ids: set, problems: list,
               key: tuple = ("employee_id", "item")) -> pd.DataFrame:
    """This month's rows of a per-employee sheet: unknown employees and repeats are problems
    (the first of a repeat is kept)."""
    h = S.SHEETS[sheet].header
    every = book.frame(sheet, problems)
    rows = every[every["month"].eq(month)]
    problems += problems_at(rows, ~rows["employee_id"].isin(ids), sheet, h("employee_id"),
                            "员工名册中没有员工编号「{employee_id}」")
    if len(key) > 1:
        dup = rows.duplicated(list(key), keep="first")
        problems += problems_at(rows, dup, sheet, h(key[-1]), "本月同一员工同一考核项目重复：{item}")
        rows = rows[~dup]
    return rows


def _match(items: pd.DataFrame, rows: pd.DataFrame, by_kpi_id: bool) -> np.ndarray:
    """The position in ``items`` each row belongs to (-1 when none): by item text, else by
    指标编号 (an item repeated for one employee: its first row)."""
    emp = items["employee_id"].to_numpy(dtype=object)
    keys = (rows["employee_id"].to_numpy(dtype=object), rows["item"].to_numpy(dtype=object))
    hit = first_positions((emp, items["item"].to_numpy(dtype=object)), keys)
    if by_kpi_id and (hit < 0).any():
        miss = np.flatnonzero(hit < 0)
        kid = items["kpi_id"].to_numpy(dtype=object)
        has = np.flatnonzero(kid != "")
        got = first_positions((emp[has], kid[has]), (keys[0][miss], keys[1][miss]))
        hit[miss] = np.where(got >= 0, has[np.maximum(got, 0)] if has.size else -1, -1)
    return hit


def _put(items: pd.DataFrame, column: str, at: np.ndarray, values) -> None:
    """items[column] = NaN, then the values at the positions ``at``."""
    out = np.full(len(items), np.nan)
    out[at] = values
    items[column] = out


def put_actuals(items: pd.DataFrame, book: StoreBook, month: str, ids: set, graded: set, problems: list) -> None:
    """月度实绩 → items' actual, and the target typed beside it (act_target)."""
    h = S.SHEETS[S.ACTUALS].header
    rows = month_rows(book, S.ACTUALS, month, ids, problems)
    where = _match(items, rows, by_kpi_id=True)
    stray = (where < 0) & rows["employee_id"].isin(graded).to_numpy()
    problems += problems_at(rows, stray, S.ACTUALS, h("item"), "该员工的考核表中没有此项目「{item}」")
    hit = where >= 0
    for col, src in (("actual", "actual"), ("act_target", "target"), ("act_row", "_row")):
        _put(items, col, where[hit], rows[src].to_numpy()[hit])


def resolve_targets(items: pd.DataFrame, plan: pd.DataFrame, people: pd.DataFrame) -> None:
    """Targets by precedence: the actual row's 目标值 > the scorecard > 目标分解 > the library.

    plan: the month's decomposed targets (indicator, owner, target); an item names its
    indicator; the most specific owner wins (employee id, name, department, position, store).
    Sets items' plan_target and target (the month end and the goal sheets share this).
    """
    items["plan_target"] = np.nan
    if len(plan) and items["indicator"].ne("").any():
        p = people.set_index("employee_id")
        e = items["employee_id"]
        lut = plan.drop_duplicates(["indicator", "owner"]).set_index(["indicator", "owner"])["target"]
        for owner in (e, e.map(p["name"]), e.map(p["department"]), e.map(p["position"]), pd.Series("", index=e.index)):
            need = items["plan_target"].isna() & items["indicator"].ne("")
            if not need.any():
                break
            keys = pd.MultiIndex.from_arrays([items.loc[need, "indicator"], owner[need].fillna("")])
            items.loc[need, "plan_target"] = lut.reindex(keys).to_numpy()
    items["target"] = items["act_target"].fillna(items["target"]).fillna(items["plan_target"]).fillna(items["lib_target"])


def put_targets(items: pd.DataFrame, plan: pd.DataFrame, people: pd.DataFrame, month: str, problems: list) -> None:
    """Targets by precedence (:func:`resolve_targets`); then every KPI item must have a target
    (> 0 for ratio directions) and an actual."""
    c_h, a_h = S.SHEETS[S.SCORECARDS].header, S.SHEETS[S.ACTUALS].header
    resolve_targets(items, plan, people)
    kpi = items["kind"].eq("kpi").to_numpy()
    target = items["target"].to_numpy(dtype=float)
    actual = items["actual"].to_numpy(dtype=float)
    direction = items["direction"].to_numpy(dtype=object)
    no_target = kpi & np.isnan(target)
    ratio_kind = np.isin(direction, ["higher", "lower", "lower_linear"])
    bad_t = kpi & ratio_kind & (target <= 0)
    missing = kpi & np.isnan(actual)
    negative = kpi & (direction == "lower") & (actual < 0)
    if not (no_target | bad_t | missing | negative).any():
        return
    problems += [Problem(S.SCORECARDS, int(r), c_h("target"),
                         f"员工 {e}「{it}」没有目标值（考核表、月度实绩「目标值」、目标分解和指标库都没有）")
                 for r, e, it in items.loc[no_target, ["card_row", "employee_id", "item"]].itertuples(index=False)]
    problems += [Problem(S.SCORECARDS, int(r), c_h("target"), f"员工 {e}「{it}」目标值必须大于0")
                 for r, e, it in items.loc[bad_t, ["card_row", "employee_id", "item"]].itertuples(index=False)]
    problems += [Problem(S.ACTUALS, None, a_h("actual"), f"{month} 缺少员工 {e}「{it}」的实际值")
                 for e, it in items.loc[missing, ["employee_id", "item"]].itertuples(index=False)]
    problems += [Problem(S.ACTUALS, int(r) if r == r else None, a_h("actual"), f"员工 {e}「{it}」实际值不能为负")
                 for r, e, it in items.loc[negative, ["act_row", "employee_id", "item"]].itertuples(index=False)]


def blend_text(policy: Policy) -> str:
    if policy.rating_manager == 1:
        return "以直接上级评分为准"
    return f"自评{policy.rating_self:.0%}·上级{policy.rating_manager:.0%}·360°{policy.rating_peer:.0%}"


def put_ratings(items: pd.DataFrame, book: StoreBook, month: str, ids: set, graded: set, policy: Policy,
                problems: list) -> None:
    """评分 → the rated items' self / manager / 360° ratings (fractions); a rated item without a
    rating the blend can use is a problem."""
    h = S.SHEETS[S.RATINGS].header
    rows = month_rows(book, S.RATINGS, month, ids, problems)
    for k in ("rating_self", "rating_manager", "rating_peer"):
        r = scoring.rating_fraction(rows[k].to_numpy())
        problems += problems_at(rows, (r < 0) | (r > policy.rating_max), S.RATINGS, h(k),
                                f"评分应在 0–{policy.rating_max:.0%} 之间")
    is_rated = items["kind"].eq("rated").to_numpy()
    rated_at = np.flatnonzero(is_rated)
    where = _match(items.iloc[rated_at], rows, by_kpi_id=False)
    stray = (where < 0) & rows["employee_id"].isin(graded).to_numpy()
    problems += problems_at(rows, stray, S.RATINGS, h("item"), "该员工的考核表中没有此评分项目「{item}」")
    hit = where >= 0
    for k in ("rating_self", "rating_manager", "rating_peer"):
        _put(items, k, rated_at[where[hit]], rows[k].to_numpy()[hit])
    combined = scoring.combine_ratings(items["rating_self"].to_numpy(), items["rating_manager"].to_numpy(),
                                       items["rating_peer"].to_numpy(), policy)
    missing = is_rated & np.isnan(combined)
    if missing.any():
        problems += [Problem(S.RATINGS, None, h("rating_manager"), f"{month} 缺少员工 {e}「{it}」的评分（{blend_text(policy)}）")
                     for e, it in items.loc[missing, ["employee_id", "item"]].itertuples(index=False)]


def adjustments(book: StoreBook, month: str, ids: set, graded: set, problems: list) -> pd.DataFrame:
    """加减分 of the month for graded employees (points, reason, veto)."""
    h = S.SHEETS[S.ADJUSTMENTS].header
    rows = month_rows(book, S.ADJUSTMENTS, month, ids, problems, key=("employee_id",))
    problems += problems_at(rows, rows["points"].isna() & ~rows["veto"], S.ADJUSTMENTS, h("points"),
                            "加减分为空（否决项请在「否决项」填 是）")
    problems += problems_at(rows, rows["points"].abs() > 130, S.ADJUSTMENTS, h("points"), "加减分应在 −130 到 130 之间")
    out = rows[rows["employee_id"].isin(graded)][["employee_id", "points", "reason", "veto"]].copy()
    out["points"] = out["points"].fillna(0.0)
    return out.reset_index(drop=True)


def commissions(book: StoreBook, month: str, ids: set, policy: Policy, problems: list) -> pd.Series:
    """提成 of the month: the commission total per employee."""
    h = S.SHEETS[S.COMMISSION].header
    rows = month_rows(book, S.COMMISSION, month, ids, problems, key=("employee_id",))
    problems += problems_at(rows, rows["commission"] < 0, S.COMMISSION, h("commission"), "提成金额不能为负")
    problems += problems_at(rows, rows["commission"] > policy.max_salary, S.COMMISSION, h("commission"),
                            f"提成金额超过 {policy.max_salary:,.0f} 元，请检查")
    return rows.groupby("employee_id")["commission"].sum()


def submissions(book: StoreBook, month: str, policy: Policy, problems: list) -> pd.DataFrame:
    """评分提交 of the month; a role must be one of the settings' 评分提交日."""
    h = S.SHEETS[S.SUBMISSIONS].header
    every = book.frame(S.SUBMISSIONS, problems)
    rows = every[every["month"].eq(month)]
    roles = policy.deadline_days
    problems += problems_at(rows, ~rows["role"].isin(list(roles)), S.SUBMISSIONS, h("role"),
                            "角色「{role}」不在设置的评分提交日中（" + "/".join(roles) + "）")
    return rows


def put_dms_actuals(items: pd.DataFrame, book: StoreBook, month: str, people: pd.DataFrame, ids: set,
                    policy: Policy, problems: list) -> list[str]:
    """DMS实绩 (written by 导入DMS) → the actuals of KPI items left blank in 月度实绩, by the rule of
    udfs.dms.hand_out; with 设置「DMS实绩优先」 = 是, or rows imported with --override, the DMS figure
    wins over a hand-entered one. Marks every item's ``source``; returns warnings where a hand-entered
    actual and the DMS figure differ."""
    items["source"] = np.where(items["actual"].notna(), "手工", "")
    if not book.has(S.DMS_ACTUALS):
        return []
    h = S.SHEETS[S.DMS_ACTUALS].header
    every = book.frame(S.DMS_ACTUALS, problems)
    rows = every[every["month"].eq(month) & every["level"].notna()]
    person = rows["level"].eq("person")
    problems += problems_at(rows, person & rows["employee_id"].eq(""), S.DMS_ACTUALS, h("employee_id"),
                            "员工层级的行必须有员工编号")
    problems += problems_at(rows, person & rows["employee_id"].ne("") & ~rows["employee_id"].isin(ids), S.DMS_ACTUALS,
                            h("employee_id"), "员工名册中没有员工编号「{employee_id}」（请重新导入DMS）")
    dup = rows.duplicated(["level", "employee_id", "department", "kpi_id"], keep="first")
    problems += problems_at(rows, dup, S.DMS_ACTUALS, h("kpi_id"), "同一月份、层级、对象的指标「{kpi_id}」重复")
    rows = rows[~dup]
    kpi = items["kind"].eq("kpi") & items["kpi_id"].ne("")
    got = dms.hand_out(items.loc[kpi, ["employee_id", "kpi_id"]], people, rows)
    if not len(got):
        return []
    wins = (policy.dms_wins == "yes") | got["override"].to_numpy(dtype=bool)
    hand = items.loc[kpi, "actual"].to_numpy(dtype=float)
    value = got["actual"].to_numpy(dtype=float)
    use = ~np.isnan(value) & (np.isnan(hand) | wins)
    idx = got.index[use]
    items.loc[idx, "actual"] = value[use]
    items.loc[idx, "source"] = "DMS·" + pd.Series(got["level"].to_numpy()[use]).map(DMS_LEVEL.labels).to_numpy(dtype=object)
    items.loc[idx, "act_row"] = np.nan
    differ = ~np.isnan(value) & ~np.isnan(hand) & ~np.isclose(value, hand, rtol=1e-6, atol=1e-9)
    out = []
    for i in got.index[differ]:
        it = items.loc[i]
        kept = "DMS" if items.at[i, "source"].startswith("DMS") else "手工"
        v_dms, v_hand = float(got.at[i, "actual"]), float(hand[got.index.get_loc(i)])
        fmt = (lambda v: f"{v:.2%}") if it["unit"] == "%" else (lambda v: f"{v:,.4g}")
        out.append(f"{it['employee_id']}「{it['item']}」手工填写 {fmt(v_hand)}，DMS计算 {fmt(v_dms)}，采用{kept}值")
    return out
