"""Actuals and ratings find their item by (employee, item text), else by (employee, 指标编号): the
first item of a pair wins, for a store's few hundred items and a group's tens of thousands
alike — what a plain search gives."""
import numpy as np
import pandas as pd
import pytest

from addin.month.inputs import _match


def reference(items: pd.DataFrame, rows: pd.DataFrame, by_kpi_id: bool) -> list:
    pairs = list(zip(items["employee_id"], items["item"], items["kpi_id"]))
    out = []
    for e, it in zip(rows["employee_id"], rows["item"]):
        hit = next((i for i, (pe, pi, _) in enumerate(pairs) if (pe, pi) == (e, it)), -1)
        if hit < 0 and by_kpi_id:
            hit = next((i for i, (pe, _, pk) in enumerate(pairs) if pk != "" and (pe, pk) == (e, it)), -1)
        out.append(hit)
    return out


@pytest.mark.parametrize("n", [0, 7, 60, 6000])
@pytest.mark.parametrize("by_kpi_id", [True, False])
def test_match_is_the_first_item_of_the_pair(n, by_kpi_id):
    rng = np.random.default_rng(n)
    staff = [f"E{i}" for i in range(max(1, n // 5))]
    items = pd.DataFrame({"employee_id": rng.choice(staff, n), "item": rng.choice(["产值", "台次", "返修率", "R01"], n),
                          "kpi_id": rng.choice(["", "R01", "R02", "台次"], n)})
    m = 300 if n else 5
    rows = pd.DataFrame({"employee_id": rng.choice(staff + ["外人"], m),
                         "item": rng.choice(["产值", "台次", "返修率", "R01", "R02", "其他"], m)})
    got = _match(items, rows, by_kpi_id)
    assert got.tolist() == reference(items, rows, by_kpi_id)
    assert (got >= 0).any() == bool(n)            # the data do match something when there are items
