"""SPEC §3.2 — grade bands, quotas (largest remainder), forced and capped grading."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .parse import factorize, floats
from .vocab import EVAL_GROUP, GRADE, GRADES, GRADING, GROUP_SCOPE, InputError, setting

_LETTERS = np.array(GRADES, dtype=object)


@dataclass(frozen=True)
class GradingRules:
    a_min: float = setting(120.0, "A级下限", "A 杰出：120 ≤ 分数 ≤ 130")
    b_min: float = setting(105.0, "B级下限", "B 优秀：105 ≤ 分数 < 120")
    c_min: float = setting(90.0, "C级下限", "C 良好：90 ≤ 分数 < 105")
    e_max: float = setting(70.0, "E级上限", "E 不胜任：分数 ≤ 70（70分为E）")
    quotas: tuple = setting((0.05, 0.20, 0.60, 0.10, 0.05), "等级比例A/B/C/D/E",
                            "等级比例指导：A 5%、B 20%、C 60%、D 10%、E 5%", "shares")
    grading: str = setting("capped", "等级评定方式", "分数段 / 强制分布 / 限额（A、B不超过比例，超出者降一级）",
                           vocab=GRADING)
    eval_group: str = setting("store", "评定范围", "全店 / 按部门：强制分布或限额在哪个范围内计算",
                              vocab=EVAL_GROUP)
    bottom_list: bool = setting(False, "末位名单", "是否在月度报告和年度总结中列出各评定范围内得分末位的员工"
                                "（末位淘汰 [002 篇6]；默认 否）")
    bottom_share: float = setting(0.05, "末位比例", "各评定范围内列入末位名单的人数比例（人数 × 比例四舍五入，"
                                  "与最后一名同分者一并列入）", "share")

    def _checks(self):
        q = self.quotas
        if len(q) != 5 or any(x < 0 for x in q):
            yield ("quotas",), "应为 A…E 五个不小于0的比例"
        elif abs(sum(q) - 1) > 1e-6:
            yield ("quotas",), f"合计应为100%（现为{sum(q):.1%}）"
        if not self.e_max < self.c_min < self.b_min < self.a_min:
            yield ("a_min", "b_min", "c_min", "e_max"), "分数段应依次升高（E上限 < C下限 < B下限 < A下限）"
        if not 0 < self.bottom_share <= 0.5:
            yield ("bottom_share",), "应在 0–50% 之间（不含0）"


RULES = GradingRules()


def score_errors(scores, low: float = 0.0, high: float = 130.0) -> np.ndarray:
    s = floats(scores, "score")
    return np.where((s < low) | (s > high), f"score must be {low:g}–{high:g}", "")


def band_index(scores, policy: GradingRules = RULES) -> np.ndarray:
    """0…4 for A…E; -1 for blank. Edges belong to the upper grade, except e_max which is E."""
    s = floats(scores, "score")
    idx = np.select([s >= policy.a_min, s >= policy.b_min, s >= policy.c_min, s > policy.e_max],
                    [0, 1, 2, 3], 4)
    return np.where(np.isnan(s), -1, idx)


def letters(idx) -> np.ndarray:
    idx = np.asarray(idx)
    return np.where(idx >= 0, _LETTERS[np.clip(idx, 0, 4)], "").astype(object)


def band_grade(scores, policy: GradingRules = RULES) -> np.ndarray:
    return letters(band_index(scores, policy))


def grade_index(grades) -> np.ndarray:
    """'A'…'E' (or 杰出…不胜任, any case) → 0…4; blank or anything else → -1."""
    codes, _ = GRADE.codes_of(grades)
    order = {g: i for i, g in enumerate(GRADES)}
    flat = pd.Series(np.asarray(codes, dtype=object).ravel(), dtype=object)
    out = flat.map(order).fillna(-1).to_numpy(dtype=np.int64)
    return out.reshape(np.shape(codes))


def quota_counts(n, quotas=RULES.quotas) -> np.ndarray:
    """Counts per grade for n people: shares × n by the largest-remainder method.

    The counts add up to exactly n; equal remainders go to the earlier grade (A before E).
    Works on an array of n (result shape n.shape + (5,)). Exact integer arithmetic for any n
    up to 10^9 (shares to 1e-9).
    """
    n_arr = np.asarray(n, dtype=float)
    q = np.asarray(quotas, dtype=float)
    if q.shape != (5,) or (q < 0).any() or abs(q.sum() - 1) > 1e-6:
        raise InputError("quotas must be five shares ≥ 0 adding up to 100%")
    if (n_arr < 0).any() or (n_arr % 1 != 0).any() or (n_arr > 1e9).any():
        raise InputError("n must be a whole number 0–1,000,000,000")
    n_int = n_arr.astype(np.int64)[..., None]
    units = 10**9
    q_units = np.round(q * units).astype(np.int64)
    q_units[-1] += units - q_units.sum()           # shares sum to 1 exactly
    exact = n_int * q_units                          # in 1e-9 people (≤ 1e18: fits int64)
    base = exact // units
    rem = exact % units
    short = n_int[..., 0] - base.sum(axis=-1)
    order = np.argsort(-rem, axis=-1, kind="stable")  # larger remainder first, earlier grade on ties
    ranks = np.argsort(order, axis=-1, kind="stable")
    return base + (ranks < short[..., None]).astype(np.int64)


def rank_in_groups(scores: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """0-based place of each score within its group, highest first; equal scores share the
    best place (pandas' rank(method="min", ascending=False) − 1). NaN scores: NaN."""
    s = np.asarray(scores, dtype=float)
    out = np.full(len(s), np.nan)
    idx = np.flatnonzero(~np.isnan(s))
    if not idx.size:
        return out
    order = idx[np.lexsort((-s[idx], groups[idx]))]          # by group, then score descending
    gs, ss = groups[order], s[order]
    at = np.arange(len(order))
    new_group = np.r_[True, gs[1:] != gs[:-1]]
    new_score = new_group | np.r_[True, ss[1:] != ss[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, at, 0))
    tie_start = np.maximum.accumulate(np.where(new_score, at, 0))
    out[order] = tie_start - group_start
    return out


def final_grades(scores, policy: GradingRules = RULES, how: str | None = None, groups=None,
                 quotas=None) -> np.ndarray:
    """Final grades under a grading policy, within evaluation groups.

    how: 'bands' | 'forced' | 'capped' (aliases allowed; default policy.grading).
    groups: labels of the evaluation group per person (None: one group).
    NaN scores get '' and are not counted in N.
    """
    how = GRADING.code(how or policy.grading)
    quotas = policy.quotas if quotas is None else quotas
    s = floats(scores, "score").ravel()
    shape = np.shape(scores)
    band = band_index(s, policy)
    valid = ~np.isnan(s)
    if how == "bands" or not valid.any():
        return letters(band).reshape(shape)
    g = np.zeros(len(s), dtype=np.int64) if groups is None else \
        factorize(pd.Series(np.asarray(groups, dtype=object).ravel(), dtype=object).fillna("").to_numpy())[0]
    sv, gv = s[valid], g[valid]
    sizes = np.bincount(gv)[gv]
    cum = quota_counts(sizes, quotas).cumsum(axis=1)              # per person: their group's quotas
    result = band.copy()
    if how == "forced":
        # rank with ties sharing the best position (0-based); grade = first quota slot containing it
        pos = rank_in_groups(sv, gv)
        result[valid] = np.minimum((pos[:, None] >= cum).sum(axis=1), 4)
    else:  # capped: A and B limited to their quotas, surplus drops one grade, cascading
        quota = np.diff(np.concatenate([np.zeros((len(cum), 1)), cum], axis=1), axis=1)
        cur = band[valid].copy()
        for g_idx in (0, 1):                       # A then B (D and E are never forced)
            member = cur == g_idx
            if not member.any():
                continue
            pos = rank_in_groups(np.where(member, sv, np.nan), gv)
            cur = np.where(member & (pos >= quota[:, g_idx]), g_idx + 1, cur)
        result[valid] = cur
    return letters(result).reshape(shape)


def bottom_count(n, share: float = RULES.bottom_share) -> np.ndarray:
    """How many of n graded people the bottom-ranking list takes: n × share rounded half-up."""
    n_arr = np.asarray(n, dtype=float)
    return np.floor(n_arr * float(share) + 0.5 + 1e-9).astype(np.int64)


def bottom_ranks(scores, groups=None, share: float = RULES.bottom_share) -> tuple[np.ndarray, np.ndarray]:
    """The bottom-ranking list (末位名单, SPEC §9) within evaluation groups.

    Returns (listed, rank): ``listed`` marks the lowest ``bottom_count(group size)`` scores of
    each group, together with everyone tied with the last of them; ``rank`` is the position
    from the bottom (1 = lowest; ties share the lowest position). Blank scores are not
    ranked and never listed. Only a list: what follows is HR's decision (and the law's).
    """
    s = floats(scores, "score").ravel()
    g = np.zeros(len(s), dtype=np.int64) if groups is None else \
        pd.factorize(pd.Series(np.asarray(groups, dtype=object).ravel(), dtype=object).fillna(""))[0]
    valid = ~np.isnan(s)
    listed = np.zeros(len(s), dtype=bool)
    rank = np.full(len(s), np.nan)
    if not valid.any():
        return listed, rank
    sub = pd.DataFrame({"s": s[valid], "g": g[valid]})
    r = sub.groupby("g")["s"].rank(method="min", ascending=True).to_numpy()
    k = bottom_count(sub.groupby("g")["s"].transform("size").to_numpy(), share)
    listed[valid] = r <= k
    rank[valid] = r
    return listed, rank
# --------------------------------------------------------------------------- SPEC §8: the dealer group
@dataclass(frozen=True)
class GroupRules:
    """The group workbook's own grading setting (its 设置 sheet also takes the GradingRules above:
    bands, quotas and method of the group-level grading)."""

    group_scope: str = setting("off", "集团统一评定",
                               "不启用 / 全集团 / 按部门：在门店等级之外，按集团范围再评一次等级并列出差异（方式、比例同上）",
                               vocab=GROUP_SCOPE)


def over_quota(counts, quotas=RULES.quotas) -> tuple[np.ndarray, np.ndarray]:
    """Which evaluation groups break the grade guideline at the top (SPEC §3.2, §8).

    counts: (k, 5) graded people per grade A…E of each group. A group breaks the guideline when
    it has more A than the A quota, or more A and B together than the A and B quotas together —
    the limit capped grading enforces (quotas by :func:`quota_counts` of the group's size).
    Returns (the guideline counts (k, 5), a bool per group).
    """
    c = np.asarray(counts, dtype=np.int64).reshape(-1, 5)
    guide = quota_counts(c.sum(axis=1), quotas) if len(c) else np.zeros((0, 5), dtype=np.int64)
    over = (c[:, 0] > guide[:, 0]) | (c[:, 0] + c[:, 1] > guide[:, 0] + guide[:, 1])
    return guide, over
