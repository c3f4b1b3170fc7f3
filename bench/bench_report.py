"""Benchmark `kpi4s report` on a dealer-group-sized store workbook.

    python bench/bench_report.py [--people 10000] [--runs 5] [--dir /tmp/kpi4s-bench]

Writes a workbook with 10,000 people (200 stores' worth, one evaluation group per
department), 60,000 KPI rows for the month (6 KPI items each) plus 10,000 rated items, a
year of history (11 earlier months, 110,000 rows), commissions and scorer submissions; then
runs the real command line `kpi4s report BOOK --month 2026-12` (a year-end month: quarter
and year sheets too) several times on a fresh copy, on two cores when `taskset` exists, and
prints the median wall time, the peak memory (max RSS of the child) and where the time goes
(the stage timings an in-process run carries on its result). Goal (issue 8): first run and
re-run ≤ 3 s end to end, peak memory ≤ 600 MiB, the compute stage ≤ 0.3 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MONTH = "2026-12"
POSITIONS = {   # position: (department, category, salary)
    "服务顾问": ("服务顾问组", "创利部门", 5500), "机修技师": ("机修车间", "创利部门", 5200),
    "钣喷技师": ("钣喷车间", "创利部门", 5300), "配件专员": ("配件部", "职能部门", 4500),
    "客服专员": ("客服部", "职能部门", 4200),
}
ITEMS = [("产值", 30, "正向"), ("单车产值", 15, "正向"), ("客户满意度", 15, "正向"),
         ("返修率", 10, "反向"), ("一次修复率", 10, "正向"), ("保养成功率", 10, "正向")]
RATED = ("工作纪律", 10)


def write_group_book(path: Path, people: int = 10_000, seed: int = 7) -> dict:
    import xlsxwriter
    from addin.io import schema as bk
    from udfs.policy import FIELDS, LABELS, Policy, setting_text
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet(bk.SETTINGS)
    rows = [("项目", "值", "说明"), (bk.STORE_KEY, "集团（200店）", ""), (bk.MONTH_KEY, MONTH, ""),
            (LABELS["eval_group"], "按部门", "")]
    for name in FIELDS:
        if name != "eval_group":
            rows.append((LABELS[name], setting_text(name, getattr(Policy(), name)), ""))
    for i, r in enumerate(rows):
        ws.write_row(i, 0, r)
    pos_names = list(POSITIONS)
    ids = [f"G{100000 + i}" for i in range(people)]
    pos = rng.choice(pos_names, size=people)
    store = rng.integers(1, 201, size=people)
    ws = wb.add_worksheet(bk.ROSTER)
    ws.write_row(0, 0, bk.SHEETS[bk.ROSTER].headers)
    for i in range(people):
        dept, cat, sal = POSITIONS[pos[i]]
        ws.write_row(i + 1, 0, [ids[i], f"员工{i}", f"{store[i]:03d}店{dept}", pos[i], cat, f"经理{store[i]}", "总经理",
                                sal, "正式", "2020-01-01"])
    ws = wb.add_worksheet(bk.SCORECARDS)
    ws.write_row(0, 0, bk.SHEETS[bk.SCORECARDS].headers)
    r = 1
    for p in pos_names:
        for k, (item, w, d) in enumerate(ITEMS):
            ws.write_row(r, 0, [p, "", k + 1, "关键考核指标", item, "", "KPI", w / 100, 100 if d == "正向" else 2, d, "", ""])
            r += 1
        ws.write_row(r, 0, [p, "", 7, "工作纪律", RATED[0], "", "评分", RATED[1] / 100, "", "", "", ""])
        r += 1
    ws = wb.add_worksheet(bk.ACTUALS)
    ws.write_row(0, 0, bk.SHEETS[bk.ACTUALS].headers)
    level = rng.normal(1.0, 0.12, size=people).clip(0.5, 1.3)
    r = 1
    for i in range(people):
        for item, w, d in ITEMS:
            ratio = float(np.clip(level[i] * rng.uniform(0.95, 1.05), 0.3, 1.4))
            ws.write_row(r, 0, [MONTH, ids[i], "", item, round(100 * ratio, 2) if d == "正向" else round(2 / ratio, 3)])
            r += 1
    n_actuals = r - 1
    ws = wb.add_worksheet(bk.RATINGS)
    ws.write_row(0, 0, bk.SHEETS[bk.RATINGS].headers)
    for i in range(people):
        ws.write_row(i + 1, 0, [MONTH, ids[i], "", RATED[0], None, round(float(level[i]), 2), None])
    ws = wb.add_worksheet(bk.ADJUSTMENTS)
    ws.write_row(0, 0, bk.SHEETS[bk.ADJUSTMENTS].headers)
    for k, i in enumerate(rng.choice(people, size=300, replace=False)):
        ws.write_row(k + 1, 0, [MONTH, ids[i], "", -2, "否", "迟到"])
    ws = wb.add_worksheet(bk.COMMISSION)
    ws.write_row(0, 0, bk.SHEETS[bk.COMMISSION].headers)
    r = 1
    for i in range(people):
        if POSITIONS[pos[i]][1] == "创利部门":
            ws.write_row(r, 0, [MONTH, ids[i], "", round(float(rng.uniform(5000, 9000)), 2)])
            r += 1
    ws = wb.add_worksheet(bk.SUBMISSIONS)
    ws.write_row(0, 0, bk.SHEETS[bk.SUBMISSIONS].headers)
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for k in range(200):
        ws.write_row(k + 1, 0, [MONTH, f"经理{k + 1}", "各部门经理"])
        ws.write_datetime(k + 1, 3, dt.datetime(2027, 1, 4 + (k % 4 == 0), 10, 0), dfmt)
    ws = wb.add_worksheet(bk.HISTORY)
    ws.write_row(0, 0, bk.SHEETS[bk.HISTORY].headers)
    r = 1
    grades = np.array(list("ABCDE"))
    for m in range(1, 12):
        month = f"2026-{m:02d}"
        tot = (level * 100 + rng.normal(0, 5, size=people)).clip(40, 130).round(1)
        g = grades[np.select([tot >= 120, tot >= 105, tot >= 90, tot > 70], [0, 1, 2, 3], 4)]
        for i in range(people):
            ws.write_row(r, 0, [month, ids[i], f"员工{i}", POSITIONS[pos[i]][0], float(tot[i]), g[i], 1000.0])
            r += 1
    wb.close()
    return {"people": people, "kpi_rows": n_actuals, "rated_rows": people, "history_rows": r - 1,
            "write_s": time.perf_counter() - t0, "size_mb": path.stat().st_size / 1e6}


def run_cli(book: Path, cores: str | None) -> tuple[float, float]:
    cmd = [sys.executable, "-m", "addin.cli", "report", str(book), "--month", MONTH, "--quiet"]
    if cores and shutil.which("taskset"):
        cmd = ["taskset", "-c", cores] + cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=str(ROOT), env=dict(os.environ, PYTHONPATH=str(ROOT)))
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss     # KiB, max over children so far
    return wall, max(peak, before) / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dir", default="/tmp/kpi4s-bench")
    ap.add_argument("--cores", default="0,1", help="taskset core list ('' = no pinning)")
    args = ap.parse_args(argv)
    d = Path(args.dir)
    d.mkdir(parents=True, exist_ok=True)
    src = d / "group.xlsx"
    info = write_group_book(src, args.people)
    print(f"workbook: {info['people']:,} people, {info['kpi_rows']:,} KPI rows + {info['rated_rows']:,} rated, "
          f"{info['history_rows']:,} history rows, {info['size_mb']:.1f} MB (written in {info['write_s']:.1f} s)")
    walls, peaks = [], []
    for k in range(args.runs):
        book = d / f"run{k}.xlsx"
        shutil.copy(src, book)
        wall, peak = run_cli(book, args.cores or None)
        walls.append(wall)
        peaks.append(peak)
        print(f"  run {k + 1}: {wall:.2f} s")
    print(f"kpi4s report (CLI, end to end, cores {args.cores or 'all'}): median {statistics.median(walls):.2f} s "
          f"(min {min(walls):.2f}, max {max(walls):.2f}); peak RSS {max(peaks):.0f} MiB")
    # where the time goes: in-process runs (first run, then a re-run on the reported book)
    from addin import macros
    book = d / "profile.xlsx"
    shutil.copy(src, book)
    for label in ("first run", "re-run"):
        t = time.perf_counter()
        run = macros.monthly_report(book, month=MONTH)
        total = time.perf_counter() - t
        print(f"in-process monthly_report, {label}: {total:.2f} s —",
              ", ".join(f"{k} {v:.2f} s" for k, v in run.timings))
    again = [run_cli(book, args.cores or None)[0] for _ in range(args.runs)]
    print(f"re-running the month on that (already reported) workbook: median {statistics.median(again):.2f} s "
          f"(min {min(again):.2f}, max {max(again):.2f})")
    walls_imp = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import addin.cli, addin.macros, xlsxwriter"],
                       check=True, cwd=str(ROOT), env=dict(os.environ, PYTHONPATH=str(ROOT)))
        walls_imp.append(time.perf_counter() - t)
    print(f"interpreter start + imports: {statistics.median(walls_imp):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
