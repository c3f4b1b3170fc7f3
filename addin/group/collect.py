"""Read many store workbooks on every core: a bounded process pool, results in input order.

Each store is one job (:func:`addin.group.stores.read_store`); at most two jobs per worker
are in flight, so memory stays that of a few stores whatever the group's size. ``on_done``
is called in this process as each store finishes (the command line's progress bar). A worker
that dies (a file that exhausts memory, a crash in a library) costs only the stores it was
reading: they are retried one by one in a fresh process, and a store that kills that one too
is named as bad.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable

from addin.io.problems import Problem

from .stores import Report, StoreMonth, read_store

log = logging.getLogger(__name__)
CRASHED = "读取该工作簿时处理进程异常退出（文件可能损坏或过大），未汇总"


def _context():
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def workers_for(n_jobs: int, workers: int | None = None) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(workers or cores, n_jobs))


def collect(jobs: list, report: Report | None = None, workers: int | None = None,
            on_done: Callable[[StoreMonth], None] | None = None) -> list[StoreMonth]:
    """jobs: [(path, month or None)] → [StoreMonth] in the same order."""
    n = workers_for(len(jobs), workers)
    done = (lambda r: None) if on_done is None else on_done
    if n <= 1:
        out = []
        for path, month in jobs:
            out.append(read_store(path, month, report))
            done(out[-1])
        return out
    results: dict = {}
    lost = _pool(list(enumerate(jobs)), report, n, results, done)
    for i, (path, month) in lost:               # retried alone: the one that crashes is named
        again = _pool([(i, (path, month))], report, 1, results, done)
        if again:
            results[i] = StoreMonth(str(path), Path(path).stem, "bad", month, [Problem(Path(path).name, None, None,
                                                                                        CRASHED)])
            done(results[i])
    return [results[i] for i in range(len(jobs))]


def _pool(jobs: list, report, n: int, results: dict, done) -> list:
    """Run jobs [(index, (path, month))] on n processes; returns the jobs lost to a broken pool."""
    todo = iter(jobs)
    running: dict = {}
    lost: list = []
    broken = False
    # the objects loaded so far go to the permanent generation: the forked workers' collections skip
    # them (about 5% of a store's time) and leave their memory pages shared
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=_context()) as pool:
            def submit():
                nonlocal broken
                while not broken and len(running) < 2 * n:
                    job = next(todo, None)
                    if job is None:
                        return
                    try:
                        running[pool.submit(read_store, job[1][0], job[1][1], report)] = job
                    except BrokenProcessPool:
                        lost.append(job)
                        broken = True

            submit()
            while running:
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for f in finished:
                    job = running.pop(f)
                    try:
                        results[job[0]] = f.result()
                    except BrokenProcessPool:
                        broken = True
                        lost.append(job)
                        continue
                    done(results[job[0]])
                submit()
    finally:
        gc.unfreeze()
    lost += list(todo)                        # never submitted after the pool broke
    if lost:
        log.warning("a worker died; %d store(s) to retry", len(lost))
    return lost


__all__ = ["collect", "workers_for", "CRASHED"]
