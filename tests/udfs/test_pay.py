"""SPEC §3.4–3.5 — eligibility and performance pay."""
import numpy as np
import pytest

from udfs import pay
from udfs.policy import Policy


@pytest.mark.parametrize("category,salary,commission,base", [
    ("创利部门", 5000, 8200, 8200.0),          # profit: the month's commission total
    ("profit", 5000, 0, 0.0),
    ("职能部门", 4000, None, 1200.0),          # 30% of full salary
    ("部门经理", 9000, None, 4500.0),          # 50%
    ("行政部经理", 9000, None, 2700.0),        # support managers 30%
    ("人力资源部经理", 9000, None, 2700.0),
    ("客户服务部经理", 9000, None, 2700.0),
])
def test_base_per_category(category, salary, commission, base):
    assert pay.perf_base(category, salary, np.nan if commission is None else commission)[()] == base


def test_pay_rounded_half_up_to_cents():
    assert pay.perf_pay(1234.5, 91.3)[()] == 1127.1          # 1127.0985 → 1127.10
    assert pay.perf_pay(100.01, 50)[()] == 50.01              # 50.005 → 50.01 (half up)
    assert pay.perf_pay(1.01, 50)[()] == 0.51                 # 0.505 stored as 0.50499… → 0.51
    np.testing.assert_allclose(pay.perf_pay([1000, 2000], [120, 70]), [1200, 1400])


def test_grade_coefficient_alternative():
    p = Policy(pay_method="grade", grade_coefficients=(1.5, 1.2, 1.0, 0.6, 0.0))
    np.testing.assert_allclose(pay.perf_pay([1000, 1000, 1000], [125, 95, 60], p), [1500, 1000, 0])


def test_ratios_come_from_settings():
    p = Policy.from_settings({"绩效基数-职能部门": "40%"})
    assert pay.perf_base("职能部门", 5000, policy=p)[()] == 2000.0


def test_eligibility_probation_and_low_wage():
    ok, why = pay.eligibility(["正式", "试用", "正式", "正式"], [5000, 6000, 799.99, 800])
    assert list(ok) == [True, False, False, True]
    assert list(why) == ["", "试用期", "月工资低于800元", ""]


def test_unknown_category_raises_with_its_name():
    with pytest.raises(ValueError, match="category '销售' unknown"):
        pay.perf_base("销售", 5000)
