"""One kpi4s run per workbook at a time.

Two HR staff pressing 月度报告 on one shared book (or one double click) must not each read the
old 历史, add their month and write it back — the second write would drop the first month. A
run holds an exclusive lock on a small file beside the book (``.~kpi4s~<book>~lock``) from
before it reads the book until its last write; another run on the same book (through any
door, any symbolic link to it) waits up to :data:`WAIT` seconds and then stops with a message
naming the run that holds it. The lock is the operating system's (``flock`` / ``msvcrt``):
a run that is killed releases it at once, so a crash never leaves the book locked. A block
that already holds the lock (the cycle's appeals running the month end) re-enters it instead
of waiting for itself. Where the book's folder cannot hold the lock file (read-only), it is
kept in the system's temp folder. The cycle's read-modify-write steps (approval, override,
appeals, year end) take the same lock.

:func:`book_session` is what the macros use: the lock, then the repairs a killed run may have
left to do (finish a journaled rewrite, remove its temp files).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from .save import WriteError, clean_stale, lock_name, real_path, recover

WAIT = 20.0                 # seconds a second run waits for the first (KPI4S_LOCK_WAIT overrides)
POLL = 0.1


def wait_seconds() -> float:
    try:
        return max(float(os.environ.get("KPI4S_LOCK_WAIT", WAIT)), 0.0)
    except ValueError:
        return WAIT

if sys.platform == "win32":                              # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False


_HELD: dict = {}      # (process, thread, lock file) → how many nested blocks hold it


class BookBusy(WriteError):
    """Another run holds the book's lock; nothing was read or written."""


def lock_path(book) -> Path:
    """Where the lock of ``book`` lives: beside the real file, else in the system temp folder."""
    target = real_path(book)
    beside = target.with_name(lock_name(target))
    if os.access(target.parent, os.W_OK | os.X_OK):
        return beside
    digest = hashlib.sha1(str(target).encode("utf-8")).hexdigest()[:24]
    folder = Path(tempfile.gettempdir()) / "kpi4s-locks"
    folder.mkdir(exist_ok=True)
    return folder / f"{digest}.lock"


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f"（{text}）" if text else ""


@contextlib.contextmanager
def book_lock(book, what: str = "kpi4s", wait: float | None = None):
    """Hold the exclusive lock of the workbook ``book`` for the block (see the module)."""
    wait = wait_seconds() if wait is None else wait
    path = lock_path(book)
    key = (os.getpid(), threading.get_ident(), str(path))
    if key in _HELD:                  # re-entered (a cycle step running the month end): held once
        _HELD[key] += 1
        try:
            yield path
        finally:
            _HELD[key] -= 1
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise WriteError(book, f"无法建立锁文件「{path}」：{exc.strerror}") from None
        if _try_lock(fd):
            try:                                         # the file we hold is still the lock file
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except OSError:
                same = False
            if same:
                break
        os.close(fd)
        if time.monotonic() >= deadline:
            raise BookBusy(book, f"工作簿正由另一个 kpi4s 运行处理{_holder(path)}，已等待 {wait:g} 秒；"
                                 "请等它完成后重试（两次运行同时写入会丢失其中一个月的结果）")
        time.sleep(POLL)
    try:
        stamp = f"{what}，进程 {os.getpid()}，开始于 {_dt.datetime.now():%Y-%m-%d %H:%M:%S}"
        os.ftruncate(fd, 0)
        os.write(fd, stamp.encode("utf-8"))
        _HELD[key] = 1
        yield path
    finally:
        _HELD.pop(key, None)
        try:
            os.unlink(path)                              # before unlocking: a waiter re-checks the inode
        except OSError:
            pass
        os.close(fd)


@contextlib.contextmanager
def book_session(source, what: str = "kpi4s"):
    """The lock of ``source`` when it is a workbook file (else nothing), with the repairs a
    killed run may have left: a journaled rewrite finished, its temp files removed."""
    if not isinstance(source, (str, os.PathLike)) or not Path(source).is_file():
        yield None
        return
    nested = (os.getpid(), threading.get_ident(), str(lock_path(source))) in _HELD
    with book_lock(source, what) as held:
        if not nested:                # (the outer block did the repairs; its own writes are done)
            recover(source)
            clean_stale(source)
        yield held


__all__ = ["WAIT", "BookBusy", "book_lock", "book_session", "lock_path"]
