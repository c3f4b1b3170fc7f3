"""The speed tricks lean on private internals of three libraries (pinned below a ceiling in
setup.cfg); each is checked here against what the library's public API gives, so a release
that changes them fails a test instead of writing wrong files.

* xlsxwriter ``Format._get_xf_index()`` — streamed rows take their cell-style index from it;
* openpyxl ``Worksheet._cells`` — the appraisal-form template is read from it;
* docxtpl ``patch_xml`` / ``get_xml`` / ``render_xml_part`` and a compiled-template cache —
  letters are rendered from a template prepared once.
"""
from __future__ import annotations

import datetime as dt
import zipfile

import docs_sample as S
import openpyxl
import pandas as pd
from docxtpl import DocxTemplate

from addin import macros
from addin.io.outputs import template_dir
from addin.render import letters
from addin.render.forms import FORM_TEMPLATE, FormTemplate
from addin.render.sheet import Bulk, SheetSpec
from addin.render.style import STYLES
from workbook.build import new_workbook


def test_streamed_rows_carry_the_styles_xlsxwriter_assigned(tmp_path):
    """Bulk rows use the donor's xf indices (private); read back, every cell has its column's
    number format and font exactly as the public format properties say."""
    path = tmp_path / "book.xlsx"
    new_workbook(store="店", month="2026-09").save(path)
    styles = ["text", "money", "pct", "score", "grade", "datetime"]
    spec = SheetSpec("流")
    spec.put(0, 0, "表头", "head")
    frame = pd.DataFrame({"a": ["x", "y"], "b": [1.5, 2.0], "c": [0.5, 0.25], "d": [99.5, 100.0],
                          "e": ["A", "B"], "f": [46270.5, 46271.0]})
    spec.bulk = Bulk(1, frame, styles, [False, True, True, True, False, True])
    macros.write_sheets(path, [spec])
    ws = openpyxl.load_workbook(path)["流"]
    for j, style in enumerate(styles, start=1):
        for r in (2, 3):
            cell = ws.cell(r, j)
            assert cell.number_format == STYLES[style].get("num_format", "General"), (style, r)
            assert bool(cell.font.b) == bool(STYLES[style].get("bold")), (style, r)
    assert ws.cell(2, 1).value == "x" and ws.cell(3, 4).value == 100.0


def test_form_template_reads_the_same_cells_as_the_public_api():
    """FormTemplate walks ws._cells (private, fast); the public iter_rows gives the same values."""
    path = template_dir() / FORM_TEMPLATE
    t = FormTemplate(path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    public = {(c.row - 1, c.column - 1): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    private = {(r, c): v for r, c, v, *_ in t.cells if v is not None}
    assert private == public
    assert t.item_rows and t.adj_rows


def test_prepared_letter_template_renders_like_plain_docxtpl():
    """The cached, pre-patched template gives the same document.xml as docxtpl's public render."""
    ctxs = letters.letter_contexts(S.small_results(), dt.date(2026, 9, 5))
    for ctx in ctxs[:2] + ctxs[-1:]:                      # a plan, then a warning, then HR's letter
        tpl, env = letters.docx_template(ctx["action"])
        tpl.render(ctx, jinja_env=env)
        cached = tpl.docx.element.xml if hasattr(tpl, "docx") else None
        plain = DocxTemplate(str(template_dir(letters.LETTERS[ctx["action"]].template)
                                 / letters.LETTERS[ctx["action"]].template))
        plain.render(ctx, autoescape=True)
        assert cached == plain.docx.element.xml, ctx["action"]


def test_raw_zip_member_copy_equals_a_recompressed_copy(tmp_path):
    """addin.ooxml copies unchanged members without inflating them (zipfile internals): every
    member of the written book reads back identical to the source's through the public API."""
    path = tmp_path / "book.xlsx"
    new_workbook(store="店", month="2026-09").save(path)
    before = {n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()}
    spec = SheetSpec("新表")
    spec.put(0, 0, 1, "int")
    macros.write_sheets(path, [spec])
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        after = {n: z.read(n) for n in z.namelist()}
    kept = [n for n in before if n.startswith("xl/worksheets/sheet")]
    assert kept and all(after[n] == before[n] for n in kept)
