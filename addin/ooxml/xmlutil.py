"""XML helpers shared by the part editors: one hardened parser, one serialiser, namespaces.

Everything goes through lxml, which keeps the prefixes and namespace declarations of the
parts it rewrites (Excel's `mc:Ignorable="x14ac xr"` names prefixes that must stay declared),
so a part written with `x:` prefixes or with a default namespace round-trips as it was.
"""
from __future__ import annotations

from lxml import etree

# namespaces (transitional OOXML; Strict files are refused in parts.Workbook)
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"

DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'

# OOXML parts never need a DTD, entities or the network: refuse them all (billion laughs, XXE)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          remove_blank_text=False, huge_tree=False)


def parse(data: bytes) -> etree._Element:
    """The root element of an XML part."""
    return etree.fromstring(data, _PARSER)


def serialize(root: etree._Element) -> bytes:
    """A part's bytes: Excel's own XML declaration, then the tree in UTF-8."""
    return DECLARATION + etree.tostring(root, encoding="UTF-8")


def q(ns: str, tag: str) -> str:
    """Clark notation {ns}tag, the name lxml matches on whatever prefix the file uses."""
    return f"{{{ns}}}{tag}" if ns else tag


def namespace(el: etree._Element) -> str:
    return etree.QName(el).namespace or ""


def insert_ordered(parent: etree._Element, tag: str, order: list[str]) -> etree._Element:
    """A new empty child {ns of parent}tag placed where the schema's sequence `order` (local
    names) wants it: after the last child that comes earlier in `order`. Children of other
    namespaces (mc:AlternateContent, extensions) do not move it."""
    ns = namespace(parent)
    before = set(order[:order.index(tag)])
    at = 0
    for i, child in enumerate(parent):
        if isinstance(child.tag, str) and namespace(child) == ns and etree.QName(child).localname in before:
            at = i + 1
    el = etree.SubElement(parent, q(ns, tag))
    parent.insert(at, el)
    return el


def copy_into(src: etree._Element, parent: etree._Element) -> etree._Element:
    """Re-create `src` (deep) as the last child of `parent`, so that it takes the prefixes
    declared in parent's document instead of carrying the source document's declarations."""
    el = etree.SubElement(parent, src.tag, dict(src.attrib))
    el.text = src.text
    for child in src:
        if isinstance(child.tag, str):
            copy_into(child, el).tail = child.tail
    return el


def key(el: etree._Element) -> tuple:
    """A prefix- and attribute-order-independent identity of an element tree (for de-duplication)."""
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(key(c) for c in el if isinstance(c.tag, str)))


def with_namespace(root: etree._Element, uri: str, prefix: str) -> etree._Element:
    """`root`, or a copy declaring `uri` on the root element when no prefix is bound to it there
    (lxml cannot add a declaration to an existing element). A taken prefix gets a number."""
    if uri in root.nsmap.values():
        return root
    name, n = prefix, 1
    while name in root.nsmap:
        n += 1
        name = f"{prefix}{n}"
    new = etree.Element(root.tag, dict(root.attrib), nsmap={**root.nsmap, name: uri})
    new.text = root.text
    new.extend(list(root))
    return new
