"""kpi4s worksheet functions — the Excel surface of SPEC §4.

``from udfs import KPI_SCORE`` in Python, or ``UDF Modules = udfs`` in xlwings. The rules
live in one module per SPEC section (scoring, grading, periods, pay, dates, consequences,
decompose, kpis), the words in :mod:`udfs.vocab`, the reading of typed values in
:mod:`udfs.parse`, the policy numbers in :mod:`udfs.policy`.

The functions (and xlwings with them) are loaded on first use, so the rule modules can be
imported by the headless month end without paying for xlwings.
"""
__all__ = [
    "KPI_SCORE", "KPI_TOTAL", "SCORE_TABLE", "GRADE", "FORCED_GRADE", "GRADE_QUOTA",
    "PERIOD_SCORE", "PERF_BASE", "PERF_PAY", "DECOMPOSE", "MONTH_WEIGHTS", "TIME_PROGRESS",
    "PACE", "DUE_DATE", "LATE_FINE", "NEXT_ACTION", "KPI_INFO",
]


def __getattr__(name):
    if name in __all__:
        from . import functions
        return getattr(functions, name)
    raise AttributeError(f"module 'udfs' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
