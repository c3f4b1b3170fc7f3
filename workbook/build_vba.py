"""The macro-enabled files: ``kpi4s.xlam`` (the ribbon add-in) and ``kpi4s_store.xlsm`` (the
store workbook whose buttons work on first open), built from the sources in ``workbook/vba/``:

- ``kpi4s.bas``        the buttons' VBA (one macro per button, late-bound to xlwings' RunPython);
- ``ThisWorkbook.cls`` the workbook's document module;
- ``customUI14.xml``   the 绩效考核 ribbon tab (Office 2010+ schema).

Every worksheet gets a ``codeName`` (kept if it has one) and the VBA project gets exactly one
document module per codeName plus ``ThisWorkbook`` — the workbook XML and the project agree, so
Excel adds no duplicate modules and event code runs.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from addin.io import schema as S
from addin.io.save import atomic_save
from addin.ooxml.xmlutil import insert_ordered, parse, q, serialize
from workbook import vba

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "vba"
MODULE = SOURCES / "kpi4s.bas"
THIS_WORKBOOK = SOURCES / "ThisWorkbook.cls"
RIBBON = SOURCES / "customUI14.xml"
ADDIN = HERE / "kpi4s.xlam"

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_CT = "application/vnd.ms-office.vbaProject"
MAIN_CT = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "xlam": "application/vnd.ms-excel.addin.macroEnabled.main+xml",
}
WORKBOOK_CODE_NAME = "ThisWorkbook"
PROJECT_NAME = {"xlsm": "VBAProject", "xlam": "kpi4sAddin"}
RIBBON_PART = "customUI/customUI14.xml"

# codeNames of the template's sheets (VBA identifiers; what the VBA editor lists)
CODE_NAMES = {
    S.SETTINGS: "shSettings", S.ROSTER: "shRoster", S.KPI_LIB: "shKpiLibrary", S.SCORECARDS: "shScorecards",
    S.ACTUALS: "shActuals", S.ADJUSTMENTS: "shAdjustments", S.COMMISSION: "shCommission",
    S.SUBMISSIONS: "shSubmissions", S.RATINGS: "shRatings", S.TARGETS: "shTargets", S.OWNERS: "shOwners",
    S.TARGET_ACTUALS: "shTargetActuals", S.PREVIEW: "shPreview", S.HISTORY: "shHistory",
}
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")


def _sheet_parts(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) of the workbook's worksheets, in tab order."""
    wb = parse(z.read("xl/workbook.xml"))
    rels = parse(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    out = []
    for sheet in wb.iter(q(MAIN_NS, "sheet")):
        t = target[sheet.get(q(REL_NS, "id"))]
        out.append((sheet.get("name"), t.lstrip("/") if t.startswith("/") else "xl/" + t))
    return out


def _with_code_name(data: bytes, code: str | None, used: set[str], n: int) -> tuple[bytes, str]:
    """The sheet XML with a codeName (its own if valid and free, else ``code`` or SheetN)."""
    root = parse(data)
    pr = root.find(q(MAIN_NS, "sheetPr"))
    if pr is None:                              # sheetPr must open the worksheet
        pr = root.makeelement(q(MAIN_NS, "sheetPr"), {})
        root.insert(0, pr)
    own = pr.get("codeName")
    for candidate in (own, code, *(f"Sheet{i}" for i in range(n, n + 1000))):
        if candidate and _IDENT.match(candidate) and candidate.casefold() not in used:
            break
    used.add(candidate.casefold())
    pr.set("codeName", candidate)
    return serialize(root), candidate


def _workbook_xml(data: bytes) -> bytes:
    root = parse(data)
    pr = root.find(q(MAIN_NS, "workbookPr"))
    if pr is None:
        pr = insert_ordered(root, "workbookPr", ["fileVersion", "fileSharing", "workbookPr"])
    pr.set("codeName", WORKBOOK_CODE_NAME)
    return serialize(root)


def _content_types(data: bytes, kind: str) -> bytes:
    root = parse(data)
    for el in root.iter(q(CT_NS, "Override")):
        if el.get("PartName") == "/xl/workbook.xml":
            el.set("ContentType", MAIN_CT[kind])
    if not any(el.get("Extension", "").lower() == "bin" for el in root.iter(q(CT_NS, "Default"))):
        root.insert(0, root.makeelement(q(CT_NS, "Default"), {"Extension": "bin", "ContentType": VBA_CT}))
    return serialize(root)


def _add_relationship(data: bytes, rel_type: str, target: str) -> bytes:
    root = parse(data)
    for el in list(root):
        if el.get("Type") == rel_type:
            root.remove(el)
    ids = {el.get("Id") for el in root}
    rid = next(f"rIdKpi4s{i}" for i in range(1, 100) if f"rIdKpi4s{i}" not in ids)
    root.append(root.makeelement(q(PKG_REL_NS, "Relationship"), {"Id": rid, "Type": rel_type, "Target": target}))
    return serialize(root)


def modules(code_names: list[str]) -> list[vba.Module]:
    """The project's modules: ThisWorkbook, one document module per sheet, kpi4s."""
    docs = [vba.document_module(WORKBOOK_CODE_NAME, THIS_WORKBOOK, workbook=True)]
    docs += [vba.document_module(c) for c in code_names]
    return docs + [vba.standard_module(MODULE)]


def macro_package(source, dest, kind: str = "xlsm") -> dict[str, str]:
    """Write ``dest``: the .xlsx package ``source`` as an .xlsm/.xlam with codeNames, the VBA
    project and the ribbon. Returns {sheet name: codeName}."""
    if kind not in PROJECT_NAME:
        raise ValueError(kind)
    with zipfile.ZipFile(source) as z:
        sheets = _sheet_parts(z)
        used = {WORKBOOK_CODE_NAME.casefold()}
        replaced, codes = {}, {}
        for i, (name, part) in enumerate(sheets, 1):
            replaced[part], codes[name] = _with_code_name(z.read(part), CODE_NAMES.get(name), used, i)
        replaced["xl/workbook.xml"] = _workbook_xml(z.read("xl/workbook.xml"))
        replaced["[Content_Types].xml"] = _content_types(z.read("[Content_Types].xml"), kind)
        replaced["xl/_rels/workbook.xml.rels"] = _add_relationship(z.read("xl/_rels/workbook.xml.rels"),
                                                                   VBA_REL, "vbaProject.bin")
        replaced["_rels/.rels"] = _add_relationship(z.read("_rels/.rels"), RIBBON_REL, RIBBON_PART)
        project = vba.vba_project(PROJECT_NAME[kind], modules(list(codes.values())))
        ribbon = RIBBON.read_bytes()

        def save(tmp: str) -> None:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
                for info in z.infolist():
                    if info.filename in ("xl/vbaProject.bin", RIBBON_PART):
                        continue
                    out.writestr(info, replaced.get(info.filename, z.read(info.filename)))
                out.writestr("xl/vbaProject.bin", project)
                out.writestr(RIBBON_PART, ribbon)
        atomic_save(save, Path(dest))
    return codes


def build_addin(dest: Path = ADDIN) -> Path:
    """kpi4s.xlam: one (hidden, as in every add-in) sheet saying what it is, the VBA, the ribbon."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from addin.render import style
    wb = Workbook()
    ws = wb.active
    ws.title = "kpi4s"
    lines = ["kpi4s 绩效考核加载项", "",
             "Excel 功能区「绩效考核」选项卡：月度报告、评估表、警告信、目标分解、导入DMS、检查、导入函数。",
             "按钮作用于当前活动的工作簿，通过 xlwings 加载项运行与 kpi4s 命令行相同的 Python 代码。",
             "安装：在命令提示符中运行 kpi4s excel install；检查：kpi4s excel doctor。"]
    for i, text in enumerate(lines, 1):
        ws.cell(i, 1, text).font = Font(name=style.FONT, size=14 if i == 1 else 10, bold=i == 1)
    ws.column_dimensions["A"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    macro_package(buf, dest, "xlam")
    return Path(dest)
