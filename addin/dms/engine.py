"""Running the KPI definitions (the 指标库's DMS SQL, udfs.dms_sql) over the loaded exports.

Each definition is one SELECT giving a row per thing counted (month, person, num, den, evidence
columns). It runs once for every month asked for and is summed per (month, person); once every
definition has run, GROUPING SETS sum those per employee, per department and for the store, all
KPIs in one pass. A definition another one reads (first_time_fix_rate reads kpi_rework_rate) is
materialised once; with evidence asked for, every definition is, and the month's rows are its
evidence.

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

from .load import lit, q

log = logging.getLogger(__name__)
TIME_LIMIT = 300.0          # seconds one definition may run
CONTRACT = ("month", "person", "num", "den")
LEVELS = np.array(["person", "department", "store"], dtype=object)     # udfs.vocab.DMS_LEVEL codes
# every KPI's figures from its sums per (month, person): per employee, department and store (a person
# the roster does not know counts for the store only); a figure is Σnum ÷ Σden, or Σnum for a KPI
# without a denominator, none where Σden is 0. Everything is grouped and handed back as integer codes
# (the KPI's, the month's, the employee's and the department's; figures() turns them into text once
# per distinct value): a group's year is half a million figures
ROLL_UP = """
WITH sets AS (
  SELECT s.kid, s.month, st.eid, st.did, GROUPING(st.eid) AS ge, GROUPING(st.did) AS gd,
         sum(s.num) AS num, sum(s.den) AS den, sum(s.n_den) AS n_den
  FROM sums_t s LEFT JOIN staff st ON st.dms = s.person
  GROUP BY GROUPING SETS ((s.kid, s.month, st.eid, st.did), (s.kid, s.month, st.did), (s.kid, s.month))),
figures AS (
  SELECT kid, CAST(year(month) * 12 + month(month) - 1 AS INTEGER) AS m,
         CAST(CASE WHEN ge = 0 THEN 0 WHEN gd = 0 THEN 1 ELSE 2 END AS INTEGER) AS lv,
         CAST(CASE WHEN ge = 0 THEN eid ELSE -1 END AS INTEGER) AS eid,
         CAST(CASE WHEN gd = 0 THEN coalesce(did, -1) ELSE -1 END AS INTEGER) AS did,
         num, CASE WHEN n_den > 0 THEN den END AS den,
         CASE WHEN n_den = 0 THEN num WHEN den <> 0 THEN num / den END AS actual
  FROM sets
  WHERE (ge = 0 AND eid IS NOT NULL) OR (ge = 1 AND gd = 0 AND did IS NOT NULL) OR (ge = 1 AND gd = 1))
SELECT * FROM figures WHERE actual IS NOT NULL AND isfinite(actual)
"""


@dataclass
class StaffCodes:
    """Each staff row's employee (eid) and department (did, −1: none) as positions in the word lists."""
    eid: np.ndarray
    did: np.ndarray
    employee: np.ndarray          # eid → employee_id
    name: np.ndarray              # eid → name
    department: np.ndarray        # did → department

    @classmethod
    def of(cls, staff: pd.DataFrame) -> "StaffCodes":
        eid, employee = pd.factorize(staff["employee_id"].astype(object), sort=True)
        dept = staff["department"].fillna("").astype(object)
        did, department = pd.factorize(dept.where(dept.ne(""), None), sort=True)
        first = np.unique(eid, return_index=True)[1] if len(eid) else np.zeros(0, dtype=np.int64)
        return cls(eid.astype(np.int32), did.astype(np.int32), np.asarray(employee, dtype=object),
                   staff["name"].fillna("").astype(object).to_numpy()[first], np.asarray(department, dtype=object))


def _view_sql(kind: str, columns: list, store_filter: str, words: dict | None = None) -> str:
    cols = ", ".join(q(c) for c in columns)
    for (export, column), table in (words or {}).items():
        if export == kind and table:
            case = " ".join(f"WHEN {lit(w)} THEN {lit(label)}" for w, label in table.items())
            cols = cols.replace(q(column), f"CASE {q(column)} {case} ELSE {q(column)} END AS {q(column)}")
    if kind == "clocking":
        cols = cols.replace(q("clocked_hours"), "coalesce(clocked_hours, date_diff('second', started, finished) / 3600.0) "
                                                "AS clocked_hours")
        cols = cols.replace(q("work_date"), "coalesce(work_date, CAST(started AS DATE)) AS work_date")
    where = "NOT _blank" + (f" AND {store_filter}" if store_filter and "store" in columns else "")
    return f"SELECT {cols} FROM {kind}_t WHERE {where}"


def create_views(con, loaded_kinds: set, columns: dict, store_filter: str = "", customers: bool = True,
                 words: dict | None = None) -> None:
    """The documented views (udfs.dms_sql) over the typed tables of the exports given; ``customers``
    only when a definition reads it; ``words``: {(export, column): {word: label}} the DMS writes
    differently from the vocabulary (mapped in the view, so the table is never rewritten)."""
    for kind in VIEWS:
        if kind == "customers" or kind not in loaded_kinds:
            continue
        con.execute(f"CREATE OR REPLACE VIEW {kind} AS {_view_sql(kind, columns[kind], store_filter, words or {})}")
    if "customers" in loaded_kinds:
        con.execute(f"CREATE OR REPLACE VIEW customers_export AS {_view_sql('customers', columns['customers'], '')}")
    else:
        con.execute("CREATE OR REPLACE VIEW customers_export AS SELECT NULL::VARCHAR AS customer, NULL::VARCHAR AS name, "
                    "NULL::DATE AS created, NULL::VARCHAR AS owner WHERE FALSE")
    if not customers:
        return
    if "ro" in loaded_kinds:           # a table: the definitions that read it do so several times
        con.execute(f"CREATE OR REPLACE TABLE customers AS {CUSTOMERS_VIEW}")
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
    def __init__(self, con, policy, months: list, problems: list, staff: pd.DataFrame):
        self.con, self.policy, self.months, self.problems = con, policy, list(months), problems
        self.staff = staff                     # DMS name → employee_id, name, department
        self.codes = StaffCodes.of(staff)
        self.made: set = set()                 # kpi_<id> tables materialised
        self.needed_by_others: set = set()
        self.kpi_ids: list = []                # sums_t's kid → kpi_id
        # the DMS names the roster knows: dms, employee_id, name, department (the evidence shows them)
        # and their codes (the roll-up groups by those)
        con.register("staff_df", pd.DataFrame({
            "dms": staff["dms"].astype(object), "employee_id": staff["employee_id"].astype(object),
            "name": staff["name"].astype(object), "department": staff["department"].astype(object),
            "eid": self.codes.eid, "did": self.codes.did}))
        con.execute("CREATE OR REPLACE TABLE staff AS SELECT dms, employee_id, name, department, eid, "
                    "CASE WHEN did >= 0 THEN did END AS did FROM staff_df")
        con.unregister("staff_df")
        con.execute("CREATE OR REPLACE TEMP TABLE sums_t (kid INTEGER, month DATE, person VARCHAR, num DOUBLE, "
                    "den DOUBLE, n_den BIGINT)")

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

    def run(self, d: Definition, keep_rows: bool) -> bool:
        """Add the KPI's sums per (month, person) to sums_t (figures() rolls them up); False after
        a problem."""
        if not self._statement_ok(d):
            return False
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
            elif missing:
                self._problem(d, f"的结果缺少列 {'、'.join(missing)}（必须有 month、person、num、den）：{text}")
            else:
                self._problem(d, f"运行出错：{text}")
            return False
        finally:
            timer.cancel()

    def _run(self, d: Definition, keep_rows: bool, params: dict) -> bool:
        source, args = f"({d.sql})", params
        if keep_rows or d.kpi_id in self.needed_by_others:
            # another definition reads it (or its evidence is wanted): computed once; without
            # evidence only the four columns the sums need are kept
            body = d.sql if keep_rows else f"SELECT month, person, num, den FROM ({d.sql}) AS k"
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {q('kpi_' + d.kpi_id)} AS {body}", params)
            self.made.add(d.kpi_id)
            source, args = q("kpi_" + d.kpi_id), {}
        start, end = D.month_span(self.months)
        self.kpi_ids.append(d.kpi_id)
        # the rows' contributions add up: sums per (month, person) here, per employee, department and
        # store over those few rows once every KPI has run (ROLL_UP)
        self.con.execute(f"""
INSERT INTO sums_t
WITH rows AS (
  SELECT CAST(month AS DATE) AS month, CAST(person AS VARCHAR) AS person, CAST(num AS DOUBLE) AS num,
         CAST(den AS DOUBLE) AS den FROM {source} AS k)
SELECT {len(self.kpi_ids) - 1}, month, person, sum(num), sum(den), count(den) FROM rows
WHERE month >= DATE '{start.isoformat()}' AND month < DATE '{end.isoformat()}' GROUP BY month, person""", args)
        return True

    def figures(self, library: pd.DataFrame) -> pd.DataFrame:
        """Every figure computed (results.FIGURE_COLUMNS), named from the library (name_zh, unit).
        Called last: the exports' tables and the KPIs' rows (evidence is taken from them before)
        are dropped first, so that the roll-up and the fetch reuse their memory. The roll-up hands
        back integer codes; each distinct text is made into a Python string once."""
        drop = [f"DROP TABLE {'.'.join(q(n) for n in name)};" for name in self.con.execute(
            "SELECT database_name, schema_name, table_name FROM duckdb_tables() "
            "WHERE table_name NOT IN ('sums_t', 'staff')").fetchall()]
        self.con.execute("BEGIN TRANSACTION; " + " ".join(drop) + " COMMIT;")
        got = self.con.execute(ROLL_UP).fetchnumpy()
        col = {c: np.ma.filled(np.ma.asarray(got[c]), -1).astype(np.int64) for c in ("kid", "m", "lv", "eid", "did")}
        months, col["m"] = np.unique(col["m"], return_inverse=True)
        col["m"] = col["m"].reshape(-1)
        month_words = np.array([f"{v // 12:04d}-{v % 12 + 1:02d}" for v in months], dtype=object)
        c, blank = self.codes, np.array([""], dtype=object)
        kpi = pd.Index(self.kpi_ids, dtype=object)
        words = {"month": (month_words, col["m"]), "level": (LEVELS, col["lv"]),
                 # -1 (no employee / department): the '' appended last
                 "employee_id": (np.concatenate([c.employee, blank]), col["eid"]),
                 "name": (np.concatenate([c.name, blank]), col["eid"]),
                 "department": (np.concatenate([c.department, blank]), col["did"]),
                 "kpi_id": (kpi.to_numpy(dtype=object), col["kid"]),
                 "kpi": (library["name_zh"].reindex(kpi).to_numpy(dtype=object), col["kid"]),
                 "unit": (library["unit"].reindex(kpi).to_numpy(dtype=object), col["kid"])}
        # the text columns made in place in one block, the numbers in another (a DataFrame built
        # from separate columns copies them into blocks again)
        text = np.empty((len(words), len(col["m"])), dtype=object)
        for i, (w, codes) in enumerate(words.values()):
            np.take(w, codes, out=text[i])
        numbers = ("num", "den", "actual")
        values = np.empty((len(numbers), len(col["m"])), dtype=np.float64)
        for i, n in enumerate(numbers):
            values[i] = np.ma.filled(np.ma.asarray(got[n]).astype(np.float64), np.nan)
        return pd.concat([pd.DataFrame(text.T, columns=list(words), dtype=object, copy=False),
                          pd.DataFrame(values.T, columns=list(numbers), copy=False)], axis=1)

    def evidence(self, d: Definition, month: str) -> pd.DataFrame:
        """The KPI's rows of one month with the employee each is attributed to: by employee (the
        store's own rows last), what counted in the numerator first."""
        rows = self.con.execute(f"""
SELECT st.employee_id AS "员工编号", st.name AS "姓名", st.department AS "部门", CAST(k.person AS VARCHAR) AS "DMS人员",
       CAST(k.num AS DOUBLE) AS "分子", CAST(k.den AS DOUBLE) AS "分母", k.* EXCLUDE (month, person, num, den)
FROM {q('kpi_' + d.kpi_id)} AS k LEFT JOIN staff st ON st.dms = CAST(k.person AS VARCHAR)
WHERE strftime(CAST(k.month AS DATE), '%Y-%m') = '{month}'
""").df()
        # a fixed order (a query's own row order may vary between runs): employee, counted first,
        # then the evidence columns as text
        rest = [c for c in rows.columns[6:]]
        keys = pd.DataFrame({"_e": rows["员工编号"].isna(), "_id": rows["员工编号"].fillna("").astype(str),
                             "_n": -rows["分子"].fillna(0), "_p": rows["DMS人员"].fillna("").astype(str),
                             **{f"_{i}": rows[c].astype(str) for i, c in enumerate(rest)}})
        return rows.loc[keys.sort_values(list(keys.columns), kind="stable").index].reset_index(drop=True)


def _first(exc: Exception) -> str:
    text = [line for line in str(exc).strip().splitlines() if line.strip()]
    return (text[0] if text else type(exc).__name__)[:300]


__all__ = ["Engine", "Definition", "definitions", "create_views", "DMS_EXPORT"]
