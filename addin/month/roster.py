"""Step 1 of the month end: who is in the month, and who is graded (SPEC §3.4)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from addin.io import schema as S
from addin.io.book import StoreBook
from addin.io.problems import problems_at
from udfs import pay
from udfs.parse import add_months, id_key
from udfs.policy import Policy


def read_roster(book: StoreBook, problems: list) -> pd.DataFrame:
    """员工名册 validated: ids present and unique (also ignoring case and spaces), names,
    departments, positions, categories and statuses filled, salaries plausible."""
    r = book.frame(S.ROSTER, problems)
    sheet = S.SHEETS[S.ROSTER]
    h = sheet.header
    has_id = r["employee_id"].ne("")
    k = pd.Series(id_key(r["employee_id"].to_numpy()), index=r.index)
    dup = has_id & k.duplicated(keep=False)
    problems += problems_at(r, dup, S.ROSTER, h("employee_id"), "员工编号重复（不区分大小写和空格）：{employee_id}")
    problems += problems_at(r, r["salary"] < 0, S.ROSTER, h("salary"), "月工资不能为负")
    problems += problems_at(r, r["salary"] > book.policy.max_salary, S.ROSTER, h("salary"),
                            f"月工资超过 {book.policy.max_salary:,.0f} 元，请检查（上限见设置「月工资上限(校验)」）")
    hired, left = r["hire_date"].to_numpy(), r["leave_date"].to_numpy()
    problems += problems_at(r, ~np.isnat(hired) & ~np.isnat(left) & (left < hired), S.ROSTER, h("leave_date"),
                            "离职日期早于入职日期")
    return r


def month_people(roster: pd.DataFrame, month: str, policy: Policy) -> pd.DataFrame:
    """The employees active in ``month`` (hired before the month ends, not gone before it
    starts), with eligibility: probation and wages below the minimum are exempt (never graded).

    Gone: a 离职日期 before the month's first day — so a leaver is still evaluated for every
    month worked, and re-running such a month keeps (recomputes) the leaver's results; status
    离职 without a 离职日期 counts as gone."""
    month_start = np.datetime64(month + "-01", "s")
    month_end = np.datetime64(add_months(month, 1) + "-01", "s")
    hired, left = roster["hire_date"].to_numpy(), roster["leave_date"].to_numpy()
    later = ~np.isnat(hired) & (hired >= month_end)
    gone = np.where(np.isnat(left), roster["status"].eq("left").to_numpy(), left < month_start)
    active = roster[~gone & roster["status"].notna() & roster["employee_id"].ne("")
                    & roster["category"].notna() & ~later]
    active = active.drop_duplicates("employee_id")
    eligible, reason = pay.eligibility(active["status"].to_numpy(), active["salary"].fillna(0).to_numpy(), policy)
    return active.assign(eligible=eligible, exempt_reason=reason).reset_index(drop=True)
