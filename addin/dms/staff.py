"""Who is who: the names and accounts a DMS export uses, matched to 员工名册.

A DMS value matches, in this order: an employee's 「DMS账号」 (several may be listed, separated by
/), an employee id, an employee's name — compared without case, width or spaces. A name two
employees share is ambiguous unless their DMS账号 tell them apart.
"""
from __future__ import annotations

import pandas as pd

from udfs.vocab import key

from .mapping import SEPARATORS


def _k(v) -> str:
    return key(v).replace(" ", "")


def match(values: list, roster: pd.DataFrame) -> tuple[pd.DataFrame, list, list]:
    """DMS staff values → (staff table: dms, employee_id, name, department, category, position;
    unknown values; ambiguous values as (value, [employee ids]))."""
    by_account: dict = {}
    by_id: dict = {}
    by_name: dict = {}
    r = roster[roster["employee_id"].ne("")]
    for e, n, acc in zip(r["employee_id"], r["name"], r.get("dms_name", pd.Series("", index=r.index))):
        for w in SEPARATORS.split(acc or ""):
            if w.strip():
                by_account.setdefault(_k(w), set()).add(e)
        by_id.setdefault(_k(e), set()).add(e)
        if n:
            by_name.setdefault(_k(n), set()).add(e)
    rows, unknown, ambiguous = [], [], []
    for v in values:
        k = _k(v)
        hit = by_account.get(k) or by_id.get(k) or by_name.get(k)
        if not hit:
            unknown.append(v)
        elif len(hit) > 1:
            ambiguous.append((v, sorted(hit)))
        else:
            rows.append((v, next(iter(hit))))
    staff = pd.DataFrame(rows, columns=["dms", "employee_id"])
    info = r.drop_duplicates("employee_id").set_index("employee_id")
    for col in ("name", "department", "category", "position"):
        staff[col] = staff["employee_id"].map(info[col]).fillna("").astype(object) if len(staff) else \
            pd.Series(dtype=object)
    return staff, unknown, ambiguous
