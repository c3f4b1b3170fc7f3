"""Build and deflate one long part in a forked child while the parent writes the rest.

A 110,000-row history sheet costs about as much to serialise and deflate as everything else
in the transplant together; on two cores the child does it concurrently. Fork (not spawn):
the row builder is a closure over DataFrames that need not be picklable.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from typing import Callable

from addin.io.procs import die_with_parent
from addin.ooxml.package import deflate


class ForkJob:
    """result() → (raw deflate stream, CRC-32, size), or None when the child failed or could
    not be started (the caller then builds the part itself: same bytes, just later)."""

    def __init__(self, head: bytes, rows: Callable[[dict], bytes], tail: bytes, xf_map: dict):
        self.proc = self.conn = None
        if "fork" not in mp.get_all_start_methods():
            return
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=False)
        parent = os.getpid()

        def work():
            die_with_parent(parent)             # a killed run leaves no builder behind
            try:
                data, crc, size = deflate(head, rows(xf_map), tail)
                child.send((crc, size))
                child.send_bytes(data)
            finally:
                child.close()
        self.proc = ctx.Process(target=work, daemon=True)
        self.proc.start()
        child.close()

    def result(self) -> tuple[bytes, int, int] | None:
        if self.proc is None:
            return None
        try:
            crc, size = self.conn.recv()
            return self.conn.recv_bytes(), crc, size
        except (EOFError, OSError, ValueError, TypeError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Release the pipe and the child (idempotent; kills a child that is still busy)."""
        if self.proc is None:
            return
        try:
            self.conn.close()
        finally:
            if self.proc.is_alive():
                self.proc.join(timeout=0.5)
                if self.proc.is_alive():
                    self.proc.kill()
            self.proc.join()
