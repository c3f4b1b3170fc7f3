"""The payroll hand-off (SPEC §9, [000 ❷7, 5.9]): `kpi4s payroll BOOK [--month]`.

"绩效结果经过审批后，转核算工资人员核算工资": the hand-off is written only for a month whose
status is 总经理批准, and only when the workbook still gives exactly the lines that were
approved (审批快照, its fingerprint on the approval's row of 审批记录). Per person: the monthly
wage, the basic wage (udfs.pay.fixed_pay), the performance base, score, grade and pay, the
late-scoring fines and other deductions, and the totals — as an .xlsx for people and a CSV
(UTF-8 with BOM, formula-looking cells neutralised) for the payroll system.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from addin.io import outputs as O
from addin.io import schema as S
from addin.io.book import load_book
from addin.io.problems import BookError, Problem
from addin.io.save import atomic_save
from addin.month import compute_month
from addin.month.results import MonthResults
from addin.ooxml import replace_sheets
from addin.render.payroll import payroll_columns, payroll_specs
from addin.render.sheet import to_xlsx
from udfs import pay
from udfs.vocab import APPROVAL, CATEGORY

from . import trail as T
from .runs import CycleRun, folder_for

PAYROLL_DIR = "工资接口"
INDEX = ["月份", "文件", "人数", "应发工资合计", "扣款合计", "合计", "审批状态", "批准人", "批准时间", "结果指纹"]


def lines(res: MonthResults) -> pd.DataFrame:
    """The month's payroll lines, one per person active in the month (exempt staff too: they are
    paid their wage), in roster order (SNAP_COLUMNS)."""
    p = res.people
    el = p["eligible"].to_numpy(dtype=bool)
    perf = np.where(el, p["pay"].to_numpy(dtype=float), np.nan)
    base = np.where(el, p["base"].to_numpy(dtype=float), np.nan)
    fixed = pay.fixed_pay(p["category"].to_numpy(), p["salary"].fillna(0).to_numpy(dtype=float), base, el, res.policy)
    fine = pd.to_numeric(p.get("fine"), errors="coerce") if "fine" in p else pd.Series(0.0, index=p.index)
    ded = pd.to_numeric(p.get("deduction"), errors="coerce") if "deduction" in p else pd.Series(0.0, index=p.index)
    fine, ded = fine.fillna(0.0).to_numpy(dtype=float), ded.fillna(0.0).to_numpy(dtype=float)
    _, _, net = pay.net_pay(fixed, perf, fine, ded)
    return pd.DataFrame({
        "month": res.month, "employee_id": p["employee_id"].to_numpy(), "name": p["name"].to_numpy(),
        "department": p["department"].to_numpy(), "position": p["position"].to_numpy(),
        "category": CATEGORY.labels_of(p["category"].to_numpy()), "salary": p["salary"].to_numpy(dtype=float),
        "fixed": fixed, "base": base, "total": np.where(el, p["total"].to_numpy(dtype=float), np.nan),
        "grade": np.where(el, p["grade"].fillna("").to_numpy(dtype=object), ""), "pay": perf,
        "fine": fine, "deduction": ded, "net": net,
    }, columns=T.SNAP_COLUMNS)


def differences(old: pd.DataFrame, new: pd.DataFrame, limit: int | None = None) -> list[dict]:
    """What changed between two sets of a month's lines: one dict per (employee, item) with
    employee_id, name, field (Chinese), old, new (text). People added or gone count too."""
    labels = {"total": "总分", "grade": "等级", "pay": "绩效工资", "fixed": "基本工资", "fine": "评分罚款",
              "deduction": "其他扣款", "net": "合计"}
    o = old.drop_duplicates("employee_id").set_index("employee_id")
    n = new.drop_duplicates("employee_id").set_index("employee_id")
    out = []
    for eid in n.index.difference(o.index, sort=False):
        out.append(dict(employee_id=eid, name=n.at[eid, "name"], field="人员", old="", new="新增"))
    for eid in o.index.difference(n.index, sort=False):
        out.append(dict(employee_id=eid, name=o.at[eid, "name"], field="人员", old="在册", new="移除"))
    both = n.index.intersection(o.index, sort=False)
    for k, label in labels.items():
        a = o.loc[both, k]
        b = n.loc[both, k]
        if k == "grade":
            a, b = a.fillna("").astype(str), b.fillna("").astype(str)
            changed = a.ne(b)
            fmt = str
        else:
            a, b = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
            changed = ~(((a - b).abs() < 0.005) | (a.isna() & b.isna()))
            fmt = (lambda v: "" if pd.isna(v) else f"{float(v):.2f}")
        for eid in changed[changed].index:
            out.append(dict(employee_id=eid, name=n.at[eid, "name"], field=label, old=fmt(a[eid]), new=fmt(b[eid])))
    order = {e: i for i, e in enumerate(new["employee_id"])}
    out.sort(key=lambda d: (order.get(d["employee_id"], len(order)), list(labels.values()).index(d["field"])
                            if d["field"] in labels.values() else -1))
    return out[:limit] if limit else out


def change_text(changes: list[dict]) -> list[str]:
    """One line per person: 'E01 甲：总分 95.00 → 98.00；等级 C → B'."""
    per: dict = {}
    for c in changes:
        per.setdefault((c["employee_id"], c["name"]), []).append(f"{c['field']} {c['old'] or '—'} → {c['new'] or '—'}")
    return [f"{e} {n}：" + "；".join(v) for (e, n), v in per.items()]


def check_approved(book, res: MonthResults, problems: list) -> tuple[T.Trail, pd.DataFrame, dict]:
    """(trail, the month's lines, the approving event) when the month may be paid; BookError else."""
    trail = T.read_trail(book, problems)
    snap = T.read_snapshot(book, problems)
    if problems:
        raise BookError(problems, "审批记录有误，不能生成工资接口")
    status = trail.status(res.month)
    if status != APPROVAL.codes[-1]:
        raise BookError([Problem(S.TRAIL, None, None,
                                 f"{res.month} 当前状态为「{APPROVAL.label(status)}」，须经 " + " → ".join(APPROVAL.choices)
                                 + " 后才能转核算工资（kpi4s approve）")], "该月尚未批准，未生成工资接口")
    now = lines(res)
    approved = snap[snap["month"].eq(res.month)]
    fp = trail.fingerprint(res.month)
    if T.fingerprint(approved) != fp:
        raise BookError([Problem(S.SNAPSHOT, None, None, f"{res.month} 的审批快照与审批记录的结果指纹不符（快照被修改）；"
                                 "请以覆盖重算重新计算该月并重新审批")], "审批快照有误，未生成工资接口")
    if T.fingerprint(now) != fp:
        diff = change_text(differences(approved, now))
        raise BookError([Problem(S.SNAPSHOT, None, None, d) for d in diff] or
                        [Problem(S.SNAPSHOT, None, None, "结果与批准时不同")],
                        f"{res.month} 批准后工作簿数据已变更（{len(diff)} 人结果不同），未生成工资接口；"
                        "如变更属实，请覆盖重算该月月度报告（kpi4s report --override）并重新审批")
    return trail, now, trail.last(res.month)


def write_file(path, specs) -> None:
    """A standalone workbook of these sheets, long tables streamed (the donor package the sheets
    are painted into, then the same transplant that writes them into a store workbook)."""
    donor, streams = to_xlsx(specs)
    scratch = path.with_name(f".{path.stem}.donor.xlsx")
    try:
        atomic_save(lambda tmp: Path(tmp).write_bytes(donor), scratch)
        replace_sheets(scratch, donor, [s.name for s in specs], dest=path, extra_rows=streams)
    finally:
        scratch.unlink(missing_ok=True)


def payroll(source, month=None, out_dir=None) -> CycleRun:
    """工资接口 of an approved month: <month>_工资接口.xlsx and .csv, then the index."""
    book = load_book(source, month)
    res = compute_month(book, month)
    trail, now, event = check_approved(book, res, [])
    run = CycleRun(month=res.month, results=res, folder=folder_for(out_dir, book, res.month, PAYROLL_DIR))
    header, rows = payroll_columns(now)
    xlsx = run.folder / f"{res.month}_工资接口.xlsx"
    csv_path = run.folder / f"{res.month}_工资接口.csv"
    write_file(xlsx, payroll_specs(res, now, event, res.payroll_warnings))
    O.write_index(csv_path, header, rows)
    gross = float(np.nansum(now["fixed"]) + np.nansum(now["pay"]))
    off = float(np.nansum(now["fine"]) + np.nansum(now["deduction"]))
    net = float(np.nansum(now["net"]))
    index = O.write_index(O.index_path(run.folder, res.month), INDEX, [
        [res.month, xlsx.name, len(now), f"{gross:.2f}", f"{off:.2f}", f"{net:.2f}", APPROVAL.label("approved"),
         event.get("by", ""), event.get("time", ""), event.get("fingerprint", "")],
        [res.month, csv_path.name, len(now), f"{gross:.2f}", f"{off:.2f}", f"{net:.2f}", APPROVAL.label("approved"),
         event.get("by", ""), event.get("time", ""), event.get("fingerprint", "")]])
    run.paths = [xlsx, csv_path, index]
    run.index = index
    O.prune(run.folder, res.month, {p.resolve() for p in run.paths})
    lines_ = [f"{book.store} {res.month} 工资接口：{len(now)} 人，应发工资 {gross:,.2f} 元，扣款 {off:,.2f} 元，合计 {net:,.2f} 元",
              f"批准：{event.get('by', '')} {event.get('time', '')}（结果指纹 {event.get('fingerprint', '')}）",
              f"已写入：{xlsx}", f"已写入：{csv_path}"]
    lines_ += [f"提示：{w}" for w in res.payroll_warnings]
    run.summary = "\n".join(lines_)
    return run
