"""A streaming .xlsx reader for DMS exports: only the cells that exist, only the first columns.

A worksheet's used range can reach XFD1048576 because of one stray cell; a reader that builds the
rectangle (python-calamine) then asks for half a terabyte and the process dies. Exports are plain
tables, so this reader walks the sheet XML (lxml iterparse, hardened: no DTD, no entities), keeps
the cells of the first MAX_COLUMNS columns of rows that have any, and gives each row its Excel row
number. Shared strings, inline strings, booleans, errors and date-formatted numbers (built-in and
custom formats, the CJK ones too) are read as Excel shows them.
"""
from __future__ import annotations

import re

from lxml import etree

from addin.ooxml.package import Package, PackageError, rels_part
from addin.ooxml.parts import Relationships, Workbook
from udfs.parse import from_serial

MAX_COLUMNS = 200
# built-in number formats that are dates or times (ECMA-376 18.8.30, and the CJK ones Excel uses)
DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_COLUMN = re.compile(r"^([A-Z]+)(\d+)$")
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _iter(stream, tag: str):
    for _, el in etree.iterparse(stream, events=("end",), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=True):
        if _local(el.tag) == tag:
            yield el


def _text(el) -> str:
    """The text of an <si> or <is>: its <t>, or the <t> of each run (phonetic <rPh> left out)."""
    parts = []
    for child in el:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts += [t.text or "" for t in child if _local(t.tag) == "t"]
    return "".join(parts)


def _shared_strings(pkg: Package, part: str | None) -> list[str]:
    if part is None:
        return []
    out = []
    with pkg.zip.open(part) as f:
        for si in _iter(f, "si"):
            out.append(_text(si))
            si.clear()
    return out


def _date_styles(pkg: Package, part: str | None) -> set:
    """The cell-style indexes (xf) whose number format shows a date or a time."""
    if part is None:
        return set()
    root = etree.fromstring(pkg.read(part), etree.XMLParser(resolve_entities=False, no_network=True))
    custom = {}
    for el in root.iter():
        if _local(el.tag) == "numFmt":
            code = _QUOTED.sub("", el.get("formatCode", "")).lower()
            custom[int(el.get("numFmtId", "0"))] = bool(re.search(r"[ymdhs]", code)) and "general" not in code
    xfs = next((el for el in root if _local(el.tag) == "cellXfs"), None)
    out = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        fid = int(xf.get("numFmtId", "0"))
        if fid in DATE_FORMATS or custom.get(fid, False):
            out.add(i)
    return out


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def sheets(path) -> list[tuple[str, list[int], list[list]]]:
    """[(sheet name, Excel row numbers, rows)] of the workbook: rows hold the first MAX_COLUMNS
    columns of every row with a value, as Python values (datetime for date-formatted numbers).
    Raises PackageError (Chinese) for a file that is not a readable workbook."""
    with Package(path, "导出文件") as pkg:
        main = next((pkg.find(r) for r in (Relationships(pkg.read("_rels/.rels"), "").part(rel) for rel in
                     Relationships(pkg.read("_rels/.rels"), "").of_kind("officeDocument")) if pkg.find(r)), None)
        if main is None:
            raise PackageError("导出文件中找不到工作簿主体（workbook.xml），文件已损坏或不是 Excel 工作簿。")
        rels = Relationships(pkg.read(rels_part(main)), main)
        wb = Workbook(pkg.read(main), "导出文件")
        by_kind = {}
        for r in rels:
            by_kind.setdefault(r.get("Type", "").rstrip("/").rsplit("/", 1)[-1], rels.part(r))
        strings = _shared_strings(pkg, pkg.find(by_kind.get("sharedStrings", "")) if "sharedStrings" in by_kind else None)
        dates = _date_styles(pkg, pkg.find(by_kind["styles"]) if "styles" in by_kind else None)
        out = []
        for sheet in wb.sheets:
            rel = rels.get(Workbook.rid(sheet))
            part = pkg.find(rels.part(rel)) if rel is not None else None
            if part is None:
                continue
            out.append((sheet.get("name", ""), *_rows(pkg, part, strings, dates)))
        return out


def _rows(pkg: Package, part: str, strings: list, dates: set) -> tuple[list[int], list[list]]:
    numbers, rows = [], []
    serials: list = []                       # (row list, column, serial) converted together
    r_next = 1
    with pkg.zip.open(part) as f:
        for row in _iter(f, "row"):
            r = int(row.get("r") or r_next)
            r_next = r + 1
            cells, c_next = {}, 0
            for c in row:
                if _local(c.tag) != "c":
                    continue
                ref = c.get("r")
                m = _COLUMN.match(ref or "")
                j = _col(m.group(1)) if m else c_next
                c_next = j + 1
                if j >= MAX_COLUMNS:
                    continue
                t = c.get("t", "n")
                v = next((x for x in c if _local(x.tag) == "v"), None)
                if t == "inlineStr":
                    value = _text(next((x for x in c if _local(x.tag) == "is"), c))
                elif v is None or v.text is None:
                    continue
                elif t == "s":
                    k = int(v.text)
                    value = strings[k] if 0 <= k < len(strings) else ""
                elif t == "b":
                    value = v.text.strip() == "1"
                elif t in ("str", "e", "d"):
                    value = v.text
                else:
                    try:
                        value = float(v.text)
                    except ValueError:
                        value = v.text
                    if isinstance(value, float) and int(c.get("s", "0") or 0) in dates:
                        serials.append((len(rows), j, value))
                if value != "" and value is not None:
                    cells[j] = value
            row.clear()
            if cells:
                width = max(cells) + 1
                rows.append([cells.get(j) for j in range(width)])
                numbers.append(r)
    if serials:
        got, bad = from_serial([s for _, _, s in serials])
        for (i, j, s), d, b in zip(serials, got, bad):
            rows[i][j] = s if b else d.astype("datetime64[s]").item()
    return numbers, rows


__all__ = ["sheets", "PackageError", "MAX_COLUMNS"]
