"""tests/group: registers group_stores.py (the group's hand-computed store workbooks) as an
importable module, the way tests/conftest.py registers helpers.py."""
import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("group_stores", Path(__file__).with_name("group_stores.py"))
_mod = importlib.util.module_from_spec(_spec)
sys.modules["group_stores"] = _mod
_spec.loader.exec_module(_mod)


@pytest.fixture
def folder(tmp_path):
    """甲店, 乙店, 丙店 (bad), 丁店 (missing the month) as files in one folder."""
    return _mod.group_folder(tmp_path / "门店")
