"""SPEC §3.8 — target decomposition: parts that add up exactly (largest remainder).

:func:`decompose` is the rule; the helpers split an annual target over the calendar
(year → quarters → months → ISO-week pieces within months) and over owners, and copy
non-additive targets (rates) instead of splitting them. All arithmetic on the parts is done
in integer units of 10^-decimals, so float error never breaks a sum.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .dates import month_weights, week_segments, year_int
from .parse import floats
from .vocab import CALENDAR_SPLITS, InputError, SPLIT

_INT_LIMIT = 2**62


def _integer_weights(w: np.ndarray) -> np.ndarray:
    """Non-negative float weights (rows) → integer weights in exactly the same proportions.

    Decimal weights (0.3667, 12.5, 1500) become exact int64 by a power of ten ≤ 10^6;
    anything else (1/3) becomes exact Python integers from its binary fraction (object array).
    """
    for digits in range(7):
        scaled = w * 10.0**digits
        if scaled.sum(axis=-1).max(initial=0) >= 2.0**52:
            break
        rounded = np.round(scaled)
        if np.all(np.abs(scaled - rounded) <= 16 * np.spacing(np.abs(scaled))) \
                and np.all((rounded > 0) | (w == 0)):          # integers up to float noise
            return rounded.astype(np.int64)
    # any other float is a binary fraction m·2^e: scale each row to exact Python integers
    mant, exp = np.frexp(w)
    mant = (mant * 2.0**53).astype(np.int64)
    exp = np.where(w > 0, exp - 53, np.iinfo(np.int64).max)
    shift = exp - exp.min(axis=-1, keepdims=True)
    shift = np.where(w > 0, shift, 0)
    return mant.astype(object) << shift.astype(object)


def _largest_remainder(units: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Split integer totals ``units`` (shape n) by integer weights ``w`` (n, k) exactly."""
    wsum = w.sum(axis=-1)
    with np.errstate(over="ignore"):
        big = w.dtype == object or \
            (np.abs(units).astype(float) * wsum.astype(float)).max(initial=0) >= _INT_LIMIT
    if big:                                      # Python integers: exact at any size
        units = units.astype(object)
        w = w.astype(object)
        wsum = wsum.astype(object)
    exact = units[:, None] * w
    base = exact // wsum[:, None]
    rem = exact - base * wsum[:, None]
    short = units - base.sum(axis=-1)
    # larger remainder first; equal remainders go to the earlier part (stable sort).
    # Beyond int64 the key is the remainder as a float: equal integers stay equal.
    key = -(rem / wsum[:, None]).astype(float) if big else -rem
    order = np.argsort(key, axis=-1, kind="stable")
    ranks = np.argsort(order, axis=-1, kind="stable")
    return base + (ranks < short[:, None])


def decompose(total, weights, decimals: int = 0) -> np.ndarray:
    """Parts of ``total`` in proportion to ``weights`` that add up exactly at 10^-decimals.

    * weights 1-D (k,) and a scalar total → k parts.
    * weights (n, k) and totals (n,) or (n, 1) → one decomposition per row.
    * Largest remainder; equal remainders go to the earlier part. Negative totals are split
      like their absolute value with the sign flipped. ``decimals`` may be negative
      (-4 = whole 万).
    * Weights must be ≥ 0 and not all 0 in a row. A blank total or a blank weight gives a
      row of NaN.
    Returns floats with the shape of ``weights`` (broadcast with the totals).
    """
    try:
        dec = int(decimals if decimals not in (None, "") else 0)
    except (TypeError, ValueError):
        raise InputError("decimals must be a whole number") from None
    if dec != float(decimals if decimals not in (None, "") else 0) or not -9 <= dec <= 9:
        raise InputError("decimals must be a whole number -9–9")
    w = floats(weights, "weights")
    t = floats(total, "total")
    if w.ndim == 0:
        w = w.reshape(1)
    if t.ndim >= 1 and t.ndim >= w.ndim and t.shape[-1] == 1:
        t = t[..., 0]                            # a column of totals: one total per row
    try:
        shape = np.broadcast_shapes(t.shape + (1,), w.shape)
    except ValueError:
        raise InputError(f"total {t.shape} does not match weights {w.shape}") from None
    w = np.broadcast_to(w, shape).reshape(-1, shape[-1])
    t = np.broadcast_to(t[..., None], shape)[..., 0].reshape(-1)
    ok = ~np.isnan(t) & ~np.isnan(w).any(axis=-1)
    if (w[ok] < 0).any():
        raise InputError("weights must be ≥ 0")
    if ok.any() and (w[ok].sum(axis=-1) <= 0).any():
        raise InputError("weights must not all be 0")
    if not np.isfinite(t[ok]).all() or not np.isfinite(w[ok]).all():
        raise InputError("total and weights must be finite")
    out = np.full(w.shape, np.nan)
    if ok.any():
        scale = 10.0**dec
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = np.round(np.abs(t[ok]) * scale, 6)
        if not np.isfinite(scaled).all():
            raise InputError("total is too large to split at this precision")
        units = np.floor(scaled + 0.5)           # half away from zero, on the absolute value
        if (units >= 2**63).any():
            units_i = np.array([int(u) for u in units], dtype=object)
        else:
            units_i = units.astype(np.int64)
        parts = _largest_remainder(units_i, _integer_weights(w[ok]))
        sign = np.where(t[ok] < 0, -1.0, 1.0)[:, None]
        if dec >= 0:
            out[ok] = sign * parts.astype(float) / 10**dec
        else:
            out[ok] = sign * parts.astype(float) * 10**(-dec)
    out = out.reshape(shape)
    return out


def decompose_units(total_units, weights) -> np.ndarray:
    """Integer variant: whole-number totals (int) split into int64 parts (rows like decompose)."""
    try:
        t = np.asarray(total_units, dtype=np.int64)
    except OverflowError:                         # beyond int64: exact Python integers
        t = np.asarray(total_units, dtype=object)
    w = floats(weights, "weights")
    if (w < 0).any():
        raise InputError("weights must be ≥ 0")
    shape = np.broadcast_shapes(t.shape + (1,), w.shape)
    w2 = np.broadcast_to(w, shape).reshape(-1, shape[-1])
    if (w2.sum(axis=-1) <= 0).any():
        raise InputError("weights must not all be 0")
    t2 = np.broadcast_to(t[..., None], shape)[..., 0].reshape(-1)
    sign = np.where(t2 < 0, -1, 1)[:, None]
    parts = _largest_remainder(np.abs(t2), _integer_weights(w2)) * sign
    return parts.reshape(shape)


def copy_target(value, shape) -> np.ndarray:
    """A non-additive target (rate, ratio) copied to every part instead of split."""
    return np.broadcast_to(np.asarray(value, dtype=float), shape).copy()


# --------------------------------------------------------------------------- calendar split
def split_weights(year, method: str = "equal", calendar: str = "weekend", last_year=None,
                  shares=None) -> np.ndarray:
    """The 12 month weights of one split method (not normalised for last_year/shares).

    ``equal``/``days``/``workdays`` from the calendar; ``last_year``: last year's 12 monthly
    actuals (seasonality); ``shares``: 12 explicit shares. Raises ValueError on bad input.
    """
    how = SPLIT.code(method, default="equal", arg="method")
    if how in CALENDAR_SPLITS:
        return month_weights(year, how, calendar)
    given = last_year if how == "last_year" else shares
    name = "last_year" if how == "last_year" else "shares"
    if given is None:
        raise InputError(f"{name} needs 12 monthly values")
    w = floats(given, name).reshape(-1)
    if w.size != 12:
        raise InputError(f"{name} needs 12 monthly values (got {w.size})")
    if np.isnan(w).any():
        raise InputError(f"{name} has blank months")
    if (w < 0).any():
        raise InputError(f"{name} must be ≥ 0")
    if w.sum() <= 0:
        raise InputError(f"{name} must not all be 0")
    return w


def calendar_split(totals, month_w, year, calendar: str = "weekend", week_basis=None,
                   decimals=0, additive=None) -> dict:
    """Split n annual totals over quarters, months and ISO-week pieces, exactly per level.

    ``totals`` (n,); ``month_w`` (n, 12) month weights per total; ``week_basis`` (n,) of
    "days"/"workdays" (how a month is spread over its weeks; default days); ``decimals`` (n,)
    or scalar; ``additive`` (n,) bool (False = copy the total to every period).
    Quarters take the sum of their months' weights; months split their quarter; weeks split
    their month — so every level adds up exactly to its parent.

    Returns {"quarter": (n, 4), "month": (n, 12), "week": (n, S), "segments": DataFrame of the
    S week pieces (week_segments of the year)}.
    """
    t = floats(totals, "totals").reshape(-1)
    n = t.size
    mw = floats(month_w, "month weights").reshape(n, 12)
    dec = np.broadcast_to(np.asarray(decimals if decimals is not None else 0), (n,)).astype(np.int64)
    add = np.broadcast_to(np.asarray(True if additive is None else additive, dtype=bool), (n,))
    basis = np.broadcast_to(np.asarray("days" if week_basis is None else week_basis, dtype=object), (n,))
    seg = week_segments(year_int(year), calendar)
    s = len(seg)
    seg_month = seg["month"].to_numpy() - 1
    quarter = np.full((n, 4), np.nan)
    month = np.full((n, 12), np.nan)
    week = np.full((n, s), np.nan)
    # week weights inside each month: (n, 12, S) mask of the month's pieces × days/workdays
    wd = np.where(basis[:, None] == "workdays", seg["workdays"].to_numpy()[None, :],
                  seg["days"].to_numpy()[None, :]).astype(float)
    # a month with no workdays in any piece (impossible in practice) falls back to days
    in_month = seg_month[None, :] == np.arange(12)[:, None]           # (12, S)
    for d in np.unique(dec):                                          # one pass per precision
        rows = add & (dec == d)
        if rows.any():
            r = np.flatnonzero(rows)
            qw = mw[r].reshape(-1, 4, 3).sum(axis=-1)
            quarter[r] = decompose(t[r], qw, int(d))
            qm = mw[r].reshape(-1, 3)
            qm = np.where(qm.sum(axis=1, keepdims=True) > 0, qm, 1.0)   # a quarter with no weight gets 0
            month[r] = decompose(quarter[r].reshape(-1), qm, int(d)).reshape(-1, 12)
            ww = wd[r][:, None, :] * in_month[None, :, :]              # (m, 12, S)
            empty = ww.sum(axis=-1) <= 0
            if empty.any():
                days_w = seg["days"].to_numpy()[None, None, :] * in_month[None, :, :]
                ww = np.where(empty[..., None], days_w, ww)
            parts = decompose(month[r].reshape(-1), ww.reshape(-1, s), int(d)).reshape(len(r), 12, s)
            week[r] = parts.sum(axis=1)                               # each piece in one month only
    copy = ~add
    if copy.any():
        quarter[copy] = t[copy, None]
        month[copy] = t[copy, None]
        week[copy] = t[copy, None]
    return {"quarter": quarter, "month": month, "week": week, "segments": seg}


def owner_split(totals, shares, decimals=0, additive=None) -> np.ndarray:
    """Split n totals across owners by shares (n, k) exactly; non-additive rows are copied."""
    t = floats(totals, "totals").reshape(-1)
    sh = floats(shares, "shares").reshape(t.size, -1)
    dec = np.broadcast_to(np.asarray(decimals if decimals is not None else 0), t.shape).astype(np.int64)
    add = np.broadcast_to(np.asarray(True if additive is None else additive, dtype=bool), t.shape)
    out = np.where(np.isnan(sh), np.nan, t[:, None] * 1.0)
    for d in np.unique(dec):
        rows = add & (dec == d)
        if rows.any():
            out[rows] = decompose(t[rows], np.nan_to_num(sh[rows]), int(d))
            out[rows] = np.where(np.isnan(sh[rows]), np.nan, out[rows])
    return out


def quarter_of_month(month) -> np.ndarray:
    return (np.asarray(month, dtype=np.int64) - 1) // 3 + 1


def frame_split(total, year, method="equal", calendar="weekend", last_year=None, shares=None,
                decimals=0, additive=True) -> pd.DataFrame:
    """One target's calendar split as a long table: level (year/quarter/month/week), period, target."""
    w = split_weights(year, method, calendar, last_year, shares)
    how = SPLIT.code(method, default="equal", arg="method")
    res = calendar_split([total], w.reshape(1, 12), year, calendar,
                         week_basis=["workdays" if how == "workdays" else "days"],
                         decimals=decimals, additive=[bool(additive)])
    seg = res["segments"]
    rows = [pd.DataFrame({"level": "year", "period": [str(year_int(year))], "target": [float(total)]}),
            pd.DataFrame({"level": "quarter", "period": [f"Q{q}" for q in range(1, 5)], "target": res["quarter"][0]}),
            pd.DataFrame({"level": "month", "period": [f"{year_int(year)}-{m:02d}" for m in range(1, 13)],
                          "target": res["month"][0]}),
            pd.DataFrame({"level": "week", "period": (seg["month"].map("{:02d}".format) + "-" + seg["label"]).to_numpy(),
                          "target": res["week"][0]})]
    return pd.concat(rows, ignore_index=True)


def split_table(row_totals, col_totals, decimals: int = 0) -> np.ndarray:
    """A table whose rows add up exactly to ``row_totals`` and columns to ``col_totals``.

    For owners × months: each owner's annual part (row total) spread over the parent's month
    targets (column totals) in proportion, rounded at 10^-decimals so that both every owner's
    months add up to the owner's annual part and every month's owners add up to the parent's
    month. The two totals must have the same sum. Cells start at the floor of the exact
    product share; the missing units are placed one per cell, column by column, in the rows
    with the most units still missing (Gale–Ryser), larger remainders first.
    """
    dec = int(decimals)
    r = floats(row_totals, "row_totals").reshape(-1)
    c = floats(col_totals, "col_totals").reshape(-1)
    scale = 10.0**dec
    ru = np.floor(np.round(np.abs(r) * scale, 6) + 0.5).astype(np.int64) * np.where(r < 0, -1, 1)
    cu = np.floor(np.round(np.abs(c) * scale, 6) + 0.5).astype(np.int64) * np.where(c < 0, -1, 1)
    if ru.sum() != cu.sum():
        raise InputError("row_totals and col_totals must have the same sum")
    if (ru < 0).any() or (cu < 0).any():
        raise InputError("row_totals and col_totals must be ≥ 0")
    total = int(ru.sum())
    if total == 0:
        return np.zeros((r.size, c.size))
    big = float(ru.max()) * float(cu.max()) >= _INT_LIMIT
    rr, cc = (ru.astype(object), cu.astype(object)) if big else (ru, cu)
    exact = rr[:, None] * cc[None, :]
    cells = exact // total
    rem = exact - cells * total
    row_need = (rr - cells.sum(axis=1)).astype(np.int64)
    col_need = (cc - cells.sum(axis=0)).astype(np.int64)
    cells = cells.astype(np.int64) if not big else cells
    rem_f = (rem / total).astype(float) if big else rem.astype(float)
    for j in np.argsort(-col_need, kind="stable"):         # one pass per column (12 months)
        k = int(col_need[j])
        if k <= 0:
            continue
        # most units still missing first, then the larger remainder, then the earlier row
        order = np.lexsort((np.arange(r.size), -rem_f[:, j], -row_need))
        pick = order[:k]
        if (row_need[pick] <= 0).any():
            raise InputError("row_totals and col_totals cannot be matched")   # not reachable
        cells[pick, j] += 1
        row_need[pick] -= 1
    out = cells.astype(float)
    return out / 10**dec if dec >= 0 else out * 10**(-dec)
