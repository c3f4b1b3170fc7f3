"""Property tests (hypothesis): invariants of SPEC §3 that must hold for any input."""
import inspect

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

import udfs
from udfs import consequences, grading, scoring

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
cell = st.one_of(st.none(), finite, st.text(max_size=5), st.booleans(), st.integers(-10**6, 10**6))


@given(n=st.integers(0, 100_000))
def test_grade_quota_sums_to_n(n):
    counts = grading.quota_counts(n)
    assert counts.sum() == n and (counts >= 0).all()


@given(shares=st.lists(st.integers(0, 1000), min_size=5, max_size=5).filter(lambda s: sum(s) > 0),
       n=st.integers(0, 5000))
def test_grade_quota_any_shares(shares, n):
    q = np.array(shares, dtype=float) / sum(shares)
    counts = grading.quota_counts(n, q)
    assert counts.sum() == n
    assert (np.abs(counts - q * n) < 1 + 1e-9).all()        # each within one of its exact share


@given(scores=st.lists(st.floats(0, 130, allow_nan=False), min_size=1, max_size=200, unique=True))
def test_forced_counts_equal_quotas_when_scores_distinct(scores):
    g = grading.final_grades(np.array(scores), how="forced")
    counts = [int((g == x).sum()) for x in "ABCDE"]
    assert counts == list(grading.quota_counts(len(scores)))


@given(scores=st.lists(st.floats(0, 130, allow_nan=False), min_size=1, max_size=200))
def test_capped_never_exceeds_a_b_quotas_except_ties(scores):
    s = np.array(scores)
    g = grading.final_grades(s, how="capped")
    q = grading.quota_counts(len(s))
    band = grading.band_grade(s)
    for i, letter in enumerate("AB"):
        kept = s[g == letter]
        if len(kept) > q[i]:                         # only ties with the last one kept may exceed
            assert len(np.unique(np.sort(kept)[: len(kept) - q[i] + 1])) == 1
    # nobody is graded better than their band, D and E are untouched
    assert (grading.grade_index(g) >= grading.grade_index(band)).all()
    assert ((band == "D") <= (g == "D")).all() and ((band == "E") <= (g == "E")).all()


@given(actual=finite, target=st.floats(1e-6, 1e9), weight=st.floats(0, 1),
       direction=st.sampled_from(["higher", "lower", "lower_linear", "min", "max", "正向", "反向"]),
       cap=st.floats(0.5, 2))
def test_item_score_within_bounds(actual, target, weight, direction, cap):
    if direction in ("lower", "反向"):
        actual = abs(actual)
    score = scoring.item_score(actual, target, weight, direction, cap)
    assert 0 <= score <= 100 * weight * cap + 1e-9



@settings(max_examples=150, deadline=None)
@given(args=st.lists(st.one_of(cell, st.lists(st.lists(cell, min_size=1, max_size=3), min_size=1, max_size=3)),
                     min_size=1, max_size=5))
def test_no_input_makes_a_function_raise(args):
    for name in udfs.__all__:
        f = getattr(udfs, name)
        sig = inspect.signature(f)
        required = sum(p.default is inspect.Parameter.empty for p in sig.parameters.values())
        if not (required <= len(args) <= len(sig.parameters)):
            continue
        out = f(*args)          # must not raise: bad input becomes "#..." text
        if isinstance(out, str) and out.startswith("#"):
            assert "!" in out


@given(scores=st.lists(st.sampled_from([np.nan, 59.0, 60.0, 75.5, 80.0, 95.0, 100.0]), max_size=60),
       groups=st.lists(st.integers(0, 3), max_size=60))
def test_rank_in_groups_is_pandas_min_rank(scores, groups):
    n = min(len(scores), len(groups))
    s, g = np.array(scores[:n], dtype=float), np.array(groups[:n], dtype=np.int64)
    want = pd.Series(s).groupby(g).rank(method="min", ascending=False).to_numpy() - 1 if n else np.zeros(0)
    np.testing.assert_array_equal(grading.rank_in_groups(s, g), want)


@given(grades=st.lists(st.lists(st.integers(-1, 4), min_size=1, max_size=14), min_size=1, max_size=8)
       .filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_run_lengths_are_the_runs_ending_at_every_month(grades):
    idx = np.array(grades)
    every = consequences.run_lengths(idx)
    for j in range(idx.shape[1]):
        for track, run in consequences.runs(idx[:, : j + 1]).items():
            np.testing.assert_array_equal(every[track][:, j], run)
