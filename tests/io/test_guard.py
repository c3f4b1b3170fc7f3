"""addin.io.guard on sheet XML written by hand: what the reader would allocate, stray cells,
formulas never calculated — whatever the namespace prefix and whether cells carry references."""
from __future__ import annotations

import zipfile

import pytest
import xlsxwriter

from addin.io import guard
from addin.io.book import load_book
from addin.io.problems import BookError
from addin.io.read import open_workbook

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet(rows: str, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = NS.replace("xmlns=", f"xmlns:{prefix}=") if prefix else NS
    body = rows.replace("<row", f"<{p}row").replace("</row", f"</{p}row").replace("<c ", f"<{p}c ") \
        .replace("</c>", f"</{p}c>").replace("<v>", f"<{p}v>").replace("</v>", f"</{p}v>") \
        .replace("<f>", f"<{p}f>").replace("</f>", f"</{p}f>").replace("<is>", f"<{p}is>") \
        .replace("</is>", f"</{p}is>").replace("<t>", f"<{p}t>").replace("</t>", f"</{p}t>")
    return f'<{p}worksheet {ns}><{p}sheetData>{body}</{p}sheetData></{p}worksheet>'.encode()


TABLE = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>x</t></is></c></row>'
                for r in range(1, 61))


@pytest.mark.parametrize("prefix", ["", "x"])
def test_a_plain_table_is_fine(prefix):
    got = guard.scan_sheet(sheet(TABLE, prefix))
    assert (got.rows, got.stray, got.too_big, got.uncached) == (60, [], "", [])


@pytest.mark.parametrize("prefix", ["", "x"])
def test_stray_cells_far_right_and_far_below_are_named(prefix):
    far = TABLE + '<row r="70"><c r="XFD70"><v>1</v></c></row><row r="1048576"><c r="C1048576" t="inlineStr">' \
                  '<is><t> </t></is></c></row>'
    got = guard.scan_sheet(sheet(far, prefix))
    assert [ref for _, ref, _ in got.stray] == ["XFD70", "C1048576"]
    assert "第 16384 列" in got.stray[0][2] and "远在表格之外" in got.stray[1][2]


def test_formatting_without_a_value_is_not_content():
    styled = TABLE + '<row r="1048576" s="3" customFormat="1"/><row r="900000"><c r="A900000" s="2"/></row>' \
                     '<row r="70"><c r="XFD70" s="1"></c></row>'
    got = guard.scan_sheet(sheet(styled))
    assert got.stray == [] and got.columns == 26


def test_a_row_of_cells_without_references_counts_its_cells():
    wide = TABLE + '<row r="61">' + "<c/>" * 400 + "<c><v>1</v></c></row>"
    got = guard.scan_sheet(sheet(wide))
    assert got.columns == 401 and got.stray and "第 401 列" in got.stray[0][2]


def test_a_used_range_too_large_to_read():
    tall = "".join(f'<row r="{r}"><c r="HZ{r}"><v>1</v></c></row>' for r in range(1, 50_001))   # 50,000 × 234
    got = guard.scan_sheet(sheet(tall))
    assert got.stray == [] and "已用区域达 50,000 行 × 234 列" in got.too_big


def test_formulas_without_a_calculated_value():
    cells = ('<row r="2"><c r="A2"><f>1+1</f></c><c r="B2"><f>1+1</f><v></v></c><c r="C2"><f>1+1</f><v>2</v></c>'
             '<c r="D2" t="str"><f>""</f><v></v></c><c r="E2"><f t="shared" si="0"/></c></row>')
    assert guard.scan_sheet(sheet(TABLE + cells)).uncached == [(2, 1), (2, 2), (2, 5)]
    assert guard.scan_sheet(sheet(TABLE + cells, "x")).uncached == [(2, 1), (2, 2), (2, 5)]
    validation = TABLE + '</sheetData><dataValidations><dataValidation><formula1>$A$1</formula1>'
    assert guard.scan_sheet(sheet(validation).replace(b"</sheetData></sheetData>", b"</sheetData>")).uncached == []


def test_column_letters_round_trip():
    for n in (1, 26, 27, 52, 256, 702, 703, 16384):
        assert guard.column_number(guard.column_letters(n)) == n
    assert guard.column_letters(16384) == "XFD"
# issue 12's cases (files that would exhaust memory are refused before a reader opens them), on the one guard


def test_a_stray_cell_far_away_names_its_sheet(tmp_path):
    p = tmp_path / "stray.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    wb.add_worksheet("设置").write(0, 0, "项目")
    wb.add_worksheet("员工名册").write(1048575, 16383, "x")       # XFD1048576
    wb.close()
    with pytest.raises(guard.FileProblem) as got:
        guard.check_sheets(p, ["设置", "员工名册"])
    assert [x.sheet for x in got.value.problems] == ["员工名册"] and "XFD1048576" in got.value.problems[0].message
    with pytest.raises(BookError, match=r"\[员工名册\].*单元格 XFD1048576"):
        load_book(p, required=())                       # the sheets are checked before they are read


def test_ordinary_books_pass_and_non_zip_files_are_left_to_the_reader(tmp_path):
    from helpers import ROOT
    book = ROOT / "workbook" / "kpi4s_store.xlsx"
    pkg = guard.open_package(book)
    pkg.close()
    guard.check_sheets(book, pkg.sheets)                                  # no problem: no exception
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    with pytest.raises(BookError, match="不是 Excel 工作簿"):
        open_workbook(tmp_path / "x.xlsx")


def test_a_zip_bomb_is_refused(tmp_path, monkeypatch):
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 2**20))
    with pytest.raises(guard.FileProblem, match="压缩炸弹"):            # a ratio of ~1000 : 1
        guard.open_package(p)
    monkeypatch.setattr(guard, "MAX_TOTAL", 2**20)                        # and a total over the limit
    with pytest.raises(guard.FileProblem, match="压缩炸弹"):
        guard.open_package(p)
