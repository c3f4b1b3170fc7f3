"""Paint SheetSpecs into a live workbook through xlwings (Excel desktop or xlwings Lite).

The same specs the file path writes with xlsxwriter: values in one block per sheet, then the
house style as ranges (number formats, fonts, fills, alignment), merges, widths, frozen panes,
conditional formats and native charts. Features an engine does not offer are skipped one by
one (logged), never half-applied to another sheet; the values are always written first.
"""
from __future__ import annotations

import logging
from collections import defaultdict

from .sheet import SheetSpec, values
from .style import DXF, STYLES

log = logging.getLogger(__name__)


def _address(r1: int, c1: int, r2: int, c2: int):
    return (r1 + 1, c1 + 1), (r2 + 1, c2 + 1)


def _runs(cells: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Rectangles covering the cells: per column, runs of consecutive rows."""
    by_col = defaultdict(list)
    for r, c in cells:
        by_col[c].append(r)
    out = []
    for c, rows in by_col.items():
        rows.sort()
        start = prev = rows[0]
        for r in rows[1:] + [None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            out.append((start, c, prev, c))
            if r is not None:
                start = prev = r
    return out


def _style_cells(spec: SheetSpec) -> dict:
    by_style = defaultdict(list)
    for (r, c), (_, style) in spec.cells.items():
        if isinstance(style, str):
            by_style[style].append((r, c))
    if spec.bulk is not None and len(spec.bulk.frame):
        b = spec.bulk
        last = b.first_row + len(b.frame) - 1
        for j, s in enumerate(b.styles):
            by_style[s].append(("bulk", b.first_row, j, last, j))
    return by_style


def _apply_style(rng, props: dict) -> None:
    if "num_format" in props:
        rng.number_format = props["num_format"]
    font = rng.font
    if props.get("bold"):
        font.bold = True
    if "font_color" in props:
        font.color = props["font_color"]
    if "font_size" in props and props["font_size"] != 10:
        font.size = props["font_size"]
    if "bg_color" in props:
        rng.color = props["bg_color"]
    if props.get("align") == "center":
        rng.horizontal_alignment = "center"
    if props.get("text_wrap"):
        rng.wrap_text = True


def _guard(what: str, sheet: str, fn) -> None:
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - a cosmetic feature the engine lacks; values are written
        log.info("%s on %s skipped: %s", what, sheet, exc)


def _conditional(sh, r1, c1, r2, c2, opts: dict) -> None:
    rng = sh.range(*_address(r1, c1, r2, c2))
    fmt = DXF.get(opts.get("format", ""), {})
    style = {"fill_color": fmt.get("bg_color"), "font_color": fmt.get("font_color"), "font_bold": fmt.get("bold")}
    style = {k: v for k, v in style.items() if v is not None}
    cf = rng.conditional_formats
    top_left = rng[0, 0].get_address(False, False)
    kind = opts.get("type")
    if kind == "cell":
        op = {"==": "equal", ">": "greater_than", "<": "less_than", ">=": "greater_than_or_equal",
              "<=": "less_than_or_equal"}[opts["criteria"]]
        cf.add_cell_value(op, opts["value"], **style)
    elif kind == "text":
        cf.add_custom(f'=ISNUMBER(SEARCH("{opts["value"]}",{top_left}))', **style)
    elif kind == "no_blanks":
        cf.add_custom(f"=LEN(TRIM({top_left}))>0", **style)
    elif kind == "3_color_scale":
        cf.add_color_scale([opts["min_color"], opts["mid_color"], opts["max_color"]],
                           thresholds=[opts["min_value"], opts["mid_value"], opts["max_value"]])
    elif kind == "data_bar":
        cf.add_data_bar(opts.get("bar_color", STYLES["head"]["bg_color"]), minimum=opts.get("min_value"),
                        maximum=opts.get("max_value"), gradient=not opts.get("bar_solid", False))


def _chart(sh, spec: SheetSpec, ch) -> None:
    top = sum(spec.heights.get(r, 15) for r in range(ch.anchor[0]))
    left = sum(spec.widths.get(c, 8.43) * 7 for c in range(ch.anchor[1]))
    chart = sh.charts.add(left=left + ch.offset[0] * 0.75, top=top + ch.offset[1] * 0.75,
                          width=ch.size[0] * 0.75, height=ch.size[1] * 0.75)
    chart.chart_type = {"column": "column_clustered", "line": "line_markers"}.get(ch.kind, "bar_clustered")
    first = ch.series[0]
    vr1, vc1, vr2, vc2 = first["values"]
    if len(ch.series) == 1:
        chart.set_source_data(sh.range(*_address(vr1, vc1, vr2, vc2)))
    else:                           # adjacent value columns: one source block
        last = ch.series[-1]["values"]
        chart.set_source_data(sh.range(*_address(vr1, vc1, last[2], last[3])))
    cr1, cc1, cr2, cc2 = first["categories"]
    _guard("chart categories", sh.name, lambda: chart.set_x_axis_values(sh.range(*_address(cr1, cc1, cr2, cc2))))
    if ch.title:
        _guard("chart title", sh.name, lambda: setattr(chart, "title", ch.title))


def paint(book, spec: SheetSpec) -> None:
    """Replace the sheet ``spec.name`` of a live xlwings Book with the spec."""
    names = [s.name for s in book.sheets]
    if spec.name in names:
        sh = book.sheets[spec.name]
        sh.clear()
    else:
        sh = book.sheets.add(spec.name, after=book.sheets[len(names) - 1])
    grid = values(spec)
    if grid:
        sh["A1"].value = grid
    for style, cells in _style_cells(spec).items():
        props = STYLES[style]
        rects = [c[1:] for c in cells if c[0] == "bulk"] + _runs([c for c in cells if c[0] != "bulk"])
        for r1, c1, r2, c2 in rects:
            _guard("style " + style, spec.name, lambda: _apply_style(sh.range(*_address(r1, c1, r2, c2)), props))
    for r1, c1, r2, c2 in spec.merges:
        _guard("merge", spec.name, lambda: sh.range(*_address(r1, c1, r2, c2)).merge())
    for c, w in spec.widths.items():
        _guard("width", spec.name, lambda: setattr(sh.range((1, c + 1)), "column_width", w))
    for r1, c1, r2, c2, opts in spec.conditional:
        _guard("conditional format", spec.name, lambda: _conditional(sh, r1, c1, r2, c2, opts))
    for ch in spec.charts:
        _guard("chart", spec.name, lambda: _chart(sh, spec, ch))
    if spec.sparklines:          # xlwings has no sparkline API: the trend cells are there, the lines not
        log.info("%d sparklines on %s skipped (not available through xlwings)", len(spec.sparklines), spec.name)
    if spec.freeze:
        _guard("freeze panes", spec.name, lambda: sh.freeze_panes.freeze_at(
            sh.range((spec.freeze[0] + 1, spec.freeze[1] + 1)).get_address(False, False)))
