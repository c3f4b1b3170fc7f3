"""udfs for the dealer group (SPEC §3.2, §8): the guideline check and the group's grading settings."""
import numpy as np
import pytest

from udfs.grading import over_quota, quota_counts
from udfs.policy import GROUP_LABELS, GroupPolicy, PolicyError, parse_setting, setting_text


@pytest.mark.parametrize("counts,over", [
    ([1, 4, 12, 2, 1], False),      # 20 people: exactly the guideline
    ([2, 3, 12, 2, 1], True),       # one A too many (A+B still 5)
    ([0, 6, 11, 2, 1], True),       # no A but A+B 6 > 5
    ([0, 5, 15, 0, 0], False),      # A+B at the limit, no D/E: not a breach at the top
    ([0, 0, 0, 0, 0], False),       # nobody graded
    ([0, 1, 1, 0, 1], False),       # 3 people: guideline 0/1/2/0/0
    ([1, 0, 1, 1, 0], True),        # 3 people with an A
])
def test_over_quota_flags_only_the_top_grades(counts, over):
    guide, flag = over_quota([counts])
    assert guide[0].tolist() == quota_counts(sum(counts)).tolist()
    assert bool(flag[0]) is over


def test_over_quota_is_vectorised_over_stores():
    counts = np.array([[1, 4, 12, 2, 1], [2, 3, 12, 2, 1], [0, 1, 1, 0, 1]])
    guide, flag = over_quota(counts, (0.1, 0.2, 0.5, 0.1, 0.1))
    assert flag.tolist() == [False, False, False]           # A quota of 10% of 20 = 2
    assert guide.sum(axis=1).tolist() == [20, 20, 3]


def test_group_policy_settings_read_like_the_store_ones():
    assert GROUP_LABELS["group_scope"] == "集团统一评定"
    assert parse_setting("group_scope", "按部门") == "department"
    assert parse_setting("group_scope", "是") == "group" and parse_setting("group_scope", "否") == "off"
    assert setting_text("group_scope", "group") == "全集团"
    p = GroupPolicy(group_scope="group", grading=parse_setting("grading", "强制分布"))
    assert (p.group_scope, p.grading, p.quotas) == ("group", "forced", (0.05, 0.2, 0.6, 0.1, 0.05))
    with pytest.raises(PolicyError, match="合计应为100%"):
        GroupPolicy(quotas=(0.1, 0.2, 0.6, 0.1, 0.1))
    with pytest.raises(ValueError, match="无效"):
        parse_setting("group_scope", "按区域")
