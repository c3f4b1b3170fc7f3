"""`kpi4s report` on a macro-enabled store workbook: the VBA project, the ribbon and the sheets'
codeNames survive the run (a replaced sheet keeps its codeName, so no document module is
orphaned and Excel adds no duplicate)."""
from __future__ import annotations

import re
import zipfile

import olefile
from helpers import kpi4s
from lxml import etree

from addin.io import schema as S
from workbook import build_vba as B

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _state(path):
    with zipfile.ZipFile(path) as z:
        codes = {name: etree.fromstring(z.read(part)).find(f"{MAIN}sheetPr") for name, part in B._sheet_parts(z)}
        codes = {k: (v.get("codeName") if v is not None else None) for k, v in codes.items()}
        project = z.read("xl/vbaProject.bin")
        ribbon = z.read(B.RIBBON_PART)
        ct = z.read("[Content_Types].xml").decode()
    docs = re.findall(r"^Document=(\w+)/", olefile.OleFileIO(project).openstream("PROJECT").read().decode(), re.M)
    return codes, project, ribbon, ct, docs


def test_report_keeps_the_vba_project_and_code_names(demo_run, tmp_path):
    book = tmp_path / "门店.xlsm"
    codes = B.macro_package(demo_run[0], book, "xlsm")      # the demo book already holds its reports
    assert codes[S.HISTORY] == "shHistory" and codes[S.REPORT]
    before = _state(book)
    run = kpi4s("report", book)
    assert run.returncode == 0, run.stderr
    codes_after, project, ribbon, ct, docs = _state(book)
    assert project == before[1] and ribbon == before[2]
    assert B.MAIN_CT["xlsm"] in ct
    assert codes_after == codes          # 历史, 月度报告 … replaced in place, each keeps its codeName
    assert set(docs) - {"ThisWorkbook"} == set(codes_after.values())          # no orphaned document module
    run = kpi4s("report", book)                                               # a re-run replaces 月度报告 too
    assert run.returncode == 0, run.stderr
    assert _state(book)[0] == codes_after
