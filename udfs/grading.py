"""SPEC §3.2 — grade bands, quotas (largest remainder), forced and capped grading."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .policy import DEFAULT, GRADE_LABELS, GRADES, GRADING_ALIASES, Policy, canonical
from .scoring import as_float

_GRADES = np.array(GRADES, dtype=object)


def score_errors(scores, policy: Policy = DEFAULT) -> np.ndarray:
    s = as_float(scores)
    return np.where((s < policy.total_min) | (s > policy.total_max),
                    f"score must be {policy.total_min:g}–{policy.total_max:g}", "")


def band_index(scores, policy: Policy = DEFAULT) -> np.ndarray:
    """0…4 for A…E; -1 for blank. Edges belong to the upper grade, except e_max which is E."""
    s = as_float(scores)
    idx = np.select(
        [s >= policy.a_min, s >= policy.b_min, s >= policy.c_min, s > policy.e_max],
        [0, 1, 2, 3], 4)
    return np.where(np.isnan(s), -1, idx)


def band_grade(scores, policy: Policy = DEFAULT) -> np.ndarray:
    return _letters(band_index(scores, policy))


def _letters(idx) -> np.ndarray:
    idx = np.asarray(idx)
    return np.where(idx >= 0, _GRADES[np.clip(idx, 0, 4)], "").astype(object)


def grade_label(grades) -> np.ndarray:
    g = pd.Series(np.asarray(grades, dtype=object).ravel(), dtype=object)
    return g.map(GRADE_LABELS).fillna("").to_numpy(dtype=object).reshape(np.shape(grades))


def grade_index(grades) -> np.ndarray:
    """'A'…'E' (or 杰出…不胜任) → 0…4; anything else → -1."""
    lookup = {g: i for i, g in enumerate(GRADES)}
    lookup.update({label: i for i, label in enumerate(GRADE_LABELS[g] for g in GRADES)})
    g = pd.Series(np.asarray(grades, dtype=object).ravel(), dtype=object)
    key = g.where(g.isna(), g.astype(str).str.strip().str.upper())
    key = key.where(key.isin(list(lookup)), g.astype(str).str.strip())
    return key.map(lookup).fillna(-1).astype(int).to_numpy().reshape(np.shape(grades))


def quota_counts(n, quotas=DEFAULT.quotas) -> np.ndarray:
    """Counts per grade for n people: shares × n by the largest-remainder method.

    The counts add up to exactly n; equal remainders go to the earlier grade (A before E).
    Works on an array of n (result shape n.shape + (5,)).
    """
    n_arr = np.asarray(n)
    q = np.asarray(quotas, dtype=float)
    if q.shape != (5,) or (q < 0).any() or abs(q.sum() - 1) > 1e-6:
        raise ValueError("quotas must be five shares ≥ 0 adding up to 100%")
    if (n_arr < 0).any() or (np.asarray(n_arr, dtype=float) % 1 != 0).any():
        raise ValueError("n must be a whole number ≥ 0")
    n_int = n_arr.astype(np.int64)[..., None]
    # exact arithmetic: shares to 1e-9, products in integer units
    units = 10**9
    q_units = np.round(q * units).astype(np.int64)
    q_units[-1] += units - q_units.sum()           # absorb rounding so shares sum to 1 exactly
    exact = n_int * q_units                          # in 1e-9 people
    base = exact // units
    rem = exact % units
    short = (n_int[..., 0] - base.sum(axis=-1))
    # rank remainders descending, stable (earlier grade wins ties)
    order = np.argsort(-rem, axis=-1, kind="stable")
    ranks = np.argsort(order, axis=-1, kind="stable")
    return base + (ranks < short[..., None]).astype(np.int64)


def final_grades(scores, policy: Policy = DEFAULT, how: str | None = None, groups=None,
                 quotas=None) -> np.ndarray:
    """Final grades under a grading policy, within evaluation groups.

    how: 'bands' | 'forced' | 'capped' (aliases allowed; default policy.grading).
    groups: labels of the evaluation group per person (None: one group).
    NaN scores get '' and are not counted in N.
    """
    how = canonical(how or policy.grading, GRADING_ALIASES, "policy")
    quotas = policy.quotas if quotas is None else quotas
    s = as_float(scores).ravel()
    shape = np.shape(scores)
    band = band_index(s, policy)
    if how == "bands" or s.size == 0:
        return _letters(band).reshape(shape)
    frame = pd.DataFrame({"s": s, "g": 0 if groups is None else np.asarray(groups, dtype=object).ravel()})
    frame["g"] = frame["g"].fillna("")
    valid = ~np.isnan(s)
    frame[valid].groupby("g")["s"].transform("size")
    counts = pd.Series(list(quota_counts(frame[valid].groupby("g").size().to_numpy(), quotas)),
                       index=frame[valid].groupby("g").size().index)
    cum = np.stack(frame.loc[valid, "g"].map(counts).to_numpy()).cumsum(axis=1) if valid.any() else np.zeros((0, 5))
    result = band.copy()
    if not valid.any():
        return _letters(result).reshape(shape)
    sub = frame[valid]
    if how == "forced":
        # rank with ties sharing the best position (0-based); grade = first quota slot containing it
        pos = sub.groupby("g")["s"].rank(method="min", ascending=False).to_numpy() - 1
        idx = (pos[:, None] >= cum).sum(axis=1)
        result[valid] = np.minimum(idx, 4)
    else:  # capped: A and B limited to their quotas, surplus drops one grade, cascading
        quota = np.diff(np.concatenate([np.zeros((len(cum), 1)), cum], axis=1), axis=1)
        cur = band[valid].copy()
        for g_idx in (0, 1):                         # A then B (D and E never forced)
            member = cur == g_idx
            if not member.any():
                continue
            tmp = pd.DataFrame({"s": np.where(member, sub["s"].to_numpy(), np.nan), "g": sub["g"].to_numpy()})
            pos = tmp.groupby("g")["s"].rank(method="min", ascending=False).to_numpy() - 1
            drop = member & (pos >= quota[:, g_idx])
            cur = np.where(drop, g_idx + 1, cur)
        result[valid] = cur
    return _letters(result).reshape(shape)
