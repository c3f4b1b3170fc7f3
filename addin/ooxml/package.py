"""The zip layer of an OPC package: guarded reading, raw member copy, precomputed deflate streams.

Reading checks the central directory before anything is inflated (a zip bomb is refused,
not unpacked). Writing copies unchanged members' compressed bytes as they are — the input
sheets of a group workbook are tens of megabytes of XML that did not change — and can write
a member whose deflate stream was computed elsewhere (in a forked child, parallel.py).
"""
from __future__ import annotations

import copy
import io
import posixpath
import struct
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote

MAX_TOTAL = 1 << 30          # declared uncompressed bytes of the whole package
MAX_RATIO = 200              # declared uncompressed / compressed bytes of one member …
RATIO_FLOOR = 1 << 20        # … checked for members above 1 MiB (tiny parts prove nothing)
LEVEL = 1                    # deflate level of rewritten parts: speed over a few per cent size
_EPOCH = (1980, 1, 1, 0, 0, 0)   # fixed timestamp: the same input gives the same bytes


class PackageError(Exception):
    """The file is not a workbook package this module can edit; the message is for the user."""

    def __init__(self, message_zh: str):
        super().__init__(message_zh)
        self.message_zh = message_zh


# ---------------------------------------------------------------------------- part names
def rels_part(part: str) -> str:
    """The relationships part of `part` ("" is the package itself)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def source_of(rels: str) -> str | None:
    """The part whose relationships `rels` holds; None when it is not a .rels part name."""
    folder, name = posixpath.split(rels)
    if posixpath.basename(folder) != "_rels" or not name.endswith(".rels"):
        return None
    return posixpath.join(posixpath.dirname(folder), name[:-len(".rels")])


def resolve(source: str, target: str) -> str:
    """Part name of a relationship target (relative to the source's folder, or absolute)."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def relative(source: str, part: str) -> str:
    """The relationship target of `part` as seen from `source`."""
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


# ---------------------------------------------------------------------------- reading
class Package:
    """A zip package opened for reading; part names are matched case-insensitively (OPC)."""

    def __init__(self, source: bytes | str | Path, label: str = "工作簿"):
        self.label = label
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            raise PackageError(f"{label}不是有效的 Excel 文件（xlsx/xlsm），可能已损坏或已加密：{exc}") from exc
        self.infos = self.zip.infolist()
        self.names = [i.filename for i in self.infos]
        self._by_lower: dict[str, str] = {}
        try:
            for name in self.names:
                if name.lower() in self._by_lower:
                    raise PackageError(f"{label}中的文件条目「{name}」重复，文件已损坏。")
                self._by_lower[name.lower()] = name
            self._check_sizes()
        except PackageError:
            self.zip.close()
            raise

    def _check_sizes(self) -> None:
        total = sum(i.file_size for i in self.infos)
        if total > MAX_TOTAL:
            raise PackageError(f"{self.label}解压后达 {total / (1 << 30):.1f} GiB，超过 {MAX_TOTAL >> 30} GiB 上限，"
                               "疑似损坏或恶意构造的文件，已拒绝处理。")
        for i in self.infos:
            if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise PackageError(f"{self.label}中的「{i.filename}」压缩比异常（{i.file_size} 字节压缩为 "
                                   f"{i.compress_size} 字节），疑似压缩炸弹，已拒绝处理。")
            if i.flag_bits & 0x01:
                raise PackageError(f"{self.label}中的「{i.filename}」已加密，无法处理。")

    def find(self, name: str) -> str | None:
        """The stored spelling of part `name`, None when absent."""
        return self._by_lower.get(name.lower())

    def read(self, name: str) -> bytes | None:
        """A part's bytes, None when absent (never more than its declared size)."""
        found = self.find(name)
        return None if found is None else self.zip.read(found)

    def head(self, name: str, size: int = 4096) -> bytes | None:
        """The first ``size`` bytes of a part (without inflating the rest), None when absent."""
        found = self.find(name)
        if found is None:
            return None
        with self.zip.open(found) as f:
            return f.read(size)

    def close(self) -> None:
        self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------- writing
def deflate(*chunks: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of the chunks' concatenation, as zipfile would write it."""
    comp = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    crc, size, out = 0, 0, []
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out.append(comp.compress(chunk))
    out.append(comp.flush())
    return b"".join(out), crc, size


class PackageWriter:
    """A zip being written: new parts, raw copies, precomputed deflate streams."""

    def __init__(self, path: str | Path):
        self.zip = zipfile.ZipFile(path, "w")     # members are added by _append, compressed by us

    def write(self, name: str, data: bytes) -> None:
        self.write_deflated(name, *deflate(data))

    def copy_raw(self, src: Package, info: zipfile.ZipInfo) -> None:
        """Copy a member's compressed bytes without inflating them."""
        fp = src.zip.fp
        fp.seek(info.header_offset)
        head = fp.read(30)
        if head[:4] != b"PK\x03\x04":
            raise PackageError(f"{src.label}中「{info.filename}」的本地文件头损坏。")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        fp.seek(info.header_offset + 30 + name_len + extra_len)
        zi = copy.copy(info)
        zi.flag_bits &= ~0x08                  # sizes go in the local header, no data descriptor
        zi.extra = b""                         # old zip64/timestamp fields; FileHeader adds zip64 if needed
        self._append(zi, fp.read(info.compress_size))

    def write_deflated(self, name: str, data: bytes, crc: int, size: int) -> None:
        """Write a member whose raw deflate stream, CRC and size were computed elsewhere."""
        zi = zipfile.ZipInfo(name, date_time=_EPOCH)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.CRC, zi.file_size, zi.compress_size = crc & 0xFFFFFFFF, size, len(data)
        self._append(zi, data)

    def _append(self, zi: zipfile.ZipInfo, data: bytes) -> None:
        # zipfile has no public call for "these bytes are already compressed": write the local
        # header and data ourselves and register the entry for the central directory
        out = self.zip
        zi.header_offset = out.fp.tell()
        out.fp.write(zi.FileHeader())
        out.fp.write(data)
        out.filelist.append(zi)
        out.NameToInfo[zi.filename] = zi
        out.start_dir = out.fp.tell()
        out._didModify = True

    def close(self) -> None:
        self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
