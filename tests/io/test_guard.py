"""addin.io.guard: files that would exhaust memory are refused before a reader opens them."""
from __future__ import annotations

import zipfile

import pytest
import xlsxwriter

from addin.io import guard
from addin.io.problems import BookError
from addin.io.read import open_workbook


def test_a_stray_cell_far_away_names_its_sheet(tmp_path):
    p = tmp_path / "stray.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    wb.add_worksheet("设置").write(0, 0, "项目")
    wb.add_worksheet("员工名册").write(1048575, 16383, "x")       # XFD1048576
    wb.close()
    found = guard.package_problems(p)
    assert [w for w, _ in found] == ["员工名册"] and "XFD1048576" in found[0][1]
    with pytest.raises(BookError, match=r"\[员工名册\]: 使用范围一直到 XFD1048576"):
        open_workbook(p)


def test_ordinary_books_pass_and_non_zip_files_are_left_to_the_reader(tmp_path):
    from helpers import ROOT
    assert guard.package_problems(ROOT / "workbook" / "kpi4s_store.xlsx") == []
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    assert guard.package_problems(tmp_path / "x.xlsx") == []
    with pytest.raises(BookError, match="无法读取工作簿"):
        open_workbook(tmp_path / "x.xlsx")


def test_a_zip_bomb_is_refused(tmp_path, monkeypatch):
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 2**20))
    monkeypatch.setattr(guard, "MAX_UNPACKED", 2**20)
    assert "压缩炸弹" in guard.package_problems(p)[0][1]
