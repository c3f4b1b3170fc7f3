"""addin.ooxml styles merge, donor-sheet remapping and the chart data-label fix."""
from __future__ import annotations

import pytest
from lxml import etree

from addin.ooxml.charts import explicit_labels
from addin.ooxml.sheet import DonorSheet, shared_strings
from addin.ooxml.styles import StyleMerger

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
M = f"{{{MAIN}}}"

TARGET = (f'<x:styleSheet xmlns:x="{MAIN}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac">'
          '<x:numFmts count="1"><x:numFmt numFmtId="164" formatCode="0.0%"/></x:numFmts>'
          '<x:fonts count="1" x14ac:knownFonts="1"><x:font><x:sz val="11"/><x:name val="等线"/></x:font></x:fonts>'
          '<x:fills count="2"><x:fill><x:patternFill patternType="none"/></x:fill>'
          '<x:fill><x:patternFill patternType="gray125"/></x:fill></x:fills>'
          '<x:borders count="1"><x:border><x:left/><x:right/><x:top/><x:bottom/><x:diagonal/></x:border></x:borders>'
          '<x:cellStyleXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></x:cellStyleXfs>'
          '<x:cellXfs count="2"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<x:xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></x:cellXfs>'
          '<x:cellStyles count="1"><x:cellStyle name="常规" xfId="0" builtinId="0"/></x:cellStyles>'
          '</x:styleSheet>').encode()

DONOR = (f'<styleSheet xmlns="{MAIN}">'
         '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.000"/><numFmt numFmtId="165" formatCode="0.0%"/></numFmts>'
         '<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>'
         '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
         '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
         '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
         '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
         '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
         '<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>'
         '<xf numFmtId="4" fontId="1" fillId="0" borderId="0" xfId="0"><alignment horizontal="center"/></xf></cellXfs>'
         '<dxfs count="2"><dxf><font><color rgb="FFC00000"/></font></dxf>'
         '<dxf><numFmt numFmtId="170" formatCode="0.0000"/></dxf></dxfs>'
         '</styleSheet>').encode()


def _children(xml: bytes, section: str) -> list[etree._Element]:
    return etree.fromstring(xml).find(M + section).findall("*")


def test_styles_are_merged_with_reuse_whatever_the_prefix():
    merged = StyleMerger(TARGET, DONOR)
    out = merged.to_bytes()
    # equal entries are reused (attribute order and prefixes do not matter), new ones appended
    assert merged.xf == {0: 0, 1: 1, 2: 2, 3: 3}
    assert merged.dxf == {0: 0, 1: 1}
    formats = {el.get("numFmtId"): el.get("formatCode") for el in _children(out, "numFmts")}
    assert formats == {"164": "0.0%", "165": "0.000"}
    fonts = _children(out, "fonts")
    assert len(fonts) == 2 and fonts[1].find(M + "b") is not None
    bold = _children(out, "cellXfs")[2]
    assert (bold.get("numFmtId"), bold.get("fontId")) == ("165", "1")
    assert _children(out, "cellXfs")[3].find(M + "alignment").get("horizontal") == "center"
    assert _children(out, "dxfs")[1].find(M + "numFmt").get("numFmtId") == "170"    # not one of the donor's numFmts
    root = etree.fromstring(out)
    assert root.find(M + "cellXfs").get("count") == "4" and root.find(M + "fonts").get("count") == "2"
    assert all(el.prefix == "x" for el in root.iter(M + "*"))              # written in the target's prefix
    assert b"xmlns=" not in out
    assert root.get("{http://schemas.openxmlformats.org/markup-compatibility/2006}Ignorable") == "x14ac"
    order = [etree.QName(c).localname for c in root]
    assert order == ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs"]
    # again: nothing grows
    again = StyleMerger(out, DONOR)
    assert again.to_bytes() == out and again.xf == merged.xf


def test_a_target_without_styles_takes_the_donors():
    merged = StyleMerger(None, DONOR)
    assert merged.xf == {0: 0, 1: 1, 2: 2, 3: 3} and merged.dxf == {0: 0, 1: 1}
    assert len(_children(merged.to_bytes(), "cellXfs")) == 4


SST = (f'<sst xmlns="{MAIN}" count="3" uniqueCount="2"><si><t>产值 &amp; 单车</t></si>'
       '<si><r><rPr><b/></rPr><t>粗</t></r><r><t xml:space="preserve"> 细</t></r></si></sst>').encode()

SHEET = (f'<worksheet xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
         '<dimension ref="A1:B2"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
         '<cols><col min="1" max="1" width="12" style="2" customWidth="1"/></cols>'
         '<sheetData><row r="1" s="3" customFormat="1"><c r="A1" s="2" t="s"><v>0</v></c><c r="B1" s="1"><v>0.5</v></c></row>'
         '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" s="9"/></row></sheetData>'
         '<conditionalFormatting sqref="B1:B2"><cfRule type="cellIs" dxfId="1" priority="1" operator="lessThan">'
         '<formula>0.8</formula></cfRule></conditionalFormatting><drawing r:id="rId1"/></worksheet>').encode()


class _Styles:
    xf = {0: 10, 1: 11, 2: 12, 3: 13}
    dxf = {0: 5, 1: 6}


def test_donor_sheet_gets_target_styles_and_inline_strings():
    sheet = DonorSheet(SHEET, shared_strings(SST), _Styles)
    root = etree.fromstring(sheet.to_bytes())
    cells = {c.get("r"): c for c in root.iter(M + "c")}
    assert cells["A1"].get("t") == "inlineStr" and cells["A1"].get("s") == "12"
    assert cells["A1"].find(M + "is").findtext(M + "t") == "产值 & 单车" and cells["A1"].find(M + "v") is None
    runs = cells["A2"].find(M + "is").findall(M + "r")                       # rich text kept as runs
    assert [r.findtext(M + "t") for r in runs] == ["粗", " 细"] and runs[0].find(M + "rPr/" + M + "b") is not None
    assert cells["B1"].get("s") == "11" and cells["B1"].findtext(M + "v") == "0.5"
    assert cells["B2"].get("s") == "0"                                       # unknown donor index → default
    assert root.find(f"{M}sheetData/{M}row").get("s") == "13"
    assert root.find(f"{M}cols/{M}col").get("style") == "12"
    assert root.find(f".//{M}cfRule").get("dxfId") == "6"
    assert root.find(f".//{M}sheetView").get("tabSelected") is None


def test_split_for_rows_leaves_room_for_streamed_rows():
    head, tail = DonorSheet(SHEET, shared_strings(SST), _Styles).split_for_rows()
    assert b"<dimension" not in head and head.endswith(b"</row>")
    assert tail.startswith(b"</sheetData><conditionalFormatting")
    etree.fromstring(head + b'<row r="3"><c r="A3" t="inlineStr"><is><t>x</t></is></c></row>' + tail)
    empty = (f'<worksheet xmlns="{MAIN}"><dimension ref="A1"/><sheetData/></worksheet>').encode()
    head, tail = DonorSheet(empty, [], _Styles).split_for_rows()
    assert head.endswith(b"<sheetData>") and tail == b"</sheetData></worksheet>"
    prefixed = (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData/></x:worksheet>').encode()
    with pytest.raises(ValueError):
        DonorSheet(prefixed, [], _Styles).split_for_rows()


C = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def _chart(labels: str) -> bytes:
    return (f'<c:chartSpace xmlns:c="{C}"><c:chart><c:plotArea><c:barChart><c:ser><c:idx val="0"/>{labels}</c:ser>'
            '</c:barChart></c:plotArea></c:chart></c:chartSpace>').encode()


def test_chart_data_labels_get_every_flag_in_schema_order():
    chart = _chart('<c:dLbls><c:dLbl><c:idx val="2"/><c:delete val="1"/></c:dLbl><c:numFmt formatCode="0.0" sourceLinked="0"/>'
                   '<c:showVal val="1"/><c:showCatName val="1"/><c:separator>; </c:separator></c:dLbls>')
    root = etree.fromstring(explicit_labels(chart))
    labels = root.find(f".//{{{C}}}dLbls")
    assert [(etree.QName(c).localname, c.get("val")) for c in labels] == [
        ("dLbl", None), ("numFmt", None), ("showLegendKey", "0"), ("showVal", "1"), ("showCatName", "1"),
        ("showSerName", "0"), ("showPercent", "0"), ("showBubbleSize", "0"), ("separator", None)]
    deleted = labels.find(f"{{{C}}}dLbl")
    assert len(deleted) == 2                                          # a deleted label stays as it was
    assert all(el.prefix == "c" for el in root.iter())


def test_chart_without_data_labels_is_unchanged():
    chart = _chart("")
    assert explicit_labels(chart) is chart
