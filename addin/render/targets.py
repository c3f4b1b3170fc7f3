"""The 目标分解 output sheets as SheetSpecs: 目标-月度, 目标-周, 目标-责任, 目标校验, 进度.

Each sheet: a title (row 1), a note saying what adds up to what (row 2), a header (row 3) and
one row per indicator / week piece / owner / check / progress node, frozen below the header,
printed landscape on A3 fitted to the width. 进度 adds a bar chart of the pace (差距) with the
nodes behind time progress in red, printed on its own page; its data block sits in hidden
columns right of the table. :func:`summary_text` is what the button and the command line say.
"""
from __future__ import annotations

import numpy as np

from addin.io.schema import MONTH_HEADERS, OUT_CHECKS, OUT_MONTHS, OUT_OWNERS, OUT_WEEKS, PROGRESS
from addin.targets import MONTHS, QUARTERS, Model, behind
from addin.targets.progress import BEHIND, LAGGING, MET, MISSED, ON_PLAN, ON_TIME
from udfs.dates import time_progress, week_segments
from udfs.vocab import ADDITIVE, CALENDAR, OWNER_TYPE, SPLIT

from .sheet import Chart, SheetSpec
from .style import AMBER, BEHIND_FILL, GREEN, NOTE_TEXT, PACE, PCT, RED, STYLES, number_format

TARGET_SHEETS = (OUT_MONTHS, OUT_WEEKS, OUT_OWNERS, OUT_CHECKS, PROGRESS)
Q_HEADERS = ["Q1", "Q2", "Q3", "Q4"]
CM = 37.8                                       # pixels per centimetre (96 dpi)
FIRST = 3                                       # 0-based row of the first table row (under the header)


def style(base: str = "text", fmt: str | None = None, **extra):
    """A house style, optionally with a number format and font/fill changes (xlsxwriter props)."""
    if fmt is None and not extra:
        return base
    return {**STYLES[base], **({"num_format": fmt} if fmt else {}), **extra}


def _sheet(name: str, title: str, note: str, headers: list, widths: list) -> SheetSpec:
    sh = SheetSpec(name, paper=8, fit=(1, 0), zoom=90, freeze=(FIRST, 2), repeat_rows=(FIRST - 1, FIRST - 1))
    sh.put(0, 0, title, "title_small")
    sh.put(1, 0, note, "note")
    sh.row(FIRST - 1, headers, "head")
    sh.column_widths(widths)
    sh.heights[FIRST - 1] = 30
    return sh


# --------------------------------------------------------------------------- 目标-月度
def months_sheet(model: Model) -> SheetSpec:
    ind = model.indicators
    headers = ["指标", "单位", "类型", "分解方式", "日历", "年度目标", *Q_HEADERS, *MONTH_HEADERS, "合计校验"]
    sh = _sheet(OUT_MONTHS, f"{model.year} 年目标分解：年度 → 季度 → 月度",
                "可加指标按分解方式拆分，各季之和=年度、各月之和=季度（精确到单位精度）；"
                "不可加指标（比率、单车、日均）复制年度目标。",
                headers, [18, 7, 7, 9, 10, 13, 12, 12, 12, 12] + [11] * 12 + [9])
    for i, r in enumerate(ind.to_dict("records")):
        fmt = number_format(r["unit"], int(r["decimals"]))
        months = np.array([r[k] for k in MONTHS], dtype=float)
        quarters = np.array([r[k] for k in QUARTERS], dtype=float)
        unit = 10.0 ** int(r["decimals"])
        add = bool(r["additive"])
        ok = (round(quarters.sum() * unit) == round(r["target"] * unit)
              and np.array_equal(np.round(months.reshape(4, 3).sum(axis=1) * unit), np.round(quarters * unit)))
        check = ("✓" if ok else "✗") if add else "复制"
        parts = "text" if add else "muted"
        sh.row(FIRST + i, [r["indicator"], r["unit"], ADDITIVE.label("additive" if add else "copied"),
                           SPLIT.label(r["method"]) if add else "—", CALENDAR.label(r["calendar"]) if add else "—",
                           r["target"], *quarters, *months, check],
               ["bold", "text", "text", "text", "text", style("text", fmt)] + [style(parts, fmt)] * 16
               + [style("ok" if check == "✓" else "bad" if check == "✗" else "muted", align="center")])
    return sh


# --------------------------------------------------------------------------- 目标-周
def weeks_sheet(model: Model) -> SheetSpec:
    ind = model.indicators
    add = np.flatnonzero(ind["additive"].to_numpy(dtype=bool))
    seg = model.segments
    cals = sorted(set(ind["calendar"]) | {"weekend"}, key=CALENDAR.codes.index)
    wd = {c: week_segments(model.year, c)["workdays"].to_numpy() for c in cals}
    cal_head = {"weekend": "工作日\n(周一至周五)", "cn": "工作日\n(法定节假日)"}
    names, units = ind["indicator"].to_numpy(), ind["unit"].to_numpy()
    headers = ["月份", "周", "起", "止", "天数"] + [cal_head[c] for c in cals] + \
        [f"{names[k]}\n({units[k]})" for k in add]
    sh = _sheet(OUT_WEEKS, f"{model.year} 年周目标（ISO 周，跨月的周按月切分）",
                "每月的目标按周内天数分到各周（分解方式为工作日的按该指标日历的工作日）；每月小计 = 月目标。"
                "不可加指标各周同年度目标，不在此列出。",
                headers, [7, 10, 11, 11, 6] + [10] * len(cals) + [14] * len(add))
    fmts = [number_format(units[k], int(ind["decimals"].iloc[k])) for k in add]
    body = ["text", "text", "date", "date", "int"] + ["int"] * len(cals) + [style("text", f) for f in fmts]
    total = ["subtotal"] * 2 + [style("subtotal", "yyyy-mm-dd")] * 2 + [style("subtotal", "0")] * (1 + len(cals)) + \
        [style("subtotal", f) for f in fmts]
    w = model.weeks[add]
    m_all = ind[MONTHS].to_numpy(dtype=float)[add]
    seg_month, days = seg["month"].to_numpy(), seg["days"].to_numpy()
    r = FIRST
    for mo in range(1, 13):                                   # 12 months
        pick = np.flatnonzero(seg_month == mo)
        for s in pick:
            sh.row(r, [f"{mo}月", seg["label"].iloc[s], seg["start"].iloc[s], seg["end"].iloc[s], int(days[s])]
                   + [int(wd[c][s]) for c in cals] + list(w[:, s]), body)
            r += 1
        sh.row(r, [f"{mo}月", "小计", None, None, int(days[pick].sum())] + [int(wd[c][pick].sum()) for c in cals]
               + list(w[:, pick].sum(axis=1)), total)
        if not np.allclose(w[:, pick].sum(axis=1), m_all[:, mo - 1], rtol=0, atol=1e-9):
            sh.put(r, 1, "小计≠月目标", style("subtotal", font_color=RED))
        r += 1
    return sh


# --------------------------------------------------------------------------- 目标-责任
def owners_sheet(model: Model) -> SheetSpec:
    nodes = model.owners
    headers = ["指标", "责任人（层级）", "责任类型", "占上级比例", "年度目标", *Q_HEADERS, *MONTH_HEADERS]
    sh = _sheet(OUT_OWNERS, f"{model.year} 年目标分解：全店 → 业务线 → 部门 → 员工",
                "每个上级的年度和每月目标 = 其下各责任人之和；每个责任人各月之和 = 其年度目标（两向精确取整）。"
                "不可加指标复制给各责任人。", headers, [16, 30, 8, 9, 13, 12, 12, 12, 12] + [11] * 12)
    q = model.months.reshape(-1, 4, 3).sum(axis=2)
    for i, r in enumerate(nodes.to_dict("records")):
        fmt = number_format(r["unit"], int(r["decimals"]))
        level = int(r["level"])
        quarters = q[i] if r["additive"] else np.full(4, r["annual"])
        shown = r["display"] if level == 0 else "　" * (level - 1) * 2 + "└ " + str(r["display"])
        base = "store_row" if level == 0 else "text"
        sh.row(FIRST + i, [r["indicator"] if level == 0 else None, shown, OWNER_TYPE.label(r["type"]),
                           r["share"] if level > 0 else None, r["annual"], *quarters, *model.months[i]],
               [base] * 3 + [style(base, PCT)] + [style(base, fmt)] * 17)
    return sh


# --------------------------------------------------------------------------- 目标校验
def checks_sheet(model: Model) -> SheetSpec:
    sh = _sheet(OUT_CHECKS, f"{model.year} 年目标校验", "各层合计与经理常问的交叉校验（接车、单车产值、营业额是否匹配）。",
                ["类别", "校验", "数据", "结论"], [10, 46, 84, 30])
    sh.freeze = (FIRST, 0)
    for i, (kind, what, data, verdict) in enumerate(model.checks.itertuples(index=False)):
        bad = str(verdict).startswith("注意") or "不符" in str(verdict)
        sh.row(FIRST + i, [kind, what, data, verdict],
               ["wrap"] * 3 + [style("wrap", font_color=RED, bold=True) if bad else style("wrap", font_color=GREEN)])
        lines = max(len(str(what)) / 22, len(str(data)) / 40, len(str(verdict)) / 14, 1)
        sh.heights[FIRST + i] = 15 * int(np.ceil(lines))
    return sh


# --------------------------------------------------------------------------- 进度
PROGRESS_HEADERS = ["指标", "责任人", "单位", "年度目标", "累计实绩", "完成率", "时间进度", "计划进度", "差距",
                    "本月目标", "本月实绩", "本月完成率", "本月时间进度", "本月差距", "状态"]
STATUS_FONT = {ON_TIME: {"font_color": GREEN}, MET: {"font_color": GREEN}, ON_PLAN: {"font_color": AMBER, "bold": True},
               BEHIND: {"font_color": RED, "bold": True}, MISSED: {"font_color": RED, "bold": True}}
MUTED = {"font_color": NOTE_TEXT, "font_size": 9}                 # 无实绩


def progress_sheet(model: Model) -> SheetSpec:
    pr = model.progress
    as_of = model.as_of
    year_tp = float(time_progress(as_of, "year"))
    sh = _sheet(PROGRESS, f"目标进度（截至 {as_of:%Y-%m-%d}，年度时间进度 {year_tp:.1%}）",
                "完成率 = 累计实绩 ÷ 年度目标；时间进度 = 已过天数（工作日分解的按工作日）÷ 全年；差距 = 完成率 − 时间进度（PACE），"
                "为负即落后于时间进度；计划进度按各月目标（含季节性）累计，落后于时间进度但不低于计划进度的标为「按计划」，"
                "两者都落后的标为「落后」（红色）。不可加指标比较最近一月实绩与目标。",
                PROGRESS_HEADERS, [16, 24, 7, 13, 13, 9, 9, 9, 9, 12, 12, 10, 10, 9, 8])
    chart_rows = []
    for i, r in enumerate(pr.to_dict("records")):
        fmt = number_format(r["unit"], int(r["decimals"]))
        lag = r["status"] in LAGGING
        fill = {"bg_color": BEHIND_FILL} if lag else {}
        add_fill = fill if r["additive"] else {}
        values = [r["indicator"], r["display"], r["unit"], r["annual"], r["ytd"], r["done"], r["time_progress"],
                  r["plan"], r["pace"], r["month_target"], r["month_actual"], r["month_done"], r["month_time"],
                  r["month_pace"], r["status"]]
        red = {"font_color": RED}
        styles = ["text", style("text", **fill, **({"font_color": RED, "bold": True} if lag else {})), "text",
                  style("text", fmt), style("text", fmt), style("text", PCT, **fill), style("text", PCT),
                  style("text", PCT), style("text", PACE, **add_fill, **(red if r["pace"] < 0 else {})),
                  style("text", fmt), style("text", fmt), style("text", PCT), style("text", PCT),
                  style("text", PACE, **(red if r["month_pace"] < 0 else {})),
                  style("text", **fill, **STATUS_FONT.get(r["status"], MUTED))]
        sh.row(FIRST + i, values, styles)
        if r["additive"] and not np.isnan(r["done"]):
            chart_rows.append((f"{r['indicator']}·{r['display']}", float(r["pace"])))
    if chart_rows:
        _pace_chart(sh, chart_rows, FIRST + len(pr), as_of)
    return sh


def _pace_chart(sh: SheetSpec, rows: list, end: int, as_of) -> None:
    """The pace bar chart on its own printed page below the table (``end`` = first row after
    it); its data (label, pace) in hidden columns right of the table, outside the print width."""
    col = len(PROGRESS_HEADERS) + 1                       # one blank column, then label | pace
    sh.put(FIRST - 1, col, "图表：指标·责任人", "note")
    sh.put(FIRST - 1, col + 1, "图表差距", "note")
    for k, (label, pace) in enumerate(rows):
        sh.put(FIRST + k, col, label, "note")
        sh.put(FIRST + k, col + 1, pace, style("note", "+0.0%;-0.0%"))
    last = FIRST + len(rows) - 1
    series = {"name": "差距", "categories": (FIRST, col, last, col), "values": (FIRST, col + 1, last, col + 1),
              "color": GREEN, "points": [RED if p < 0 else None for _, p in rows]}
    chart = Chart("bar", [series],
                  title=f"差距 = 完成率 − 时间进度（截至 {as_of:%m-%d}，红色 = 落后于时间进度）",
                  anchor=(end + 1, 0), size=(int(26 * CM), int((0.62 * len(rows) + 3) * CM)), legend=None, gap=40,
                  x_axis={"num_format": "0%", "major_gridlines": {"visible": False}},
                  y_axis={"reverse": True, "label_position": "low"}, show_hidden=True)
    sh.hidden |= {col - 1, col, col + 1}          # the chart's data block, plotted although hidden
    sh.charts.append(chart)
    sh.row_breaks.append(end + 1)                          # after the blank row under the table
    sh.widths.update({col: 28, col + 1: 10})


def target_sheets(model: Model) -> list[SheetSpec]:
    """The five output sheets of the 目标分解 button, in their order."""
    return [months_sheet(model), weeks_sheet(model), owners_sheet(model), checks_sheet(model), progress_sheet(model)]


# --------------------------------------------------------------------------- the message
def summary_text(model: Model, limit: int = 20) -> str:
    """What the button's message box and the command line show (Chinese)."""
    owners = int((model.owners["level"] > 0).sum()) if len(model.owners) else 0
    head = f"目标分解 {model.year} 年：{len(model.indicators)} 个指标，{owners} 个责任人"
    lines = [head + (f"，进度截至 {model.as_of:%Y-%m-%d}" if model.as_of is not None else "")]
    lines += [f"  [{r['结论']}] {r['校验']}：{r['数据']}" for r in model.checks.to_dict("records")]
    late = behind(model.progress)
    if len(late):
        lines.append(f"进度落后（低于时间进度和计划进度）{len(late)} 项：")
        lines += [f"  {r['indicator']} / {r['display']}：完成 {r['done']:.1%}，时间进度 {r['time_progress']:.1%}，"
                  f"差 {r['pace']:+.1%}" for r in late.head(limit).to_dict("records")]
        if len(late) > limit:
            lines.append(f"  … 另有 {len(late) - limit} 项，见「{PROGRESS}」表")
    return "\n".join(lines)
