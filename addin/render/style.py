"""The house style: one set of fonts, colours and cell formats for everything kpi4s writes.

Sheets (the report, history, period and target sheets, the store-workbook template) use the
named cell styles of :data:`STYLES` (xlsxwriter format properties); printed documents (forms,
letters, plans) use the document fonts. Change a colour here and every output follows.
"""
from __future__ import annotations

from types import MappingProxyType

FONT = "微软雅黑"                       # sheets
DOC_SERIF, DOC_SANS, DOC_LATIN = "宋体", "黑体", "Times New Roman"   # printed documents

NAVY = "#1F4E79"
BLUE = "#2E75B6"
LIGHT_BLUE = "#9BC2E6"
GRID = "#BFBFBF"
GREY_TEXT = "#595959"
NOTE_TEXT = "#666666"
TILE = "#F2F2F2"
INPUT = "#FFF9E5"
SUB_FILL = "#EAF1FB"
RED = "#C00000"
GREEN = "#2E7D32"
AMBER = "#C65911"
BEHIND_FILL = "#FDE2E1"

GRADE_FILL = MappingProxyType({"A": "#C6EFCE", "B": "#DDEBF7", "C": "#FFFFFF", "D": "#FFEB9C", "E": "#FFC7CE"})
GRADE_FONT = MappingProxyType({"A": "#006100", "B": "#1F4E79", "C": "#000000", "D": "#9C5700", "E": "#9C0006"})

MONEY = "#,##0.00"
MONEY0 = "#,##0"
SCORE = "0.00"                          # totals are stored at 2 decimals: show what is stored
PCT = "0.0%"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
PACE = "+0.0%;-0.0%;0.0%"

_BASE = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
_CELL = dict(_BASE, border=1, border_color=GRID)
_TILE = dict(_BASE, bold=True, align="center", bg_color=TILE, bottom=1, left=1, right=1, border_color=GRID)
_TOTAL = dict(_CELL, bold=True, bg_color=TILE)

STYLES = MappingProxyType({
    "title": dict(_BASE, bold=True, font_size=16, font_color=NAVY),
    "title_small": dict(_BASE, bold=True, font_size=13, font_color=NAVY),
    "sub": dict(_BASE, font_color=GREY_TEXT, font_size=9),
    "note": dict(_BASE, font_color=NOTE_TEXT, font_size=9),
    "section": dict(_BASE, bold=True, font_size=12, font_color=NAVY, bottom=2, bottom_color=NAVY),
    "head": dict(_CELL, bold=True, font_color="#FFFFFF", bg_color=NAVY, align="center", text_wrap=True),
    "head_month": dict(_CELL, bold=True, font_color="#FFFFFF", bg_color=BLUE, align="center"),
    "text": _CELL,
    "wrap": dict(_CELL, text_wrap=True, valign="top"),
    "bold": dict(_CELL, bold=True),
    "int": dict(_CELL, num_format="0", align="center"),
    "number": dict(_CELL, num_format="#,##0.##"),
    "score": dict(_CELL, num_format=SCORE),
    "pct": dict(_CELL, num_format=PCT),
    "pace": dict(_CELL, num_format=PACE),
    "money": dict(_CELL, num_format=MONEY),
    "money0": dict(_CELL, num_format=MONEY0),
    "date": dict(_CELL, num_format=DATE),
    "datetime": dict(_CELL, num_format=DATETIME),
    "month": dict(_CELL, align="center"),
    "grade": dict(_CELL, bold=True, align="center"),
    "action": dict(_CELL, bold=True, font_color="#9C0006"),
    "ok": dict(_CELL, font_color=GREEN),
    "bad": dict(_CELL, bold=True, font_color=RED),
    "warn": dict(_CELL, bold=True, font_color=AMBER),
    "muted": dict(_CELL, font_color=NOTE_TEXT, font_size=9),
    "input": dict(_CELL, bg_color=INPUT),
    "tile_label": dict(_BASE, font_color=GREY_TEXT, align="center", bg_color=TILE, top=1, left=1, right=1,
                       border_color=GRID),
    "tile_int": dict(_TILE, font_size=18, num_format="0"),
    "tile_score": dict(_TILE, font_size=18, num_format="0.0"),
    "tile_money": dict(_TILE, font_size=16, num_format=MONEY0),
    "total_text": _TOTAL,
    "total_int": dict(_TOTAL, num_format="0", align="center"),
    "total_score": dict(_TOTAL, num_format=SCORE),
    "total_pct": dict(_TOTAL, num_format=PCT),
    "total_money": dict(_TOTAL, num_format=MONEY),
    "store_row": dict(_CELL, bold=True, bg_color=TILE),
    "subtotal": dict(_CELL, bold=True, bg_color=SUB_FILL),
    "figure": dict(_CELL, num_format="#,##0.0###"),          # DMS实绩: rates and amounts in one column
    "hours": dict(_CELL, num_format="#,##0.0"),              # 车间分析: hours
    "ratio": dict(_CELL, num_format="0.00"),                 # 车间分析: hours per order, parts-to-labour
    "total_hours": dict(_TOTAL, num_format="#,##0.0"),
    "total_ratio": dict(_TOTAL, num_format="0.00"),
    "total_money0": dict(_TOTAL, num_format=MONEY0),
    "total_number": dict(_TOTAL, num_format="#,##0.##"),
    "subtotal_int": dict(_CELL, bold=True, bg_color=SUB_FILL, num_format="0", align="center"),
    "subtotal_score": dict(_CELL, bold=True, bg_color=SUB_FILL, num_format=SCORE),
    "subtotal_money": dict(_CELL, bold=True, bg_color=SUB_FILL, num_format=MONEY),
})

# formats of conditional rules (xlsxwriter "dxf" formats)
DXF = MappingProxyType({
    **{f"grade_{g}": {"bg_color": GRADE_FILL[g], "font_color": GRADE_FONT[g], "bold": g in "ADE"} for g in "ABCDE"},
    "alarm": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "red_text": {"font_color": RED, "bold": True},
    "behind": {"bg_color": BEHIND_FILL, "font_color": RED},
})

TOTAL_OF = MappingProxyType({"int": "total_int", "score": "total_score", "pct": "total_pct", "money": "total_money"})


def number_format(unit: str, decimals: int = 0) -> str:
    """The number format of a figure by its unit: % → 0.0%; else thousands with the decimals."""
    if "%" in str(unit) or "％" in str(unit):
        return PCT
    return MONEY0 if decimals <= 0 else "#,##0." + "0" * decimals

# heat maps (KPI attainment, trends): red below target, yellow at target, green above
HEAT_LOW, HEAT_MID, HEAT_HIGH = "#F8696B", "#FFEB84", "#63BE7B"


def heat_scale(low: float, mid: float, high: float) -> dict:
    """A three-colour scale (xlsxwriter conditional format) pinned at these values."""
    return {"type": "3_color_scale", "min_type": "num", "min_value": low, "min_color": HEAT_LOW,
            "mid_type": "num", "mid_value": mid, "mid_color": HEAT_MID,
            "max_type": "num", "max_value": high, "max_color": HEAT_HIGH}
