"""One writer at a time for the steps that read-modify-write a workbook's records (approval,
override, appeals): a lock file beside the book, created exclusively, removed when done.

Two people pressing 审批 at once would otherwise both read the same 审批记录 and the second
save would drop the first one's step. A lock older than ``stale`` seconds (a crashed run) is
taken over. The live-workbook doors do not need it: Excel itself holds the open file.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path

from .problems import BookError, Problem


def lock_path(book) -> Path:
    book = Path(book)
    return book.with_name(f".{book.name}.kpi4s-lock")


@contextmanager
def book_lock(book, wait: float = 15.0, stale: float = 600.0):
    """Hold the book's lock for the block; BookError (Chinese) when another run keeps it longer
    than ``wait`` seconds."""
    path = lock_path(book)
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except PermissionError:
            raise BookError([Problem(Path(book).name, None, None, f"无法在工作簿所在文件夹写入（{path.parent}）："
                                                                 "请检查文件夹的写权限")], "无法写入工作簿") from None
        except FileExistsError:
            try:
                age = time.time() - path.stat().st_mtime
            except FileNotFoundError:
                continue
            if age > stale:
                path.unlink(missing_ok=True)
                continue
            if time.monotonic() > deadline:
                try:
                    who = path.read_text(encoding="utf-8").strip()
                except OSError:
                    who = ""
                raise BookError([Problem(Path(book).name, None, None,
                                         f"另一位用户正在处理此工作簿（{who or '锁文件 ' + path.name}），请稍后重试")],
                                "工作簿正被占用，未写入任何内容") from None
            time.sleep(0.2)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{socket.gethostname()} 进程 {os.getpid()} 自 {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
        break
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
