"""Faults: kill -9 at any moment, two runs at once, a full disk, read-only places, links, a
book changed while kpi4s works on it. Real processes of the real command; every wait is
bounded. What must hold: no month is lost, no file is half written, no process is left
behind, and the user reads one clear message."""
from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import time

import faults
import openpyxl
import pytest
from helpers import ACTUALS, MONTH, RATINGS, hand_book, values
from runner import run_cli

from addin.io import schema as S

KILLS = 8                      # kill -9 moments per test run (tests/hostile/audit.py tries more)


@pytest.fixture(scope="module")
def big_book(tmp_path_factory):
    """A 2,000-person group workbook (2026-12, with a year of 历史): a run takes a second or two."""
    return faults.group_book(tmp_path_factory.mktemp("big") / "group.xlsx", 2_000)


def history_months(book) -> dict:
    rows = values(book, S.HISTORY)[1:]
    out: dict = {}
    for r in rows:
        if r and r[0]:
            out[r[0]] = out.get(r[0], 0) + 1
    return out


# --------------------------------------------------------------------------- kill -9
def test_kill_9_at_any_moment_loses_nothing_and_leaves_no_process(big_book, tmp_path):
    rng = random.Random(9)
    probe = tmp_path / "probe.xlsx"
    shutil.copy(big_book, probe)
    t = time.monotonic()
    code, _, err = faults.finish(faults.start("report", probe, "--quiet")[0])
    assert code == 0, err
    span = time.monotonic() - t
    whole = faults.digest(probe)
    for k in range(KILLS):
        book = tmp_path / f"k{k}" / "group.xlsx"
        book.parent.mkdir()
        shutil.copy(big_book, book)
        before = faults.digest(book)
        proc, marker = faults.start("report", book, "--quiet")
        time.sleep(0.15 + rng.random() * span)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        left = faults.wait_gone(marker, 3.0)
        faults.kill_all(marker)
        assert left == [], f"kill {k}: processes outlived their parent: {left}"
        now = faults.digest(book)
        assert now in (before, whole), f"kill {k}: the book is neither the old nor the new one"
        again = run_cli(["report", book, "--quiet"])
        assert again.code == 0, again.err
        assert faults.temps(book.parent) == [], f"kill {k}: temp files left after the next run"
        assert history_months(book)["2026-12"] == 2_000


# --------------------------------------------------------------------------- two at once
@pytest.fixture
def two_month_book(demo_run, tmp_path):
    """The demo workbook with 2026-08 and 2026-09 taken out of 历史: two runs must put both back."""
    return faults.without_months(demo_run[0], tmp_path / "demo.xlsx")


def run_pair(a: list, b: list) -> list:
    procs = [faults.start(*a), faults.start(*b)]
    got = [faults.finish(p) for p, _ in procs]
    for _, marker in procs:
        assert faults.wait_gone(marker, 3.0) == []
    return got


def test_two_reports_for_different_months_at_once_keep_both_months(two_month_book, demo_run):
    got = run_pair(["report", two_month_book, "--month", "2026-08"], ["report", two_month_book, "--month", "2026-09"])
    assert [c for c, _, _ in got] == [0, 0], [e for _, _, e in got]
    assert history_months(two_month_book) == history_months(demo_run[0])


def test_a_double_click_gives_one_month_not_two(two_month_book):
    got = run_pair(["report", two_month_book], ["report", two_month_book])
    assert [c for c, _, _ in got] == [0, 0]
    rows = values(two_month_book, S.HISTORY)[1:]
    keys = [(r[0], r[1]) for r in rows if r and r[0]]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("other", [["forms"], ["letters"], ["decompose", "--year", "2026"], ["check"]])
def test_a_report_and_another_command_at_once(two_month_book, other):
    got = run_pair(["report", two_month_book, "--month", "2026-09"], [other[0], two_month_book, *other[1:]])
    assert [c for c, _, _ in got] == [0, 0], [e for _, _, e in got]
    assert "2026-09" in history_months(two_month_book)
    if other[0] == "decompose":
        assert S.PROGRESS in openpyxl.load_workbook(two_month_book, read_only=True).sheetnames


def test_through_a_link_and_the_real_path_at_once(two_month_book, tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(two_month_book)
    got = run_pair(["report", link, "--month", "2026-08"], ["report", two_month_book, "--month", "2026-09"])
    assert [c for c, _, _ in got] == [0, 0]
    assert link.is_symlink() and {"2026-08", "2026-09"} <= set(history_months(two_month_book))


def test_two_form_runs_at_once_leave_one_complete_set(two_month_book):
    got = run_pair(["forms", two_month_book], ["forms", two_month_book])
    assert [c for c, _, _ in got] == [0, 0]
    folder = two_month_book.parent / "kpi4s-输出" / "2026-09" / "评估表"
    index = (folder / "2026-09_索引.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    files = {line.split(",")[6] for line in index}
    assert files == {p.name for p in folder.glob("*.xlsx")} and faults.temps(folder) == []


def test_a_second_run_that_waits_too_long_stops_with_a_message(two_month_book):
    from addin.io.lock import book_lock
    with book_lock(two_month_book, "测试"):
        got = run_cli(["report", two_month_book], env={"KPI4S_LOCK_WAIT": "0.5"})
    assert got.code == 4 and "正由另一个 kpi4s 运行处理" in got.err and "测试" in got.err


# --------------------------------------------------------------------------- the book changed meanwhile
def test_a_book_saved_by_someone_else_during_the_run_is_not_overwritten(big_book, tmp_path):
    book = tmp_path / "group.xlsx"
    shutil.copy(big_book, book)
    proc, marker = faults.start("report", book, "--quiet")
    lock = book.with_name(".~kpi4s~group.xlsx~lock")
    deadline = time.monotonic() + 30
    while not lock.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.8)                                   # kpi4s has read the book by now: "Excel" saves it
    wb = openpyxl.load_workbook(big_book)
    wb.create_sheet("我的备注")["A1"] = "Excel 中保存的修改"
    tmp = tmp_path / "excel.xlsx"
    wb.save(tmp)
    os.replace(tmp, book)
    code, _, err = faults.finish(proc)
    assert code in (0, 4), err
    assert "我的备注" in openpyxl.load_workbook(book, read_only=True).sheetnames      # the user's save survives
    if code == 4:
        assert "又被修改过" in err


# --------------------------------------------------------------------------- disks, permissions, links
@pytest.fixture
def book(tmp_path):
    return hand_book(tmp_path / "store.xlsx")


def test_a_read_only_book_gets_a_message_and_stays(book):
    book.chmod(0o444)
    before = faults.digest(book)
    got = run_cli(["report", book])
    assert got.code == 4 and "只读" in got.err and faults.digest(book) == before


def test_a_full_disk_leaves_the_book_whole(tmp_path):
    disk = tmp_path / "disk"
    src = hand_book(tmp_path / "src.xlsx")
    with faults.small_disk(disk, 96):
        book = disk / "store.xlsx"
        shutil.copy(src, book)
        filler = disk / "filler"
        free = shutil.disk_usage(disk).free
        filler.write_bytes(b"\0" * max(free - 8 * 1024, 0))
        before = faults.digest(book)
        got = run_cli(["report", book])
        assert got.code == 4 and "磁盘空间不足" in got.err, got.err
        assert faults.digest(book) == before and faults.temps(disk) == []


def test_a_full_disk_leaves_no_partial_batch_of_documents(tmp_path):
    src = hand_book(tmp_path / "src.xlsx")
    disk = tmp_path / "disk"
    with faults.small_disk(disk, 512):
        book = disk / "store.xlsx"
        shutil.copy(src, book)
        assert run_cli(["forms", book, "--by", "employee"]).code == 0
        folder = disk / "kpi4s-输出" / MONTH / "评估表"
        first = {p.name: faults.digest(p) for p in folder.iterdir()}
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(free - 12 * 1024, 0))       # room for one form, not three
        got = run_cli(["forms", book, "--by", "employee"])
        assert got.code == 4 and "磁盘空间不足" in got.err, got.err
        assert {p.name: faults.digest(p) for p in folder.iterdir()} == first       # the old set, whole


def test_a_read_only_folder_and_an_unwritable_out(tmp_path):
    src = hand_book(tmp_path / "src.xlsx")
    disk = tmp_path / "ro"
    with faults.small_disk(disk, 1024):
        book = disk / "store.xlsx"
        shutil.copy(src, book)
        faults.read_only(disk)
        before = faults.digest(book)
        got = run_cli(["report", book])
        assert got.code == 4 and "只读" in got.err and faults.digest(book) == before
        for cmd in (["report", src, "--out", disk / "out"], ["forms", src, "--out", disk / "out"]):
            got = run_cli(cmd)
            assert got.code == 4 and ("只读" in got.err or "无法" in got.err), got.err
    (tmp_path / "a-file").write_text("x")
    got = run_cli(["report", src, "--out", tmp_path / "a-file"])
    assert got.code == 4 and "不是文件夹" in got.err, got.err


def test_a_symbolic_link_is_written_through(book, tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(book)
    assert run_cli(["report", link]).code == 0
    assert link.is_symlink() and os.path.realpath(link) == str(book)
    assert history_months(book)[MONTH] == 5


def test_a_hard_link_keeps_its_partner(book, tmp_path):
    partner = tmp_path / "partner.xlsx"
    os.link(book, partner)
    assert run_cli(["report", book]).code == 0
    assert os.stat(book).st_ino == os.stat(partner).st_ino and faults.digest(book) == faults.digest(partner)
    assert history_months(partner)[MONTH] == 5 and faults.temps(tmp_path) == []


def test_a_hard_link_rewrite_cut_short_is_finished_by_the_next_run(book, tmp_path):
    """The state a kill leaves in the middle of an in-place rewrite: the complete new content as
    the journal beside a half-written book. The next run finishes the rewrite before reading."""
    partner = tmp_path / "partner.xlsx"
    os.link(book, partner)
    done = tmp_path / "done.xlsx"
    shutil.copy(book, done)
    assert run_cli(["report", done]).code == 0
    journal = tmp_path / ".~kpi4s~store.xlsx~journal"
    shutil.copy(done, journal)
    data = done.read_bytes()
    with open(book, "r+b") as fh:                      # half of the new bytes over the old file
        fh.write(data[: len(data) // 2])
    got = run_cli(["report", book])
    assert got.code == 0, got.err
    assert not journal.exists() and faults.digest(book) == faults.digest(partner)
    assert history_months(partner)[MONTH] == 5


def test_stale_temp_files_of_a_killed_run_are_removed_by_the_next(book, tmp_path):
    stale = tmp_path / ".~kpi4s~store.xlsx~k1lled.xlsx"
    stale.write_bytes(b"x" * 4_000_000)
    other = tmp_path / ".~kpi4s~other.xlsx~alive.xlsx"            # another book's: not ours to remove
    other.write_bytes(b"x")
    assert run_cli(["report", book]).code == 0
    assert not stale.exists() and other.exists()


# --------------------------------------------------------------------------- leavers and re-runs
def two_months(tmp_path):
    acts = ACTUALS[:-1] + [["2026-08"] + r[1:] for r in ACTUALS[:-1]]
    rats = RATINGS + [["2026-08"] + r[1:] for r in RATINGS]
    return hand_book(tmp_path / "store.xlsx", **{S.ACTUALS: acts, S.RATINGS: rats})


def roster_edit(book, rows: dict):
    wb = openpyxl.load_workbook(book)
    ws = wb[S.ROSTER]
    for r, (status, left) in rows.items():
        ws.cell(r, 9).value = status
        ws.cell(r, 11).value = left
    wb.save(book)


def test_rerunning_a_past_month_keeps_those_who_left_since(tmp_path):
    import datetime as dt
    book = two_months(tmp_path)
    for m in ("2026-08", "2026-09"):
        assert run_cli(["report", book, "--month", m]).code == 0
    before = {(r[0], r[1]): r for r in values(book, S.HISTORY)[1:] if r and r[0]}
    roster_edit(book, {3: ("离职", dt.datetime(2026, 10, 15))})          # T2 left in October
    assert run_cli(["report", book, "--month", "2026-08"]).code == 0
    after = {(r[0], r[1]): r for r in values(book, S.HISTORY)[1:] if r and r[0]}
    assert after == before
    roster_edit(book, {r: ("离职", None) for r in range(2, 7)})            # everyone marked 离职, no date
    got = run_cli(["report", book, "--month", "2026-09"])
    assert got.code == 0
    assert {(r[0], r[1]): r for r in values(book, S.HISTORY)[1:] if r and r[0]} == before


def test_a_stat_of_the_lock_file_shows_who_holds_it(book):
    from addin.io.lock import book_lock, lock_path
    with book_lock(book, "月度报告"):
        text = lock_path(book).read_text(encoding="utf-8")
        assert "月度报告" in text and str(os.getpid()) in text
        assert stat.S_ISREG(os.stat(lock_path(book)).st_mode)
    assert not lock_path(book).exists()
