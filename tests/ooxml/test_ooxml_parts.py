"""addin.ooxml.parts: relationships, content types and workbook.xml whatever their prefixes."""
from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from addin.ooxml import PackageError
from addin.ooxml.package import Package
from addin.ooxml.parts import ContentTypes, Relationships, Workbook, load_relationships, reachable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WS = REL + "/worksheet"
RELS = (f'<pr:Relationships xmlns:pr="{PKG_REL}">'
        f'<pr:Relationship Id="rId1" Type="{WS}" Target="/xl/worksheets/sheet1.xml"></pr:Relationship>'
        f'<pr:Relationship Id="comments" Type="{REL}/comments" Target="../comments1.xml"/>'
        f'<pr:Relationship Id="rId2" Type="{REL}/hyperlink" Target="https://example.com/a" TargetMode="External"/>'
        '</pr:Relationships>').encode()


def test_relationships_with_a_prefix():
    rels = Relationships(RELS, "xl/worksheets/sheet2.xml")
    assert [r.get("Id") for r in rels] == ["rId1", "comments", "rId2"]
    assert rels.part(rels.get("rId1")) == "xl/worksheets/sheet1.xml"
    assert rels.part(rels.get("comments")) == "xl/comments1.xml"
    assert not Relationships.internal(rels.get("rId2"))
    assert [r.get("Id") for r in rels.of_kind("comments")] == ["comments"]
    rid = rels.add(REL + "/drawing", "xl/drawings/drawing3.xml")
    assert rid == "rId3"
    out = rels.to_bytes()
    assert b'<pr:Relationship Id="rId3"' in out and b'Target="../drawings/drawing3.xml"' in out
    rels.remove(rels.get("comments"))
    assert len(Relationships(rels.to_bytes(), "xl/worksheets/sheet2.xml")) == 3
    assert len(Relationships(None, "xl/workbook.xml")) == 0


def test_content_types_with_a_prefix():
    ct = ContentTypes(b'<ct:Types xmlns:ct="http://schemas.openxmlformats.org/package/2006/content-types">'
                      b'<ct:Default Extension="xml" ContentType="application/xml"></ct:Default>'
                      b'<ct:Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                      b'<ct:Override PartName="/xl/Workbook.xml" ContentType="wb"/></ct:Types>')
    assert ct.get("xl/workbook.xml") == "wb" and ct.get("xl/other.xml") == "application/xml"
    assert ct.get("_rels/.rels").endswith("relationships+xml")
    ct.ensure("xl/media/image1.png", "image/png")             # unknown extension → a Default
    ct.ensure("xl/charts/chart1.xml", "chart")                 # known extension → an Override
    ct.ensure("xl/media/image2.png", "image/png")              # nothing new
    ct.drop_override("xl/workbook.xml")
    root = etree.fromstring(ct.to_bytes())
    entries = [(etree.QName(el).localname, el.get("Extension") or el.get("PartName")) for el in root]
    assert entries[0] == ("Default", "png")
    assert ("Override", "/xl/charts/chart1.xml") in entries and ("Override", "/xl/Workbook.xml") not in entries
    assert all(el.prefix == "ct" for el in root)


LONG_FORM = (f'<x:workbook xmlns:x="{MAIN}" xmlns:ns1="{REL}"><x:sheets>'
             '<x:sheet name="甲" sheetId="1" ns1:id="rId1"></x:sheet>'
             '<x:sheet name="A&amp;B" sheetId="7" ns1:id="rId2"></x:sheet></x:sheets>'
             '<x:definedNames><x:definedName name="_xlnm.Print_Titles" localSheetId="1">\'A&amp;B\'!$1:$1</x:definedName>'
             '<x:definedName name="Rate">甲!$A$1</x:definedName>'
             '<x:definedName name="_xlnm.Print_Titles" localSheetId="0">甲!$1:$1</x:definedName></x:definedNames>'
             '<x:calcPr/></x:workbook>').encode()


def test_workbook_sheets_in_long_form_with_any_prefix():
    wb = Workbook(LONG_FORM)
    assert [(s.get("name"), Workbook.rid(s)) for s in wb.sheets] == [("甲", "rId1"), ("A&B", "rId2")]
    assert wb.index("a&b") == 1 and wb.index("乙") is None
    wb.add_sheet('新<"表">', "rId9")
    again = Workbook(wb.to_bytes())
    assert [s.get("name") for s in again.sheets] == ["甲", "A&B", '新<"表">']
    assert again.sheets[2].get("sheetId") == "8" and Workbook.rid(again.sheets[2]) == "rId9"
    assert b'<x:sheet name="\xe6\x96\xb0&lt;&quot;\xe8\xa1\xa8&quot;&gt;" sheetId="8" ns1:id="rId9"/>' in wb.to_bytes()


def test_add_sheet_declares_the_relationship_namespace_on_the_root():
    """openpyxl declares xmlns:r on each <sheet>; a new sheet needs it in scope."""
    wb = Workbook(f'<workbook xmlns="{MAIN}"><sheets><sheet xmlns:r="{REL}" name="S" sheetId="1" r:id="rId1"/>'
                  f'</sheets></workbook>'.encode())
    wb.add_sheet("T", "rId2")
    root = etree.fromstring(wb.to_bytes())
    assert root.nsmap[None] == MAIN and root.nsmap["r"] == REL
    assert [Workbook.rid(s) for s in Workbook(wb.to_bytes()).sheets] == ["rId1", "rId2"]


def test_defined_names_are_replaced_for_replaced_sheets_and_renumbered():
    target = Workbook(LONG_FORM)
    target.add_sheet("新", "rId3")
    donor = Workbook(f'<workbook xmlns="{MAIN}"><sheets><sheet name="新" sheetId="1"/><sheet name="A&amp;B" sheetId="2"/>'
                     f'<sheet name="别的" sheetId="3"/></sheets><definedNames>'
                     f'<definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">\'A&amp;B\'!$A$1:$C$9</definedName>'
                     f'<definedName name="_xlnm.Print_Titles" localSheetId="0">新!$2:$2</definedName>'
                     f'<definedName name="_xlnm.Print_Titles" localSheetId="2">别的!$1:$1</definedName>'
                     f'<definedName name="Global">新!$A$1</definedName></definedNames></workbook>'.encode())
    target.merge_defined_names(donor, ["A&B", "新"])
    root = etree.fromstring(target.to_bytes())
    names = [(d.get("name"), d.get("localSheetId"), d.text) for d in root.iter(f"{{{MAIN}}}definedName")]
    assert names == [("Rate", None, "甲!$A$1"), ("_xlnm.Print_Titles", "0", "甲!$1:$1"),
                     ("_xlnm._FilterDatabase", "1", "'A&B'!$A$1:$C$9"), ("_xlnm.Print_Titles", "2", "新!$2:$2")]
    assert all(el.prefix == "x" for el in root.iter(f"{{{MAIN}}}definedName"))


def test_defined_names_block_is_added_in_schema_order_and_dropped_when_empty():
    target = Workbook(f'<workbook xmlns="{MAIN}"><bookViews/><sheets><sheet name="S" sheetId="1"/></sheets>'
                      f'<calcPr/></workbook>'.encode())
    donor = Workbook(f'<workbook xmlns="{MAIN}"><sheets><sheet name="S" sheetId="1"/></sheets><definedNames>'
                     f'<definedName name="_xlnm.Print_Titles" localSheetId="0">S!$1:$1</definedName>'
                     f'</definedNames></workbook>'.encode())
    target.merge_defined_names(donor, ["S"])
    assert [etree.QName(c).localname for c in target.root] == ["bookViews", "sheets", "definedNames", "calcPr"]
    target.merge_defined_names(Workbook(f'<workbook xmlns="{MAIN}"><sheets/></workbook>'.encode()), ["S"])
    assert [etree.QName(c).localname for c in target.root] == ["bookViews", "sheets", "calcPr"]


def test_strict_open_xml_is_refused_in_chinese():
    with pytest.raises(PackageError, match="Strict"):
        Workbook(b'<workbook xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><sheets/></workbook>')


def test_reachable_parts_follow_internal_relationships_only():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG_REL}"><Relationship Id="a" Type="{REL}/officeDocument" '
                                  f'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", "<w/>")
        z.writestr("xl/_rels/workbook.xml.rels", RELS.replace(b"../comments1.xml", b"comments1.xml"))
        z.writestr("xl/worksheets/sheet1.xml", "<s/>")
        z.writestr("xl/worksheets/_rels/sheet1.xml.rels",
                   f'<Relationships xmlns="{PKG_REL}"><Relationship Id="d" Type="{REL}/drawing" '
                   f'Target="../drawings/drawing1.xml"/></Relationships>')
        z.writestr("xl/drawings/drawing1.xml", "<d/>")
        z.writestr("xl/comments1.xml", "<c/>")
        z.writestr("xl/orphan.xml", "<o/>")
    with Package(buf.getvalue()) as pkg:
        rels = load_relationships(pkg)
        assert reachable(pkg, rels) == {"xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/drawings/drawing1.xml",
                                        "xl/comments1.xml"}
        assert reachable(pkg, rels, cut={"xl/worksheets/sheet1.xml"}) == {
            "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/comments1.xml"}
