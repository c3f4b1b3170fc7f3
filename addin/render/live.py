"""Paint SheetSpecs into a live workbook through xlwings (Excel desktop or xlwings Lite).

The same specs the file path writes with xlsxwriter, painted through xlwings' engine-neutral
API so that the button, Run main and the xlwings Lite script give the sheets `kpi4s report`
gives: values (text that Excel would re-read as a number, date or formula is written as text),
then for every group of cells that share a house style its number format, font (name, size,
bold, colour), fill, alignment, wrapping and borders; merges, column widths (in the unit of the
engine: characters on the desktop, points in Office.js), row heights, hidden columns, frozen
panes, gridlines, notes, conditional formats and native charts (type, data, title, series
names and colours, legend, axes).

What xlwings' API does not offer is applied through the desktop object model when there is
one (``.api``: data labels, per-point colours, page set-up) and otherwise skipped and logged,
one feature at a time: the values are always written first. tests/e2e/test_same_sheets.py
replays what the Office.js engine records and compares it with the CLI's file, cell by cell.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict

from .sheet import SheetSpec, pixel_height, plain, values
from .style import DXF, STYLES

log = logging.getLogger(__name__)

SIDES = ("top", "bottom", "left", "right")
_EDGE = {"top": "edge_top", "bottom": "edge_bottom", "left": "edge_left", "right": "edge_right"}
_INNER = {"top": "inside_horizontal", "bottom": "inside_horizontal", "left": "inside_vertical",
          "right": "inside_vertical"}
# xlsxwriter border index → (line style, weight) in xlwings' vocabulary
BORDER = {1: ("continuous", "thin"), 2: ("continuous", "medium"), 3: ("dash", "thin"), 4: ("dot", "thin"),
          5: ("continuous", "thick"), 6: ("double", "thick"), 7: ("continuous", "hairline")}
_RISKY = re.compile(r"^\s*([=+\-@]|[0-9.]|[$¥￥(（]\s*[0-9])|^(true|false)$", re.I)


def _address(r1: int, c1: int, r2: int, c2: int):
    return (r1 + 1, c1 + 1), (r2 + 1, c2 + 1)


def protect(v):
    """A cell value as written live: text that Excel would turn into a number, date or formula
    ("2026-09", "001", "=…") gets Excel's text prefix, as typing it with a leading ' does."""
    v = plain(v)
    if isinstance(v, str) and _RISKY.match(v):
        return "'" + v
    return v


def look(props: dict) -> tuple:
    """Everything a cell style sets, as a hashable tuple (None = Excel's default)."""
    borders = tuple((props.get(side, props.get("border")), props.get(f"{side}_color", props.get("border_color")))
                    for side in SIDES)
    return (props.get("num_format"), props.get("font_name"), props.get("font_size"), bool(props.get("bold")),
            props.get("font_color"), props.get("bg_color"), props.get("align"), props.get("valign"),
            bool(props.get("text_wrap")), borders)


def _looks(spec: SheetSpec) -> dict:
    """{look: [rectangles]}: per column, runs of consecutive rows with the same look; runs of
    adjacent columns with the same rows are joined."""
    cells = defaultdict(list)
    for (r, c), (_, style) in spec.cells.items():
        if style is not None:
            props = STYLES[style] if isinstance(style, str) else style
            cells[look(props)].append((r, c))
    out = {}
    for key, where in cells.items():
        by_col = defaultdict(list)
        for r, c in where:
            by_col[c].append(r)
        runs = defaultdict(list)                      # (r1, r2) → columns
        for c, rows in by_col.items():
            rows.sort()
            start = prev = rows[0]
            for r in rows[1:] + [None]:
                if r is not None and r == prev + 1:
                    prev = r
                    continue
                runs[(start, prev)].append(c)
                if r is not None:
                    start = prev = r
        rects = []
        for (r1, r2), cols in runs.items():
            cols.sort()
            a = b = cols[0]
            for c in cols[1:] + [None]:
                if c is not None and c == b + 1:
                    b = c
                    continue
                rects.append((r1, a, r2, b))
                if c is not None:
                    a = b = c
        out[key] = rects
    if spec.bulk is not None and len(spec.bulk.frame):
        bk = spec.bulk
        last = bk.first_row + len(bk.frame) - 1
        for j, s in enumerate(bk.styles):
            out.setdefault(look(STYLES[s]), []).append((bk.first_row, j, last, j))
    return out


def _apply(rng, key: tuple) -> None:
    num, font, size, bold, color, fill, align, valign, wrap, borders = key
    if num is not None:
        rng.number_format = num
    if font is not None:
        rng.font.name = font
    if size is not None:
        rng.font.size = size
    if bold:
        rng.font.bold = True
    if color is not None:
        rng.font.color = color
    if fill is not None:
        rng.color = fill
    if align is not None:
        rng.horizontal_alignment = {"centre": "center"}.get(align, align)
    if valign is not None:
        rng.vertical_alignment = {"vcenter": "center", "vjustify": "justify"}.get(valign, valign)
    if wrap:
        rng.wrap_text = True
    multi_row = rng.shape[0] > 1
    multi_col = rng.shape[1] > 1
    done = set()
    for side, (index, bcolor) in zip(SIDES, borders):
        if not index:
            continue
        line_style, weight = BORDER.get(index, BORDER[1])
        which = [_EDGE[side]]
        inner = _INNER[side]
        if inner not in done and ((side in ("top", "bottom") and multi_row) or (side in ("left", "right") and multi_col)):
            which.append(inner)
            done.add(inner)
        opts = {"line_style": line_style, "weight": weight}
        if bcolor:
            opts["color"] = bcolor
        rng.borders.set(which, **opts)


def _guard(what: str, sheet: str, fn) -> None:
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - a cosmetic feature the engine lacks; values are written
        log.info("%s on %s skipped: %s", what, sheet, exc)


def _office_js(book) -> bool:
    try:
        return isinstance(book.api, dict) and book.api.get("client") == "Office.js"
    except Exception:  # noqa: BLE001 - desktop books have a COM object as api
        return False


def _width(w: float, office: bool) -> float:
    """Column width: characters (desktop) or points (Office.js; Excel's 7-pixel digit + padding)."""
    return round((w * 7 + 5) * 0.75, 2) if office else w


def _conditional(sh, r1, c1, r2, c2, opts: dict) -> None:
    rng = sh.range(*_address(r1, c1, r2, c2))
    fmt = DXF.get(opts.get("format", ""), {})
    style = {"fill_color": fmt.get("bg_color"), "font_color": fmt.get("font_color"), "font_bold": fmt.get("bold")}
    style = {k: v for k, v in style.items() if v is not None}
    cf = rng.conditional_formats
    top_left = rng[0, 0].get_address(False, False)
    kind = opts.get("type")
    if kind == "cell":
        op = {"==": "equal_to", ">": "greater_than", "<": "less_than", ">=": "greater_than_or_equal",
              "<=": "less_than_or_equal", "!=": "not_equal_to"}[opts["criteria"]]
        value = opts["value"]
        cf.add_cell_value(op, f"={value}" if isinstance(value, str) else value, **style)
    elif kind == "text":
        cf.add_custom(f'=NOT(ISERROR(SEARCH("{opts["value"]}",{top_left})))', **style)
    elif kind == "no_blanks":
        cf.add_custom(f"=LEN(TRIM({top_left}))>0", **style)
    elif kind == "3_color_scale":
        cf.add_color_scale([opts["min_color"], opts["mid_color"], opts["max_color"]],
                           thresholds=[opts["min_value"], opts["mid_value"], opts["max_value"]])
    elif kind == "data_bar":
        cf.add_data_bar(opts.get("bar_color", STYLES["head"]["bg_color"]), minimum=opts.get("min_value"),
                        maximum=opts.get("max_value"), gradient=not opts.get("bar_solid", False))
    else:
        raise ValueError(f"conditional format {kind!r} is not painted live")


def _chart(sh, spec: SheetSpec, ch, office: bool) -> None:
    top = sum(spec.heights.get(r, 15) for r in range(ch.anchor[0]))
    left = sum(_width(spec.widths.get(c, 8.43), True) for c in range(ch.anchor[1]))
    chart = sh.charts.add(left=left + ch.offset[0] * 0.75, top=top + ch.offset[1] * 0.75,
                          width=ch.size[0] * 0.75, height=ch.size[1] * 0.75)
    if ch.kind == "line":
        chart.chart_type = "line_markers"
    else:
        chart.chart_type = ("column_" if ch.kind == "column" else "bar_") + \
            ("stacked" if getattr(ch, "subtype", None) == "stacked" else "clustered")
    vr1, vc1, _, _ = ch.series[0]["values"]
    last = ch.series[-1]["values"]                # adjacent value columns: one source block
    chart.set_source_data(sh.range(*_address(vr1, vc1, last[2], last[3])), plot_by="columns")
    cr1, cc1, cr2, cc2 = ch.series[0]["categories"]
    _guard("chart categories", sh.name, lambda: chart.set_x_axis_values(sh.range(*_address(cr1, cc1, cr2, cc2))))
    for i, s in enumerate(ch.series, 1):
        _guard("chart series", sh.name, lambda: _series(_nth_series(chart, i, len(ch.series)), s))
    if ch.title:
        _guard("chart title", sh.name, lambda: setattr(chart, "title", ch.title))
    if ch.legend is None:
        _guard("chart legend", sh.name, lambda: setattr(chart.legend, "visible", False))
    else:
        _guard("chart legend", sh.name, lambda: setattr(chart.legend, "position", ch.legend))
    # xlsxwriter's x axis is the horizontal one: the value axis of a bar chart
    x, y = (chart.value_axis, chart.category_axis) if ch.kind == "bar" else (chart.category_axis, chart.value_axis)
    for axis, opts in ((x, ch.x_axis), (y, ch.y_axis)):
        _guard("chart axis", sh.name, lambda: _axis(axis, opts))
    if not office:                               # what only the desktop object model offers
        _guard("chart data labels", sh.name, lambda: _desktop_chart(chart, ch))


def _nth_series(chart, i: int, count: int):
    """Series i (1-based) of a chart whose source data we just set (one series per column)."""
    try:
        return chart.series(i)
    except NotImplementedError:          # Office.js: the count is only known after a round trip
        from xlwings.main import ChartSeries
        impl = chart.impl.series
        return ChartSeries(impl=type(impl)(impl.parent, count=count)(i))


def _series(series, s: dict) -> None:
    series.name = s["name"]
    if s.get("color"):
        series.fill_color = s["color"]


def _axis(axis, opts: dict) -> None:
    given = {}
    if "min" in opts:
        given["minimum_scale"] = opts["min"]
    if "max" in opts:
        given["maximum_scale"] = opts["max"]
    if "num_format" in opts:
        given["number_format"] = opts["num_format"]
    if opts.get("reverse"):
        given["reverse_order"] = True
    if given:
        axis.set(**given)


def _desktop_chart(chart, ch) -> None:
    api = chart.api[1]                           # (ChartObject, Chart) on Windows
    for i, s in enumerate(ch.series, 1):
        ser = api.SeriesCollection(i)
        if s.get("labels"):
            ser.HasDataLabels = True
            ser.DataLabels().NumberFormat = s["labels"]
        for j, color in enumerate(s.get("points") or [], 1):
            if color:
                ser.Points(j).Format.Fill.ForeColor.RGB = _bgr(color)


def _bgr(hex_color: str) -> int:
    h = hex_color.lstrip("#")
    return int(h[4:6] + h[2:4] + h[0:2], 16)


def _page_setup(sh, spec: SheetSpec) -> None:
    """Desktop only (Office.js' page layout is not in xlwings' API)."""
    ps = sh.api.PageSetup
    ps.Orientation = 2 if spec.landscape else 1
    ps.PaperSize = spec.paper
    if spec.fit:
        ps.Zoom = False
        ps.FitToPagesWide = spec.fit[0] or False
        ps.FitToPagesTall = spec.fit[1] or False
    if spec.repeat_rows:
        ps.PrintTitleRows = f"${spec.repeat_rows[0] + 1}:${spec.repeat_rows[-1] + 1}"


def paint(book, spec: SheetSpec) -> None:
    """Replace the sheet ``spec.name`` of a live xlwings Book with the spec."""
    office = _office_js(book)
    names = [s.name for s in book.sheets]
    if spec.name in names:
        sh = book.sheets[spec.name]
        sh.clear()
    else:
        sh = book.sheets.add(spec.name, after=book.sheets[len(names) - 1])
    grid = [[protect(v) for v in row] for row in values(spec)]
    if grid:
        sh["A1"].value = grid
    for key, rects in _looks(spec).items():
        for r1, c1, r2, c2 in rects:
            _guard("style", spec.name, lambda: _apply(sh.range(*_address(r1, c1, r2, c2)), key))
    for r1, c1, r2, c2 in spec.merges:
        _guard("merge", spec.name, lambda: sh.range(*_address(r1, c1, r2, c2)).merge())
    for c, w in spec.widths.items():
        _guard("width", spec.name, lambda: setattr(sh.range((1, c + 1)), "column_width", _width(w, office)))
    for r, h in spec.heights.items():
        _guard("height", spec.name, lambda: setattr(sh.range((r + 1, 1)), "row_height", pixel_height(h)))
    for c in sorted(spec.hidden):
        _guard("hidden column", spec.name, lambda: setattr(sh.range((1, c + 1)).columns, "hidden", True))
    for r1, c1, r2, c2, opts in spec.conditional:
        _guard("conditional format", spec.name, lambda: _conditional(sh, r1, c1, r2, c2, opts))
    for (r, c), text in spec.comments.items():
        _guard("note", spec.name, lambda: sh.range((r + 1, c + 1)).add_note(text))
    for ch in spec.charts:
        _guard("chart", spec.name, lambda: _chart(sh, spec, ch, office))
    if spec.sparklines:          # xlwings has no sparkline API: the trend cells are there, the lines not
        log.info("%d sparklines on %s skipped (not available through xlwings)", len(spec.sparklines), spec.name)
    if spec.freeze:
        _guard("freeze panes", spec.name, lambda: sh.freeze_panes.freeze_at(
            sh.range((spec.freeze[0] + 1, spec.freeze[1] + 1)).get_address(False, False)))
    if not spec.gridlines:
        _guard("gridlines", spec.name, lambda: setattr(sh, "show_gridlines", False))
    if not office:
        _guard("page setup", spec.name, lambda: _page_setup(sh, spec))
