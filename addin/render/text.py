"""The short Chinese texts the doors print or show in a message box after a run."""
from __future__ import annotations

import numpy as np

from addin.month.results import MonthResults
from udfs.vocab import ACTION, GRADES, STORE_STATUS


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


def group_summary(res) -> str:
    """集团汇总 in a few lines (addin.group.GroupResults): stores, people, grades, pay, problems."""
    t = res.totals
    mean = f"{t['mean']:.2f}" if t.get("graded") else "—"
    counts = "、".join(f"{STORE_STATUS.label(k)} {len(res.having(k))}" for k in ("ok", "bad", "missing")
                       if res.having(k) or k == "ok")
    lines = [f"{res.settings.name} {res.month} 集团汇总：门店 {len(res.stores)} 个工作簿（{counts}）；"
             f"参评 {t.get('graded', 0)} 人，免考核 {t.get('exempt', 0)} 人，平均分 {mean}",
             "等级分布 " + " ".join(f"{g}{t.get(g, 0)}" for g in GRADES) +
             f"；超出指导比例门店 {t.get('stores_over', 0)} 家；绩效工资合计 {t.get('pay', 0.0):,.2f} 元",
             f"处理事项 {sum(int(t.get(f'act_{c}', 0)) for c in ACTION.codes)} 项；逾期评分 {int(t.get('late', 0))} 人次，"
             f"罚款 {float(t.get('fines', 0.0)):,.0f} 元"]
    bad = res.having("bad")
    if bad:
        lines.append("有错误、未汇总：" + "；".join(f"{s.store}（{s.file}，{len(s.problems)} 处）" for s in bad[:20])
                     + (f" 等 {len(bad)} 家" if len(bad) > 20 else ""))
    missing = res.having("missing")
    if missing:
        lines.append(f"缺少 {res.month} 数据：" + "、".join(s.store for s in missing[:30])
                     + (f" 等 {len(missing)} 家" if len(missing) > 30 else ""))
    if res.absent is not None and len(res.absent):
        lines.append("未提供工作簿（近期归档中有）：" + "、".join(res.absent["store"].head(30)))
    if res.unread:
        lines.append(f"未读取的文件 {len(res.unread)} 个（见「问题清单」）")
    if res.grading is not None:
        changed = int((res.grading["people"]["change"] != 0).sum())
        lines.append(f"集团统一评定：{changed} 人的等级与门店评定不同（见「集团评定」）")
    same = sum(s.cached for s in res.stores)
    lines.append(f"归档：{res.archive}" + (f"（{same} 家门店的工作簿自上次汇总后未变，直接取自归档）" if same else ""))
    return "\n".join(lines)


def store_line(store) -> str:
    """One line per store read by the group report (addin.group.StoreMonth)."""
    if store.status == "ok":
        graded = int(store.people["eligible"].sum())
        note = f"；{store.notes[0]}" if store.notes else ""
        how = "工作簿未变，取自归档" if store.cached else f"{store.seconds:.2f} 秒"
        return f"✓ {store.store}（{store.file}）{store.month} 参评 {graded} 人，{how}{note}"
    if store.status == "missing":
        return f"– {store.store}（{store.file}）缺少 {store.month} 的数据"
    if store.status == "skipped":
        return f"· {store.file}：{'；'.join(store.notes)}"
    first = f"：{store.problems[0]}" if store.problems else ""
    return f"✗ {store.store}（{store.file}）{len(store.problems)} 处错误，未汇总{first}"
