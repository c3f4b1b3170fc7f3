"""SPEC §3.1 — scorecards: item scores by direction, rated items, totals. Vectorised.

The policy numbers of this section are :class:`ScoringRules` (defaults from SPEC, each with
its 设置-sheet label); :class:`udfs.policy.Policy` combines every section's rules.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .parse import factorize, first_positions, floats, round_half_up
from .vocab import DIRECTION, setting


@dataclass(frozen=True)
class ScoringRules:
    ratio_cap: float = setting(1.3, "单项得分上限(完成率)", "单项完成率封顶（130%）", "ratio")
    total_min: float = setting(0.0, "总分下限")
    total_max: float = setting(130.0, "总分上限")
    veto_cap: float = setting(70.0, "否决项总分上限", "有否决项时总分最高70分（E级）")
    weight_tolerance: float = setting(0.5, "权重合计容差(分)", "权重合计允许偏离100%的分数")
    items_min: int = setting(3, "考核项最少")
    items_max: int = setting(8, "考核项最多")
    rating_self: float = setting(0.0, "评分权重-自评", "评分项的综合评分 = 三者加权；默认以直接上级评分为准", "share")
    rating_manager: float = setting(1.0, "评分权重-直接上级", "", "share")
    rating_peer: float = setting(0.0, "评分权重-360°", "", "share")
    rating_max: float = setting(1.3, "评分上限", "评分按满分的百分比，最高130%", "ratio")
    score_decimals: int = setting(2, "总分小数位", "总分只在此精度取整一次；排名、等级、工资、历史都用这个分数")

    def _checks(self):
        blend = self.rating_self + self.rating_manager + self.rating_peer
        if abs(blend - 1) > 1e-6:
            yield ("rating_self", "rating_manager", "rating_peer"), f"三项合计应为100%（现为{blend:.0%}）"
        if min(self.rating_self, self.rating_manager, self.rating_peer) < 0:
            yield ("rating_self", "rating_manager", "rating_peer"), "不能为负数"
        if self.ratio_cap <= 0 or self.rating_max <= 0:
            yield ("ratio_cap", "rating_max"), "应大于0"
        if not self.total_min < self.veto_cap <= self.total_max:
            yield ("total_min", "veto_cap", "total_max"), "应满足 总分下限 < 否决项上限 ≤ 总分上限"
        if not 1 <= self.items_min <= self.items_max:
            yield ("items_min", "items_max"), "应满足 1 ≤ 最少 ≤ 最多"
        if not 0 <= self.score_decimals <= 4:
            yield ("score_decimals",), "应为 0–4"
        if self.weight_tolerance < 0:
            yield ("weight_tolerance",), "不能为负数"


RULES = ScoringRules()


def directions(direction) -> np.ndarray:
    """Direction names or Chinese aliases → codes; blank → 'higher'; unknown raises VocabError."""
    codes, bad = DIRECTION.codes_of(direction, default="higher")
    if bad.any():
        DIRECTION.code(np.asarray(direction, dtype=object).ravel()[np.flatnonzero(bad.ravel())[0]])
    return codes


def normalize_weight(weight) -> np.ndarray:
    """Weights as fractions: a weight > 1 is points (60 → 0.6)."""
    w = floats(weight, "weight")
    return np.where(w > 1, w / 100.0, w)


def weight_check(weight_sums, policy: ScoringRules = RULES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The one 'weights sum to 100%' rule: (off mask, English cell text, Chinese text).

    weight_sums are per-card sums in points (100 = 100%); tolerance ± policy.weight_tolerance.
    """
    s = np.asarray(weight_sums, dtype=float)
    off = np.abs(s - 100.0) > policy.weight_tolerance
    got = np.round(s, 1).astype(str)
    en = np.where(off, np.char.add(np.char.add("weights must sum to 100% (got ", got), "%)"), "")
    zh = np.where(off, np.char.add(np.char.add("权重合计 ", got), "%，应为100%"), "")
    return off, en.astype(object), zh.astype(object)


def kpi_errors(actual, target, weight=1.0, direction="higher") -> np.ndarray:
    """Per-element problems of KPI inputs ('' where fine), broadcast to one shape."""
    a, t, w = np.broadcast_arrays(floats(actual, "actual"), floats(target, "target"), normalize_weight(weight))
    d = np.broadcast_to(directions(direction), a.shape)
    ratio_kind = np.isin(d, ["higher", "lower", "lower_linear"])
    msg = np.full(a.shape, "", dtype=object)
    msg = np.where(w < 0, "weight must be ≥ 0", msg)
    msg = np.where(w > 1, "weight must be ≤ 100%", msg)
    msg = np.where(ratio_kind & (t <= 0), "target must be > 0", msg)
    msg = np.where((d == "lower") & (a < 0), "actual must be ≥ 0", msg)
    return msg


def item_ratio(actual, target, direction="higher", cap=RULES.ratio_cap) -> np.ndarray:
    """Achievement ratio by direction, clipped to [0, cap] (SPEC §3.1 table)."""
    a, t = np.broadcast_arrays(floats(actual, "actual"), floats(target, "target"))
    d = np.broadcast_to(directions(direction), a.shape)
    cap = np.broadcast_to(floats(cap, "cap"), a.shape)
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
    return np.clip(ratio, 0.0, cap)                  # an infinite ratio (a tiny actual) is capped


def item_score(actual, target, weight, direction="higher", cap=RULES.ratio_cap) -> np.ndarray:
    """Item points = 100 × weight × clip(ratio, 0, cap)."""
    return 100.0 * normalize_weight(weight) * item_ratio(actual, target, direction, cap)


def rating_fraction(x) -> np.ndarray:
    """Ratings as fractions of full marks: typed as points (85) or fractions (0.85)."""
    r = floats(x, "rating")
    return np.where(r > 2, r / 100.0, r)


def combine_ratings(self_=np.nan, manager=np.nan, peer=np.nan, policy: ScoringRules = RULES) -> np.ndarray:
    """Combined rating of a rated item (fractions of full marks, 0–rating_max).

    The policy blend (default: the manager's rating only — 结果以复评结果为准) is applied over
    the ratings present; a missing rating's share goes to the others, so a missing 360° does
    not pull the score down. No rating with a share → NaN (not a score yet).
    """
    r = np.stack(np.broadcast_arrays(rating_fraction(self_), rating_fraction(manager), rating_fraction(peer)))
    shares = np.array([policy.rating_self, policy.rating_manager, policy.rating_peer], dtype=float)
    shares = shares.reshape((3,) + (1,) * (r.ndim - 1))
    present = ~np.isnan(r)
    used = np.where(present, shares, 0.0)
    total_share = used.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        blended = (np.where(present, r, 0.0) * used).sum(axis=0) / total_share
    blended = np.where(total_share > 0, blended, np.nan)
    return np.clip(blended, 0.0, policy.rating_max)


def score_items(items: pd.DataFrame, policy: ScoringRules = RULES) -> pd.DataFrame:
    """Score a table of scorecard items.

    Input columns: employee_id, kind ('kpi' | 'rated'), weight, target, actual, direction,
    rating_self, rating_manager, rating_peer (missing columns count as blank).
    Adds: weight (fraction), direction (code), rating, ratio, score, shortfall.
    """
    out = items.copy()
    n = len(out)

    def col(name):
        return out[name].to_numpy() if name in out else np.full(n, np.nan)
    rated = (out["kind"].to_numpy() == "rated") if "kind" in out else np.zeros(n, dtype=bool)
    out["weight"] = normalize_weight(col("weight"))
    out["direction"] = directions(out["direction"].to_numpy() if "direction" in out else np.full(n, None))
    rating = combine_ratings(col("rating_self"), col("rating_manager"), col("rating_peer"), policy)
    kpi_ratio = item_ratio(col("actual"), col("target"), out["direction"].to_numpy(), policy.ratio_cap)
    out["rating"] = np.where(rated, rating, np.nan)
    out["ratio"] = np.where(rated, rating, kpi_ratio)
    out["score"] = 100.0 * out["weight"].to_numpy() * out["ratio"].to_numpy()
    out["shortfall"] = 1.0 - out["ratio"]
    return out


def total_score(item_points, adjustment=0.0, veto=False, policy: ScoringRules = RULES) -> np.ndarray:
    """Σ item points + adjustments, clipped to [total_min, total_max], rounded half-up once at
    policy.score_decimals; a veto caps it at veto_cap. The result is *the* score: ranking,
    grades, pay, history and documents all use this number."""
    raw = floats(item_points, "score") + np.nan_to_num(floats(adjustment, "adjustment"))
    total = round_half_up(np.clip(raw, policy.total_min, policy.total_max), policy.score_decimals)
    return np.where(np.asarray(veto, dtype=bool), np.minimum(total, policy.veto_cap), total)


def score_totals(scored: pd.DataFrame, adjustments: pd.DataFrame | None = None,
                 policy: ScoringRules = RULES) -> pd.DataFrame:
    """One row per employee: items, weight_sum (points), items_score, adjustment, veto, total,
    problems (a tuple of Chinese texts: weights off 100%, item count outside [items_min, items_max]).

    The total is computed from the items as they are (the border decides whether a weight
    error stops the run); an item without a score (blank actual or rating) leaves it blank.
    """
    code, ids = factorize(scored["employee_id"].to_numpy())
    ok = code >= 0
    code, n = code[ok], len(ids)
    score = scored["score"].to_numpy(dtype=float)[ok]
    weight = scored["weight"].to_numpy(dtype=float)[ok]
    blank = np.isnan(score)
    count = np.bincount(code, minlength=n)
    scored_n = np.bincount(code[~blank], minlength=n)
    items_score = np.bincount(code[~blank], weights=score[~blank], minlength=n)
    per = pd.DataFrame({
        "items": count,
        "weight_sum": np.bincount(code[~np.isnan(weight)], weights=weight[~np.isnan(weight)], minlength=n) * 100.0,
        "items_score": np.where(scored_n > 0, items_score, np.nan),
        "missing": count - scored_n,
    }, index=pd.Index(ids, name="employee_id"))
    if adjustments is not None and len(adjustments):
        points = pd.to_numeric(adjustments["points"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        veto = adjustments["veto"].to_numpy(dtype=bool) if "veto" in adjustments else np.zeros(len(points), bool)
        at = first_positions((np.asarray(ids, dtype=object),), (adjustments["employee_id"].to_numpy(dtype=object),))
        mine = at >= 0
        per["adjustment"] = np.bincount(at[mine], weights=points[mine], minlength=n)
        per["veto"] = np.bincount(at[mine], weights=veto[mine], minlength=n) > 0
    else:
        per["adjustment"], per["veto"] = 0.0, False
    per["adjustment"] = per["adjustment"].fillna(0.0).astype(float)
    per["veto"] = per["veto"].fillna(False).astype(bool)
    total = total_score(per["items_score"].to_numpy(), per["adjustment"].to_numpy(), per["veto"].to_numpy(), policy)
    per["total"] = np.where(per["missing"].to_numpy() > 0, np.nan, total)
    _, _, weight_msg = weight_check(per["weight_sum"].to_numpy(), policy)
    count = per["items"].to_numpy()
    count_msg = np.where((count < policy.items_min) | (count > policy.items_max),
                         np.char.add(np.char.add("考核项 ", count.astype(str)),
                                     f" 个，应为{policy.items_min}–{policy.items_max}个"), "")
    per["problems"] = [tuple(m for m in pair if m) for pair in zip(weight_msg, count_msg)]
    return per.drop(columns="missing")


def appealed_totals(total, changed, policy: ScoringRules = RULES) -> np.ndarray:
    """The score of record after appeals [000 §6, SPEC §9]: an accepted appeal's changed score
    (rounded like every total, at policy.score_decimals) replaces the computed total; where no
    appeal was accepted (NaN) the computed total stands. Grades, pay, history and the
    consequences are then derived from this score, like from any other."""
    t, c = np.broadcast_arrays(floats(total, "score"), floats(changed, "changed"))
    return np.where(np.isnan(c), t, round_half_up(c, policy.score_decimals))


def appeal_score_errors(changed, policy: ScoringRules = RULES) -> np.ndarray:
    """'' or the Chinese reason an appeal's changed score cannot stand (outside the total's range)."""
    c = floats(changed, "changed")
    return np.where((c < policy.total_min) | (c > policy.total_max),
                    f"调整后得分应在 {policy.total_min:g}–{policy.total_max:g} 之间", "").astype(object)
