"""Property: whatever text a user (or an ERP, or Excel's own escapes) puts in a cell, every part
of every file kpi4s writes is well-formed XML that keeps the text as text — the streamed rows,
the sheets painted by xlsxwriter and transplanted into the user's book (cells, comments,
chart titles, sheet-local names), the appraisal forms and the Word letters. And the index
CSV never hands a spreadsheet a formula."""
from __future__ import annotations

import csv
import io
import shutil
import zipfile

import docs_sample
import pandas as pd
from helpers import hand_book
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from addin.io import outputs as O
from addin.io.text import CELL_LIMIT, clean_text
from addin.macros import write_sheets
from addin.ooxml.rows import MARK, rows_xml
from addin.render import report as R
from addin.render.forms import form_contexts, render_form_book
from addin.render.letters import letter_contexts, render_docx
from addin.render.sheet import Bulk, Chart, SheetSpec, to_xlsx

NASTY = ["_x0001_", "_x000B__x001F_", "a_x0000_b", "]]>", "<?xml version='1.0'?>", "&amp;&#0;&#x1;", "\ufffe\uffff",
         "=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", "\x00\x01\x02\x0b\x0c\x1b", "a\r\nb\tc", "  空格  ",
         "\ud800\udfff", "\U0001F600\u202e", "x" * 40_000, "<script>", "'\"", "甲" * 100]
TEXT = st.one_of(st.sampled_from(NASTY),
                 st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), min_size=0, max_size=60),
                 st.lists(st.sampled_from(NASTY), min_size=1, max_size=3).map("".join))
STRICT = etree.XMLParser(resolve_entities=False, huge_tree=True)


def well_formed(path) -> int:
    """Parse every XML part; returns how many were parsed."""
    n = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                etree.fromstring(z.read(name), STRICT)
                n += 1
    return n


def strings_of(path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(etree.fromstring(z.read(n), STRICT).xpath("string(.)") for n in z.namelist()
                       if n.endswith(".xml"))


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=8))
def test_streamed_rows_are_well_formed_and_keep_the_text(texts):
    df = pd.DataFrame({"a": texts, "b": range(len(texts))})
    xml = b"<sheetData xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>" + MARK + \
        rows_xml(df, 2, [False, True], [0, 0]) + b"</sheetData>"
    root = etree.fromstring(xml, STRICT)
    got = [c.xpath("string(.)") for c in root.iter("{*}c")][::2]
    assert got == [t if len(t) <= CELL_LIMIT else t[:CELL_LIMIT - 1] + "…" for t in map(clean_text, texts)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(TEXT, min_size=6, max_size=6))
def test_report_sheets_transplanted_into_a_book_are_well_formed(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("x")
    res = hostile_results(texts)
    sheets = R.output_sheets(res)
    extra = SheetSpec("备注" + str(abs(hash(texts[0])) % 100))
    extra.put(0, 0, texts[0])
    extra.merge(1, 0, 1, 3, texts[1])
    extra.comments[(0, 0)] = texts[2]
    extra.charts.append(Chart("column", [{"name": clean_text(texts[3])[:200] or "x", "categories": (1, 0, 1, 0),
                                          "values": (1, 1, 1, 1)}], title=clean_text(texts[4])[:200]))
    extra.bulk = Bulk(3, pd.DataFrame({"t": texts, "n": range(6)}), ["text", "int"], [False, True])
    book = hand_book(folder / "store.xlsx")
    write_sheets(book, sheets + [extra])
    assert well_formed(book) > 10
    donor, _ = to_xlsx([extra])
    donor_path = folder / "donor.xlsx"
    donor_path.write_bytes(donor)
    assert well_formed(donor_path)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(TEXT, min_size=6, max_size=6))
def test_forms_and_letters_are_well_formed(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("d")
    res = hostile_results(texts)
    form = render_form_book(folder / "forms.xlsx", form_contexts(res, generated="2026-09-05 10:00"))
    assert well_formed(form)
    raw = dict(zip(res.people["employee_id"], res.people["name"]))
    for k, ctx in enumerate(letter_contexts(res, docs_sample.ISSUE)):
        path = render_docx(folder / f"letter{k}.docx", ctx)
        assert well_formed(path)
        name = "".join(clean_text(raw[ctx["employee_id"]]).split())[:20]       # the employee's name, as text
        assert name in "".join(strings_of(path).split())


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=5))
def test_the_index_csv_never_hands_over_a_formula(texts):
    buf = io.StringIO()
    csv.writer(buf).writerows([[O.csv_cell(t) for t in texts]])
    for cell in next(csv.reader(io.StringIO(buf.getvalue()))) if buf.getvalue().strip() else []:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or O._PLAIN_NUMBER.match(cell)
        assert not any(ord(ch) < 32 and ch not in "\t\r\n" for ch in cell)


def hostile_results(texts: list):
    """docs_sample's month with the hostile texts as names, departments, items, reasons, store."""
    res = docs_sample.small_results()
    p = res.people.copy()
    p.loc[:, "name"] = [texts[i % 6] for i in range(len(p))]
    p.loc[p.index[:3], "department"] = texts[3]
    p.loc[:, "manager"] = texts[4]
    res.people = p
    it = res.items.copy()
    it.loc[it.index[::2], "item"] = texts[5]
    res.items = it.drop_duplicates(["employee_id", "item"])
    res.actions = res.actions.assign(name=res.actions["employee_id"].map(dict(zip(p["employee_id"], p["name"]))),
                                     manager=texts[4])
    res.history = res.history.assign(name=texts[1], department=texts[2])
    res.adjustments = res.adjustments.assign(reason=texts[0])
    res.store = texts[2] or "店"
    return res


def test_the_nasty_strings_through_a_real_report(tmp_path):
    """The same strings typed into the real workbook and run through the command line."""
    from corpus import edit
    from helpers import kpi4s
    book = edit(hand_book(tmp_path / "store.xlsx"), "员工名册",
                dict(zip(["B2", "B3", "B4", "B5", "B6"], ["甲_x0001_", "乙]]>", "丙&amp;", "丁<?xml?>", "=戊()"])), text=True)
    shutil.copy(book, tmp_path / "before.xlsx")
    run = kpi4s("report", book)
    assert run.returncode == 0, run.stderr
    assert well_formed(book) > 20
