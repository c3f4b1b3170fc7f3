"""The year-end pack (SPEC §9, [000 5.8]): `kpi4s year BOOK [--year]`, and with every December
月度报告.

From 历史 (every month of the year as the month end recorded it, appeals included) and the
roster: annual scores and grades (udfs.periods), the award candidates (the 3rd consecutive
A, as the month end's consequence rules fire it), raise eligibility (annual grade B or
better) and the priority list (C), the raise of each eligible employee by the matrix in 设置
and the budget check against the raise pool — a matrix that needs more than the pool stops
the pack with one message and nothing written — then the 调薪通知书 letters and two sheets:
YYYY年终调薪 (the list) and YYYY年度总结 (for the general manager, with charts: grades by
month, departments, actions).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.io import outputs as O
from addin.io import schema as S
from addin.io.book import StoreBook, load_book
from addin.io.lock import book_session
from addin.io.problems import BookError, Problem, raise_if
from addin.io.read import settings_rows
from addin.month.results import MonthResults
from addin.render.year import letter_contexts, raise_letter, year_sheets
from udfs import consequences, grading, periods
from udfs.parse import add_months, date_or_none, is_blank
from udfs.vocab import ACTION, APPROVAL, GRADES

from . import trail as T
from .runs import CycleRun, finish, folder_for, write_book_sheets

LETTERS_DIR = "调薪通知书"
INDEX = ["年度", "工号", "姓名", "部门", "年度得分", "年度等级", "原月工资", "调薪比例", "每月增加", "调整后月工资", "生效日期",
         "签发日期", "文件"]


@dataclass
class YearPack:
    year: int
    store: str
    policy: object
    annual: pd.DataFrame            # one row per employee graded in the year (see :func:`annual_table`)
    monthly: pd.DataFrame           # month, A…E counts, n, mean, pay
    departments: pd.DataFrame       # department, n, mean, A…E
    actions: pd.DataFrame           # month × action code counts
    awards: pd.DataFrame            # employee_id, name, department, month, months (the run)
    statuses: pd.DataFrame          # month, status code
    pool: float
    need: float
    bottom: pd.DataFrame | None = None
    warnings: list = field(default_factory=list)


def _date_setting(book: StoreBook, key: str, default: dt.date) -> dt.date:
    value = (book.settings or {}).get(key)
    if is_blank(value):
        return default
    day = date_or_none(value)
    if day is None:
        row = next((r for r, k, _ in settings_rows(book.rows(S.SETTINGS)) if k == key), None)
        raise_if([Problem(S.SETTINGS, row, "值", f"{key}「{value}」无法识别（应为 YYYY-MM-DD）")])
    return day


def annual_table(history: pd.DataFrame, roster: pd.DataFrame, year: int, policy) -> pd.DataFrame:
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    t = periods.period_table(history, months, policy, policy)
    info = roster.drop_duplicates("employee_id").set_index("employee_id")
    t["position"] = t["employee_id"].map(info["position"]).fillna("")
    t["status"] = t["employee_id"].map(info["status"]).fillna("left")
    t["salary"] = t["employee_id"].map(info["salary"]).astype(float)
    here = t["status"].ne("left").to_numpy()
    eligible, rate, amount = periods.raise_plan(t["grade"].to_numpy(), t["salary"].fillna(0).to_numpy(), policy)
    t["raise"] = eligible & here
    t["rate"] = np.where(t["raise"], rate, np.nan)
    t["amount"] = np.where(t["raise"], amount, np.nan)
    t["new_salary"] = t["salary"] + t["amount"]
    t["outcome"] = np.where(~here & (t["note"] != ""), t["note"] + "（已离职）", t["note"])
    return t


def _counts(rows: pd.Series, cols: pd.Series, index: list | None, columns: list) -> pd.DataFrame:
    """How many times each (row, column) pair occurs: ``index`` × ``columns`` (every row value
    seen, sorted, when ``index`` is None), zeros filled (pd.crosstab without its per-group Python)."""
    n = pd.DataFrame({"r": rows.to_numpy(), "c": cols.to_numpy()}).groupby(["r", "c"], sort=True).size()
    out = n.unstack(fill_value=0) if len(n) else pd.DataFrame(dtype="int64")
    out = out.reindex(index=index if index is not None else out.index, columns=columns, fill_value=0).astype("int64")
    return out.rename_axis(rows.name).rename_axis(None, axis=1)


def award_runs(history: pd.DataFrame, year: int, policy) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(awards of the year with the run of A behind each, month × action code counts): the month
    end's consequence rules over 历史 for each month of the year (udfs.consequences.actions_over)."""
    months = [f"{year}-{k:02d}" for k in range(1, 13)]
    h = history[["employee_id", "month", "grade"]].assign(grade=history["grade"].fillna(""))
    acts = consequences.actions_over(h, months, policy)
    counts = _counts(acts["month"], acts["action"], months, list(ACTION.codes))
    counts = counts.rename_axis("month").reset_index()
    aw = acts[acts["action"].eq("award")].drop_duplicates("employee_id")
    awards = pd.DataFrame({"employee_id": aw["employee_id"].to_numpy(), "month": aw["month"].to_numpy(),
                           "months": [tuple((x, "A") for x in
                                            (add_months(m, -k) for k in range(int(n) - 1, -1, -1)))
                                      for m, n in zip(aw["month"], aw["run"])]}, columns=["employee_id", "month", "months"])
    return awards, counts


def build_pack(book: StoreBook, year: int, history: pd.DataFrame | None = None) -> YearPack:
    """The pack computed (nothing written). BookError: December not reported, the budget exceeded."""
    policy = book.policy
    problems: list = []
    hist = history if history is not None else (book.frame(S.HISTORY, problems) if book.has(S.HISTORY)
                                               else pd.DataFrame(columns=["month"]))
    roster = book.frame(S.ROSTER, problems)
    trail = T.read_trail(book, problems)
    raise_if(problems)
    hist = hist[hist["month"].ne("")]
    dec = f"{year}-12"
    if not hist["month"].eq(dec).any():
        raise_if([Problem(S.HISTORY, None, None, f"历史中没有 {dec} 的结果：年终资料在 {year} 年12月的月度报告之后生成")],
                 f"{year} 年尚未结束考核，未生成年终资料")
    annual = annual_table(hist, roster, year, policy)
    here = annual["status"].ne("left")
    pool = periods.raise_pool(annual.loc[here, "salary"].to_numpy(), policy)
    need = float(np.nansum(annual["amount"]))
    over = periods.over_budget(annual["amount"].to_numpy(), pool)
    if over > 0:
        rates = "/".join(f"{g} {r:.0%}" for g, r in zip(GRADES, policy.raise_matrix))
        raise BookError([Problem(S.SETTINGS, None, "值",
                                 f"按调薪矩阵（{rates}）{int(annual['raise'].sum())} 人每月共需增加 {need:,.2f} 元，"
                                 f"超出调薪预算 {pool:,.2f} 元/月 {over:,.2f} 元；请调整「年终调薪比例A/B/C/D/E」"
                                 f"或「调薪预算(占月工资总额)」「调薪预算(元/月)」")],
                        f"{year} 年终调薪超出预算，未生成年终资料（未写入任何内容）")
    awards, actions = award_runs(hist, year, policy)
    info = annual.set_index("employee_id")
    awards = awards.assign(name=awards["employee_id"].map(info["name"]).fillna(""),
                           department=awards["employee_id"].map(info["department"]).fillna(""))
    months = [f"{year}-{k:02d}" for k in range(1, 13)]
    y = hist[hist["month"].isin(months)]
    g = y[y["grade"].fillna("").ne("")]
    monthly = _counts(g["month"], g["grade"], months, list(GRADES))
    monthly = monthly.assign(n=monthly.sum(axis=1), mean=g.groupby("month")["total"].mean().reindex(months),
                             pay=y.groupby("month")["pay"].sum(min_count=1).reindex(months)).rename_axis("month").reset_index()
    d = annual.groupby("department", sort=False)
    cross = _counts(annual["department"], annual["grade"], None, list(GRADES))
    departments = pd.DataFrame({"n": d.size(), "mean": d["score"].mean()}).join(cross).rename_axis("department") \
        .reset_index().sort_values("mean", ascending=False, kind="stable")
    statuses = pd.DataFrame({"month": months, "status": [trail.status(m) for m in months]})
    reported = set(y["month"])
    missing = [m for m in months if m not in reported]
    open_ = [f"{m}（{APPROVAL.label(s)}）" for m, s in zip(statuses["month"], statuses["status"])
             if m in reported and s != APPROVAL.codes[-1]]
    warnings = ([f"未出月度报告的月份：{'、'.join(missing)}（年度得分按有成绩的月份平均）"] if missing else []) + \
        ([f"尚未经总经理批准的月份：{'、'.join(open_)}"] if open_ else [])
    bottom = None
    if policy.bottom_list:
        groups = annual["department"] if policy.eval_group == "department" else pd.Series("全店", index=annual.index)
        listed, rank = grading.bottom_ranks(annual["score"].to_numpy(dtype=float), groups.to_numpy(), policy.bottom_share)
        bottom = annual.assign(group=groups, rank=rank)[listed].sort_values(["group", "rank"], kind="stable")
    return YearPack(year, book.store, policy, annual, monthly, departments, actions, awards, statuses, pool, need,
                    bottom, warnings)


def pack_summary(pack: YearPack) -> str:
    a = pack.annual
    lines = [f"{pack.store} {pack.year} 年终资料：年度参评 {len(a)} 人，平均 {a['score'].mean():.2f} 分；"
             + " ".join(f"{g}{int((a['grade'] == g).sum())}" for g in GRADES),
             f"具备调薪资格 {int(a['raise'].sum())} 人，每月增加 {pack.need:,.2f} 元（预算 {pack.pool:,.2f} 元/月）；"
             f"优先考虑 {int((a['note'] == periods.PRIORITY).sum())} 人；优秀员工候选 {len(pack.awards)} 人"]
    lines += [f"提示：{w}" for w in pack.warnings]
    return "\n".join(lines)


def december_sheets(book: StoreBook, res: MonthResults) -> tuple[list, str]:
    """With December's 月度报告: the pack's two sheets (no letters), or a note why not — the
    month's own results are written either way."""
    if not res.month.endswith("-12"):
        return [], ""
    year = int(res.month[:4])
    try:
        pack = build_pack(book, year, res.history)
    except BookError as exc:
        return [], f"年终资料未生成：{exc.problems[0].message if exc.problems else exc.title}"
    return year_sheets(pack), f"年终资料：已生成 {S.raise_sheet(year)}、{S.year_summary_sheet(year)}；调薪通知书请运行 kpi4s year"


def year_end(source, year=None, out_dir=None, issue_date=None, pdf: bool = False, workers: int | None = None,
             write_book: bool = True) -> CycleRun:
    """`kpi4s year`: the pack's sheets into the workbook, a 调薪通知书 per raise, the index —
    the book locked from before it is read until it is written (addin.io.lock)."""
    with book_session(source, "年终"):
        return _year_end(source, year, out_dir, issue_date, pdf, workers, write_book)


def _year_end(source, year, out_dir, issue_date, pdf, workers, write_book) -> CycleRun:
    book = load_book(source)
    if year is None:
        if not book.month:
            raise_if([Problem(S.SETTINGS, None, S.MONTH_KEY, "未指定年度（--year 或设置表「考核月份」）")])
        year = int(book.month[:4])
    year = int(year)
    if not 1900 <= year <= 9998:
        raise_if([Problem("命令行", None, "--year", f"年度「{year}」无效")])
    issue = date_or_none(issue_date) if not is_blank(issue_date) else _date_setting(book, S.ISSUE_KEY, dt.date.today())
    if issue is None:
        raise_if([Problem("命令行", None, "--date", f"签发日期「{issue_date}」无法识别（应为 YYYY-MM-DD）")])
    effective = _date_setting(book, S.RAISE_DATE_KEY, dt.date(year + 1, 1, 1))
    pack = build_pack(book, year)
    ctxs = letter_contexts(pack, issue, effective)
    sheets = year_sheets(pack)
    run = CycleRun(month=str(year), sheets=sheets, results=pack)
    if write_book and book.path is not None:
        run.paths.append(write_book_sheets(book.path, sheets))
    folder = folder_for(out_dir, book, f"{year}年度", LETTERS_DIR)
    jobs, rows, seen = [], [], set()
    for c in ctxs:
        name = O.unique_name(f"{year}_{O.safe_name(c['employee_id'])}_{O.safe_name(c['name'])}_调薪通知书.docx", seen)
        jobs.append((raise_letter, str(folder / name), c))
        rows.append([year, c["employee_id"], c["name"], c["department"], c["score"], c["grade"], c["old_salary"],
                     c["rate"], c["amount"], c["new_salary"], c["effective_iso"], issue.isoformat(), name])
    written = O.run_jobs(jobs, workers)
    index = O.write_index(folder / f"{year}_索引.csv", INDEX, rows)
    run.folder = folder
    book_paths = list(run.paths)
    run.summary = pack_summary(pack) + (f"\n已写入工作簿：{S.raise_sheet(year)}、{S.year_summary_sheet(year)}" if book_paths else "")
    finish(run, written, index, f"已生成 {len(written)} 份调薪通知书（生效日期 {effective.isoformat()}）", pdf)
    run.paths = book_paths + run.paths
    return run
