"""A donor sheet made fit for the target package.

Donor sheets come from xlsxwriter/openpyxl and are small (long tables are streamed in
separately, see `split_for_rows`), so they are parsed whole. The target's own sheets are never
parsed: they are copied as raw zip members.
"""
from __future__ import annotations

import copy
import re

from lxml import etree

from addin.ooxml.styles import StyleMerger
from addin.ooxml.xmlutil import namespace, parse, q, serialize

_MARK = "kpi4s-streamed-rows"
_CODE_NAME = re.compile(rb"<(?:\w+:)?sheetPr\b[^>]*?\bcodeName=\"([A-Za-z][A-Za-z0-9_]{0,30})\"")


def code_name(head: bytes | None) -> str | None:
    """The VBA codeName in the opening bytes of a sheet part (its <sheetPr> comes first)."""
    m = _CODE_NAME.search(head or b"")
    return m.group(1).decode("ascii") if m else None


def shared_strings(data: bytes | None) -> list[etree._Element]:
    """The <si> items of a sharedStrings part, in index order."""
    if not data:
        return []
    root = parse(data)
    return root.findall(q(namespace(root), "si"))


class DonorSheet:
    """A donor worksheet (or chartsheet) with its style indices renumbered to the target's,
    its shared strings turned into inline strings (the target's sharedStrings part is not
    touched) and its tab no longer selected."""

    def __init__(self, data: bytes, sst: list[etree._Element], styles: StyleMerger):
        self.root = parse(data)
        ns = self.ns = namespace(self.root)
        xf, dxf = styles.xf, styles.dxf

        def renumber(el: etree._Element, attr: str, table: dict[int, int]) -> None:
            value = el.get(attr)
            if value is not None:
                el.set(attr, str(table.get(int(value), 0) if value.strip().isdigit() else 0))

        for cell in list(self.root.iter(q(ns, "c"))):       # (list: _inline edits the tree)
            renumber(cell, "s", xf)
            if cell.get("t") == "s":
                self._inline(cell, sst)
        for row in self.root.iter(q(ns, "row")):
            renumber(row, "s", xf)
        for col in self.root.iter(q(ns, "col")):
            renumber(col, "style", xf)
        for rule in self.root.iter(q(ns, "cfRule")):
            renumber(rule, "dxfId", dxf)
        for view in self.root.iter(q(ns, "sheetView")):
            view.attrib.pop("tabSelected", None)

    def _inline(self, cell: etree._Element, sst: list[etree._Element]) -> None:
        """<c t="s"><v>3</v></c> → <c t="inlineStr"><is>…item 3's runs…</is></c>"""
        v = cell.find(q(self.ns, "v"))
        at, index = len(cell), -1
        if v is not None:
            at = cell.index(v)                  # <is> goes where <v> was: before any <extLst>
            index = int(v.text) if (v.text or "").strip().isdigit() else -1
            cell.remove(v)
        cell.set("t", "inlineStr")
        if 0 <= index < len(sst):
            # <is> has <si>'s content model; lxml maps the copy's namespace onto the sheet's prefixes
            inline = copy.deepcopy(sst[index])
            inline.tag = q(self.ns, "is")
        else:
            inline = etree.Element(q(self.ns, "is"))
            etree.SubElement(inline, q(self.ns, "t"))
        cell.insert(at, inline)

    def keep_code_name(self, code: str | None) -> None:
        """Carry the replaced sheet's VBA codeName over: a macro-enabled workbook's document
        module stays bound to its sheet (else Excel adds a duplicate module on open)."""
        if not code or self.root.tag != q(self.ns, "worksheet"):
            return
        pr = self.root.find(q(self.ns, "sheetPr"))
        if pr is None:                          # sheetPr must be the worksheet's first child
            pr = self.root.makeelement(q(self.ns, "sheetPr"), {})
            self.root.insert(0, pr)
        pr.set("codeName", code)

    def to_bytes(self) -> bytes:
        return serialize(self.root)

    def split_for_rows(self) -> tuple[bytes, bytes]:
        """(head, tail): the sheet's bytes before and after the end of <sheetData>, for rows
        streamed in between (unprefixed <row> elements). The <dimension>, which the streamed
        rows would outgrow, is dropped: readers compute it."""
        data = self.root.find(q(self.ns, "sheetData"))
        if data is None or data.prefix is not None:
            raise ValueError("rows can only be streamed into a worksheet whose <sheetData> is unprefixed")
        dimension = self.root.find(q(self.ns, "dimension"))
        if dimension is not None:
            self.root.remove(dimension)
        data.append(etree.Comment(_MARK))
        head, tail = self.to_bytes().split(f"<!--{_MARK}-->".encode(), 1)
        return head, tail
