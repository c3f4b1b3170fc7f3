"""addin.ooxml.package: guarded reading (zip bombs, broken files), raw copies, deflate streams."""
from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import openpyxl
import pytest

from addin.ooxml import PackageError, replace_sheets
from addin.ooxml.package import (Package, PackageWriter, deflate, rels_part, relative, resolve,
                                 source_of)


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with `name`'s uncompressed size in the central directory forged to `size`."""
    at = data.index(b"PK\x01\x02")
    while True:
        name_len = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + name_len] == name.encode():
            return data[:at + 24] + struct.pack("<I", size) + data[at + 28:]
        at = data.index(b"PK\x01\x02", at + 4)


def test_a_member_with_an_absurd_compression_ratio_is_refused():
    bomb = _zip({"xl/worksheets/sheet1.xml": bytes(50 << 20)})             # 50 MiB of zeros → ~50 KiB
    with pytest.raises(PackageError) as err:
        Package(bomb)
    assert "压缩炸弹" in err.value.message_zh and "sheet1.xml" in str(err.value)


def test_a_package_declaring_more_than_a_gibibyte_is_refused():
    data = _zip({"a.bin": os.urandom(6 << 20)}, zipfile.ZIP_STORED)       # ratio stays below 200
    with pytest.raises(PackageError) as err:
        Package(_declare_size(data, "a.bin", 1100 << 20))
    assert "GiB" in err.value.message_zh and "拒绝" in err.value.message_zh


def test_broken_files_raise_package_error_in_chinese(tmp_path):
    with pytest.raises(PackageError, match="不是有效的 Excel 文件"):
        Package(b"this is not a zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z, pytest.warns(UserWarning):
        z.writestr("xl/workbook.xml", b"<a/>")
        z.writestr("xl/workbook.xml", b"<b/>")
    with pytest.raises(PackageError, match="重复"):
        Package(buf.getvalue())


def test_replace_sheets_refuses_a_bomb_and_writes_nothing(tmp_path):
    target = tmp_path / "bomb.xlsx"
    target.write_bytes(_zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": bytes(50 << 20)}))
    donor = io.BytesIO()
    openpyxl.Workbook().save(donor)
    with pytest.raises(PackageError):
        replace_sheets(target, donor.getvalue(), ["Sheet"], dest=tmp_path / "out.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.xlsx"]


def test_writer_copies_members_raw_and_writes_precomputed_streams(tmp_path):
    src = _zip({"stored.txt": b"stored " * 100}, zipfile.ZIP_STORED)
    src2 = _zip({"deflated.xml": b"<row/>" * 1000})
    long_part = deflate(b"<head>", b"<row/>" * 5000, b"</head>")
    with Package(src) as a, Package(src2) as b:
        with PackageWriter(tmp_path / "out.zip") as out:
            out.copy_raw(a, a.infos[0])
            out.copy_raw(b, b.infos[0])
            out.write("new.xml", b"<new/>")
            out.write_deflated("long.xml", *long_part)
    with zipfile.ZipFile(tmp_path / "out.zip") as z:
        assert z.testzip() is None
        assert z.read("stored.txt") == b"stored " * 100 and z.getinfo("stored.txt").compress_type == zipfile.ZIP_STORED
        assert z.read("deflated.xml") == b"<row/>" * 1000
        assert z.read("long.xml") == b"<head>" + b"<row/>" * 5000 + b"</head>"
    data, crc, size = long_part
    assert zlib.decompress(data, -15) == b"<head>" + b"<row/>" * 5000 + b"</head>" and size == 6 + 30000 + 7


def test_case_insensitive_part_lookup():
    with Package(_zip({"xl/Workbook.xml": b"<a/>"})) as pkg:
        assert pkg.find("xl/workbook.xml") == "xl/Workbook.xml"
        assert pkg.read("XL/WORKBOOK.XML") == b"<a/>" and pkg.read("xl/missing.xml") is None


def test_part_name_helpers():
    assert rels_part("xl/workbook.xml") == "xl/_rels/workbook.xml.rels"
    assert rels_part("") == "_rels/.rels"
    assert source_of("xl/worksheets/_rels/sheet1.xml.rels") == "xl/worksheets/sheet1.xml"
    assert source_of("_rels/.rels") == "" and source_of("xl/workbook.xml") is None
    assert resolve("xl/worksheets/sheet1.xml", "../drawings/drawing1.xml") == "xl/drawings/drawing1.xml"
    assert resolve("xl/workbook.xml", "/xl/worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
    assert resolve("xl/drawings/drawing1.xml", "../media/image%201.png") == "xl/media/image 1.png"
    assert resolve("", "xl/workbook.xml") == "xl/workbook.xml"
    assert relative("xl/worksheets/sheet1.xml", "xl/charts/chart2.xml") == "../charts/chart2.xml"
    assert relative("xl/workbook.xml", "xl/worksheets/sheet9.xml") == "worksheets/sheet9.xml"
