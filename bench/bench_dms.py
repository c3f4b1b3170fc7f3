"""Benchmark the DMS import on a dealer group's year (issue 10).

    python bench/bench_dms.py [--orders 1000000] [--runs 3] [--dir /tmp/kpi4s-bench-dms]

Writes a year (2025) of a 200-store group's DMS exports — 1,000,000 repair orders (~110 MB of
UTF-8 CSV: order number, opened and closed to the minute, VIN, customer, advisor and technician by
name, job type, fault code, hours, labour, parts, store), one clocking row per job with the day's attendance, one parts line per repair order
plus the month-end stock snapshots — and a group workbook whose roster names the 6,000 advisors,
technicians and parts clerks. Then, each in a fresh process on two cores (taskset when it exists):

1. every RO-based KPI (repair orders, clocking, parts) for every person, department and the group,
   for each of the 12 months: ``addin.dms.compute(book, exports, "2025-01:2025-12", evidence=False)``;
2. one store's month, as `kpi4s dms` computes it: one store's exports, one month, with evidence.

Prints the median wall time of the compute (read, type, check, run the definitions), of the whole
process (imports included) and the peak memory (max RSS of the child). Goal: (1) ≤ 3 s end to end
on 2 cores and ≤ 1 GiB; (2) well under a second.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STORES, ADVISORS, TECHS, CUSTOMERS = 200, 10, 20, 1500
TYPES = np.array(["保养", "一般维修", "保险", "索赔", "钣喷", "内部"])
SHARE = [0.45, 0.25, 0.12, 0.08, 0.06, 0.04]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂建华文斌志鹏海波宇浩红梅晨晓雪琳丹辉鑫亮"


def _names(offset: int, n: int) -> np.ndarray:
    """n distinct Chinese names (2–3 characters, as a DMS shows staff), the offset-th onwards."""
    out = []
    for i in range(offset, offset + n):
        s, g = divmod(i, len(GIVEN) * len(GIVEN))
        a, b = divmod(g, len(GIVEN))
        out.append(SURNAMES[s % len(SURNAMES)] + GIVEN[a] + GIVEN[b])
    return np.array(out, dtype=object)


ADVISOR_NAMES = _names(0, STORES * ADVISORS)
TECH_NAMES = _names(STORES * ADVISORS, STORES * TECHS)


def write_exports(folder: Path, orders: int, seed: int = 10) -> dict:
    """The group's exports, and one store's, as CSV. Returns sizes."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    store = rng.integers(0, STORES, orders)
    opened = np.datetime64("2025-01-01T08:00") + np.sort(rng.integers(0, 365 * 24 * 60, orders)).astype("timedelta64[m]")
    opened = opened + ((opened.astype("datetime64[h]").astype(np.int64) % 24 < 8) * 10 * 60).astype("timedelta64[m]")
    kind = rng.choice(len(TYPES), size=orders, p=SHARE)
    dur = np.where(kind == 0, rng.integers(60, 240, orders), rng.integers(120, 4 * 24 * 60, orders))
    closed = opened + dur.astype("timedelta64[m]")
    cust = store * CUSTOMERS + rng.integers(0, CUSTOMERS, orders)
    adv = store * ADVISORS + rng.integers(0, ADVISORS, orders)
    tech = store * TECHS + rng.integers(0, TECHS, orders)
    hours = np.round(rng.uniform(0.5, 8, orders), 1)
    labour = np.round(hours * rng.uniform(150, 200, orders), 2)
    parts = np.round(rng.uniform(0, 3000, orders), 2)
    concern = rng.integers(0, 40, orders)
    ro = pd.DataFrame({
        "工单号": np.char.add("R", np.char.zfill(np.arange(1, orders + 1).astype(str), 7)),
        "开单时间": pd.Series(opened).dt.strftime("%Y-%m-%d %H:%M"),
        "结算时间": pd.Series(closed).dt.strftime("%Y-%m-%d %H:%M"),
        "VIN": np.char.add("LFV", np.char.zfill(cust.astype(str), 14)),
        "客户编号": np.char.add("C", cust.astype(str)),
        "服务顾问": ADVISOR_NAMES[adv], "主修技师": TECH_NAMES[tech],
        "维修类型": TYPES[kind], "故障代码": np.char.add("F", concern.astype(str)),
        "工时": hours, "工时费": labour, "材料费": parts, "门店": np.char.add("S", store.astype(str)),
    })
    started = pd.Series(opened + rng.integers(10, 60, orders).astype("timedelta64[m]"))
    clock = pd.DataFrame({"工单号": ro["工单号"], "技师": ro["主修技师"],
                          "开工时间": started.dt.strftime("%Y-%m-%d %H:%M"),
                          "作业工时": np.round(hours / rng.uniform(0.8, 1.2, orders), 2), "出勤工时": 8})
    kinds = np.where(rng.random(orders) < 0.93, "销售出库", np.where(rng.random(orders) < 0.5, "紧急订货", "缺货"))
    sold = pd.DataFrame({"日期": pd.Series(closed).dt.strftime("%Y-%m-%d %H:%M"), "配件编号": np.char.add("P", concern.astype(str)),
                         "数量": 1, "成本": np.round(parts * 0.7, 2), "类型": kinds, "期末库存成本": np.nan,
                         "门店": ro["门店"]})
    months = pd.date_range("2024-12-31 23:59", periods=13, freq="ME")
    snaps = pd.DataFrame({"日期": months.strftime("%Y-%m-%d 23:59").repeat(STORES), "配件编号": "", "数量": np.nan,
                          "成本": np.nan, "类型": "期末库存", "期末库存成本": 2_000_000.0,
                          "门店": np.tile(np.char.add("S", np.arange(STORES).astype(str)), 13)})
    parts_df = pd.concat([sold, snaps], ignore_index=True)
    group, one = folder / "group", folder / "store"
    group.mkdir(exist_ok=True)
    one.mkdir(exist_ok=True)
    ro.to_csv(group / "维修工单.csv", index=False)
    clock.to_csv(group / "派工工时.csv", index=False)
    parts_df.drop(columns="门店").to_csv(group / "配件出入库.csv", index=False)
    s0 = ro["门店"].eq("S0").to_numpy()
    ro[s0].to_csv(one / "维修工单.csv", index=False)
    clock[s0].to_csv(one / "派工工时.csv", index=False)
    parts_df[parts_df["门店"].eq("S0")].drop(columns="门店").to_csv(one / "配件出入库.csv", index=False)
    return {p.name: p.stat().st_size for p in group.iterdir()}


def write_book(path: Path, store: str = "") -> None:
    from addin.io import schema as S
    from workbook.build import fill_table, new_workbook
    wb = new_workbook(store=store, month="2025-12")
    rows = []
    for s in range(STORES):
        for k in range(ADVISORS):
            rows.append([f"A{s}-{k}", ADVISOR_NAMES[s * ADVISORS + k], f"服务顾问组{s}", "服务顾问", "创利部门", "", "",
                         5000, "正式", None])
        for k in range(TECHS):
            rows.append([f"T{s}-{k}", TECH_NAMES[s * TECHS + k], f"机修车间{s}", "机修技师", "创利部门", "", "", 5000,
                         "正式", None])
    fill_table(wb[S.ROSTER], rows)
    wb.save(path)


CHILD = """
import json, resource, sys, time

def hwm():
    # the peak resident memory of this process image (VmHWM; ru_maxrss would include the parent's)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024

t0 = time.perf_counter()
from addin import dms
t1 = time.perf_counter()
res = dms.compute(sys.argv[1], [sys.argv[2]], sys.argv[3], evidence=sys.argv[4] == "1", trend=False)
t2 = time.perf_counter()
cpu = resource.getrusage(resource.RUSAGE_SELF)
f = res.figures
print(json.dumps({"import": t1 - t0, "compute": t2 - t1, "stages": res.timings, "figures": len(f),
                  "people": int(f.loc[f["level"] == "person", "employee_id"].nunique()), "kpis": len(res.computed),
                  "rss": hwm(), "cpu": cpu.ru_utime + cpu.ru_stime}))
"""


def run_child(book: Path, exports: Path, months: str, evidence: bool) -> dict:
    cmd = [sys.executable, "-c", CHILD, str(book), str(exports), months, "1" if evidence else "0"]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0,1"] + cmd
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    got = json.loads(out.stdout.strip().splitlines()[-1])
    got["process"] = wall
    return got


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/kpi4s-bench-dms")
    args = ap.parse_args()
    folder = Path(args.dir)
    marker = folder / f"orders-{args.orders}-v2"
    if not marker.exists():
        t = time.perf_counter()
        shutil.rmtree(folder, ignore_errors=True)
        sizes = write_exports(folder, args.orders)
        write_book(folder / "group.xlsx")
        write_book(folder / "store.xlsx", store="S0")
        marker.write_text(json.dumps(sizes))
        print(f"data written in {time.perf_counter() - t:.1f} s: " +
              ", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in sizes.items()))
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores; the machine is shared)")
    for label, book, exports, months, evidence in (
            ("group year, every person × month", folder / "group.xlsx", folder / "group", "2025-01:2025-12", False),
            ("one store's month, with evidence", folder / "store.xlsx", folder / "store", "2025-06", True)):
        runs = [run_child(book, exports, months, evidence) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in ("compute", "process", "rss", "import", "cpu")}
        r = runs[0]
        stages = " · ".join(f"{k} {v:.2f}" for k, v in r["stages"])
        print(f"{label}: compute {med['compute']:.2f} s (median of {args.runs}; {stages}), process "
              f"{med['process']:.2f} s incl. imports {med['import']:.2f} s, CPU time {med['cpu']:.2f} s, "
              f"peak {med['rss']:.0f} MiB; "
              f"{r['kpis']} KPIs, {r['people']} people, {r['figures']:,} figures")


if __name__ == "__main__":
    main()
