"""Editors for the package's control parts: relationships, [Content_Types].xml, workbook.xml.

Each parses its part with lxml and matches elements by namespace URI, never by prefix, so a
part written by the Open XML SDK (`<x:workbook xmlns:x=…>`, `ns1:id`), by Excel (default
namespace) or by LibreOffice reads the same; long-form and self-closing elements are alike.
"""
from __future__ import annotations

import posixpath
from urllib.parse import unquote

from lxml import etree

from addin.ooxml.package import Package, PackageError, relative, resolve, source_of
from addin.ooxml.xmlutil import (CT_NS, PKG_REL, REL, STRICT_MAIN, copy_into, insert_ordered,
                                 namespace, parse, q, serialize, with_namespace)

# CT_Workbook's child sequence (where a missing <definedNames> goes)
_WORKBOOK_ORDER = ["fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                   "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
                   "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                   "fileRecoveryPr", "webPublishObjects", "extLst"]


def kind(rel_type: str) -> str:
    """The last segment of a relationship type: 'worksheet', 'drawing', 'officeDocument' …"""
    return rel_type.rstrip("/").rsplit("/", 1)[-1]


# ---------------------------------------------------------------------------- relationships
class Relationships:
    """One .rels part: the relationships of part `source` ("" for the package itself)."""

    def __init__(self, data: bytes | None, source: str):
        self.source = source
        self.root = parse(data) if data else etree.Element(q(PKG_REL, "Relationships"), nsmap={None: PKG_REL})
        self._tag = q(namespace(self.root), "Relationship")

    def __iter__(self):
        return iter(self.root.findall(self._tag))

    def __len__(self) -> int:
        return len(self.root.findall(self._tag))

    @staticmethod
    def internal(rel: etree._Element) -> bool:
        return (rel.get("TargetMode") or "Internal") != "External"

    def part(self, rel: etree._Element) -> str:
        """The part name an internal relationship points to."""
        return resolve(self.source, rel.get("Target", ""))

    def of_kind(self, name: str) -> list[etree._Element]:
        return [r for r in self if kind(r.get("Type", "")) == name]

    def get(self, rid: str) -> etree._Element | None:
        return next((r for r in self if r.get("Id") == rid), None)

    def add(self, rel_type: str, part: str) -> str:
        """Add an internal relationship to `part`; returns its new, unused id."""
        ids = {r.get("Id") for r in self}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        etree.SubElement(self.root, self._tag, {"Id": f"rId{n}", "Type": rel_type, "Target": self.target(part)})
        return f"rId{n}"

    def target(self, part: str) -> str:
        return relative(self.source, part)

    def remove(self, rel: etree._Element) -> None:
        self.root.remove(rel)

    def to_bytes(self) -> bytes:
        return serialize(self.root)


# ---------------------------------------------------------------------------- content types
class ContentTypes:
    """[Content_Types].xml: Default (by extension) and Override (by part name) entries."""

    def __init__(self, data: bytes):
        self.root = parse(data)
        ns = namespace(self.root) or CT_NS
        self._override_tag, self._default_tag = q(ns, "Override"), q(ns, "Default")
        self._overrides = {_part_key(el.get("PartName", "")): el for el in self.root.iter(self._override_tag)}
        self._defaults = {el.get("Extension", "").lower(): el for el in self.root.iter(self._default_tag)}

    def get(self, part: str) -> str | None:
        el = self._overrides.get(_part_key(part))
        if el is None:                        # (an element without children is falsy: no `or`)
            el = self._defaults.get(_extension(part))
        return None if el is None else el.get("ContentType")

    def set_override(self, part: str, ctype: str) -> None:
        el = self._overrides.get(_part_key(part))
        if el is None:
            el = self._overrides[_part_key(part)] = etree.SubElement(self.root, self._override_tag)
            el.set("PartName", "/" + part)
        el.set("ContentType", ctype)

    def drop_override(self, part: str) -> None:
        el = self._overrides.pop(_part_key(part), None)
        if el is not None:
            self.root.remove(el)

    def ensure(self, part: str, ctype: str) -> None:
        """Make `part` typed `ctype`: a new Default for an unknown extension, else an Override."""
        if self.get(part) == ctype:
            return
        ext = _extension(part)
        if ext and ext not in self._defaults and _part_key(part) not in self._overrides:
            el = self._defaults[ext] = etree.SubElement(self.root, self._default_tag,
                                                        {"Extension": ext, "ContentType": ctype})
            self.root.insert(0, el)           # Defaults come first by convention
        else:
            self.set_override(part, ctype)

    def to_bytes(self) -> bytes:
        return serialize(self.root)


def _part_key(part_name: str) -> str:
    return unquote(part_name).lstrip("/").lower()


def _extension(part: str) -> str:
    """'xl/media/image1.PNG' → 'png'; '_rels/.rels' → 'rels' (splitext sees no extension there)."""
    name = posixpath.basename(part)
    return name.rpartition(".")[2].lower() if "." in name else ""


# ---------------------------------------------------------------------------- workbook.xml
class Workbook:
    """workbook.xml: the sheet list and the defined names."""

    def __init__(self, data: bytes, label: str = "工作簿"):
        self.root = parse(data)
        self.ns = namespace(self.root)
        if self.ns == STRICT_MAIN:
            raise PackageError(f"{label}是“Strict Open XML”格式，暂不支持；请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”后重试。")
        self._sheets_el = self.root.find(q(self.ns, "sheets"))
        if self._sheets_el is None:
            raise PackageError(f"{label}的 workbook.xml 中没有工作表列表，文件已损坏。")

    @property
    def sheets(self) -> list[etree._Element]:
        return self._sheets_el.findall(q(self.ns, "sheet"))

    def index(self, name: str) -> int | None:
        """Position of the sheet called `name` (Excel compares sheet names case-insensitively)."""
        key = name.casefold()
        return next((i for i, el in enumerate(self.sheets) if el.get("name", "").casefold() == key), None)

    @staticmethod
    def rid(sheet: etree._Element) -> str:
        """The sheet's relationship id, whatever prefix its namespace has (r:id, ns1:id …)."""
        rid = sheet.get(q(REL, "id"))
        if rid is None:   # any other namespace's "id" (a non-standard writer)
            rid = next((v for k, v in sheet.attrib.items() if k.startswith("{") and k.endswith("}id")), None)
        if rid is None:
            raise PackageError(f"workbook.xml 中的工作表「{sheet.get('name')}」缺少关系编号，文件已损坏。")
        return rid

    def add_sheet(self, name: str, rid: str) -> None:
        """Append a <sheet> with the next sheetId."""
        self.root = with_namespace(self.root, REL, "r")
        ids = [int(el.get("sheetId")) for el in self.sheets if (el.get("sheetId") or "").isdigit()]
        etree.SubElement(self._sheets_el, q(self.ns, "sheet"),
                         {"name": name, "sheetId": str(max(ids, default=0) + 1), q(REL, "id"): rid})

    def merge_defined_names(self, donor: "Workbook", names: list[str]) -> None:
        """Give the sheets `names` the donor's sheet-local defined names (print titles, filter
        ranges …) instead of their old ones, localSheetId renumbered to this workbook's order.
        Global names and other sheets' names stay."""
        replaced = {self.index(n) for n in names}
        donor_names = [el.get("name", "") for el in donor.sheets]
        wanted = {n.casefold() for n in names}
        block = self.root.find(q(self.ns, "definedNames"))
        if block is not None:
            for dn in block.findall(q(self.ns, "definedName")):
                if _local_id(dn) in replaced:
                    block.remove(dn)
        donor_block = donor.root.find(q(donor.ns, "definedNames"))
        for dn in [] if donor_block is None else donor_block.findall(q(donor.ns, "definedName")):
            local = _local_id(dn)
            if local is None or local >= len(donor_names) or donor_names[local].casefold() not in wanted:
                continue
            if block is None:
                block = insert_ordered(self.root, "definedNames", _WORKBOOK_ORDER)
            copy_into(dn, block).set("localSheetId", str(self.index(donor_names[local])))
        if block is not None and not len(block):
            self.root.remove(block)

    def to_bytes(self) -> bytes:
        return serialize(self.root)


def _local_id(defined_name: etree._Element) -> int | None:
    value = defined_name.get("localSheetId")
    return int(value) if value is not None and value.strip().isdigit() else None


# ---------------------------------------------------------------------------- the part graph
def load_relationships(pkg: Package) -> dict[str, Relationships]:
    """Every .rels part of the package, parsed: source part ("" = the package) → relationships."""
    out = {}
    for name in pkg.names:
        source = source_of(name)
        if source is not None:
            source = pkg.find(source) or source
            out[source] = Relationships(pkg.read(name), source)
    return out


def reachable(pkg: Package, rels: dict[str, Relationships], cut: set[str] = frozenset()) -> set[str]:
    """The parts reached from the package root through internal relationships. The parts in
    `cut` count as reached, but their own relationships are not followed (they are about to
    get new ones)."""
    seen: set[str] = set()
    stack = [""]
    while stack:
        source = stack.pop()
        if source in cut or source not in rels:
            continue
        for rel in rels[source]:
            part = pkg.find(rels[source].part(rel)) if Relationships.internal(rel) else None
            if part is not None and part not in seen:
                seen.add(part)
                stack.append(part)
    return seen
