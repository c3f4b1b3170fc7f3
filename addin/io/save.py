"""Atomic writes: a file is replaced whole or not at all."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def atomic_save(save: Callable[[str], None], path) -> Path:
    """Call save(tmp) on a temp file in path's folder, then os.replace it over path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=str(path.parent))
    os.close(fd)
    try:
        save(tmp)
        try:                          # keep the file's permissions (mkstemp makes it 0600)
            mode = os.stat(path).st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
        except OSError:
            pass
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
