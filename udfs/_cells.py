"""The worksheet-function boundary: cell shapes in, cell shapes out, errors as text.

Excel (via xlwings) hands a range over as a list of lists, a single cell as a scalar, blank
and error cells as None. Python callers may pass scalars, lists, numpy arrays or pandas
objects. Every function of the Excel surface works through :class:`Cells`, which

* broadcasts the arguments to one shape and remembers how the caller gave them,
* reads numbers, dates and vocabulary words per cell (udfs.parse, udfs.vocab), recording a
  short message for a bad cell,
* returns results in the caller's shape — scalar → scalar, list → list, numpy → numpy,
  pandas → pandas; a blank input gives a blank (""), a bad cell ``"#TAG! message"`` in that
  cell only, and no result is ever NaN or infinite.

:func:`excel` wraps a function so that no exception ever reaches Excel: our own errors
(:class:`udfs.vocab.InputError`) show their message; anything else is logged and shows a
fixed text of ours.
"""
from __future__ import annotations

import datetime as _dt
import functools
import logging
import re
from typing import Any, Callable

import numpy as np
import pandas as pd

from .parse import dates, numbers
from .vocab import InputError, Vocab

log = logging.getLogger(__name__)
UNEXPECTED = "cannot compute this input"      # the one text for anything that is not ours


class CellError(InputError):
    """A problem with the whole call (shapes, a missing table column …)."""


def _is_scalar(x) -> bool:
    if isinstance(x, (list, tuple, pd.Series, pd.DataFrame)):
        return False
    return x is None or np.ndim(x) == 0


def _plain(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return ""
    return v


def _to_list(out: np.ndarray, clean: bool = False):
    if out.ndim == 0:
        return _plain(out.item())
    flat = out.ravel().tolist()
    kinds = set(map(type, flat))             # one C-speed pass; numpy scalars are rare
    if clean and not kinds - {str, float, int, bool, type(None)}:
        pass                                 # Cells.result blanked every non-finite number already
    elif kinds - {str, float, int, bool, type(None), _dt.datetime, _dt.date}:
        flat = [_plain(v) for v in flat]
    elif float in kinds:                     # blank any non-finite float (never NaN or inf in a cell)
        flat = [v if v.__class__ is not float or v - v == 0 else "" for v in flat]
    if out.ndim == 1:
        return flat
    rows = np.empty(len(flat), dtype=object)
    rows[:] = flat
    return rows.reshape(out.shape).tolist()      # rows built in C (slicing 10,000 lists in Python wakes the GC)


class Kind:
    """How the caller handed a value over, to hand results back the same way."""

    def __init__(self, x):
        self.pandas = x if isinstance(x, (pd.Series, pd.DataFrame)) else None
        self.numpy = isinstance(x, np.ndarray)
        self.scalar = _is_scalar(x)

    def give(self, out: np.ndarray, clean: bool = False):
        """``out`` in the caller's shape; clean: it holds no numpy scalar or non-finite float."""
        if self.scalar:
            return _plain(out.reshape(-1)[0]) if out.size == 1 else _to_list(out, clean)
        if self.pandas is not None:
            if isinstance(self.pandas, pd.Series) and out.shape == self.pandas.shape:
                return pd.Series(out, index=self.pandas.index, name=self.pandas.name)
            if isinstance(self.pandas, pd.DataFrame) and out.shape == self.pandas.shape:
                return pd.DataFrame(out, index=self.pandas.index, columns=self.pandas.columns)
            return pd.DataFrame(out) if out.ndim == 2 else pd.Series(out)
        if self.numpy:
            return out
        return _to_list(out, clean)



def grid(value) -> list:
    """A function's result as the 2-D list of plain cells Excel takes (what xlwings' own result
    conversion makes of it, in one pass instead of a check per cell): a scalar is one cell, a
    1-D result one row; blanks and anything non-finite are empty text. Dates are not handled
    here (DUE_DATE keeps xlwings' conversion, which formats them for each engine)."""
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)):
        value = _to_list(np.asarray(value, dtype=object))
    if not isinstance(value, list):
        return [[_cell(value)]]
    if not value:
        return [[""]]
    rows = value if isinstance(value[0], list) else [value]
    kinds: set = set()
    for r in rows:
        kinds.update(map(type, r))
    if kinds <= {str, int, bool} or (kinds <= {str, int, bool, float} and
                                     all(v - v == 0 for r in rows for v in r if v.__class__ is float)):
        return rows
    return [[_cell(v) for v in r] for r in rows]


def _cell(v):
    v = _plain(v)
    return "" if v is None or v is pd.NaT else v

# What Excel's engines hand over for cells that are not plain values, when arguments come
# "raw" (functions.py: no per-cell conversion by xlwings): COM's error codes, Office.js' error
# and data-type records, Pyodide's JsNull for an empty cell of a range, COM's tz-aware dates.
COM_ERRORS = frozenset((-2146826281, -2146826246, -2146826259, -2146826288, -2146826252, -2146826265,
                        -2146826273))
_PLAIN_TYPES = frozenset((float, str, bool, type(None)))


def _clean_cell(v):
    if v is None or v == "":
        return None
    if isinstance(v, int) and not isinstance(v, bool) and v in COM_ERRORS:
        return None                                    # #N/A, #DIV/0! … (desktop)
    if isinstance(v, dict):                            # Office.js: {"type": "Error"…} or a data type
        return None if v.get("type") == "Error" else _clean_cell(v.get("basicValue"))
    if type(v).__name__ == "JsNull":                   # xlwings Lite: an empty cell of a range
        return None
    if isinstance(v, _dt.datetime) and v.tzinfo is not None:
        return v.replace(tzinfo=None)                  # COM dates are tz-aware
    return v


def _clean(arr: np.ndarray) -> np.ndarray:
    """Blank, error and engine-specific cells as None (what xlwings' value conversion gives),
    with a Python loop only over the cells that need it."""
    if arr.dtype != object or arr.size == 0:
        return arr
    flat = arr.reshape(-1)
    kinds = set(map(type, flat.tolist()))
    if kinds <= _PLAIN_TYPES:
        if str in kinds:
            flat[flat == ""] = None
        return arr
    flat[:] = [_clean_cell(v) for v in flat.tolist()]
    return arr


def to_array(x) -> np.ndarray:
    """Any cell shape → numpy object array (0-, 1- or 2-D); ragged rows are padded with None;
    empty and error cells are None."""
    if isinstance(x, (pd.Series, pd.DataFrame)):
        return x.to_numpy(dtype=object)
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple)):
        if len(x) and isinstance(x[0], (list, tuple)):
            width = len(x[0])
            if set(map(type, x)) <= {list, tuple} and set(map(len, x)) == {width}:   # what Excel sends
                out = np.empty((len(x), width), dtype=object)
                if width == 1:
                    out[:, 0] = [r[0] for r in x]
                else:
                    out[:] = x
                return _clean(out)
            width = max(len(r) if isinstance(r, (list, tuple)) else 1 for r in x)
            rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in x]
            return _clean(np.array([r + [None] * (width - len(r)) for r in rows], dtype=object).reshape(len(x), width))
        return _clean(np.array(list(x), dtype=object).reshape(len(x)))
    return _clean(np.array(_clean_cell(x), dtype=object))


def squeeze_vector(x) -> tuple[np.ndarray, bool]:
    """A range that is one row or one column → 1-D array and True; a matrix → 2-D and False."""
    a = to_array(x)
    if a.ndim == 0:
        return a.reshape(1), True
    if a.ndim == 1 or 1 in a.shape:
        return a.reshape(-1), True
    return a, False


def one_number(value, name: str, default: float | None = None) -> float | None:
    """A one-cell numeric option (cap_total, decimals …): blank → ``default``; a range of more
    than one cell, or text that is not a number → CellError naming the argument."""
    flat = to_array(value).ravel() if value is not None else np.array([None], dtype=object)
    if flat.size != 1:
        raise CellError(f"{name} must be one cell")
    got, bad = numbers(flat)
    if bad[0]:
        raise CellError(f"{name} must be a number")
    return default if np.isnan(got[0]) else float(got[0])


def scalar_arg(value, vocab: Vocab, default: str, arg: str | None = None) -> str:
    """A one-cell option (policy, method, lang …) → its code; blank → default."""
    if not _is_scalar(value):
        flat = to_array(value).ravel()
        value = flat[0] if flat.size else None
    return vocab.code(value, default=default, arg=arg)


class Cells:
    """Broadcast cell arguments, collect per-cell errors and blanks, shape the result."""

    def __init__(self, tag: str, **args):
        self.tag = tag
        present = {k: v for k, v in args.items() if v is not None}
        first = next((v for v in present.values() if not _is_scalar(v)), None)
        self.kind = Kind(first)
        arrays = {k: to_array(v) for k, v in present.items()}
        try:
            shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
        except ValueError:
            sizes = ", ".join(f"{k} {'×'.join(map(str, a.shape)) or '1'}" for k, a in arrays.items())
            raise CellError(f"ranges do not match ({sizes})") from None
        self.shape = shape or (1,)            # scalars work as one-cell arrays; Kind gives a scalar back
        self.args = {k: np.broadcast_to(a, self.shape) for k, a in arrays.items()}
        self.input_err = np.full(self.shape, "", dtype=object)
        self.value_err = np.full(self.shape, "", dtype=object)
        self.blank = np.zeros(self.shape, dtype=bool)

    def has(self, name: str) -> bool:
        return name in self.args

    def raw(self, name: str, default: Any = None) -> np.ndarray:
        if name in self.args:
            return self.args[name]
        return np.full(self.shape, default, dtype=object)

    def number(self, name: str, default: float | None = None, blank_gives_blank: bool = True) -> np.ndarray:
        """Floats; text → error; blank → default, or a blank result when there is no default."""
        if name not in self.args:
            return np.full(self.shape, np.nan if default is None else float(default))
        values, bad = numbers(self.args[name])
        self.flag(bad, f"{name} must be a number")
        missing = np.isnan(values) & ~bad
        if default is not None:
            values = np.where(missing, float(default), values)
        elif blank_gives_blank:
            self.blank |= missing
        return values

    def date(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(datetime64[s], ok): bad text → error; blank → a blank result."""
        values, bad = dates(self.raw(name))
        self.flag(bad, f"{name} must be a date")
        blank = np.isnat(values) & ~bad
        self.blank |= blank
        return values, ~blank & ~bad

    def enum(self, name: str, vocab: Vocab, default: str) -> np.ndarray:
        """Codes of a vocabulary; unknown text → error naming the argument; blank → default."""
        codes, bad = vocab.codes_of(self.raw(name), default=default)
        if bad.any():
            first = str(self.raw(name)[bad].ravel()[0]).strip()
            self.flag(bad, f"{name} '{first}' unknown")
        return np.where(bad, default, codes)

    def text(self, name: str) -> np.ndarray:
        raw = pd.Series(self.raw(name).ravel(), dtype=object)
        return raw.map(lambda v: "" if v is None or v != v else str(v).strip()).to_numpy(dtype=object).reshape(self.shape)

    def flag(self, mask, message) -> None:
        """Record an input error where mask holds (the first error of a cell wins)."""
        mask = np.broadcast_to(np.asarray(mask, dtype=bool), self.shape)
        free = (self.input_err == "") & mask
        self.input_err[free] = message[free] if isinstance(message, np.ndarray) else message

    def check(self, messages) -> None:
        """Record value errors ('' = fine) computed by a rule's validator."""
        m = np.broadcast_to(np.asarray(messages), self.shape)
        bad = m != ""                        # on the validator's own (often fixed-width) strings
        if not bad.any():
            return
        free = (self.value_err == "") & bad
        self.value_err[free] = m[free]

    def blank_where(self, mask) -> None:
        self.blank |= np.broadcast_to(np.asarray(mask, dtype=bool), self.shape)

    @property
    def ok(self) -> np.ndarray:
        return (self.input_err == "") & (self.value_err == "") & ~self.blank

    def result(self, values) -> Any:
        vals = np.asarray(values)
        if vals.dtype.kind in "fiub":                # numbers: non-finite found without a Python loop
            full = np.broadcast_to(vals, self.shape)
            out = full.astype(object)
            if vals.dtype.kind == "f":
                nonfinite = ~np.isfinite(full)
                if nonfinite.any():
                    out[nonfinite] = ""
        else:
            out = np.array(np.broadcast_to(np.asarray(values, dtype=object), self.shape), dtype=object)
            floats = np.array([isinstance(v, (float, np.floating)) for v in out.ravel()], dtype=bool).reshape(self.shape)
            nonfinite = floats & ~np.isfinite(np.where(floats, out, 0.0).astype(float))
            out[pd.isna(out) | nonfinite] = ""
        value_err, input_err = self.value_err != "", self.input_err != ""
        if value_err.any():
            out[value_err] = self.error_text(self.value_err[value_err])
        out[self.blank] = ""
        if input_err.any():
            out[input_err] = self.error_text(self.input_err[input_err])
        return self.kind.give(out, clean=True)

    def error_text(self, message):
        return error_texts(self.tag, message)


def printable(text: str) -> str:
    """Text as a cell may show it: control characters and lone surrogates (an echoed value
    pasted from an ERP) dropped."""
    return _UNPRINTABLE.sub("", text) if _UNPRINTABLE.search(text) else text


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def error_texts(tag: str, message):
    short = [printable(m) for m in np.asarray(message, dtype=str).ravel()]
    short = np.array([m if len(m) <= 90 else m[:89] + "…" for m in short], dtype=object)
    return np.array([f"#{tag}! {m}" for m in short], dtype=object).reshape(np.shape(message))


def excel(tag: str) -> Callable:
    """Wrap a worksheet function: an exception becomes ``#TAG! message`` (one cell)."""

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except InputError as exc:
                message = printable(str(exc).strip().splitlines()[0]) if str(exc).strip() else type(exc).__name__
                return f"#{tag}! {message if len(message) <= 120 else message[:119] + '…'}"
            except Exception:  # noqa: BLE001 — nothing may reach Excel as a traceback
                log.exception("%s: unexpected error", func.__name__)
                return f"#{tag}! {UNEXPECTED}"
        return inner

    return wrap



# --------------------------------------------------------------------------- the texts a cell can show
TAGS = ("KPI", "SCORE", "GRADE", "PERIOD", "PAY", "TARGET", "PROGRESS", "DATE", "ACTION")
# Every error text a worksheet function shows is "#TAG! " + one of these (README: "Error texts");
# an argument is named as the function's parameter, a value echoed in quotes. A text longer than
# the cell's 90/120 characters is cut with "…" (the patterns ending in .* allow that).
CELL_ERRORS = (
    r"ranges do not match \(.*",                                   # the shapes of the arguments
    r"\w+ must be a (number|date)",
    r"\w+ must be one cell",
    r"\w+ '.*' (unknown|is not a date|must be a number|must be HH:MM)( \(use .*)?",
    r"\w+ must be -?[\d.,]+–[\d.,]+",                              # cap_total 0–130, month 1–12 …
    r"\w+ must be (> 0|≥ 0|≤ 100%)",
    r"\w+ must be a whole number( -?[\d.,]+–[\d.,]+)?",
    r"weights must sum to 100% \(got -?[\d.]+%\)",
    r"weights must not all be 0",
    r"quotas must be five shares A…E|quotas must add up to 100%|quotas must be five shares ≥ 0 adding up to 100%",
    r"amount above [\d,]+ yuan",
    r"commission needed for profit staff",
    r"day is past the month's end|day must be a valid day of the month",
    r"calendar cn knows (years \d+–\d+ only.*|no workday after this date)",
    r"table lacks column [a-z, ]+|table needs a header row and data rows",
    r"grades '.*' is not A–E",
    r"total must be one cell or one per row of weights|total is too large to split at this precision",
    r"total and weights must be finite",
    r"field .* unknown \(use .*|kpi_id .* unknown",
    r"method '.*' (unknown|needs monthly values) \(use .*",
)
_OURS = re.compile(rf"#({'|'.join(TAGS)})! (row \d+: )?({'|'.join(f'(?:{p})' for p in CELL_ERRORS)})")


def is_our_error(text: str) -> bool:
    """Whether ``text`` is one of the error texts above (a cut text: its beginning is)."""
    return _OURS.fullmatch(text) is not None or (text.endswith("…") and _OURS.fullmatch(text[:-1]) is not None)
