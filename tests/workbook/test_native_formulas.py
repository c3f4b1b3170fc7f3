"""The native-formula scorecard (workbook/native.py) against the kpi4s functions, case by case:
the cases of tests/udfs/test_scoring.py and test_grading.py (and the cell errors of the
function boundary) are typed into scorecards built by the same code as the template's 考核预览,
the workbook is recalculated by LibreOffice ("always recalculate on load") and every cell LibreOffice
computed is compared with the worksheet function (or the rule function where the function takes
no policy). A second workbook changes the 设置 values the formulas read."""
from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
from python_calamine import CalamineWorkbook

from addin.io import schema as S
from addin.io.pdf import recalculated
from udfs import GRADE, KPI_SCORE, scoring
from udfs.grading import band_grade
from udfs.policy import LABELS, Policy
from workbook import native
from workbook.build import new_workbook

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")

# (actual, target, weight, direction): tests/udfs/test_scoring.py::test_item_score_by_direction,
# test_weight_as_points_or_fraction_and_custom_cap, and the boundary's error and blank cells
KPI_CASES = [
    (110, 100, 0.3, "higher"), (150, 100, 0.3, "higher"), (-5, 100, 0.3, "higher"), (2, 3, 0.3, "lower"),
    (4, 3, 30, "反向"), (0, 3, 0.3, "lower"), (1, 2, 0.5, "lower_linear"), (3, 2, 0.5, "lower_linear"),
    (0.5, 0.5, 0.2, "不低于"), (0.49, 0.5, 0.2, "min"), (0.03, 0.03, 0.2, "不超过"), (0.031, 0.03, 0.2, "max"),
    (120, 100, 60, None), (120, 100, 0.6, "正向"), (150, 100, 0.6, "UP"), (95, 100, 1, "越高越好"),
    (1, 0, 0.3, "higher"), (-1, 1, 0.3, "反向"), (1, 1, -0.3, None), (1, 1, 130, None), (1, 1, 0.3, "sideways"),
    ("abc", 1, 0.3, None), (None, 1, 0.3, None), (1, None, 0.3, None), (1, 1, None, None),
    (0.5, 0.6, 0.25, "≥"), (0.02, 0.03, 0.25, "反向线性"), (5, -2, 0.3, "min"),
]
# rated items (self, manager, 360°) under the default rule: the manager's rating counts
RATED_CASES = [(1.2, 0.9, 1.0), (None, 95, None), (None, 150, None), (1.0, None, None), (None, 0.85, 0.7)]
# totals: (item rows, adjustment, veto) — the hand-computed cards of test_scoring plus band edges
CARD_E1 = [("产值", "KPI", 40, "higher", 600000, 660000), ("返修率", "KPI", 30, "lower", 0.03, 0.02),
           ("回厂率", "KPI", 20, "min", 0.93, 0.95), ("纪律", "评分", 10, None, None, None, None, 80, None)]
CARD_E2 = [("a", "KPI", 0.5, None, 100, 100), ("b", "KPI", 0.3, None, 100, 100), ("c", "KPI", 0.2, None, 100, 100)]
EDGES = [20, 19.99, 5, 4.99, -10, -10.01, -29.99, -30, -150, 40, 0.005, -0.004]     # 100 + x


def _set(wb, field: str, value) -> None:
    ws = wb[S.SETTINGS]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == LABELS[field])
    ws.cell(row, 2).value = value


def _book(path, policy_values: dict | None = None):
    wb = new_workbook()
    for field, value in (policy_values or {}).items():
        _set(wb, field, value)
    ws = wb.create_sheet("核对")
    cards = {"kpi": native.card(ws, 1, [(f"k{i}", "KPI", w, d, t, a) for i, (a, t, w, d) in enumerate(KPI_CASES)]),
             "rated": native.card(ws, 1 + len(KPI_CASES) + 14,
                                  [(f"r{i}", "评分", 0.2, None, None, None, *r) for i, r in enumerate(RATED_CASES)])}
    top = 1 + len(KPI_CASES) + 14 + len(RATED_CASES) + 14
    for name, items, adj, veto in [("E1", CARD_E1, -3, None), ("E2", CARD_E2, 5, "是"), ("E2b", CARD_E2, 5, "Y"),
                                   *[(f"edge{x}", [("x", "评分", 1, None, None, None, None, 1, None)], x, None)
                                     for x in EDGES]]:
        cards[name] = native.card(ws, top, items, adjustment=adj, veto=veto)
        top += len(items) + 14
    wb.save(path)
    return cards


@pytest.fixture(scope="module")
def recalc(tmp_path_factory):
    folder = tmp_path_factory.mktemp("native")
    custom = {"ratio_cap": 120, "rating_self": "20%", "rating_manager": 60, "rating_peer": 0.2, "a_min": 115,
              "veto_cap": 60, "score_decimals": 1}
    books = {"default": (_book(folder / "default.xlsx"), Policy()),
             "custom": (_book(folder / "custom.xlsx", custom),
                        Policy().replace(ratio_cap=1.2, rating_self=0.2, rating_manager=0.6, rating_peer=0.2,
                                         a_min=115.0, veto_cap=60.0, score_decimals=1))}
    out = folder / "out"
    recalculated([folder / "default.xlsx", folder / "custom.xlsx"], out)
    sheets = {k: CalamineWorkbook.from_path(str(out / f"{k}.xlsx")).get_sheet_by_name("核对")
              .to_python(skip_empty_area=False) for k in books}
    return {k: (books[k][0], books[k][1], sheets[k]) for k in books}


def _cell(rows, ref: str):
    col = ord(ref[0]) - 64
    v = rows[int(ref[1:]) - 1][col - 1]
    return None if v == "" else v


def _same(native_value, expected) -> bool:
    if expected in ("", None) or (isinstance(expected, float) and math.isnan(expected)):
        return native_value is None
    if isinstance(expected, str):
        return native_value == expected
    return isinstance(native_value, float) and native_value == pytest.approx(float(expected), abs=1e-9)


@pytest.mark.parametrize("book", ["default", "custom"])
def test_item_scores_match_kpi_score(recalc, book):
    cards, policy, rows = recalc[book]
    card = cards["kpi"]
    wrong = []
    for i, (a, t, w, d) in enumerate(KPI_CASES):
        r = card.first + i
        expected = KPI_SCORE(a, t, w, d, policy.ratio_cap)
        got = _cell(rows, f"L{r}")
        if not _same(got, expected):
            wrong.append((a, t, w, d, got, expected))
    assert wrong == []
    assert sum(isinstance(_cell(rows, f"L{card.first + i}"), str) for i in range(len(KPI_CASES))) == 6   # the errors


@pytest.mark.parametrize("book", ["default", "custom"])
def test_rated_items_match_the_rating_rule(recalc, book):
    cards, policy, rows = recalc[book]
    for i, (s, m, p) in enumerate(RATED_CASES):
        r = cards["rated"].first + i
        ratio = scoring.combine_ratings(*(np.nan if x is None else x for x in (s, m, p)), policy=policy)
        assert _same(_cell(rows, f"K{r}"), float(ratio)), (s, m, p)
        assert _same(_cell(rows, f"L{r}"), float(100 * 0.2 * ratio)), (s, m, p)


@pytest.mark.parametrize("book", ["default", "custom"])
def test_totals_and_band_grades_match(recalc, book):
    cards, policy, rows = recalc[book]
    for name, card in cards.items():
        if name in ("kpi", "rated"):
            continue
        n = card.last - card.first + 1
        items = []
        for i in range(n):
            r = card.first + i
            kind = "rated" if _cell(rows, f"B{r}") == "评分" else "kpi"
            items.append({"employee_id": name, "kind": kind, "weight": _cell(rows, f"C{r}"),
                          "direction": _cell(rows, f"D{r}"), "target": _cell(rows, f"E{r}"),
                          "actual": _cell(rows, f"F{r}"), "rating_self": _cell(rows, f"G{r}"),
                          "rating_manager": _cell(rows, f"H{r}"), "rating_peer": _cell(rows, f"I{r}")})
        import pandas as pd
        scored = scoring.score_items(pd.DataFrame(items).astype({"target": float, "actual": float,
                                     "rating_self": float, "rating_manager": float, "rating_peer": float}), policy)
        veto = _cell(rows, card.veto) in ("是", "Y")
        adj = pd.DataFrame({"employee_id": [name], "points": [_cell(rows, card.adjustment)], "veto": [veto]})
        total = scoring.score_totals(scored, adj, policy)["total"].iloc[0]
        assert _same(_cell(rows, card.total), total), name
        grade = band_grade(np.array([total]), policy)[0]
        assert _cell(rows, card.grade) == grade, (name, total)
        assert _cell(rows, card.grade_zh) == GRADE(total, "zh") if book == "default" else True
        if book == "default":
            assert _cell(rows, card.grade) == GRADE(total), name            # the worksheet function
    assert _cell(rows, cards["E2"].total) == (60.0 if book == "custom" else 70.0)   # veto cap
    assert _cell(rows, cards["E1"].weight_check) == "正确"
    assert _cell(rows, cards["edge20"].weight_check) == "考核项 1 个，应为3–8个"
    assert _cell(rows, cards["E1"].grade_check) == "（需 kpi4s 加载项）"           # no add-in in LibreOffice


def test_custom_settings_are_read_from_the_settings_sheet(recalc):
    _, _, rows = recalc["custom"]
    cards, _, default_rows = recalc["default"]
    r = cards["kpi"].first + 1                  # (150, 100, 0.3): capped at 130% vs 120%
    assert _cell(default_rows, f"L{r}") == pytest.approx(39.0)
    assert _cell(rows, f"L{r}") == pytest.approx(36.0)


def test_template_preview_is_the_native_card(tmp_path):
    """The shipped template's 考核预览 computes its example in LibreOffice (no kpi4s there)."""
    from pathlib import Path
    template = Path(__file__).resolve().parents[2] / "workbook" / "kpi4s_store.xlsx"
    out = recalculated([template], tmp_path)[0]
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(S.PREVIEW).to_python(skip_empty_area=False)
    heads = rows[2]
    assert heads[:13] == native.COLS
    items = [r for r in rows[3:11] if r[0]]
    scores = [r[11] for r in items]
    expected = [KPI_SCORE(r[5], r[4], r[2], r[3]) for r in items[:4]] + [100 * 0.2 * 0.95]
    assert scores == pytest.approx(expected)
    labels = {r[10]: r[11] for r in rows if r[10]}
    assert labels["总分"] == pytest.approx(round(sum(expected), 2))
    assert labels["等级"] == GRADE(labels["总分"]) and labels["等级（中文）"] == GRADE(labels["总分"], "zh")
