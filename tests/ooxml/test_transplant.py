"""addin.ooxml.replace_sheets end to end: real packages written by openpyxl, xlsxwriter,
LibreOffice and Excel (xlwings' quickstart.xlsm), read back with openpyxl and python_calamine."""
from __future__ import annotations

import hashlib
import io
import posixpath
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
import xlsxwriter
from lxml import etree
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from python_calamine import CalamineWorkbook

from addin.ooxml import replace_sheets

# ---------------------------------------------------------------------------- checking a package
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def raw_member(path, name: str) -> bytes:
    """A member's compressed bytes as stored (to prove a part was not even re-deflated)."""
    with zipfile.ZipFile(path) as z, open(path, "rb") as f:
        info = z.getinfo(name)
        f.seek(info.header_offset)
        head = f.read(30)
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        f.seek(info.header_offset + 30 + name_len + extra_len)
        return f.read(info.compress_size)


def rewrite(path, edits: dict[str, bytes | None], dest=None) -> Path:
    """A copy of the package with parts replaced, added (bytes) or deleted (None)."""
    dest = Path(dest or path)
    parts = members(path)
    for name, data in edits.items():
        if data is None:
            parts.pop(name, None)
        else:
            parts[name] = data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    dest.write_bytes(buf.getvalue())
    return dest


def relationships(parts: dict[str, bytes]):
    """(source part, Relationship element) for every relationship of the package."""
    for name, data in parts.items():
        folder, base = posixpath.split(name)
        if posixpath.basename(folder) == "_rels" and base.endswith(".rels"):
            source = posixpath.join(posixpath.dirname(folder), base[:-5])
            for rel in etree.fromstring(data).iter(f"{{{PKG_REL_NS}}}Relationship"):
                yield source, rel


def target_of(source: str, target: str) -> str:
    target = unquote(target)
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def check_package(path) -> openpyxl.Workbook:
    """Assert the package is whole, and return it loaded by openpyxl:
    - the zip is sound and no name repeats;
    - every XML part (.xml, .rels, .vml) is well-formed;
    - every internal relationship points to a part that exists;
    - every part has a content type and every Override names an existing part;
    - openpyxl and python_calamine open it and agree on the sheet names.
    """
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = z.namelist()
    assert len(names) == len(set(n.lower() for n in names))
    parts = members(path)
    for name, data in parts.items():
        if name.endswith((".xml", ".rels", ".vml")):
            etree.fromstring(data)                         # raises when not well-formed
    lower = {n.lower() for n in names}
    types = etree.fromstring(parts["[Content_Types].xml"])
    defaults = {el.get("Extension").lower() for el in types.iter(f"{{{CT_NS}}}Default")}
    overrides = {unquote(el.get("PartName")).lstrip("/").lower() for el in types.iter(f"{{{CT_NS}}}Override")}
    assert overrides <= lower, f"overrides of missing parts: {overrides - lower}"
    for name in names:
        if name != "[Content_Types].xml":
            assert name.lower() in overrides or name.rpartition(".")[2].lower() in defaults, name
    for source, rel in relationships(parts):
        if rel.get("TargetMode") != "External":
            part = target_of(source, rel.get("Target"))
            assert part.lower() in lower, f"{source} → {part} (missing)"
    wb = openpyxl.load_workbook(path)
    assert CalamineWorkbook.from_path(str(path)).sheet_names == wb.sheetnames
    return wb


def calamine_rows(path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def reprefix(data: bytes, prefixes: dict[str, str], long_form: bool = True) -> bytes:
    """The same XML with the namespaces in `prefixes` ({uri: prefix}) bound to those prefixes on
    the root (as the Open XML SDK writes: `<x:workbook xmlns:x=…>`, `ns1:id`), and with empty
    elements written long-form (`<sheet …></sheet>`) when `long_form`."""
    src = etree.fromstring(data)
    nsmap = {}
    for el in src.iter():
        for prefix, uri in el.nsmap.items():
            nsmap.setdefault(uri, prefix)
    nsmap.update(prefixes)
    nsmap = {prefix: uri for uri, prefix in nsmap.items()}

    def build(el, parent):
        new = etree.Element(el.tag, dict(el.attrib), nsmap=nsmap) if parent is None else \
            etree.SubElement(parent, el.tag, dict(el.attrib))
        new.text = el.text if el.text or not long_form else ""
        for child in el:
            if isinstance(child.tag, str):
                build(child, new).tail = child.tail
        return new
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + etree.tostring(build(src, None), encoding="UTF-8")


# ---------------------------------------------------------------------------- test packages
REPORT = "报告"
NEW = '新表 A&B<"x">'          # needs escaping in XML (and quoting in formulas)


def _bar_chart(ws, rows: int):
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=rows), titles_from_data=True)
    return chart


def openpyxl_target(path: Path) -> Path:
    """输入 (kept: chart, print titles), 报告 (replaced: chart, comment, print titles, filter),
    备注 (kept: comment, print titles)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "输入"
    for row in (["员工编号", "得分"], ["E1", 88], ["E2", 92.5]):
        ws.append(row)
    ws.add_chart(_bar_chart(ws, 3), "D2")
    ws.print_title_rows = "1:1"
    rep = wb.create_sheet(REPORT)
    rep.append(["旧内容", 1])
    rep["A1"].comment = Comment("旧批注", "kpi4s")
    rep.add_chart(_bar_chart(rep, 1), "D2")
    rep.print_title_rows = "1:1"
    rep.auto_filter.ref = "A1:B1"
    note = wb.create_sheet("备注")
    note["A1"] = "保留"
    note["A1"].comment = Comment("保留的批注", "kpi4s")
    note.print_title_rows = "1:1"
    wb.save(path)
    return path


def xlsxwriter_donor(report_chart: bool = True) -> bytes:
    """报告: bold header, percentages, shared strings, conditional format, optional chart,
    print titles and filter; NEW: Chinese text and money."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF"})
    pct = wb.add_format({"num_format": "0.0%"})
    ws = wb.add_worksheet(REPORT)
    ws.write_row(0, 0, ["指标", "完成率"], bold)
    for r, (name, value) in enumerate([("产值", 0.95), ("满意度", 1.02), ("产值", 0.5)], 1):
        ws.write_string(r, 0, name)
        ws.write_number(r, 1, value, pct)
    ws.conditional_format(1, 1, 3, 1, {"type": "cell", "criteria": "<", "value": 0.8,
                                       "format": wb.add_format({"font_color": "#C00000"})})
    if report_chart:
        chart = wb.add_chart({"type": "column"})
        chart.add_series({"categories": f"='{REPORT}'!$A$2:$A$4", "values": f"='{REPORT}'!$B$2:$B$4",
                          "data_labels": {"value": True}})
        ws.insert_chart("D2", chart)
    ws.repeat_rows(0)
    ws.autofilter(0, 0, 3, 1)
    new = wb.add_worksheet(NEW)
    new.write(0, 0, "新建的表")
    new.write(1, 0, 1234.5, wb.add_format({"num_format": "#,##0.00"}))
    new.repeat_rows(0)
    wb.close()
    return buf.getvalue()


def _sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _defined_names(path) -> set[tuple]:
    root = etree.fromstring(members(path)["xl/workbook.xml"])
    return {(dn.get("name"), dn.get("localSheetId"), dn.text) for dn in root.iter(f"{{{MAIN_NS}}}definedName")}


def _assert_report(wb: openpyxl.Workbook, path) -> None:
    rep = wb[REPORT]
    assert rep["A1"].value == "指标" and rep["A1"].font.b
    assert rep["B2"].value == pytest.approx(0.95) and rep["B2"].number_format == "0.0%"
    assert rep["A2"].font.b is False
    assert wb[NEW]["A2"].number_format == "#,##0.00"
    assert calamine_rows(path, REPORT) == [["指标", "完成率"], ["产值", 0.95], ["满意度", 1.02], ["产值", 0.5]]
    assert calamine_rows(path, NEW) == [["新建的表"], [1234.5]]


# ---------------------------------------------------------------------------- openpyxl target
def test_replaces_and_appends_sheets_of_an_openpyxl_book(tmp_path):
    target = openpyxl_target(tmp_path / "store.xlsx")
    out = replace_sheets(target, xlsxwriter_donor(), [REPORT, NEW], dest=tmp_path / "out.xlsx")
    wb = check_package(out)
    assert wb.sheetnames == ["输入", REPORT, "备注", NEW]          # replaced in place, new appended
    _assert_report(wb, out)
    assert len(wb[REPORT]._charts) == 1 and len(wb["输入"]._charts) == 1
    assert wb[REPORT]["A1"].comment is None                          # the old comment went with the sheet
    assert wb["备注"]["A1"].comment.text == "保留的批注"
    assert calamine_rows(out, "输入") == [["员工编号", "得分"], ["E1", 88], ["E2", 92.5]]
    parts = members(out)
    assert sum(n.startswith("xl/comments/") for n in parts) == 1     # 备注's only
    assert sum(n.endswith(".vml") for n in parts) == 1
    chart = next(data for name, data in parts.items() if name.startswith("xl/charts/") and b"showVal" in data)
    assert b'<c:showSerName val="0"/>' in chart                      # data-label flags spelled out


def test_rerun_gives_the_same_package(tmp_path):
    target = openpyxl_target(tmp_path / "store.xlsx")
    donor = xlsxwriter_donor()
    once = replace_sheets(target, donor, [REPORT, NEW], dest=tmp_path / "once.xlsx")
    twice = replace_sheets(once, donor, [REPORT, NEW], dest=tmp_path / "twice.xlsx")
    first, second = members(once), members(twice)
    assert sorted(first) == sorted(second)
    assert first["xl/styles.xml"] == second["xl/styles.xml"]        # styles do not grow
    assert first == second
    assert check_package(twice).sheetnames == ["输入", REPORT, "备注", NEW]


def test_other_parts_are_copied_byte_for_byte(tmp_path):
    target = openpyxl_target(tmp_path / "store.xlsx")
    out = replace_sheets(target, xlsxwriter_donor(), [REPORT], dest=tmp_path / "out.xlsx")
    kept = ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml", "xl/theme/theme1.xml", "docProps/core.xml",
            "xl/worksheets/_rels/sheet1.xml.rels", "xl/worksheets/_rels/sheet3.xml.rels"]
    with zipfile.ZipFile(out) as z:
        assert set(kept) <= set(z.namelist())
    for name in kept:
        assert raw_member(out, name) == raw_member(target, name), name     # not even re-deflated


def test_replacing_a_sheet_removes_its_drawings_charts_and_comments(tmp_path):
    target = openpyxl_target(tmp_path / "store.xlsx")
    before = members(target)
    out = replace_sheets(target, xlsxwriter_donor(report_chart=False), [REPORT], dest=tmp_path / "out.xlsx")
    wb = check_package(out)
    assert wb[REPORT]._charts == [] and len(wb["输入"]._charts) == 1
    after = members(out)
    gone = set(before) - set(after)
    assert {n.rsplit("/", 1)[0] for n in gone} >= {"xl/charts", "xl/drawings", "xl/comments"}
    assert "xl/worksheets/_rels/sheet2.xml.rels" not in after                 # the new 报告 relates to nothing
    types = after["[Content_Types].xml"].decode()
    for name in gone:
        assert f'"/{name}"' not in types


# ---------------------------------------------------------------------------- how parts are written
@pytest.mark.parametrize("prefixed", [True, False], ids=["x-prefixes", "default-namespace"])
def test_prefixed_and_long_form_control_parts(tmp_path, prefixed):
    """workbook.xml, rels, [Content_Types].xml and styles.xml as the Open XML SDK writes them
    (`<x:workbook>`, `ns1:id`), or with a default namespace, both with long-form elements."""
    target = openpyxl_target(tmp_path / "store.xlsx")
    parts = members(target)
    ns = {MAIN_NS: "x", REL_NS: "ns1"} if prefixed else {}
    edits = {"xl/workbook.xml": reprefix(parts["xl/workbook.xml"], ns),
             "xl/styles.xml": reprefix(parts["xl/styles.xml"], ns),
             "[Content_Types].xml": reprefix(parts["[Content_Types].xml"], {CT_NS: "ct"} if prefixed else {})}
    for name in parts:
        if name.endswith(".rels"):
            edits[name] = reprefix(parts[name], {PKG_REL_NS: "pr"} if prefixed else {})
    rewrite(target, edits)
    assert re.search(rb"\"></(x:)?sheet>", members(target)["xl/workbook.xml"])
    out = replace_sheets(target, xlsxwriter_donor(), [REPORT, NEW], dest=tmp_path / "out.xlsx")
    wb = check_package(out)
    assert wb.sheetnames == ["输入", REPORT, "备注", NEW]
    _assert_report(wb, out)
    if prefixed:
        written = members(out)
        assert written["xl/workbook.xml"].count(b"<x:sheet ") == 4
        assert b"<x:styleSheet" in written["xl/styles.xml"] and b"<ct:Types" in written["[Content_Types].xml"]
    again = replace_sheets(out, xlsxwriter_donor(), [REPORT, NEW], dest=tmp_path / "again.xlsx")
    assert members(again)["xl/styles.xml"] == members(out)["xl/styles.xml"]


def test_sheet_names_are_matched_as_excel_does(tmp_path):
    """Excel's sheet names ignore case: a donor 'SUMMARY' replaces 'Summary' (and renames it)."""
    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.active["A1"] = "old"
    wb.save(tmp_path / "t.xlsx")
    buf = io.BytesIO()
    donor = xlsxwriter.Workbook(buf, {"in_memory": True})
    donor.add_worksheet("SUMMARY").write(0, 0, "new")
    donor.close()
    out = replace_sheets(tmp_path / "t.xlsx", buf.getvalue(), ["SUMMARY"], dest=tmp_path / "o.xlsx")
    assert check_package(out).sheetnames == ["SUMMARY"]
    assert calamine_rows(out, "SUMMARY") == [["new"]]


def test_defined_names_of_replaced_sheets_are_replaced_and_renumbered(tmp_path):
    target = openpyxl_target(tmp_path / "store.xlsx")
    wb_xml = members(target)["xl/workbook.xml"].replace(
        b"</definedNames>", b'<definedName name="Rate">\'\xe8\xbe\x93\xe5\x85\xa5\'!$B$2</definedName></definedNames>')
    rewrite(target, {"xl/workbook.xml": wb_xml})
    before = _defined_names(target)
    assert ("_xlnm._FilterDatabase", "1", f"'{REPORT}'!$A$1:$B$1") in before
    out = replace_sheets(target, xlsxwriter_donor(), [NEW, REPORT], dest=tmp_path / "out.xlsx")
    names = _defined_names(out)
    kept = {n for n in before if n[1] != "1"}                          # 输入 (0), 备注 (2), global
    assert kept <= names
    assert ("Rate", None, "'输入'!$B$2") in names
    new = names - kept
    assert new == {("_xlnm.Print_Titles", "1", f"{REPORT}!$1:$1"),          # as xlsxwriter writes them
                   ("_xlnm._FilterDatabase", "1", f"{REPORT}!$A$1:$B$4"),
                   ("_xlnm.Print_Titles", "3", "'新表 A&B<\"x\">'!$1:$1")}
    wb = check_package(out)
    assert wb[REPORT].print_title_rows == "$1:$1" and wb[NEW].print_title_rows == "$1:$1"


def test_calc_chain_is_dropped(tmp_path):
    target = openpyxl_target(tmp_path / "store.xlsx")
    parts = members(target)
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
                             b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    types = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.calcChain+xml"/></Types>')
    chain = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="'
             + MAIN_NS.encode() + b'"><c r="B2" i="1"/></calcChain>')
    rewrite(target, {"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types, "xl/calcChain.xml": chain})
    check_package(target)
    out = replace_sheets(target, xlsxwriter_donor(), [REPORT], dest=tmp_path / "out.xlsx")
    check_package(out)
    after = members(out)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"] and b"calcChain" not in after["[Content_Types].xml"]


# ---------------------------------------------------------------------------- other writers
def test_xlsxwriter_target_with_an_openpyxl_donor(tmp_path):
    """The write_sheets path: an openpyxl donor (shared strings, comment, chart) into a book
    xlsxwriter wrote (shared strings, comments, a chart on the sheet being replaced)."""
    path = tmp_path / "store.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    keep = wb.add_worksheet("名册")
    keep.write_row(0, 0, ["姓名", "工资"])
    keep.write_row(1, 0, ["张三", 5000])
    keep.write_comment("A1", "不要动")
    out_ws = wb.add_worksheet("输出")
    out_ws.write_row(0, 0, ["旧", 1])
    out_ws.write_comment("A1", "旧批注")
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "='输出'!$B$1:$B$1"})
    out_ws.insert_chart("C3", chart)
    wb.close()

    donor = openpyxl.Workbook()
    ws = donor.active
    ws.title = "输出"
    ws.append(["结果", 42])
    ws["A1"].font = openpyxl.styles.Font(bold=True)
    ws["B1"].number_format = "0.000"
    ws["A1"].comment = Comment("新批注", "kpi4s")
    ws.add_chart(_bar_chart(ws, 1), "D2")
    buf = io.BytesIO()
    donor.save(buf)

    out = replace_sheets(path, buf.getvalue(), ["输出"], dest=tmp_path / "out.xlsx")
    wb = check_package(out)
    assert wb.sheetnames == ["名册", "输出"]
    assert wb["输出"]["A1"].value == "结果" and wb["输出"]["A1"].font.b
    assert wb["输出"]["B1"].number_format == "0.000"
    assert wb["输出"]["A1"].comment.text == "新批注" and wb["名册"]["A1"].comment.text == "不要动"
    assert len(wb["输出"]._charts) == 1
    assert calamine_rows(out, "名册") == [["姓名", "工资"], ["张三", 5000]]
    again = replace_sheets(out, buf.getvalue(), ["输出"], dest=tmp_path / "again.xlsx")
    assert sorted(members(again)) == sorted(members(out))


def test_a_chartsheet_replaced_by_a_worksheet(tmp_path):
    path = tmp_path / "store.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    data = wb.add_worksheet("数据")
    data.write_column(0, 0, [1, 2, 3])
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({"values": "='数据'!$A$1:$A$3"})
    wb.add_chartsheet("图表").set_chart(chart)
    wb.close()
    buf = io.BytesIO()
    donor = xlsxwriter.Workbook(buf, {"in_memory": True})
    donor.add_worksheet("图表").write(0, 0, "现在是表格")
    donor.close()
    out = replace_sheets(path, buf.getvalue(), ["图表"], dest=tmp_path / "out.xlsx")
    wb = check_package(out)
    assert wb.sheetnames == ["数据", "图表"] and calamine_rows(out, "图表") == [["现在是表格"]]
    assert not any("chart" in name for name in members(out))          # chartsheet, drawing, chart gone


def test_a_target_without_styles_gets_the_donors(tmp_path):
    target = openpyxl_target(tmp_path / "store.xlsx")
    parts = members(target)
    rels = re.sub(rb'<Relationship [^>]*styles[^>]*/>', b"", parts["xl/_rels/workbook.xml.rels"])
    types = re.sub(rb'<Override [^>]*styles\.xml[^>]*/>', b"", parts["[Content_Types].xml"])
    rewrite(target, {"xl/styles.xml": None, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types})
    out = replace_sheets(target, xlsxwriter_donor(), [REPORT, NEW], dest=tmp_path / "out.xlsx")
    _assert_report(check_package(out), out)
    assert b"styles.xml" in members(out)["xl/_rels/workbook.xml.rels"]


def test_openpyxl_donor_replaces_rather_than_duplicates(tmp_path):
    """What addin's write_sheets does: an openpyxl donor, twice into the same book."""
    target = openpyxl_target(tmp_path / "store.xlsx")
    inputs = calamine_rows(target, "输入")
    donor = openpyxl.Workbook()
    donor.active.title = "输出"
    donor.active.append(["结果", 42])
    buf = io.BytesIO()
    donor.save(buf)
    replace_sheets(target, buf.getvalue(), ["输出"])
    replace_sheets(target, buf.getvalue(), ["输出"])
    wb = check_package(target)
    assert wb.sheetnames == ["输入", REPORT, "备注", "输出"]
    assert calamine_rows(target, "输出") == [["结果", 42]] and calamine_rows(target, "输入") == inputs


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_target(tmp_path):
    src = openpyxl_target(tmp_path / "src.xlsx")
    (tmp_path / "lo").mkdir()
    run = subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                          "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(src)],
                         capture_output=True, text=True, timeout=120)
    target = tmp_path / "lo" / "src.xlsx"
    assert target.exists(), run.stderr
    check_package(target)
    out = replace_sheets(target, xlsxwriter_donor(), [REPORT, NEW], dest=tmp_path / "out.xlsx")
    wb = check_package(out)
    assert wb.sheetnames == ["输入", REPORT, "备注", NEW]
    _assert_report(wb, out)
    assert wb[REPORT]["A1"].comment is None and wb["备注"]["A1"].comment.text == "保留的批注"
    assert len(wb[REPORT]._charts) == 1 and len(wb["输入"]._charts) == 1
    twice = replace_sheets(out, xlsxwriter_donor(), [REPORT, NEW], dest=tmp_path / "twice.xlsx")
    assert members(twice) == members(out)


def test_excel_xlsm_keeps_its_vba_project(tmp_path):
    xlwings = pytest.importorskip("xlwings")
    src = Path(xlwings.__file__).parent / "quickstart.xlsm"
    if not src.exists():
        pytest.skip("xlwings' quickstart.xlsm is not installed")
    target = shutil.copy(src, tmp_path / "book.xlsm")             # saved by Excel: mc:Ignorable, x15 …
    buf = io.BytesIO()
    donor = xlsxwriter.Workbook(buf, {"in_memory": True})
    donor.add_worksheet("Sheet1").write(0, 0, "替换")
    donor.add_worksheet(NEW).write(0, 0, 1)
    donor.close()
    out = replace_sheets(target, buf.getvalue(), ["Sheet1", NEW])
    assert out == Path(target)
    assert raw_member(out, "xl/vbaProject.bin") == raw_member(src, "xl/vbaProject.bin")
    parts = members(out)
    assert b"macroEnabled.main+xml" in parts["[Content_Types].xml"]
    assert b'Extension="bin"' in parts["[Content_Types].xml"] and b"vbaProject" in parts["xl/_rels/workbook.xml.rels"]
    assert b'mc:Ignorable="x15 xr xr6 xr10 xr2"' in parts["xl/workbook.xml"]      # prefixes still declared
    wb = check_package(out)
    assert wb.sheetnames == ["Sheet1", "_xlwings.conf", NEW]
    assert calamine_rows(out, "Sheet1") == [["替换"]]


# ---------------------------------------------------------------------------- streamed rows, failures
def _long_donor():
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("长表")
    fmt = wb.add_format({"num_format": "0.0", "bold": True})
    ws.write_row(0, 0, ["编号", "得分"], fmt)
    xf = fmt._get_xf_index()
    wb.close()
    return buf.getvalue(), xf


def _rows(n: int, xf: int):
    def rows(xf_map, old=None):
        s = xf_map[xf]
        return "".join(f'<row r="{r}"><c r="A{r}" s="{s}" t="inlineStr"><is><t>E{r - 2}&amp;&lt;</t></is></c>'
                       f'<c r="B{r}" s="{s}"><v>{(r - 2) / 3!r}</v></c></row>' for r in range(2, n + 2)).encode()
    return rows


def test_long_sheet_built_in_a_forked_process_matches_the_serial_path(tmp_path):
    target = openpyxl_target(tmp_path / "store.xlsx")
    donor, xf = _long_donor()
    out = {}
    for mode in ("serial", "fork"):
        dest = replace_sheets(target, donor, ["长表"], dest=tmp_path / f"{mode}.xlsx",
                              extra_rows={"长表": _rows(3000, xf)}, parallel=("长表",) if mode == "fork" else ())
        check_package(dest)
        out[mode] = members(dest)
        got = calamine_rows(dest, "长表")
        assert got[1] == ["E0&<", 0.0] and got[-1] == ["E2999&<", pytest.approx(2999 / 3)] and len(got) == 3001
    assert out["serial"] == out["fork"]
    sheet = openpyxl.load_workbook(tmp_path / "fork.xlsx")["长表"]
    assert sheet["B3"].number_format == "0.0" and sheet["B3"].font.b


def test_failed_transplant_leaves_the_target_whole(tmp_path):
    target = openpyxl_target(tmp_path / "store.xlsx")
    digest = _sha(target)
    with pytest.raises(KeyError):
        replace_sheets(target, xlsxwriter_donor(), ["没有这张表"])
    donor, xf = _long_donor()

    def boom(xf_map, old=None):
        raise RuntimeError("rows failed")
    for parallel in ((), ("长表",)):
        with pytest.raises(RuntimeError):
            replace_sheets(target, donor, ["长表"], extra_rows={"长表": boom}, parallel=parallel)
    assert _sha(target) == digest
    assert [p.name for p in tmp_path.iterdir()] == ["store.xlsx"]        # no temp file left
