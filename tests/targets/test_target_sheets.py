"""The five 目标分解 output sheets (addin.render.targets), rendered to .xlsx and read back."""
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from addin.io import schema as S
from addin.render.sheet import Chart, to_xlsx, values
from addin.render.targets import TARGET_SHEETS, summary_text, target_sheets
from workbook import build_targets as bt

MONTHS = list(S.MONTH_HEADERS)


@pytest.fixture(scope="module")
def book(model):
    data, streams = to_xlsx(target_sheets(model))
    assert streams == {}
    return openpyxl.load_workbook(io.BytesIO(data))


def frame(ws, header_row=3) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    head = [str(h) if h is not None else f"_{i}" for i, h in enumerate(rows[header_row - 1])]
    return pd.DataFrame(rows[header_row:], columns=head).dropna(how="all").reset_index(drop=True)


def test_the_five_sheets_in_order_with_the_house_layout(book, model):
    assert book.sheetnames == list(TARGET_SHEETS) == [S.OUT_MONTHS, S.OUT_WEEKS, S.OUT_OWNERS, S.OUT_CHECKS, S.PROGRESS]
    for ws in book:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 8      # A3
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)   # 1 = default
        assert ws.page_setup.fitToHeight == 0
        assert ws["A3"].font.b and ws["A3"].fill.fgColor.rgb.endswith("1F4E79")               # the header
        assert ws["A1"].font.b and ws["A1"].font.sz == 13
    assert book[S.OUT_MONTHS].freeze_panes == "C4" and book[S.OUT_CHECKS].freeze_panes == "A4"
    assert book[S.PROGRESS]["A1"].value.startswith("目标进度（截至 2026-09-30，年度时间进度 74.8%")
    assert [sh.name for sh in target_sheets(model)] == list(TARGET_SHEETS)
    assert values(target_sheets(model)[0])[2][0] == "指标"              # the xlwings door's values


def test_months_sheet(book):
    ws = book[S.OUT_MONTHS]
    months = frame(ws).set_index("指标")
    rev = months.loc["售后产值"]
    assert rev["年度目标"] == 6_000_000 and rev["分解方式"] == "去年实绩" and rev["类型"] == "可加"
    q = rev[["Q1", "Q2", "Q3", "Q4"]].astype(float).to_numpy()
    m = rev[MONTHS].astype(float).to_numpy()
    assert q.sum() == 6_000_000 and (m.reshape(4, 3).sum(axis=1) == q).all()
    for name in ("售后产值", "接车台次", "配件采购额", "精品销售额", "汽车讲堂", "技术讲座"):
        assert months.loc[name, "合计校验"] == "✓", name
    assert months.loc["接车台次", "日历"] == "法定节假日"
    csi = months.loc["客户满意度CSI"]
    assert csi["类型"] == "不可加" and csi["合计校验"] == "复制" and csi["分解方式"] == "—"
    assert csi[["Q1"] + MONTHS].astype(float).tolist() == [0.93] * 13
    r = 4 + list(months.index).index("客户满意度CSI")
    assert ws.cell(r, 6).number_format == "0.0%" and ws.cell(r, 7).font.sz == 9       # copied parts muted
    assert ws["F4"].number_format == "#,##0" and ws["A4"].font.b
    assert ws.cell(4, 23).font.color.rgb.endswith("2E7D32")                           # ✓ in green


def test_weeks_sheet(book, model):
    weeks = frame(book[S.OUT_WEEKS])
    col = next(c for c in weeks.columns if c.startswith("售后产值"))
    assert col == "售后产值\n(元)"
    assert not any(c.startswith("客户满意度") for c in weeks.columns)   # rates are not split over weeks
    body = weeks[weeks["周"] != "小计"]
    m = model.indicators.set_index("indicator").loc["售后产值", [f"m{k}" for k in range(1, 13)]].to_numpy(float)
    for k, month in enumerate(MONTHS):
        pieces = body.loc[body["月份"] == month, col].astype(float)
        subtotal = weeks.loc[(weeks["月份"] == month) & (weeks["周"] == "小计"), col].astype(float).item()
        assert pieces.sum() == subtotal == m[k]
    assert body["周"].iloc[0] == "W01" and body["周"].iloc[-1] == "W53"
    assert "工作日\n(法定节假日)" in weeks.columns and "工作日\n(周一至周五)" in weeks.columns
    ws = book[S.OUT_WEEKS]
    assert ws["C4"].number_format == "yyyy-mm-dd" and str(ws["C4"].value)[:10] == "2026-01-01"
    assert body["天数"].astype(int).sum() == 365


def test_owners_sheet(book, model):
    sheet = frame(book[S.OUT_OWNERS])
    assert sheet["年度目标"].astype(float).tolist() == model.owners["annual"].tolist()
    assert sheet["责任人（层级）"].iloc[0] == "全店" and sheet["指标"].iloc[0] == "售后产值"
    assert sheet["责任人（层级）"].iloc[1] == "└ 保险理赔"
    assert sheet["责任人（层级）"].iloc[5] == "　　　　└ E1002 顾问1"       # level 3
    assert sheet["责任类型"].iloc[1] == "业务线" and sheet["责任类型"].iloc[5] == "员工"
    assert sheet["占上级比例"].iloc[5] == pytest.approx(0.12)
    csi = sheet[sheet["责任人（层级）"].astype(str).str.contains("客服部")]
    assert (csi[MONTHS].astype(float).to_numpy() == 0.93).any(axis=1).any()
    ws = book[S.OUT_OWNERS]
    assert ws["A4"].fill.fgColor.rgb.endswith("F2F2F2") and ws["D5"].number_format == "0.0%"


def test_checks_sheet(book):
    checks = frame(book[S.OUT_CHECKS])
    text = "\n".join(" ".join(map(str, r)) for r in checks.itertuples(index=False))
    assert "6,000,000 元 ÷ 接车台次 7,800 台 = 769 元/台" in text
    ws = book[S.OUT_CHECKS]
    verdicts = {ws.cell(r, 4).value: ws.cell(r, 4).font.color.rgb for r in range(4, ws.max_row + 1)}
    assert verdicts["相符"].endswith("2E7D32")
    assert next(v for k, v in verdicts.items() if k.startswith("注意")).endswith("C00000")
    assert ws["C4"].alignment.wrap_text


def test_progress_sheet_with_its_chart(book, model):
    pr = frame(book[S.PROGRESS])
    tp = 273 / 365
    store = pr[(pr["指标"] == "售后产值") & (pr["责任人"] == "全店")].iloc[0]
    leaves = [r for r in bt.sample_actuals() if r[1] == "售后产值"]
    assert store["累计实绩"] == sum(r[3] for r in leaves)
    assert store["时间进度"] == pytest.approx(tp)
    assert store["差距"] == pytest.approx(store["完成率"] - tp)
    assert set(pr["状态"]) <= {"正常", "按计划", "落后", "达标", "未达标", "无实绩"}
    e1006 = pr[(pr["指标"] == "售后产值") & (pr["责任人"] == "E1006 顾问5")].iloc[0]
    assert e1006["状态"] == "落后"
    rework = pr[(pr["指标"] == "返修率") & (pr["责任人"] == "机修车间")].iloc[0]
    assert rework["累计实绩"] == pytest.approx(0.023) and rework["状态"] == "未达标"
    ws = book[S.PROGRESS]
    r = 4 + int(np.flatnonzero((pr["责任人"] == "E1006 顾问5").to_numpy())[0])
    assert ws.cell(r, 2).font.color.rgb.endswith("C00000") and ws.cell(r, 2).fill.fgColor.rgb.endswith("FDE2E1")
    assert ws.cell(r, 9).number_format == "+0.0%;-0.0%;0.0%" and ws.cell(r, 6).number_format == "0.0%"
    assert ws.cell(r, 15).font.color.rgb.endswith("C00000")
    # the chart: one bar series over the data block right of the table, on its own printed page
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    ref = chart.series[0].val.numRef.f
    assert "$R$4" in ref                                               # the pace column of the data block
    n_bars = int(((pr["状态"] != "无实绩") & model.progress["additive"].to_numpy()).sum())
    assert ref.endswith(f"$R${3 + n_bars}")
    assert ws["Q3"].value == "图表：指标·责任人" and ws["Q4"].value == "售后产值·全店"
    assert ws["R4"].value == pytest.approx(store["差距"])
    assert len(chart.series[0].dPt) == int((model.progress["pace"] < 0).sum())       # red points: behind time
    assert [b.id for b in ws.row_breaks.brk] == [3 + len(pr) + 1]
    # the data block is hidden only where the renderer can tell Excel to plot hidden cells
    hidden = "show_hidden" in Chart.__dataclass_fields__
    assert [ws.column_dimensions[c].hidden for c in "PQR"] == [hidden] * 3
    assert not any(ws.column_dimensions[c].hidden for c in "ABCDEFGHIJKLMNO")


def test_summary_text(model):
    text = summary_text(model)
    assert text.splitlines()[0] == "目标分解 2026 年：13 个指标，32 个责任人，进度截至 2026-09-30"
    assert "769 元/台" in text and "[相符] 年度 = 四个季度之和" in text
    assert "进度落后（低于时间进度和计划进度）" in text and "售后产值 / E1006 顾问5：完成 63.7%" in text
    short = summary_text(model, limit=2)
    assert "… 另有" in short and "见「进度」表" in short
