"""DMS tests: the hand-computed store (dmsdata.py, importable as ``dmsdata``) and its exports."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("dmsdata", Path(__file__).with_name("dmsdata.py"))
dmsdata = importlib.util.module_from_spec(_spec)
sys.modules["dmsdata"] = dmsdata
_spec.loader.exec_module(dmsdata)


@pytest.fixture
def store(tmp_path):
    """(book, folder of exports): every export as UTF-8 CSV."""
    folder = tmp_path / "exports"
    folder.mkdir()
    for name, (head, rows) in dmsdata.EXPORTS.items():
        dmsdata.write_csv(folder / f"{name}.csv", head, rows)
    return dmsdata.make_book(tmp_path / "store.xlsx"), folder
