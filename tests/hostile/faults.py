"""Tools for the fault tests: real processes of the real command, real kills, small disks.

Every process a test starts carries a marker in its environment, inherited by anything it
forks, so "no process is left behind" is checked over the whole machine, not only over the
children known before the kill.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def env(marker: str) -> dict:
    return {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
            "KPI4S_TEST_MARK": marker, "KPI4S_LOCK_WAIT": "60", "PYTHONIOENCODING": "utf-8"}


def start(*args, marker: str | None = None) -> tuple[subprocess.Popen, str]:
    """``python -m addin.cli *args`` as a user runs it; returns (process, its marker)."""
    marker = marker or uuid.uuid4().hex
    proc = subprocess.Popen([sys.executable, "-m", "addin.cli", *map(str, args)], cwd=str(ROOT), env=env(marker),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    return proc, marker


def finish(proc: subprocess.Popen, timeout: float = 180) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def marked(marker: str) -> list[int]:
    """Live (not zombie) processes whose environment carries ``marker``."""
    found = []
    needle = f"KPI4S_TEST_MARK={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def wait_gone(marker: str, seconds: float) -> list[int]:
    """Wait until no process with ``marker`` lives (at most ``seconds``); those still alive."""
    deadline = time.monotonic() + seconds
    while True:
        alive = marked(marker)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def kill_all(marker: str) -> None:
    for pid in marked(marker):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def digest(path) -> str | None:
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def temps(folder) -> list[str]:
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith(".~kpi4s"))


def group_book(path: Path, people: int) -> Path:
    """bench/bench_report.py's group workbook (month 2026-12, a year of 历史) with ``people``."""
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "bench_report.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.write_group_book(Path(path), people)
    return Path(path)


def without_months(src: Path, book: Path, months=("2026-08", "2026-09")) -> Path:
    """A copy of the demo workbook at ``book`` with ``months`` taken out of 历史 (two runs of
    those months at once must put both back)."""
    import openpyxl

    from addin.io import schema as S
    shutil.copy(src, book)
    wb = openpyxl.load_workbook(book)
    ws = wb[S.HISTORY]
    keep = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] not in months]
    ws.delete_rows(2, ws.max_row)
    for i, r in enumerate(keep, 2):
        for j, v in enumerate(r, 1):
            ws.cell(i, j, v)
    wb.save(book)
    return book


@contextlib.contextmanager
def small_disk(folder: Path, size_kb: int):
    """A tmpfs of ``size_kb`` KiB mounted at ``folder`` (root only: skip the test otherwise)."""
    import pytest
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small disk needs root")
    got = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)], capture_output=True)
    if got.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {got.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def read_only(folder: Path) -> None:
    """Remount the small disk at ``folder`` read-only (writes fail with EROFS, even for root)."""
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)


__all__ = ["without_months", "start", "finish", "marked", "wait_gone", "kill_all", "digest", "temps", "group_book", "small_disk",
           "read_only", "env"]
