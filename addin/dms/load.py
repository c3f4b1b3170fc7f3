"""DMS exports → typed DuckDB tables and the views the KPI definitions read, every bad cell a
Problem(file, row, column).

Each export's text is read by DuckDB (CSV) or handed over from calamine (Excel) as text, then typed
in one pass: dates in the format the file uses (found from its first rows), numbers, yes/no and
type words through the DMS映射. Whatever that fast pass cannot read — other date spellings,
``600万``, ``１２``, full-width words — goes, one distinct value at a time, through the one parser
(udfs.parse) and the vocabularies; what they cannot read either is a problem. Then the checks of
SPEC §7: required cells, negative amounts and hours, repair orders closed before they opened,
duplicate repair order numbers, and staff the roster does not know (in the months computed).
"""
from __future__ import annotations

import csv
import datetime as _dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.io import schema as S
from addin.io.problems import Problem
from udfs import parse
from udfs import vocab as V
from udfs.vocab import key

from . import staff as ST
from .files import Export, physical_lines, reencode
from .mapping import Mapping

log = logging.getLogger(__name__)

DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y-%m-%dT%H:%M:%S", "%Y%m%d%H%M%S")
SHOWN = 30                     # problems listed per check; the rest are counted in one line
READ_BUFFER = 16 << 20         # DuckDB's CSV buffer: chunks the two threads share well (fastest on 50–120 MB files)
SQL_TYPE = {"text": "VARCHAR", "id": "VARCHAR", "staff": "VARCHAR", "datetime": "TIMESTAMP", "date": "DATE",
            "number": "DOUBLE", "yesno": "BOOLEAN", "vocab": "VARCHAR"}
# the column that places a row in a month, for the staff check (customers: every row)
WHEN = {"ro": ("opened", "closed"), "clocking": ("work_date", "started"), "parts": ("moved",),
        "followup": ("called",), "complaints": ("lodged",), "claims": ("submitted",),
        "reminders": ("reminded", "due"), "customers": ()}
NON_NEGATIVE = {"ro": ("sold_hours", "labour_amount", "parts_amount"), "clocking": ("clocked_hours", "available_hours"),
                "parts": ("qty", "cost", "stock_value")}


def q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


@dataclass
class Loaded:
    tables: dict = field(default_factory=dict)       # kind → [(Export, rowid offset, rows)]
    staff: pd.DataFrame | None = None
    rows: dict = field(default_factory=dict)         # kind → rows loaded


class Loader:
    def __init__(self, con, mapping: Mapping, problems: list):
        self.con, self.mapping, self.problems = con, mapping, problems
        self.loaded = Loaded()
        self.unknown_words: dict = {}        # (export, column) → type words the mapping does not know
        self.words: dict = {}                # (export, column) → {word as the DMS writes it: label}
        self.store_filter = ""

    # ------------------------------------------------------------------ problems
    def _flag(self, kind: str, where: str, column: str, message, what: str = "", total: int | None = None) -> None:
        """A problem for each row of `kind` matching `where` (the first SHOWN, then a count)."""
        t = f"{kind}_t"
        if total is None:
            total = self.con.execute(f"SELECT count(*) FROM {t} WHERE NOT _blank AND ({where})").fetchall()[0][0]
        if not total:
            return
        got = self.con.execute(f"SELECT _src, rowid, {q(what or column)} FROM {t} WHERE NOT _blank AND ({where}) "
                               f"ORDER BY _src, rowid LIMIT {SHOWN}").fetchall()
        files = self.loaded.tables[kind]
        by_src: dict = {}
        for src, rowid, value in got:
            by_src.setdefault(src, []).append((rowid - files[src][1], value))
        for src, recs in by_src.items():
            export = files[src][0]
            lines = physical_lines(export, [r for r, _ in recs])
            header = export.header_of(column) if column in export.columns else column
            for rec, value in recs:
                self.problems.append(Problem(export.name, lines.get(rec), header,
                                             message(value) if callable(message) else message))
        if total > len(got):
            export = files[got[0][0]][0]
            header = export.header_of(column) if column in export.columns else column
            self.problems.append(Problem(export.name, None, header, f"……另有 {total - len(got)} 行同样的问题"))

    # ------------------------------------------------------------------ reading
    @staticmethod
    def _source(con, export: Export, index: int) -> str:
        """The export's rows as text columns c0, c1 … (a DuckDB relation expression)."""
        if export.frame is not None:
            name = f"src_{index}"
            con.register(name, export.frame.drop(columns="_line"))
            return name
        cols = "{" + ", ".join(f"{lit(f'c{j}')}: 'VARCHAR'" for j in range(len(export.headers))) + "}"
        return (f"read_csv({lit(str(export.csv_path))}, delim={lit(export.delimiter)}, header=false, "
                f"skip={export.skip}, columns={cols}, auto_detect=false, null_padding=true, quote='\"', escape='\"', "
                f"buffer_size={READ_BUFFER})")

    def _sample(self, export: Export, pos: int) -> list:
        if export.frame is not None:
            col = export.frame[f"c{pos}"]
            return [v for v in col.head(400) if isinstance(v, str) and v]
        out = []
        with open(export.csv_path, "r", encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, delimiter=export.delimiter)
            for i, row in enumerate(reader):
                if i < export.skip:
                    continue
                if pos < len(row) and row[pos].strip():
                    out.append(row[pos].strip())
                if len(out) >= 200 or i > 2000:
                    break
        return out

    @staticmethod
    def _date_format(sample: list) -> str | None:
        """The format (DATE_FORMATS) the most of the sample reads in: the first 20 values choose,
        the whole sample confirms. None when no format reads any (every value goes to udfs.parse)."""
        def reads(fmt, values):
            n = 0
            for v in values:
                try:
                    _dt.datetime.strptime(v, fmt)
                    n += 1
                except ValueError:
                    pass
            return n
        head = sample[:20]
        ranked = sorted(DATE_FORMATS, key=lambda f: -reads(f, head)) if head else []
        best = max(ranked[:3], key=lambda f: reads(f, sample), default=None)
        return best if best is not None and reads(best, sample) else None

    def _typed_sql(self, con, export: Export, index: int) -> str:
        """One SELECT typing the export's columns in a single pass over its text: dates in the
        file's own format, numbers, yes/no; __raw columns keep what that pass could not read.
        Keys and type words stay as written here (trimmed and mapped afterwards, only where needed)."""
        text, typed, raw = [], [], []
        flag = (lambda t: self._case(t, V.DMS_FLAG, lambda code: "TRUE" if code == "yes" else "FALSE"))
        for col in S.DMS_EXPORTS[export.kind]:
            pos = export.columns.get(col.key)
            if pos is None:
                typed.append("NULL::BOOLEAN AS satisfied, NULL::DOUBLE AS score" if col.kind == "score" else
                             f"NULL::{SQL_TYPE.get(col.kind, 'VARCHAR')} AS {q(col.key)}")
                continue
            t = f"t_{col.key}"
            text.append(f"CAST(c{pos} AS VARCHAR) AS {q(t)}")
            if col.kind in ("text", "id", "staff", "vocab"):
                typed.append(f"{q(t)} AS {q(col.key)}")
                continue
            typed.append(q(t))
            if col.kind == "score":
                typed += [f"{flag(t)} AS satisfied", f"try_cast({q(t)} AS DOUBLE) AS score"]
                raw.append(f"CASE WHEN {q(t)} IS NOT NULL AND satisfied IS NULL AND (score IS NULL OR NOT isfinite(score)) "
                           f"THEN {q(t)} END AS {q(col.key + '__raw')}")
                continue
            if col.kind in ("datetime", "date"):
                fmt = self._date_format(self._sample(export, pos))
                expr = f"try_strptime({q(t)}, {lit(fmt)})" if fmt else "NULL::TIMESTAMP"
                typed.append(f"{f'CAST({expr} AS DATE)' if col.kind == 'date' else expr} AS {q(col.key)}")
            elif col.kind == "number":
                typed.append(f"try_cast({q(t)} AS DOUBLE) AS {q(col.key)}")
            elif col.kind == "yesno":
                typed.append(f"{flag(t)} AS {q(col.key)}")
            else:
                raise ValueError(col.kind)
            bad = f"{q(col.key)} IS NULL" + (f" OR NOT isfinite({q(col.key)})" if col.kind == "number" else "")
            raw.append(f"CASE WHEN {q(t)} IS NOT NULL AND ({bad}) THEN {q(t)} END AS {q(col.key + '__raw')}")
        blank = " AND ".join(f"{q('t_' + c)} IS NULL" for c in export.columns) or "TRUE"
        names = []
        for c in S.DMS_EXPORTS[export.kind]:
            if c.kind == "score":
                names += ["satisfied", "CASE WHEN isfinite(score) THEN score END AS score"]
            elif c.kind == "number":
                names.append(f"CASE WHEN isfinite({q(c.key)}) THEN {q(c.key)} END AS {q(c.key)}")
            else:
                names.append(q(c.key))
        inner = f"SELECT {', '.join(text) or '1 AS _none'} FROM {self._source(con, export, index)}"
        middle = f"SELECT {', '.join(typed)}, {blank} AS _blank FROM ({inner}) AS texts"
        return f"SELECT {', '.join(names + raw)}, _blank, {index}::INTEGER AS _src FROM ({middle}) AS typed"

    @staticmethod
    def _case(t: str, vocab: V.Vocab, value) -> str:
        words: dict = {}
        for e in vocab.entries:
            for w in (e.code, e.label, *e.aliases):
                words.setdefault(key(w), value(e.code))
        whens = " ".join(f"WHEN {lit(w)} THEN {v}" for w, v in words.items())
        return f"CASE {q(t)} {whens} END"

    def load(self, exports: list[Export]) -> None:
        """Each kind of export into its table ``<kind>_t`` (several files of a kind one after the
        other), the kinds side by side on their own DuckDB connections: a kind's load is not all
        parallel inside DuckDB, and the Python between its queries runs meanwhile. Problems are
        listed in the order of the exports, whatever finishes first."""
        by_kind: dict = {}
        for e in exports:
            by_kind.setdefault(e.kind, []).append(e)
        if not by_kind:
            return
        with ThreadPoolExecutor(max_workers=len(by_kind)) as pool:
            done = [pool.submit(self._load_kind, kind, files) for kind, files in by_kind.items()]
            found = [f.result() for f in done]
        for kind, (entries, problems) in zip(by_kind, found):
            self.problems += problems
            if entries:
                self.loaded.tables[kind] = entries
                self.loaded.rows[kind] = sum(n for _, _, n in entries)

    def _load_kind(self, kind: str, files: list) -> tuple[list, list]:
        """(entries [(Export, rowid offset, rows)], problems) of one kind's files."""
        t, entries, problems = f"{kind}_t", [], []
        con = self.con.cursor()
        try:
            for i, export in enumerate(files):
                offset = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] if entries else 0
                for attempt in (1, 2):
                    sql = self._typed_sql(con, export, i)
                    try:
                        con.execute(f"CREATE TABLE {t} AS {sql}" if not entries else f"INSERT INTO {t} BY NAME {sql}")
                        break
                    except Exception as exc:  # noqa: BLE001 - DuckDB: a malformed CSV
                        text = _first_line(exc)
                        if attempt == 1 and export.fmt == "csv" and ("unicode" in str(exc).lower()
                                                                     or "utf-8" in str(exc).lower()):
                            export = reencode(export)        # UTF-8 at its head only: read it whole
                            if export is not None:
                                files[i] = export
                                continue
                            export = files[i]
                            text = "文件编码无法识别（支持 UTF-8、UTF-16、GBK/GB18030）"
                        problems.append(Problem(export.name, _line_in(exc), None, f"无法读取CSV：{_csv_error(exc, text)}"))
                        export = None
                        break
                if export is None:
                    continue
                n = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] - offset
                entries.append((export, offset, n))
            if entries:
                self._fix(con, kind)
        finally:
            con.close()
        return entries, problems

    # ------------------------------------------------------------------ the slow path
    def _fix(self, con, kind: str) -> None:
        """After the fast pass: keys with stray spaces trimmed, type words mapped to their labels, and
        the cells it could not read put through udfs.parse and the vocabularies — each only where
        such cells exist, so a clean export costs one small query here."""
        t = f"{kind}_t"
        cols = set(r[0] for r in con.execute(f"DESCRIBE {t}").fetchall())
        # keys that join exports or tell repair orders apart (staff and type words are matched by
        # their distinct values, spaces and all)
        texts = [c for c in S.DMS_EXPORTS[kind] if (c.kind == "id" or c.key == "concern") and c.key in cols]
        if texts:
            probe = ", ".join(f"bool_or({q(c.key)} LIKE ' %' OR {q(c.key)} LIKE '% ' OR {q(c.key)} = '')" for c in texts)
            dirty = con.execute(f"SELECT {probe} FROM {t}").fetchall()[0]
            for c, d in zip(texts, dirty):
                if d:
                    con.execute(f"UPDATE {t} SET {q(c.key)} = nullif(trim({q(c.key)}), '') "
                                     f"WHERE {q(c.key)} <> trim({q(c.key)}) OR {q(c.key)} = ''")
        for col in S.DMS_EXPORTS[kind]:
            if col.kind == "vocab" and col.key in cols:
                words = [r[0] for r in con.execute(f"SELECT DISTINCT {q(col.key)} FROM {t} "
                                                        f"WHERE {q(col.key)} IS NOT NULL").fetchall()]
                label = {w: self.mapping.label(col.vocab, w) for w in words}
                self.words[(kind, col.key)] = {w: lab for w, lab in label.items() if lab is not None and lab != w}
                self.unknown_words[(kind, col.key)] = [w for w, lab in label.items() if lab is None]
        for col in S.DMS_EXPORTS[kind]:
            rc = col.key + "__raw"
            if rc not in cols:
                continue
            raw = [r[0] for r in con.execute(f"SELECT DISTINCT {q(rc)} FROM {t} WHERE {q(rc)} IS NOT NULL").fetchall()]
            if not raw:                     # nothing left to read: the column goes (memory)
                con.execute(f"ALTER TABLE {t} DROP COLUMN {q(rc)}")
                continue
            values = np.array(raw, dtype=object)
            if col.kind in ("datetime", "date"):
                got, bad = parse.dates(values)
                fix = pd.DataFrame({"raw": raw, "val": pd.Series(got.astype("datetime64[us]"))})
                fix.loc[bad, "val"] = pd.NaT
            elif col.kind == "number":
                got, bad = parse.numbers(values)
                fix = pd.DataFrame({"raw": raw, "val": got})
            elif col.kind == "yesno":
                fix = pd.DataFrame({"raw": raw, "val": [None if V.DMS_FLAG.get(v) is None else V.DMS_FLAG.get(v) == "yes"
                                                        for v in raw]})
            else:                                                    # score: yes/no, or a number
                flags = [V.DMS_FLAG.get(v) for v in raw]
                nums, _ = parse.numbers(values)
                fix = pd.DataFrame({"raw": raw, "val": [None if f is None else f == "yes" for f in flags], "num": nums})
                con.register("fix", fix)
                con.execute(f"UPDATE {t} SET satisfied = fix.val, score = fix.num FROM fix WHERE {t}.{q(rc)} = fix.raw")
                con.execute(f"UPDATE {t} SET {q(rc)} = NULL WHERE satisfied IS NOT NULL OR score IS NOT NULL")
                con.unregister("fix")
                continue
            con.register("fix", fix)
            cast = "CAST(fix.val AS DATE)" if col.kind == "date" else "fix.val"
            con.execute(f"UPDATE {t} SET {q(col.key)} = {cast}, {q(rc)} = NULL FROM fix "
                             f"WHERE {t}.{q(rc)} = fix.raw AND fix.val IS NOT NULL")
            con.unregister("fix")

    # ------------------------------------------------------------------ checks
    def check(self, store: str, months_span: tuple, roster: pd.DataFrame) -> None:
        """SPEC §7's checks over every loaded export; problems collected, nothing raised. Every
        condition of a table is counted in one scan; rows are looked up only for those that hit."""
        for kind, files in self.loaded.tables.items():
            t = f"{kind}_t"
            have = {c for e, _, _ in files for c in e.columns}
            cols = set(r[0] for r in self.con.execute(f"DESCRIBE {t}").fetchall())
            checks = []                                  # (where, column, message, value column)
            for col in S.DMS_EXPORTS[kind]:
                rc = col.key + "__raw"
                if rc in cols:
                    what = {"datetime": "日期/时间「{}」无法识别", "date": "日期「{}」无法识别",
                            "number": "「{}」不是数字", "yesno": "「{}」应为 是/否",
                            "score": "「{}」应为 是/否 或分数"}[col.kind]
                    checks.append((f"{q(rc)} IS NOT NULL", col.key, (lambda v, w=what: w.format(v)), rc))
                unknown = self.unknown_words.get((kind, col.key))
                if unknown:
                    msg = (lambda v, a=col.vocab.help_zh(), t_=col.vocab.title:
                           f"{t_}「{v}」无法识别（可选：{a}；本店的写法可加在 DMS映射 中）")
                    checks.append((f"{q(col.key)} IN ({', '.join(lit(w) for w in unknown)})", col.key, msg, col.key))
                if col.needed and col.key in have:
                    target = "satisfied" if col.kind == "score" else col.key
                    where = f"{q(target)} IS NULL" + (f" AND {q(rc)} IS NULL" if rc in cols else "")
                    if col.kind == "vocab" and unknown:
                        where = f"{q(target)} IS NULL"
                    checks.append((where, col.key, "不能为空", col.key))
            for c in NON_NEGATIVE.get(kind, ()):
                if c in have:
                    checks.append((f"{q(c)} < 0", c, (lambda v: f"不能为负（{v:g}）"), c))
            if kind == "ro":
                checks.append(("closed < opened", "closed", "结算时间早于开单时间", "closed"))
            if kind == "clocking":
                checks += [("finished < started", "finished", "完工时间早于开工时间", "finished"),
                           ("work_date IS NULL AND started IS NULL", "work_date", "日期和开工时间都为空", "work_date"),
                           ("available_hours > 24", "available_hours",
                            (lambda v: f"一天的出勤工时不能超过24（{v:g}）"), "available_hours")]
            unique = {"ro": "ro_no", "customers": "customer"}.get(kind)
            counts = self.con.execute("SELECT " + ", ".join(
                [f"count(*) FILTER (WHERE {w})" for w, *_ in checks] +
                [f"count({unique}) - count(DISTINCT {unique})" if unique else "0"]) +
                f" FROM {t} WHERE NOT _blank").fetchall()[0]
            for (where, column, message, what), n in zip(checks, counts):
                if n:
                    self._flag(kind, where, column, message, what, n)
            dups = counts[-1]
            if unique and dups:
                label = "工单号" if kind == "ro" else "客户编号"
                self._flag(kind, f"{unique} IN (SELECT {unique} FROM {t} WHERE NOT _blank GROUP BY {unique} "
                                 f"HAVING count(*) > 1) AND rowid NOT IN (SELECT min(rowid) FROM {t} WHERE NOT _blank "
                                 f"GROUP BY {unique})", unique, (lambda v, w=label: f"{w}「{v}」重复"), unique, dups)
        self._store(store)
        self._staff(months_span, roster)

    def _store(self, store: str) -> None:
        """An export of several stores: only the rows of the book's 门店名称 (a book that names no
        store — a dealer group's — takes them all)."""
        self.store_filter = ""
        if "ro" not in self.loaded.tables or not store:
            return
        names = [r[0] for r in self.con.execute("SELECT DISTINCT store FROM ro_t WHERE store IS NOT NULL").fetchall()]
        if len(names) > 1:
            mine = [n for n in names if key(n) == key(store)]
            if not mine:
                export = self.loaded.tables["ro"][0][0]
                self.problems.append(Problem(export.name, None, export.header_of("store") if "store" in export.columns else "门店",
                                             f"导出包含 {len(names)} 个门店（{'、'.join(sorted(names)[:5])}…），没有与设置「门店名称」"
                                             f"「{store}」相同的；请只导出本店，或把设置「门店名称」改为DMS中的门店名"))
                return
            self.store_filter = f"(store IS NULL OR store = {lit(mine[0])})"

    def _staff(self, span: tuple, roster: pd.DataFrame) -> None:
        parts = []
        for kind in self.loaded.tables:
            for c in S.DMS_EXPORTS[kind]:
                if c.kind == "staff":
                    parts.append(f"SELECT DISTINCT {q(c.key)} AS v FROM {kind}_t WHERE {q(c.key)} IS NOT NULL")
        values = [r[0] for r in self.con.execute(" UNION ".join(parts)).fetchall()] if parts else []
        staff, unknown, ambiguous = ST.match(values, roster)
        self.loaded.staff = staff
        bad = {v: f"员工名册中没有「{v}」（已离职的员工请留在名册中并把状态改为 离职；DMS中的名字或账号与名册不同时，"
                  f"在员工名册「DMS账号」列填写）" for v in unknown}
        bad.update({v: f"员工名册中有 {len(ids)} 人都是「{v}」（{'、'.join(ids)}），请在员工名册「DMS账号」列区分"
                    for v, ids in ambiguous})
        if not bad:
            return
        self.con.register("bad_staff", pd.DataFrame({"v": list(bad)}))
        start, end = (lit(d.isoformat()) for d in span)
        for kind in self.loaded.tables:
            when = " OR ".join(f"({w} >= {start} AND {w} < {end})" for w in WHEN[kind]) or "TRUE"
            for c in S.DMS_EXPORTS[kind]:
                if c.kind == "staff":
                    self._flag(kind, f"{q(c.key)} IN (SELECT v FROM bad_staff) AND ({when})", c.key, bad.get)
        self.con.unregister("bad_staff")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _csv_error(exc: Exception, text: str) -> str:
    """DuckDB's CSV errors in the user's words."""
    import re
    full = str(exc)
    m = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", full)
    if m:
        return (f"这一行有 {m.group(2)} 列，表头只有 {m.group(1)} 列"
                "（字段里的逗号、换行要用英文双引号括起来；或在DMS中重新导出）")
    if "unterminated quote" in full.lower():
        return "引号没有闭合（某个字段以英文双引号开头却没有结束的引号）"
    return text


def _line_in(exc: Exception) -> int | None:
    import re
    m = re.search(r"[Ll]ine:? (\d+)", str(exc))
    return int(m.group(1)) if m else None
