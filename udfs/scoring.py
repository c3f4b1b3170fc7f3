"""SPEC §3.1 — item scores, rated items, totals. Vectorised over numpy/pandas."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .policy import DEFAULT, DIRECTION_ALIASES, Policy, canonical_array



def parse_floats(x) -> tuple[np.ndarray, np.ndarray]:
    """Numbers as a float array plus a mask of cells holding non-numeric text.

    None, "" and NaN are blanks (NaN, not flagged); booleans are not numbers.
    """
    arr = x if isinstance(x, np.ndarray) else np.asarray(x, dtype=object)
    if arr.dtype.kind in "fiu":
        return arr.astype(float), np.zeros(arr.shape, dtype=bool)
    s = pd.Series(arr.ravel(), dtype=object)
    num = pd.to_numeric(s.where(~s.map(type).eq(bool)), errors="coerce")
    blank = s.isna() | s.astype(str).str.strip().eq("")
    bad = (num.isna() & ~blank).to_numpy()
    return num.to_numpy(dtype=float).reshape(arr.shape), bad.reshape(arr.shape)


def as_float(x) -> np.ndarray:
    """Numbers as a float array; None/"" → NaN. Non-numeric text raises ValueError."""
    values, bad = parse_floats(x)
    if bad.any():
        raise ValueError("not a number")
    return values


def canonical_directions(direction) -> np.ndarray:
    """Direction names or Chinese aliases → canonical names (object array); blank → 'higher'."""
    return canonical_array(direction, DIRECTION_ALIASES, "direction", default="higher")


def normalize_weight(weight) -> np.ndarray:
    """Weights as fractions: a weight > 1 is points (60 → 0.6)."""
    w = as_float(weight)
    return np.where(w > 1, w / 100.0, w)


def kpi_errors(actual, target, weight=1.0, direction="higher") -> np.ndarray:
    """Per-element problems of KPI inputs ('' where fine), broadcast to one shape."""
    a, t, w = np.broadcast_arrays(as_float(actual), as_float(target), normalize_weight(weight))
    d = np.broadcast_to(canonical_directions(direction), a.shape)
    ratio_kind = np.isin(d, ["higher", "lower", "lower_linear"])
    msg = np.full(a.shape, "", dtype=object)
    msg = np.where(w < 0, "weight must be ≥ 0", msg)
    msg = np.where(ratio_kind & (t <= 0), "target must be > 0", msg)
    msg = np.where((d == "lower") & (a < 0), "actual must be ≥ 0", msg)
    return msg


def item_ratio(actual, target, direction="higher", cap=DEFAULT.ratio_cap) -> np.ndarray:
    """Achievement ratio by direction, clipped to [0, cap] (SPEC §3.1 table)."""
    a, t = np.broadcast_arrays(as_float(actual), as_float(target))
    d = np.broadcast_to(canonical_directions(direction), a.shape)
    cap = np.broadcast_to(as_float(cap), a.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        higher = a / t
        lower = np.where(a == 0, cap, t / a)
        linear = 2.0 - a / t
    ratio = np.select(
        [d == "higher", d == "lower", d == "lower_linear", d == "min", d == "max"],
        [higher, lower, linear, (a >= t).astype(float), (a <= t).astype(float)],
        np.nan,
    )
    ratio = np.where(np.isnan(a) | np.isnan(t), np.nan, ratio)
    return np.clip(ratio, 0.0, cap)


def item_score(actual, target, weight, direction="higher", cap=DEFAULT.ratio_cap) -> np.ndarray:
    """Item points = 100 × weight × clip(ratio, 0, cap)."""
    return 100.0 * normalize_weight(weight) * item_ratio(actual, target, direction, cap)


def combine_ratings(self_=np.nan, manager=np.nan, peer=np.nan, policy: Policy = DEFAULT) -> np.ndarray:
    """Combined rating of a rated item (fractions of full marks, 0–rating_max).

    The policy blend (default: the manager's rating only — 结果以复评结果为准) is applied
    over the ratings present; when a blended rating is missing its share goes to the
    others, so a missing 360° does not pull the score down. No rating at all → NaN.
    Ratings typed as percent points (85) are read as 85%.
    """
    r = np.stack(np.broadcast_arrays(rating_fraction(self_), rating_fraction(manager), rating_fraction(peer)))
    shares = np.array([policy.rating_self, policy.rating_manager, policy.rating_peer], dtype=float)
    shares = shares.reshape((3,) + (1,) * (r.ndim - 1))
    present = ~np.isnan(r)
    used = np.where(present, shares, 0.0)
    total_share = used.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        blended = np.where(present, r, 0.0).__mul__(used).sum(axis=0) / total_share
    # a blend that gives no share to any present rating (e.g. only a self rating under the
    # manager-only rule) is not a score yet
    blended = np.where(total_share > 0, blended, np.nan)
    return np.clip(blended, 0.0, policy.rating_max)


def rating_fraction(x) -> np.ndarray:
    """Ratings as fractions of full marks: typed as points (85) or fractions (0.85)."""
    r = as_float(x)
    return np.where(r > 2, r / 100.0, r)


def score_items(items: pd.DataFrame, policy: Policy = DEFAULT) -> pd.DataFrame:
    """Score a table of scorecard items.

    Input columns: employee_id, kind ('kpi' | 'rated'), weight, target, actual, direction,
    rating_self, rating_manager, rating_peer (missing columns count as blank).
    Adds: weight (fraction), direction (canonical), rating, ratio, score, shortfall.
    """
    out = items.copy()
    n = len(out)
    col = lambda name: out[name].to_numpy() if name in out else np.full(n, np.nan)
    kind = out["kind"].astype(str).to_numpy() if "kind" in out else np.full(n, "kpi", dtype=object)
    rated = kind == "rated"
    out["weight"] = normalize_weight(col("weight"))
    out["direction"] = canonical_directions(out["direction"].to_numpy() if "direction" in out else np.full(n, "higher", dtype=object))
    rating = combine_ratings(col("rating_self"), col("rating_manager"), col("rating_peer"), policy)
    kpi_ratio = item_ratio(col("actual"), col("target"), out["direction"].to_numpy(), policy.ratio_cap)
    out["rating"] = np.where(rated, rating, np.nan)
    out["ratio"] = np.where(rated, rating, kpi_ratio)
    out["score"] = 100.0 * out["weight"].to_numpy() * out["ratio"].to_numpy()
    out["shortfall"] = 1.0 - out["ratio"]
    return out


def total_score(item_points, adjustment=0.0, veto=False, policy: Policy = DEFAULT) -> np.ndarray:
    """Σ item points + adjustments clipped to [total_min, total_max]; a veto caps at veto_cap."""
    total = np.clip(as_float(item_points) + np.nan_to_num(as_float(adjustment)), policy.total_min, policy.total_max)
    return np.where(np.asarray(veto, dtype=bool), np.minimum(total, policy.veto_cap), total)


def score_totals(scored: pd.DataFrame, adjustments: pd.DataFrame | None = None, policy: Policy = DEFAULT) -> pd.DataFrame:
    """One row per employee: items, weight_sum (points), items_score, adjustment, veto, total, problems.

    A scorecard whose weights do not sum to 100 (± tolerance) or with an item count outside
    [items_min, items_max] gets a text in `problems`; the total is still computed from the
    items as they are (the border decides whether a weight error stops the run).
    An item without a score (blank actual or rating) leaves the total blank.
    """
    g = scored.groupby("employee_id", sort=False)
    per = pd.DataFrame({
        "items": g.size(),
        "weight_sum": g["weight"].sum() * 100.0,
        "items_score": g["score"].sum(min_count=1),
        "missing": scored["score"].isna().groupby(scored["employee_id"], sort=False).sum(),
    })
    if adjustments is not None and len(adjustments):
        adj = adjustments.assign(veto=adjustments.get("veto", False)).groupby("employee_id", sort=False).agg(
            adjustment=("points", lambda s: pd.to_numeric(s, errors="coerce").fillna(0).sum()),
            veto=("veto", "any"))
        per = per.join(adj, how="left")
    else:
        per["adjustment"], per["veto"] = 0.0, False
    per["adjustment"] = per["adjustment"].fillna(0.0).astype(float)
    per["veto"] = per["veto"].fillna(False).astype(bool)
    total = total_score(per["items_score"].to_numpy(), per["adjustment"].to_numpy(), per["veto"].to_numpy(), policy)
    per["total"] = np.where(per["missing"].to_numpy() > 0, np.nan, total)
    off = (per["weight_sum"] - 100.0).abs() > policy.weight_tolerance
    few = per["items"] < policy.items_min
    many = per["items"] > policy.items_max
    problems = np.where(off, "权重合计 " + per["weight_sum"].round(1).astype(str) + "%，应为100%", "")
    count_msg = np.where(few | many, "考核项 " + per["items"].astype(str) + f" 个，应为{policy.items_min}–{policy.items_max}个", "")
    per["problems"] = pd.Series(problems, index=per.index).str.cat(pd.Series(count_msg, index=per.index), sep="；").str.strip("；")
    return per.drop(columns="missing")


def weight_errors(weights, policy: Policy = DEFAULT, axis=-1) -> np.ndarray:
    """For KPI_TOTAL: '' where a card's weights sum to 100 ± tolerance, else the message."""
    w = normalize_weight(weights)
    s = np.nansum(w, axis=axis) * 100.0
    return np.where(np.abs(s - 100.0) > policy.weight_tolerance,
                    np.char.add("weights must sum to 100% (got ", np.char.add(np.round(s, 1).astype(str), "%)")), "")
