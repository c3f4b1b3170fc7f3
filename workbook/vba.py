"""A VBA project (``vbaProject.bin``) built from the VBA source files kept in ``workbook/vba/``.

Written to [MS-OVBA]: the module streams hold the source compressed with the format's own
algorithm (2.4.1) and no compiled code; ``_VBA_PROJECT`` says so (version 0xFFFF), so Excel
compiles the project from the source when the file is opened — the same approach as the
vbaProject-Compiler / ms-ovba project, written here because its 0.0.x releases write their
working files into the current folder. The container is :mod:`workbook.cfb`.

Document modules (``ThisWorkbook`` and one per worksheet) carry the ``codeName`` the workbook
XML gives each sheet; a project whose document modules do not match the workbook's codeNames is
what makes Excel add duplicates and ignore event code.

Sources are ASCII on purpose: VBA stores source in the project's ANSI code page, so Chinese in
a module would show as garbage on a PC whose system code page differs. Chinese messages are
built at run time from code points (``Zh("…")`` in kpi4s.bas); labels live in the ribbon XML.
"""
from __future__ import annotations

import re
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

from workbook import cfb

CODEPAGE = 1252                 # sources are ASCII; see the module docstring
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"     # Excel's Workbook class
SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"        # Excel's Worksheet class
HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_CLS_HEADER = re.compile(r"\AVERSION 1\.0 CLASS\r?\nBEGIN\r?\n(?:.*\r?\n)*?END\r?\n")
_NAME = re.compile(r'^Attribute VB_Name = "([A-Za-z][A-Za-z0-9_]{0,30})"\s*$', re.M)


@dataclass(frozen=True)
class Module:
    name: str
    source: str                 # the stored text: Attribute lines first, CRLF line ends
    document: bool = False      # ThisWorkbook / a worksheet (else a standard module)


# --------------------------------------------------------------------------- sources
def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _check_ascii(text: str, where: str) -> None:
    bad = [c for c in text if ord(c) > 126 or (ord(c) < 32 and c not in "\r\n\t")]
    if bad:
        raise ValueError(f"{where}: VBA source must be ASCII (found {bad[0]!r}); build Chinese text with Zh()")


def standard_module(path: Path) -> Module:
    """A .bas file as exported by the VBA editor (first line ``Attribute VB_Name = "…"``)."""
    text = _crlf(Path(path).read_text(encoding="ascii"))
    _check_ascii(text, Path(path).name)
    m = _NAME.search(text)
    if not m or not text.startswith("Attribute VB_Name"):
        raise ValueError(f"{Path(path).name}: the first line must be Attribute VB_Name = \"…\"")
    return Module(m.group(1), text if text.endswith("\r\n") else text + "\r\n")


def document_module(name: str, path: Path | None = None, workbook: bool = False) -> Module:
    """A document module (ThisWorkbook or a sheet) from an exported .cls, or empty: the stored
    text Excel itself writes (VB_Base names the host class; TemplateDerived/Customizable)."""
    code = ""
    if path is not None:
        text = _crlf(Path(path).read_text(encoding="ascii"))
        _check_ascii(text, Path(path).name)
        text = _CLS_HEADER.sub("", text)
        m = _NAME.search(text)
        if not m or m.group(1) != name:
            raise ValueError(f"{Path(path).name}: Attribute VB_Name must be \"{name}\"")
        code = "".join(line + "\r\n" for line in text.split("\r\n")
                       if line and not line.startswith("Attribute VB_"))
    head = [f'Attribute VB_Name = "{name}"', f'Attribute VB_Base = "{WORKBOOK_BASE if workbook else SHEET_BASE}"',
            "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
            "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
            "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
    return Module(name, "\r\n".join(head) + "\r\n" + code, document=True)


def code_lines(source: str) -> list[str]:
    """The code of a module without its Attribute lines and class header (to compare sources)."""
    text = _CLS_HEADER.sub("", source.replace("\r\n", "\n").replace("\r", "\n"))
    return [line for line in text.split("\n") if not line.startswith("Attribute VB_")]


# --------------------------------------------------------------------------- [MS-OVBA] 2.4.1
def compress(data: bytes) -> bytes:
    """The CompressedContainer of ``data`` (signature byte, then 4,096-byte chunks)."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        out += _compress_chunk(data[start:start + 4096])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = bytearray()
    pos, n = 0, len(chunk)
    seen: dict[bytes, list[int]] = {}
    while pos < n:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            bit_count = max((pos - 1).bit_length(), 4) if pos > 0 else 4
            max_len = (0xFFFF >> bit_count) + 3
            best_len, best_at = 0, 0
            for cand in reversed(seen.get(chunk[pos:pos + 3], ())):
                length = 0
                while pos + length < n and length < max_len and chunk[cand + length] == chunk[pos + length]:
                    length += 1
                if length > best_len:
                    best_len, best_at = length, cand
                    if length == max_len:
                        break
            step = best_len if best_len >= 3 else 1
            if best_len >= 3:
                token = ((pos - best_at - 1) << (16 - bit_count)) | (best_len - 3)
                body += struct.pack("<H", token)
                flags |= 1 << bit
            else:
                body.append(chunk[pos])
            for p in range(pos, pos + step):
                seen.setdefault(chunk[p:p + 3], []).append(p)
            pos += step
        body[flag_at] = flags
    if len(body) > 4096 and n == 4096:          # incompressible: a raw chunk
        return struct.pack("<H", 0x3000 | 4095) + chunk
    return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + bytes(body)


# --------------------------------------------------------------------------- [MS-OVBA] 2.4.3
def encrypt(project_id: str, data: bytes, seed: int = 0x42) -> str:
    """Data Encryption (CMG / DPB / GC values of the PROJECT stream), as upper-case hex."""
    key = sum(project_id.encode("ascii")) & 0xFF
    out = [seed, seed ^ 2, seed ^ key]
    plain1, enc1, enc2 = key, seed ^ key, seed ^ 2
    ignored = (seed & 6) // 2
    for byte in [0] * ignored + list(struct.pack("<I", len(data))) + list(data):
        enc = byte ^ ((enc2 + plain1) & 0xFF)
        out.append(enc)
        enc2, enc1, plain1 = enc1, enc, byte
    return bytes(out).hex().upper()


def decrypt(project_id: str, hex_text: str) -> bytes:
    """The inverse of :func:`encrypt` (used to check values written by Excel and by us)."""
    raw = bytes.fromhex(hex_text)
    seed, key = raw[0], raw[2] ^ raw[0]
    if raw[1] ^ seed != 2 or key != sum(project_id.encode("ascii")) & 0xFF:
        raise ValueError("not an [MS-OVBA] encrypted value for this project id")
    plain1, enc1, enc2 = key, raw[2], raw[1]
    out = []
    for enc in raw[3:]:
        byte = enc ^ ((enc2 + plain1) & 0xFF)
        out.append(byte)
        enc2, enc1, plain1 = enc1, enc, byte
    ignored = (seed & 6) // 2
    length = struct.unpack("<I", bytes(out[ignored:ignored + 4]))[0]
    return bytes(out[ignored + 4:ignored + 4 + length])


# --------------------------------------------------------------------------- streams
def _record(rid: int, data: bytes = b"") -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _mbcs(text: str) -> bytes:
    return text.encode(f"cp{CODEPAGE}")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def dir_stream(name: str, modules: list[Module]) -> bytes:
    """The (uncompressed) dir stream: project information, no references, the modules."""
    out = [
        _record(0x0001, struct.pack("<I", 3)),                 # SYSKIND: 64-bit Windows
        _record(0x0002, struct.pack("<I", 0x0409)),            # LCID
        _record(0x0014, struct.pack("<I", 0x0409)),            # LCIDINVOKE
        _record(0x0003, struct.pack("<H", CODEPAGE)),
        _record(0x0004, _mbcs(name)),
        _record(0x0005, b""), _record(0x0040, b""),            # DOCSTRING (+ unicode)
        _record(0x0006, b""), _record(0x003D, b""),            # HELPFILEPATH 1 and 2
        _record(0x0007, struct.pack("<I", 0)),                 # HELPCONTEXT
        _record(0x0008, struct.pack("<I", 0)),                 # LIBFLAGS
        struct.pack("<HIIH", 0x0009, 4, 0x6901E03F, 2),        # VERSION (reserved size 4)
        _record(0x000C, b""), _record(0x003C, b""),            # CONSTANTS (+ unicode)
        _record(0x000F, struct.pack("<H", len(modules))),
        _record(0x0013, struct.pack("<H", 0xFFFF)),            # PROJECTCOOKIE
    ]
    for m in modules:
        out += [_record(0x0019, _mbcs(m.name)), _record(0x0047, _utf16(m.name)),
                _record(0x001A, _mbcs(m.name)), _record(0x0032, _utf16(m.name)),
                _record(0x001C, b""), _record(0x0048, b""),
                _record(0x0031, struct.pack("<I", 0)),         # MODULEOFFSET: no compiled cache
                _record(0x001E, struct.pack("<I", 0)),
                _record(0x002C, struct.pack("<H", 0xFFFF)),
                _record(0x0022 if m.document else 0x0021),
                _record(0x002B)]
    out.append(_record(0x0010))
    return b"".join(out)


def project_stream(name: str, modules: list[Module], project_id: str) -> bytes:
    lines = [f'ID="{project_id}"']
    lines += [f"Document={m.name}/&H00000000" if m.document else f"Module={m.name}" for m in modules]
    lines += [f'Name="{name}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
              f'CMG="{encrypt(project_id, bytes(4))}"',             # not protected
              f'DPB="{encrypt(project_id, bytes(1))}"',             # no password
              f'GC="{encrypt(project_id, bytes([0xFF]))}"',         # visible
              "", "[Host Extender Info]", HOST_EXTENDER, "", "[Workspace]"]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return _mbcs("\r\n".join(lines) + "\r\n")


def project_wm(modules: list[Module]) -> bytes:
    return b"".join(_mbcs(m.name) + b"\0" + _utf16(m.name) + b"\0\0" for m in modules) + b"\0\0"


def vba_project(name: str, modules: list[Module], project_id: str | None = None) -> bytes:
    """``vbaProject.bin`` holding these modules (document modules first, as Excel orders them)."""
    names = [m.name for m in modules]
    if len(set(n.casefold() for n in names)) != len(names) or name.casefold() in {n.casefold() for n in names}:
        raise ValueError(f"module names must be unique and differ from the project name: {names}")
    pid = project_id or "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "kpi4s/" + name + "/" + ",".join(names))).upper() + "}"
    streams = {"PROJECT": project_stream(name, modules, pid), "PROJECTwm": project_wm(modules),
               "VBA/_VBA_PROJECT": struct.pack("<HHBH", 0x61CC, 0xFFFF, 0, 3),
               "VBA/dir": compress(dir_stream(name, modules))}
    for m in modules:
        streams[f"VBA/{m.name}"] = compress(_mbcs(m.source))
    return cfb.write(streams)
