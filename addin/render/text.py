"""The short Chinese texts the doors print or show in a message box after a run."""
from __future__ import annotations

import numpy as np

from addin.month.results import MonthResults
from udfs.vocab import GRADES


def month_summary(res: MonthResults) -> str:
    p, el = res.people, res.graded
    counts = el["grade"].value_counts()
    dist = " ".join(f"{g}{int(counts.get(g, 0))}" for g in GRADES)
    mean = f"{el['total'].mean():.2f}" if len(el) else "—"
    fines = np.nansum(res.scorers["fine"].to_numpy(dtype=float)) if len(res.scorers) else 0.0
    lines = [f"{res.store} {res.month} 月度报告：参评 {len(el)} 人，免考核 {int((~p['eligible']).sum())} 人，平均分 {mean}",
             f"等级分布 {dist}；绩效工资合计 {el['pay'].sum():,.2f} 元",
             f"处理事项 {len(res.actions)} 项；评分逾期罚款 {fines:,.0f} 元"]
    if res.periods:
        lines.append("期间汇总：" + "、".join(p.label for p in res.periods))
    if res.progress is not None and len(res.progress):
        behind = int(res.progress["status"].isin(["落后", "未达标"]).sum())
        lines.append(f"目标进度：{behind} 项落后或未达标（见月度报告）")
    if res.warnings:
        lines.append(f"提示 {len(res.warnings)} 条（见月度报告）")
    return "\n".join(lines)
