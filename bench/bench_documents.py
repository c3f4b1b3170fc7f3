"""Benchmark: appraisal forms, letters and plans for a 10,000-person dealer group (SPEC §6).

    python bench/bench_documents.py [--people 10000] [--out DIR] [--workers N] [--synthetic | --book BOOK]

Default: writes the group workbook of bench/bench_report.py (10,000 people in 200 stores, one
evaluation group per store department, a year of history so the D/E tracks produce letters),
runs the real chain load_book → compute_month once, then times the documents:
forms by department (one workbook per store department), forms by employee (one file each),
letters + plans; prints documents per second for each.
--synthetic skips the workbook and builds MonthResults directly (numpy, seeded; 6 large
departments, ~7% of people with a letter or plan) — useful to time big department books.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from addin import documents  # noqa: E402
from addin.month import MonthResults, compute_month  # noqa: E402
from addin.render.letters import LETTER_ACTIONS  # noqa: E402
from udfs.parse import add_months  # noqa: E402
from udfs.policy import Policy  # noqa: E402

DEPARTMENTS = ["服务部", "配件部", "客服部", "财务部", "行政部", "钣喷车间"]
POSITIONS = ["服务顾问", "机修工", "配件专员", "客服专员", "会计", "钣金工"]
ITEMS = [("财务指标", "产值完成率", "%", "higher"), ("客户/市场", "客户满意度", "%", "higher"),
         ("关键考核指标", "一次修复率", "%", "higher"), ("关键考核指标", "返修率", "%", "lower"),
         ("关键考核指标", "工时收入", "元", "higher"), ("学习/成长", "培训考核成绩", "分", "higher"),
         ("工作纪律", "考勤", "次", "lower"), ("工作纪律", "工作态度", "", "rated")]


def synthetic_results(n: int = 10_000, month: str = "2026-08", seed: int = 7) -> MonthResults:
    rng = np.random.default_rng(seed)
    ids = np.array([f"G{i:05d}" for i in range(1, n + 1)], dtype=object)
    dept_idx = rng.integers(0, len(DEPARTMENTS), n)
    store_no = np.arange(n) * 200 // n + 1
    grades = rng.choice(list("ABCDE"), n, p=[0.05, 0.20, 0.60, 0.10, 0.05])
    lo = {"A": 120, "B": 105, "C": 90, "D": 70.5, "E": 55}
    hi = {"A": 130, "B": 119.9, "C": 104.9, "D": 89.9, "E": 70}
    total = np.array([rng.uniform(lo[g], hi[g]) for g in grades]).round(2)
    exempt = rng.random(n) < 0.03
    people = pd.DataFrame({
        "employee_id": ids,
        "name": [f"员工{i}" for i in range(1, n + 1)],
        "department": np.array(DEPARTMENTS, dtype=object)[dept_idx],
        "position": np.array(POSITIONS, dtype=object)[dept_idx],
        "category": np.where(dept_idx < 2, "profit", "functional"),
        "manager": np.char.add("经理", (store_no % 50).astype(str)).astype(object),
        "next_manager": np.char.add("总监", (store_no % 20).astype(str)).astype(object),
        "salary": 5000.0, "status": "active", "hire_date": pd.Timestamp("2020-01-01"),
        "eligible": ~exempt,
        "exempt_reason": np.where(exempt, "试用期", ""),
        "items": 0, "items_score": total, "adjustment": 0.0, "veto": False,
        "total": np.where(exempt, np.nan, total),
        "band_grade": np.where(exempt, "", grades),
        "grade": np.where(exempt, "", grades),
        "group": np.char.add("门店", store_no.astype(str)).astype(object),
        "commission": np.nan, "base": 1500.0, "pay": 1500.0,
        "action": "", "actions": [()] * n, "a_run": 0, "d_run": 0, "e_run": 0, "warnings": [()] * n,
    })
    # items: 3–8 per person
    k = rng.integers(3, 9, n)
    emp = np.repeat(np.arange(n), k)
    seq = np.concatenate([np.arange(1, x + 1) for x in k])
    kind_idx = (seq - 1) % len(ITEMS)
    weight = 1.0 / np.repeat(k, k)
    ratio = np.clip(rng.normal(np.repeat(total, k) / 100, 0.12), 0.3, 1.3)
    target = np.where(np.isin(kind_idx, [4]), 30000.0, 0.95)
    actual = (target * ratio).round(4)
    items = pd.DataFrame({
        "employee_id": ids[emp], "seq": seq,
        "section": [ITEMS[i][0] for i in kind_idx], "item": [ITEMS[i][1] for i in kind_idx],
        "kpi_id": "", "kind": np.where(kind_idx == 7, "rated", "kpi"),
        "weight": weight, "target": target, "actual": actual,
        "unit": [ITEMS[i][2] for i in kind_idx], "direction": "higher",
        "rating_self": np.nan, "rating_manager": np.nan, "rating_peer": np.nan,
        "rating": np.where(kind_idx == 7, ratio, np.nan),
        "ratio": ratio, "score": (100 * weight * ratio).round(2), "shortfall": 1 - ratio,
    })
    # actions for D/E people (about one in three of them)
    de = np.flatnonzero(np.isin(grades, ["D", "E"]) & ~exempt)
    chosen = de[rng.random(len(de)) < 0.5]
    codes = np.where(grades[chosen] == "E", "manager_warning",
                     np.where(rng.random(len(chosen)) < 0.7, "improvement_plan", "hr_warning"))
    run = np.where(codes == "hr_warning", 4, 2)
    months = [tuple((add_months(month, -j), "E" if c == "manager_warning" else "D") for j in range(r - 1, -1, -1))
              for c, r in zip(codes, run)]
    actions = pd.DataFrame({
        "employee_id": ids[chosen], "name": people["name"].to_numpy()[chosen],
        "department": people["department"].to_numpy()[chosen], "manager": people["manager"].to_numpy()[chosen],
        "action": codes, "run": run, "months": months, "headline": True,
    })
    history = pd.DataFrame({"month": month, "employee_id": ids, "name": people["name"],
                            "department": people["department"], "total": people["total"],
                            "grade": people["grade"], "pay": 1500.0})
    return MonthResults(store="某汽车集团", month=month, policy=Policy(), people=people, items=items,
                        adjustments=pd.DataFrame(columns=["employee_id", "points", "reason", "veto"]),
                        history=history, actions=actions,
                        scorers=pd.DataFrame(columns=["scorer", "role", "due", "submitted", "days_late", "fine"]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--out")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--book", help="an existing store/group workbook to run the chain on")
    ap.add_argument("--synthetic", action="store_true", help="synthetic MonthResults instead of a workbook")
    ap.add_argument("--skip-employee", action="store_true", help="skip the one-file-per-employee run")
    a = ap.parse_args(argv)
    out = Path(a.out or tempfile.mkdtemp(prefix="kpi4s-bench-docs-"))
    out.mkdir(parents=True, exist_ok=True)
    book = a.book
    if not a.synthetic and not book:
        from bench_report import write_group_book
        book = out / "group.xlsx"
        info = write_group_book(book, people=a.people)
        print(f"group workbook: {info['people']:,} people, {info['kpi_rows']:,} KPI rows, "
              f"{info['history_rows']:,} history rows ({info['write_s']:.1f} s)")
    t0 = time.perf_counter()
    if book:
        res = compute_month(book)
    else:
        res = synthetic_results(a.people)
    t_res = time.perf_counter() - t0
    graded = int((res.people["grade"] != "").sum())
    n_depts = res.people.loc[res.people["grade"] != "", "department"].nunique()
    print(f"results: {len(res.people):,} people in {n_depts:,} departments, {graded:,} graded, {len(res.items):,} items, "
          f"{len(res.actions):,} actions ({t_res:.2f} s)")

    def timed(label, fn, count):
        t = time.perf_counter()
        files = fn().paths
        s = time.perf_counter() - t
        print(f"{label:<34} {count:>6,} documents in {len(files):>6,} files  {s:7.2f} s  {count / s:7.0f} documents/s")
        return files

    timed("forms --by department", lambda: documents.appraisal_forms(
        res, out_dir=out / "forms-dept", workers=a.workers), graded)
    if not a.skip_employee:
        timed("forms --by employee", lambda: documents.appraisal_forms(
            res, out_dir=out / "forms-emp", by="employee", workers=a.workers), graded)
    n_letters = int(res.actions["action"].isin(LETTER_ACTIONS).sum())
    timed("letters + plans", lambda: documents.warning_letters(
        res, out_dir=out / "letters", issue_date="2026-09-05", workers=a.workers), n_letters)
    print(f"output: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
