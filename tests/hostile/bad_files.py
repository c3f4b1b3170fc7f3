"""Bad files: what is not a workbook kpi4s can read, or is one written by another program —
each built as a real file (from the hand-computed store where it starts from one), with what
the user must be told (None: valid, must succeed; "either": refused clearly or read harmlessly).
"""
from __future__ import annotations

import os
import re
import struct
import zipfile
from pathlib import Path

from corpus import book, rezip, sheet_part

from addin.io import schema as S


def _raw(data: bytes, name: str = "store.xlsx"):
    def build(f):
        p = Path(f) / name
        p.write_bytes(data)
        return p
    return build


def _zip_of(parts: dict):
    def build(f):
        p = Path(f) / "store.xlsx"
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            for n, d in parts.items():
                z.writestr(n, d)
        return p
    return build


def _truncated(f):
    p = book(f)
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    return p


def _corrupt_member(f):
    """Flip bytes inside the compressed data of the roster sheet (CRC / inflate error)."""
    p = book(f)
    part = sheet_part(p, S.ROSTER)
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as z:
        info = z.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 20, start + min(info.compress_size, 400), 7):
        data[k] ^= 0xFF
    p.write_bytes(bytes(data))
    return p


def _bomb(f):
    """A 200 MB roster sheet (spaces) deflated to a few hundred KB: refused from its directory."""
    p = book(f)
    part = sheet_part(p, S.ROSTER)
    with zipfile.ZipFile(p) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members:
            if n != part:
                z.writestr(n, d)
                continue
            with z.open(n, "w", force_zip64=True) as w:
                head, _, tail = d.partition(b"<sheetData>")
                w.write(head + b"<sheetData>")
                chunk = b" " * (1 << 20)
                for _ in range(200):
                    w.write(chunk)
                w.write(b"</sheetData>" + tail.partition(b"</sheetData>")[2])
    return p


def _declared_huge(f):
    """Central directory declaring 4 GB for one member (a crafted bomb): refused before inflating."""
    p = book(f)
    data = bytearray(p.read_bytes())
    at = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, at + 24, 0xFFFF0000)
    p.write_bytes(bytes(data))
    return p


def _docx_renamed(f):
    src = Path(__file__).resolve().parents[2] / "workbook" / "letter_hr_warning.docx"
    p = Path(f) / "store.xlsx"
    p.write_bytes(src.read_bytes())
    return p


def _xlsb_like(f):
    """The package layout of an .xlsb: the workbook part is binary (workbook.bin)."""
    p = rezip(book(f), lambda n, d: d.replace(b"workbook.xml", b"workbook.bin") if n.endswith(".rels") else
              (None if n == "xl/workbook.xml" else d))
    return _add(p, "xl/workbook.bin", b"\x83\x01\x00")


def _add(p: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(p, "a") as z:
        z.writestr(name, data)
    return p


def _strict(f):
    p = book(f)
    return rezip(p, lambda n, d: d.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                           b"http://purl.oclc.org/ooxml/spreadsheetml/main")
                 if n == "xl/workbook.xml" else d)


def _x_prefixed(f):
    """workbook.xml as the Open XML SDK writes it: every element x:-prefixed."""
    p = book(f)

    def change(n, d):
        if n != "xl/workbook.xml":
            return d
        text = d.decode("utf-8")
        text = re.sub(r"<(/?)(?!\?)([A-Za-z]+)([\s>/])", r"<\1x:\2\3", text)
        text = text.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                            'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
        return text.encode("utf-8")
    return rezip(p, change)


def _long_form(f):
    p = book(f)
    return rezip(p, lambda n, d: re.sub(rb"<sheet ([^>]*?)/>", rb"<sheet \1></sheet>", d) if n == "xl/workbook.xml"
                 else d)


def _broken_workbook_xml(f):
    return rezip(book(f), lambda n, d: d[: len(d) // 2] if n == "xl/workbook.xml" else d)


def _drop(name):
    return lambda f: rezip(book(f), lambda n, d: None if n == name else d)


def _dangling_sheet(f):
    """workbook.xml names a sheet whose part is missing from the zip."""
    p = book(f)
    part = sheet_part(p, S.ACTUALS)
    return rezip(p, lambda n, d: None if n == part else d)


def _duplicate_entry(f):
    p = book(f)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(p, "a") as z:
            z.writestr("xl/workbook.xml", b"<x/>")
    return p


def _encrypted_flag(f):
    p = book(f)
    data = bytearray(p.read_bytes())
    at = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, at + 8, struct.unpack_from("<H", data, at + 8)[0] | 1)
    p.write_bytes(bytes(data))
    return p


def _laughs(f):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                       for i in range(1, 10)) + b"]>")
    def change(n, d):
        if n != "xl/workbook.xml":
            return d
        body = d.split(b"?>", 1)[1] if d.startswith(b"<?xml") else d
        return bomb + body.replace('name="考核预览"'.encode(), b'name="&lol9;"')      # used: expanding it explodes
    return rezip(book(f), change)


def _directory(f):
    p = Path(f) / "store.xlsx"
    p.mkdir()
    return p


def _missing(f):
    return Path(f) / "no-such-book.xlsx"


def _loop(f):
    p = Path(f) / "store.xlsx"
    os.symlink(p, p)
    return p


def _ods_renamed(f):
    return _zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                    "content.xml": b"<office:document-content/>"})(f)


BAD_FILES = [
    ("xls_97_2003", _raw(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)), ["97-2003", "另存为"]),
    ("encrypted_ole_container", _raw(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"EncryptedPackage" * 64), ["打开密码"]),
    ("empty_file", _raw(b""), ["空的"]),
    ("csv_renamed", _raw("员工编号,姓名\nT1,甲\n".encode("gbk")), ["不是 Excel 工作簿"]),
    ("html_renamed", _raw(b"<html><body><table><tr><td>1</td></tr></table></body></html>"), ["不是 Excel 工作簿"]),
    ("truncated_zip", _truncated, ["损坏"]),
    ("corrupt_sheet_member", _corrupt_member, ["损坏"]),
    ("zip_bomb_ratio", _bomb, ["压缩炸弹"]),
    ("zip_bomb_declared", _declared_huge, ["GiB"]),
    ("docx_renamed", _docx_renamed, ["不是 Excel 工作簿", "Word 文档"]),
    ("xlsb_like", _xlsb_like, ["二进制"]),
    ("strict_open_xml", _strict, ["Strict"]),
    ("x_prefixed_workbook", _x_prefixed, None),
    ("long_form_sheets", _long_form, None),
    ("workbook_xml_broken", _broken_workbook_xml, ["workbook.xml", "损坏"]),
    ("no_content_types", _drop("[Content_Types].xml"), ["[Content_Types].xml"]),
    ("no_root_rels", _drop("_rels/.rels"), ["找不到工作簿主体"]),
    ("dangling_sheet", _dangling_sheet, ["月度实绩"]),
    ("duplicate_zip_entry", _duplicate_entry, ["重复"]),
    ("encrypted_member_flag", _encrypted_flag, ["已加密"]),
    ("billion_laughs", _laughs, "either"),
    ("a_directory", _directory, ["文件夹"]),
    ("missing_file", _missing, ["文件不存在"]),
    ("symlink_loop", _loop, ["store.xlsx"]),
    ("ods_renamed", _ods_renamed, ["OpenDocument", ".ods"]),
]


def libreoffice_saved(folder: Path) -> Path | None:
    """The hand book opened and saved by LibreOffice (None without LibreOffice)."""
    import shutil
    import subprocess
    import tempfile
    exe = shutil.which("soffice")
    if not exe:
        return None
    (Path(folder) / "src").mkdir(exist_ok=True)
    src = book(Path(folder) / "src")
    out = Path(folder) / "lo"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to",
                        "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)], capture_output=True,
                       timeout=180)
    got = out / src.name
    return got if got.exists() else None


__all__ = ["BAD_FILES", "libreoffice_saved"]
