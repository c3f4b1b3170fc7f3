"""Merge a donor package's cell styles into the target's styles.xml.

The donor's number formats, fonts, fills, borders, cell formats (cellXfs) and differential
formats (dxfs, used by conditional formatting) are appended to the target's; an entry equal
to one already there (compared as element trees, whatever the prefixes or attribute order)
is reused instead, so transplanting the same donor again leaves styles.xml as it was.
"""
from __future__ import annotations

from lxml import etree

from addin.ooxml.xmlutil import copy_into, insert_ordered, key, namespace, parse, q, serialize

# CT_Font's children in the order of the Open XML SDK's schema (ECMA-376 allows any order — a
# choice — but Excel's own validator and the SDK want this sequence; openpyxl writes another)
FONT_ORDER = ["b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color",
              "name", "family", "charset", "scheme"]

# CT_Stylesheet's child sequence (where a missing section goes)
_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
          "tableStyles", "colors", "extLst"]
_FIRST_CUSTOM_FORMAT = 164          # ids below are Excel's built-in number formats


class StyleMerger:
    """The target's styles with the donor's merged in.

    xf:  donor cellXfs index → target cellXfs index (cells' s=, rows' s=, cols' style=)
    dxf: donor dxfs index → target dxfs index (conditional formats' dxfId=)
    target None (a package without styles part): the donor's styles are taken as they are.
    """

    def __init__(self, target: bytes | None, donor: bytes):
        self.root = order_fonts(parse(target if target is not None else donor))   # compared in one order
        self.ns = namespace(self.root)
        self._touched: set[str] = set()
        self._codes: dict[str, int] = {}
        formats = self.root.find(q(self.ns, "numFmts"))
        for el in [] if formats is None else formats.findall(q(self.ns, "numFmt")):
            if (el.get("numFmtId") or "").isdigit():
                self._codes.setdefault(el.get("formatCode", ""), int(el.get("numFmtId")))
        self._next_format = max([_FIRST_CUSTOM_FORMAT - 1, *self._codes.values()]) + 1

        d = order_fonts(parse(donor))
        self._dns = namespace(d)
        d_formats = d.find(q(self._dns, "numFmts"))
        fmt = {int(el.get("numFmtId")): self._format_id(el.get("formatCode", ""))
               for el in ([] if d_formats is None else d_formats.findall(q(self._dns, "numFmt")))
               if (el.get("numFmtId") or "").isdigit()}
        fonts = self._merge(d, "fonts", "font")
        fills = self._merge(d, "fills", "fill")
        borders = self._merge(d, "borders", "border")

        def fix_xf(xf: etree._Element) -> None:
            number = xf.get("numFmtId")
            if number is not None and number.isdigit():
                xf.set("numFmtId", str(fmt.get(int(number), int(number))))
            for attr, ids in (("fontId", fonts), ("fillId", fills), ("borderId", borders)):
                if xf.get(attr) is not None:
                    xf.set(attr, str(ids.get(_int(xf.get(attr)), 0)))
            if xf.get("xfId") is not None:
                xf.set("xfId", "0")            # the target's Normal cell style

        def fix_dxf(dxf: etree._Element) -> None:
            number = dxf.find(q(self.ns, "numFmt"))   # (carries its own formatCode, which Excel uses)
            if number is not None and (number.get("numFmtId") or "").isdigit():
                number.set("numFmtId", str(fmt.get(int(number.get("numFmtId")), int(number.get("numFmtId")))))

        self.xf = self._merge(d, "cellXfs", "xf", fix_xf)
        self.dxf = self._merge(d, "dxfs", "dxf", fix_dxf)

    def _section(self, name: str) -> etree._Element:
        self._touched.add(name)
        el = self.root.find(q(self.ns, name))
        return el if el is not None else insert_ordered(self.root, name, _ORDER)

    def _format_id(self, code: str) -> int:
        """The target's id of number format `code`, added when new."""
        if code not in self._codes:
            self._codes[code] = self._next_format
            etree.SubElement(self._section("numFmts"), q(self.ns, "numFmt"),
                             {"numFmtId": str(self._next_format), "formatCode": code})
            self._next_format += 1
        return self._codes[code]

    def _merge(self, donor: etree._Element, section: str, child: str, fix=None) -> dict[int, int]:
        """Append the donor's `section` entries not already present; donor index → target index."""
        d_section = donor.find(q(self._dns, section))
        d_kids = [] if d_section is None else d_section.findall(q(self._dns, child))
        if not d_kids:
            return {}
        t_section = self._section(section)
        tag = q(self.ns, child)
        index: dict[tuple, int] = {}
        count = 0
        for count, el in enumerate(t_section.findall(tag), 1):
            index.setdefault(key(el), count - 1)
        out = {}
        for i, d_el in enumerate(d_kids):
            el = copy_into(d_el, t_section)      # appended as a candidate …
            if fix:
                fix(el)
            k = key(el)
            if k in index:
                t_section.remove(el)             # … and taken back when an equal one exists
            else:
                index[k] = count
                count += 1
            out[i] = index[k]
        return out

    def to_bytes(self) -> bytes:
        for name in self._touched:
            el = self.root.find(q(self.ns, name))
            el.set("count", str(sum(1 for c in el if isinstance(c.tag, str))))
        return serialize(self.root)


def order_fonts(root: etree._Element) -> etree._Element:
    """Put every <font>'s children (cell fonts and dxf fonts) in FONT_ORDER; others last."""
    ns = namespace(root)
    rank = {q(ns, name): i for i, name in enumerate(FONT_ORDER)}
    for font in root.iter(q(ns, "font")):
        kids = [c for c in font if isinstance(c.tag, str)]
        ordered = sorted(kids, key=lambda c: rank.get(c.tag, len(rank)))
        if ordered != kids:
            for c in kids:
                font.remove(c)
            font.extend(ordered)
    return root


def _int(value: str) -> int:
    return int(value) if value.strip().isdigit() else -1
