"""The group's archive (SPEC §8): every month of every store, beyond any one workbook's 历史.

An embedded DuckDB database file beside the group workbook (``kpi4s-归档.duckdb``) by default;
设置「归档数据库」 or ``--archive`` may name another file, or a server database for group IT
(``postgresql://user@host/db`` or ``host=… dbname=…``, through DuckDB's postgres extension).
Either way the database is ATTACHed to an in-memory DuckDB session as ``archive`` and made the
default catalog, so every statement below is the same for the file and the server.

Tables (English names; one row per …):

- ``store_months`` — store-month loaded in full (book, when, headcount, the store's grading);
- ``people`` — employee-month: score, grades, pay, action (``source`` 'month' for months the
  group computed, 'history' for earlier months taken from a store's 历史 sheet);
- ``items`` — scorecard item of an employee-month: KPI actual, target, achievement, score;
- ``actions`` and ``scorers`` — the month's actions and scorer deadlines/fines.

Writing is idempotent: a store-month is deleted and inserted again in one transaction, so a
re-run replaces it; 历史 months fill only months the archive does not hold in full, and are
never deleted because a store trimmed its 历史. Two runs at once: the second waits for the
first to finish (up to :data:`LOCK_WAIT` seconds), then gives up with a clear message.
"""
from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pandas as pd

from addin.io import duck
from addin.io.problems import BookError, Problem
from udfs.parse import add_months

from .stores import ACTIONS, ITEMS, PEOPLE, StoreMonth, stack

log = logging.getLogger(__name__)

DEFAULT_FILE = "kpi4s-归档.duckdb"
SCHEMA_VERSION = "1"
LOCK_WAIT = 30.0          # seconds a run waits for another run's write to finish
TREND_MONTHS = 12

_S, _D, _I, _B, _T = "VARCHAR", "DOUBLE", "INTEGER", "BOOLEAN", "TIMESTAMP"
TABLES = {
    "store_months": {"store": _S, "month": _S, "book": _S, "archived_at": _T, "people": _I, "graded": _I,
                     "grading": _S, "eval_group": _S, "fingerprint": _S, "notes": _S},
    "people": {"store": _S, "month": _S, **{c: _S for c in PEOPLE}, "eligible": _B, "items": _I, "total": _D,
               "commission": _D, "base": _D, "pay": _D, "a_run": _I, "d_run": _I, "e_run": _I, "source": _S},
    "items": {"store": _S, "month": _S, **{c: _S for c in ITEMS}, "seq": _I, "weight": _D, "target": _D,
              "actual": _D, "rating": _D, "ratio": _D, "score": _D},
    "actions": {"store": _S, "month": _S, **{c: _S for c in ACTIONS}, "run": _I, "headline": _B},
    "scorers": {"store": _S, "month": _S, "scorer": _S, "role": _S, "due": _T, "submitted": _T,
                "days_late": _D, "fine": _D},
}
MONTH_TABLES = ("people", "items", "actions", "scorers", "store_months")


class ArchiveError(BookError):
    """The archive cannot be opened or written; nothing of the group report was written."""

    def __init__(self, where: str, message: str):
        super().__init__([Problem(where, None, None, message)], "归档数据库不可用，未写入集团汇总")


# --------------------------------------------------------------------------- where the archive is
_PG_URL = re.compile(r"^(postgres|postgresql)://", re.I)
_PG_KEYWORDS = re.compile(r"^\s*(host|hostaddr|dbname|user|port|service)\s*=", re.I)
_OTHER_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def target(setting: str | None, folder) -> tuple[str, str]:
    """(kind, location) of the archive: ('file', absolute path) or ('postgres', connection string).

    Blank → kpi4s-归档.duckdb in ``folder``; a relative path is relative to ``folder``."""
    text = (setting or "").strip()
    if not text:
        return "file", str(Path(folder).resolve() / DEFAULT_FILE)
    if _PG_URL.match(text) or _PG_KEYWORDS.match(text):
        return "postgres", text
    if _OTHER_URL.match(text):
        raise ArchiveError(_masked(text), "不支持的数据库连接串：请填文件路径，或 postgresql:// 开头的连接串")
    p = Path(text).expanduser()
    return "file", str((p if p.is_absolute() else Path(folder) / p).resolve())


def _masked(location: str) -> str:
    """A connection string for messages: no password."""
    s = re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", location)
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", s, flags=re.I)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def attach_sql(kind: str, location: str) -> list[str]:
    """The statements that make the archive the session's default catalog."""
    if kind == "postgres":
        return ["INSTALL postgres", "LOAD postgres", f"ATTACH {_quote(location)} AS archive (TYPE postgres)",
                "USE archive"]
    return [f"ATTACH {_quote(location)} AS archive", "USE archive"]


# --------------------------------------------------------------------------- the archive
class Archive:
    """``with Archive(kind, location) as a: a.write(month, stores); a.trend(month)``."""

    def __init__(self, kind: str, location: str, wait: float | None = None):
        self.kind, self.location = kind, location
        self.wait = LOCK_WAIT if wait is None else wait
        self.label = location if kind == "file" else _masked(location)
        self.con = None

    def __enter__(self) -> "Archive":
        import duckdb
        if self.kind == "file":
            Path(self.location).parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.wait
        while True:
            con = duck.connect(memory_limit="512MB")
            try:
                for sql in attach_sql(self.kind, self.location):
                    con.execute(sql)
                break
            except duckdb.Error as exc:
                con.close()
                text = str(exc)
                if "lock" in text.lower() and time.monotonic() < deadline:
                    time.sleep(0.25)
                    continue
                raise ArchiveError(self.label, _reason(text)) from None
        self.con = con
        try:
            self._schema()
        except duckdb.Error as exc:
            self.close()
            raise ArchiveError(self.label, f"无法建立归档表：{str(exc)[:300]}") from None
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def _schema(self) -> None:
        c = self.con
        c.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)")
        got = c.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if got is None:
            c.execute("INSERT INTO meta VALUES ('schema', ?)", [SCHEMA_VERSION])
        elif got[0] != SCHEMA_VERSION:
            raise ArchiveError(self.label, f"归档数据库版本为 {got[0]}，本程序只支持 {SCHEMA_VERSION}：请升级 kpi4s")
        for name, cols in TABLES.items():
            c.execute(f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(f'{k} {t}' for k, t in cols.items())})")

    # ------------------------------------------------------------------- writing
    def write(self, month: str, stores: list[StoreMonth], now=None) -> dict:
        """Replace these stores' month (and fill their 历史 months the archive lacks) in one
        transaction; stores taken from the archive (unchanged books) are left as they are.
        Returns the row counts inserted per table."""
        import duckdb
        frames = month_frames(month, [s for s in stores if s.status == "ok" and not s.cached], now)
        if not len(frames["store_months"]):
            return {}
        c = self.con
        try:
            c.begin()
            for name, df in frames.items():
                c.register(f"new_{name}", df)
            for name in MONTH_TABLES:
                c.execute(f"DELETE FROM {name} WHERE EXISTS (SELECT 1 FROM new_store_months n "
                          f"WHERE n.store = {name}.store AND n.month = {name}.month)")
                cols = ", ".join(TABLES[name])
                c.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM new_{name}")
            c.execute("DELETE FROM people WHERE source = 'history' AND EXISTS (SELECT 1 FROM new_history h "
                      "WHERE h.store = people.store AND h.month = people.month)")
            hist = ", ".join(frames["history"].columns)
            c.execute(f"INSERT INTO people ({hist}) SELECT {hist} FROM new_history h WHERE NOT EXISTS "
                      "(SELECT 1 FROM store_months s WHERE s.store = h.store AND s.month = h.month)")
            c.commit()
        except duckdb.Error as exc:
            c.rollback()
            raise ArchiveError(self.label, f"写入归档失败，已撤销本次写入：{str(exc)[:300]}") from None
        finally:
            for name in frames:
                c.unregister(f"new_{name}")
        return {k: len(v) for k, v in frames.items()}

    # ------------------------------------------------------------------- reading
    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def trend(self, month: str, months: int = TREND_MONTHS) -> dict:
        """The group's last ``months`` months up to ``month`` (SPEC §8): per store and month —
        graded, average score, A…E counts, pay; per indicator and month — KPI attainment."""
        first = add_months(month, 1 - months)
        stores = self.query(
            "SELECT store, month, count(*) FILTER (WHERE grade <> '') AS graded, "
            "avg(total) FILTER (WHERE grade <> '') AS mean, "
            + ", ".join(f"count(*) FILTER (WHERE grade = '{g}') AS n_{g}" for g in "ABCDE") +
            ", sum(pay) FILTER (WHERE grade <> '') AS pay FROM people "
            "WHERE month BETWEEN ? AND ? GROUP BY store, month ORDER BY store, month", [first, month])
        kpis = self.query(
            "SELECT month, coalesce(nullif(kpi_id, ''), item) AS indicator, min(item) AS item, "
            "avg(ratio) AS attainment, count(*) AS n FROM items WHERE kind = 'kpi' AND month BETWEEN ? AND ? "
            "GROUP BY month, coalesce(nullif(kpi_id, ''), item) ORDER BY indicator, month", [first, month])
        return {"months": [add_months(first, k) for k in range(months)], "stores": stores, "kpis": kpis}

    def cached(self, month: str, prints: dict) -> dict:
        """{path: StoreMonth} for the books whose fingerprint (stores.fingerprint) the archive holds
        for this month: their month as it was archived, without reading the book again."""
        if not prints:
            return {}
        fp = pd.DataFrame({"path": list(prints), "fingerprint": list(prints.values())})
        self.con.register("wanted_prints", fp)
        try:
            sm = self.query("SELECT w.path, s.* FROM store_months s JOIN wanted_prints w "
                            "ON s.fingerprint = w.fingerprint WHERE s.month = ?", [month])
        finally:
            self.con.unregister("wanted_prints")
        sm = sm[~sm["path"].duplicated(keep=False)]          # one archived store per book, or none
        if not len(sm):
            return {}
        names = sm["store"].tolist()
        marks = ", ".join("?" * len(names))
        got = {t: self.query(f"SELECT * FROM {t} WHERE month = ? AND store IN ({marks})"
                             + (" AND source = 'month'" if t == "people" else ""), [month, *names])
               for t in ("people", "items", "actions", "scorers")}
        cols = {"people": PEOPLE, "items": ITEMS, "actions": ACTIONS, "scorers": list(TABLES["scorers"])[2:]}
        parts = {t: dict(tuple(df.groupby("store", sort=False))) for t, df in got.items()}
        out = {}
        for r in sm.itertuples(index=False):
            frames = {t: _plain(parts[t].get(r.store, got[t].iloc[:0]), cols[t]) for t in got}
            out[r.path] = StoreMonth(r.path, r.store, "ok", month, notes=[n for n in (r.notes or "").split("\n") if n],
                                     grading=r.grading or "", eval_group=r.eval_group or "",
                                     fingerprint=r.fingerprint, cached=True, **frames)
        return out

    def absent(self, month: str, present, lookback: int = 3) -> pd.DataFrame:
        """Stores archived in the ``lookback`` months before ``month`` that are not in ``present``
        (a store that sent no workbook this month): store, last month archived."""
        got = self.query("SELECT store, max(month) AS last FROM store_months WHERE month >= ? AND month < ? "
                         "GROUP BY store ORDER BY store", [add_months(month, -lookback), month])
        return got[~got["store"].isin(set(present))].reset_index(drop=True)


def _reason(text: str) -> str:
    low = text.lower()
    if "lock" in low:
        return "归档数据库正被另一个程序使用（可能有人同时在运行集团汇总），请稍后重试"
    if "not a valid duckdb database" in low:
        return "该文件不是 DuckDB 数据库文件：请在设置「归档数据库」中指定另一个文件名"
    if "postgres" in low and ("extension" in low or "download" in low):
        return f"无法加载 DuckDB 的 postgres 扩展（连接服务器数据库需要它，首次使用需联网安装）：{text[:200]}"
    if "version" in low:
        return f"归档数据库由更新版本的 DuckDB 写入，请升级：{text[:200]}"
    return f"无法打开归档数据库：{text[:300]}"


# --------------------------------------------------------------------------- frames to insert
def _nullable(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Columns in the table's order and types; NaN → NULL (DuckDB keeps a float NaN otherwise)."""
    cols = TABLES[table]
    out = {}
    for name, kind in cols.items():
        s = df[name] if name in df else pd.Series([None] * len(df), index=df.index, dtype=object)
        if kind == _D:
            s = pd.to_numeric(s, errors="coerce").astype("Float64")
        elif kind == _I:
            s = pd.to_numeric(s, errors="coerce").round().astype("Int64")
        elif kind == _B:
            s = s.astype("boolean")
        elif kind == _T:
            s = pd.to_datetime(s, errors="coerce")
        else:
            s = s.astype(object).where(s.notna(), None)
        out[name] = s.to_numpy() if kind == _S else s
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def _plain(df: pd.DataFrame, columns: list) -> pd.DataFrame:
    """Archived rows back as the frames a store's month carries (NULL → NaN / '')."""
    out = df.reindex(columns=columns).reset_index(drop=True)
    for c in out.columns:
        if out[c].dtype.kind == "M":
            out[c] = out[c].astype("datetime64[ns]")       # the unit computed months carry (see stores.compact)
        elif out[c].dtype == object or str(out[c].dtype) in ("string", "str"):
            out[c] = out[c].astype(object).where(out[c].notna(), "")
        elif str(out[c].dtype) in ("Int32", "Int64", "Float64", "boolean"):
            out[c] = out[c].astype(float if str(out[c].dtype) != "boolean" else bool)
    if "eligible" in out:
        out["eligible"] = out["eligible"].astype(bool)
    return out


def month_frames(month: str, stores: list[StoreMonth], now=None) -> dict:
    """The rows the archive gets for these stores' month: {table: frame}, plus 'history'."""
    now = pd.Timestamp(now or pd.Timestamp.now()).floor("s")

    def stacked(attr, table):
        return _nullable(stack(stores, attr).assign(month=month), table)

    people = stacked("people", "people")
    people["source"] = "month"
    sm = pd.DataFrame({"store": [s.store for s in stores], "month": month, "book": [s.path for s in stores],
                       "archived_at": now, "people": [len(s.people) for s in stores],
                       "graded": [int(s.people["eligible"].sum()) for s in stores],
                       "grading": [s.grading for s in stores], "eval_group": [s.eval_group for s in stores],
                       "fingerprint": [s.fingerprint for s in stores], "notes": ["\n".join(s.notes) for s in stores]})
    h = stack(stores, "history")
    h = h[h["month"].ne(month)] if len(h) else pd.DataFrame(columns=["store", "month", "employee_id"])
    h = h.drop_duplicates(["store", "month", "employee_id"], keep="last")
    h = h.assign(eligible=h["grade"].fillna("").ne("") if "grade" in h else False, source="history")
    hcols = ["store", "month", "employee_id", "name", "department", "total", "grade", "pay", "eligible", "source"]
    history = _nullable(h.reindex(columns=hcols), "people")[hcols]
    history["grade"] = history["grade"].where(history["grade"].notna(), "")
    return {"store_months": _nullable(sm, "store_months"), "people": people, "items": stacked("items", "items"),
            "actions": stacked("actions", "actions"), "scorers": stacked("scorers", "scorers"), "history": history}


def open_archive(setting: str | None, folder, wait: float | None = None) -> Archive:
    kind, location = target(setting, folder)
    return Archive(kind, location, wait)


__all__ = ["Archive", "ArchiveError", "open_archive", "target", "attach_sql", "month_frames", "DEFAULT_FILE",
           "TABLES", "LOCK_WAIT", "TREND_MONTHS"]
