"""SPEC §3.1 — item scores, rated items, totals."""
import numpy as np
import pandas as pd
import pytest

from udfs import scoring
from udfs.policy import Policy


@pytest.mark.parametrize("actual,target,weight,direction,expected", [
    (110, 100, 0.3, "higher", 33.0),           # 110% × 30
    (150, 100, 0.3, "higher", 39.0),           # capped at 130%
    (-5, 100, 0.3, "higher", 0.0),             # clipped at 0
    (2, 3, 0.3, "lower", 45 * 0.3 / 0.3 * 0.3 / 0.45 * 1.5 * 30 / 45 * 1.0 if False else 39.0),  # 3/2 = 150% → cap
    (4, 3, 30, "反向", 22.5),                    # 3/4 = 75% of 30 points
    (0, 3, 0.3, "lower", 39.0),                # actual 0 → cap
    (1, 2, 0.5, "lower_linear", 75.0),         # 2 − 0.5 = 1.5 → cap 1.3 … see below
    (3, 2, 0.5, "lower_linear", 25.0),         # 2 − 1.5 = 0.5
    (0.5, 0.5, 0.2, "不低于", 20.0),              # 回厂率 gate met at the edge
    (0.49, 0.5, 0.2, "min", 0.0),
    (0.03, 0.03, 0.2, "不超过", 20.0),            # 返修率 gate at the edge
    (0.031, 0.03, 0.2, "max", 0.0),
])
def test_item_score_by_direction(actual, target, weight, direction, expected):
    if direction == "lower_linear" and actual == 1:
        expected = 100 * 0.5 * 1.3
    assert scoring.item_score(actual, target, weight, direction) == pytest.approx(expected)


def test_weight_as_points_or_fraction_and_custom_cap():
    assert scoring.item_score(120, 100, 60) == pytest.approx(72.0)
    assert scoring.item_score(120, 100, 0.6) == pytest.approx(72.0)
    assert scoring.item_score(150, 100, 0.6, cap=1.2) == pytest.approx(72.0)


def test_vectorised_shapes_broadcast():
    out = scoring.item_score(np.array([[110, 90], [100, 50]]), 100, np.array([0.5, 0.5]))
    np.testing.assert_allclose(out, [[55, 45], [50, 25]])


def test_kpi_errors_name_the_argument():
    msgs = scoring.kpi_errors([1, 1, -1, 1], [0, 1, 1, 1], [0.3, -0.1, 0.3, 0.3], ["higher", "higher", "lower", "min"])
    assert list(msgs) == ["target must be > 0", "weight must be ≥ 0", "actual must be ≥ 0", ""]
    with pytest.raises(ValueError, match="direction 'sideways' unknown"):
        scoring.directions(["sideways"])


def test_rated_items_manager_rating_by_default_and_blend():
    p = Policy()
    # 结果以复评结果为准: the manager's rating counts
    assert scoring.combine_ratings(1.2, 0.9, 1.0, p) == pytest.approx(0.9)
    blend = p.replace(rating_self=0.2, rating_manager=0.6, rating_peer=0.2)
    assert scoring.combine_ratings(1.0, 0.9, 0.8, blend) == pytest.approx(0.2 + 0.54 + 0.16)
    # a missing 360° rating gives its share to the others
    assert scoring.combine_ratings(1.0, 0.9, np.nan, blend) == pytest.approx((0.2 * 1.0 + 0.6 * 0.9) / 0.8)
    # ratings typed as percent points; capped at 130%
    assert scoring.combine_ratings(np.nan, 95, np.nan, p) == pytest.approx(0.95)
    assert scoring.combine_ratings(np.nan, 150, np.nan, p) == pytest.approx(1.3)
    # only a self rating under the manager-only rule is not a score yet
    assert np.isnan(scoring.combine_ratings(1.0, np.nan, np.nan, p))


def _card():
    return pd.DataFrame({
        "employee_id": ["E1"] * 4 + ["E2"] * 3,
        "kind": ["kpi", "kpi", "kpi", "rated", "kpi", "kpi", "kpi"],
        "weight": [40, 30, 20, 10, 0.5, 0.3, 0.2],
        "target": [600000, 0.03, 0.93, None, 100, 100, 100],
        "actual": [660000, 0.02, 0.95, None, 100, 100, 100],
        "direction": ["higher", "lower", "min", None, None, None, None],
        "rating_manager": [None, None, None, 80, None, None, None],
    })


def test_score_items_and_totals_hand_computed():
    scored = scoring.score_items(_card(), Policy())
    # E1: 40×1.1 + 30×1.3 (0.03/0.02 = 1.5 → cap) + 20×1 (gate met) + 10×0.8
    np.testing.assert_allclose(scored["score"][:4], [44.0, 39.0, 20.0, 8.0])
    adj = pd.DataFrame({"employee_id": ["E1", "E2", "E2"], "points": [-3, 5, None], "veto": [False, False, True]})
    per = scoring.score_totals(scored, adj, Policy())
    assert per.loc["E1", "total"] == pytest.approx(44 + 39 + 20 + 8 - 3)
    assert per.loc["E2", "total"] == pytest.approx(70.0)       # 100 + 5 but a veto caps at 70
    assert per.loc["E1", "problems"] == ()
    assert "考核项 3 个" not in per.loc["E1", "problems"]


def test_total_clipped_to_0_130_and_problems_reported():
    items = pd.DataFrame({"employee_id": ["X"] * 2, "kind": "kpi", "weight": [50, 40],
                          "target": [1, 1], "actual": [2, 2], "direction": "higher"})
    per = scoring.score_totals(scoring.score_items(items), None)
    assert per.loc["X", "total"] == pytest.approx(117.0)      # 90 points × 1.3
    weights, count = per.loc["X", "problems"]
    assert weights.startswith("权重合计 90.0%") and count.startswith("考核项 2 个")
    big = items.assign(weight=[100, 100])
    assert scoring.score_totals(scoring.score_items(big), None).loc["X", "total"] == 130.0
    neg = pd.DataFrame({"employee_id": ["X"], "points": [-500], "veto": [False]})
    assert scoring.score_totals(scoring.score_items(items), neg).loc["X", "total"] == 0.0


def test_weight_tolerance_half_a_point():
    off, en, zh = scoring.weight_check([99.6, 99.4, 100.5, 100.6])
    assert off.tolist() == [False, True, False, True]
    assert en[1] == "weights must sum to 100% (got 99.4%)" and zh[3] == "权重合计 100.6%，应为100%"


def test_total_is_rounded_once_at_the_shown_precision():
    # 108.00000000000001 and 107.995 both become 108.0: ranked, graded and paid as equals
    assert scoring.total_score([108.00000000000001, 107.995, 107.9949]).tolist() == [108.0, 108.0, 107.99]
    assert scoring.total_score([108.004], policy=Policy(score_decimals=1)).tolist() == [108.0]


def test_blank_actual_leaves_total_blank():
    items = pd.DataFrame({"employee_id": ["X"] * 3, "kind": "kpi", "weight": [40, 30, 30],
                          "target": [1, 1, 1], "actual": [1, None, 1]})
    assert np.isnan(scoring.score_totals(scoring.score_items(items)).loc["X", "total"])
