"""The shipped macro files, opened as a user's Excel would get them, checked by readers that are
not ours: oletools' olevba (VBA source), olefile (the compound file), xmlschema with
Microsoft's customUI schema (the ribbon) and LibreOffice (imports the VBA project and binds the
document modules to the sheets by codeName)."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import warnings

import olefile
import pytest
import xmlschema
from lxml import etree

with warnings.catch_warnings():             # oletools' grammar uses pyparsing's old names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

import addin.excel as excel
from workbook import build_vba as B
from workbook import vba

ROOT = Path(__file__).resolve().parents[2]
XLSM = ROOT / "workbook" / "kpi4s_store.xlsm"
XLAM = ROOT / "workbook" / "kpi4s.xlam"
XSD = Path(__file__).with_name("customui14.xsd")
CUI = "{http://schemas.microsoft.com/office/2009/07/customui}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# the six buttons the issue names, plus 导入函数 (xlwings' Import Functions for this workbook)
BUTTONS = {"月度报告": "monthly_report_button", "评估表": "appraisal_forms_button",
           "警告信": "warning_letters_button", "目标分解": "decompose_targets_button",
           "导入DMS": "dms_import_button", "检查": "check_button", "导入函数": None,
           "目标设定表": "goal_forms_button", "审批": "approve_button", "退回": "reject_button",
           "覆盖重算": "monthly_report_override_button", "申述改分": "apply_appeals_button",
           "工资接口": "payroll_button", "年终资料": "year_end_button",
           "集团汇总": "group_report_button"}

PACKAGES = pytest.mark.parametrize("path", [XLSM, XLAM], ids=["xlsm", "xlam"])


def _modules(path) -> dict[str, str]:
    """{module name: source} as olevba extracts it."""
    parser = VBA_Parser(str(path))
    try:
        return {Path(vba_name).stem: code if isinstance(code, str) else code.decode("latin-1")
                for _, _, vba_name, code in parser.extract_macros()}
    finally:
        parser.close()


def _code_names(path) -> tuple[str, dict[str, str]]:
    with zipfile.ZipFile(path) as z:
        wb = etree.fromstring(z.read("xl/workbook.xml"))
        book_code = wb.find(f"{MAIN}workbookPr").get("codeName")
        sheets = {name: etree.fromstring(z.read(part)).find(f"{MAIN}sheetPr").get("codeName")
                  for name, part in B._sheet_parts(z)}
    return book_code, sheets


@PACKAGES
def test_olevba_extracts_exactly_our_vba_source(path):
    mods = _modules(path)
    _, sheets = _code_names(path)
    assert set(mods) == {"ThisWorkbook", "kpi4s", *sheets.values()}
    source = (ROOT / "workbook" / "vba" / "kpi4s.bas").read_text(encoding="ascii")
    assert vba.code_lines(mods["kpi4s"]) == vba.code_lines(source)
    assert mods["kpi4s"].splitlines()[0] == 'Attribute VB_Name = "kpi4s"'
    this = (ROOT / "workbook" / "vba" / "ThisWorkbook.cls").read_text(encoding="ascii")
    assert vba.code_lines(mods["ThisWorkbook"]) == vba.code_lines(this)
    assert 'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"' in mods["ThisWorkbook"]
    for code in sheets.values():                 # empty worksheet modules, bound to Excel's Worksheet class
        assert 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in mods[code]
        assert [line for line in vba.code_lines(mods[code]) if line.strip()] == []


@PACKAGES
def test_code_names_match_the_document_modules(path):
    book_code, sheets = _code_names(path)
    assert book_code == "ThisWorkbook"
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", c) for c in sheets.values())
    assert len(set(map(str.casefold, sheets.values()))) == len(sheets)
    with zipfile.ZipFile(path) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    project = ole.openstream("PROJECT").read().decode("cp1252")
    documents = re.findall(r"^Document=(\w+)/&H00000000\r$", project, re.M)
    assert sorted(documents) == sorted(["ThisWorkbook", *sheets.values()])
    assert re.findall(r"^Module=(\w+)\r$", project, re.M) == ["kpi4s"]
    streams = {"/".join(p) for p in ole.listdir()}
    assert {f"VBA/{m}" for m in documents + ["kpi4s"]} | {"VBA/dir", "VBA/_VBA_PROJECT", "PROJECT",
                                                          "PROJECTwm"} == streams
    pid = re.search(r'^ID="(\{[0-9A-F-]{36}\})"', project).group(1)
    assert vba.decrypt(pid, re.search(r'CMG="(\w+)"', project).group(1)) == bytes(4)   # not protected
    assert vba.decrypt(pid, re.search(r'GC="(\w+)"', project).group(1)) == b"\xff"     # visible
    if path == XLSM:
        assert sheets["设置"] == "shSettings" and sheets["历史"] == "shHistory"


@PACKAGES
def test_package_parts_make_a_macro_enabled_file(path):
    with zipfile.ZipFile(path) as z:
        ct = z.read("[Content_Types].xml").decode()
        root_rels = z.read("_rels/.rels").decode()
        wb_rels = z.read("xl/_rels/workbook.xml.rels").decode()
        assert "xl/vbaProject.bin" in z.namelist() and B.RIBBON_PART in z.namelist()
    main = B.MAIN_CT["xlam" if path.suffix == ".xlam" else "xlsm"]
    assert f'PartName="/xl/workbook.xml" ContentType="{main}"' in ct
    assert 'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in ct
    assert f'Type="{B.RIBBON_REL}" Target="{B.RIBBON_PART}"' in root_rels
    assert f'Type="{B.VBA_REL}" Target="vbaProject.bin"' in wb_rels


@PACKAGES
def test_ribbon_validates_against_the_customui_schema(path):
    schema = xmlschema.XMLSchema(str(XSD))
    with zipfile.ZipFile(path) as z:
        xml = z.read(B.RIBBON_PART)
    schema.validate(xml)
    broken = xml.replace(b'size="large"', b'size="huge"', 1)
    assert not schema.is_valid(broken)                       # the validator does check


def _subs(source: str) -> dict[str, tuple[str, str]]:
    """{Sub name: (parameter list, body)} of a VBA module."""
    return {m.group(1): (m.group(2), m.group(3)) for m in
            re.finditer(r"^Public Sub (\w+)\(([^)]*)\)\r?\n(.*?)^End Sub", source, re.M | re.S)}


@PACKAGES
def test_every_button_runs_its_macro(path):
    with zipfile.ZipFile(path) as z:
        ribbon = etree.fromstring(z.read(B.RIBBON_PART))
    subs = _subs(_modules(path)["kpi4s"])
    tab = ribbon.find(f".//{CUI}tab")
    assert tab.get("label") == "绩效考核" and tab.get("idQ") == "k:tab"
    buttons = {b.get("label"): b.get("onAction") for b in ribbon.iter(f"{CUI}button")}
    assert set(buttons) == set(BUTTONS)
    for label, callback in buttons.items():
        params, body = subs[callback]
        assert params == "ByVal control As Object", callback           # the ribbon's onAction signature
        macro = body.strip()
        assert re.fullmatch(r"\w+", macro) and subs[macro][0] == "", (label, macro)   # an Alt+F8 macro
        entry = BUTTONS[label]
        if entry is None:
            assert "XLWINGS_IMPORT_UDFS" in subs[macro][1]
            continue
        assert subs[macro][1].strip() == f'RunKpi4s "{entry}"', label
        assert callable(getattr(excel, entry)), entry                   # the Python door exists
    for group in ribbon.iter(f"{CUI}group"):
        assert subs[group.get("getVisible")][0] == "ByVal control As Object, ByRef returnedVal"


def test_runpython_command_and_messages():
    source = (ROOT / "workbook" / "vba" / "kpi4s.bas").read_text(encoding="ascii")
    assert "Application.Run XLWINGS_RUNPYTHON, \"import addin.excel; addin.excel.\" & entry & \"()\"" in source
    texts = [bytes(t, "ascii").decode("unicode_escape") for t in re.findall(r'Zh\("([^"]*)"\)', source)]
    assert len(texts) == 3 and all(re.search(r"[\u4e00-\u9fff]", t) for t in texts)
    assert sum("kpi4s excel install" in t for t in texts) == 2
    assert all(ord(c) < 127 for c in source)


def test_committed_projects_are_built_from_the_current_sources():
    for path, kind in ((XLSM, "xlsm"), (XLAM, "xlam")):
        _, sheets = _code_names(path)
        with zipfile.ZipFile(path) as z:
            shipped = z.read("xl/vbaProject.bin")
        assert shipped == vba.vba_project(B.PROJECT_NAME[kind], B.modules(list(sheets.values()))), \
            f"{path.name} is stale: run python -m workbook.build"


def test_store_xlsm_has_the_template_sheets():
    with zipfile.ZipFile(XLSM) as a, zipfile.ZipFile(ROOT / "workbook" / "kpi4s_store.xlsx") as b:
        assert [n for n, _ in B._sheet_parts(a)] == [n for n, _ in B._sheet_parts(b)]


# --------------------------------------------------------------------------- the writers
def test_compression_round_trips_through_olevba():
    import random
    rnd = random.Random(11)
    cases = [b"", b"a", b"abc" * 2000, bytes(rnd.getrandbits(8) for _ in range(9000)),
             (ROOT / "workbook" / "vba" / "kpi4s.bas").read_bytes(), b"x" * 4096, b"x" * 4097]
    for data in cases:
        assert bytes(decompress_stream(bytearray(vba.compress(data)))) == data
    assert len(vba.compress(b"abc" * 2000)) < 100


def test_encryption_reads_excel_written_values():
    """xlwings' quickstart.xlsm was saved by Excel: our decryption reads its CMG/DPB/GC."""
    xlwings = pytest.importorskip("xlwings")
    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart.xlsm") as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    project = ole.openstream("PROJECT").read().decode("cp1252")
    pid = re.search(r'ID="(\{.*?\})"', project).group(1)
    assert vba.decrypt(pid, re.search(r'CMG="(\w+)"', project).group(1)) == bytes(4)
    assert vba.decrypt(pid, re.search(r'DPB="(\w+)"', project).group(1)) == bytes(1)
    assert vba.decrypt(pid, re.search(r'GC="(\w+)"', project).group(1)) == b"\xff"
    for seed in (0, 7, 0x42, 0xFF):
        assert vba.decrypt(pid, vba.encrypt(pid, b"\x01\x02\x03", seed)) == b"\x01\x02\x03"


def test_compound_file_with_large_and_small_streams():
    from workbook import cfb
    streams = {"A": b"small", "S/big": bytes(range(256)) * 40, "S/empty": b"", "S/mid": b"m" * 4095,
               "PROJECTwm": b"\0\0"}
    ole = olefile.OleFileIO(cfb.write(streams))
    for name, data in streams.items():
        assert ole.openstream(name).read() == data
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)


def test_sources_must_be_ascii(tmp_path):
    bad = tmp_path / "bad.bas"
    bad.write_text('Attribute VB_Name = "bad"\r\nSub A()\r\n    MsgBox "月度"\r\nEnd Sub\r\n', encoding="utf-8")
    with pytest.raises((ValueError, UnicodeDecodeError)):
        vba.standard_module(bad)


# --------------------------------------------------------------------------- LibreOffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_imports_the_project_and_binds_the_sheets(tmp_path):
    src = tmp_path / "store.xlsm"
    shutil.copy(XLSM, src)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "ods", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "store.ods") as z:
        names = z.namelist()
        module = etree.fromstring(z.read("Basic/VBAProject/kpi4s.xml")).text
        settings = z.read("settings.xml").decode()
    source = (ROOT / "workbook" / "vba" / "kpi4s.bas").read_text(encoding="ascii")
    body = [line for line in vba.code_lines(source) if line.strip()]
    assert [line for line in module.splitlines() if line.strip()][-len(body):] == body
    _, sheets = _code_names(XLSM)
    for code in sheets.values():
        assert f"Basic/VBAProject/{code}.xml" in names
    # LibreOffice keeps each sheet's codeName (the binding of sheet ↔ document module)
    for code in sheets.values():
        assert f">{code}</config:config-item>" in settings
