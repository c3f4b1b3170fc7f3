"""Fuzzing the 17 worksheet functions through xlwings' own Office.js runtime.

Each call hands a function what Excel could: blanks, numbers from 5e-324 to 1e308, text that
is a number, a percentage, 600万, a vocabulary word in English or Chinese, a date, a formula,
a control character, an emoji — as single cells, rows, columns and matrices of any size,
optional arguments present or not — through ``xlwings.server.custom_functions_call``, the path
xlwings Lite takes. What comes back must be cells Excel can show: finite numbers, text, and
for bad input one of our own ``#TAG! message`` texts (udfs._cells.CELL_ERRORS).
"""
from __future__ import annotations

import asyncio
import math
import random
from dataclasses import dataclass, field

import xlwings as xw
import xlwings.server

import udfs
from udfs._cells import UNEXPECTED, is_our_error

NUMBERS = [0, 1, -1, 0.5, 2, 3, 7, 12, 13, 28, 31, 32, 59, 60, 61, 100, 105, 119.99, 120, 130, 130.0001, 131, -0.0,
           1e-300, 5e-324, 1e9, 1e9 + 1, 1e10, 1e15, 1e308, -1e308, 2026, 1899, 1900, 9998, 9999, 10000, 2958465,
           2958466, 45000.5, 46341.73, 0.3, 30, 60, 150, -5, 1.5, 2.2250738585072014e-308, 123456789.123]
TEXTS = ["", " ", "abc", "inf", "-inf", "nan", "NaN", "1e400", "-1e400", "Infinity", "30%", "600万", "1,500", "≥ 93%",
         "800元", "=1+1", "@SUM(A1)", "正向", "反向", "不低于", "不超过", "higher", "lower", "lower_linear", "min", "max",
         "创利部门", "职能部门", "部门经理", "行政部经理", "profit", "functional", "bands", "forced", "capped", "强制分布",
         "限额", "zh", "en", "中文", "A", "B", "C", "D", "E", "a", "Q", "优秀", "cn", "weekend", "法定节假日", "周末顺延",
         "equal", "days", "workdays", "last_year", "month", "quarter", "year", "季度", "2026-12-04 17:31",
         "2026-02-30", "9999-12-31", "1900-02-29", "2026-11-15", "2026/11/15", "2026年11月15日", "202611",
         "rework_rate", "回厂率", "csi", "target", "name_zh", "unit", "formula", "direction", "nope", "\x01",
         "_x0001_", "\ud800", "😀", "1001", "1001.0", "employee", "员工", "实际", "目标", "权重", "方向", "指标",
         "kpi", "actual", "weight", "5%,20%,60%,10%,5%", "TRUE", "#N/A", "#DIV/0!", "  C  ", "ｃ", "１２０"]
ATOMS = NUMBERS + TEXTS + [None, None, None, True, False]
PARAMS = {n: [p["name"] for p in f["parameters"]] for n, f in
          ((f["name"], f) for f in xlwings.server.custom_functions_meta(udfs)["functions"])}
TABLE_HEAD = [["员工", "指标", "实际", "目标", "权重", "方向"], ["employee", "kpi", "actual", "target", "weight", "direction"]]


def cell(rng: random.Random):
    return rng.choice(ATOMS)


def arg(rng: random.Random, name: str, func: str):
    """One argument as Office.js hands it over: a 2-D list (a cell is [[v]])."""
    if func == "SCORE_TABLE" and name == "table" and rng.random() < 0.7:
        rows = rng.randint(0, 8)
        head = [list(rng.choice(TABLE_HEAD))]
        if rng.random() < 0.2:
            head[0][rng.randrange(6)] = cell(rng)
        body = [[rng.choice(["T1", "T2", 1001, 1001.0, None, " t1 "]), rng.choice(["产值", "返修率", None]),
                 cell(rng), cell(rng), rng.choice([30, 40, 60, 0.5, "50%", cell(rng)]), cell(rng)] for _ in range(rows)]
        return head + body
    shape = rng.choice([(1, 1)] * 5 + [(1, 3), (3, 1), (2, 2), (4, 3), (1, 12), (6, 1), (3, 5)])
    if rng.random() < 0.05:
        shape = (rng.randint(1, 60), rng.randint(1, 8))
    return [[cell(rng) for _ in range(shape[1])] for _ in range(shape[0])]


def call(name: str, args: list, loop):
    data = {"func_name": name, "args": args, "version": xw.__version__, "client": "Office.js", "runtime": "1.4"}
    return loop.run_until_complete(xlwings.server.custom_functions_call(data, udfs))


@dataclass
class Tally:
    calls: int = 0
    raised: int = 0                                   # an exception out of the call, or our catch-all text
    nonfinite: int = 0                                # NaN or ±inf handed to Excel
    undocumented: set = field(default_factory=set)    # '#…' texts that are not ours
    errors: set = field(default_factory=set)          # every error text seen (distinct)
    examples: dict = field(default_factory=dict)      # kind → [(function, args, what went wrong)], a few each

    def note(self, kind, name, args, why):
        got = self.examples.setdefault(kind, [])
        if len(got) < 5:
            got.append((name, args, why))


def check(value, tally: Tally, name, args) -> None:
    if isinstance(value, list):
        for v in value:
            check(v, tally, name, args)
        return
    if isinstance(value, float) and not math.isfinite(value):
        tally.nonfinite += 1
        tally.note("nonfinite", name, args, f"non-finite {value}")
    elif isinstance(value, str) and value.startswith("#"):
        tally.errors.add(value)
        if UNEXPECTED in value:
            tally.raised += 1
            tally.note("raised", name, args, value)
        elif not is_our_error(value):
            tally.undocumented.add(value)
            tally.note("undocumented", name, args, value)


def fuzz(calls: int, seed: int = 9) -> Tally:
    """``calls`` random calls spread over the 17 functions."""
    rng = random.Random(seed)
    tally = Tally()
    names = sorted(PARAMS)
    loop = asyncio.new_event_loop()
    try:
        for k in range(calls):
            name = names[k % len(names)]
            params = PARAMS[name]
            args = [arg(rng, p, name) if i < 2 or rng.random() < 0.6 else None for i, p in enumerate(params)]
            tally.calls += 1
            try:
                out = call(name, args, loop)
            except Exception as exc:  # noqa: BLE001 - counted: nothing may reach Excel as an exception
                tally.raised += 1
                tally.note("raised", name, args, repr(exc))
                continue
            check(out, tally, name, args)
    finally:
        loop.close()
    return tally


__all__ = ["fuzz", "Tally", "PARAMS"]
