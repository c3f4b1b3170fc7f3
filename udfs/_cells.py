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


def _to_list(out: np.ndarray):
    if out.ndim == 0:
        return _plain(out.item())
    flat = out.ravel().tolist()
    kinds = set(map(type, flat))             # one C-speed pass; numpy scalars are rare
    if kinds - {str, float, int, bool, type(None), _dt.datetime, _dt.date}:
        flat = [_plain(v) for v in flat]
    elif float in kinds:                     # blank any non-finite float (never NaN or inf in a cell)
        flat = [v if v.__class__ is not float or v - v == 0 else "" for v in flat]
    if out.ndim == 1:
        return flat
    cols = out.shape[1]
    return [flat[i:i + cols] for i in range(0, len(flat), cols)]


class Kind:
    """How the caller handed a value over, to hand results back the same way."""

    def __init__(self, x):
        self.pandas = x if isinstance(x, (pd.Series, pd.DataFrame)) else None
        self.numpy = isinstance(x, np.ndarray)
        self.scalar = _is_scalar(x)

    def give(self, out: np.ndarray):
        if self.scalar:
            return _plain(out.reshape(-1)[0]) if out.size == 1 else _to_list(out)
        if self.pandas is not None:
            if isinstance(self.pandas, pd.Series) and out.shape == self.pandas.shape:
                return pd.Series(out, index=self.pandas.index, name=self.pandas.name)
            if isinstance(self.pandas, pd.DataFrame) and out.shape == self.pandas.shape:
                return pd.DataFrame(out, index=self.pandas.index, columns=self.pandas.columns)
            return pd.DataFrame(out) if out.ndim == 2 else pd.Series(out)
        if self.numpy:
            return out
        return _to_list(out)


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
        m = np.broadcast_to(np.asarray(messages, dtype=object), self.shape)
        free = (self.value_err == "") & (m != "")
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
                out[~np.isfinite(full)] = ""
        else:
            out = np.array(np.broadcast_to(np.asarray(values, dtype=object), self.shape), dtype=object)
            floats = np.array([isinstance(v, (float, np.floating)) for v in out.ravel()], dtype=bool).reshape(self.shape)
            nonfinite = floats & ~np.isfinite(np.where(floats, out, 0.0).astype(float))
            out[pd.isna(out) | nonfinite] = ""
        if (self.value_err != "").any():
            out[self.value_err != ""] = self.error_text(self.value_err[self.value_err != ""])
        out[self.blank] = ""
        if (self.input_err != "").any():
            out[self.input_err != ""] = self.error_text(self.input_err[self.input_err != ""])
        return self.kind.give(out)

    def error_text(self, message):
        return error_texts(self.tag, message)


def error_texts(tag: str, message):
    short = np.array([m if len(m) <= 90 else m[:89] + "…" for m in np.asarray(message, dtype=str).ravel()],
                     dtype=object)
    return np.array([f"#{tag}! {m}" for m in short], dtype=object).reshape(np.shape(message))


def excel(tag: str) -> Callable:
    """Wrap a worksheet function: an exception becomes ``#TAG! message`` (one cell)."""

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except InputError as exc:
                message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                return f"#{tag}! {message[:120]}"
            except Exception:  # noqa: BLE001 — nothing may reach Excel as a traceback
                log.exception("%s: unexpected error", func.__name__)
                return f"#{tag}! {UNEXPECTED}"
        return inner

    return wrap
