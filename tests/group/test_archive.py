"""The group's archive (SPEC §8): an embedded DuckDB file beside the group workbook, written
idempotently — re-running a store's month replaces it — keeping months a store's 历史 no longer
holds, and the seam to a server database."""
from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest
from group_stores import ACTUALS_B, MONTH, PAY, SCORES, history_rows, store_a, store_b
from helpers import ACTUALS, RATINGS, ROOT, kpi4s, values

from addin import group
from addin.group import archive as A
from addin.group.settings import GroupSettings
from addin.io import schema as S

COUNTS = "SELECT '{t}', count(*) FROM {t}"
TABLES = ("store_months", "people", "items", "actions", "scorers")


def counts(path) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.execute(" UNION ALL ".join(COUNTS.format(t=t) for t in TABLES)).fetchall())


def rows(path, sql, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_rerunning_a_month_replaces_it(folder, tmp_path):
    out, db = tmp_path / "g.xlsx", tmp_path / "kpi4s-归档.duckdb"
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    first = counts(db)
    # 甲店 5 people (2 exempt) + 乙店 3; items of graded people: 3 × 3 each; 5 + 5 scorer rows
    assert first == {"store_months": 2, "people": 8, "items": 18, "actions": 0, "scorers": 10}
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    assert kpi4s("group", folder, "--out", out, "--month", MONTH, "--full").returncode == 0
    assert counts(db) == first
    # 乙店 corrects U3's figures (产值 80 → 100, 返修率 0.025 → 0.02: 50 + 30 + 纪律 16 = 96) and runs again
    fixed = [r if r[1] != "U3" else [*r[:4], {"产值": 100, "返修率": 0.02}[r[3]], r[5]] for r in ACTUALS_B]
    store_b(folder / "乙店.xlsx", actuals=fixed)
    assert kpi4s("group", folder, "--out", out, "--month", MONTH).returncode == 0
    assert counts(db) == first
    got = dict(((s, e), (t, g, p)) for s, e, t, g, p in rows(
        db, "SELECT store, employee_id, total, grade, pay FROM people WHERE eligible AND month = ?", [MONTH]))
    assert got["乙店", "U3"] == (pytest.approx(96.0), "C", pytest.approx(1440.0))    # 5000 × 30% × 0.96
    assert got["甲店", "T2"] == (pytest.approx(SCORES["甲店", "T2"]), "B", pytest.approx(PAY["甲店", "T2"]))
    assert rows(db, "SELECT count(*) FROM (SELECT store, month, employee_id FROM people GROUP BY ALL "
                    "HAVING count(*) > 1)") == [(0,)]
    kpi = rows(db, "SELECT actual, target, ratio, score FROM items WHERE store = '乙店' AND employee_id = 'U2' "
                   "ORDER BY seq")
    assert kpi[0] == (130.0, 100.0, pytest.approx(1.3), pytest.approx(65.0))          # 产值 130 / 100
    assert kpi[1][:2] == (0.016, 0.02) and kpi[1][3] == pytest.approx(37.5)          # 返修率, reverse


def test_history_months_fill_in_and_are_kept(folder, tmp_path):
    db = tmp_path / "a.duckdb"
    aug = history_rows("2026-08", {"T1": (90, "C"), "T2": (110, "B"), "T3": (80, "D")})
    jul = history_rows("2026-07", {"T1": (91, "C")})
    store_a(folder / "甲店.xlsx", **{S.HISTORY: aug + jul})
    args = ["group", folder, "--out", tmp_path / "g.xlsx", "--archive", db, "--month", MONTH]
    assert kpi4s(*args).returncode == 0
    assert kpi4s(*args).returncode == 0
    hist = "SELECT month, employee_id, total, grade FROM people WHERE source = 'history' ORDER BY 1, 2"
    assert rows(db, hist) == [("2026-07", "T1", 91.0, "C"), ("2026-08", "T1", 90.0, "C"),
                              ("2026-08", "T2", 110.0, "B"), ("2026-08", "T3", 80.0, "D")]
    # HR corrects August and starts a fresh 历史 without July: August is replaced, July kept
    store_a(folder / "甲店.xlsx", **{S.HISTORY: history_rows("2026-08", {"T1": (92, "C"), "T2": (110, "B")})})
    assert kpi4s(*args).returncode == 0
    assert rows(db, hist) == [("2026-07", "T1", 91.0, "C"), ("2026-08", "T1", 92.0, "C"),
                              ("2026-08", "T2", 110.0, "B")]
    # August run in full later: its 历史 rows give way to the computed month
    aug_store = folder.parent / "八月"
    aug_store.mkdir()
    store_a(aug_store / "甲店.xlsx", settings_month="2026-08", **{
        S.ACTUALS: [["2026-08", *r[1:]] for r in ACTUALS[:6]], S.RATINGS: [["2026-08", *r[1:]] for r in RATINGS],
        S.ADJUSTMENTS: [], S.SUBMISSIONS: []})
    assert kpi4s("group", aug_store, "--out", tmp_path / "g8.xlsx", "--archive", db, "--month", "2026-08").returncode == 0
    assert rows(db, "SELECT source, count(*) FROM people WHERE month = '2026-08' GROUP BY 1") == [("month", 5)]
    assert kpi4s(*args).returncode == 0                            # September again: August stays computed
    assert rows(db, "SELECT source, count(*) FROM people WHERE month = '2026-08' GROUP BY 1") == [("month", 5)]


def test_unchanged_books_come_from_the_archive_with_the_same_results(folder, tmp_path):
    out1, out2, db = tmp_path / "g1.xlsx", tmp_path / "g2.xlsx", tmp_path / "a.duckdb"
    r1 = kpi4s("group", folder, "--out", out1, "--archive", db, "--month", MONTH)
    r2 = kpi4s("group", folder, "--out", out2, "--archive", db, "--month", MONTH, "--quiet")
    assert r1.returncode == r2.returncode == 0
    r3 = kpi4s("-v", "group", folder, "--out", out2, "--archive", db, "--month", MONTH)
    assert "工作簿未变，取自归档" in r3.stderr and "2 家门店的工作簿自上次汇总后未变" in r3.stdout
    from python_calamine import CalamineWorkbook
    a, b = CalamineWorkbook.from_path(str(out1)), CalamineWorkbook.from_path(str(out2))
    assert a.sheet_names == b.sheet_names
    for name in S.GROUP_OUTPUTS:
        assert a.get_sheet_by_name(name).to_python() == b.get_sheet_by_name(name).to_python(), name
    r4 = kpi4s("-v", "group", folder, "--out", out2, "--archive", db, "--month", MONTH, "--full")
    assert "取自归档" not in r4.stderr
    # one store changes: it is read again, the other comes from the archive; same sheets as reading both
    fixed = [r if r[1] != "U3" else [*r[:4], {"产值": 100, "返修率": 0.02}[r[3]], r[5]] for r in ACTUALS_B]
    store_b(folder / "乙店.xlsx", actuals=fixed)
    mixed = kpi4s("-v", "group", folder, "--out", out1, "--archive", db, "--month", MONTH)
    assert mixed.returncode == 0, mixed.stderr
    assert "1 家门店的工作簿自上次汇总后未变" in mixed.stdout
    assert kpi4s("group", folder, "--out", out2, "--archive", db, "--month", MONTH, "--full").returncode == 0
    a, b = CalamineWorkbook.from_path(str(out1)), CalamineWorkbook.from_path(str(out2))
    for name in S.GROUP_OUTPUTS:
        assert a.get_sheet_by_name(name).to_python() == b.get_sheet_by_name(name).to_python(), name


def test_stores_archived_lately_without_a_workbook_now_are_named(folder, tmp_path):
    db = tmp_path / "a.duckdb"
    assert kpi4s("group", folder, "--out", tmp_path / "g.xlsx", "--archive", db, "--month", "2026-09").returncode == 0
    (folder / "乙店.xlsx").unlink()
    store_a(folder / "甲店.xlsx", **{S.ACTUALS: [["2026-10", *r[1:]] for r in ACTUALS[:6]],
                                   S.RATINGS: [["2026-10", *r[1:]] for r in RATINGS], S.ADJUSTMENTS: [],
                                   S.SUBMISSIONS: []})
    run = kpi4s("group", folder, "--out", tmp_path / "g.xlsx", "--archive", db, "--month", "2026-10")
    assert run.returncode == 0, run.stderr
    assert "未提供工作簿（近期归档中有）：乙店" in run.stdout
    st = [r for r in values(tmp_path / "g.xlsx", S.GROUP_PROBLEMS) if r and r[0] == "乙店"]
    assert st and st[0][2] == "未提供工作簿" and "2026-09" in st[0][5]


def test_a_second_run_waits_for_the_first_then_gives_up_clearly(folder, tmp_path, monkeypatch):
    db = tmp_path / "a.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, duckdb; c = duckdb.connect(); c.execute(\"ATTACH '%s' AS a\"); "
        "print('held', flush=True); time.sleep(float(sys.argv[1]))") % str(db).replace("'", "''"), "60"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(A, "LOCK_WAIT", 1.0)
        settings = GroupSettings(book=tmp_path / "g.xlsx", archive=str(db))
        t = time.monotonic()
        with pytest.raises(A.ArchiveError) as err:
            group.compute_group([folder], settings, MONTH, workers=1)
        assert 1.0 <= time.monotonic() - t < 30
        assert "正被另一个程序使用" in str(err.value) and "归档数据库不可用" in str(err.value)
    finally:
        holder.kill()
        holder.wait()
    res = group.compute_group([folder], GroupSettings(book=tmp_path / "g.xlsx", archive=str(db)), MONTH, workers=1)
    assert len(res.ok) == 2


def test_a_file_that_is_not_an_archive_is_refused(folder, tmp_path):
    fake = tmp_path / "archive.duckdb"
    fake.write_text("not a database", encoding="utf-8")
    out = tmp_path / "g.xlsx"
    run = kpi4s("group", folder, "--out", out, "--archive", fake, "--month", MONTH)
    assert run.returncode == 2 and "不是 DuckDB 数据库文件" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists() and fake.read_text(encoding="utf-8") == "not a database"


def test_where_the_archive_goes(tmp_path):
    assert A.target("", tmp_path) == ("file", str(tmp_path.resolve() / "kpi4s-归档.duckdb"))
    assert A.target("归档/集团.duckdb", tmp_path) == ("file", str(tmp_path.resolve() / "归档" / "集团.duckdb"))
    assert A.target(str(tmp_path / "x.db"), "/elsewhere") == ("file", str((tmp_path / "x.db").resolve()))
    url = "postgresql://hr:s3cret@db.group.local:5432/kpi"
    assert A.target(url, tmp_path) == ("postgres", url)
    assert A.target("host=db.group.local dbname=kpi user=hr", tmp_path)[0] == "postgres"
    sql = A.attach_sql("postgres", url)
    assert sql[-2:] == [f"ATTACH '{url}' AS archive (TYPE postgres)", "USE archive"]
    assert A.attach_sql("file", "/a/b'c.duckdb") == ["ATTACH '/a/b''c.duckdb' AS archive", "USE archive"]
    assert A.Archive("postgres", url).label == "postgresql://hr:***@db.group.local:5432/kpi"
    assert "***" in A.Archive("postgres", "host=h dbname=k password=pw").label
    with pytest.raises(A.ArchiveError, match="不支持的数据库连接串"):
        A.target("mysql://hr@db/kpi", tmp_path)


def test_a_server_archive_that_cannot_be_reached_is_one_clear_message(tmp_path):
    """The server seam without a server: DuckDB's postgres extension is installed on first use
    (network) and then connects; either failing gives one Chinese message, never a traceback."""
    url = "postgresql://hr:pw@127.0.0.1:1/kpi?connect_timeout=2"
    t = time.monotonic()
    with pytest.raises(A.ArchiveError) as err:
        with A.Archive("postgres", url, wait=0):
            pass
    assert time.monotonic() - t < 120
    assert "pw@" not in str(err.value) and ("postgres 扩展" in str(err.value) or "无法打开归档数据库" in str(err.value))


def test_month_frames_write_nan_as_null(folder, tmp_path):
    res = group.compute_group([folder], GroupSettings(book=tmp_path / "g.xlsx", archive=str(tmp_path / "a.duckdb")),
                              MONTH, workers=1)
    assert rows(tmp_path / "a.duckdb", "SELECT count(*) FROM people WHERE isnan(total) OR isnan(pay)") == [(0,)]
    assert rows(tmp_path / "a.duckdb", "SELECT count(*) FROM people WHERE total IS NULL") == [(2,)]   # exempt
    assert len(res.ok) == 2
