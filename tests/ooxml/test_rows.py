"""addin.ooxml.rows — streamed sheet rows: well-formed whatever the text, and rows that did not
change copied from the sheet we wrote last time instead of being serialised again."""
from __future__ import annotations

import numpy as np
import pandas as pd
from lxml import etree

from addin.ooxml.rows import MARK, reuse_rows, rows_after, rows_xml

NS = b'<sheetData xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _parse(rows: bytes):
    return etree.fromstring(NS + rows + b"</sheetData>")


def test_rows_are_well_formed_for_hostile_text():
    df = pd.DataFrame({"name": ["A&B <x>", "\x01ERP\x1f", "_x0001_粘贴", " 两端空格 ", None, "=HYPERLINK(\"x\")"],
                       "score": [1.5, np.nan, np.inf, -0.0, 2, 3]})
    root = _parse(rows_xml(df, 2, [False, True], [7, 8]))
    cells = [[c.get("s"), "".join(c.itertext())] for row in root for c in row]
    assert [t for s, t in cells[0::2]] == ["A&B <x>", "ERP", "粘贴", " 两端空格 ", "", '=HYPERLINK("x")']
    assert [t for s, t in cells[1::2]] == ["1.5", "", "", "-0.0", "2.0", "3.0"]      # NaN and inf: blank cells
    assert {s for s, _ in cells[0::2]} == {"7"} and {s for s, _ in cells[1::2]} == {"8"}
    assert [row.get("r") for row in root] == ["2", "3", "4", "5", "6", "7"]


def test_unchanged_rows_are_copied_from_our_last_version():
    df = pd.DataFrame({"m": ["2026-0%d" % (k % 9 + 1) for k in range(50)], "v": np.arange(50) / 3})
    first = rows_after(df, 2, [False, True], [3, 4], None, 0)
    old = b"<worksheet><sheetData><row r=\"1\"/>" + first + b"</sheetData></worksheet>"
    grown = pd.concat([df, pd.DataFrame({"m": ["2026-12"], "v": [9.5]})], ignore_index=True)
    again = rows_after(grown, 2, [False, True], [3, 4], old, 50)
    assert again == rows_after(grown, 2, [False, True], [3, 4], None, 0)       # the same bytes either way
    assert reuse_rows(old, 2, 50) == first[len(MARK):]
    _parse(again)


def test_rows_edited_by_another_program_are_built_again():
    df = pd.DataFrame({"m": ["a", "b", "c"]})
    ours = rows_after(df, 2, [False], [1], None, 0)
    assert reuse_rows(b"<sheetData>" + ours + b"</sheetData>", 2, 3) is not None
    excel = ours.replace(MARK, b"")                    # Excel/LibreOffice drop comments when saving
    assert reuse_rows(b"<sheetData>" + excel + b"</sheetData>", 2, 3) is None
    assert reuse_rows(b"<sheetData>" + ours + b"</sheetData>", 2, 4) is None      # fewer rows than asked
    assert reuse_rows(b"<sheetData>" + ours + b"</sheetData>", 3, 2) is None      # not from our first row
    assert reuse_rows(None, 2, 3) is None
