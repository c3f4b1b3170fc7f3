"""What the DMS import hands to the renderers and to the month end: typed tables.

``figures``: one row per (month, level, employee / department / store, KPI) with the sums behind
it — month 'YYYY-MM', level (udfs.vocab.DMS_LEVEL code), employee_id, name, department, kpi_id,
kpi (中文名), unit, num, den (NaN when the KPI has no denominator), actual.
``evidence``: {kpi_id: the rows of the evidence month that the KPI counted}.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from udfs.vocab import DMS_EXPORT, DMS_LEVEL

FIGURE_COLUMNS = ["month", "level", "employee_id", "name", "department", "kpi_id", "kpi", "unit", "num", "den",
                  "actual"]
ACTUAL_COLUMNS = ["month", "level", "employee_id", "name", "department", "kpi_id", "kpi", "actual", "num", "den",
                  "unit", "source", "files", "override", "computed"]


@dataclass
class DmsResults:
    store: str
    months: list                       # the months whose actuals were asked for ('YYYY-MM')
    month: str                         # the evidence month (the last one)
    figures: pd.DataFrame              # FIGURE_COLUMNS, every month computed (incl. the trend's)
    evidence: dict                     # kpi_id → DataFrame
    definitions: dict                  # kpi_id → (中文名, unit, formula, sql)
    skipped: dict                      # kpi_id → why it was not computed (Chinese)
    files: list                        # [(file name, export label, rows)]
    override: bool = False
    rework_days: int = 30
    computed_at: _dt.datetime = field(default_factory=lambda: _dt.datetime.now().replace(microsecond=0))
    timings: list = field(default_factory=list)

    @property
    def computed(self) -> list:
        return [k for k in self.definitions if k not in self.skipped]

    @property
    def file_text(self) -> str:
        return "、".join(name for name, _, _ in self.files)

    def actuals(self) -> pd.DataFrame:
        """The DMS实绩 rows of the months asked for (ACTUAL_COLUMNS)."""
        f = self.figures[self.figures["month"].isin(self.months)]
        order = {c: i for i, c in enumerate(DMS_LEVEL.codes)}
        f = f.assign(_l=f["level"].map(order)).sort_values(["month", "kpi_id", "_l", "department", "employee_id"],
                                                           kind="stable", na_position="first")
        out = pd.DataFrame({c: f[c].to_numpy() for c in FIGURE_COLUMNS if c in ACTUAL_COLUMNS})
        out["source"] = "DMS"
        out["files"] = self.file_text
        out["override"] = self.override
        out["computed"] = np.datetime64(self.computed_at, "s")
        return out[ACTUAL_COLUMNS].reset_index(drop=True)


SHEET_ROWS = 1_048_575            # rows below DMS实绩's header


def merge_actuals(old: pd.DataFrame, new: pd.DataFrame, months: list) -> pd.DataFrame:
    """DMS实绩 after an import: the months imported are replaced, every other month kept — as many of
    the latest months as a worksheet holds (``attrs["dropped"]`` lists the oldest months left out)."""
    keep = old[~old["month"].isin(months) & old["month"].ne("")]
    keep = keep.reindex(columns=ACTUAL_COLUMNS)
    out = pd.concat([keep, new], ignore_index=True) if len(keep) else new
    order = {c: i for i, c in enumerate(DMS_LEVEL.codes)}
    out = out.assign(_l=out["level"].map(order).fillna(9)).sort_values(
        ["month", "kpi_id", "_l"], kind="stable").drop(columns="_l").reset_index(drop=True)
    dropped = []
    if len(out) > SHEET_ROWS:
        per = out.groupby("month").size().sort_index(ascending=False).cumsum()
        keep = set(per.index[per <= SHEET_ROWS])
        dropped = sorted(set(per.index) - keep)
        out = out[out["month"].isin(keep)].reset_index(drop=True)
    out.attrs["dropped"] = dropped
    return out


__all__ = ["DmsResults", "merge_actuals", "FIGURE_COLUMNS", "ACTUAL_COLUMNS", "DMS_EXPORT"]
