"""What careless or hostile store folders do to `kpi4s group`: every bad file is named, the
others go on, nothing is half-written, never a traceback."""
from __future__ import annotations

import shutil
import zipfile

import pytest
from group_stores import MONTH, crash_on, league_stores, store_a
from helpers import digest, hand_book, kpi4s, values

from addin import group
from addin.io import guard
from addin.group.settings import GroupSettings
from addin.io import schema as S


def _status(out) -> dict:
    rows = values(out, S.GROUP_PROBLEMS)
    return {(r[0], r[1]): (r[2], r[5]) for r in rows if r and len(r) > 5 and r[2] in (
        "已汇总", "有错误未汇总", "缺少本月数据", "未提供工作簿", "已跳过", "未读取")}


def test_strange_files_in_the_folder_are_named_and_the_rest_goes_on(folder, tmp_path):
    (folder / "损坏.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    (folder / "旧格式.et").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "说明.csv").write_text("a,b\n", encoding="utf-8")
    (folder / "~$甲店.xlsx").write_bytes(b"lock file of an open Excel")
    (folder / ".隐藏.xlsx").write_bytes(b"")
    (folder / "子文件夹").mkdir()
    store_a(folder / "子文件夹" / "其他.xlsx")                 # subfolders are not read
    out = tmp_path / "g.xlsx"
    run = kpi4s("group", folder, "--out", out, "--month", MONTH)
    assert run.returncode == 0, run.stderr
    st = _status(out)
    assert st["损坏", "损坏.xlsx"][0] == "有错误未汇总"
    assert st["", "旧格式.et"][0] == st["", "说明.csv"][0] == "未读取"
    assert "另存为 .xlsx" in st["", "旧格式.et"][1]
    assert not any("~$" in f or "隐藏" in f or "其他" in f for _, f in st)
    assert st["甲店", "甲店.xlsx"][0] == st["乙店", "乙店.xlsx"][0] == "已汇总"
    assert "Traceback" not in run.stderr + run.stdout


def test_two_books_claiming_one_store_are_both_left_out(folder, tmp_path):
    shutil.copy(folder / "甲店.xlsx", folder / "甲店 - 副本.xlsx")
    out = tmp_path / "g.xlsx"
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    st = _status(out)
    assert st["甲店", "甲店.xlsx"][0] == st["甲店", "甲店 - 副本.xlsx"][0] == "有错误未汇总"
    rows = values(out, S.GROUP_PROBLEMS)
    assert any(r and "门店名称「甲店」在多个工作簿中重复" in str(r[5]) for r in rows)
    assert league_stores(out) == ["乙店"]


def test_formula_looking_store_names_stay_text(folder, tmp_path):
    from openpyxl import load_workbook
    path = hand_book(folder / "甲店.xlsx")
    wb = load_workbook(path)
    c = wb[S.SETTINGS].cell(2, 2)                       # 门店名称, typed as text (as Excel keeps '=…)
    c.value, c.data_type = '=HYPERLINK("http://x","点我")\t', "s"
    wb.save(path)
    out = tmp_path / "g.xlsx"
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    with zipfile.ZipFile(out) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert '=HYPERLINK("http://x","点我")' in league_stores(out)


def test_a_zip_bomb_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    bomb = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 2**20))
    monkeypatch.setattr(guard, "MAX_UNPACKED", 2**20)
    res = group.read_store(bomb, MONTH)
    assert res.status == "bad" and "压缩炸弹" in res.problems[0].message


def test_a_stray_cell_far_away_is_named_not_a_crash(folder, tmp_path):
    """One cell typed at XFD1048576 would make the reader allocate 17 billion cells (the process
    aborts): the book is refused with its sheet named; the other stores go on, the command too."""
    from openpyxl import load_workbook
    wb = load_workbook(folder / "甲店.xlsx")
    wb[S.ROSTER]["XFD1048576"] = "x"
    wb.save(folder / "甲店.xlsx")
    out = tmp_path / "g.xlsx"
    run = kpi4s("group", folder, "--out", out, "--month", MONTH, "--workers", "1")
    assert run.returncode == 0, run.stderr
    st = _status(out)
    assert st["甲店", "甲店.xlsx"][0] == "有错误未汇总" and league_stores(out) == ["乙店"]
    rows = values(out, S.GROUP_PROBLEMS)
    assert any("[员工名册] 使用范围一直到 XFD1048576" in str(r[5]) for r in rows if r and len(r) > 5)
    single = kpi4s("check", folder / "甲店.xlsx")                # every door: the store's own commands too
    assert single.returncode == 2 and "[员工名册]" in single.stderr and "XFD1048576" in single.stderr


def test_a_worker_that_dies_costs_only_its_store(folder, tmp_path):
    settings = GroupSettings(book=tmp_path / "g.xlsx", archive=str(tmp_path / "a.duckdb"))
    res = group.compute_group([folder], settings, MONTH, report=crash_on("乙店"), workers=2)
    assert next(s for s in res.stores if s.file == "甲店.xlsx").status == "ok"
    crashed = next(s for s in res.stores if s.file == "乙店.xlsx")
    assert crashed.status == "bad" and "进程异常退出" in crashed.problems[0].message
    assert [s.store for s in res.ok] == ["甲店"]


@pytest.mark.parametrize("args,message", [
    (["--month", "2026-13"], "月份「2026-13」无法识别"),
    (["--out", "集团.txt"], "应为 .xlsx 文件"),
])
def test_bad_arguments_stop_before_anything_is_written(folder, tmp_path, args, message):
    run = kpi4s("group", folder, "--out", tmp_path / "g.xlsx", *args, cwd=tmp_path)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "g.xlsx").exists() and not (tmp_path / "kpi4s-归档.duckdb").exists()


def test_no_store_books_at_all(tmp_path):
    (tmp_path / "空").mkdir()
    run = kpi4s("group", tmp_path / "空", "--out", tmp_path / "g.xlsx")
    assert run.returncode == 2 and "没有找到门店工作簿" in run.stderr
    run = kpi4s("group", tmp_path / "不存在", "--out", tmp_path / "g.xlsx")
    assert run.returncode == 2 and "文件或文件夹不存在" in run.stderr
    assert not (tmp_path / "g.xlsx").exists()


def test_a_store_workbook_is_never_taken_for_the_group_workbook(folder, tmp_path):
    before = digest(folder / "甲店.xlsx")
    run = kpi4s("group", folder, "--out", folder / "甲店.xlsx", "--month", MONTH)
    assert run.returncode == 2 and "这是门店工作簿" in run.stderr
    assert digest(folder / "甲店.xlsx") == before


def test_the_group_workbook_beside_the_stores_is_skipped_and_kept(folder, tmp_path):
    out = folder / "集团汇总.xlsx"
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    (folder / "另一份汇总.xlsx").write_bytes(out.read_bytes())        # last month's copy, renamed
    run = kpi4s("group", folder, "--out", out, "--month", MONTH)
    assert run.returncode == 0, run.stderr
    st = _status(out)
    assert st["另一份汇总", "另一份汇总.xlsx"][0] == "已跳过"
    assert values(out, S.SETTINGS)[1][0] == S.GROUP_NAME_KEY        # its own 设置 kept
