"""员工申述 — the appeals register (SPEC §9, [000 §6]): `kpi4s appeals BOOK [--apply --by NAME]`.

The register is checked as the month end checks it (addin.month.cycle.read_appeals); each
appeal's state is read against 历史: an accepted appeal (改分) is in effect once 历史 holds its
changed score for that person and month, and waits for a re-run of that month until then.
:func:`pending` gives the months to re-run, oldest first (a month's grade feeds the runs of
the months after it); the re-run itself is the ordinary 月度报告, with an override when the
month is already in review (addin.macros.apply_appeals).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from addin.io import schema as S
from addin.io.book import StoreBook, load_book
from addin.io.problems import raise_if
from addin.month import cycle as CY
from addin.month.roster import read_roster
from udfs.parse import round_half_up
from udfs.vocab import APPEAL_DECISION

IN_EFFECT, WAITING = "已生效", "待重新计算"


def register(book: StoreBook) -> pd.DataFrame:
    """Every appeal with its state ('' for 待处理/维持原结果/撤回; 已生效 or 待重新计算 for 改分);
    BookError listing every problem of the register."""
    problems: list = []
    roster = read_roster(book, problems)
    history = book.frame(S.HISTORY, problems) if book.has(S.HISTORY) else pd.DataFrame(
        columns=["month", "employee_id", "grade", "total"])
    people = pd.DataFrame({"employee_id": pd.Series(dtype=object), "eligible": pd.Series(dtype=bool)})
    a = CY.read_appeals(book, history, roster, people, "", book.policy, problems)
    raise_if(problems)
    if a is None or a.empty:
        return pd.DataFrame(columns=[*(a.columns if a is not None else []), "state", "recorded"])
    h = history.drop_duplicates(["employee_id", "month"], keep="last").set_index(["employee_id", "month"])["total"]
    recorded = pd.to_numeric(h.reindex(pd.MultiIndex.from_arrays([a["employee_id"], a["month"]])), errors="coerce") \
        .to_numpy(dtype=float)
    want = round_half_up(a["changed"].to_numpy(dtype=float), book.policy.score_decimals)
    accepted = a["decision"].eq("accepted").to_numpy()
    done = np.isclose(recorded, want, atol=10 ** -book.policy.score_decimals / 2)
    state = np.where(accepted, np.where(done, IN_EFFECT, WAITING), "")
    return a.assign(state=state, recorded=recorded)


def pending(book: StoreBook) -> list[tuple[str, pd.DataFrame]]:
    """[(month, its accepted appeals not yet in 历史)], oldest month first."""
    r = register(book)
    w = r[r["state"].eq(WAITING)] if len(r) else r
    return [(m, w[w["month"].eq(m)]) for m in sorted(w["month"].unique())] if len(w) else []


def reason(rows: pd.DataFrame, decimals: int = 2) -> str:
    """The override reason of a re-run for appeals: which rows of 员工申述, who, what."""
    parts = [f"第{int(r.row)}行 {r.employee_id} {r.name} 改为 {r.changed:.{decimals}f} 分" for r in rows.itertuples(index=False)]
    return "员工申述改分（" + "；".join(parts) + "）"


def register_text(source) -> str:
    """The register for the door: counts by decision, then every appeal not closed and every 改分."""
    book = load_book(source, required=(S.SETTINGS, S.ROSTER))
    r = register(book)
    if r.empty:
        return f"{book.store}：员工申述表中没有申述"
    counts = r["decision"].value_counts()
    lines = [f"{book.store} 员工申述 {len(r)} 条：" + "，".join(f"{APPEAL_DECISION.label(c)} {int(counts.get(c, 0))}"
                                                            for c in APPEAL_DECISION.codes)]
    for x in r.itertuples(index=False):
        if x.decision == "pending" or x.decision == "accepted":
            what = APPEAL_DECISION.label(x.decision) + (f" → {x.changed:.2f} 分（{x.state}）" if x.decision == "accepted" else "")
            lines.append(f"  第{int(x.row)}行 {x.month} {x.employee_id} {x.name}：{what}；理由：{x.reason}")
    waiting = r["state"].eq(WAITING).sum()
    if waiting:
        lines.append(f"{int(waiting)} 条改分尚未生效：运行 kpi4s appeals 工作簿 --apply --by 姓名 重新计算相关月份")
    return "\n".join(lines)


def later_months(book: StoreBook, month: str) -> list[str]:
    """Reported months after ``month`` (their runs of consecutive grades may change)."""
    if not book.has(S.HISTORY):
        return []
    h = book.frame(S.HISTORY)
    return sorted(m for m in h["month"].unique() if m and m > month)
