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
    if "source" in res.items and res.items["source"].astype(str).str.startswith("DMS").any():
        src = res.items.loc[res.items["kind"].eq("kpi"), "source"].astype(str)
        lines.append(f"KPI实际值：手工填写 {int(src.eq('手工').sum())} 项，取自DMS实绩 {int(src.str.startswith('DMS').sum())} 项")
    if res.periods:
        lines.append("期间汇总：" + "、".join(p.label for p in res.periods))
    if res.progress is not None and len(res.progress):
        behind = int(res.progress["status"].isin(["落后", "未达标"]).sum())
        lines.append(f"目标进度：{behind} 项落后或未达标（见月度报告）")
    if res.warnings:
        lines.append(f"提示 {len(res.warnings)} 条（见月度报告）")
    return "\n".join(lines)


def dms_summary(res) -> str:
    """导入DMS: what was read, computed and skipped (res: addin.dms.DmsResults)."""
    months = res.months[0] if len(res.months) == 1 else f"{res.months[0]}～{res.months[-1]}"
    lines = [f"{res.store} {months} 导入DMS：" + "，".join(f"{label} {n:,} 行（{name}）" for name, label, n in res.files)]
    f = res.figures[res.figures["month"].isin(res.months)]
    people = f.loc[f["level"].eq("person"), "employee_id"].nunique()
    lines.append(f"计算指标 {len(res.computed)} 个，员工 {people} 人；{len(f):,} 个实际值（员工/部门/门店）"
                 + ("；DMS实绩将覆盖手工填写的实际值" if res.override else "；月度实绩中手工填写的实际值优先"))
    if res.skipped:
        lines.append("未计算：" + "；".join(f"{res.definitions[k][0]}（{why}）" for k, why in res.skipped.items()))
    return "\n".join(lines)
