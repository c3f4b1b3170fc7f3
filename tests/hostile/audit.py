"""The audit's figures, for the same classes issue 9's audit used (run by hand, a few minutes):

    python tests/hostile/audit.py [--kills 15] [--calls 28000] [--quick]

bad workbooks tried / clear message / traceback / file changed; bad files tried / handled /
crash; faults injected / data lost; function calls fuzzed / raised / non-finite / undocumented
error text. Every case is the one the test suite asserts on (tests/hostile/corpus.py, the
fault tests, fuzz.py), here only counted instead of asserted — with more kills and calls.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE), str(ROOT / "tests")]
os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import bad_files  # noqa: E402
import corpus  # noqa: E402
import faults  # noqa: E402
import fuzz  # noqa: E402
from helpers import values  # noqa: E402
from runner import run_cli  # noqa: E402

from addin.io import schema as S  # noqa: E402


def digest(p: Path):
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None


def command(book, cmd):
    return [cmd[0], book, *cmd[1:]] if cmd and not cmd[0].startswith("--") else ["report", book, *cmd]


def bad_workbooks(tmp: Path) -> dict:
    out = {"tried": 0, "clear message": 0, "traceback": 0, "file changed": 0, "missed": []}
    for name, build, cmd, expect in corpus.BAD_BOOKS:
        folder = tmp / f"book-{name}"
        folder.mkdir()
        book = build(folder)
        before = digest(book)
        runs = [run_cli(command(book, cmd))]
        if not cmd or cmd[0].startswith("--"):
            runs.append(run_cli(["check", book, *cmd]))
        out["tried"] += 1
        clear = all(r.clear for r in runs) and all(e in runs[0].err for e in expect)
        out["clear message"] += clear
        out["traceback"] += any(r.traceback or r.crashed for r in runs)
        out["file changed"] += digest(book) != before
        if not clear:
            out["missed"].append(name)
    return out


def audit_bad_files(tmp: Path) -> dict:
    out = {"tried": 0, "handled": 0, "crash": 0, "missed": []}
    cases = list(bad_files.BAD_FILES) + [("saved_by_libreoffice", bad_files.libreoffice_saved, None)]
    for name, build, expect in cases:
        folder = tmp / f"file-{name}"
        folder.mkdir()
        book = build(folder)
        if book is None:
            continue
        before = digest(book)
        runs = [run_cli(["check", book]), run_cli(["report", book])]
        out["tried"] += 1
        out["crash"] += any(r.crashed or r.traceback for r in runs)
        if expect is None:
            ok = all(r.code == 0 for r in runs)
        elif expect == "either":
            ok = all(r.code == 0 or r.clear for r in runs)
        else:
            ok = all(r.clear for r in runs) and all(e in runs[1].err for e in expect) and digest(book) == before
        out["handled"] += ok
        if not ok:
            out["missed"].append(name)
    return out


def history_keys(book) -> list:
    return [(r[0], r[1]) for r in values(book, S.HISTORY)[1:] if r and r[0]]


def kills(tmp: Path, n: int) -> tuple[int, int, list]:
    big = faults.group_book(tmp / "big.xlsx", 2_000)
    probe = tmp / "probe.xlsx"
    shutil.copy(big, probe)
    t = time.monotonic()
    assert faults.finish(faults.start("report", probe, "--quiet")[0])[0] == 0
    span, whole = time.monotonic() - t, digest(probe)
    rng, lost, notes = random.Random(15), 0, []
    for k in range(n):
        book = tmp / f"kill{k}" / "group.xlsx"
        book.parent.mkdir()
        shutil.copy(big, book)
        before = digest(book)
        proc, marker = faults.start("report", book, "--quiet")
        at = 0.1 + rng.random() * span
        time.sleep(at)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        left = faults.wait_gone(marker, 3.0)
        faults.kill_all(marker)
        state = digest(book)
        again = run_cli(["report", book, "--quiet"])
        bad = []
        if left:
            bad.append(f"{len(left)} processes outlived the kill")
        if state not in (before, whole):
            bad.append("book neither old nor new")
        if again.code != 0 or faults.temps(book.parent):
            bad.append("next run failed or left temp files")
        if again.code == 0 and history_keys(book).count(("2026-12", "G100000")) != 1:
            bad.append("month not complete after the next run")
        lost += bool(bad)
        notes.append(f"kill at {at:.2f}s: {'old' if state == before else 'new'} book" + (f" — {bad}" if bad else ""))
    return n, lost, notes


def pairs(tmp: Path) -> tuple[int, int, list]:
    demo = tmp / "demo"
    subprocess.run([sys.executable, "-m", "addin.cli", "demo", str(demo), "--quiet"], cwd=ROOT, check=True,
                   env=faults.env("demo"), capture_output=True)
    src = demo / "kpi4s_demo.xlsx"
    expected = sorted(set(history_keys(src)))
    cases = [(["report", "{b}", "--month", "2026-08"], ["report", "{b}", "--month", "2026-09"]),
             (["report", "{b}"], ["report", "{b}"]), (["report", "{b}"], ["forms", "{b}"]),
             (["report", "{b}"], ["letters", "{b}"]), (["report", "{b}"], ["decompose", "{b}", "--year", "2026"]),
             (["report", "{b}"], ["check", "{b}"]), (["report", "{link}", "--month", "2026-08"],
                                                    ["report", "{b}", "--month", "2026-09"]),
             (["forms", "{b}"], ["forms", "{b}"]), (["letters", "{b}"], ["letters", "{b}"])]
    lost, notes = 0, []
    for k, (a, b) in enumerate(cases):
        folder = tmp / f"pair{k}"
        folder.mkdir()
        book = faults.without_months(src, folder / "demo.xlsx")
        link = folder / "link.xlsx"
        link.symlink_to(book)
        fill = {"{b}": str(book), "{link}": str(link)}
        procs = [faults.start(*[fill.get(x, x) for x in cmd]) for cmd in (a, b)]
        codes = [faults.finish(p)[0] for p, _ in procs]
        keys = history_keys(book)
        both = "--month" in a                       # 2026-08 and 2026-09 at once: both months back
        want = {"2026-08", "2026-09"} if both else {"2026-09"} if "report" in (a[0], b[0]) else set()
        bad = codes != [0, 0] or not want <= {m for m, _ in keys} or len(keys) != len(set(keys)) or \
            (both and sorted(keys) != expected)
        lost += bad
        notes.append(f"{' '.join(a[:1] + a[2:])} ∥ {' '.join(b[:1] + b[2:])}: exit {codes}" + (" — LOST" if bad else ""))
    return len(cases), lost, notes


class Outcomes:
    def __init__(self):
        self.passed, self.failed = [], []

    def pytest_runtest_logreport(self, report):
        if report.when == "call":
            (self.passed if report.passed else self.failed).append(report.nodeid.split("::")[-1])


def other_faults() -> tuple[int, int, list]:
    """The single faults of tests/hostile/test_faults.py (disks, permissions, links, a book saved
    meanwhile, stale temps, leavers): each is injected and checked by its test."""
    import pytest
    seen = Outcomes()
    pytest.main(["-q", "-p", "no:cacheprovider", str(HERE / "test_faults.py"), "-k",
                 "not kill_9 and not at_once and not double_click and not stat_of"], plugins=[seen])
    return len(seen.passed) + len(seen.failed), len(seen.failed), seen.failed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=15)
    ap.add_argument("--calls", type=int, default=28_000)
    ap.add_argument("--quick", action="store_true", help="inputs and fuzz only (no kills, pairs, disks)")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="kpi4s-audit-"))
    t0 = time.monotonic()
    wb = bad_workbooks(tmp)
    print(f"bad workbooks: {wb['tried']} tried / {wb['clear message']} clear message / {wb['traceback']} traceback / "
          f"{wb['file changed']} file changed" + (f"   (missed: {wb['missed']})" if wb["missed"] else ""))
    bf = audit_bad_files(tmp)
    print(f"bad files: {bf['tried']} tried / {bf['handled']} handled / {bf['crash']} crash"
          + (f"   (missed: {bf['missed']})" if bf["missed"] else ""))
    if not args.quick:
        nk, lk, notes_k = kills(tmp, args.kills)
        npair, lp, notes_p = pairs(tmp)
        nf, lf, failed = other_faults()
        print(f"faults: {nk + npair + nf} injected / {lk + lp + lf} data lost "
              f"(kill -9: {nk}/{lk}; concurrent pairs: {npair}/{lp}; disks, permissions, links, a book saved "
              f"meanwhile, stale temps, leavers: {nf}/{lf})")
        for line in notes_k + notes_p:
            print("   ", line)
        if failed:
            print("    failed:", failed)
    tally = fuzz.fuzz(args.calls, seed=28)
    print(f"function calls: {tally.calls} fuzzed / {tally.raised} raised / {tally.nonfinite} non-finite / "
          f"{len(tally.undocumented)} undocumented error text ({len(tally.errors)} distinct error texts seen)")
    print(f"({time.monotonic() - t0:.0f} s; work folder {tmp})")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
