"""A workbook file checked before anything is read from it.

The reader (python-calamine) builds a dense grid from A1 to the last cell that holds a value,
so one stray space at XFD1048576 asks it for 17 billion cells and the process dies without a
word; a zip bomb inflates gigabytes; an .xls, a .docx renamed .xlsx, an encrypted or Strict
Open XML file fails deep inside a library. Here, from the zip's central directory and one
pass over each sheet's XML (regular expressions over the bytes, no XML tree), every such
file gets one Chinese message naming the sheet and the cell to delete — before the reader
sees it:

* :func:`open_package` — the file's signature (.xls / encrypted / not a zip), the directory's
  declared sizes and compression ratios, encryption, and the workbook part (x:-prefixed,
  long-form or default-namespace workbook.xml alike);
* :func:`scan_sheet` — a sheet's used range (cells holding values, explicit ``r`` references
  or implied by position), stray cells far outside the table, and formula cells saved
  without a cached value (files written by scripts: calamine would read them as blanks).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import numpy as np
from lxml import etree

from .problems import BookError, Problem

MAX_TOTAL = 1 << 30          # declared uncompressed bytes of the whole package
MAX_RATIO = 200              # declared uncompressed / compressed bytes of one member …
RATIO_FLOOR = 1 << 20        # … checked for members above 1 MiB (tiny parts prove nothing)
MAX_SHEET_BYTES = 256 << 20  # uncompressed XML of one sheet that is read (a year of a group: ~40 MiB)
MAX_COLUMNS = 256            # columns of a table sheet (IV); the widest schema sheet has 24
MAX_CELLS = 10_000_000       # rows × columns the reader may allocate for one sheet (~400 MiB)
MAX_GAP = 10_000             # content this many empty rows below the rest of a sheet is stray
SHOWN = 10                   # stray cells named per sheet
STREAMED = b"<!--kpi4s:rows-->"   # addin.ooxml.rows.MARK: a sheet whose rows are as kpi4s wrote them

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
BINARY_WORKBOOK = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
SAVE_AS = "请在 Excel（或 WPS）中打开，另存为「Excel 工作簿 (*.xlsx)」后重试"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class FileProblem(BookError):
    """The file cannot be read as a store workbook; nothing was read or written."""

    def __init__(self, problems, title: str = "无法读取此工作簿文件，未写入任何内容"):
        super().__init__(problems, title)


def _fail(path: Path, message: str) -> FileProblem:
    return FileProblem([Problem(path.name, None, None, message)])


# --------------------------------------------------------------------------- the zip directory
def directory_problem(infos, label: str = "工作簿") -> str | None:
    """The zip directory judged before anything is inflated: declared total size, each large
    member's compression ratio (a zip bomb), encrypted members. None when fine."""
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL:
        return (f"{label}解压后达 {total / (1 << 30):.1f} GiB，超过 {MAX_TOTAL >> 30} GiB 上限，"
                "疑似损坏或恶意构造的文件（压缩炸弹），已拒绝处理。")
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            return (f"{label}中的「{i.filename}」压缩比异常（{i.file_size} 字节压缩为 {i.compress_size} 字节），"
                    "疑似压缩炸弹，已拒绝处理。")
        if i.flag_bits & 0x01:
            return f"{label}中的「{i.filename}」已加密，无法处理；请取消密码后另存为 .xlsx。"
    return None


def signature_problem(path: Path) -> str | None:
    """What the first bytes say about a file that should be an .xlsx/.xlsm (None when a zip)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except IsADirectoryError:
        return "这是一个文件夹，不是工作簿文件。"
    except PermissionError:
        return "没有读取此文件的权限。"
    except OSError as exc:
        return f"无法读取此文件（{exc.strerror or exc}）。"
    if head.startswith(ZIP):
        return None
    if head.startswith(OLE):
        return ("这是旧版 Excel 97-2003 工作簿（.xls）或设置了打开密码的工作簿，kpi4s 无法直接处理；"
                f"{SAVE_AS}（如有打开密码请先取消）。")
    if not head:
        return "文件是空的（0 字节），不是 Excel 工作簿。"
    return f"不是 Excel 工作簿（.xlsx/.xlsm）文件，可能已损坏，或是改了扩展名的其他文件；{SAVE_AS}。"


@dataclass
class Package:
    """An .xlsx/.xlsm opened for checking: its zip, and sheet name → worksheet part."""

    zip: zipfile.ZipFile
    sheets: dict = field(default_factory=dict)      # sheet name → part name (worksheets only)

    def close(self) -> None:
        self.zip.close()


def _xml(zf: zipfile.ZipFile, name: str, path: Path) -> etree._Element:
    try:
        return etree.fromstring(zf.read(name), _PARSER)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _fail(path, f"文件中的「{name}」已损坏（{exc}）；{SAVE_AS}。") from None
    except etree.XMLSyntaxError as exc:
        raise _fail(path, f"文件中的「{name}」不是完整的 XML（{exc}），文件已损坏；{SAVE_AS}。") from None


def _find(names: dict, name: str) -> str | None:
    return names.get(name.lstrip("/").lower())


def _rels(zf, names, part: str, path: Path) -> dict:
    """Relationship id → (type, target part) of ``part``."""
    folder, base = posixpath.split(part)
    found = _find(names, posixpath.join(folder, "_rels", base + ".rels"))
    if found is None:
        return {}
    out = {}
    for rel in _xml(zf, found, path).iter("{*}Relationship"):
        target = unquote((rel.get("Target") or "").split("#", 1)[0])
        target = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                    else posixpath.join(folder, target)).lstrip("/")
        out[rel.get("Id")] = (rel.get("Type") or "", target, rel.get("TargetMode") == "External")
    return out


def open_package(path) -> Package:
    """The file as a workbook package, or FileProblem with one clear message."""
    path = Path(path)
    if not path.exists():
        raise _fail(path, "文件不存在。")
    message = signature_problem(path)
    if message:
        raise _fail(path, message)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise _fail(path, f"文件已损坏，无法作为 Excel 工作簿打开（{exc}）；{SAVE_AS}。") from None
    try:
        return _package(zf, path)
    except BaseException:
        zf.close()
        raise


def _package(zf: zipfile.ZipFile, path: Path) -> Package:
    message = directory_problem(zf.infolist(), "文件")
    if message:
        raise _fail(path, message)
    names: dict = {}
    for n in zf.namelist():
        if n.lower() in names:
            raise _fail(path, f"文件中的条目「{n}」重复出现，文件已损坏；{SAVE_AS}。")
        names[n.lower()] = n
    if "mimetype" in names and zf.read(names["mimetype"]).startswith(b"application/vnd.oasis.opendocument"):
        raise _fail(path, f"这是 OpenDocument 表格（.ods，LibreOffice/WPS 的格式），kpi4s 需要 .xlsx；{SAVE_AS}。")
    if "[content_types].xml" not in names:
        raise _fail(path, f"文件缺少 [Content_Types].xml，不是完整的 Excel 工作簿（已损坏）；{SAVE_AS}。")
    main = next((t for typ, t, ext in _rels(zf, names, "", path).values()
                 if typ.rstrip("/").endswith("/officeDocument") and not ext), None)
    found = _find(names, main) if main else None
    if found is None:
        raise _fail(path, "不是 Excel 工作簿：文件中找不到工作簿主体（workbook.xml），可能是 Word/PowerPoint 文件改了"
                          f"扩展名，或文件已损坏；{SAVE_AS}。")
    if found.lower().endswith(".bin"):
        raise _fail(path, f"这是 Excel 二进制工作簿（.xlsb），kpi4s 无法处理；{SAVE_AS}。")
    root = _xml(zf, found, path)
    ns = etree.QName(root).namespace or ""
    if ns == STRICT_NS:
        raise _fail(path, "这是“Strict Open XML”格式的工作簿，kpi4s 暂不支持；" + SAVE_AS + "。")
    if ns != MAIN_NS or etree.QName(root).localname != "workbook":
        what = "Word 文档" if "wordprocessingml" in ns else "PowerPoint 演示文稿" if "presentationml" in ns else ""
        raise _fail(path, f"不是 Excel 工作簿：文件的主体是{what or '其他格式的内容'}（可能改了扩展名）；{SAVE_AS}。")
    rels = _rels(zf, names, found, path)
    sheets = {}
    for el in root.iter(f"{{{MAIN_NS}}}sheet"):
        rid = el.get(f"{{{REL_NS}}}id")
        if rid is None:
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
        typ, target, external = rels.get(rid, ("", "", True))
        part = None if external else _find(names, target)
        if part is not None and typ.rstrip("/").endswith("/worksheet"):
            sheets[el.get("name") or ""] = part
    return Package(zf, sheets)


# --------------------------------------------------------------------------- one sheet
def column_letters(col: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    s = ""
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class SheetScan:
    """What a sheet's XML says before it is read."""

    rows: int = 0                                     # last row holding a cell
    columns: int = 0                                  # last column holding a cell (bound)
    stray: list = field(default_factory=list)         # [(row, ref, why)] cells to delete
    too_big: str = ""                                 # the used range is too large to read
    uncached: list = field(default_factory=list)      # [(row, column number)] formulas never calculated


_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")


def scan_sheet(data: bytes) -> SheetScan:
    """The used range, stray cells and uncached formulas of a worksheet part's XML.

    Costs about one pass of a few C-level searches over the bytes (a 110,000-row sheet in
    well under 0.1 s): rows are found by splitting at the row tag, cells named beyond column Z
    by one regular expression, and only the few rows that matter are looked at closely.
    """
    out = SheetScan()
    m = _ROOT.search(data, 0, 65536)
    if m is None:
        return out
    p = (m.group(1) + b":") if m.group(1) else b""
    pe = re.escape(p)
    segments = data.split(b"<" + p + b"row")[1:]        # one per row element (and <rowBreaks>)
    found = re.findall(rb"<" + pe + rb'row r="(\d+)"', data)          # (r first: every writer we know)
    if len(found) < len(segments) - 1:
        found = re.findall(rb"<" + pe + rb'row\b[^>]*?\sr="(\d+)"', data)
    numbers = np.array(found).astype(np.int64)
    implied = max(len(segments) - len(numbers), 0)      # rows without r follow the previous one
    out.rows = int(numbers.max(initial=0)) + implied
    # columns: cells named beyond Z (few) …
    wide = re.findall(rb'r="([A-Z]{2,3})(\d+)"[^>]*?(/?)>(</' + pe + rb"c>)?", data)
    far = {(int(r), column_number(c)) for c, r, closed, empty in wide if not closed and not empty}
    out.columns = max([c for _, c in far], default=26 if out.rows else 0)
    # … and rows with more cells than a table has (a cell takes at least 4 bytes: <c/>)
    limit = 4 * MAX_COLUMNS
    long_rows = [s for s in segments if len(s) > limit]
    for seg in long_rows:
        n = sum(seg.count(b"<" + p + b"c" + end) for end in (b" ", b">", b"/>"))
        if n > MAX_COLUMNS and not any(c > MAX_COLUMNS for _, c in far):
            r = re.match(rb'[^>]*?\sr="(\d+)"', seg)
            far.add((int(r.group(1)) if r else out.rows, n))
        out.columns = max(out.columns, n)
    for r, c in sorted(far):
        if c > MAX_COLUMNS:
            out.stray.append((r, f"{column_letters(c)}{r}", f"在第 {c} 列，超出表格范围（最多 {MAX_COLUMNS} 列）"))
    # rows far below everything else (rows that hold no value do not count)
    rows = numbers if (np.diff(numbers) > 0).all() else np.unique(numbers)
    jumps = np.flatnonzero(np.diff(rows) > MAX_GAP)
    if jumps.size:
        named = {ref for _, ref, _ in out.stray}
        below = [int(r) for r in rows[jumps[0] + 1:]]
        held = [(r, cell) for r in below[:SHOWN * 10] for cell in [_first_value_cell(data, pe, r)] if cell]
        gap = int(rows[jumps[0] + 1] - rows[jumps[0]] - 1)
        for r, cell in held[:SHOWN]:
            if cell not in named:
                out.stray.append((r, cell, f"与上方内容相隔 {gap:,} 个空行，远在表格之外"))
        if len(held) > SHOWN:
            out.stray.append((held[SHOWN][0], "", f"……第 {held[SHOWN][0]} 行起还有 {len(below) - SHOWN} 行表格以外的内容"))
        if held:
            out.rows = max(out.rows, held[-1][0])
        else:
            out.rows = int(rows[jumps[0]]) + implied
    if out.rows * max(out.columns, 1) > MAX_CELLS and not out.stray:
        out.too_big = (f"已用区域达 {out.rows:,} 行 × {out.columns} 列，超出 kpi4s 能读取的范围"
                       f"（最多 {MAX_CELLS:,} 个单元格）；请删除表格以外的内容，或把历史数据移到另一个工作簿")
    if data.find(STREAMED, 0, 1 << 20) < 0:             # rows we streamed ourselves hold no formula
        out.uncached = _uncached(data, p)
    return out


def _first_value_cell(data: bytes, pe: bytes, row: int) -> str:
    """The first cell of row ``row`` that holds a value ('' when the row holds none)."""
    m = re.search(rb"<" + pe + rb'row\b[^>]*?\sr="%d"[^>]*?(/?)>' % row, data)
    if m is None or m.group(1):
        return ""
    end = re.compile(rb"</" + pe + rb"row>").search(data, m.end())
    seg = data[m.end():end.start() if end else len(data)]
    col = 0
    for cm in re.finditer(rb"<" + pe + rb'c\b([^>]*?)(/?)>', seg):
        ref = re.search(rb'\sr="([A-Z]{1,3})\d+"', b" " + cm.group(1))
        col = column_number(ref.group(1)) if ref else col + 1
        if cm.group(2):
            continue
        close = seg.find(b"</", cm.end())
        if re.match(rb"\s*<" + pe + rb"(?:v|is)\b", seg[cm.end():close + 2] if close >= 0 else b""):
            return f"{column_letters(col)}{row}"
    return ""


_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _uncached(data: bytes, p: bytes) -> list[tuple[int, int]]:
    """Formula cells without a calculated value (no <v>, or an empty <v> where the result is not
    text — what openpyxl and other scripts write): [(row, column number)]."""
    out = []
    cell_open, cell_close, value = b"<" + p + b"c", b"</" + p + b"c>", b"<" + p + b"v"
    tag = b"<" + p + b"f"
    at = data.find(tag)
    while at >= 0 and data[at + len(tag):at + len(tag) + 1] not in (b">", b" ", b"/"):
        at = data.find(tag, at + 1)                  # (<formula1> of a validation is no formula)
    if at < 0:
        return out
    for fm in _FORMULA.finditer(data):
        start = max(data.rfind(cell_open + b" ", 0, fm.start()), data.rfind(cell_open + b">", 0, fm.start()))
        stop = data.find(cell_close, fm.start())
        if start < 0 or stop < 0 or data.find(cell_close, start, fm.start()) >= 0:   # not inside a cell
            continue
        tag = data[start + len(cell_open):data.find(b">", start)]
        v = data.find(value, fm.start(), stop)
        if v >= 0:
            empty = re.match(rb"<" + re.escape(p) + rb"v\s*(?:/>|>\s*</" + re.escape(p) + rb"v>)", data[v:stop])
            if not empty or re.search(rb'\st="str"', tag):        # a value, or an empty text result
                continue
        ref = re.search(rb'\sr="([A-Z]{1,3})(\d+)"', tag)
        if ref:
            out.append((int(ref.group(2)), column_number(ref.group(1))))
    return out


def sheet_xml(pkg: Package, sheet: str, path: Path) -> bytes | None:
    """A worksheet's XML (None for a chartsheet or a sheet without a part)."""
    part = pkg.sheets.get(sheet)
    if part is None:
        return None
    info = pkg.zip.getinfo(part)
    if info.file_size > MAX_SHEET_BYTES:
        raise _fail(path, f"工作表「{sheet}」解压后达 {info.file_size >> 20} MiB，超出 kpi4s 能读取的范围"
                          f"（{MAX_SHEET_BYTES >> 20} MiB）；请删除表格以外的内容，或把历史数据移到另一个工作簿。")
    try:
        return pkg.zip.read(part)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise FileProblem([Problem(sheet, None, None, f"工作表的数据已损坏（{exc}），无法读取；请在 Excel 中打开，"
                                                      "让它修复后另存为 .xlsx 再试。")]) from None


def check_sheets(path, sheets) -> dict:
    """Scan the named sheets of the workbook at ``path`` (those present); FileProblem listing
    every stray cell and oversized sheet. Returns {sheet: uncached formula cells}."""
    path = Path(path)
    pkg = open_package(path)
    problems: list = []
    uncached: dict = {}
    try:
        for sheet in sheets:
            data = sheet_xml(pkg, sheet, path)
            if data is None:
                continue
            scan = scan_sheet(data)
            for row, ref, why in scan.stray:
                problems.append(Problem(sheet, row, None, f"单元格 {ref} {why}，很可能是误输入；请删除该单元格后保存"
                                        if ref else why))
            if scan.too_big:
                problems.append(Problem(sheet, None, None, scan.too_big))
            if scan.uncached:
                uncached[sheet] = scan.uncached
    finally:
        pkg.close()
    if problems:
        raise FileProblem(problems, "工作表中有表格以外的内容，未读取、未写入任何内容")
    return uncached


UNCACHED = "公式未计算，请在 Excel 中打开并保存"

__all__ = ["FileProblem", "open_package", "check_sheets", "scan_sheet", "directory_problem", "signature_problem",
           "column_letters", "column_number", "UNCACHED", "MAX_COLUMNS", "MAX_GAP", "MAX_CELLS"]
