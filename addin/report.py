"""月度报告 — the monthly report macro (SPEC §1, §3, §5).

`compute_month(book, month)` reads and validates the inputs and computes everything with the
udfs/ core (no rule is re-implemented here); `monthly_report(source, ...)` writes 历史,
月度报告 and, when the month closes a quarter or the year, the period sheets — atomically.
The same function is behind the Excel button, xlwings "Run main", the xlwings Lite script
and `kpi4s report`.
"""
from __future__ import annotations

import datetime as _dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from addin import book as bk
from addin.errors import BookError, Problem
from addin.results import (ACTION_COLUMNS, ADJUSTMENT_COLUMNS, HISTORY_COLUMNS, ITEM_COLUMNS,
                           PEOPLE_COLUMNS, SCORER_COLUMNS, MonthResults)
from udfs import consequences, grading, pay, scoring
from udfs.policy import ACTION_LABELS, ACTIONS, CATEGORY_ALIASES, DIRECTION_ALIASES, GRADES

KIND_ALIASES = {
    "kpi": "kpi", "指标": "kpi", "定量": "kpi", "量化": "kpi", "考核指标": "kpi",
    "rated": "rated", "评分": "rated", "评定": "rated", "定性": "rated", "目标": "rated",
    "mbo": "rated", "工作目标": "rated", "评分项": "rated",
}
STATUS_ACTIVE = {"正式", "在职", "转正", "active", "试用", "试用期", "probation"}
STATUS_LEFT = {"离职", "已离职", "left"}


# ------------------------------------------------------------------------------------
# timing (bench/ reads it) and progress
class _Timer:
    def __init__(self, progress=False, total=4):
        self.marks: list = []
        self._t = time.perf_counter()
        self.bar = None
        if progress:
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, desc="月度报告", unit="步", file=sys.stderr, leave=False,
                                delay=1.0)   # only long runs show a bar
            except ImportError:  # pragma: no cover
                self.bar = None

    def mark(self, name: str):
        now = time.perf_counter()
        self.marks.append((name, now - self._t))
        self._t = now
        if self.bar is not None:
            self.bar.set_postfix_str(name)
            self.bar.update(1)

    def close(self):
        if self.bar is not None:
            self.bar.close()


LAST_TIMINGS: list = []     # [(step, seconds)] of the last monthly_report call


# ------------------------------------------------------------------------------------
# helpers
def _months_of(month: str) -> tuple[int, int]:
    y, m = month.split("-")
    return int(y), int(m)


def closes_quarter(month: str) -> bool:
    return _months_of(month)[1] % 3 == 0


def closes_year(month: str) -> bool:
    return _months_of(month)[1] == 12


def _problems_for(df: pd.DataFrame, mask, sheet: str, column: str, message) -> list:
    """Problems for the rows of df where mask holds.

    message: text, a template naming columns of df ("…「{item}」", filled for flagged rows
    only, so a clean 60,000-row sheet costs nothing), or a Series aligned to df.
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return []
    rows = df["_row"].to_numpy()[mask]
    if not isinstance(message, str):
        msgs = np.asarray(message, dtype=object)[mask]
    elif "{" in message:          # "…「{item}」": filled from the flagged rows only
        msgs = [message.format(**r) for r in df[mask].to_dict("records")]
    else:
        msgs = [message] * int(mask.sum())
    return [Problem(sheet, int(r), column, str(m)) for r, m in zip(rows, msgs)]


def _canon(values: pd.Series, aliases: dict) -> pd.Series:
    key = values.astype(str).str.strip()
    out = key.map(aliases)
    return out.fillna(key.str.lower().map(aliases))


def _library(book: bk.StoreBook, problems: list) -> pd.DataFrame:
    """The KPI library: the workbook's 指标库 when present, else the built-in one."""
    from udfs import kpis
    rows = kpis.LIBRARY
    if book.has(bk.KPI_LIB):
        table = book.tables[bk.KPI_LIB]
        if len(table):
            try:
                rows = kpis.from_frame(table)
            except ValueError as exc:
                for row, header, msg in getattr(exc, "problems", []) or [(None, None, str(exc))]:
                    problems.append(Problem(bk.KPI_LIB, row, header, msg))
                rows = kpis.LIBRARY
    lib = kpis.library_frame("en", rows)
    return lib.drop_duplicates("id").set_index("id")


def _month_targets(book: bk.StoreBook, month: str, warnings: list) -> pd.DataFrame:
    """Targets from 目标分解 (addin.targets.month_targets) — empty when unavailable."""
    empty = pd.DataFrame(columns=["indicator", "owner", "target"])
    if not book.has(bk.TARGETS):
        return empty
    try:
        from addin.targets import month_targets
    except ImportError:
        warnings.append("目标分解模块不可用，考核表中引用目标分解指标的目标值需手工填写")
        return empty
    try:
        t = month_targets(book, month)
    except BookError:
        raise
    except Exception as exc:  # noqa: BLE001 - the targets sheet is optional input
        warnings.append(f"目标分解读取失败：{exc}")
        return empty
    if t is None or not len(t):
        return empty
    t = t[["indicator", "owner", "target"]].copy()
    t["indicator"] = t["indicator"].astype(str).str.strip()
    t["owner"] = t["owner"].astype(str).str.strip()
    t["target"] = pd.to_numeric(t["target"], errors="coerce")
    return t


def _month_item_rows(book: bk.StoreBook, sheet: str, month: str, ids, problems: list):
    """This month's rows of a per-employee, per-item sheet (月度实绩, 评分) and its headers:
    unknown employees and repeated items are problems; the first of a repeat is kept."""
    hdr = dict((c.key, c.header) for c in bk.SCHEMAS[sheet])
    every = book.frame(sheet, problems)
    rows = every[every["month"].eq(month)]
    problems += _problems_for(rows, ~rows["employee_id"].isin(ids), sheet, hdr["employee_id"],
                              "员工名册中没有员工编号「{employee_id}」")
    dup = rows.duplicated(["employee_id", "item"], keep="first")
    problems += _problems_for(rows, dup, sheet, hdr["item"], "本月同一员工同一考核项目重复：{item}")
    return rows[~dup], hdr


# ------------------------------------------------------------------------------------
def compute_month(book, month: str | None = None) -> MonthResults:
    """Validate the month's inputs and compute every person's results (SPEC §3).

    Raises BookError listing every problem found; computes nothing partial.
    """
    book = bk.load_book(book, month)
    month = bk.parse_month(month) if month else book.month
    policy = book.policy
    book.prefetch([bk.HISTORY])          # the longest sheet, read on the other core meanwhile
    problems: list = []
    warnings: list = []
    if not month:
        raise BookError([Problem(bk.SETTINGS, None, bk.MONTH_KEY, "未指定考核月份（设置表「考核月份」或 --month）")])

    # --- roster ---------------------------------------------------------------------
    roster = book.frame(bk.ROSTER, problems)
    r_hdr = dict((c.key, c.header) for c in bk.SCHEMAS[bk.ROSTER])
    problems += _problems_for(roster, roster["employee_id"].eq(""), bk.ROSTER, r_hdr["employee_id"], "员工编号为空")
    dup = roster["employee_id"].ne("") & roster["employee_id"].duplicated(keep=False)
    problems += _problems_for(roster, dup, bk.ROSTER, r_hdr["employee_id"],
                              "员工编号重复：" + roster["employee_id"].astype(str))
    for key in ("name", "department", "position"):
        problems += _problems_for(roster, roster[key].eq("") & roster["employee_id"].ne(""), bk.ROSTER, r_hdr[key], "不能为空")
    cat = _canon(roster["category"], CATEGORY_ALIASES)
    problems += _problems_for(roster, cat.isna(), bk.ROSTER, r_hdr["category"],
                              "考核类别「{category}」无效（创利部门/职能部门/部门经理/行政部/人力资源部/客户服务部经理）")
    roster["category"] = cat.fillna("")
    status = roster["status"].str.strip()
    bad_status = ~status.isin(STATUS_ACTIVE | STATUS_LEFT)
    problems += _problems_for(roster, bad_status, bk.ROSTER, r_hdr["status"],
                              "状态「" + status + "」无效（正式/试用/离职）")
    problems += _problems_for(roster, roster["salary"].isna(), bk.ROSTER, r_hdr["salary"], "月工资为空")
    problems += _problems_for(roster, roster["salary"] < 0, bk.ROSTER, r_hdr["salary"], "月工资不能为负")
    y, mo = _months_of(month)
    month_end = _dt.datetime(y + mo // 12, mo % 12 + 1, 1)
    hired = pd.to_datetime(pd.Series(list(roster["hire_date"]), index=roster.index, dtype=object), errors="coerce")
    later = hired.notna() & (hired >= month_end)        # joined after this month: not in it
    active = roster[~status.isin(STATUS_LEFT) & roster["employee_id"].ne("") & ~later].drop_duplicates("employee_id")
    eligible, reason = pay.eligibility(active["status"].to_numpy(), active["salary"].fillna(0).to_numpy(), policy)
    active = active.assign(eligible=eligible, exempt_reason=reason)
    ids = set(roster["employee_id"])
    eligible_ids = set(active.loc[active["eligible"], "employee_id"])

    # --- KPI library and scorecards ---------------------------------------------------
    lib = _library(book, problems)
    cards = book.frame(bk.SCORECARDS, problems)
    c_hdr = dict((c.key, c.header) for c in bk.SCHEMAS[bk.SCORECARDS])
    cards = cards[(cards["item"] != "") | cards["weight"].notna()].copy()
    problems += _problems_for(cards, cards["item"].eq(""), bk.SCORECARDS, c_hdr["item"], "考核项目为空")
    problems += _problems_for(cards, cards["position"].eq("") & cards["employee_id"].eq(""), bk.SCORECARDS,
                              c_hdr["position"], "岗位和员工编号不能都为空")
    unknown_emp = cards["employee_id"].ne("") & ~cards["employee_id"].isin(ids)
    problems += _problems_for(cards, unknown_emp, bk.SCORECARDS, c_hdr["employee_id"],
                              "员工名册中没有员工编号「{employee_id}」")
    kind = cards["kind"].where(cards["kind"].ne(""), "kpi")
    kind = _canon(kind, KIND_ALIASES)
    problems += _problems_for(cards, kind.isna(), bk.SCORECARDS, c_hdr["kind"],
                              "类型「{kind}」无效（KPI 或 评分）")
    cards["kind"] = kind.fillna("kpi")
    unknown_kpi = cards["kpi_id"].ne("") & ~cards["kpi_id"].isin(lib.index)
    problems += _problems_for(cards, unknown_kpi, bk.SCORECARDS, c_hdr["kpi_id"],
                              "指标库中没有指标「{kpi_id}」")
    lib_dir = cards["kpi_id"].map(lib["direction"]) if len(lib) else pd.Series(np.nan, index=cards.index)
    direction = cards["direction"].where(cards["direction"].ne(""), lib_dir.fillna("higher"))
    cdir = _canon(direction, DIRECTION_ALIASES)
    problems += _problems_for(cards, cdir.isna(), bk.SCORECARDS, c_hdr["direction"],
                              "方向「{direction}」无效（正向/反向/反向线性/不低于/不超过）")
    cards["direction"] = cdir.fillna("higher")
    cards["lib_target"] = cards["kpi_id"].map(lib["target"]).astype(float) if len(lib) else np.nan
    unit = cards["unit"].where(cards["unit"].ne(""), cards["kpi_id"].map(lib["unit"]).fillna("") if len(lib) else "")
    cards["unit"] = unit
    problems += _problems_for(cards, cards["weight"].isna() & cards["item"].ne(""), bk.SCORECARDS, c_hdr["weight"], "权重为空")
    w = scoring.normalize_weight(cards["weight"].fillna(0).to_numpy())
    problems += _problems_for(cards, w < 0, bk.SCORECARDS, c_hdr["weight"], "权重不能为负")
    cards["weight"] = np.where(cards["weight"].isna(), np.nan, w)
    cards["card"] = np.where(cards["employee_id"].ne(""), "员工 " + cards["employee_id"], "岗位 " + cards["position"])
    sums = cards.groupby("card", sort=False).agg(wsum=("weight", "sum"), first=("_row", "min"), n=("item", "size"))
    off = (sums["wsum"] * 100 - 100).abs() > policy.weight_tolerance
    for card, row in sums[off].iterrows():   # one line per scorecard (few)
        problems.append(Problem(bk.SCORECARDS, int(row["first"]), c_hdr["weight"],
                                f"{card} 的权重合计 {row['wsum'] * 100:.1f}%，应为100%"))
    dup_item = cards.duplicated(["card", "item"], keep="first")
    problems += _problems_for(cards, dup_item, bk.SCORECARDS, c_hdr["item"],
                              "同一考核表中考核项目重复：{item}")
    cards["seq"] = cards["seq"].where(cards["seq"].notna(), cards.groupby("card").cumcount() + 1)

    # --- assign scorecards to eligible people -------------------------------------------
    elig = active[active["eligible"]]
    personal = cards[cards["employee_id"].ne("")]
    by_pos = cards[cards["employee_id"].eq("")].drop(columns=["employee_id"])
    with_personal = set(personal["employee_id"])
    pos_people = elig.loc[~elig["employee_id"].isin(with_personal), ["employee_id", "position"]]
    items = pd.concat([pos_people.merge(by_pos, on="position", how="inner"),
                       personal[personal["employee_id"].isin(eligible_ids)]], ignore_index=True)
    no_card = ~elig["employee_id"].isin(set(items["employee_id"]))
    problems += _problems_for(elig, no_card, bk.ROSTER, r_hdr["position"],
                              "没有考核表：岗位「{position}」在考核表中没有考核项目，也没有按员工编号设置的考核项目")
    items = items.rename(columns={"_row": "card_row"})

    # --- actuals ----------------------------------------------------------------------
    acts, a_hdr = _month_item_rows(book, bk.ACTUALS, month, ids, problems)
    key = items[["employee_id", "item", "kpi_id"]].reset_index()
    m1 = acts.merge(key, on=["employee_id", "item"], how="left")
    unmatched = m1["index"].isna()
    if unmatched.any():       # an actual may name the KPI id instead of the item text
        alt = acts[unmatched.to_numpy()].drop(columns=[]).merge(
            key[key["kpi_id"].ne("")].drop(columns="item").rename(columns={"kpi_id": "item"}),
            on=["employee_id", "item"], how="left")
        m1.loc[unmatched.to_numpy(), "index"] = alt["index"].to_numpy()
    in_roster = m1["employee_id"].isin(eligible_ids).to_numpy()
    not_on_card = m1["index"].isna().to_numpy() & in_roster
    problems += _problems_for(m1, not_on_card, bk.ACTUALS, a_hdr["item"],
                              "该员工的考核表中没有此项目「{item}」")
    hit = m1[m1["index"].notna()]
    idx = hit["index"].astype(int).to_numpy()
    items["actual"] = np.nan
    items["act_target"] = np.nan
    items["act_row"] = np.nan
    items.loc[idx, "actual"] = hit["actual"].to_numpy()
    items.loc[idx, "act_target"] = hit["target"].to_numpy()
    items.loc[idx, "act_row"] = hit["_row"].to_numpy()

    # --- targets: actual row > scorecard > 目标分解 > library --------------------------
    mt = _month_targets(book, month, warnings)
    items["plan_target"] = np.nan
    if len(mt) and items["indicator"].ne("").any():
        people = active.set_index("employee_id")
        owners = {"employee_id": items["employee_id"],
                  "name": items["employee_id"].map(people["name"]),
                  "department": items["employee_id"].map(people["department"]),
                  "position": items["employee_id"].map(people["position"])}
        lut = mt.drop_duplicates(["indicator", "owner"]).set_index(["indicator", "owner"])["target"]
        for owner in owners.values():        # most specific owner first
            need = items["plan_target"].isna() & items["indicator"].ne("")
            if not need.any():
                break
            keys = pd.MultiIndex.from_arrays([items.loc[need, "indicator"], owner[need].fillna("")])
            items.loc[need, "plan_target"] = lut.reindex(keys).to_numpy()
    target = items["act_target"].fillna(items["target"]).fillna(items["plan_target"]).fillna(items["lib_target"])
    items["target"] = target
    kpi = items["kind"].eq("kpi")
    no_target = kpi & items["target"].isna()
    problems += [Problem(bk.SCORECARDS, int(r), c_hdr["target"],
                         f"员工 {e}「{it}」没有目标值（考核表、月度实绩「目标值」、目标分解和指标库都没有）")
                 for r, e, it in items.loc[no_target, ["card_row", "employee_id", "item"]].itertuples(index=False)]
    ratio_dir = items["direction"].isin(["higher", "lower", "lower_linear"])
    bad_t = kpi & ratio_dir & (items["target"] <= 0)
    problems += [Problem(bk.SCORECARDS, int(r), c_hdr["target"], f"员工 {e}「{it}」目标值必须大于0")
                 for r, e, it in items.loc[bad_t, ["card_row", "employee_id", "item"]].itertuples(index=False)]
    miss = kpi & items["actual"].isna()
    problems += [Problem(bk.ACTUALS, None, a_hdr["actual"], f"{month} 缺少员工 {e}「{it}」的实际值")
                 for e, it in items.loc[miss, ["employee_id", "item"]].itertuples(index=False)]
    neg = kpi & items["direction"].eq("lower") & (items["actual"] < 0)
    problems += [Problem(bk.ACTUALS, int(r) if r == r else None, a_hdr["actual"], f"员工 {e}「{it}」实际值不能为负")
                 for r, e, it in items.loc[neg, ["act_row", "employee_id", "item"]].itertuples(index=False)]

    # --- ratings ------------------------------------------------------------------------
    rat, g_hdr = _month_item_rows(book, bk.RATINGS, month, ids, problems)
    for k in ("rating_self", "rating_manager", "rating_peer"):
        v = rat[k]
        pct = scoring.rating_fraction(v.to_numpy())
        problems += _problems_for(rat, (pct < 0) | (pct > policy.rating_max), bk.RATINGS, g_hdr[k],
                                  f"评分应在 0–{policy.rating_max:.0%} 之间")
    rkey = items.loc[items["kind"].eq("rated"), ["employee_id", "item"]].reset_index()
    m2 = rat.merge(rkey, on=["employee_id", "item"], how="left")
    bad = m2["index"].isna().to_numpy() & m2["employee_id"].isin(eligible_ids).to_numpy()
    problems += _problems_for(m2, bad, bk.RATINGS, g_hdr["item"],
                              "该员工的考核表中没有此评分项目「{item}」")
    hit = m2[m2["index"].notna()]
    idx = hit["index"].astype(int).to_numpy()
    for k in ("rating_self", "rating_manager", "rating_peer"):
        items[k] = np.nan
        items.loc[idx, k] = hit[k].to_numpy()
    rated = items["kind"].eq("rated")
    combined = scoring.combine_ratings(items["rating_self"].to_numpy(), items["rating_manager"].to_numpy(),
                                       items["rating_peer"].to_numpy(), policy)
    no_rating = rated & np.isnan(combined)
    problems += [Problem(bk.RATINGS, None, g_hdr["rating_manager"], f"{month} 缺少员工 {e}「{it}」的评分（{_blend_text(policy)}）")
                 for e, it in items.loc[no_rating, ["employee_id", "item"]].itertuples(index=False)]

    # --- adjustments, commission, history, submissions (read + validate) ---------------
    adj_all = book.frame(bk.ADJUSTMENTS, problems)
    j_hdr = dict((c.key, c.header) for c in bk.SCHEMAS[bk.ADJUSTMENTS])
    adj = adj_all[adj_all["month"].eq(month)].copy()
    problems += _problems_for(adj, ~adj["employee_id"].isin(ids), bk.ADJUSTMENTS, j_hdr["employee_id"],
                              "员工名册中没有员工编号「{employee_id}」")
    problems += _problems_for(adj, adj["points"].isna() & ~adj["veto"].astype(bool), bk.ADJUSTMENTS, j_hdr["points"],
                              "加减分为空（否决项请在「否决项」填 是）")
    com_all = book.frame(bk.COMMISSION, problems)
    m_hdr = dict((c.key, c.header) for c in bk.SCHEMAS[bk.COMMISSION])
    com = com_all[com_all["month"].eq(month)]
    problems += _problems_for(com, ~com["employee_id"].isin(ids), bk.COMMISSION, m_hdr["employee_id"],
                              "员工名册中没有员工编号「{employee_id}」")
    problems += _problems_for(com, com["commission"].isna(), bk.COMMISSION, m_hdr["commission"], "提成金额为空")
    problems += _problems_for(com, com["commission"] < 0, bk.COMMISSION, m_hdr["commission"], "提成金额不能为负")
    hist_old = book.frame(bk.HISTORY, problems) if book.has(bk.HISTORY) else book.frame(bk.HISTORY)
    subs_all = book.frame(bk.SUBMISSIONS, problems)
    s_hdr = dict((c.key, c.header) for c in bk.SCHEMAS[bk.SUBMISSIONS])
    subs = subs_all[subs_all["month"].eq(month)]
    roles = dict(policy.deadlines)
    problems += _problems_for(subs, ~subs["role"].isin(list(roles)), bk.SUBMISSIONS, s_hdr["role"],
                              "角色「{role}」不在设置的评分提交日中（" + "/".join(roles) + "）")

    if problems:
        raise BookError(_sorted(problems))
    if not len(active):
        warnings.append(f"员工名册中没有 {month} 在职的员工")

    # --- score ------------------------------------------------------------------------------
    items = items.sort_values(["employee_id", "seq"], kind="stable").reset_index(drop=True)
    items["kind"] = items["kind"].astype(str)
    scored = scoring.score_items(items[["employee_id", "kind", "weight", "target", "actual", "direction",
                                        "rating_self", "rating_manager", "rating_peer"]], policy)
    for k in ("weight", "direction", "rating", "ratio", "score", "shortfall"):
        items[k] = scored[k].to_numpy()
    adj["veto"] = adj["veto"].astype(bool)
    adjustments = adj[adj["employee_id"].isin(eligible_ids)][["employee_id", "points", "reason", "veto"]].copy()
    adjustments["points"] = adjustments["points"].fillna(0.0)
    totals = scoring.score_totals(items, adjustments, policy)

    people = active.set_index("employee_id", drop=False)
    people = people.join(totals[["items", "items_score", "adjustment", "veto", "total", "problems"]], how="left")
    people["items"] = people["items"].fillna(0).astype(int)
    people["veto"] = people["veto"].fillna(False).astype(bool)
    people.loc[~people["eligible"], ["items_score", "adjustment", "total"]] = np.nan
    groups = (people["department"] if policy.eval_group == "department" else pd.Series("全店", index=people.index))
    people["group"] = np.where(people["eligible"], groups, "")
    total = people["total"].to_numpy(dtype=float)
    people["band_grade"] = grading.band_grade(total, policy)
    gr = np.full(len(people), "", dtype=object)
    el = people["eligible"].to_numpy()
    if el.any():
        gr[el] = grading.final_grades(total[el], policy, groups=people["group"].to_numpy()[el])
    people["grade"] = gr
    people["grade_label"] = grading.grade_label(gr)

    # --- pay -------------------------------------------------------------------------------
    com_sum = com.groupby("employee_id")["commission"].sum()
    people["commission"] = people["employee_id"].map(com_sum).astype(float)
    profit = people["category"].eq("profit")
    no_com = profit & people["commission"].isna() & people["eligible"]
    base = pay.perf_base(people["category"].to_numpy(), people["salary"].to_numpy(),
                         people["commission"].fillna(0.0).to_numpy(), policy)
    people["base"] = np.where(people["eligible"], base, np.nan)
    pp = pay.perf_pay(people["base"].to_numpy(), total, policy, grade=np.where(gr == "", None, gr))
    people["pay"] = np.where(people["eligible"], pp, np.nan)
    warn = people["problems"].fillna("").astype(str)
    warn = np.where(no_com, np.where(warn == "", "", warn + "；") + "本月无提成记录，绩效基数按0计", warn)
    people["warnings"] = warn

    # --- history and consequences ------------------------------------------------------------
    now_hist = pd.DataFrame({
        "month": month, "employee_id": people["employee_id"].to_numpy(), "name": people["name"].to_numpy(),
        "department": people["department"].to_numpy(), "total": total, "grade": gr,
        "pay": people["pay"].to_numpy()})
    keep = hist_old[hist_old["month"].ne(month) & hist_old["month"].ne("")][HISTORY_COLUMNS]
    history = pd.concat([keep, now_hist], ignore_index=True) if len(keep) else now_hist
    history = history.sort_values(["month", "employee_id"], kind="stable").reset_index(drop=True)
    acts_m = consequences.month_actions(history[["employee_id", "month", "grade"]].fillna({"grade": ""}),
                                        month, policy)
    acts_m = acts_m.reindex(people.index)
    for k in ("a_run", "d_run", "e_run"):
        people[k] = acts_m[k].fillna(0).astype(int).to_numpy()
    people["action"] = acts_m["action"].fillna("").to_numpy()
    people["actions"] = ["; ".join(a) if isinstance(a, list) else "" for a in acts_m["actions"]]
    people.loc[~people["eligible"], ["action", "actions"]] = ""
    people["hire_date"] = people["hire_date"]
    people = people.reset_index(drop=True)[PEOPLE_COLUMNS]

    actions = _action_rows(people, acts_m.reset_index(drop=True), policy)
    scorers = _scorers(subs, month, policy)
    period = _periods(history, people, month, policy)
    item_out = items.reindex(columns=ITEM_COLUMNS)
    item_out["weight"] = item_out["weight"].astype(float)
    for w in people.loc[people["warnings"].ne(""), ["employee_id", "name", "warnings"]].itertuples(index=False):
        warnings.append(f"{w.employee_id} {w.name}：{w.warnings}")
    return MonthResults(store=book.store, month=month, policy=policy, people=people, items=item_out,
                        adjustments=adjustments.reset_index(drop=True)[ADJUSTMENT_COLUMNS],
                        history=history[HISTORY_COLUMNS], actions=actions, scorers=scorers,
                        period=period, warnings=warnings)


def _blend_text(policy) -> str:
    if policy.rating_manager == 1:
        return "以直接上级评分为准"
    return f"自评{policy.rating_self:.0%}·上级{policy.rating_manager:.0%}·360°{policy.rating_peer:.0%}"


def _sorted(problems: list) -> list:
    order = {s: i for i, s in enumerate(bk.INPUT_SHEETS + bk.OUTPUT_SHEETS)}
    return sorted(problems, key=lambda p: (order.get(p.sheet, 99), p.row or 0, p.column or ""))


def _action_rows(people: pd.DataFrame, acts: pd.DataFrame, policy) -> pd.DataFrame:
    has = people["actions"].ne("")
    if not has.any():
        return pd.DataFrame(columns=ACTION_COLUMNS)
    sub = people[has]
    months = acts.loc[has.to_numpy(), "months"].to_numpy() if "months" in acts else [""] * len(sub)
    rows = []
    for (eid, name, dept, mgr, codes, a, d, e), mtext in zip(
            sub[["employee_id", "name", "department", "manager", "actions", "a_run", "d_run", "e_run"]].itertuples(index=False),
            months):
        for code in codes.split("; "):
            run = {"award": a, "improvement_plan": d, "hr_warning": d, "manager_warning": e}.get(
                code, d if d >= policy.d_separation_run else e)
            rows.append((eid, name, dept, mgr, code, ACTION_LABELS.get(code, code), int(run), mtext or ""))
    out = pd.DataFrame(rows, columns=ACTION_COLUMNS)
    sev = {a: i for i, a in enumerate(reversed(ACTIONS))}
    out["_o"] = out["action"].map(sev)
    return out.sort_values(["_o", "department", "employee_id"], kind="stable").drop(columns="_o").reset_index(drop=True)


def _scorers(subs: pd.DataFrame, month: str, policy) -> pd.DataFrame:
    """Scorer deadlines (SPEC §3.6) and late fines for the month's submissions (udfs.dates)."""
    from udfs import dates
    dl = dates.scorer_deadlines(month, policy)
    due_by_role = dict(zip(dl["role"], dl["due"]))
    out = pd.DataFrame({"scorer": subs["scorer"].to_numpy(), "role": subs["role"].to_numpy()})
    out["due"] = out["role"].map(due_by_role)
    out["submitted"] = pd.to_datetime(pd.Series(list(subs["submitted"]), dtype=object), errors="coerce").to_numpy()
    if len(out):
        out["days_late"] = np.asarray(dates.late_days(out["submitted"].to_numpy(), out["due"].to_numpy(),
                                                      policy.deadline_time), dtype=float)
        out["fine"] = np.asarray(dates.late_fine(out["submitted"].to_numpy(), out["due"].to_numpy(),
                                                 policy.fine_per_day, policy.deadline_time), dtype=float)
    else:
        out["days_late"], out["fine"] = pd.Series(dtype=float), pd.Series(dtype=float)
    missing = dl[~dl["role"].isin(set(out["role"]))]
    if len(missing):       # a role nobody handed in for: listed as not submitted
        out = pd.concat([out, pd.DataFrame({"scorer": "", "role": missing["role"], "due": missing["due"],
                                            "submitted": pd.NaT, "days_late": np.nan, "fine": np.nan})],
                        ignore_index=True)
    order = {r: i for i, r in enumerate(dl["role"])}
    out = out.assign(_o=out["role"].map(order)).sort_values(["_o", "scorer"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)[SCORER_COLUMNS]


def _periods(history: pd.DataFrame, people: pd.DataFrame, month: str, policy) -> dict:
    """Quarter / year figures when `month` closes one (SPEC §3.3): mean of monthly scores."""
    y, m = _months_of(month)
    out = {}
    spans = []
    if closes_quarter(month):
        q = (m - 1) // 3 + 1
        spans.append(("quarter", [f"{y}-{mm:02d}" for mm in range(3 * q - 2, 3 * q + 1)], f"{y}年第{q}季度"))
    if closes_year(month):
        spans.append(("year", [f"{y}-{mm:02d}" for mm in range(1, 13)], f"{y}年度"))
    for kind, months, label in spans:
        h = history[history["month"].isin(months)]
        wide = h.pivot_table(index="employee_id", columns="month", values="total", aggfunc="last")
        wide = wide.reindex(columns=months)
        info = h.drop_duplicates("employee_id", keep="last").set_index("employee_id")[["name", "department"]]
        frame = info.join(wide, how="inner")
        scores = wide.reindex(frame.index)
        from udfs import grading as g
        mean = scores.mean(axis=1, skipna=True).to_numpy()
        frame["months"] = scores.notna().sum(axis=1).to_numpy()
        frame["score"] = mean
        frame["grade"] = g.band_grade(mean, policy)
        frame["grade_label"] = g.grade_label(frame["grade"].to_numpy())
        frame = frame[frame["months"] > 0]
        if kind == "year":
            gi = g.grade_index(frame["grade"].to_numpy())
            raise_i = GRADES.index(policy.annual_raise_grade)
            frame["note"] = np.where(gi <= raise_i, "具备年终调薪资格",
                                     np.where(gi == raise_i + 1, "年终调薪、晋升方面优先考虑", ""))
        frame = frame.reset_index().rename(columns={"index": "employee_id"})
        frame.attrs["label"] = label
        frame.attrs["months"] = months
        dept_order = {d: i for i, d in enumerate(pd.unique(people["department"]))}     # roster order
        frame = frame.assign(_d=frame["department"].map(dept_order).fillna(len(dept_order)))
        out[kind] = frame.sort_values(["_d", "employee_id"], kind="stable").drop(columns="_d").reset_index(drop=True)
    return out


# ------------------------------------------------------------------------------------
def monthly_report(source, month: str | None = None, out_dir=None, progress: bool = False) -> MonthResults:
    """Compute the month and write 历史, 月度报告 (+ period sheets) into the workbook atomically.

    source: path of the store workbook. out_dir: write a copy there (same file name) instead of
    updating the workbook in place. Raises BookError (nothing written) on bad input.
    """
    from addin import report_sheets
    timer = _Timer(progress)
    try:
        book = bk.load_book(source, month)
        book.prefetch([bk.HISTORY])
        for sheet in bk.INPUT_SHEETS[1:]:       # read + type the month's inputs (history: other core)
            if sheet in bk.SCHEMAS:
                book.frame(sheet)
        timer.mark("读取")
        res = compute_month(book, month)
        timer.mark("计算")
        path = Path(source)
        dest = Path(out_dir) / path.name if out_dir else path
        report_sheets.write_results(path, res, dest=dest, timer=timer)
        res.path = dest
    finally:
        timer.close()
        LAST_TIMINGS[:] = timer.marks
    return res


def summary_text(res: MonthResults) -> str:
    p = res.people
    el = p[p["eligible"]]
    counts = el["grade"].value_counts()
    dist = " ".join(f"{g}{int(counts.get(g, 0))}" for g in GRADES)
    lines = [f"{res.store} {res.month} 月度报告：参评 {len(el)} 人，免考核 {int((~p['eligible']).sum())} 人，"
             f"平均分 {el['total'].mean():.1f}",
             f"等级分布 {dist}；绩效工资合计 {el['pay'].sum():,.2f} 元",
             f"处理事项 {len(res.actions)} 项；评分逾期罚款 {np.nansum(res.scorers['fine'].to_numpy(dtype=float)):,.0f} 元"]
    if res.period:
        lines.append("期间汇总：" + "、".join(f.attrs.get("label", k) for k, f in res.period.items()))
    if res.warnings:
        lines.append(f"提示 {len(res.warnings)} 条（见月度报告）")
    return "\n".join(lines)


def cli_report(args) -> int:
    quiet = getattr(args, "quiet", False)
    res = monthly_report(args.book, month=args.month, out_dir=args.out, progress=not quiet)
    if not quiet:
        print(summary_text(res))
        print(f"已写入 {res.path}")
    return 0


def cli_check(args) -> int:
    res = compute_month(bk.load_book(args.book, getattr(args, "month", None)), getattr(args, "month", None))
    print(f"检查通过：{res.store} {res.month}，{len(res.people)} 人，{len(res.items)} 个考核项")
    for w in res.warnings:
        print(f"  提示：{w}")
    return 0
