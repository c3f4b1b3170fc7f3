"""udfs.vocab — one table per enumeration; every spelling means one thing everywhere."""
import numpy as np
import pytest

from udfs import vocab as V


def test_every_word_means_one_code_per_vocabulary():
    for voc in V.ALL:
        seen = {}
        for e in voc.entries:
            for w in (e.code, e.label, *e.aliases):
                assert seen.setdefault(V.key(w), e.code) == e.code, (voc.name, w)


@pytest.mark.parametrize("voc,word,code", [
    (V.DIRECTION, "不低于", "min"), (V.DIRECTION, " 反向 ", "lower"), (V.DIRECTION, "≥", "min"),
    (V.DIRECTION, "UP", "higher"), (V.BASIS, "自然日", "days"), (V.SPLIT, "日历日", "days"),
    (V.CATEGORY, "行政部/人力资源部/客户服务部经理", "support_manager"), (V.GRADE, "杰出", "A"),
    (V.GRADE, "b", "B"), (V.CALENDAR, "中国", "cn"), (V.ITEM_KIND, "ＫＰＩ", "kpi"),
    (V.ADDITIVE, "不可加", "copied"), (V.OWNER_TYPE, "员工", "employee")])
def test_aliases_in_all_their_spellings(voc, word, code):
    assert voc.code(word) == code


def test_unknown_words_raise_with_the_argument_and_choices():
    with pytest.raises(V.VocabError, match="direction 'sideways' unknown"):
        V.DIRECTION.code("sideways")
    err = V.VocabError(V.CATEGORY, "销售")
    assert "创利部门" in err.zh and "销售" in err.zh


def test_vectorised_lookup_flags_unknown_not_blank():
    codes, bad = V.DIRECTION.codes_of(["正向", None, "", "x", "不超过"], default="higher")
    assert codes.tolist() == ["higher", "higher", "higher", None, "max"]
    assert bad.tolist() == [False, False, False, True, False]
    assert V.ACTION.labels_of(np.array(["award", ""])).tolist() == ["优秀员工候选", ""]
