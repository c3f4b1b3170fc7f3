"""Benchmark the appraisal cycle (SPEC §9) on the dealer-group-sized workbook of bench_report.py.

    python bench/bench_cycle.py [--people 10000] [--dir /tmp/kpi4s-bench-cycle] [--skip-goals]

On one copy of the group workbook (10,000 people, a year of history, December to report), in
process, in the order HR runs them: 月度报告 for December (the year-end sheets come with it),
the three approval steps, the payroll hand-off, the year-end pack (sheets, one 调薪通知书 per
raise, the index) and next month's 目标设定表 for everyone. Prints each step's wall time.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import MONTH, write_group_book  # noqa: E402


def timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    print(f"  {label}: {time.perf_counter() - t:.2f} s")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--dir", default="/tmp/kpi4s-bench-cycle")
    ap.add_argument("--skip-goals", action="store_true", help="leave out the 目标设定表 (one sheet per person)")
    args = ap.parse_args(argv)
    from addin import macros
    from addin.cycle import approval, goals, payroll, year
    folder = Path(args.dir)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    book = folder / "group.xlsx"
    info = write_group_book(book, args.people)
    print(f"workbook: {info['people']:,} people, {info['history_rows']:,} history rows, {info['size_mb']:.1f} MB")
    run = timed("月度报告 2026-12 (with the year-end sheets)", lambda: macros.monthly_report(book, MONTH))
    print("    " + run.summary.splitlines()[-1])
    for who in ("部门经理", "人力资源部", "总经理"):
        timed(f"审批 ({who})", lambda: approval.approve(book, MONTH, by=who))
    pay = timed("工资接口 (.xlsx + .csv)", lambda: payroll.payroll(book, MONTH, out_dir=folder / "pay"))
    print("    " + pay.summary.splitlines()[0])
    pack = timed("年终资料 (sheets + 调薪通知书)", lambda: year.year_end(book, 2026, out_dir=folder / "letters",
                                                                 issue_date="2027-01-08"))
    print("    " + pack.summary.splitlines()[0])
    if not args.skip_goals:
        g = timed("目标设定表 2027-01", lambda: goals.goal_forms(book, "2027-01", out_dir=folder / "goals"))
        print("    " + g.summary.splitlines()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
