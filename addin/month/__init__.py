"""The month end as a pipeline (assemble → score → grade → pay → history → consequences)."""
from .pipeline import compute_month  # noqa: F401
from .results import MonthResults, Period  # noqa: F401
