"""Benchmark `kpi4s group` (SPEC §8): 200 store workbooks × 50 people with a year of history,
and the archive after three years.

    python bench/bench_group.py [--stores 200] [--runs 3] [--dir /tmp/kpi4s-bench-group] [--cores 0,1]

1. writes the store workbooks (bench/group_books.py; kept in --dir and reused by later runs);
2. `kpi4s group DIR --month 2026-12 --run` once: every store's 月度报告 written first (timed);
3. `kpi4s group DIR --month 2026-12 --full` --runs times on the reported books (every book
   read and validated again), then without --full (the books are unchanged since the last run,
   so their months come from the archive), pinned to two cores with taskset: wall time, CPU
   time of all processes and the peak memory of the whole process tree (the command and its
   worker processes, summed, sampled every 20 ms from /proc);
4. an archive with three years of a 200-store group (36 months × 10,000 people × 20 KPI rows =
   7.2 M item rows, 360,000 people rows), built with DuckDB's own generators, then the group's
   12-month trend (addin.group.Archive.trend) read from it --runs times.
Goals (issue 12): `kpi4s group` ≤ 10 s on 2 cores and ≤ 1 GiB; the trend ≤ 1 s.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MONTH = "2026-12"


def _write(args):
    from group_books import write_store
    folder, k, input_months = args
    return write_store(Path(folder) / f"store{k:03d}.xlsx", k, input_months=input_months)


def stores(folder: Path, count: int, input_months: int) -> float:
    marker = folder / f".ready-{count}-{input_months}"
    if marker.exists():
        return 0.0
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_write, [(str(folder), k, input_months) for k in range(1, count + 1)], chunksize=8))
    marker.write_text("ok")
    return time.perf_counter() - t


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def run_cli(args: list, cores: str | None) -> tuple[float, float, float]:
    cmd = [sys.executable, "-m", "addin.cli", "group", *map(str, args), "--quiet"]
    if cores and shutil.which("taskset"):
        cmd = ["taskset", "-c", cores] + cmd
    peak = [0]
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=str(ROOT), env=dict(os.environ, PYTHONPATH=str(ROOT)))
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.02)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    rc = proc.wait()
    wall = time.perf_counter() - t
    done.set()
    th.join()
    if rc != 0:
        raise SystemExit(f"kpi4s group failed ({rc})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak[0] / 2**20, cpu


def archive_3_years(path: Path, stores: int = 200, people: int = 50, items: int = 20, months: int = 36) -> dict:
    """A three-year archive built in SQL (the same tables addin.group.archive creates)."""
    from addin.group.archive import Archive
    from udfs.parse import add_months
    path.unlink(missing_ok=True)
    first = add_months(MONTH, 1 - months)
    t = time.perf_counter()
    with Archive("file", str(path)) as a:
        c = a.con
        c.execute("CREATE TEMP TABLE m AS SELECT i AS k, strftime(DATE '%s-01' + to_months(i), '%%Y-%%m') AS month "
                  "FROM range(%d) t(i)" % (first, months))
        for k in range(months):            # month by month, as the group writes it
            c.execute(f"""INSERT INTO people (store, month, employee_id, name, department, position, category,
                eligible, exempt_reason, items, total, band_grade, grade, base, pay, action, actions, source)
                SELECT 'S' || lpad(CAST(s AS VARCHAR), 3, '0'), (SELECT month FROM m WHERE k = {k}),
                       'E' || s || '-' || p, '员工', '部门' || (p % 8), '岗位', 'functional', true, '', {items},
                       80 + (hash(s, p, {k}) % 4500) / 100.0 AS total, '', '', 1500, 1500, '', '', 'month'
                FROM range({stores}) a(s), range({people}) b(p)""")
            c.execute("UPDATE people SET grade = CASE WHEN total >= 120 THEN 'A' WHEN total >= 105 THEN 'B' "
                      "WHEN total >= 90 THEN 'C' WHEN total > 70 THEN 'D' ELSE 'E' END, band_grade = grade "
                      f"WHERE month = (SELECT month FROM m WHERE k = {k})")
            c.execute(f"""INSERT INTO items (store, month, employee_id, seq, section, item, kpi_id, kind, weight,
                target, actual, unit, direction, rating, ratio, score)
                SELECT 'S' || lpad(CAST(s AS VARCHAR), 3, '0'), (SELECT month FROM m WHERE k = {k}),
                       'E' || s || '-' || p, i + 1, '关键考核指标', '指标' || i, 'kpi' || i, 'kpi', 0.05,
                       100, 70 + (hash(s, p, i, {k}) % 6000) / 100.0, '', 'higher', NULL,
                       least(1.3, (70 + (hash(s, p, i, {k}) % 6000) / 100.0) / 100), 5
                FROM range({stores}) a(s), range({people}) b(p), range({items}) c(i)""")
        n_items = c.execute("SELECT count(*) FROM items").fetchone()[0]
        n_people = c.execute("SELECT count(*) FROM people").fetchone()[0]
    return {"items": n_items, "people": n_people, "build_s": time.perf_counter() - t,
            "size_mb": path.stat().st_size / 1e6}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stores", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/kpi4s-bench-group")
    ap.add_argument("--cores", default="0,1", help="taskset core list ('' = no pinning)")
    ap.add_argument("--input-months", type=int, default=12,
                    help="months of figures the stores' input sheets hold (12: a year; 1: the month only)")
    ap.add_argument("--skip-archive", action="store_true")
    args = ap.parse_args(argv)
    d = Path(args.dir)
    d.mkdir(parents=True, exist_ok=True)
    folder = d / f"stores-{args.input_months}"
    took = stores(folder, args.stores, args.input_months)
    print(f"{args.stores} store workbooks × ~50 people, 12 months in 历史, {args.input_months} month(s) of figures in "
          f"the input sheets: {folder}" + (f" (written in {took:.1f} s)" if took else " (reused)"))
    out, archive = d / "group.xlsx", d / "archive.duckdb"
    for f in (out, archive):
        f.unlink(missing_ok=True)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    wall, peak, cpu = run_cli([folder, "--out", out, "--archive", archive, "--month", MONTH, "--run"],
                              args.cores or None)
    print(f"kpi4s group --run (every store's 月度报告 written first): {wall:.2f} s, CPU {cpu:.1f} s, "
          f"peak {peak:.0f} MiB (process tree)")
    for label, extra in (("every book read again (--full)", ["--full"]),
                         ("books unchanged since archived (taken from the archive)", [])):
        walls, peaks, cpus = [], [], []
        for k in range(args.runs):
            wall, peak, cpu = run_cli([folder, "--out", out, "--archive", archive, "--month", MONTH, *extra],
                                      args.cores or None)
            walls.append(wall)
            peaks.append(peak)
            cpus.append(cpu)
            print(f"  run {k + 1}: {wall:.2f} s, CPU {cpu:.1f} s, peak {peak:.0f} MiB, load {os.getloadavg()[0]:.2f}")
        print(f"kpi4s group, {label} (cores {args.cores or 'all'}): median {statistics.median(walls):.2f} s "
              f"(min {min(walls):.2f}, max {max(walls):.2f}); CPU median {statistics.median(cpus):.1f} s "
              f"(user+system, all processes); peak {max(peaks):.0f} MiB (process tree)")
    from addin import macros
    run = macros.group_report([folder], out=out, archive=str(archive), month=MONTH, full=True)
    print("in-process stages:", ", ".join(f"{k} {v:.2f} s" for k, v in run.timings))
    if args.skip_archive:
        return 0
    big = d / "archive-3y.duckdb"
    info = archive_3_years(big)
    print(f"archive after 3 years: {info['items']:,} KPI rows, {info['people']:,} people rows, "
          f"{info['size_mb']:.0f} MB (built in {info['build_s']:.1f} s)")
    from addin.group.archive import Archive
    times = []
    for _ in range(args.runs + 2):
        t = time.perf_counter()
        with Archive("file", str(big)) as a:
            tr = a.trend(MONTH)
        times.append(time.perf_counter() - t)
    print(f"12-month trend from it (open + query): median {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}); {len(tr['stores']):,} store-months, "
          f"{len(tr['kpis']):,} indicator-months")
    return 0


if __name__ == "__main__":
    sys.exit(main())
