"""The real `kpi4s` command run in a forked process, many times a second.

``addin.cli.main`` (the console script's entry point) runs in a child forked from the test
process — the same code as `python -m addin.cli`, its own process (a crash, an abort or a
runaway allocation kills only the child and is seen as such), without paying the ~1 s of
imports per run. Memory is capped (a regression to the 17-billion-cell read shows up as a
crash, not as a machine that swaps), and a run is bounded in time.
"""
from __future__ import annotations

import io
import logging
import os
import resource
import signal
import sys
import tempfile
import time
from dataclasses import dataclass

MEMORY_CAP = 3 << 30            # bytes of address space a run may use
TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Outcome:
    code: int | None            # exit code (None: killed by a signal or timed out)
    out: str
    err: str
    signal: int | None = None
    timed_out: bool = False
    seconds: float = 0.0

    @property
    def crashed(self) -> bool:
        return self.signal is not None or self.timed_out or self.code not in (0, 1, 2, 3, 4)

    @property
    def traceback(self) -> bool:
        return TRACEBACK in self.err or TRACEBACK in self.out or self.code == 1 and "内部错误" in self.err

    @property
    def clear(self) -> bool:
        """One message of ours: a failure exit code, Chinese text on stderr, no traceback."""
        return self.code in (2, 3, 4) and not self.traceback and bool(self.err.strip()) and \
            any("\u4e00" <= ch <= "\u9fff" for ch in self.err)


def run_cli(args, timeout: float = 120, cwd=None, env: dict | None = None) -> Outcome:
    """``kpi4s *args`` in a forked child; its stdout/stderr captured."""
    args = [str(a) for a in args]
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:                                         # the child: the command
            code = 98
            try:
                resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
                os.dup2(fo.fileno(), 1)
                os.dup2(fe.fileno(), 2)
                sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", line_buffering=True)
                sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True)
                logging.root.handlers.clear()
                os.environ.update(env or {})
                if cwd:
                    os.chdir(cwd)
                from addin.cli import main
                code = main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
            except BaseException:                            # what the user would see: a traceback
                import traceback
                traceback.print_exc()
                code = 97
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(code if isinstance(code, int) else 96)
        status, timed_out = None, False
        deadline = start + timeout
        while True:
            got, status = os.waitpid(pid, os.WNOHANG)
            if got:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                timed_out, status = True, None
                break
            time.sleep(0.01)
        seconds = time.monotonic() - start
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read().decode("utf-8", "replace"), fe.read().decode("utf-8", "replace")
    if status is None:
        return Outcome(None, out, err, None, True, seconds)
    if os.WIFSIGNALED(status):
        return Outcome(None, out, err, os.WTERMSIG(status), False, seconds)
    return Outcome(os.WEXITSTATUS(status), out, err, None, False, seconds)


__all__ = ["Outcome", "run_cli", "TRACEBACK"]
