"""The group workbook's 设置 (addin.group.settings) and which files are store workbooks."""
from __future__ import annotations

import pytest

from addin.group import read_group_settings
from addin.group.books import find_books
from addin.io.problems import BookError


def test_settings_rows_with_their_problems():
    rows = [["项目", "值", "说明"], ["集团名称", " 鹏程汽车集团 ", ""], ["考核月份", "2026年9月", ""],
            ["门店工作簿", "门店/华东", ""], ["归档数据库", "postgresql://hr@db/kpi", ""], ["先运行门店月度报告", "是", ""],
            ["集团统一评定", "按部门", ""], ["等级评定方式", "强制分布", ""], ["无关的项目", "x", ""]]
    s = read_group_settings(rows)
    assert (s.name, s.month, s.stores, s.archive, s.run) == ("鹏程汽车集团", "2026-09", "门店/华东",
                                                            "postgresql://hr@db/kpi", True)
    assert (s.policy.group_scope, s.policy.grading) == ("department", "forced")
    bad = [["项目", "值"], ["考核月份", "九月"], ["先运行门店月度报告", "也许"], ["A级下限", "一百"],
           ["B级下限", 125]]
    with pytest.raises(BookError) as err:
        read_group_settings(bad)
    text = str(err.value)
    for where in ("[设置] 第2行", "[设置] 第3行", "[设置] 第4行", "分数段应依次升高"):
        assert where in text, where


def test_which_files_are_store_books(tmp_path):
    for name in ("b.xlsx", "a.xlsm", "c.XLSX", "~$b.xlsx", ".d.xlsx", "e.et", "f.txt"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "g.xlsx").write_bytes(b"")
    found, problems = find_books([tmp_path, tmp_path / "b.xlsx", tmp_path / "sub" / "g.xlsx", tmp_path / "x.xlsx",
                                  tmp_path / "f.txt"], exclude=[tmp_path / "c.XLSX"])
    assert [p.name for p in found] == ["a.xlsm", "b.xlsx", "g.xlsx"]
    assert [p.sheet for p in problems] == ["e.et", str(tmp_path / "x.xlsx"), "f.txt"]
    assert [p.message.split("，")[0].split("（")[0] for p in problems] == [
        "不支持 .et 格式", "文件或文件夹不存在", "不是 Excel 工作簿"]


def test_the_committed_group_template_is_what_the_builder_makes(tmp_path):
    """workbook/kpi4s_group.xlsx is built by workbook.build_group (run it after changing a setting)."""
    from helpers import ROOT, values

    from addin.group.settings import load_group_settings
    from workbook.build_group import new_group_workbook
    built = tmp_path / "built.xlsx"
    new_group_workbook().save(built)
    committed = ROOT / "workbook" / "kpi4s_group.xlsx"
    for sheet in ("设置", "使用说明"):
        assert values(committed, sheet) == values(built, sheet), f"{sheet}: run python -m workbook.build_group"
    s = load_group_settings(committed)                       # the template's own settings read back
    assert (s.name, s.month, s.run, s.policy.group_scope, s.policy.grading) == ("集团", None, False, "off", "capped")
