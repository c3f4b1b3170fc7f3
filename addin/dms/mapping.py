"""DMS映射: which header of a DMS export is which kpi4s column, and which words are which job or
parts type — pre-filled with the usual Chinese headers and aliases (addin.io.schema.DMS_EXPORTS,
udfs.vocab.RO_TYPE / PARTS_MOVE), editable in the store workbook.

One row per column: 数据 (the export, e.g. 维修工单) · 字段 (the column's name in the SQL views,
e.g. opened) · 中文名 · DMS中的名称 (every header that means it, separated by /) · 类型 · 说明.
One row per word list: 数据 = 维修类型 or 配件类型 · 字段 = the type (保养, 销售 …) · DMS中的名称.
A book without the sheet uses the built-in mapping.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from addin.io import schema as S
from addin.io.book import StoreBook
from addin.io.problems import Problem
from udfs import vocab as V
from udfs.vocab import key

SEPARATORS = re.compile(r"\s*[/／、,，;；|]\s*")
VALUE_VOCABS = (V.RO_TYPE, V.PARTS_MOVE)


@dataclass
class Mapping:
    """headers[(export, column)] = header spellings in order (lookup form); values[vocab name] =
    {word (lookup form): Chinese label}."""

    headers: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)

    def columns(self, export: str) -> tuple:
        return S.DMS_EXPORTS[export]

    def find(self, export: str, header_keys: list) -> dict:
        """{column key: position in header_keys} for the columns this export's file has: each
        column takes the first of its spellings present (a file column serves one column)."""
        pos = {}
        for i, h in enumerate(header_keys):
            pos.setdefault(h, i)
        out, used = {}, set()
        for col in self.columns(export):
            for word in self.headers.get((export, col.key), ()):
                i = pos.get(word)
                if i is not None and i not in used:
                    out[col.key] = i
                    used.add(i)
                    break
        return out

    def label(self, vocab: V.Vocab, word) -> str | None:
        """The Chinese label of a job / parts type word, or None when unknown."""
        k = key(word)
        hit = self.values.get(vocab.name, {}).get(k)
        if hit is None:
            code = vocab.get(word)
            hit = vocab.label(code) if code else None
        return hit

    def spellings(self, export: str, column: str) -> str:
        return "/".join(self.shown.get((export, column), ()))

    shown: dict = field(default_factory=dict)      # (export, column) → spellings as typed


def default_rows() -> list[list]:
    """The pre-filled DMS映射 sheet: [数据, 字段, 中文名, DMS中的名称, 类型, 说明] rows."""
    rows = []
    for export, cols in S.DMS_EXPORTS.items():
        title = V.DMS_EXPORT.label(export)
        for c in cols:
            kind = S.DMS_KIND_ZH[c.kind]
            note = ("必需列，不能为空；" if c.needed else "必需列；" if c.required else "") + \
                (f"取值：{'/'.join(c.vocab.choices)}（写法见下方{c.vocab.title}行）；" if c.vocab is not None else "") + c.note
            rows.append([title, c.key, c.header, "/".join((c.header,) + c.aliases), kind, note.rstrip("；")])
    for vocab in VALUE_VOCABS:
        for e in vocab.entries:
            rows.append([vocab.title, e.label, e.label, "/".join((e.label,) + tuple(a for a in e.aliases if not a.isascii())),
                         "取值", f"DMS「{vocab.title}」列中表示「{e.label}」的写法"])
    return rows


def built_in() -> Mapping:
    m = Mapping()
    for export, cols in S.DMS_EXPORTS.items():
        for c in cols:
            words = (c.header,) + c.aliases
            m.headers[(export, c.key)] = tuple(dict.fromkeys(key(w) for w in words))
            m.shown[(export, c.key)] = words
    return m


def read_mapping(book: StoreBook, problems: list) -> Mapping:
    """The book's DMS映射 (or the built-in one). Unknown exports, fields and types are problems; a
    header spelling given to two columns of one export is a problem; columns the sheet leaves out
    keep their built-in spellings."""
    m = built_in()
    if not book.has(S.DMS_MAP):
        return m
    h = S.SHEETS[S.DMS_MAP].header
    f = book.frame(S.DMS_MAP, problems)
    value_vocab = {key(v.title): v for v in VALUE_VOCABS} | {key(v.name): v for v in VALUE_VOCABS}
    given: dict = {}
    for r in f.itertuples(index=False):           # a sheet of ~100 rows
        row = int(r._row) if hasattr(r, "_row") else None
        words = [w for w in SEPARATORS.split(r.headers or "") if w.strip()]
        vocab = value_vocab.get(key(r.export))
        if vocab is not None:
            code = vocab.get(r.field)
            if code is None:
                problems.append(Problem(S.DMS_MAP, row, h("field"), f"{vocab.title}「{r.field}」无效（可选：{vocab.help_zh()}）"))
                continue
            for w in words:
                m.values.setdefault(vocab.name, {})[key(w)] = vocab.label(code)
            continue
        export = V.DMS_EXPORT.get(r.export)
        if export is None:
            problems.append(Problem(S.DMS_MAP, row, h("export"),
                                    f"数据「{r.export}」无效（可选：{V.DMS_EXPORT.help_zh()}、维修类型、配件类型）"))
            continue
        cols = {c.key: c for c in S.DMS_EXPORTS[export]}
        col = cols.get(r.field) or next((c for c in cols.values() if key(c.header) == key(r.field)), None)
        if col is None:
            problems.append(Problem(S.DMS_MAP, row, h("field"),
                                    f"{V.DMS_EXPORT.label(export)}没有字段「{r.field}」（可选：{'/'.join(cols)}）"))
            continue
        given[(export, col.key)] = (row, words)
    for (export, column), (row, words) in given.items():
        m.headers[(export, column)] = tuple(dict.fromkeys(key(w) for w in words))
        m.shown[(export, column)] = tuple(words)
    for export in S.DMS_EXPORTS:
        owner: dict = {}
        for col in S.DMS_EXPORTS[export]:
            for w in m.headers.get((export, col.key), ()):
                other = owner.setdefault(w, col.key)
                if other != col.key:
                    row = given.get((export, col.key), (None,))[0]
                    problems.append(Problem(S.DMS_MAP, row, h("headers"),
                                            f"{V.DMS_EXPORT.label(export)}的「{w}」同时写在字段 {other} 和 {col.key} 中"))
    return m
