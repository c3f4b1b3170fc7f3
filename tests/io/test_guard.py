"""addin.io.guard on sheet XML written by hand: what the reader would allocate, stray cells,
formulas never calculated — whatever the namespace prefix and whether cells carry references."""
from __future__ import annotations

import pytest

from addin.io import guard

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
