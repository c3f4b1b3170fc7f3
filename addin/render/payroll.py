"""The payroll hand-off as data: the import table (header on row 1, one row per person, no
totals inside it so an import reads every row as a person) and the approval sheet beside it."""
from __future__ import annotations

import numpy as np
import pandas as pd

from udfs.vocab import APPROVAL, GRADE

from .sheet import Bulk, SheetSpec

PAYROLL_SHEET = "工资接口"
INFO_SHEET = "审批信息"
# (line column, header, style)
COLUMNS = [
    ("month", "月份", "month"), ("employee_id", "员工编号", "text"), ("name", "姓名", "text"),
    ("department", "部门", "text"), ("position", "岗位", "text"), ("category", "考核类别", "text"),
    ("salary", "月工资", "money"), ("fixed", "基本工资", "money"), ("base", "绩效基数", "money"),
    ("total", "考核总分", "score"), ("grade", "考核等级", "grade"), ("pay", "绩效工资", "money"),
    ("gross", "应发工资", "money"), ("fine", "评分逾期罚款", "money"), ("deduction", "其他扣款", "money"),
    ("off", "扣款合计", "money"), ("net", "合计", "money"),
]
NUMERIC = {"salary", "fixed", "base", "total", "pay", "gross", "fine", "deduction", "off", "net"}


def _table(lines: pd.DataFrame) -> pd.DataFrame:
    t = lines.copy()
    t["gross"] = np.round(np.nan_to_num(t["fixed"].to_numpy(dtype=float)) + np.nan_to_num(t["pay"].to_numpy(dtype=float)), 2)
    t["off"] = np.round(t["fine"].to_numpy(dtype=float) + t["deduction"].to_numpy(dtype=float), 2)
    return t


def payroll_columns(lines: pd.DataFrame) -> tuple[list[str], list[list]]:
    """(header, rows) of the CSV: money as plain numbers with two decimals, blanks empty."""
    t = _table(lines)
    header = [h for _, h, _ in COLUMNS]
    cols = []
    for k, _, _ in COLUMNS:
        v = t[k].to_numpy()
        if k in NUMERIC:
            f = pd.to_numeric(pd.Series(v), errors="coerce").to_numpy(dtype=float)
            cols.append(np.where(np.isnan(f), "", np.char.mod("%.2f", np.nan_to_num(f))).tolist())
        else:
            cols.append(["" if x is None or (isinstance(x, float) and x != x) else str(x) for x in v])
    return header, [list(r) for r in zip(*cols)]


def payroll_specs(res, lines: pd.DataFrame, event: dict | None, warnings: list) -> list[SheetSpec]:
    t = _table(lines)
    sh = SheetSpec(PAYROLL_SHEET, landscape=True, fit=(1, 0))
    sh.row(0, [h for _, h, _ in COLUMNS], "head")
    sh.column_widths([9, 10, 9, 12, 12, 16, 11, 11, 11, 9, 8, 11, 11, 11, 10, 10, 12])
    sh.freeze = (1, 3)
    sh.autofilter = (0, 0, max(len(t), 1), len(COLUMNS) - 1)
    sh.repeat_rows = (0, 0)
    frame = pd.DataFrame({h: t[k].to_numpy() for k, h, _ in COLUMNS})
    sh.bulk = Bulk(1, frame, [s for _, _, s in COLUMNS], [k in NUMERIC for k, _, _ in COLUMNS])

    info = SheetSpec(INFO_SHEET, landscape=False, gridlines=False)
    info.column_widths([22, 60])
    info.put(0, 0, f"{res.store} {res.month} 工资接口", "title")
    info.put(1, 0, "绩效结果经审批后转核算工资（《员工绩效考核管理制度》❷7、5.9）；个税、社保等由工资系统计算", "sub")
    ev = event or {}
    rows = [("审批状态", APPROVAL.label("approved")), ("批准人", ev.get("by", "")), ("批准时间", ev.get("time", "")),
            ("登录用户", ev.get("login", "")), ("结果指纹", ev.get("fingerprint", "")), ("人数", len(t)),
            ("月工资合计(元)", float(np.nansum(t["salary"]))), ("基本工资合计(元)", float(np.nansum(t["fixed"]))),
            ("绩效工资合计(元)", float(np.nansum(t["pay"]))), ("应发工资合计(元)", float(np.nansum(t["gross"]))),
            ("评分逾期罚款合计(元)", float(np.nansum(t["fine"]))), ("其他扣款合计(元)", float(np.nansum(t["deduction"]))),
            ("合计(元)", float(np.nansum(t["net"])))]
    for i, (k, v) in enumerate(rows, 3):
        info.put(i, 0, k, "bold")
        info.put(i, 1, v, "money" if isinstance(v, float) else "text")
    r = 3 + len(rows) + 1
    info.put(r, 0, "口径", "section")
    notes = ["基本工资：" + ("月工资减绩效基数（绩效基数含在月工资内；创利部门的绩效基数为提成，基本工资即月工资）"
                          if res.policy.payroll_basis == "net" else "月工资全额（绩效工资另计）"),
             "绩效工资 = 绩效基数 × 总分 ÷ 100（按得分）或 × 等级系数；免考核人员只发月工资",
             "应发工资 = 基本工资 + 绩效工资；扣款合计 = 评分逾期罚款 + 其他扣款（工资扣款表）；合计 = 应发工资 − 扣款合计",
             "等级：" + "、".join(f"{g} {GRADE.label(g)}" for g in GRADE.codes)]
    for k, n in enumerate(notes, r + 1):
        info.put(k, 0, n, "note")
    if warnings:
        r = r + len(notes) + 2
        info.put(r, 0, "提示", "section")
        for k, w in enumerate(warnings, r + 1):
            info.put(k, 0, w, "warn")
    return [sh, info]
