"""SPEC §3.2 — bands and their edges, quotas, forced and capped grading."""
import numpy as np
import pytest

from udfs import grading
from udfs.policy import Policy
from udfs.vocab import GRADE


@pytest.mark.parametrize("score,grade", [
    (130, "A"), (120, "A"), (119.99, "B"), (105, "B"), (104.99, "C"), (90, "C"),
    (89.99, "D"), (70.01, "D"), (70, "E"), (0, "E"),
])
def test_band_edges_belong_to_the_upper_grade_except_70(score, grade):
    assert grading.band_grade(score)[()] == grade


def test_band_labels_and_blank():
    g = grading.band_grade([125, 110, 95, 80, 60, np.nan])
    assert list(g) == ["A", "B", "C", "D", "E", ""]
    assert list(GRADE.labels_of(g)) == ["杰出", "优秀", "良好", "待改进", "不胜任", ""]


@pytest.mark.parametrize("n,counts", [
    (0, [0, 0, 0, 0, 0]),
    (1, [0, 0, 1, 0, 0]),
    (7, [0, 2, 4, 1, 0]),       # 0.35 1.4 4.2 0.7 0.35 → D then B take the two spare places
    (10, [1, 2, 6, 1, 0]),      # A and E tie at .5: the earlier grade (A) wins
    (20, [1, 4, 12, 2, 1]),     # exact shares
    (33, [2, 6, 20, 3, 2]),     # 1.65 6.6 19.8 3.3 1.65: floors 30, spare 3 → C (.8), A and E (.65) before B (.6)
    (60, [3, 12, 36, 6, 3]),
])
def test_quota_largest_remainder(n, counts):
    assert list(grading.quota_counts(n)) == counts
    assert sum(counts) == n


def test_quota_vectorised_over_n():
    np.testing.assert_array_equal(grading.quota_counts(np.array([10, 20])), [[1, 2, 6, 1, 0], [1, 4, 12, 2, 1]])


def _twenty():
    return np.array([125, 124, 123, 122, 121, 119, 118, 117, 116, 115,
                     114, 113, 112, 111, 110, 100, 95, 90, 85, 60], dtype=float)


def test_forced_hands_out_quotas_by_rank():
    g = grading.final_grades(_twenty(), how="forced")
    assert "".join(g) == "A" + "B" * 4 + "C" * 12 + "DD" + "E"


def test_forced_tie_across_a_boundary_gets_the_better_grade_and_next_grade_pays():
    s = _twenty()
    s[1] = 125.0                      # two people tie for the single A place
    g = grading.final_grades(s, how="forced")
    assert list(g[:2]) == ["A", "A"]
    assert list(g[2:5]) == ["B", "B", "B"]       # B gets 3: the surplus came out of B
    assert g[5] == "C"


def test_forced_counts_equal_quotas_for_distinct_scores():
    rng = np.random.default_rng(1)
    s = rng.permutation(np.linspace(50, 130, 37))
    g = grading.final_grades(s, how="forced")
    counts = [int((g == x).sum()) for x in "ABCDE"]
    assert counts == list(grading.quota_counts(37))


def test_capped_cascades_from_a_into_b():
    g = grading.final_grades(_twenty(), how="capped")
    # 5 in the A band, 1 A place: 124…121 drop to B; B then holds 14 for 4 places: 119… drop to C
    assert list(g[:5]) == ["A", "B", "B", "B", "B"]
    assert set(g[5:17]) == {"C"}
    # D and E are never forced: 90 is a band C, 85 D, 60 E
    assert list(g[17:]) == ["C", "D", "E"]


def test_capped_keeps_ties_with_the_last_one_kept():
    s = np.array([125, 125, 100, 100, 100, 100, 100, 100, 100, 100,
                  100, 100, 100, 100, 100, 100, 100, 100, 100, 100], dtype=float)
    g = grading.final_grades(s, how="capped")
    assert list(g[:2]) == ["A", "A"]


def test_capped_under_quota_keeps_bands():
    s = np.array([100, 95, 121, 80, 60], dtype=float)
    assert list(grading.final_grades(s, how="bands")) == ["C", "C", "A", "D", "E"]
    # N = 5: A quota is 0 (0.25 loses to C's remainder) → the A drops to B
    assert list(grading.final_grades(s, how="capped")) == ["C", "C", "B", "D", "E"]


def test_grading_within_groups_and_blanks_not_counted():
    scores = np.array([125, 124, np.nan, 125, 100] + [100] * 15, dtype=float)
    groups = np.array(["服务"] * 2 + ["服务"] + ["配件"] * 17, dtype=object)
    g = grading.final_grades(scores, Policy(grading="forced", eval_group="department"), groups=groups)
    assert g[2] == ""
    # 服务 has 2 graded people: quotas 0,1,1,0,0 → B, C
    assert list(g[:2]) == ["B", "C"]


def test_policy_from_settings_changes_grading():
    p = Policy.from_settings({"等级评定方式": "强制分布", "等级比例A/B/C/D/E": "10%,20%,50%,15%,5%"})
    assert p.grading == "forced" and p.quotas == (0.1, 0.2, 0.5, 0.15, 0.05)
    with pytest.raises(ValueError, match="等级比例"):
        Policy.from_settings({"等级比例A/B/C/D/E": "10%,20%,50%,15%,15%"})
