"""KPI library (SPEC §3.9) and KPI_INFO (SPEC §4)."""
import math

import numpy as np
import pandas as pd
import pytest

from udfs.kpis import (FIELDS, LIBRARY, LIBRARY_HEADERS_ZH, from_frame, kpi_info,
                       library_frame)
from udfs.vocab import DIRECTION

DIRECTIONS = DIRECTION.codes

# SPEC §3.9 table: id -> (中文名, direction, default target or None)
SPEC_TABLE = {
    "return_rate": ("回厂率", "higher", 0.5),
    "rework_rate": ("返修率", "lower", 0.03),
    "first_time_fix_rate": ("一次维修成功率", "higher", None),
    "maintenance_rate": ("定期保养实施率", "higher", None),
    "reminder_success_rate": ("定期保养成功率", "higher", None),
    "complaint_rate": ("客户投诉率", "lower", None),
    "absorption_rate": ("服务吸收率", "higher", 1.0),
    "revenue_per_repair": ("单车产值(维修)", "higher", 800),
    "revenue_per_insurance": ("单车产值(保险)", "higher", 1800),
    "daily_intake": ("日接车台次", "higher", 20),
    "monthly_intake": ("月接车台次", "higher", 650),
    "base_customers": ("基盘客户数", "higher", 1500),
    "parts_turnover": ("配件库存周转率", "higher", 4),
    "parts_fill_rate": ("配件首次供应率", "higher", None),
    "parts_purchase_attainment": ("配件采购目标达成率", "higher", 1.0),
    "csi": ("客户满意度 CSI", "higher", 0.93),
    "sfu_rate": ("服务回访率 SFU", "higher", None),
    "claim_approval_rate": ("保修索赔通过率", "higher", 0.95),
    "staff_turnover": ("员工流失率", "lower", 0.10),
    "visitor_registration_rate": ("来店客户登记率", "higher", 0.70),
    "intent_customers": ("意向客户数", "higher", 100),
    "training_sessions": ("培训次数", "higher", None),
}
WORKSHOP = ("effective_labour_rate", "hours_per_ro", "technician_utilisation",
            "technician_efficiency", "labour_gross_margin", "parts_to_labour_ratio",
            "parts_obsolescence", "appointment_show_rate")


def by_id():
    return {k["id"]: k for k in LIBRARY}


def test_every_spec_kpi_with_spec_name_direction_target():
    lib = by_id()
    for kid, (name, direction, target) in SPEC_TABLE.items():
        assert kid in lib, kid
        k = lib[kid]
        assert k["name_zh"] == name, kid
        assert k["direction"] == direction, kid
        if target is None:
            assert k["target"] is None, kid
        else:
            assert k["target"] == pytest.approx(target), kid


def test_notes_keep_the_other_seed_figures():
    lib = by_id()
    assert "2%" in lib["rework_rate"]["note"]
    assert "4-5" in lib["parts_turnover"]["note"]
    note = lib["training_sessions"]["note"]
    assert "≥4" in note and "≥6" in note and "≥2" in note


def test_workshop_figures_and_field_shapes():
    lib = by_id()
    for kid in WORKSHOP:
        assert kid in lib and lib[kid]["source"] == "workshop" and lib[kid]["target"] is None
    assert len(lib) == len(LIBRARY) == len(SPEC_TABLE) + len(WORKSHOP)   # ids unique
    for k in LIBRARY:
        assert tuple(k) == FIELDS
        assert k["direction"] in DIRECTIONS
        assert k["target"] is None or isinstance(k["target"], float)
        assert isinstance(k["additive"], bool)
        assert k["section"] in ("财务指标", "客户/市场", "关键考核指标", "学习/成长", "工作纪律")
        assert k["formula"] and k["formula_en"] and k["unit"] and k["name_en"]
        if k["unit"] == "%":
            assert not k["additive"], k["id"]
    assert lib["monthly_intake"]["additive"] and lib["monthly_intake"]["unit"] == "台"
    assert lib["effective_labour_rate"]["unit"] == "元/小时"


def test_kpi_info_scalar():
    assert kpi_info("return_rate", "target") == 0.5
    assert kpi_info("rework_rate", "direction") == "lower"
    assert kpi_info("revenue_per_repair", "unit") == "元/台"
    assert kpi_info("csi", "name_zh") == "客户满意度 CSI"
    assert kpi_info("rework_rate", "formula") == "30天内同一故障返修的工单数 ÷ 维修工单数"
    assert math.isnan(kpi_info("first_time_fix_rate", "target"))   # no seed target: blank


def test_kpi_info_case_and_chinese_aliases():
    assert kpi_info("CSI", "TARGET") == 0.93
    assert kpi_info(" Monthly_Intake ", "Target") == 650
    assert kpi_info("回厂率", "目标") == 0.5
    assert kpi_info("返修率", "方向") == "lower"
    assert kpi_info("daily_intake", "名称") == "日接车台次"
    assert kpi_info("日接车台次", "单位") == "台"
    assert kpi_info("单车产值(保险)", "公式") == "保险营业额 ÷ 保险台次"
    assert kpi_info("客户满意度CSI", "默认目标") == 0.93        # space-free name
    assert kpi_info("Rework rate", "中文名") == "返修率"         # English name


def test_kpi_info_vectorised():
    got = kpi_info(["return_rate", "csi", "training_sessions"], "target")
    assert got.dtype == float and got.shape == (3,)
    np.testing.assert_allclose(got, [0.5, 0.93, np.nan])
    # Series of ids against a row of fields: broadcast to a matrix
    ids = pd.Series(["rework_rate", "monthly_intake"])
    table = kpi_info(ids.to_numpy()[:, None], [["name_zh", "direction", "target"]])
    assert table.shape == (2, 3)
    assert table[0].tolist() == ["返修率", "lower", 0.03]
    assert table[1].tolist() == ["月接车台次", "higher", 650.0]
    assert kpi_info(pd.Series(["csi", "daily_intake"]), "additive").tolist() == [False, True]
    # blank ids give blanks, not errors
    got = kpi_info(["csi", "", None], "target")
    assert got[0] == 0.93 and np.isnan(got[1:]).all()


def test_kpi_info_large_vector_is_fast():
    ids = np.array([k["id"] for k in LIBRARY] * 2000, dtype=object)   # 60,000 ids
    got = kpi_info(ids, "direction")
    assert got.shape == ids.shape and set(got) <= set(DIRECTIONS)


def test_kpi_info_errors():
    with pytest.raises(ValueError, match="kpi_id 'nope' unknown"):
        kpi_info("nope", "target")
    with pytest.raises(ValueError, match="kpi_id 'x' unknown"):
        kpi_info(["csi", "x"], "target")
    with pytest.raises(ValueError, match=r"field 'colour' unknown.*name_zh.*target"):
        kpi_info("csi", "colour")
    with pytest.raises(ValueError, match="shapes"):
        kpi_info(["csi", "rework_rate"], ["target", "unit", "name_zh"])


def test_library_frame_en_and_zh():
    en = library_frame()
    assert list(en.columns) == list(FIELDS) and len(en) == len(LIBRARY)
    assert en.set_index("id").loc["monthly_intake", "target"] == 650
    assert np.isnan(en.set_index("id").loc["sfu_rate", "target"])
    zh = library_frame("zh")
    assert tuple(zh.columns) == LIBRARY_HEADERS_ZH == (
        "编号", "中文名", "英文名", "公式", "方向", "默认目标", "单位", "可加",
        "类别", "部门", "来源", "说明", "DMS计算定义")
    row = zh.set_index("编号").loc["rework_rate"]
    assert row["方向"] == "反向" and row["默认目标"] == 0.03 and row["可加"] == "否"
    with pytest.raises(ValueError, match="lang"):
        library_frame("fr")


def test_round_trip_through_a_real_xlsx(tmp_path):
    path = tmp_path / "lib.xlsx"
    library_frame("zh").to_excel(path, sheet_name="指标库", index=False)
    back = pd.read_excel(path, sheet_name="指标库")
    assert from_frame(back) == LIBRARY
    assert from_frame(library_frame("en")) == LIBRARY


def test_from_frame_user_edits():
    zh = library_frame("zh")
    zh["默认目标"] = zh["默认目标"].astype(object)               # as typed in a sheet: text or numbers
    zh.loc[zh["编号"] == "return_rate", "方向"] = "不低于"      # gate wording
    zh.loc[zh["编号"] == "rework_rate", "默认目标"] = "2%"
    zh.loc[zh["编号"] == "csi", "默认目标"] = 95                # points on a % KPI
    new = {h: "" for h in LIBRARY_HEADERS_ZH}
    new.update({"编号": "body_revenue", "中文名": "钣喷产值", "方向": "正向",
                "默认目标": "1,500", "单位": "元", "可加": "是"})
    blank = {h: None for h in LIBRARY_HEADERS_ZH}
    zh = pd.concat([zh, pd.DataFrame([new, blank])], ignore_index=True)
    lib = {k["id"]: k for k in from_frame(zh)}
    assert lib["return_rate"]["direction"] == "min"
    assert lib["rework_rate"]["target"] == pytest.approx(0.02)
    assert lib["csi"]["target"] == pytest.approx(0.95)
    b = lib["body_revenue"]
    assert b["target"] == 1500 and b["additive"] is True and b["direction"] == "higher"
    assert b["formula_en"] == ""
    assert len(lib) == len(LIBRARY) + 1                      # blank row skipped


def test_from_frame_lists_every_bad_row():
    zh = library_frame("zh").head(5).copy()
    zh["默认目标"] = zh["默认目标"].astype(object)
    zh.loc[1, "方向"] = "sideways"
    zh.loc[2, "默认目标"] = "lots"
    zh.loc[3, "编号"] = "return_rate"                          # duplicate of row 2
    zh.loc[4, "可加"] = "maybe"
    with pytest.raises(ValueError) as info:
        from_frame(zh)
    msg = str(info.value)
    assert "4 bad row(s)" in msg
    for row in ("row 3 方向", "row 4 默认目标", "row 5 编号", "row 6 可加"):
        assert row in msg
    assert [p[0] for p in info.value.problems] == [3, 4, 5, 6]
    # StoreBook tables carry the Excel row in `_row`
    zh["_row"] = [10, 11, 12, 13, 14]
    with pytest.raises(ValueError, match="row 11 方向"):
        from_frame(zh)
    with pytest.raises(ValueError, match="编号"):
        from_frame(pd.DataFrame({"中文名": ["x"]}))

