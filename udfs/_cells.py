"""The worksheet-function boundary: cell shapes in, cell shapes out, errors as text.

Excel (via xlwings) hands a range over as a list of lists (a one-column range as a 1-D
list unless ``ndim=2``), a single cell as a scalar, blank cells as None. Python callers
may pass scalars, lists, numpy arrays or pandas objects. Every function of the Excel
surface works through :class:`Cells`, which

* broadcasts the arguments to one array shape and remembers how the caller gave them,
* parses numbers and enumerations per cell, recording a short message for a bad cell,
* returns results in the caller's shape: scalar → scalar, list → list, numpy → numpy,
  pandas → pandas; a blank input gives a blank ("") result, an error gives
  ``"#TAG! message"`` in that cell only.

:func:`excel` wraps a function so that no exception ever reaches Excel.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .scoring import parse_floats


class CellError(ValueError):
    """A problem with the whole call (shapes, a missing table column …)."""


def _is_scalar(x) -> bool:
    return x is None or np.ndim(x) == 0 and not isinstance(x, (pd.Series, pd.DataFrame))


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


def _plain(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and np.isnan(v):
        return ""
    return v


def _to_list(out: np.ndarray):
    if out.ndim == 0:
        return _plain(out.item())
    flat = [_plain(v) for v in out.ravel().tolist()]
    if out.ndim == 1:
        return flat
    cols = out.shape[1]
    return [flat[i:i + cols] for i in range(0, len(flat), cols)]


def to_array(x) -> np.ndarray:
    """Any cell shape → numpy object array (0-, 1- or 2-D); None stays None."""
    if isinstance(x, (pd.Series, pd.DataFrame)):
        return x.to_numpy(dtype=object)
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple)):
        if len(x) and isinstance(x[0], (list, tuple)):
            width = max(len(r) for r in x)
            return np.array([list(r) + [None] * (width - len(r)) for r in x], dtype=object).reshape(len(x), width)
        return np.array(list(x), dtype=object).reshape(len(x))
    return np.array(x, dtype=object)


def squeeze_vector(x) -> tuple[np.ndarray, bool]:
    """A range that is one row or one column → 1-D array and True; a matrix → 2-D and False."""
    a = to_array(x)
    if a.ndim == 0:
        return a.reshape(1), True
    if a.ndim == 1 or 1 in a.shape:
        return a.reshape(-1), True
    return a, False


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
        shape = shape or (1,)                 # scalars work as one-cell arrays; Kind gives a scalar back
        self.shape = shape
        self.args = {k: np.broadcast_to(a, shape) for k, a in arrays.items()}
        self.input_err = np.full(shape, "", dtype=object)
        self.value_err = np.full(shape, "", dtype=object)
        self.blank = np.zeros(shape, dtype=bool)

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
        values, bad = parse_floats(self.args[name])
        self._flag(self.input_err, bad, f"{name} must be a number")
        missing = np.isnan(values) & ~bad
        if default is not None:
            values = np.where(missing, float(default), values)
        elif blank_gives_blank:
            self.blank |= missing
        return values

    def enum(self, name: str, aliases: Mapping[str, str], default: str) -> np.ndarray:
        """Canonical names; unknown text → error naming the argument; blank → default."""
        raw = pd.Series(self.raw(name).ravel(), dtype=object)
        blank = raw.isna() | raw.astype(str).str.strip().eq("")
        key = raw.astype(str).str.strip()
        mapped = key.map(aliases).fillna(key.str.lower().map(aliases))
        bad = (mapped.isna() & ~blank).to_numpy().reshape(self.shape)
        if bad.any():
            first = key[(mapped.isna() & ~blank)].iloc[0]
            self._flag(self.input_err, bad, f"{name} '{first}' unknown")
        return mapped.where(~blank, default).fillna(default).to_numpy(dtype=object).reshape(self.shape)

    def text(self, name: str, default: str = "") -> np.ndarray:
        raw = pd.Series(self.raw(name).ravel(), dtype=object)
        return raw.fillna(default).astype(str).str.strip().to_numpy(dtype=object).reshape(self.shape)

    def check(self, messages: np.ndarray) -> None:
        """Record value errors ('' = fine) computed by a rule's validator."""
        m = np.broadcast_to(np.asarray(messages, dtype=object), self.shape)
        self._flag(self.value_err, m != "", m)

    def blank_where(self, mask) -> None:
        self.blank |= np.broadcast_to(np.asarray(mask, dtype=bool), self.shape)

    @staticmethod
    def _flag(target: np.ndarray, mask: np.ndarray, message) -> None:
        free = (target == "") & mask
        target[free] = message[free] if isinstance(message, np.ndarray) else message

    def result(self, values) -> Any:
        out = np.array(np.broadcast_to(np.asarray(values, dtype=object), self.shape), dtype=object)
        out[pd.isna(out)] = ""
        out[self.value_err != ""] = self.error_text(self.value_err[self.value_err != ""])
        out[self.blank] = ""
        out[self.input_err != ""] = self.error_text(self.input_err[self.input_err != ""])
        return self.kind.give(out)

    def error_text(self, message):
        short = np.array([m if len(m) <= 90 else m[:89] + "…" for m in np.asarray(message, dtype=str).ravel()], dtype=str)
        return np.char.add(f"#{self.tag}! ", short.reshape(np.shape(message))).astype(object)


def excel(tag: str) -> Callable:
    """Wrap a worksheet function: any exception becomes ``#TAG! message`` (one cell)."""

    def wrap(func):
        @functools.wraps(func)
        def inner(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 — nothing may reach Excel as a traceback
                message = str(exc).strip() or type(exc).__name__
                return f"#{tag}! {message.splitlines()[0][:120]}"
        return inner

    return wrap
