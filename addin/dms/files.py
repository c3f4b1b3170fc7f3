"""Opening DMS exports: .csv (UTF-8, UTF-16 or GBK/GB18030 — detected), .xlsx and .xls (also the
.xls files some DMS write that are really tab-separated text), a title line or two above the header,
any of the usual delimiters. Which export a file is (维修工单, 派工工时 …) is told by its headers
through the DMS映射, the file name breaking a tie.

Every problem is a Problem(file name, row, column, Chinese message); nothing here writes
anything but temporary UTF-8 copies of non-UTF-8 text files (in the caller's scratch folder).
"""
from __future__ import annotations

import codecs
import csv
import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from udfs import parse
from udfs import vocab as V
from udfs.vocab import key

from .mapping import Mapping

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES
DELIMITERS = (",", "\t", ";", "|")
HEAD_BYTES = 256 * 1024          # where the header line is looked for
HEADER_LINES = 30
CHUNK = 8 << 20


@dataclass
class Export:
    path: Path
    kind: str                    # udfs.vocab.DMS_EXPORT code
    fmt: str                     # "csv" | "excel"
    headers: list                # the header row as in the file
    columns: dict                # column key → position in the row
    encoding: str = ""
    csv_path: Path | None = None  # the UTF-8 text DuckDB reads (the file itself, or a transcoded copy)
    delimiter: str = ","
    skip: int = 0                # physical lines up to and including the header line
    frame: pd.DataFrame | None = None   # Excel: cells as text, columns c0…, plus _line (the Excel row)
    scratch: Path | None = None  # where a transcoded copy goes

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def label(self) -> str:
        return V.DMS_EXPORT.label(self.kind)

    def header_of(self, column: str) -> str:
        return str(self.headers[self.columns[column]]).strip()


def expand(paths) -> tuple[list[Path], list]:
    """Files and folders given by the user → export files (a folder: its .csv/.xlsx/.xls files,
    not recursively; Office lock files ~$… skipped). Missing paths are problems."""
    from addin.io.problems import Problem
    files, problems = [], []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUFFIXES
                           and not f.name.startswith(("~$", ".")))
            if not found:
                problems.append(Problem(str(p), None, None, "文件夹中没有 .csv/.xlsx/.xls 导出文件"))
            files += found
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Problem(str(p), None, None, "文件不存在"))
    unique = list(dict.fromkeys(f.resolve() for f in files))
    return [Path(f) for f in unique], problems


# --------------------------------------------------------------------------- text files
def detect_encoding(path: Path, whole: bool = False) -> str | None:
    """'utf-8' (with or without BOM), 'utf-16', or 'gb18030' (covers GBK and GB2312); None when
    the bytes are none of them. Only the file's head is read unless ``whole``: DuckDB checks the
    rest of a UTF-8 file as it reads it (see load.Loader, which asks again with whole=True)."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        for enc in ("utf-8", "gb18030"):
            dec = codecs.getincrementaldecoder(enc)()
            f.seek(0)
            try:
                while chunk := f.read(CHUNK if whole else HEAD_BYTES):
                    dec.decode(chunk)
                    if not whole:
                        break
                if whole:
                    dec.decode(b"", final=True)
                return enc
            except UnicodeDecodeError:
                continue
    return None


def transcode(path: Path, encoding: str, dest: Path) -> Path:
    """A UTF-8 copy of a text file (streamed)."""
    with open(path, "r", encoding=encoding, newline="") as src, open(dest, "w", encoding="utf-8", newline="") as out:
        while chunk := src.read(CHUNK):
            out.write(chunk)
    return dest


def _head_lines(path: Path, encoding: str) -> list[str]:
    with open(path, "r", encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="replace", newline="") as f:
        text = f.read(HEAD_BYTES)
    lines = text.splitlines()
    return lines[:-1] if len(lines) > 1 and len(text) >= HEAD_BYTES else lines


INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"))


def _split(line: str, delimiter: str) -> list[str]:
    return [c.translate(INVISIBLE).strip() for c in next(csv.reader([line], delimiter=delimiter), [])]


def _known(mapping: Mapping) -> set:
    return {w for words in mapping.headers.values() for w in words}


def find_header(lines: list, mapping: Mapping) -> tuple[int, str, list] | None:
    """(line index, delimiter, cells) of the first line naming ≥ 2 known headers (the delimiter
    that finds the most)."""
    known = _known(mapping)
    for i, line in enumerate(lines[:HEADER_LINES]):
        best = None
        for d in DELIMITERS:
            cells = _split(line, d)
            hits = sum(1 for c in cells if key(c) in known)
            if hits >= 2 and (best is None or hits > best[0]):
                best = (hits, d, cells)
        if best:
            return i, best[1], best[2]
    return None


# --------------------------------------------------------------------------- Excel files
def _excel_rows(path: Path) -> list[tuple[str, list, list]]:
    """[(sheet name, Excel row numbers, rows)] of an .xlsx (streamed: a stray cell far away costs
    nothing; a zip bomb is refused) or an .xls (python-calamine)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from .xlsx import sheets
        return sheets(path)
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(str(path))
    out = []
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out.append((name, list(range(1, len(rows) + 1)), rows))
    return out


def _cell_text(values: np.ndarray) -> np.ndarray:
    """Excel cells → text as a DMS would have written it (dates as YYYY-MM-DD HH:MM:SS)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    out = []
    for u in uniques:
        if hasattr(u, "hour") and hasattr(u, "year"):
            out.append(u.strftime("%Y-%m-%d %H:%M:%S"))
        elif hasattr(u, "year"):
            out.append(u.strftime("%Y-%m-%d"))
        elif isinstance(u, bool):
            out.append("是" if u else "否")
        else:
            out.append(parse.text_of(u) or None)
    table = np.array(out + [None], dtype=object)
    return table[codes]


def _excel_frame(numbers: list, rows: list, h: int, width: int) -> pd.DataFrame:
    """The rows below the header (position h) as text columns c0…, with their Excel rows in _line."""
    body, lines = rows[h + 1:], numbers[h + 1:]
    arr = np.full((len(body), width), None, dtype=object)
    for i, r in enumerate(body):
        n = min(len(r), width)
        arr[i, :n] = r[:n]
    frame = pd.DataFrame({f"c{j}": _cell_text(arr[:, j]) if len(body) else [] for j in range(width)})
    frame["_line"] = np.asarray(lines, dtype=np.int64)
    filled = frame.drop(columns="_line").notna().any(axis=1) if width else pd.Series(False, index=frame.index)
    return frame[filled].reset_index(drop=True)


# --------------------------------------------------------------------------- which export
def _named(name: str) -> str | None:
    """The export a file's name names (维修工单_2026-09.csv → ro), by the longest word that fits."""
    stem = key(Path(name).stem)
    hits = {}
    for e in V.DMS_EXPORT.entries:
        for w in (e.label,) + e.aliases:
            if not w.isascii() and key(w) in stem:
                hits[e.code] = max(hits.get(e.code, 0), len(w))
    if not hits:
        return None
    best = max(hits.values())
    top = [c for c, n in hits.items() if n == best]
    return top[0] if len(top) == 1 else None


def tell_kind(headers: list, mapping: Mapping, name: str) -> tuple[str | None, dict, str]:
    """(export code, {column: position}, why not) from the file name and the header row.

    A file whose name names an export (维修工单…, 派工…, 回访…) is that export; otherwise the export
    whose columns the header has most of. Either way its required columns must be there.
    """
    keys = [key(h) for h in headers]
    found = {e: mapping.find(e, keys) for e in V.DMS_EXPORT.codes}
    kind = _named(name)
    if kind is None:
        ranked = sorted(V.DMS_EXPORT.codes, key=lambda e: (len(found[e]), len(found[e]) / len(mapping.columns(e))),
                        reverse=True)
        kind = ranked[0]
        if not found[kind]:
            return None, {}, "表头中没有任何一种DMS导出的列名（" + "；".join(
                f"{V.DMS_EXPORT.label(e)}：{'、'.join(c.header for c in mapping.columns(e) if c.required)}"
                for e in V.DMS_EXPORT.codes) + "）；本店DMS的列名不同时，在 DMS映射「DMS中的名称」中添加"
    missing = [c for c in mapping.columns(kind) if c.required and c.key not in found[kind]]
    if missing:
        return None, {}, (f"作为「{V.DMS_EXPORT.label(kind)}」导出，缺少必需列：" +
                          "、".join(f"{c.header}（可写作 {mapping.spellings(kind, c.key) or '—'}）" for c in missing) +
                          "；本店DMS的列名不同时，在 DMS映射「DMS中的名称」中添加")
    return kind, found[kind], ""


def open_export(path: Path, mapping: Mapping, scratch: Path, problems: list) -> Export | None:
    """Recognise one export file; problems (file, row, column) and None when it cannot be read."""
    from addin.io.problems import Problem
    from addin.ooxml.package import PackageError
    name = path.name
    if path.stat().st_size == 0:
        problems.append(Problem(name, None, None, "文件为空"))
        return None
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        try:
            sheets = _excel_rows(path)
        except PackageError as exc:
            problems.append(Problem(name, None, None, getattr(exc, "message_zh", str(exc))))
            return None
        except Exception as exc:  # noqa: BLE001 - calamine: not a workbook; maybe text saved as .xls
            with open(path, "rb") as f:
                head = f.read(2048).lower()
            if b"<html" in head or b"<table" in head or b"<!doctype" in head:
                problems.append(Problem(name, None, None, "文件实际是网页(HTML)格式，不是 Excel 工作簿：请在 Excel 中打开后另存为 .xlsx 或 .csv"))
                return None
            if suffix != ".xls":
                problems.append(Problem(name, None, None, f"无法读取工作簿（文件损坏、加密或不是 Excel 文件）：{exc}"))
                return None
            return _open_text(path, mapping, scratch, problems)      # a DMS "xls" that is really text
        known = _known(mapping)
        best = None
        for sheet, numbers, rows in sheets:
            for i, row in enumerate(rows[:HEADER_LINES]):
                hits = sum(1 for v in row if key(parse.text_of(v).translate(INVISIBLE)) in known)
                if hits >= 2 and (best is None or hits > best[0]):
                    best = (hits, sheet, numbers, rows, i)
                    break
        if best is None:
            problems.append(Problem(name, None, None, "找不到表头行（前30行中没有 DMS映射 里的列名）"))
            return None
        _, sheet, numbers, rows, h = best
        headers = [parse.text_of(v).translate(INVISIBLE) for v in rows[h]]
        kind, cols, why = tell_kind(headers, mapping, name)
        if kind is None:
            problems.append(Problem(name, numbers[h], None, why))
            return None
        return Export(path, kind, "excel", headers, cols, frame=_excel_frame(numbers, rows, h, len(headers)))
    return _open_text(path, mapping, scratch, problems)


def _open_text(path: Path, mapping: Mapping, scratch: Path, problems: list) -> Export | None:
    from addin.io.problems import Problem
    name = path.name
    encoding = detect_encoding(path)
    if encoding is None:
        problems.append(Problem(name, None, None, "文件编码无法识别（支持 UTF-8、UTF-16、GBK/GB18030），或不是文本文件"))
        return None
    lines = _head_lines(path, encoding)
    if any("\x00" in line for line in lines[:5]):
        problems.append(Problem(name, None, None, "不是文本文件（含二进制内容）"))
        return None
    found = find_header(lines, mapping)
    if found is None:
        problems.append(Problem(name, None, None, "找不到表头行（前30行中没有 DMS映射 里的列名）"))
        return None
    line, delimiter, headers = found
    kind, cols, why = tell_kind(headers, mapping, name)
    if kind is None:
        problems.append(Problem(name, line + 1, None, why))
        return None
    csv_path = path
    if encoding != "utf-8":
        csv_path = transcode(path, encoding, scratch / f"{len(list(scratch.iterdir()))}.csv")
    return Export(path, kind, "csv", headers, cols, encoding, csv_path, delimiter, line + 1, scratch=scratch)


def reencode(export: Export) -> Export | None:
    """An export taken for UTF-8 from its head whose body is not: read as a whole, transcoded to
    UTF-8 when it is GBK/GB18030. None when it is no text encoding we read."""
    enc = detect_encoding(export.path, whole=True)
    if enc is None or enc == "utf-8" or export.scratch is None:
        return None
    dest = transcode(export.path, enc, export.scratch / f"{len(list(export.scratch.iterdir()))}.csv")
    return dataclasses.replace(export, encoding=enc, csv_path=dest)


def physical_lines(export: Export, records: list[int]) -> dict:
    """Record numbers (0-based, as DuckDB counted the data rows: blank lines skipped) → the
    file's line numbers (1-based), for the few rows a problem names."""
    want = sorted(set(records))
    out: dict = {}
    if not want:
        return out
    if export.frame is not None:
        lines = export.frame["_line"].to_numpy()
        return {r: int(lines[r]) for r in want if 0 <= r < len(lines)}
    with open(export.csv_path, "r", encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=export.delimiter)
        for _ in range(export.skip):
            next(reader, None)
        k, i = 0, 0
        for row in reader:
            if not row or all(not c.strip() for c in row) and len(row) <= 1:
                continue
            if k == want[i]:
                out[k] = reader.line_num
                i += 1
                if i == len(want):
                    break
            k += 1
    return out


__all__ = ["Export", "expand", "open_export", "detect_encoding", "physical_lines", "reencode"]
