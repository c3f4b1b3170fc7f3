"""udfs.parse — every value read the way users type it, once for every caller."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from udfs import parse
from udfs.vocab import InputError


def test_numbers_as_typed_and_bad_cells_flagged():
    vals, bad = parse.numbers([0.3, "30%", "600万", "1,500", "≥ 93%", "800元", " 12 ", None, "", "abc", True,
                               "inf", "1e400", float("inf"), "２０", "-5", "0.5‰"])
    want = [0.3, 0.3, 6e6, 1500, 0.93, 800, 12, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 20, -5, 0.0005]
    np.testing.assert_allclose(vals, want, equal_nan=True)
    assert bad.tolist() == [False] * 9 + [True] * 5 + [False] * 3


def test_numeric_arrays_take_the_fast_path_and_inf_is_bad():
    vals, bad = parse.numbers(np.array([1.0, np.nan, np.inf, -np.inf]))
    assert np.isnan(vals[2]) and bad.tolist() == [False, False, True, True]
    assert parse.number("1,234.5") == 1234.5
    with pytest.raises(InputError):
        parse.number("12a")


def test_round_half_up_is_immune_to_binary_noise():
    assert parse.round_half_up([1.005, 2.675, -1.005, 108.00000000000001, 107.995], 2).tolist() == \
        [1.01, 2.68, -1.01, 108.0, 108.0]


def test_excel_serials_follow_the_1900_leap_day_rule():
    d, bad = parse.from_serial(np.array([1, 59, 60, 61, 45658.5, 0, -3, np.nan]))
    assert [str(x) for x in d[:5]] == ["1900-01-01T00:00:00", "1900-02-28T00:00:00", "NaT",
                                      "1900-03-01T00:00:00", "2025-01-01T12:00:00"]
    assert bad.tolist() == [False, False, True, False, False, True, True, False]
    np.testing.assert_allclose(parse.to_serial(d[[0, 1, 3, 4]]), [1, 59, 61, 45658.5])


def test_dates_in_the_forms_dms_exports_use():
    cells = ["2026-09-05 14:30:00", "2026/9/5 14:30", "2026年9月5日", "20260905", "2026.09.05",
             "2026-09-05T14:30", 46270.6041666667, dt.date(2026, 9, 5), pd.Timestamp("2026-09-05 08:00"),
             None, "", "next tuesday", True, "2026-02-30"]
    got, bad = parse.dates(cells)
    assert [str(x)[:16] for x in got[:9]] == ["2026-09-05T14:30", "2026-09-05T14:30", "2026-09-05T00:00",
                                              "2026-09-05T00:00", "2026-09-05T00:00", "2026-09-05T14:30",
                                              "2026-09-05T14:30", "2026-09-05T00:00", "2026-09-05T08:00"]
    assert np.isnat(got[9]) and np.isnat(got[10])
    assert bad.tolist() == [False] * 11 + [True] * 3


def test_dates_beyond_2262_do_not_overflow():
    got = parse.to_dates(["9998-12-31", "2300-01-01"])
    assert str(got[0]) == "9998-12-31T00:00:00"
    with pytest.raises(InputError, match="date 'soon' is not a date"):
        parse.to_dates(["soon"])


@pytest.mark.parametrize("value,want", [
    ("2026-10", "2026-10"), ("2026/9", "2026-09"), ("2026年9月", "2026-09"), (202609, "2026-09"),
    ("202609", "2026-09"), (dt.date(2026, 9, 30), "2026-09"), (46295.0, "2026-09"), ("2026-09-15", "2026-09"),
    ("9999-12", None), ("0000-01", None), ("2026-13", None), ("九月", None), (None, None), (True, None)])
def test_months(value, want):
    assert parse.month_or_none(value) == want


def test_months_vectorised_flags_only_unreadable():
    vals, bad = parse.months(["2026-09", None, "九月", "2026/10"])
    assert vals.tolist() == ["2026-09", "", "", "2026-10"] and bad.tolist() == [False, False, True, False]
    assert parse.add_months("2026-12", 1) == "2027-01" and parse.month_range("2026-11", "2027-02")[-1] == "2027-02"


def test_ids_are_text_and_compare_without_case_or_spaces():
    assert parse.ids([1001, 1001.0, " E01 ", None, 3.5]).tolist() == ["1001", "1001", "E01", "", "3.5"]
    assert parse.id_key(["e 01", "E01", "Ｅ01"]).tolist() == ["e01", "e01", "e01"]


def test_time_of_day():
    assert parse.time_of_day("17:30") == (17, 30)
    assert parse.time_of_day("17：30") == (17, 30)
    assert parse.time_of_day(0.75) == (18, 0)
    with pytest.raises(InputError):
        parse.time_of_day("25:00")


def test_text_with_a_nul_is_not_taken_for_its_prefix():
    """Excel's _x0000_ escape reads as U+0000; some pandas versions hash text as C strings."""
    from udfs.parse import ids, texts
    assert list(ids(["T1", "T1\x00x", "T1"])) == ["T1", "T1\x00x", "T1"]
    assert list(texts(["甲", "甲\x00乙"])) == ["甲", "甲\x00乙"]


def test_first_positions_finds_the_first_row_of_each_key_exactly():
    ids = np.array(["T1", "T1\x00x", "T2", "T1", None], dtype=object)     # _x0000_ from an ERP paste
    items = np.array(["产值", "产值", "产值", "产值", "产值"], dtype=object)
    got = parse.first_positions((ids, items), (np.array(["T1", "T1\x00x", "T3", None], dtype=object),
                                               np.array(["产值", "产值", "产值", "产值"], dtype=object)))
    assert got.tolist() == [0, 1, -1, 4]
    assert parse.first_positions((ids,), (np.array([], dtype=object),)).tolist() == []
    assert parse.first_positions((np.array([], dtype=object),), (ids,)).tolist() == [-1] * 5
