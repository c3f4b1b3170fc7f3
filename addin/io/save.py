"""Atomic writes: a file is replaced whole or not at all, at its real place, or not touched.

* the new content goes to a temp file beside the target (``.~kpi4s~<name>~…``), is flushed to
  disk, and replaces the target in one rename — a crash leaves the old file whole;
* a symbolic link is written through: the file it points to is replaced, the link stays;
* a file with several hard links is rewritten in place so every name sees the new content:
  the complete new content is first kept as a journal beside it, so a crash in the middle is
  finished by the next run (:func:`recover`) instead of leaving a half-written workbook;
* a read-only file, a read-only or missing folder, a full disk … give a :class:`WriteError`
  (a BookError: one Chinese message naming the file), never a traceback;
* temp files left by a killed run are removed by the next run on the same file
  (:func:`clean_stale`, called under the book's lock).
"""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from .problems import BookError, Problem

TEMP = ".~kpi4s~"                     # every temp file we make starts so


class WriteError(BookError):
    """A file could not be written; the old one (if any) is unchanged."""

    def __init__(self, path, message: str):
        super().__init__([Problem(str(path), None, None, message)], "未能写入，原文件保持不变")
        self.path = Path(path)


_CAUSE = {
    errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "超出磁盘配额", errno.EROFS: "所在磁盘是只读的",
    errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EFBIG: "文件大小超出系统限制",
    errno.ENOENT: "文件夹不存在", errno.ENOTDIR: "路径中有一段不是文件夹", errno.ENAMETOOLONG: "文件名过长",
    errno.EBUSY: "文件正被其他程序占用", errno.EEXIST: "同名的文件已存在（不是文件夹）", errno.ETXTBSY: "文件正被其他程序占用", errno.EISDIR: "同名的文件夹已存在",
}


def cause(exc: OSError) -> str:
    """A short Chinese reason for an OS error."""
    return _CAUSE.get(exc.errno, exc.strerror or str(exc))


def os_error(error: BaseException) -> OSError | None:
    """The OSError behind an exception (itself, or what a library wrapped: xlsxwriter's
    FileCreateError on a full disk …), None when there is none."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OSError):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def real_path(path) -> Path:
    """The file a path really names (symbolic links followed), absolute."""
    return Path(os.path.realpath(Path(path)))


def _tag(path: Path) -> str:
    name = path.name
    return name if len(name.encode("utf-8")) <= 120 else hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]


def temp_prefix(path) -> str:
    """The name prefix of this file's temp files: ``.~kpi4s~<name>~``."""
    return f"{TEMP}{_tag(Path(path))}~"


def lock_name(path) -> str:
    return f"{temp_prefix(path)}lock"


def journal_of(path) -> Path:
    path = Path(path)
    return path.with_name(f"{temp_prefix(path)}journal")


def read_only(path: Path) -> bool:
    """A file marked read-only (no write bit), or one this user may not write."""
    try:
        st = path.stat()
    except OSError:
        return False
    return not (st.st_mode & 0o222) or not os.access(path, os.W_OK)


def atomic_save(save: Callable[[str], None], path, expect=None) -> Path:
    """Call save(tmp) on a temp file in the real folder of ``path``, then put it in place.

    Returns ``path``. Raises WriteError (the target unchanged) when the file or its folder
    cannot be written; an exception of ``save`` itself propagates (the temp file removed).
    ``expect``: the target's :func:`file_identity` when it was read — if the file changed
    since (saved by Excel, another program …), nothing is written (compare-and-swap)."""
    given = Path(path)
    target = real_path(given)
    if target.exists() and read_only(target):
        raise WriteError(given, "文件是只读的（或没有写入权限），未修改；请取消只读属性、关闭占用它的程序后重试")
    if target.is_dir():
        raise WriteError(given, "同名的文件夹已存在")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=target.suffix, dir=str(target.parent))
        os.close(fd)
    except OSError as exc:
        raise WriteError(given, f"无法在文件夹「{target.parent}」中写入：{cause(exc)}") from None
    try:
        save(tmp)
        _fsync(tmp)
        try:                          # keep the file's permissions (mkstemp makes it 0600)
            mode = os.stat(target).st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
        except OSError:
            pass
        if expect is not None and file_identity(target) != expect:
            raise WriteError(given, "工作簿在 kpi4s 读取之后又被修改过（例如在 Excel 中保存了），为免覆盖那些修改，"
                                    "未写入；请关闭其他程序后重新运行")
        if target.exists() and os.stat(target).st_nlink > 1:
            _write_in_place(Path(tmp), target)
        else:
            os.replace(tmp, target)
    except BaseException as error:
        _unlink(tmp)
        exc = os_error(error)
        if exc is None or isinstance(error, WriteError):
            raise
        where = f"（{exc.filename}）" if exc.filename and str(exc.filename) != tmp else ""
        raise WriteError(given, f"写入失败：{cause(exc)}{where}") from None
    return given


def file_identity(path) -> tuple | None:
    """(device, inode, size, mtime ns) of a file — it changed if this changed; None if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _write_in_place(tmp: Path, target: Path) -> None:
    """Hard links: every name must see the new content, so the target's own inode is
    overwritten — after the complete content is safe as the journal."""
    journal = journal_of(target)
    os.replace(tmp, journal)
    _copy_into(journal, target)
    journal.unlink()


def _copy_into(src: Path, target: Path) -> None:
    with open(src, "rb") as fin, open(target, "r+b") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.truncate()
        fout.flush()
        os.fsync(fout.fileno())


def recover(path) -> bool:
    """Finish a hard-linked rewrite a killed run left half done (its journal is complete).
    True when one was finished."""
    target = real_path(path)
    journal = journal_of(target)
    if not journal.exists() or not target.exists():
        return False
    try:
        _copy_into(journal, target)
        journal.unlink()
    except OSError as exc:
        raise WriteError(path, f"上次运行中断，未能恢复工作簿：{cause(exc)}") from None
    return True


def clean_stale(path, folder=None) -> list[Path]:
    """Remove the temp files (not the journal) a killed run left for ``path``; call it only
    while holding the lock of ``path`` (so none of them belongs to a live run)."""
    target = real_path(path)
    where = Path(folder) if folder else target.parent
    prefix = temp_prefix(target)
    removed = []
    try:
        entries = list(where.iterdir())
    except OSError:
        return removed
    keep = {journal_of(target).name, lock_name(target)}
    for f in entries:
        if f.name.startswith(prefix) and f.name not in keep:
            try:
                shutil.rmtree(f) if f.is_dir() and not f.is_symlink() else f.unlink()
                removed.append(f)
            except OSError:
                pass
    return removed


def _fsync(name: str) -> None:
    try:
        with open(name, "rb") as fh:
            os.fsync(fh.fileno())
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise


def _unlink(name) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = ["WriteError", "atomic_save", "recover", "clean_stale", "real_path", "temp_prefix", "read_only", "cause",
           "file_identity", "lock_name", "os_error", "TEMP"]
