"""The dealer group (SPEC §8): many store workbooks, one group report, an archive of every month.

Modules: ``settings`` (the group workbook's 设置), ``books`` (which files are store workbooks),
``stores`` (one store's month, computed by the store pipeline; runs in a worker process),
``collect`` (a bounded process pool over the stores), ``archive`` (the DuckDB archive: every
month of every store, idempotent writes, the 12-month trends), ``rollup`` (league table,
departments across stores, KPI attainment, group-level grading) and ``pipeline`` (the whole
group month end, :func:`compute_group`). The sheets are drawn by addin.render.group; the
macro behind the command and the button is addin.macros.group_report.
"""
from __future__ import annotations

from .archive import Archive, ArchiveError, open_archive
from .pipeline import GroupResults, compute_group, store_sources
from .settings import GroupSettings, load_group_settings, read_group_settings
from .stores import StoreMonth, read_store

__all__ = ["compute_group", "GroupResults", "GroupSettings", "load_group_settings", "read_group_settings",
           "store_sources", "StoreMonth", "read_store", "Archive", "ArchiveError", "open_archive"]
