"""审批记录 and 审批快照: where a month's approval status and its audit trail live.

Both are sheets of the store workbook that only the macros write (like 历史): the status must
survive every re-run of the month and travel with the book, and the trail must be something
the approvers cannot quietly rewrite — so they do not type into it; they press 审批 (or run
`kpi4s approve`), which appends a row. Each row carries a check code chained to the row
before it (sha-256 of the previous code and the row's cells), so an edited, deleted or
reordered row is found the next time the trail is read, and nothing is approved or paid
from a trail that was tampered with.

* 审批记录: one row per event — 审批通过 (the status moves one step), 退回, 覆盖重算 — and, under
  an override, one 变更 row per result it changed (employee, item, old value, new value).
  A month's status is the status of its last event; a month without events is 草稿.
* 审批快照: the payroll lines of each month as of its last approval step; its fingerprint is
  the one on that step's row. An override diffs against it; the payroll hand-off checks it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.io import schema as S
from addin.io.book import StoreBook
from addin.io.problems import Problem
from addin.io.text import clean_text
from addin.render.sheet import Bulk, SheetSpec
from udfs.vocab import APPROVAL, TRAIL_EVENT

COLUMNS = [c.key for c in S.SHEETS[S.TRAIL].columns]
SNAP_COLUMNS = [c.key for c in S.SHEETS[S.SNAPSHOT].columns]
MONEY_COLUMNS = ("salary", "fixed", "base", "pay", "fine", "deduction", "net")
SEP = "\x1f"
TAMPERED = "与上一行的校验码不符：审批记录被手工修改、删除或调换了行，已不可信；请从备份恢复本表（或请管理员核实后重建）"


def check_code(previous: str, cells: list[str]) -> str:
    return hashlib.sha256((previous + SEP + SEP.join(cells)).encode("utf-8")).hexdigest()[:16]


def _cells(row: dict) -> list[str]:
    return [clean_text(str(row.get(k) or "")).strip() for k in COLUMNS[:-1]]


@dataclass
class Trail:
    rows: pd.DataFrame                 # COLUMNS (text), in sheet order

    def month_events(self, month: str) -> pd.DataFrame:
        r = self.rows
        return r[r["month"].eq(month) & r["event"].ne(TRAIL_EVENT.label("change"))]

    def status(self, month: str) -> str:
        """The month's approval status code (草稿 when it has no events)."""
        ev = self.month_events(month)
        if ev.empty:
            return APPROVAL.codes[0]
        return APPROVAL.get(ev["status"].iloc[-1]) or APPROVAL.codes[0]

    def fingerprint(self, month: str) -> str:
        ev = self.month_events(month)
        return "" if ev.empty else str(ev["fingerprint"].iloc[-1])

    def last(self, month: str) -> dict | None:
        ev = self.month_events(month)
        return None if ev.empty else ev.iloc[-1].to_dict()

    def append(self, events: list[dict]) -> "Trail":
        """The trail with these rows added, each with its chained check code."""
        prev = str(self.rows["check"].iloc[-1]) if len(self.rows) else ""
        new = []
        for e in events:
            cells = _cells(e)
            prev = check_code(prev, cells)
            new.append(dict(zip(COLUMNS, cells + [prev])))
        rows = pd.concat([self.rows, pd.DataFrame(new, columns=COLUMNS)], ignore_index=True) if len(self.rows) \
            else pd.DataFrame(new, columns=COLUMNS)
        return Trail(rows)


def read_trail(book: StoreBook, problems: list) -> Trail:
    """审批记录 read back and its chain verified; the first broken link is a problem."""
    if not book.has(S.TRAIL):
        if book.has(S.SNAPSHOT) and len(book.table(S.SNAPSHOT)):
            problems.append(Problem(S.TRAIL, None, None, f"缺少此表，而{S.SNAPSHOT}中有已审批的结果：审批记录被删除，"
                                                          "已不可信；请从备份恢复本表"))
        return Trail(pd.DataFrame(columns=COLUMNS))
    f = book.frame(S.TRAIL, problems)
    rows = f[COLUMNS].astype(str)
    prev = ""
    for i, rec in enumerate(rows.to_dict("records")):
        code = check_code(prev, _cells(rec))
        if code != rec["check"]:
            problems.append(Problem(S.TRAIL, int(f["_row"].iloc[i]), S.SHEETS[S.TRAIL].header("check"), TAMPERED))
            break
        prev = code
    return Trail(rows.reset_index(drop=True))


def read_snapshot(book: StoreBook, problems: list) -> pd.DataFrame:
    """审批快照 (SNAP_COLUMNS, numbers as floats)."""
    if not book.has(S.SNAPSHOT):
        return pd.DataFrame(columns=SNAP_COLUMNS)
    return book.frame(S.SNAPSHOT, problems)[SNAP_COLUMNS]


def fingerprint(lines: pd.DataFrame) -> str:
    """The fingerprint of a month's payroll lines: what an approval approves. Money to the fen,
    the score at two decimals, the grade; names and departments do not count."""
    if lines.empty:
        return hashlib.sha256(b"").hexdigest()[:16]
    o = lines.sort_values("employee_id", kind="stable")
    parts = [o["employee_id"].astype(str).to_numpy(), o["grade"].fillna("").astype(str).to_numpy()]
    for k in ("total",) + MONEY_COLUMNS:
        v = pd.to_numeric(o[k], errors="coerce").to_numpy(dtype=float)
        parts.append(np.where(np.isnan(v), "", np.char.mod("%.2f", np.nan_to_num(v))))
    text = "\n".join(SEP.join(row) for row in zip(*parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def replace_month(snapshot: pd.DataFrame, month: str, lines: pd.DataFrame) -> pd.DataFrame:
    keep = snapshot[snapshot["month"].ne(month)]
    new = lines.reindex(columns=SNAP_COLUMNS)
    out = pd.concat([keep, new], ignore_index=True) if len(keep) else new
    return out.sort_values(["month", "employee_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- sheets
def trail_sheet(trail: Trail) -> SheetSpec:
    sheet = S.SHEETS[S.TRAIL]
    sh = SheetSpec(S.TRAIL, fit=(1, 0), landscape=True)
    sh.put(0, 0, f"{S.TRAIL} — {sheet.note}", "sub")
    sh.row(1, sheet.headers, "head")
    sh.column_widths([c.width for c in sheet.columns])
    sh.freeze = (2, 0)
    sh.repeat_rows = (1, 1)
    n = len(trail.rows)
    sh.autofilter = (1, 0, max(n, 1) + 1, len(COLUMNS) - 1)
    frame = pd.DataFrame({c.header: trail.rows[c.key].to_numpy(dtype=object) for c in sheet.columns})
    styles = ["month", "text", "bold", "text", "text", "muted", "wrap", "text", "text", "text", "text", "text",
              "muted", "muted"]
    sh.bulk = Bulk(2, frame, styles, [False] * len(COLUMNS))
    if n:
        sh.conditional.append((2, 2, n + 1, 2, {"type": "text", "criteria": "containing", "value": "覆盖",
                                                "format": "alarm"}))
    return sh


def snapshot_sheet(snapshot: pd.DataFrame) -> SheetSpec:
    sheet = S.SHEETS[S.SNAPSHOT]
    sh = SheetSpec(S.SNAPSHOT, fit=(1, 0), landscape=True)
    sh.put(0, 0, f"{S.SNAPSHOT} — {sheet.note}", "sub")
    sh.row(1, sheet.headers, "head")
    sh.column_widths([c.width for c in sheet.columns])
    sh.freeze = (2, 3)
    sh.repeat_rows = (1, 1)
    sh.autofilter = (1, 0, max(len(snapshot), 1) + 1, len(sheet.columns) - 1)
    frame = pd.DataFrame({c.header: snapshot[c.key].to_numpy() for c in sheet.columns})
    styles = ["month", "text", "text", "text", "text", "text", "money", "money", "money", "score", "grade", "money",
              "money", "money", "money"]
    sh.bulk = Bulk(2, frame, styles, [s in ("money", "score") for s in styles])
    return sh
