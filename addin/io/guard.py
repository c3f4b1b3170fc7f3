"""Refuse a workbook file that would exhaust memory before any reader opens it.

Two checks on the .xlsx/.xlsm package, reading only its zip directory and the first bytes of
each worksheet part (about a millisecond):

- the parts unpack to more than :data:`MAX_UNPACKED` bytes (a zip bomb);
- a worksheet reaches further than :data:`MAX_CELLS` cells from A1 (its ``<dimension ref>``,
  which Excel, WPS, LibreOffice and the Python writers all keep) — typically one stray cell
  typed at XFD1048576: the reader, which reads from A1, would allocate the whole rectangle
  (17 billion cells) and the process would abort.

Each finding is a Chinese message naming the sheet; the caller turns it into a Problem.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

MAX_UNPACKED = 512 * 1024 * 1024
MAX_CELLS = 10_000_000
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"")
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def _sheet_parts(z: zipfile.ZipFile) -> dict:
    """{worksheet part name: sheet name} from xl/workbook.xml and its relationships."""
    try:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    target = {r.get("Id"): r.get("Target", "") for r in rels.findall(".//{*}Relationship")}
    out = {}
    for s in book.findall(".//{*}sheet"):
        t = target.get(s.get(_REL), "")
        part = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
        out[part] = s.get("name", "")
    return out


def package_problems(path) -> list[tuple[str, str]]:
    """[(where, Chinese message)] that make the workbook unsafe to open; [] when it is fine (or
    is not a zip package at all: the reader then says what it is)."""
    path = Path(path)
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    with z:
        if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED:
            return [(path.name, f"工作簿解压后超过 {MAX_UNPACKED // 2**20} MB，疑似损坏或压缩炸弹，未读取")]
        out = []
        for part, name in _sheet_parts(z).items():
            try:
                with z.open(part) as fh:
                    head = fh.read(4096)
            except (KeyError, OSError, zipfile.BadZipFile, RuntimeError):
                continue
            m = _DIMENSION.search(head)
            if not m:
                continue
            letters, row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
            rows, cols = int(row), _col(letters)          # read from A1: the whole rectangle up to the end
            if rows * cols > MAX_CELLS:
                end = f"{letters.decode()}{rows}"
                out.append((name or part, f"使用范围一直到 {end}（{rows:,} 行 × {cols:,} 列），多半是远处误输入了单元格："
                                          "请删除多余的行和列后保存，再重新运行"))
        return out


__all__ = ["package_problems", "MAX_UNPACKED", "MAX_CELLS"]
