"""目标分解 — the year's after-sales targets decomposed over time and owners, and progress.

Input sheets (typed by the service manager; macros never change them):

* **目标分解** — one row per indicator and year: 年度, 指标, 单位, 类型 (可加/不可加), 年度目标,
  方向, 分解方式 (平均/天数/工作日/去年实绩/指定比例), 日历 (blank = 设置), 小数位, 负责人 (who
  answers for the whole-store figure: a position, department or employee), 说明, and twelve
  month columns 1月…12月 holding last year's monthly actuals (分解方式 去年实绩) or the month
  shares (指定比例). One row per indicator keeps its seasonality beside it.
* **目标责任** — the owners, one row per owner: 指标, 上级 (blank = 全店), 责任类型
  (业务线/部门/岗位/员工), 责任人, 占比 or 目标额, 说明. Owners under the same 上级 split that
  上级's target; a 上级 may itself be an owner (全店 → 业务线 → 部门 → 员工).
* **目标实绩** — actuals to date for progress: 月份, 指标, 责任人 (blank = 全店), 实际值.

Output sheets (rebuilt on every run): 目标-月度 (year → quarters → months), 目标-周 (ISO
weeks cut at month ends), 目标-责任 (every owner by quarter and month), 目标校验 (sums and the
cross-checks a manager asks for), 进度 (time progress against achievement, with a chart).

Additive targets are split with parts that add up exactly to their parent at the unit's
precision (largest remainder; owners × months by exact two-way rounding); non-additive ones
(rates, per-car values, per-day figures) are copied.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from addin import book as bk
from addin.errors import BookError, Problem
from udfs import dates as ud
from udfs.decompose import SPLIT_ALIASES, calendar_split, decompose, split_table, split_weights
from udfs.policy import CALENDAR_ALIASES

# --- sheet names and headers -----------------------------------------------------------------
TARGETS = bk.TARGETS            # 目标分解
OWNERS = "目标责任"
TARGET_ACTUALS = "目标实绩"
OUT_MONTHS = "目标-月度"
OUT_WEEKS = "目标-周"
OUT_OWNERS = "目标-责任"
OUT_CHECKS = "目标校验"
PROGRESS = "进度"
INPUT_SHEETS = (TARGETS, OWNERS, TARGET_ACTUALS)
OUTPUT_SHEETS = (OUT_MONTHS, OUT_WEEKS, OUT_OWNERS, OUT_CHECKS, PROGRESS)

MONTH_HEADERS = [f"{m}月" for m in range(1, 13)]
T_HEADERS = {"year": "年度", "indicator": "指标", "unit": "单位", "kind": "类型", "target": "年度目标",
             "direction": "方向", "method": "分解方式", "calendar": "日历", "decimals": "小数位",
             "lead": "负责人", "note": "说明"}
O_HEADERS = {"indicator": "指标", "parent": "上级", "type": "责任类型", "owner": "责任人",
             "share": "占比", "amount": "目标额", "note": "说明"}
A_HEADERS = {"month": "月份", "indicator": "指标", "owner": "责任人", "actual": "实际值", "note": "说明"}
ALIASES = {"目标": "年度目标", "年度目标值": "年度目标", "指标名称": "指标", "分解": "分解方式",
           "负责": "负责人", "比例": "占比", "份额": "占比", "金额": "目标额", "分配目标": "目标额",
           "上级责任人": "上级", "类别": "责任类型", "实绩": "实际值", "实际": "实际值", "考核月份": "月份"}

KIND_ALIASES = {"可加": True, "累加": True, "additive": True, "是": True, "总量": True,
                "不可加": False, "比率": False, "non-additive": False, "否": False, "复制": False}
OWNER_TYPES = {"业务线": "stream", "业务": "stream", "产品": "stream", "收入类别": "stream", "stream": "stream",
               "部门": "department", "department": "department", "班组": "department",
               "岗位": "position", "position": "position",
               "员工": "employee", "人员": "employee", "个人": "employee", "employee": "employee"}
OWNER_TYPE_ZH = {"stream": "业务线", "department": "部门", "position": "岗位", "employee": "员工", "store": "全店"}
DIRECTION_HIGHER = {"", "≥", ">=", "不低于", "正向", "higher", "越高越好", "高"}
DIRECTION_LOWER = {"≤", "<=", "<", "不超过", "反向", "lower", "越低越好", "低", "低于"}
METHOD_ZH = {"equal": "平均", "days": "天数", "workdays": "工作日", "last_year": "去年实绩", "shares": "指定比例"}
STORE = "全店"
SHARE_TOLERANCE = 1e-4          # shares must add up to 100% ± 0.01%
BEHIND = -0.0                   # pace below this → 落后


# --- reading ---------------------------------------------------------------------------------
def _rows(book: bk.StoreBook, sheet: str) -> list:
    tables = book.tables
    if hasattr(tables, "rows"):
        return tables.rows(sheet)
    if sheet in getattr(book, "raw", {}):
        return book.raw[sheet]
    df = tables[sheet]
    cols = [c for c in df.columns if c != "_row"]
    return [cols] + df[cols].to_numpy(dtype=object).tolist()


def _table(book: bk.StoreBook, sheet: str, headers: dict, required: tuple, problems: list,
           extra: list = ()) -> pd.DataFrame:
    """The sheet's table below its header row (the first row with a cell 指标 or 月份)."""
    keys = list(headers) + [f"m{i}" for i in range(1, len(extra) + 1)]
    empty = pd.DataFrame({k: pd.Series(dtype=object) for k in keys})
    empty["_row"] = pd.Series(dtype="int64")
    if not book.has(sheet):
        return empty
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in (_rows(book, sheet) or [])]
    marks = {"指标", "月份"}
    h = next((i for i, r in enumerate(rows[:30]) if any(str(v).strip() in marks for v in r if v is not None)), None)
    if h is None:
        if any(any(v not in (None, "") for v in r) for r in rows):
            problems.append(Problem(sheet, None, None, "找不到表头行（应有一列名为「指标」）"))
        return empty
    head = [ALIASES.get(str(v).strip(), str(v).strip()) if v is not None else "" for v in rows[h]]
    wanted = {v: k for k, v in headers.items()}
    wanted.update({text: f"m{i}" for i, text in enumerate(extra, 1)})
    where = {}
    for j, text in enumerate(head):
        if text in wanted and wanted[text] not in where:
            where[wanted[text]] = j
    for key in required:
        if key not in where:
            problems.append(Problem(sheet, None, headers[key], "缺少此列"))
    body = rows[h + 1:]
    width = max([len(r) for r in body] + [len(head)])
    arr = np.full((len(body), width), None, dtype=object)
    for i, r in enumerate(body):
        arr[i, :len(r)] = r
    data = {k: (arr[:, where[k]] if k in where else np.full(len(body), None, dtype=object)) for k in keys}
    df = pd.DataFrame(data, dtype=object)
    df["_row"] = np.arange(h + 2, h + 2 + len(body))
    filled = df[keys].map(lambda v: v is not None and str(v).strip() != "").any(axis=1) if len(df) else []
    return df[np.asarray(filled, dtype=bool)].reset_index(drop=True) if len(df) else empty


def _m(mask) -> np.ndarray:
    """A boolean mask as a numpy bool array (empty frames give object dtype otherwise)."""
    return np.asarray(mask, dtype=bool)


def _text(s: pd.Series) -> pd.Series:
    out = s.astype(object).where(s.notna(), "").astype(str).str.strip()
    # numbers typed into text cells (ids 1001 → "1001.0" from Excel)
    return out.str.replace(r"^(\d+)\.0$", r"\1", regex=True)


def _numbers(s: pd.Series, sheet: str, header: str, problems: list, percent_ok: bool = True) -> pd.Series:
    """Vectorised numbers as typed: 6000000, "600万", "1,500", "93%"; blank → NaN; bad → problem."""
    obj = s.astype(object)
    is_bool = obj.map(type).eq(bool)
    num = pd.to_numeric(obj.where(~is_bool), errors="coerce").astype(float)
    strs = obj.map(lambda v: isinstance(v, str)).to_numpy() & ~is_bool.to_numpy()
    if strs.any():
        t = obj[strs].astype(str).str.strip().str.replace(",", "", regex=False).str.replace("，", "", regex=False)
        t = t.str.replace("元", "", regex=False).str.lstrip("≥≤<>=").str.strip()
        pct = t.str.endswith(("%", "％"))
        wan = t.str.endswith("万")
        val = pd.to_numeric(t.str.rstrip("%％万"), errors="coerce")
        val = np.where(pct, val / 100, np.where(wan, val * 10_000, val))
        num[strs] = val
    blank = obj.isna() | obj.astype(str).str.strip().eq("")
    bad = num.isna() & ~blank
    rows = s.index if "_row" not in getattr(s, "attrs", {}) else s.attrs["_row"]
    for idx in np.flatnonzero(bad.to_numpy()):
        problems.append(Problem(sheet, int(rows[idx]), header, f"「{obj.iloc[idx]}」不是数字"))
    return num


@dataclass
class Model:
    """The decomposition of one year: every table the sheets and the report need."""

    year: int
    as_of: _dt.date | None
    indicators: pd.DataFrame          # one row per indicator (with quarter/month/week parts)
    owners: pd.DataFrame              # one row per owner node (store rows included, owner "")
    months: np.ndarray                # (nodes, 12) month targets aligned with `owners`
    segments: pd.DataFrame            # week pieces of the year
    weeks: np.ndarray                 # (indicators, S)
    checks: pd.DataFrame = field(default_factory=pd.DataFrame)
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list = field(default_factory=list)


def _year_of(book: bk.StoreBook, ind: pd.DataFrame, year) -> int:
    if year not in (None, ""):
        return int(year)
    years = sorted({int(y) for y in pd.to_numeric(ind["year"], errors="coerce").dropna()})
    if len(years) == 1:
        return years[0]
    if book.month:
        return int(str(book.month)[:4])
    if years:
        return years[-1]
    return _dt.date.today().year


def _read_indicators(book, year, problems) -> tuple[pd.DataFrame, int]:
    ind = _table(book, TARGETS, T_HEADERS, ("indicator", "target"), problems, MONTH_HEADERS)
    if not book.has(TARGETS):
        problems.append(Problem(TARGETS, None, None, "缺少工作表"))
    rows = ind["_row"].to_numpy()
    ind["year_num"] = pd.to_numeric(ind["year"], errors="coerce")
    bad_year = ind["year"].map(lambda v: v not in (None, "")) & (ind["year_num"].isna() | (ind["year_num"] % 1 != 0))
    for r in rows[_m(bad_year)]:
        problems.append(Problem(TARGETS, int(r), "年度", "年度应为四位数年份，如 2026"))
    y = _year_of(book, ind, year)
    ind = ind[ind["year_num"].isna() | (ind["year_num"] == y)].reset_index(drop=True)
    if not len(ind):                    # nothing typed for this year
        for k, v in (("additive", True), ("method_key", "equal"), ("calendar_key", book.policy.calendar),
                     ("dec", 0), ("lower", False), ("weights", None)):
            ind[k] = pd.Series(dtype=object)
        ind["target"] = pd.Series(dtype=float)
        return ind, y
    rows = ind["_row"].to_numpy()
    for k in ("indicator", "unit", "kind", "direction", "method", "calendar", "lead", "note"):
        ind[k] = _text(ind[k])
    s = ind["target"].copy()
    s.attrs["_row"] = rows
    ind["target"] = _numbers(s, TARGETS, "年度目标", problems)
    blank_name = ind["indicator"].eq("")
    for r in rows[_m(blank_name)]:
        problems.append(Problem(TARGETS, int(r), "指标", "指标名称不能为空"))
    dup = ind["indicator"].duplicated(keep="first") & ~blank_name
    for r, name in zip(rows[_m(dup)], ind.loc[dup, "indicator"]):
        problems.append(Problem(TARGETS, int(r), "指标", f"指标「{name}」在 {y} 年重复"))
    raw_blank = s.map(lambda v: v is None or str(v).strip() == "").to_numpy()
    missing = raw_blank & ~blank_name.to_numpy()
    for r in rows[_m(missing)]:
        problems.append(Problem(TARGETS, int(r), "年度目标", "缺少年度目标"))
    neg = ind["target"] < 0
    for r in rows[_m(neg)]:
        problems.append(Problem(TARGETS, int(r), "年度目标", "年度目标不能为负数"))
    # kind: explicit, or inferred from the unit (%, x/y and 率 are rates)
    kind = ind["kind"].map(lambda v: KIND_ALIASES.get(v, KIND_ALIASES.get(v.lower(), None)) if v else None)
    bad_kind = ind["kind"].ne("") & kind.isna()
    for r, v in zip(rows[_m(bad_kind)], ind.loc[bad_kind, "kind"]):
        problems.append(Problem(TARGETS, int(r), "类型", f"「{v}」应填 可加 或 不可加"))
    rate_like = ind["unit"].str.contains("%|％|/|每", regex=True) | ind["indicator"].str.contains("率|单车|日均|每天|/天", regex=True)
    ind["additive"] = kind.where(kind.notna(), ~rate_like).astype(bool)
    # method
    meth = ind["method"].map(lambda v: SPLIT_ALIASES.get(v, SPLIT_ALIASES.get(v.lower())) if v else "equal")
    bad_m = meth.isna()
    for r, v in zip(rows[_m(bad_m)], ind.loc[bad_m, "method"]):
        problems.append(Problem(TARGETS, int(r), "分解方式", f"分解方式「{v}」无法识别（可选：平均/天数/工作日/去年实绩/指定比例）"))
    ind["method_key"] = meth.fillna("equal")
    # calendar
    cal = ind["calendar"].map(lambda v: CALENDAR_ALIASES.get(v, CALENDAR_ALIASES.get(v.lower())) if v else book.policy.calendar)
    for r, v in zip(rows[_m(cal.isna())], ind.loc[cal.isna(), "calendar"]):
        problems.append(Problem(TARGETS, int(r), "日历", f"日历「{v}」无法识别（可选：周末 weekend / 中国 cn）"))
    ind["calendar_key"] = cal.fillna(book.policy.calendar)
    if (ind["calendar_key"] == "cn").any():
        first, last = ud.cn_years()
        if not first <= y <= last:
            for r in rows[(ind["calendar_key"] == "cn").to_numpy()]:
                problems.append(Problem(TARGETS, int(r), "日历", f"中国日历（cn）只知道 {first}–{last} 年的节假日，{y} 年请用 周末"))
    # decimals: blank → 4 for 万元 (whole yuan), else 0
    s = ind["decimals"].copy()
    s.attrs["_row"] = rows
    dec = _numbers(s, TARGETS, "小数位", problems)
    bad_dec = dec.notna() & ((dec % 1 != 0) | (dec < -6) | (dec > 6))
    for r in rows[_m(bad_dec)]:
        problems.append(Problem(TARGETS, int(r), "小数位", "小数位应为 -6 到 6 的整数"))
    default_dec = np.where(ind["unit"].str.startswith("万"), 4, 0)
    ind["dec"] = dec.where(dec.notna() & ~bad_dec, default_dec).astype(int)
    # direction (for progress of rates)
    lower = ind["direction"].isin(DIRECTION_LOWER)
    bad_dir = ~ind["direction"].isin(DIRECTION_LOWER | DIRECTION_HIGHER)
    for r, v in zip(rows[_m(bad_dir)], ind.loc[bad_dir, "direction"]):
        problems.append(Problem(TARGETS, int(r), "方向", f"方向「{v}」无法识别（可选：≥ / ≤）"))
    ind["lower"] = lower
    # the twelve month values: last year's actuals or explicit shares
    mv = np.full((len(ind), 12), np.nan)
    for i in range(12):
        s = ind[f"m{i + 1}"].copy()
        s.attrs["_row"] = rows
        mv[:, i] = _numbers(s, TARGETS, MONTH_HEADERS[i], problems).to_numpy()
    weights = np.full((len(ind), 12), np.nan)
    for i, (how, r) in enumerate(zip(ind["method_key"], rows)):   # one row per indicator (tens)
        if not ind["additive"].iloc[i] or pd.isna(ind["target"].iloc[i]):
            weights[i] = 1.0
            continue
        vals = mv[i]
        if how in ("last_year", "shares"):
            label = "去年实绩" if how == "last_year" else "各月比例"
            gaps = [MONTH_HEADERS[j] for j in np.flatnonzero(np.isnan(vals))]
            if gaps:
                problems.append(Problem(TARGETS, int(r), "、".join(gaps[:3]) + ("…" if len(gaps) > 3 else ""),
                                        f"分解方式为{METHOD_ZH[how]}，{label}缺少 {len(gaps)} 个月"))
                continue
            if (vals < 0).any():
                problems.append(Problem(TARGETS, int(r), MONTH_HEADERS[int(np.argmax(vals < 0))], f"{label}不能为负数"))
                continue
            if vals.sum() <= 0:
                problems.append(Problem(TARGETS, int(r), "1月", f"{label}不能全为 0"))
                continue
            if how == "shares":
                total = vals.sum() / (100 if vals.max() > 1 else 1)
                if abs(total - 1) > SHARE_TOLERANCE:
                    problems.append(Problem(TARGETS, int(r), "1月", f"各月比例合计应为100%（现为 {total:.2%}）"))
                    continue
        try:
            weights[i] = split_weights(y, how, ind["calendar_key"].iloc[i], last_year=vals, shares=vals)
        except ValueError as exc:
            problems.append(Problem(TARGETS, int(r), "分解方式", str(exc)))
    ind["weights"] = list(weights)
    return ind, y


def _roster(book) -> pd.DataFrame | None:
    if not book.has(bk.ROSTER):
        return None
    try:
        r = book.frame(bk.ROSTER, [])
    except Exception:  # noqa: BLE001 - the roster is validated by the report; here only for names
        return None
    return r if len(r) else None


def _read_owners(book, ind, problems) -> pd.DataFrame:
    own = _table(book, OWNERS, O_HEADERS, ("indicator", "owner"), problems)
    rows = own["_row"].to_numpy()
    for k in ("indicator", "parent", "type", "owner", "note"):
        own[k] = _text(own[k])
    own["parent"] = own["parent"].where(~own["parent"].isin([STORE, "全部", "门店"]), "")
    for key, header in (("share", "占比"), ("amount", "目标额")):
        s = own[key].copy()
        s.attrs["_row"] = rows
        own[key] = _numbers(s, OWNERS, header, problems)
    known = set(ind["indicator"])
    unknown = ~own["indicator"].isin(known)
    for r, v in zip(rows[_m(unknown)], own.loc[unknown, "indicator"]):
        problems.append(Problem(OWNERS, int(r), "指标", f"指标「{v}」不在本年度目标分解表中" if v else "指标不能为空"))
    blank = own["owner"].eq("")
    for r in rows[_m(blank)]:
        problems.append(Problem(OWNERS, int(r), "责任人", "责任人不能为空"))
    typ = own["type"].map(lambda v: OWNER_TYPES.get(v, OWNER_TYPES.get(v.lower())) if v else None)
    bad_t = own["type"].ne("") & typ.isna()
    for r, v in zip(rows[_m(bad_t)], own.loc[bad_t, "type"]):
        problems.append(Problem(OWNERS, int(r), "责任类型", f"责任类型「{v}」无法识别（可选：业务线/部门/岗位/员工）"))
    # a blank type is read from the roster: a department, a position, an employee, else a stream
    roster = _roster(book)
    depts = set(roster["department"]) if roster is not None else set()
    poss = set(roster["position"]) if roster is not None else set()
    ids = dict(zip(roster["employee_id"], roster["name"])) if roster is not None else {}
    names = {v: k for k, v in ids.items()}
    guess = np.select([own["owner"].isin(depts), own["owner"].isin(poss),
                       own["owner"].isin(set(ids)) | own["owner"].isin(set(names))],
                      ["department", "position", "employee"], "stream")
    own["type_key"] = typ.where(typ.notna(), pd.Series(guess, index=own.index))
    if roster is not None:
        checks = (("department", depts, "部门「{}」不在员工名册中"), ("position", poss, "岗位「{}」不在员工名册中"),
                  ("employee", set(ids) | set(names), "员工「{}」不在员工名册中（填员工编号或姓名）"))
        for key, pool, msg in checks:
            bad = own["type_key"].eq(key) & ~own["owner"].isin(pool) & ~blank
            for r, v in zip(rows[_m(bad)], own.loc[bad, "owner"]):
                problems.append(Problem(OWNERS, int(r), "责任人", msg.format(v)))
    own["display"] = own["owner"].map(lambda v: f"{v} {ids[v]}" if v in ids else (f"{names[v]} {v}" if v in names else v))
    own["twin"] = own["owner"].map(lambda v: ids.get(v) or names.get(v) or "")
    neg = (own["share"] < 0) | (own["amount"] < 0)
    for r in rows[_m(neg)]:
        problems.append(Problem(OWNERS, int(r), "占比", "占比和目标额不能为负数"))
    return own


def _build(book: bk.StoreBook, year=None, as_of=None, progress: bool = True) -> Model:
    problems: list = []
    ind, y = _read_indicators(book, year, problems)
    own = _read_owners(book, ind, problems)
    ok_ind = ind[ind["indicator"].ne("") & ~ind["indicator"].duplicated() & ind["target"].notna()
                 & (ind["target"] >= 0)].reset_index(drop=True)
    # --- store level: quarters, months, weeks ------------------------------------------------
    n = len(ok_ind)
    quarter = np.full((n, 4), np.nan)
    month = np.full((n, 12), np.nan)
    try:
        seg = ud.week_segments(y, book.policy.calendar)
    except ValueError:                 # cn outside its years: already reported per row if used
        seg = ud.week_segments(y, "weekend")
    week = np.full((n, len(seg)), np.nan)
    valid = np.array([not np.isnan(w).any() for w in ok_ind["weights"]], dtype=bool) if n else np.zeros(0, bool)
    if valid.any():
        for cal in ok_ind.loc[valid, "calendar_key"].unique():          # at most two calendars
            sel = np.flatnonzero((ok_ind["calendar_key"].to_numpy() == cal) & valid)
            res = calendar_split(ok_ind["target"].to_numpy()[sel], np.vstack(ok_ind["weights"].to_numpy()[sel]), y, cal,
                                 week_basis=np.where(ok_ind["method_key"].to_numpy()[sel] == "workdays", "workdays", "days"),
                                 decimals=ok_ind["dec"].to_numpy()[sel], additive=ok_ind["additive"].to_numpy()[sel])
            quarter[sel], month[sel], week[sel] = res["quarter"], res["month"], res["week"]
    for q in range(4):
        ok_ind[f"Q{q + 1}"] = quarter[:, q]
    for m in range(12):
        ok_ind[MONTH_HEADERS[m]] = month[:, m]
    # --- owners: a tree per indicator ---------------------------------------------------------
    nodes, node_months = _owner_tree(ok_ind, own, month, problems)
    if problems:
        raise BookError(problems, title="目标分解有错误，未写入任何内容")
    model = Model(year=y, as_of=None, indicators=ok_ind, owners=nodes, months=node_months,
                  segments=seg, weeks=week)
    if not n:                          # no indicators for the year: nothing to check or track
        model.as_of = _as_of(as_of, y) if progress else None
        return model
    model.checks = _checks(model, book)
    if progress:
        problems = []
        model.as_of = _as_of(as_of, y)
        model.progress = _progress(model, book, problems)
        if problems:
            raise BookError(problems, title="目标分解有错误，未写入任何内容")
    return model


def _owner_tree(ind: pd.DataFrame, own: pd.DataFrame, month: np.ndarray, problems: list):
    """Nodes (store + owners) with annual and monthly targets; shares validated per parent."""
    out_rows, out_months = [], []
    by_ind = {k: g for k, g in own.groupby("indicator", sort=False)}
    for i, r in ind.iterrows():      # one pass per indicator (tens of rows)
        name, dec, additive = r["indicator"], int(r["dec"]), bool(r["additive"])
        out_rows.append(dict(indicator=name, parent="", owner="", type_key="store", display=STORE, twin="",
                             path=STORE, level=0, parent_idx=-1, share=1.0, annual=r["target"], unit=r["unit"],
                             additive=additive, lower=bool(r["lower"]), lead=r["lead"], _row=r["_row"]))
        out_months.append(month[i])
        g = by_ind.get(name)
        if g is None or not len(g):
            continue
        g = g[g["owner"].ne("")]
        counts = g["owner"].value_counts()
        # children of each parent, breadth-first from the store
        queue = [("", len(out_rows) - 1, STORE, 0)]
        seen_parent = {""}
        while queue:
            parent, p_idx, p_path, level = queue.pop(0)
            kids = g[g["parent"] == parent]
            if not len(kids):
                continue
            rows = kids["_row"].to_numpy()
            dup = kids["owner"].duplicated()
            for rr, v in zip(rows[_m(dup)], kids.loc[dup, "owner"]):
                problems.append(Problem(OWNERS, int(rr), "责任人", f"「{v}」在同一上级下重复"))
            kids = kids[~dup.to_numpy()]
            rows = kids["_row"].to_numpy()
            p_annual = out_rows[p_idx]["annual"]
            p_months = out_months[p_idx]
            where = f"「{name}」{p_path if parent else STORE}"
            if additive:
                weights = _child_weights(kids, p_annual, dec, where, rows, problems)
                broken = weights is None or np.isnan(p_months).any() or np.isnan(p_annual)
                if broken:     # already reported; keep walking so the owners below are checked too
                    annual, k_months = np.zeros(len(kids)), np.zeros((len(kids), 12))
                    shares = np.full(len(kids), np.nan)
                else:
                    annual = decompose(p_annual, weights, dec) if p_annual > 0 else np.zeros(len(kids))
                    k_months = split_table(annual, p_months, dec) if p_annual > 0 else np.zeros((len(kids), 12))
                    shares = weights / weights.sum() if weights.sum() > 0 else np.full(len(kids), np.nan)
            else:
                annual = np.full(len(kids), p_annual)
                k_months = np.tile(p_months, (len(kids), 1))
                shares = np.full(len(kids), np.nan)
            for j, (_, k) in enumerate(kids.iterrows()):
                path = f"{p_path} › {k['display']}"
                out_rows.append(dict(indicator=name, parent=parent, owner=k["owner"], type_key=k["type_key"],
                                     display=k["display"], twin=k["twin"], path=path, level=level + 1,
                                     parent_idx=p_idx,
                                     share=shares[j], annual=annual[j], unit=r["unit"], additive=additive,
                                     lower=bool(r["lower"]), lead="", _row=k["_row"]))
                out_months.append(k_months[j])
                if k["owner"] in seen_parent:
                    continue
                if counts.get(k["owner"], 0) > 1 and (g["parent"] == k["owner"]).any():
                    problems.append(Problem(OWNERS, int(k["_row"]), "责任人",
                                            f"「{k['owner']}」在「{name}」下出现多次，不能再作为上级"))
                    continue
                seen_parent.add(k["owner"])
                queue.append((k["owner"], len(out_rows) - 1, path, level + 1))
        orphans = g[~g["parent"].isin(seen_parent)]
        for rr, v in zip(orphans["_row"], orphans["parent"]):
            problems.append(Problem(OWNERS, int(rr), "上级", f"上级「{v}」不是「{name}」的责任人（留空表示全店）"))
    nodes = pd.DataFrame(out_rows)
    months = np.vstack(out_months) if out_months else np.zeros((0, 12))
    if len(nodes):                 # depth-first order: every owner right under its 上级
        kids: dict = {}
        for i, p in enumerate(nodes["parent_idx"].to_numpy(int)):
            kids.setdefault(p, []).append(i)
        order, stack = [], list(reversed(kids.get(-1, [])))
        while stack:
            i = stack.pop()
            order.append(i)
            stack.extend(reversed(kids.get(i, [])))
        order = np.asarray(order, dtype=int)
        new_pos = np.empty(len(nodes), dtype=int)
        new_pos[order] = np.arange(len(order))
        nodes = nodes.iloc[order].reset_index(drop=True)
        p = nodes["parent_idx"].to_numpy(int)
        nodes["parent_idx"] = np.where(p >= 0, new_pos[np.maximum(p, 0)], -1)
        months = months[order]
    return nodes, months


def _child_weights(kids, p_annual, dec, where, rows, problems):
    share, amount = kids["share"].to_numpy(float), kids["amount"].to_numpy(float)
    has_s, has_a = ~np.isnan(share), ~np.isnan(amount)
    if has_s.all():
        total = share.sum() / (100 if share.max(initial=0) > 1 else 1)
        if abs(total - 1) > SHARE_TOLERANCE:
            problems.append(Problem(OWNERS, int(rows[0]), "占比",
                                    f"{where}下各责任人占比合计应为100%（现为 {total:.2%}，第{'、'.join(map(str, rows))}行）"))
            return None
        return share
    if has_a.all():
        unit = 10.0 ** -dec
        if abs(amount.sum() - p_annual) > unit / 2:
            problems.append(Problem(OWNERS, int(rows[0]), "目标额",
                                    f"{where}下各责任人目标额合计 {amount.sum():,.{max(dec, 0)}f} ≠ 上级目标 {p_annual:,.{max(dec, 0)}f}"
                                    f"（第{'、'.join(map(str, rows))}行）"))
            return None
        if amount.sum() <= 0:
            return np.ones(len(amount))
        return amount
    missing = rows[~has_s & ~has_a]
    if len(missing):
        for rr in missing:
            problems.append(Problem(OWNERS, int(rr), "占比", f"{where}下的责任人需填写占比或目标额"))
    else:
        problems.append(Problem(OWNERS, int(rows[0]), "占比", f"{where}下请统一填写占比或统一填写目标额（第{'、'.join(map(str, rows))}行）"))
    return None


# --- cross-checks ------------------------------------------------------------------------------
def _find(ind: pd.DataFrame, include: str, unit_rx: str | None = None, additive=None):
    m = ind["indicator"].str.contains(include, regex=True)
    if unit_rx is not None:
        m &= ind["unit"].str.contains(unit_rx, regex=True)
    if additive is not None:
        m &= ind["additive"] == additive
    hit = ind[m]
    return hit.iloc[0] if len(hit) else None


def _checks(model: Model, book) -> pd.DataFrame:
    """Sums at every level, and the cross-checks of the seed's targets."""
    ind, nodes, months = model.indicators, model.owners, model.months
    rows = []
    add = ind[ind["additive"]]
    q = add[[f"Q{i}" for i in range(1, 5)]].to_numpy()
    m = add[MONTH_HEADERS].to_numpy()
    w = model.weeks[ind["additive"].to_numpy()]
    seg_m = model.segments["month"].to_numpy()
    dec = add["dec"].to_numpy()
    units = 10.0 ** dec[:, None]

    def same(a, b):
        return np.all(np.round(a * units[: len(a)]) == np.round(b * units[: len(a)]))
    ok_q = same(q.sum(axis=1, keepdims=True), add[["target"]].to_numpy())
    ok_m = same(m.reshape(-1, 4, 3).sum(axis=2), q)
    ok_w = same(np.stack([w[:, seg_m == k].sum(axis=1) for k in range(1, 13)], axis=1), m) if len(add) else True
    rows.append(("合计", "年度 = 四个季度之和", f"{len(add)} 个可加指标", "相符" if ok_q else "不符"))
    rows.append(("合计", "季度 = 三个月之和", f"{len(add) * 4} 个季度", "相符" if ok_m else "不符"))
    rows.append(("合计", "月度 = 月内各周之和（ISO周按月切分）", f"{len(add) * 12} 个月", "相符" if ok_w else "不符"))
    # owners: each parent's annual and months = its children's
    bad_parent, groups = 0, 0
    add_nodes = nodes.index[nodes["additive"]].to_numpy()
    for (indicator, parent), g in nodes.iloc[add_nodes][nodes.iloc[add_nodes]["level"] > 0].groupby(["indicator", "parent"]):
        groups += 1
        level = g["level"].iloc[0]
        p = nodes[(nodes["indicator"] == indicator) & (nodes["owner"] == parent) & (nodes["level"] == level - 1)]
        p_idx = p.index[0]
        d = int(ind.loc[ind["indicator"] == indicator, "dec"].iloc[0])
        kid_sum = np.round(months[g.index].sum(axis=0) * 10.0**d)
        if not (np.array_equal(kid_sum, np.round(months[p_idx] * 10.0**d))
                and round(g["annual"].sum() * 10.0**d) == round(nodes.loc[p_idx, "annual"] * 10.0**d)
                and np.array_equal(np.round(months[g.index].sum(axis=1) * 10.0**d), np.round(g["annual"].to_numpy() * 10.0**d))):
            bad_parent += 1
    rows.append(("合计", "上级目标 = 各责任人之和（年度及每月），责任人各月之和 = 其年度目标", f"{groups} 组",
                 "相符" if bad_parent == 0 else f"{bad_parent} 组不符"))
    nonadd = ind[~ind["additive"]]
    if len(nonadd):
        rows.append(("不可加", "比率/单值类指标按年度目标复制到各季、月、周和责任人，不拆分",
                     "、".join(nonadd["indicator"].tolist()[:8]), "已复制"))
    # seed cross-checks: revenue, intake per month and per day, revenue per car
    revenue = _find(ind, "产值|营业额|营业收入", "^元$|^万元$", True)
    if revenue is not None and "单车" in revenue["indicator"]:
        revenue = None
    intake = _find(ind, "接车", r"^台|^辆", True)
    daily = _find(ind, "接车", r"天|日", False)
    if daily is None:
        daily = _find(ind, "日接车|日均接车", None, False)
    per_car = ind[ind["indicator"].str.contains("单车产值|单车")]
    if revenue is not None and intake is not None and intake["target"] > 0:
        scale = 10_000 if str(revenue["unit"]).startswith("万") else 1
        implied = revenue["target"] * scale / intake["target"]
        text = f"{revenue['indicator']} {revenue['target'] * scale:,.0f} 元 ÷ {intake['indicator']} {intake['target']:,.0f} 台 = {implied:,.0f} 元/台"
        verdict = "—"
        if len(per_car):
            lo, hi = per_car["target"].min(), per_car["target"].max()
            names = "、".join(f"{a} {b:,.0f}" for a, b in zip(per_car["indicator"], per_car["target"]))
            text += f"；单车产值目标：{names}"
            if implied < lo:
                text += f"；若 {intake['target']:,.0f} 台都达到最低单车产值 {lo:,.0f}，营业额应 ≥ {lo * intake['target']:,.0f} 元"
                verdict = "注意：低于单车产值目标，三项目标不一致"
            else:
                verdict = "相符" if implied <= hi else "注意：高于单车产值目标"
        rows.append(("交叉校验", "隐含单车产值 = 营业额目标 ÷ 接车目标", text, verdict))
        mi = model.indicators.index[model.indicators["indicator"] == intake["indicator"]][0]
        rm = model.indicators.index[model.indicators["indicator"] == revenue["indicator"]][0]
        per_month = model.indicators.loc[rm, MONTH_HEADERS].to_numpy(float) * scale / \
            np.where(model.indicators.loc[mi, MONTH_HEADERS].to_numpy(float) > 0, model.indicators.loc[mi, MONTH_HEADERS].to_numpy(float), np.nan)
        rows.append(("交叉校验", "各月隐含单车产值（营业额月目标 ÷ 接车月目标）",
                     f"最低 {np.nanmin(per_month):,.0f}，最高 {np.nanmax(per_month):,.0f} 元/台", "—"))
        if len(per_car) >= 2 and revenue is not None:
            streams = nodes[(nodes["indicator"] == revenue["indicator"]) & (nodes["level"] == 1)]
            if len(streams):
                need = 0.0
                parts = []
                keys = per_car["indicator"].str.extract(r"[(（](.+?)[)）]")[0].fillna("")
                for _, s in streams.iterrows():
                    pc = per_car[[bool(k) and k in s["owner"] for k in keys]]
                    if len(pc):
                        cars = s["annual"] * scale / pc["target"].iloc[0]
                        need += cars
                        parts.append(f"{s['owner']} {s['annual'] * scale:,.0f} ÷ {pc['target'].iloc[0]:,.0f} = {cars:,.0f} 台")
                if parts:
                    rows.append(("交叉校验", "按单车产值目标倒推所需台次",
                                 "；".join(parts) + f"；合计 {need:,.0f} 台，接车目标 {intake['target']:,.0f} 台",
                                 "相符" if need <= intake["target"] else "注意：接车目标不足"))
    if daily is not None and intake is not None:
        cal = intake["calendar_key"]
        seg_days = ud.days_in_month(np.full(12, model.year), np.arange(1, 13))
        wd = np.array([ud.workdays_in(f"{model.year}-{k:02d}-01", f"{model.year}-{k:02d}-{int(seg_days[k - 1]):02d}", cal)
                       for k in range(1, 13)])
        mt = model.indicators.loc[model.indicators["indicator"] == intake["indicator"], MONTH_HEADERS].to_numpy(float)[0]
        need_wd = mt / wd
        need_cd = mt / seg_days
        cap_wd = daily["target"] * wd
        short = int((cap_wd < mt).sum())
        cal_zh = "中国法定节假日" if cal == "cn" else "周一至周五"
        rows.append(("交叉校验", f"{daily['indicator']} {daily['target']:g} 台/天 × 工作日（{cal_zh}）对比 {intake['indicator']} 月目标",
                     f"每月需日均 {need_wd.min():.1f}–{need_wd.max():.1f} 台（按工作日）或 {need_cd.min():.1f}–{need_cd.max():.1f} 台（按日历天）；"
                     f"{daily['target']:g} 台/天 × 工作日 = {cap_wd.min():,.0f}–{cap_wd.max():,.0f} 台/月",
                     f"注意：{short} 个月日接车目标不足以完成月接车目标" if short else "相符"))
    return pd.DataFrame(rows, columns=["类别", "校验", "数据", "结论"])


# --- progress ----------------------------------------------------------------------------------
def _as_of(as_of, year: int) -> _dt.date:
    if as_of in (None, ""):
        d = _dt.date.today()
    else:
        ts = ud.to_timestamps([as_of], "date")[0]
        if np.isnat(ts):
            raise BookError([Problem("命令行", None, "--date", f"日期「{as_of}」无法识别（应为 YYYY-MM-DD）")])
        d = pd.Timestamp(ts).date()
    return min(max(d, _dt.date(year, 1, 1)), _dt.date(year, 12, 31))


def _read_actuals(book, model: Model, problems: list) -> pd.DataFrame:
    act = _table(book, TARGET_ACTUALS, A_HEADERS, ("month", "indicator", "actual"), problems)
    rows = act["_row"].to_numpy()
    for k in ("indicator", "owner"):
        act[k] = _text(act[k])
    months = act["month"].map(bk.parse_month)
    bad = months.isna() & act["month"].map(lambda v: v not in (None, ""))
    for r, v in zip(rows[_m(bad)], act.loc[bad, "month"]):
        problems.append(Problem(TARGET_ACTUALS, int(r), "月份", f"月份「{v}」无法识别（应为 YYYY-MM）"))
    blank_m = act["month"].map(lambda v: v in (None, ""))
    for r in rows[_m(blank_m)]:
        problems.append(Problem(TARGET_ACTUALS, int(r), "月份", "缺少月份"))
    act["month"] = months.fillna("")
    s = act["actual"].copy()
    s.attrs["_row"] = rows
    act["actual"] = _numbers(s, TARGET_ACTUALS, "实际值", problems)
    act["owner"] = act["owner"].where(~act["owner"].isin([STORE, "全部", "门店"]), "")
    nodes = model.owners
    known = set(zip(nodes["indicator"], nodes["owner"])) | set(zip(nodes["indicator"], nodes["twin"]))
    all_ind = set(model.indicators["indicator"])
    this_year = act["month"].str.startswith(str(model.year))
    unknown_i = ~act["indicator"].isin(all_ind) & this_year
    for r, v in zip(rows[_m(unknown_i)], act.loc[unknown_i, "indicator"]):
        problems.append(Problem(TARGET_ACTUALS, int(r), "指标", f"指标「{v}」不在 {model.year} 年目标分解表中"))
    pairs = pd.Series(list(zip(act["indicator"], act["owner"])), index=act.index, dtype=object)
    unknown_o = ~pairs.map(lambda p: p in known) & act["indicator"].isin(all_ind) & act["owner"].ne("") & this_year
    for r, (i, o) in zip(rows[_m(unknown_o)], pairs[unknown_o]):
        problems.append(Problem(TARGET_ACTUALS, int(r), "责任人", f"「{o}」不是指标「{i}」的责任人（见目标责任表）"))
    # a twin identifier (name for an id) maps to the owner as typed on 目标责任
    twin_to_owner = {(i, t): o for i, o, t in zip(nodes["indicator"], nodes["owner"], nodes["twin"]) if t}
    act["owner"] = [twin_to_owner.get((i, o), o) for i, o in zip(act["indicator"], act["owner"])]
    return act[this_year & act["actual"].notna()].reset_index(drop=True)


def actual_matrix(model: Model, act: pd.DataFrame) -> np.ndarray:
    """(nodes, 12) actuals by month; an additive owner without figures takes its owners' sum."""
    nodes = model.owners
    a = np.full((len(nodes), 12), np.nan)
    if len(act) and len(nodes):
        m = act["month"].str[5:7].astype(int).to_numpy() - 1
        piv = pd.DataFrame({"indicator": act["indicator"], "owner": act["owner"], "m": m, "actual": act["actual"]}) \
            .groupby(["indicator", "owner", "m"])["actual"].sum().unstack("m").reindex(columns=range(12))
        key = pd.MultiIndex.from_arrays([nodes["indicator"], nodes["owner"]])
        a = piv.reindex(key).to_numpy(dtype=float)
    additive = nodes["additive"].to_numpy(bool)
    parent = nodes["parent_idx"].to_numpy(int)
    level = nodes["level"].to_numpy(int)
    for lv in range(int(level.max(initial=0)), 0, -1):         # deepest level first
        kids = np.flatnonzero((level == lv) & additive)
        if not len(kids):
            continue
        sums = np.full((len(nodes), 12), np.nan)
        have = ~np.isnan(a[kids])
        agg = pd.DataFrame(np.where(have, a[kids], 0.0)).groupby(parent[kids]).sum()
        cnt = pd.DataFrame(have.astype(int)).groupby(parent[kids]).sum()
        sums[agg.index.to_numpy()] = np.where(cnt.to_numpy() > 0, agg.to_numpy(), np.nan)
        a = np.where(np.isnan(a) & ~np.isnan(sums), sums, a)
    return a


def _progress(model: Model, book, problems: list) -> pd.DataFrame:
    act = _read_actuals(book, model, problems)
    amat = actual_matrix(model, act)
    keep = ~model.owners.duplicated(["indicator", "owner"]).to_numpy()
    nodes = model.owners[keep].copy()
    months = model.months[keep]
    amat = amat[keep]
    as_of = model.as_of
    m_now = as_of.month
    ind = model.indicators.set_index("indicator")
    upto = amat[:, :m_now]
    has = ~np.isnan(upto)
    ytd = np.where(has.any(axis=1), np.where(has, upto, 0).sum(axis=1), np.nan)
    cur = amat[:, m_now - 1]
    last_pos = np.where(has.any(axis=1), m_now - 1 - np.argmax(has[:, ::-1], axis=1), 0)
    latest = np.where(has.any(axis=1), upto[np.arange(len(upto)), last_pos], np.nan)
    cal = ind.loc[nodes["indicator"], "calendar_key"].to_numpy()
    basis = np.where(ind.loc[nodes["indicator"], "method_key"].to_numpy() == "workdays", "workdays", "days")
    tp_year, tp_month = np.zeros(len(nodes)), np.zeros(len(nodes))
    for b, c in set(zip(basis, cal)):                  # at most four (basis × calendar) pairs
        hit = (basis == b) & (cal == c)
        tp_year[hit] = ud.time_progress(as_of, "year", b, c)
        tp_month[hit] = ud.time_progress(as_of, "month", b, c)
    annual = nodes["annual"].to_numpy(float)
    month_t = months[:, m_now - 1] if len(nodes) else np.zeros(0)
    plan = (months[:, : m_now - 1].sum(axis=1) + month_t * tp_month) if len(nodes) else np.zeros(0)
    additive = nodes["additive"].to_numpy(bool)
    lower = nodes["lower"].to_numpy(bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        done = np.where(additive, ytd / np.where(annual > 0, annual, np.nan),
                        np.where(lower, annual / latest, latest / annual))
        m_done = np.where(additive, cur / np.where(month_t > 0, month_t, np.nan), np.nan)
        plan_share = plan / np.where(annual > 0, annual, np.nan)
    pace_y = np.where(additive, done - tp_year, np.nan)
    pace_m = np.where(additive, m_done - tp_month, np.nan)
    # additive: 正常 at or ahead of time progress; 按计划 behind time progress but not behind the
    # seasonal plan (Σ month targets to date); 落后 behind both. Rates: 达标 / 未达标.
    on_plan = done >= np.nan_to_num(plan_share, nan=np.inf) - 1e-12
    status = np.where(np.isnan(done), "无实绩",
                      np.where(additive, np.where(pace_y >= BEHIND, "正常", np.where(on_plan, "按计划", "落后")),
                               np.where(done >= 1, "达标", "未达标")))
    return pd.DataFrame({
        "indicator": nodes["indicator"].to_numpy(), "owner": nodes["owner"].to_numpy(),
        "display": nodes["display"].to_numpy(), "path": nodes["path"].to_numpy(),
        "type": nodes["type_key"].map(OWNER_TYPE_ZH).to_numpy(), "unit": nodes["unit"].to_numpy(),
        "additive": additive, "annual": annual,
        "ytd": np.where(additive, ytd, latest), "done": done,
        "time_progress": np.where(additive, tp_year, np.nan), "plan": np.where(additive, plan_share, np.nan),
        "pace": pace_y, "month_target": np.where(additive, month_t, np.nan),
        "month_actual": np.where(additive, cur, np.nan), "month_done": m_done,
        "month_time": np.where(additive, tp_month, np.nan), "month_pace": pace_m, "status": status,
    })


# --- public API ----------------------------------------------------------------------------------
def _open(source) -> bk.StoreBook:
    """load_book, tolerant of a targets-only workbook (no 考核表/月度实绩)."""
    try:
        return bk.load_book(source)
    except BookError as exc:
        if not all(p.message == "缺少工作表" and p.sheet not in (TARGETS,) for p in exc.problems) or not exc.problems:
            raise
    if isinstance(source, (str, Path)):
        from python_calamine import CalamineWorkbook
        wb = CalamineWorkbook.from_path(str(source))
        raw = {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}
        path = Path(source)
    else:
        raw = {k: [list(r) if isinstance(r, (list, tuple)) else [r] for r in (v or [])] for k, v in source.items()}
        path = None
    problems: list = []
    settings, policy = bk.read_settings(raw.get(bk.SETTINGS, []), problems) if bk.SETTINGS in raw else ({}, bk.Policy())
    if problems:
        raise BookError(problems)
    tables = {n: bk.table_from_rows(rows, n) for n, rows in raw.items()}
    return bk.StoreBook(path=path, tables=tables, settings=settings, policy=policy, month=settings.get("month"),
                        store=str(settings.get(bk.STORE_KEY) or "").strip() or "本店", sheet_names=list(raw), raw=raw)


def build_model(source, year=None, as_of=None, progress: bool = True) -> Model:
    """Read and validate the target sheets, decompose, cross-check and (optionally) track progress.

    Raises BookError listing every problem (nothing is written by this function).
    """
    book = source if isinstance(source, bk.StoreBook) else _open(source)
    return _build(book, year, as_of, progress)


def month_targets(book, month) -> pd.DataFrame:
    """The month's targets from 目标分解: DataFrame[indicator, owner, target].

    owner "" is the whole store; owners are given as typed on 目标责任 (department, position,
    stream, employee id or name) plus, for an employee, the other identifier (name ↔ id); an owner
    reached along two paths gets the sum. The 负责人 of an indicator gets the store figure: as
    typed and, when it names a roster position, each such employee's id and name (unless that
    employee is an owner of the indicator already).
    Empty when the workbook has no targets for that year.
    """
    book = book if isinstance(book, bk.StoreBook) else _open(book)
    key = bk.parse_month(month)
    if key is None:
        raise ValueError(f"month '{month}' must be YYYY-MM")
    y, m = int(key[:4]), int(key[5:7])
    empty = pd.DataFrame({"indicator": pd.Series(dtype=object), "owner": pd.Series(dtype=object),
                          "target": pd.Series(dtype=float)})
    if not book.has(TARGETS):
        return empty
    model = _build(book, y, None, progress=False)
    nodes = model.owners
    if not len(nodes):
        return empty
    t = model.months[:, m - 1]
    twin = nodes["twin"].ne("").to_numpy()
    tree = pd.DataFrame({"indicator": np.concatenate([nodes["indicator"], nodes["indicator"][twin]]),
                         "owner": np.concatenate([nodes["owner"], nodes["twin"][twin]]),
                         "target": np.concatenate([t, t[twin]]),
                         "additive": np.concatenate([nodes["additive"], nodes["additive"][twin]])})
    # an owner reached along two paths: additive targets add up, rates are the same figure
    summed = tree[tree["additive"]].groupby(["indicator", "owner"], sort=False)["target"].sum()
    first = tree[~tree["additive"]].groupby(["indicator", "owner"], sort=False)["target"].first()
    res = pd.concat([summed, first]).reset_index()
    # the 负责人 of an indicator answers for the store figure: the text as typed and, when it names
    # a position (or an employee) of the roster, every such employee's id and name — so a
    # scorecard finds it by employee before it finds the employee's department
    store = nodes[nodes["level"].eq(0) & nodes["lead"].fillna("").astype(str).ne("")]
    if len(store):
        roster = _roster(book)
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


def decompose_targets(source, year=None, as_of=None) -> dict:
    """目标分解 button / `kpi4s decompose`: fill the output sheets from the target sheets.

    source: a workbook path (the sheets are replaced atomically) or a StoreBook/mapping (nothing
    written; the caller writes `result["sheets"]`). Returns a dict with year, as_of, the Model,
    the written path (or None), sheet names, the checks and who is behind.
    """
    book = source if isinstance(source, bk.StoreBook) else _open(source)
    model = _build(book, year, as_of, progress=True)
    if not len(model.indicators):
        raise BookError([Problem(TARGETS, None, "指标", f"目标分解表中没有 {model.year} 年的指标，请先填写年度目标")],
                        title="目标分解没有可分解的内容，未写入任何内容")
    writers = sheet_writers(model, book)
    path = None
    if book.path is not None:
        path = write_output(book.path, writers)
    behind = model.progress[model.progress["status"].eq("落后")] if len(model.progress) else model.progress
    res = {"year": model.year, "as_of": model.as_of, "model": model, "path": path,
           "sheets": list(writers), "writers": writers, "checks": model.checks,
           "behind": behind[["indicator", "display", "done", "time_progress", "pace"]] if len(behind) else behind}
    res["summary"] = summary_text(res)
    return res


def summary_text(res: dict, limit: int = 20) -> str:
    """What the button's message box and the command line show (Chinese)."""
    model = res["model"]
    lines = [f"目标分解 {model.year} 年：{len(model.indicators)} 个指标，{int((model.owners['level'] > 0).sum())} 个责任人，"
             f"进度截至 {model.as_of:%Y-%m-%d}"]
    lines += [f"  [{r['结论']}] {r['校验']}：{r['数据']}" for _, r in model.checks.iterrows()]
    behind = res["behind"]
    if len(behind):
        lines.append(f"进度落后（低于时间进度和计划进度）{len(behind)} 项：")
        lines += [f"  {r['indicator']} / {r['display']}：完成 {r['done']:.1%}，时间进度 {r['time_progress']:.1%}，"
                  f"差 {r['pace']:+.1%}" for _, r in behind.head(limit).iterrows()]
        if len(behind) > limit:
            lines.append(f"  … 另有 {len(behind) - limit} 项，见「{PROGRESS}」表")
    if res["path"]:
        lines.append(f"已写入：{res['path']}（{'、'.join(res['sheets'])}）")
    return "\n".join(lines)


def donor_bytes(writers: dict) -> bytes:
    """The output sheets built in a small in-memory openpyxl workbook (.xlsx bytes)."""
    import io

    import openpyxl
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, fill in writers.items():
        fill(wb.create_sheet(name))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_output(path, writers: dict, dest=None) -> Path:
    """Replace the output sheets of the workbook at `path` atomically, every other part untouched
    (charts and buttons of other sheets survive: addin.xlsxpatch transplants whole sheets)."""
    try:
        from addin.xlsxpatch import replace_sheets
    except ImportError:                                   # pragma: no cover - fallback
        return bk.write_sheets(path, writers, order=list(writers), dest=dest)
    return replace_sheets(path, donor_bytes(writers), list(writers), dest=dest)


def cli_decompose(args) -> int:
    res = decompose_targets(args.book, getattr(args, "year", None), getattr(args, "date", None))
    print(res["summary"])
    return 0


# --- output sheets -------------------------------------------------------------------------------
_FONT = "微软雅黑"


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    thin = Side(style="thin", color="BFBFBF")
    return {
        "title": Font(name=_FONT, bold=True, size=13, color="1F4E79"),
        "note": Font(name=_FONT, size=9, color="666666"),
        "head": Font(name=_FONT, bold=True, size=10, color="FFFFFF"),
        "head_fill": PatternFill("solid", fgColor="1F4E79"),
        "body": Font(name=_FONT, size=10),
        "bold": Font(name=_FONT, size=10, bold=True),
        "red": Font(name=_FONT, size=10, bold=True, color="C00000"),
        "green": Font(name=_FONT, size=10, color="2E7D32"),
        "amber": Font(name=_FONT, size=10, bold=True, color="C65911"),
        "behind_fill": PatternFill("solid", fgColor="FDE2E1"),
        "sub_fill": PatternFill("solid", fgColor="EAF1FB"),
        "store_fill": PatternFill("solid", fgColor="F2F2F2"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "Alignment": Alignment,
    }


def _num_format(unit: str, dec: int, additive: bool) -> str:
    if "%" in unit or "％" in unit:
        return "0.0%"
    if dec <= 0:
        return "#,##0"
    return "#,##0." + "0" * dec


def _page(ws, landscape=True):
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if landscape else ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_view.zoomScale = 90


def _frame(ws, st, title: str, note: str, headers: list, widths: list, start_row: int = 3):
    from openpyxl.utils import get_column_letter
    ws["A1"] = title
    ws["A1"].font = st["title"]
    ws["A2"] = note
    ws["A2"].font = st["note"]
    for j, (h, w) in enumerate(zip(headers, widths), 1):
        c = ws.cell(start_row, j, h)
        c.font, c.fill, c.alignment, c.border = st["head"], st["head_fill"], st["center"], st["border"]
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.row_dimensions[start_row].height = 30
    ws.freeze_panes = ws.cell(start_row + 1, 3)
    _page(ws)


def _put(ws, st, r: int, values: list, fmts: list | None = None, font=None, fill=None):
    """One row of values with font, border, fill and number formats.

    openpyxl hashes every style object on assignment (slow: ~0.3 ms a cell); a style
    combination is set once and its style array copied to the next cells with it.
    """
    from copy import copy
    cache = st.setdefault("_cache", {})
    for j, v in enumerate(values, 1):
        if isinstance(v, (float, np.floating)) and np.isnan(v):
            v = None
        elif isinstance(v, np.generic):
            v = v.item()
        c = ws.cell(r, j, v)
        fmt = fmts[j - 1] if fmts and j - 1 < len(fmts) else None
        key = (id(font), id(fill), fmt)
        if key in cache:
            c._style = copy(cache[key])
            continue
        c.font = font or st["body"]
        c.border = st["border"]
        if fill is not None:
            c.fill = fill
        if fmt:
            c.number_format = fmt
        cache[key] = copy(c._style)


def sheet_writers(model: Model, book=None) -> dict:
    """{sheet name: callable(ws)} for the five output sheets (for book.write_sheets or xlwings)."""
    return {OUT_MONTHS: lambda ws: _write_months(ws, model), OUT_WEEKS: lambda ws: _write_weeks(ws, model),
            OUT_OWNERS: lambda ws: _write_owners(ws, model), OUT_CHECKS: lambda ws: _write_checks(ws, model),
            PROGRESS: lambda ws: _write_progress(ws, model)}


def _write_months(ws, model: Model):
    st = _styles()
    ind = model.indicators
    headers = ["指标", "单位", "类型", "分解方式", "日历", "年度目标", "Q1", "Q2", "Q3", "Q4"] + MONTH_HEADERS + ["合计校验"]
    _frame(ws, st, f"{model.year} 年目标分解：年度 → 季度 → 月度",
           "可加指标按分解方式拆分，各季之和=年度、各月之和=季度（精确到单位精度）；不可加指标（比率、单车、日均）复制年度目标。",
           headers, [18, 7, 7, 9, 7, 13, 12, 12, 12, 12] + [11] * 12 + [9])
    for i, r in enumerate(ind.itertuples(index=False), start=4):
        fmt = _num_format(r.unit, r.dec, r.additive)
        months = ind.loc[i - 4, MONTH_HEADERS].to_numpy(float)
        quarters = ind.loc[i - 4, [f"Q{q}" for q in range(1, 5)]].to_numpy(float)
        unit = 10.0 ** r.dec
        ok = (round(quarters.sum() * unit) == round(r.target * unit)
              and np.array_equal(np.round(months.reshape(4, 3).sum(axis=1) * unit), np.round(quarters * unit)))
        check = ("✓" if ok else "✗") if r.additive else "复制"
        cal = ("中国" if r.calendar_key == "cn" else "周末") if r.additive else "—"
        _put(ws, st, i, [r.indicator, r.unit, "可加" if r.additive else "不可加",
                         METHOD_ZH.get(r.method_key, "") if r.additive else "—", cal, r.target]
             + list(quarters) + list(months) + [check],
             [None] * 5 + [fmt] * 17 + [None])
        ws.cell(i, 1).font = st["bold"]
        ws.cell(i, len(headers)).alignment = st["center"]
        if not r.additive:
            for j in range(7, len(headers)):
                ws.cell(i, j).font = st["note"]
        ws.cell(i, len(headers)).font = st["green"] if check == "✓" else (st["red"] if check == "✗" else st["note"])


def _write_weeks(ws, model: Model):
    st = _styles()
    ind = model.indicators
    add = np.flatnonzero(ind["additive"].to_numpy())
    seg = model.segments
    cals = sorted(set(ind["calendar_key"]) | {"weekend"}, key=["weekend", "cn"].index)
    wd = {c: ud.week_segments(model.year, c)["workdays"].to_numpy() for c in cals}
    cal_head = {"weekend": "工作日\n(周一至周五)", "cn": "工作日\n(法定节假日)"}
    headers = ["月份", "周", "起", "止", "天数"] + [cal_head[c] for c in cals] + \
        [f"{ind['indicator'].iloc[k]}\n({ind['unit'].iloc[k]})" for k in add]
    _frame(ws, st, f"{model.year} 年周目标（ISO 周，跨月的周按月切分）",
           "每月的目标按周内天数分到各周（分解方式为工作日的按该指标日历的工作日）；每月小计 = 月目标。"
           "不可加指标各周同年度目标，不在此列出。", headers, [7, 10, 11, 11, 6] + [10] * len(cals) + [14] * len(add))
    fmts = [None, None, "yyyy-mm-dd", "yyyy-mm-dd", "0"] + ["0"] * len(cals) + \
        [_num_format(ind["unit"].iloc[k], int(ind["dec"].iloc[k]), True) for k in add]
    r = 4
    w = model.weeks[add]
    m_all = ind[MONTH_HEADERS].to_numpy(float)[add]
    for mo in range(1, 13):                                   # 12 months
        pick = np.flatnonzero(seg["month"].to_numpy() == mo)
        for s in pick:
            row = seg.iloc[s]
            _put(ws, st, r, [f"{mo}月", row["label"], row["start"].date(), row["end"].date(), int(row["days"])]
                 + [int(wd[c][s]) for c in cals] + list(w[:, s]), fmts)
            r += 1
        _put(ws, st, r, [f"{mo}月", "小计", None, None, int(seg["days"].to_numpy()[pick].sum())]
             + [int(wd[c][pick].sum()) for c in cals] + list(w[:, pick].sum(axis=1)),
             fmts, font=st["bold"], fill=st["sub_fill"])
        ok = np.allclose(w[:, pick].sum(axis=1), m_all[:, mo - 1], rtol=0, atol=1e-9)
        if not ok:
            ws.cell(r, 2, "小计≠月目标").font = st["red"]
        r += 1


def _write_owners(ws, model: Model):
    st = _styles()
    nodes = model.owners
    ind = model.indicators.set_index("indicator")
    headers = ["指标", "责任人（层级）", "责任类型", "占上级比例", "年度目标", "Q1", "Q2", "Q3", "Q4"] + MONTH_HEADERS
    _frame(ws, st, f"{model.year} 年目标分解：全店 → 业务线 → 部门 → 员工",
           "每个上级的年度和每月目标 = 其下各责任人之和；每个责任人各月之和 = 其年度目标（两向精确取整）。不可加指标复制给各责任人。",
           headers, [16, 30, 8, 9, 13, 12, 12, 12, 12] + [11] * 12)
    q = model.months.reshape(-1, 4, 3).sum(axis=2)
    for i, r in enumerate(nodes.itertuples(index=False)):
        row = 4 + i
        dec = int(ind.loc[r.indicator, "dec"])
        fmt = _num_format(r.unit, dec, r.additive)
        quarters = q[i] if r.additive else np.full(4, r.annual)
        _put(ws, st, row, [r.indicator if r.level == 0 else None, r.display, OWNER_TYPE_ZH.get(r.type_key, ""),
                           r.share if r.level > 0 else None, r.annual] + list(quarters) + list(model.months[i]),
             [None, None, None, "0.0%"] + [fmt] * 17,
             font=st["bold"] if r.level == 0 else None, fill=st["store_fill"] if r.level == 0 else None)
        if r.level > 0:
            ws.cell(row, 2).value = "　" * (int(r.level) - 1) * 2 + "└ " + str(r.display)
        if r.level == 0:
            ws.cell(row, 1).font = st["bold"]


def _write_checks(ws, model: Model):
    st = _styles()
    headers = ["类别", "校验", "数据", "结论"]
    _frame(ws, st, f"{model.year} 年目标校验", "各层合计与经理常问的交叉校验（接车、单车产值、营业额是否匹配）。",
           headers, [10, 46, 84, 30])
    ws.freeze_panes = "A4"
    for i, r in enumerate(model.checks.itertuples(index=False), start=4):
        _put(ws, st, i, list(r))
        for j in range(1, 5):
            ws.cell(i, j).alignment = st["wrap"]
        lines = max(len(str(r[1])) / 22, len(str(r[2])) / 40, len(str(r[3])) / 14, 1)
        ws.row_dimensions[i].height = 15 * int(np.ceil(lines))
        ws.cell(i, 4).font = st["red"] if str(r[3]).startswith(("注意", "不符")) or "不符" in str(r[3]) else st["green"]


def _write_progress(ws, model: Model):
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.marker import DataPoint
    from openpyxl.utils import get_column_letter
    st = _styles()
    pr = model.progress
    as_of = model.as_of
    year_tp = ud.time_progress(as_of, "year")
    headers = ["指标", "责任人", "单位", "年度目标", "累计实绩", "完成率", "时间进度", "计划进度", "差距",
               "本月目标", "本月实绩", "本月完成率", "本月时间进度", "本月差距", "状态"]
    _frame(ws, st, f"目标进度（截至 {as_of:%Y-%m-%d}，年度时间进度 {year_tp:.1%}）",
           "完成率 = 累计实绩 ÷ 年度目标；时间进度 = 已过天数（工作日分解的按工作日）÷ 全年；差距 = 完成率 − 时间进度（PACE），"
           "为负即落后于时间进度；计划进度按各月目标（含季节性）累计，落后于时间进度但不低于计划进度的标为「按计划」，两者都落后的标为「落后」（红色）。不可加指标比较最近一月实绩与目标。",
           headers, [16, 24, 7, 13, 13, 9, 9, 9, 9, 12, 12, 10, 10, 9, 8])
    ind = model.indicators.set_index("indicator")
    chart_rows = []
    for i, r in enumerate(pr.itertuples(index=False)):
        row = 4 + i
        dec = int(ind.loc[r.indicator, "dec"])
        fmt = _num_format(r.unit, dec, r.additive)
        behind = r.status in ("落后", "未达标")
        _put(ws, st, row, [r.indicator, r.display, r.unit, r.annual, r.ytd, r.done, r.time_progress, r.plan, r.pace,
                           r.month_target, r.month_actual, r.month_done, r.month_time, r.month_pace, r.status],
             [None, None, None, fmt, fmt, "0.0%", "0.0%", "0.0%", "+0.0%;-0.0%;0.0%", fmt, fmt, "0.0%", "0.0%",
              "+0.0%;-0.0%;0.0%", None])
        if behind:
            for j in ((2, 6, 9, 15) if r.additive else (2, 6, 15)):
                ws.cell(row, j).fill = st["behind_fill"]
            ws.cell(row, 2).font = st["red"]
        for j in (9, 14):
            v = ws.cell(row, j).value
            if isinstance(v, (int, float)) and v < 0:
                ws.cell(row, j).font = Font_red(st)
        ws.cell(row, 15).font = st["red"] if behind else (
            st["green"] if r.status in ("正常", "达标") else (st["amber"] if r.status == "按计划" else st["note"]))
        if r.additive and not np.isnan(r.done):
            chart_rows.append((row, r.pace))
    end_table = 3 + len(pr)
    if chart_rows:
        # chart data: a compact block to the right of the table (label, 差距), outside the print area
        col = len(headers) + 2
        ws.cell(3, col, "图表：指标·责任人").font = st["note"]
        ws.cell(3, col + 1, "图表差距").font = st["note"]
        for k, (row, pace) in enumerate(chart_rows, start=4):
            ws.cell(k, col, f"{ws.cell(row, 1).value}·{ws.cell(row, 2).value}").font = st["note"]
            ws.cell(k, col + 1, float(pace)).number_format = "+0.0%;-0.0%"
        end = 3 + len(chart_rows)
        chart = BarChart()
        chart.type = "bar"
        chart.title = f"差距 = 完成率 − 时间进度（截至 {as_of:%m-%d}，红色 = 落后于时间进度）"
        chart.add_data(Reference(ws, min_col=col + 1, min_row=3, max_row=end), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=col, min_row=4, max_row=end))
        series = chart.series[0]
        series.graphicalProperties.solidFill = "2E7D32"
        for k, (_, pace) in enumerate(chart_rows):
            if pace < 0:
                pt = DataPoint(idx=k)
                pt.graphicalProperties.solidFill = "C00000"
                series.dPt.append(pt)
        chart.y_axis.number_format = "0%"
        chart.y_axis.majorGridlines = None
        chart.x_axis.scaling.orientation = "maxMin"       # first row on top
        chart.x_axis.tickLblPos = "low"
        chart.legend = None
        chart.gapWidth = 40
        chart.height = 0.62 * len(chart_rows) + 3
        chart.width = 26
        chart.visible_cells_only = False                  # the data block's columns are hidden
        from openpyxl.worksheet.pagebreak import Break
        ws.row_breaks.append(Break(id=end_table + 1))      # the chart prints on its own page
        ws.add_chart(chart, f"A{end_table + 2}")
        for c in (col - 1, col, col + 1):
            ws.column_dimensions[get_column_letter(c)].hidden = True


def Font_red(st):
    from openpyxl.styles import Font
    return Font(name=_FONT, size=10, color="C00000")
