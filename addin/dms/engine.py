"""Running the KPI definitions (the 指标库's DMS SQL, udfs.dms_sql) over the loaded exports.

Each definition is one SELECT giving a row per thing counted (month, person, num, den, evidence
columns). It runs once for every month asked for; GROUPING SETS sum it per employee, per
department and for the store in the same pass, so a distinct count is a distinct count at every
level. A definition another one reads (first_time_fix_rate reads kpi_rework_rate) is materialised
once; with evidence asked for, every definition is, and the month's rows are its evidence.

The user's SQL runs with file access switched off (it may only read the loaded tables), one
statement only, under a time limit; any error is a Problem on the 指标库 row of that KPI.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.io import schema as S
from addin.io.problems import Problem
from udfs import dms as D
from udfs.dms_sql import CUSTOMERS_VIEW, VIEWS, kpis_used, views_used
from udfs.vocab import DMS_EXPORT, KPI_FIELD

from .load import q

log = logging.getLogger(__name__)
TIME_LIMIT = 300.0          # seconds one definition may run
CONTRACT = ("month", "person", "num", "den")


def _view_sql(kind: str, columns: list, store_filter: str) -> str:
    cols = ", ".join(q(c) for c in columns)
    if kind == "clocking":
        cols = cols.replace(q("clocked_hours"), "coalesce(clocked_hours, date_diff('second', started, finished) / 3600.0) "
                                                "AS clocked_hours")
        cols = cols.replace(q("work_date"), "coalesce(work_date, CAST(started AS DATE)) AS work_date")
    where = "NOT _blank" + (f" AND {store_filter}" if kind == "ro" and store_filter else "")
    return f"SELECT {cols} FROM {kind}_t WHERE {where}"


def create_views(con, loaded_kinds: set, columns: dict, store_filter: str = "") -> None:
    """The documented views (udfs.dms_sql) over the typed tables of the exports given."""
    for kind in VIEWS:
        if kind == "customers" or kind not in loaded_kinds:
            continue
        con.execute(f"CREATE OR REPLACE VIEW {kind} AS {_view_sql(kind, columns[kind], store_filter)}")
    if "customers" in loaded_kinds:
        con.execute(f"CREATE OR REPLACE VIEW customers_export AS {_view_sql('customers', columns['customers'], '')}")
    else:
        con.execute("CREATE OR REPLACE VIEW customers_export AS SELECT NULL::VARCHAR AS customer, NULL::VARCHAR AS name, "
                    "NULL::DATE AS created, NULL::VARCHAR AS owner WHERE FALSE")
    if "ro" in loaded_kinds:
        con.execute(f"CREATE OR REPLACE VIEW customers AS {CUSTOMERS_VIEW}")
    elif "customers" in loaded_kinds:
        con.execute("CREATE OR REPLACE VIEW customers AS SELECT * FROM customers_export")


@dataclass
class Definition:
    kpi_id: str
    name: str
    unit: str
    sql: str
    row: int | None                       # its 指标库 row (for problems)
    views: set = field(default_factory=set)
    kpis: set = field(default_factory=set)


def definitions(library: pd.DataFrame, rows: dict) -> list[Definition]:
    """The KPIs of the library with a DMS definition, in an order where a KPI comes after those
    it reads (kpi_<id>)."""
    defs = {}
    for kid, r in library.iterrows():
        sql = str(r.get("sql") or "").strip()
        if sql:
            defs[kid] = Definition(kid, r["name_zh"], r["unit"], sql, rows.get(kid), views_used(sql), kpis_used(sql))
    order, seen = [], set()

    def visit(k, path=()):
        if k in seen or k not in defs:
            return
        if k in path:
            return
        for dep in sorted(defs[k].kpis):
            visit(dep, path + (k,))
        seen.add(k)
        order.append(defs[k])
    for k in defs:
        visit(k)
    return order


class Engine:
    def __init__(self, con, policy, months: list, problems: list):
        self.con, self.policy, self.months, self.problems = con, policy, list(months), problems
        self.made: set = set()                 # kpi_<id> tables materialised

    def guard(self):
        """A watchdog for one definition: interrupts DuckDB after TIME_LIMIT seconds."""
        timer = threading.Timer(TIME_LIMIT, self.con.interrupt)
        timer.daemon = True
        return timer

    def _problem(self, d: Definition, text: str) -> None:
        self.problems.append(Problem(S.KPI_LIB, d.row, KPI_FIELD.label("sql"), f"指标「{d.name}」的计算定义{text}"))

    def _statement_ok(self, d: Definition) -> bool:
        try:
            statements = self.con.extract_statements(d.sql)
        except Exception as exc:  # noqa: BLE001 - a parser error
            self._problem(d, f"有语法错误：{_first(exc)}")
            return False
        import duckdb
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            self._problem(d, "只能是一条 SELECT 查询（不能修改数据或读写文件）")
            return False
        return True

    def missing(self, d: Definition, loaded: set) -> set:
        need = set(d.views)
        if "customers" in need and "ro" in loaded:
            need.discard("customers")
        return {v for v in need if v not in loaded}

    def run(self, d: Definition, keep_rows: bool) -> pd.DataFrame | None:
        """The KPI's sums per (month, employee / department / store); None after a problem."""
        if not self._statement_ok(d):
            return None
        params = D.parameters(d.sql, self.months, self.policy)
        timer = self.guard()
        timer.start()
        try:
            return self._run(d, keep_rows, params)
        except Exception as exc:  # noqa: BLE001 - any DuckDB error in the user's query
            text = _first(exc)
            missing = [c for c in CONTRACT if f'"{c}"' in text] if "Binder" in text else []
            if "Interrupt" in text:
                self._problem(d, f"运行超过 {TIME_LIMIT:.0f} 秒，已停止")
            elif missing and ("not found" in text or "does not have a column" in text):
                self._problem(d, f"的结果缺少列 {'、'.join(missing)}（必须有 month、person、num、den）：{text}")
            else:
                self._problem(d, f"运行出错：{text}")
            return None
        finally:
            timer.cancel()

    def _run(self, d: Definition, keep_rows: bool, params: dict) -> pd.DataFrame:
        source, args = f"({d.sql})", params
        if keep_rows or d.kpi_id in self.needed_by_others:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {q('kpi_' + d.kpi_id)} AS {d.sql}", params)
            self.made.add(d.kpi_id)
            source, args = q("kpi_" + d.kpi_id), {}
        start, end = D.month_span(self.months)
        got = self.con.execute(f"""
WITH k AS (SELECT * FROM {source} AS k0),
s AS (SELECT CAST(k.month AS DATE) AS month, st.employee_id, st.department,
             CAST(k.num AS DOUBLE) AS num, CAST(k.den AS DOUBLE) AS den
      FROM k LEFT JOIN staff st ON st.dms = CAST(k.person AS VARCHAR))
SELECT strftime(month, '%Y-%m') AS month, employee_id, department,
       GROUPING(employee_id) AS ge, GROUPING(department) AS gd,
       sum(num) AS num, sum(den) AS den, count(den) AS n_den, count(*) AS n
FROM s WHERE month >= DATE '{start.isoformat()}' AND month < DATE '{end.isoformat()}'
GROUP BY GROUPING SETS ((month, employee_id, department), (month, department), (month))""", args).df()
        return _levels(got, d.kpi_id)

    def evidence(self, d: Definition, month: str) -> pd.DataFrame:
        """The KPI's rows of one month with the employee each is attributed to."""
        return self.con.execute(f"""
SELECT st.employee_id AS "员工编号", st.name AS "姓名", st.department AS "部门", CAST(k.person AS VARCHAR) AS "DMS人员",
       CAST(k.num AS DOUBLE) AS "分子", CAST(k.den AS DOUBLE) AS "分母", k.* EXCLUDE (month, person, num, den)
FROM {q('kpi_' + d.kpi_id)} AS k LEFT JOIN staff st ON st.dms = CAST(k.person AS VARCHAR)
WHERE strftime(CAST(k.month AS DATE), '%Y-%m') = '{month}'
ORDER BY ALL NULLS LAST""").df()


def _levels(got: pd.DataFrame, kpi_id: str) -> pd.DataFrame:
    ge, gd = got["ge"].to_numpy(), got["gd"].to_numpy()
    level = np.where(ge == 0, "person", np.where(gd == 0, "department", "store"))
    out = pd.DataFrame({"month": got["month"].to_numpy(dtype=object), "level": level,
                        "employee_id": got["employee_id"].to_numpy(dtype=object),
                        "department": got["department"].to_numpy(dtype=object), "kpi_id": kpi_id,
                        "num": got["num"].to_numpy(dtype=float), "den": got["den"].to_numpy(dtype=float),
                        "has_den": got["n_den"].to_numpy() > 0})
    keep = ((level == "person") & pd.notna(out["employee_id"]).to_numpy()) | \
           ((level == "department") & pd.notna(out["department"]).to_numpy() & (out["department"] != "").to_numpy()) | \
           (level == "store")
    out = out[keep].copy()
    out["den"] = np.where(out["has_den"], out["den"], np.nan)
    out["actual"] = D.figure(out["num"], out["den"], out["has_den"])
    return out[np.isfinite(out["actual"].to_numpy(dtype=float))].reset_index(drop=True)


def _first(exc: Exception) -> str:
    text = [line for line in str(exc).strip().splitlines() if line.strip()]
    return (text[0] if text else type(exc).__name__)[:300]


__all__ = ["Engine", "Definition", "definitions", "create_views", "DMS_EXPORT"]
