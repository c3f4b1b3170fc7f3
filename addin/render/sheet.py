"""A sheet as data: what every output sheet shows, written once and painted by any backend.

The renderers (report, history, periods, targets) build a :class:`SheetSpec` — cells with a
house-style name, merges, widths, conditional formats, charts, print set-up, and at most one
long table (:class:`Bulk`) streamed as sheet XML. :func:`to_xlsx` paints specs with
xlsxwriter into a small in-memory package that addin.ooxml transplants into the user's book
(the CLI and the saved-file path of the Excel button); :func:`values` gives the same sheets as
plain 2-D values for xlwings (the live-workbook doors).
"""
from __future__ import annotations

import datetime as _dt
import io
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from addin.io.text import cell_text, clean_text
from addin.ooxml.rows import rows_after

from .style import DXF, STYLES


@dataclass
class Chart:
    kind: str                                   # "column" | "bar" | "line"
    series: list                                # dicts: name, categories/values (r1, c1, r2, c2), color,
    #                                             labels (num format or None), points (colors per point)
    title: str = ""
    anchor: tuple = (0, 0)                      # (row, col) of the top-left corner
    offset: tuple = (0, 0)                      # pixels
    size: tuple = (520, 260)                    # pixels
    x_axis: dict = field(default_factory=dict)  # xlsxwriter axis options
    y_axis: dict = field(default_factory=dict)
    legend: str | None = "bottom"
    gap: int | None = None
    show_hidden: bool = False                   # plot data kept in hidden columns
    subtype: str | None = None                  # "stacked": series stacked (grades by month)


@dataclass
class Bulk:
    """A long table written as raw sheet XML (no per-cell objects): rows from ``first_row``."""

    first_row: int                              # 0-based row of the first data row
    frame: pd.DataFrame
    styles: list                                # a style name per column
    numeric: list                               # per column: True = numbers, False = text
    kept: int = 0                               # leading rows unchanged since the sheet was last written


@dataclass
class SheetSpec:
    name: str
    cells: dict = field(default_factory=dict)   # (row, col) → (value, style name)
    merges: list = field(default_factory=list)  # (r1, c1, r2, c2)
    widths: dict = field(default_factory=dict)  # col → width
    hidden: set = field(default_factory=set)    # hidden columns
    heights: dict = field(default_factory=dict)
    freeze: tuple | None = None
    autofilter: tuple | None = None
    conditional: list = field(default_factory=list)   # (r1, c1, r2, c2, xlsxwriter options; "format": DXF name)
    validations: list = field(default_factory=list)   # (r1, c1, r2, c2, xlsxwriter options)
    comments: dict = field(default_factory=dict)      # (row, col) → text
    charts: list = field(default_factory=list)
    landscape: bool = True
    paper: int = 9                                    # 9 = A4, 8 = A3
    fit: tuple | None = (1, 0)                        # pages wide, tall (0 = as many as needed)
    repeat_rows: tuple | None = None
    row_breaks: list = field(default_factory=list)
    gridlines: bool = True
    zoom: int | None = None
    bulk: Bulk | None = None
    sparklines: list = field(default_factory=list)    # (row, col, xlsxwriter sparkline options: range …)

    # --- building ---------------------------------------------------------------------------
    def put(self, r: int, c: int, value: Any, style: str | None = "text") -> None:
        self.cells[(r, c)] = (value, style)

    def row(self, r: int, values: list, styles, c0: int = 0) -> None:
        styles = [styles] * len(values) if isinstance(styles, str) or styles is None else styles
        for j, (v, s) in enumerate(zip(values, styles)):
            self.cells[(r, c0 + j)] = (v, s)

    def merge(self, r1: int, c1: int, r2: int, c2: int, value: Any, style: str = "text") -> None:
        self.merges.append((r1, c1, r2, c2))
        for rr in range(r1, r2 + 1):
            for cc in range(c1, c2 + 1):
                self.cells[(rr, cc)] = (value if (rr, cc) == (r1, c1) else None, style)

    def column_widths(self, widths: list, start: int = 0) -> None:
        self.widths.update({start + j: w for j, w in enumerate(widths)})

    @property
    def last_row(self) -> int:
        last = max((r for r, _ in self.cells), default=-1)
        if self.bulk is not None and len(self.bulk.frame):
            last = max(last, self.bulk.first_row + len(self.bulk.frame) - 1)
        return last


def blank(v: Any) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and not math.isfinite(v)) or \
        (isinstance(v, np.floating) and not np.isfinite(v)) or (isinstance(v, np.datetime64) and np.isnat(v))


def plain(v: Any) -> Any:
    """A cell value as Python: numbers, text, datetime (None for blank)."""
    if blank(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return "是" if v else ""
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, (np.datetime64, pd.Timestamp)):
        return pd.Timestamp(v).to_pydatetime() if not isinstance(v, np.datetime64) else \
            v.astype("datetime64[s]").astype(_dt.datetime)
    if isinstance(v, str):
        return cell_text(v)
    return v


# --------------------------------------------------------------------------- xlsxwriter backend
class _Formats:
    def __init__(self, wb):
        self.wb = wb
        self._cache: dict = {}

    def __call__(self, style):
        if style is None:
            return None
        key = style if isinstance(style, str) else tuple(sorted(style.items()))
        f = self._cache.get(key)
        if f is None:
            props = STYLES[style] if isinstance(style, str) else style
            f = self._cache[key] = self.wb.add_format(dict(props))
        return f

    def dxf(self, name: str):
        key = ("dxf", name)
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(dict(DXF[name]))
        return self._cache[key]


def _write(ws, r, c, v, fmt):
    v = plain(v)
    if v is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, float(v), fmt)
    elif isinstance(v, (_dt.datetime, _dt.date)):
        ws.write_datetime(r, c, v, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)          # text stays text: '=…' never becomes a formula


def pixel_height(points: float) -> float:
    """A row height as Excel shows it: whole pixels at 96 dpi (0.75 pt each). Both painters write
    this, so a file is the same whichever xlsxwriter (older ones keep 28, newer snap to 27.75)."""
    return round(points / 0.75) * 0.75


def _sparklines(ws, sparklines: list) -> None:
    """Sparklines of the same look go in one group (as Excel groups them): one add_sparkline
    per look, with every location and range of it — not one style table built per line."""
    from xlsxwriter.utility import xl_rowcol_to_cell
    groups: dict = {}
    for r, c, opts in sparklines:
        look = tuple(sorted((k, repr(v)) for k, v in opts.items() if k != "range"))
        g = groups.setdefault(look, (dict(opts), [], []))
        g[1].append(xl_rowcol_to_cell(r, c))
        g[2].append(opts["range"])
    for opts, locations, ranges in groups.values():
        ws.add_sparkline(0, 0, {**opts, "location": locations, "range": ranges})


def _paint(wb, F: _Formats, spec: SheetSpec):
    ws = wb.add_worksheet(spec.name)
    for c, w in spec.widths.items():
        ws.set_column(c, c, w, None, {"hidden": c in spec.hidden})
    for c in spec.hidden - set(spec.widths):
        ws.set_column(c, c, None, None, {"hidden": True})
    for r, h in spec.heights.items():
        ws.set_row(r, pixel_height(h))
    merged = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in spec.merges}
    inside = {(rr, cc) for r1, c1, r2, c2 in spec.merges for rr in range(r1, r2 + 1) for cc in range(c1, c2 + 1)}
    for (r, c), (v, style) in sorted(spec.cells.items()):
        if (r, c) in merged:
            r2, c2 = merged[(r, c)]
            ws.merge_range(r, c, r2, c2, None, F(style))
            _write(ws, r, c, v, F(style))
        elif (r, c) not in inside:
            _write(ws, r, c, v, F(style))
    for r1, c1, r2, c2, opts in spec.conditional:
        o = dict(opts)
        if "format" in o:
            o["format"] = F.dxf(o["format"])
        ws.conditional_format(r1, c1, r2, c2, o)
    for r1, c1, r2, c2, opts in spec.validations:
        ws.data_validation(r1, c1, r2, c2, dict(opts))
    for (r, c), text in spec.comments.items():
        ws.write_comment(r, c, clean_text(text), {"author": "kpi4s"})
    _sparklines(ws, spec.sparklines)
    for ch in spec.charts:
        ws.insert_chart(ch.anchor[0], ch.anchor[1], _chart(wb, spec.name, ch),
                        {"x_offset": ch.offset[0], "y_offset": ch.offset[1]})
    if spec.freeze:
        ws.freeze_panes(*spec.freeze)
    if spec.autofilter:
        ws.autofilter(*spec.autofilter)
    if spec.landscape:
        ws.set_landscape()
    ws.set_paper(spec.paper)
    if spec.fit:
        ws.fit_to_pages(*spec.fit)
    if spec.repeat_rows:
        ws.repeat_rows(*spec.repeat_rows)
    if spec.row_breaks:
        ws.set_h_pagebreaks(spec.row_breaks)
    if not spec.gridlines:
        ws.hide_gridlines(2)
    if spec.zoom:
        ws.set_zoom(spec.zoom)
    return ws


def _label(text: str) -> str:
    """A chart title or series name as a literal label: xlsxwriter reads '=…' and 'Sheet!A1' as
    references, so those two characters are given their full-width forms."""
    text = clean_text(str(text))
    return text.replace("!", "！").replace("=", "＝", 1) if text.startswith("=") or "!" in text else text


def _chart(wb, sheet: str, ch: Chart):
    chart = wb.add_chart({"type": ch.kind, **({"subtype": ch.subtype} if ch.subtype else {})})
    for s in ch.series:
        opts = {"name": _label(s["name"]), "categories": [sheet, *s["categories"]], "values": [sheet, *s["values"]]}
        if s.get("color") and ch.kind == "line":
            opts["line"] = {"color": s["color"], "width": 2.25}
            opts["smooth"] = False
            opts["marker"] = {"type": "circle", "size": 5, "fill": {"color": s["color"]},
                              "border": {"color": s["color"]}}
        elif s.get("color"):
            opts["fill"] = {"color": s["color"]}
        if s.get("labels"):
            opts["data_labels"] = {"value": True, "num_format": s["labels"]}
        if s.get("points"):
            opts["points"] = [{"fill": {"color": c}} if c else None for c in s["points"]]
        if ch.gap is not None:
            opts["gap"] = ch.gap
        chart.add_series(opts)
    if ch.title:
        chart.set_title({"name": _label(ch.title), "name_font": {"size": 12, "name": STYLES["title"]["font_name"]}})
    if ch.x_axis:
        chart.set_x_axis(ch.x_axis)
    if ch.y_axis:
        chart.set_y_axis(ch.y_axis)
    chart.set_legend({"none": True} if ch.legend is None else {"position": ch.legend})
    chart.set_size({"width": ch.size[0], "height": ch.size[1]})
    if ch.show_hidden:
        chart.show_hidden_data()
    return chart


def to_xlsx(specs: list[SheetSpec]) -> tuple[bytes, dict[str, Callable[[dict], bytes]]]:
    """Paint the specs into an in-memory .xlsx; returns (package bytes, {sheet: rows(xf map)}) —
    the second part streams each spec's Bulk table as sheet XML with the donor's cell styles
    renumbered to the target's (addin.ooxml.replace_sheets calls it)."""
    import xlsxwriter
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": True,
                                   "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    F = _Formats(wb)
    streams = {}
    for spec in specs:
        _paint(wb, F, spec)
        if spec.bulk is not None:
            b = spec.bulk
            formats = [F(s) for s in b.styles]
            streams[spec.name] = (b, formats)
    donor_xf = {name: [f._get_xf_index() for f in formats] for name, (_, formats) in streams.items()}
    wb.close()

    def stream(name):
        b, _ = streams[name]
        return lambda xf_map, old=None: rows_after(b.frame, b.first_row + 1, b.numeric,
                                                   [xf_map[x] for x in donor_xf[name]], old, b.kept)
    return buf.getvalue(), {name: stream(name) for name in streams}


def values(spec: SheetSpec) -> list[list]:
    """The sheet's values as a rectangular 2-D list from A1 (for xlwings)."""
    n_rows = spec.last_row + 1
    n_cols = max([c for _, c in spec.cells] + [len(spec.bulk.frame.columns) - 1 if spec.bulk else -1]) + 1
    grid = [[None] * n_cols for _ in range(n_rows)]
    for (r, c), (v, _) in spec.cells.items():
        grid[r][c] = plain(v)
    if spec.bulk is not None:
        for i, row in enumerate(spec.bulk.frame.itertuples(index=False)):
            grid[spec.bulk.first_row + i][:len(row)] = [plain(v) for v in row]
    return grid
