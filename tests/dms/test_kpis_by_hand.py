"""Every DMS-computed KPI on the hand-made exports of dmsdata.py, against answers worked out by hand.

September 2026. Repair orders opened in September (not internal): R02 R04 R06 R07 R08 R09 R11 R12;
closed in September (not internal): R02 R04 R06 R07 R08 R11 R12 (R09 still open, R10 internal).
"""
from __future__ import annotations

import shutil

import pytest

import dmsdata as D
from addin import dms

MONTH = D.MONTH


def figure(res, kpi, level="store", who=""):
    f = res.figures
    f = f[(f["month"] == MONTH) & (f["kpi_id"] == kpi) & (f["level"] == level)]
    if level == "person":
        f = f[f["employee_id"] == who]
    elif level == "department":
        f = f[f["department"] == who]
    assert len(f) <= 1
    return None if not len(f) else float(f["actual"].iloc[0])


@pytest.fixture
def res(store):
    book, folder = store
    return dms.compute(book, [folder], MONTH)


def test_intake_per_advisor_and_per_day(res):
    assert figure(res, "monthly_intake", "person", "A1") == 4          # R02 R07 R09 R11
    assert figure(res, "monthly_intake", "person", "A2") == 4          # R04 R06 R08 R12 (R10 internal)
    assert figure(res, "monthly_intake", "department", "服务顾问组") == 8
    assert figure(res, "monthly_intake") == 8
    # 8 repair orders on 7 days (09-01, 02, 05, 10, 15, 20 ×2, 25)
    assert figure(res, "daily_intake") == pytest.approx(8 / 7)
    assert figure(res, "daily_intake", "person", "A1") is None          # a store figure only


def test_revenue_per_repair_and_per_insurance_visit(res):
    # repair = 保养/一般维修/钣喷 closed in September: R02 740, R11 360 (张伟); R04 1720, R06 700, R12 300 (王芳)
    assert figure(res, "revenue_per_repair", "person", "A1") == pytest.approx((740 + 360) / 2)
    assert figure(res, "revenue_per_repair", "person", "A2") == pytest.approx((1720 + 700 + 300) / 3)
    assert figure(res, "revenue_per_repair") == pytest.approx(3820 / 5)
    assert figure(res, "revenue_per_insurance", "person", "A1") == 3600          # R07: 1080 + 2520
    assert figure(res, "revenue_per_insurance", "person", "A2") is None          # no insurance job


def test_rework_at_exactly_n_days_counts_and_n_plus_one_does_not(res, store):
    # 李强: R02 (closed 09-01, back as R03 on 10-01: 30 days) is a rework; R06 R08 R11 are not → 1/4
    assert figure(res, "rework_rate", "person", "T1") == pytest.approx(1 / 4)
    # 刘洋: R04 (closed 09-03, back as R05 on 10-04: 31 days) is not; R07 R12 neither → 0/3
    assert figure(res, "rework_rate", "person", "T2") == 0
    assert figure(res, "rework_rate", "department", "机修车间") == pytest.approx(1 / 7)
    assert figure(res, "rework_rate") == pytest.approx(1 / 7)
    assert figure(res, "first_time_fix_rate", "person", "T1") == pytest.approx(3 / 4)
    assert figure(res, "first_time_fix_rate", "person", "T2") == 1
    assert figure(res, "first_time_fix_rate") == pytest.approx(6 / 7)
    ev = res.evidence["rework_rate"]
    pairs = ev[ev["分子"] == 1][["工单号", "返修工单号", "间隔天数"]].values.tolist()
    assert pairs == [["R02", "R03", 30]]                                 # the pair that made the rework
    assert "R04" in set(ev["工单号"]) and ev.loc[ev["工单号"] == "R04", "返修工单号"].isna().all()
    # R01 (closed 08-31) came back as R11 after 25 days: August's rework, not September's
    aug = dms.compute(store[0], [store[1]], "2026-08", evidence=False, trend=False)
    f = aug.figures
    assert float(f[(f.kpi_id == "rework_rate") & (f.level == "person") & (f.employee_id == "T1")]["actual"].iloc[0]) == 1


def test_workshop_hours_labour_rate_and_parts_ratio(res):
    # 李强: R02 3h 540, R06 1.5h 270, R08 2h 360, R11 2h 360 → 8.5 h, 1530 yuan; parts 200+430+800+0
    assert figure(res, "hours_per_ro", "person", "T1") == pytest.approx(8.5 / 4)
    assert figure(res, "hours_per_ro", "person", "T2") == pytest.approx(11 / 3)           # R04 4, R07 6, R12 1
    assert figure(res, "effective_labour_rate", "person", "T1") == pytest.approx(1530 / 8.5)
    assert figure(res, "effective_labour_rate") == pytest.approx(3510 / 19.5)
    assert figure(res, "parts_to_labour_ratio", "person", "T1") == pytest.approx(1430 / 1530)
    assert figure(res, "parts_to_labour_ratio", "person", "T2") == pytest.approx(3640 / 1980)
    assert figure(res, "parts_to_labour_ratio") == pytest.approx(5070 / 3510)


def test_technician_utilisation_and_efficiency(res):
    # 李强 clocked 3 + 1.5 + 2 + 0.5 = 7 h (times, or 作业工时 when given) of 3 days × 8 h (the day's
    # attendance counted once though it is on two rows); August left out
    assert figure(res, "technician_utilisation", "person", "T1") == pytest.approx(7 / 24)
    assert figure(res, "technician_utilisation", "person", "T2") == pytest.approx(13 / 16)
    assert figure(res, "technician_utilisation") == pytest.approx(20 / 40)
    # efficiency = hours sold on repair orders closed in September ÷ hours clocked
    assert figure(res, "technician_efficiency", "person", "T1") == pytest.approx(8.5 / 7)
    assert figure(res, "technician_efficiency", "person", "T2") == pytest.approx(11 / 13)
    assert figure(res, "technician_efficiency") == pytest.approx(19.5 / 20)


def test_follow_up_rate_and_csi(res):
    # SFU: 张伟 R02 R07 R11 all reached (R11's call on 10-01 counts for a September repair order)
    assert figure(res, "sfu_rate", "person", "A1") == 1
    assert figure(res, "sfu_rate", "person", "A2") == pytest.approx(3 / 4)      # R08 never called
    assert figure(res, "sfu_rate") == pytest.approx(6 / 7)
    # CSI: surveys in September: R02 10 ✓, R07 9 ✓ (= the 9-point line) | R04 是 ✓, R06 8 ✗, R12 不满意 ✗
    assert figure(res, "csi", "person", "A1") == 1
    assert figure(res, "csi", "person", "A2") == pytest.approx(1 / 3)
    assert figure(res, "csi") == pytest.approx(3 / 5)


def test_complaints_claims_and_parts(res):
    # complaints: R08 → its advisor 王芳; no repair order → the 责任人 张伟; October's left out
    assert figure(res, "complaint_rate", "person", "A1") == pytest.approx(1 / 3)
    assert figure(res, "complaint_rate", "person", "A2") == pytest.approx(1 / 4)
    assert figure(res, "complaint_rate") == pytest.approx(2 / 7)
    assert figure(res, "claim_approval_rate", "person", "P1") == pytest.approx(1 / 2)
    assert figure(res, "claim_approval_rate") == pytest.approx(2 / 3)
    # turnover: 5000 × 12 ÷ ((60000 + 40000) / 2); fill: (3 sales − 1 emergency) ÷ (3 sales + 1 lost)
    assert figure(res, "parts_turnover") == pytest.approx(1.2)
    assert figure(res, "parts_fill_rate") == pytest.approx(0.5)


def test_maintenance_reminders(res):
    # reminded in September: C4 came (R06 保养 09-05), C1 did not (R11 is a repair), C9 marked 是到店 → 陈静 2/3;
    # C10 (张伟) never came → 0
    assert figure(res, "reminder_success_rate", "person", "K1") == pytest.approx(2 / 3)
    assert figure(res, "reminder_success_rate", "person", "A1") == 0
    assert figure(res, "reminder_success_rate") == pytest.approx(2 / 4)
    # due in September: C4 (done: R06 within 30 days of 09-08), C1 (no), C2 (no maintenance) → 1/3
    assert figure(res, "maintenance_rate", "person", "K1") == pytest.approx(1 / 3)
    assert figure(res, "maintenance_rate") == pytest.approx(1 / 3)


def test_customer_at_the_twelve_month_edge(res):
    # on file at 09-30: C1…C11 (C12 filed in October). Seen since 2025-10-01: C1–C7, and C9 whose only
    # visit was 2025-10-01 08:00 (the first day of the window); C10 (2025-09-30) and C8, C11 not.
    assert figure(res, "return_rate") == pytest.approx(8 / 11)
    assert figure(res, "base_customers") == 8
    assert figure(res, "return_rate", "person", "A1") == 1                 # C1 C2 C5 C7 C9
    assert figure(res, "return_rate", "person", "A2") == pytest.approx(3 / 5)   # C3 C4 C6 of C3 C4 C6 C10 C11
    assert figure(res, "base_customers", "person", "A2") == 3
    ev = res.evidence["return_rate"]
    assert set(ev.loc[ev["分子"] == 1, "客户"]) == {"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C9"}
    assert set(ev.loc[ev["分子"] == 0, "客户"]) == {"C8", "C10", "C11"}


def test_gbk_and_utf8_exports_give_the_same_figures(store, tmp_path):
    book, folder = store
    gbk = tmp_path / "gbk"
    shutil.copytree(folder, gbk)
    for name, (head, rows) in D.EXPORTS.items():
        D.write_csv(gbk / f"{name}.csv", head, rows, encoding="gbk", title="维修工单明细 导出时间：2026-10-08")
    with pytest.raises(UnicodeDecodeError):
        (gbk / "维修工单.csv").read_bytes().decode("utf-8")               # really GBK
    a = dms.compute(book, [folder], MONTH).figures
    b = dms.compute(book, [gbk], MONTH).figures
    assert a.sort_values(list(a.columns[:6])).reset_index(drop=True).equals(
        b.sort_values(list(b.columns[:6])).reset_index(drop=True))


def test_renamed_headers_and_words(store, tmp_path):
    """A DMS saying 进厂时间 / 车架号 / 接待员 is read as it is; 来厂日期 and 首保 are fixed in DMS映射."""
    book, folder = store
    head = ["工单号", "进厂时间", "交车时间", "车架号", "车牌号", "客户编号", "接待员", "维修技师", "业务类型", "故障描述",
            "工时数", "工时金额", "材料金额", "是否预约"]
    D.write_csv(folder / "维修工单.csv", head, D.RO)
    res = dms.compute(book, [folder], MONTH)
    assert figure(res, "rework_rate", "person", "T1") == pytest.approx(1 / 4)
    # a store whose DMS says 来厂日期 and writes 首保 for a maintenance job: one cell each in DMS映射
    head[1] = "来厂日期"
    rows = [r[:8] + (["首保"] if r[8] == "保养" else [r[8]]) + r[9:] for r in D.RO]
    D.write_csv(folder / "维修工单.csv", head, rows)
    from addin.io.problems import BookError
    with pytest.raises(BookError) as err:
        dms.compute(book, [folder], MONTH)
    assert "维修工单.csv" in str(err.value) and "开单时间" in str(err.value)
    mapping = [row for row in _mapping(book)]
    for row in mapping:
        if row[0] == "维修工单" and row[1] == "opened":
            row[3] += "/来厂日期"
    fixed = D.make_book(tmp_path / "fixed.xlsx", **{"DMS映射": mapping})
    res = dms.compute(fixed, [folder], MONTH)
    assert figure(res, "monthly_intake") == 8 and figure(res, "rework_rate") == pytest.approx(1 / 7)
    # 首保 is already a built-in spelling of 保养 (and a new word would be added the same way)
    assert figure(res, "revenue_per_repair") == pytest.approx(3820 / 5)


def _mapping(book):
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("DMS映射").to_python()
    return [list(r) for r in rows[1:] if r and r[0]]
