"""Scorecards that compute with plain Excel formulas — no kpi4s function, no add-in — so a
manager in WPS Office, LibreOffice or an Excel without Python still sees live scores.

The rules are SPEC §3.1/§3.2 as written in udfs/scoring.py and udfs/grading.py; each formula
shows its rule (``=100*权重*完成率``, ``IF(方式="反向",目标/实际,…)``) and reads the policy
numbers from the 设置 sheet through named cells (单项封顶, A级下限 …), so a store that changes
a setting sees it here too. Words typed the way the rest of kpi4s accepts them (正向/higher/up,
KPI/评分, 是/Y …) are looked up in alias tables written from udfs.vocab. Formulas use only
functions that Excel 2010+, WPS and LibreOffice share (no LET/IFS/XLOOKUP); tests recalculate
the built workbook in LibreOffice and compare every case with the worksheet functions.
"""
from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from addin.io import schema as S
from addin.render import style
from udfs import vocab as V
from udfs.policy import FIELDS, LABELS, Policy

# --------------------------------------------------------------------------- parameters
# (named cell, policy field, how a typed value reads: ratio 130 → 130%, share 30 → 30%)
PARAMS = [
    ("单项封顶", "ratio_cap", "ratio"), ("评分上限", "rating_max", "ratio"),
    ("自评权重", "rating_self", "share"), ("上级权重", "rating_manager", "share"), ("互评权重", "rating_peer", "share"),
    ("总分下限", "total_min", None), ("总分上限", "total_max", None), ("否决上限", "veto_cap", None),
    ("总分小数位", "score_decimals", None), ("权重容差", "weight_tolerance", None),
    ("考核项最少", "items_min", None), ("考核项最多", "items_max", None),
    ("A级下限", "a_min", None), ("B级下限", "b_min", None), ("C级下限", "c_min", None), ("E级上限", "e_max", None),
]
ALIASES = {"方向别名": V.DIRECTION, "类型别名": V.ITEM_KIND, "是否别名": V.YES_NO}
RATED = V.ITEM_KIND.label("rated")                      # 评分
D = {c: V.DIRECTION.label(c) for c in V.DIRECTION.codes}  # 正向 反向 反向线性 不低于 不超过

# item columns of a card (1-based)
COLS = ["考核项目", "类型", "权重", "方向", "目标值", "实际值", "自评", "上级评分", "360°评分",
        "计分方式", "完成率", "得分", "核对 =KPI_SCORE()"]
NAME, KIND, WEIGHT, DIRN, TARGET, ACTUAL, SELF, MANAGER, PEER, HOW, RATIO, SCORE, CHECK = range(1, 14)
INPUTS = (NAME, KIND, WEIGHT, DIRN, TARGET, ACTUAL, SELF, MANAGER, PEER)
PARAM_COL = 16                                             # P: parameter block, then the alias tables


def _c(col: int, row: int) -> str:
    return f"{get_column_letter(col)}{row}"


# --------------------------------------------------------------------------- formulas
def how_formula(r: int) -> str:
    """计分方式: 评分 for a rated item, else the direction's standard word (blank = 正向)."""
    n, k, w, d = _c(NAME, r), _c(KIND, r), _c(WEIGHT, r), _c(DIRN, r)
    return (f'=IF(AND({n}="",{w}=""),"",IF(IFERROR(VLOOKUP(TRIM({k}),类型别名,2,FALSE),"")="{RATED}","{RATED}",'
            f'IF(TRIM({d})="","{D["higher"]}",IFERROR(VLOOKUP(TRIM({d}),方向别名,2,FALSE),'
            f'"#KPI! direction \'"&TRIM({d})&"\' unknown"))))')


def _rating(cell: str) -> str:
    return f'IF({cell}="",0,IF({cell}>2,{cell}/100,{cell}))'          # 85 or 0.85 → 85%


def ratio_formula(r: int) -> str:
    """完成率: by direction for a KPI item (clipped to 0…单项封顶); for a rated item the ratings
    blended by the 设置 shares over those present (clipped to 0…评分上限)."""
    h, t, a = _c(HOW, r), _c(TARGET, r), _c(ACTUAL, r)
    s, m, p = _c(SELF, r), _c(MANAGER, r), _c(PEER, r)
    present = f'(({s}<>"")*自评权重+({m}<>"")*上级权重+({p}<>"")*互评权重)'
    rated = (f'IF({present}=0,"",MIN(评分上限,MAX(0,(自评权重*{_rating(s)}+上级权重*{_rating(m)}'
             f'+互评权重*{_rating(p)})/{present})))')
    kpi = (f'IF(OR({t}="",{a}=""),"",IF(NOT(ISNUMBER({a})),"#KPI! actual must be a number",'
           f'IF(NOT(ISNUMBER({t})),"#KPI! target must be a number",'
           f'IF({h}="{D["min"]}",MIN(单项封顶,IF({a}>={t},1,0)),'
           f'IF({h}="{D["max"]}",MIN(单项封顶,IF({a}<={t},1,0)),'
           f'IF(AND({h}="{D["lower"]}",{a}<0),"#KPI! actual must be ≥ 0",'
           f'IF({t}<=0,"#KPI! target must be > 0",'
           f'MIN(单项封顶,MAX(0,IF({h}="{D["higher"]}",{a}/{t},'
           f'IF({h}="{D["lower"]}",IF({a}=0,单项封顶,{t}/{a}),2-{a}/{t}))))))))))')
    return f'=IF({h}="","",IF(LEFT({h},1)="#",{h},IF({h}="{RATED}",{rated},{kpi})))'


def score_formula(r: int) -> str:
    """得分 = 100 × 权重 × 完成率 (a weight over 1 is points: 30 = 30%)."""
    k, w = _c(RATIO, r), _c(WEIGHT, r)
    return (f'=IF(OR({k}="",{w}=""),"",IF(ISTEXT({k}),{k},IF(NOT(ISNUMBER({w})),"#KPI! weight must be a number",'
            f'IF({w}<0,"#KPI! weight must be ≥ 0",IF({w}>100,"#KPI! weight must be ≤ 100%",'
            f'100*IF({w}>1,{w}/100,{w})*{k})))))')


def check_formula(r: int) -> str:
    """The same item through the kpi4s function (text when the add-in is not there)."""
    h = _c(HOW, r)
    return (f'=IF(OR({h}="",{h}="{RATED}"),"",IFERROR(KPI_SCORE({_c(ACTUAL, r)},{_c(TARGET, r)},{_c(WEIGHT, r)},'
            f'{_c(DIRN, r)},单项封顶),"（需 kpi4s 加载项）"))')


@dataclass(frozen=True)
class Card:
    """Where a card's results are: item rows first..last; the total block's cells."""
    first: int
    last: int
    adjustment: str
    veto: str
    items_sum: str
    raw_total: str
    total: str
    grade: str
    grade_zh: str
    weight_sum: str
    weight_check: str
    grade_check: str


def card(ws, top: int, items: list[tuple] | int = 8, adjustment=None, veto=None, title: str | None = None) -> Card:
    """Write a scorecard at row ``top``: a header row, item rows (given as tuples in COLS order
    up to 360°评分, or a count of empty rows), then the total block. Returns its cells."""
    rows = [tuple(it) for it in items] if not isinstance(items, int) else [()] * items
    head = top + (1 if title else 0)
    if title:
        ws.cell(top, 1, title).font = Font(name=style.FONT, bold=True, size=11, color=_rgb(style.NAVY))
    for j, h in enumerate(COLS, 1):
        c = ws.cell(head, j, h)
        c.font, c.fill, c.border = _HEAD_FONT, _HEAD_FILL, _BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    first = head + 1
    for i, values in enumerate(rows):
        r = first + i
        for j, v in zip(INPUTS, values):
            if v is not None and v != "":
                ws.cell(r, j, v)
        for j in INPUTS:
            c = ws.cell(r, j)
            c.font, c.border, c.fill = _BODY, _BORDER, _INPUT
        ws.cell(r, WEIGHT).number_format = "0%"
        for j in (SELF, MANAGER, PEER):
            ws.cell(r, j).number_format = "0%"
        for j, f, fmt in ((HOW, how_formula(r), None), (RATIO, ratio_formula(r), style.PCT),
                          (SCORE, score_formula(r), style.SCORE), (CHECK, check_formula(r), style.SCORE)):
            c = ws.cell(r, j, f)
            c.font, c.border = _BODY if j != SCORE else _BOLD, _BORDER
            if fmt:
                c.number_format = fmt
    last = first + len(rows) - 1
    rng = lambda col: f"{_c(col, first)}:{_c(col, last)}"        # noqa: E731
    b = last + 2
    block = [
        ("加减分", adjustment, style.SCORE, True),
        ("否决项（是/否）", veto, None, True),
        ("考核项得分合计", f"=SUM({rng(SCORE)})", style.SCORE, False),
        ("总分（未计否决项）",
         f'=IF(COUNTIF({rng(HOW)},"?*")=0,"",IF(SUMPRODUCT(({rng(HOW)}<>"")*({rng(SCORE)}=""))>0,"",'
         f'IF(COUNTIF({rng(SCORE)},"#*")>0,"#KPI! 有考核项出错",'
         f'ROUND(MIN(总分上限,MAX(总分下限,{_c(SCORE, b + 2)}+N({_c(SCORE, b)}))),总分小数位))))', style.SCORE, False),
        ("总分",
         f'=IF(ISNUMBER({_c(SCORE, b + 3)}),IF(IFERROR(VLOOKUP(TRIM({_c(SCORE, b + 1)}),是否别名,2,FALSE),"")="是",'
         f'MIN(否决上限,{_c(SCORE, b + 3)}),{_c(SCORE, b + 3)}),{_c(SCORE, b + 3)})', style.SCORE, False),
        ("等级",
         f'=IF(NOT(ISNUMBER({_c(SCORE, b + 4)})),"",IF({_c(SCORE, b + 4)}>=A级下限,"A",IF({_c(SCORE, b + 4)}>=B级下限,"B",'
         f'IF({_c(SCORE, b + 4)}>=C级下限,"C",IF({_c(SCORE, b + 4)}>E级上限,"D","E")))))', None, False),
        ("等级（中文）",
         f'=IF({_c(SCORE, b + 5)}="","",CHOOSE(MATCH({_c(SCORE, b + 5)},{{"A","B","C","D","E"}},0),'
         + ",".join(f'"{V.GRADE.label(g)}"' for g in V.GRADES) + "))", None, False),
        ("权重合计", f'=IFERROR(SUMPRODUCT({rng(WEIGHT)}/(1+99*({rng(WEIGHT)}>1)))*100,"#KPI! weight must be a number")',
         "0.0", False),
        ("权重与项数检查",
         f'=IF(ISTEXT({_c(SCORE, b + 7)}),{_c(SCORE, b + 7)},IF(ABS({_c(SCORE, b + 7)}-100)>权重容差,'
         f'"权重合计 "&TEXT({_c(SCORE, b + 7)},"0.0")&"%，应为100%",IF(OR(COUNTIF({rng(HOW)},"?*")<考核项最少,'
         f'COUNTIF({rng(HOW)},"?*")>考核项最多),"考核项 "&COUNTIF({rng(HOW)},"?*")&" 个，应为"&考核项最少&"–"&考核项最多&"个",'
         f'"正确")))', None, False),
        ("核对 =GRADE()", f'=IF({_c(SCORE, b + 4)}="","",IFERROR(GRADE({_c(SCORE, b + 4)}),"（需 kpi4s 加载项）"))',
         None, False),
    ]
    for k, (label, value, fmt, is_input) in enumerate(block):
        r = b + k
        lc = ws.cell(r, RATIO, label)
        lc.font, lc.alignment = _BOLD, Alignment(horizontal="right")
        c = ws.cell(r, SCORE, value)
        c.font, c.border = (_BODY if is_input else _BOLD), _BORDER
        if is_input:
            c.fill = _INPUT
        if fmt:
            c.number_format = fmt
    dv = DataValidation(type="list", formula1='"' + ",".join(V.YES_NO.choices) + '"', allow_blank=True)
    dv.add(_c(SCORE, b + 1))
    ws.add_data_validation(dv)
    return Card(first, last, _c(SCORE, b), _c(SCORE, b + 1), _c(SCORE, b + 2), _c(SCORE, b + 3), _c(SCORE, b + 4),
                _c(SCORE, b + 5), _c(SCORE, b + 6), _c(SCORE, b + 7), _c(SCORE, b + 8), _c(SCORE, b + 9))


# --------------------------------------------------------------------------- parameters and aliases
def parameters(wb, ws, top: int = 3) -> None:
    """The 计算参数 block (from 设置, by label) and the alias tables, with their workbook names."""
    col = PARAM_COL
    head = [("计算参数", "设置值", "计算用")]
    for j, h in enumerate(head[0]):
        c = ws.cell(top, col + j, h)
        c.font, c.fill, c.border = _HEAD_FONT, _HEAD_FILL, _BORDER
    defaults = Policy()
    for i, (name, field, kind) in enumerate(PARAMS, top + 1):
        label = LABELS[field]
        default = getattr(defaults, field)
        raw, use = _c(col + 1, i), _c(col + 2, i)
        ws.cell(i, col, name).font = _BODY
        ws.cell(i, col + 1, f'=IFERROR(INDEX(\'{S.SETTINGS}\'!$B:$B,MATCH("{label}",\'{S.SETTINGS}\'!$A:$A,0))&"","")').font = _NOTE
        scale = {"ratio": f"IF(--{raw}>5,--{raw}/100,--{raw})", "share": f"IF(--{raw}>1,--{raw}/100,--{raw})"}
        ws.cell(i, col + 2, f'=IF({raw}="",{default:g},{scale.get(kind, "--" + raw)})').font = _BODY
        if kind in ("ratio", "share"):
            ws.cell(i, col + 2).number_format = "0%"
        _name(wb, name, f"'{ws.title}'!${get_column_letter(col + 2)}${i}")
        assert FIELDS[field]                                     # every parameter is a policy field
    r = top + len(PARAMS) + 2
    for title, vocab in ALIASES.items():
        for j, h in enumerate((title, "标准")):
            c = ws.cell(r, col + j, h)
            c.font, c.fill, c.border = _HEAD_FONT, _HEAD_FILL, _BORDER
        words = [(w, e.label) for e in vocab.entries for w in dict.fromkeys((e.label, e.code, *e.aliases))]
        for i, (word, label) in enumerate(words, r + 1):
            ws.cell(i, col, word).font = _NOTE
            ws.cell(i, col + 1, label).font = _NOTE
            ws.cell(i, col, word).number_format = "@"
        end = r + len(words)
        _name(wb, title, f"'{ws.title}'!${get_column_letter(col)}${r + 1}:${get_column_letter(col + 1)}${end}")
        r = end + 2
    for j, w in enumerate((12, 10, 10)):
        ws.column_dimensions[get_column_letter(col + j)].width = w


def _name(wb, name: str, ref: str) -> None:
    dn = DefinedName(name, attr_text=ref)
    try:
        wb.defined_names[name] = dn                 # openpyxl ≥ 3.1
    except TypeError:                               # pragma: no cover - older API
        wb.defined_names.append(dn)


# --------------------------------------------------------------------------- the template's sheet
EXAMPLE = [  # the 服务顾问 card of the template, with a month's figures
    ("维修产值", "KPI", 0.30, "正向", 350000, 372000),
    ("单车产值(维修)", "KPI", 0.15, "正向", 800, 836),
    ("客户满意度CSI", "KPI", 0.20, "正向", 0.93, 0.95),
    ("定期保养成功率", "KPI", 0.15, "正向", 0.6, 0.55),
    ("学习与服务规范", "评分", 0.20, None, None, None, 1.0, 0.95, None),
]


def preview_sheet(wb):
    """考核预览: a scorecard computed with native formulas (works without kpi4s), with the
    kpi4s functions beside it as a cross-check, and the rules spelled out."""
    ws = wb.create_sheet(S.PREVIEW)
    ws["A1"] = "考核表预览（服务顾问示例）— 修改黄色单元格，得分、总分和等级用 Excel 原生公式实时计算"
    ws["A1"].font = Font(name=style.FONT, bold=True, size=12, color=_rgb(style.NAVY))
    ws["A2"] = ("WPS、LibreOffice 和未安装 kpi4s 的 Excel 中同样可用。完成率：正向 = 实际÷目标；反向 = 目标÷实际（实际为0得封顶）；"
                "反向线性 = 2−实际÷目标；不低于/不超过 = 达标100%，否则0；限定在 0 至 单项封顶。"
                "评分项 = 自评/上级/360° 按 设置 中的评分权重综合。得分 = 100 × 权重 × 完成率。参数取自 设置 表（右侧 计算参数）。")
    ws["A2"].font = _NOTE
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:M2")
    ws.row_dimensions[2].height = 42
    parameters(wb, ws)
    items = [tuple(list(e) + [None] * (9 - len(e))) for e in EXAMPLE] + [()] * 3
    done = card(ws, 3, items)
    ws.freeze_panes = "A4"
    for col, wd in zip(range(1, 14), (20, 7, 7, 9, 11, 11, 7, 9, 9, 10, 11, 10, 16)):
        ws.column_dimensions[get_column_letter(col)].width = wd
    ws.column_dimensions["K"].width = 18
    ws.print_area = f"A1:M{done.grade_check[1:]}"          # the card; not the parameter tables
    return ws, done


def _rgb(hex_color: str) -> str:
    return hex_color.lstrip("#")


_HEAD_FONT = Font(name=style.FONT, bold=True, color="FFFFFF", size=10)
_HEAD_FILL = PatternFill("solid", fgColor=_rgb(style.NAVY))
_BODY = Font(name=style.FONT, size=10)
_BOLD = Font(name=style.FONT, size=10, bold=True)
_NOTE = Font(name=style.FONT, size=9, color=_rgb(style.NOTE_TEXT))
_INPUT = PatternFill("solid", fgColor=_rgb(style.INPUT))
_BORDER = Border(*(Side(style="thin", color=_rgb(style.GRID)),) * 4)
