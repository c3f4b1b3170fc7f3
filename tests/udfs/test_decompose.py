"""SPEC §3.8 — decomposition that adds up exactly (largest remainder), calendar and owner splits."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs import dates
from udfs.decompose import (calendar_split, copy_target, decompose, decompose_units, frame_split,
                            owner_split, split_weights)


def test_seed_revenue_streams():
    # seed 002 篇1: 售后总营业额600万 = 保险理赔 220万 + 车间维修及索赔 380万
    assert decompose(6_000_000, [220, 380]).tolist() == [2_200_000, 3_800_000]
    assert decompose(6_000_000, [0.3667, 0.6333]).tolist() == [2_200_200, 3_799_800]


def test_largest_remainder_and_ties_to_the_earlier_part():
    assert decompose(100, [1, 1, 1]).tolist() == [34, 33, 33]
    assert decompose(100, [1, 1, 1], 2).tolist() == [33.34, 33.33, 33.33]
    assert decompose(10, [1, 1, 1, 1]).tolist() == [3, 3, 2, 2]
    assert decompose(7, [0.35, 1.4, 4.2, 0.7, 0.35]).tolist() == [0, 2, 4, 1, 0]   # like the grade quotas


def test_negative_totals_by_symmetry_and_zero_weights():
    assert decompose(-100, [1, 1, 1]).tolist() == [-34, -33, -33]
    assert decompose(5, [0, 1, 0]).tolist() == [0, 5, 0]


def test_negative_decimals_round_to_wan():
    assert decompose(12_345_678, [1, 2, 3], -4).tolist() == [2_060_000, 4_120_000, 6_170_000]


def test_rows_are_decomposed_independently():
    got = decompose([[100], [10]], [[1, 1, 1], [3, 1, 0]])
    assert got.tolist() == [[34, 33, 33], [8, 2, 0]]
    # a column of totals beside one row of weights: each total split by the same weights
    assert decompose([650, 20], [1, 1]).tolist() == [[325, 325], [10, 10]]


def test_blank_total_or_weight_gives_nan_row():
    got = decompose([[100], [np.nan]], [[1, 1], [1, 1]])
    assert got[0].tolist() == [50, 50] and np.isnan(got[1]).all()
    assert np.isnan(decompose(100, [1, None])).all()


@pytest.mark.parametrize("weights,msg", [([1, -1], "weights must be ≥ 0"),
                                         ([0, 0], "weights must not all be 0"),
                                         (["a", 1], "weights must be a number")])
def test_bad_weights(weights, msg):
    with pytest.raises(ValueError, match=msg):
        decompose(100, weights)


def test_bad_decimals_and_shapes():
    with pytest.raises(ValueError, match="decimals must be a whole number"):
        decompose(100, [1, 1], 1.5)
    with pytest.raises(ValueError, match="does not match weights"):
        decompose([1, 2, 3], [[1, 1], [1, 1]])


def test_huge_totals_stay_exact():
    # float parts are exact below 2**53 units; decompose_units stays exact beyond
    parts = decompose(4e15, [1, 1, 1])
    assert sum(int(p) for p in parts) == 4 * 10**15
    assert sum(decompose_units(10**19, [1, 1, 1]).tolist()) == 10**19
    assert decompose_units(10**12, [1, 2]).tolist() == [333_333_333_333, 666_666_666_667]


@settings(max_examples=300, deadline=None)
@given(total=st.floats(-1e9, 1e9, allow_nan=False),
       weights=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=15).filter(lambda w: sum(w) > 0),
       decimals=st.integers(-3, 4))
def test_parts_always_add_up_exactly(total, weights, decimals):
    parts = decompose(total, weights, decimals)
    scale = 10.0**decimals
    want = np.floor(np.round(abs(total) * scale, 6) + 0.5) * np.sign(total)
    units = np.round(parts * scale)
    assert units.sum() == want                       # exact in 10^-decimals units
    assert np.allclose(units, parts * scale, atol=1e-6)
    # every part within one unit of its exact share; zero weight → zero part
    share = np.asarray(weights) / sum(weights) * want
    assert (np.abs(units - share) < 1 + 1e-6).all()
    assert (units[np.asarray(weights) == 0] == 0).all()


@settings(max_examples=50, deadline=None)
@given(totals=st.lists(st.integers(-10**9, 10**9), min_size=1, max_size=6),
       k=st.integers(1, 6), seed=st.integers(0, 1000))
def test_row_wise_matches_one_by_one(totals, k, seed):
    w = np.random.default_rng(seed).integers(0, 5, size=(len(totals), k)).astype(float)
    w[:, 0] += 1
    rows = decompose(np.array(totals, dtype=float)[:, None], w)
    for t, wr, r in zip(totals, w, rows):
        assert r.tolist() == decompose(t, wr).tolist()


# --------------------------------------------------------------------------- calendar and owners
def test_calendar_split_every_level_adds_up():
    w = np.vstack([split_weights(2025, "workdays", "cn"), split_weights(2025, "days"),
                   split_weights(2025, "equal")])
    res = calendar_split([6_000_000, 7_800, 0.93], w, 2025, "cn", ["workdays", "days", "days"],
                         decimals=[0, 0, 3], additive=[True, True, False])
    q, m, wk, seg = res["quarter"], res["month"], res["week"], res["segments"]
    assert q[:2].sum(axis=1).tolist() == [6_000_000, 7_800]
    assert np.array_equal(m[:2].reshape(2, 4, 3).sum(axis=2), q[:2])
    by_month = np.stack([wk[:2, seg["month"].to_numpy() == mo].sum(axis=1) for mo in range(1, 13)], axis=1)
    assert np.array_equal(by_month, m[:2])
    assert (m[:2] == np.round(m[:2])).all()            # whole yuan / whole cars
    assert (q[2] == 0.93).all() and (m[2] == 0.93).all() and (wk[2] == 0.93).all()   # a rate is copied
    # workdays under cn: national-day week pieces get nothing, the make-up Saturday week gets its share
    oct_ = seg["month"].to_numpy() == 10
    oct_seg = seg[oct_].reset_index(drop=True)
    oct_parts = wk[0, oct_]
    assert oct_parts[oct_seg["workdays"].to_numpy() == 0].sum() == 0
    assert oct_seg["workdays"].tolist()[:2] == [0, 3]      # 10-01..05 off; 10-09, 10-10 and Saturday 10-11


def test_seasonality_from_last_year():
    last_year = [30, 30, 50, 50, 50, 50, 60, 60, 50, 80, 50, 40]       # sums to 600 (万)
    table = frame_split(6_000_000, 2025, "去年实绩", last_year=last_year)
    months = table[table["level"] == "month"]["target"].to_numpy()
    assert months.tolist() == [v * 10_000 for v in last_year]
    with pytest.raises(ValueError, match="last_year needs 12 monthly values"):
        split_weights(2025, "last_year", last_year=[1, 2, 3])


def test_owner_split_and_copy():
    got = owner_split([6_000_000, 0.93], [[0.3667, 0.6333], [1, 1]], decimals=[0, 3], additive=[True, False])
    assert got[0].tolist() == [2_200_200, 3_799_800] and got[1].tolist() == [0.93, 0.93]
    assert copy_target(0.95, (2, 3)).tolist() == [[0.95] * 3] * 2


def test_workday_month_weights_differ_by_calendar():
    weekend = split_weights(2025, "workdays", "weekend")
    cn = split_weights(2025, "workdays", "cn")
    assert weekend[9] == pytest.approx(23 / 261) and cn[9] == pytest.approx(18 / 248)
    assert dates.month_weights(2025, "workdays").tolist() == pytest.approx(weekend.tolist())
