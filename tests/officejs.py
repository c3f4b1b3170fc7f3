"""What Excel does with the actions xlwings' Office.js engine records (the xlwings Lite door),
replayed into an openpyxl workbook, and the sheets of two workbooks compared cell by cell and by
style. conftest.py registers this module (``import officejs``).

The replay follows Excel's behaviour where it matters for the comparison: a value written as
text that Excel would read as a number or date is converted (so unprotected text shows up as a
difference), a leading apostrophe marks text, column widths arrive in points.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import posixpath
import re
import zipfile
from collections import defaultdict

from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?%?\s*$")
_DATE = re.compile(r"^\s*\d{4}[-/]\d{1,2}([-/]\d{1,2})?([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?\s*$")
_WEIGHT = {"hairline": "hair", "thin": "thin", "medium": "medium", "thick": "thick"}


# --------------------------------------------------------------------------- running the door
def office_js_value(v):
    """A cell value as Office.js hands it to xlwings (dates as ISO strings, blanks as '')."""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    return v


def office_js_book(path):
    import xlwings as xw
    wb = CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False) or [[""]]
        sheets.append({"name": name, "values": [[office_js_value(v) for v in r] for r in rows],
                       "pictures": [], "tables": [], "charts": [], "shapes": []})
    return xw.Book(json={"client": "Office.js", "version": xw.__version__, "names": [], "sheets": sheets,
                         "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"}})


def run_script(path, name: str):
    """Run an xlwings Lite script of addin.excel on the book at ``path``: (book, actions)."""
    import xlwings as xw
    import xlwings.server as server

    import addin.excel as excel
    book = office_js_book(path)
    result = asyncio.run(server.custom_scripts_call(excel, name, typehint_to_value={xw.Book: book}))
    return book, result.json()["actions"]


# --------------------------------------------------------------------------- the replay
def _hex(color: str | None) -> str | None:
    return None if color is None else "FF" + color.lstrip("#").upper()


def _excel_reads(v):
    """What Excel stores when a value is written through range.values."""
    if isinstance(v, str):
        if v.startswith("'"):
            return v[1:]
        if v.startswith("="):
            return ("formula", v)
        if _NUMBER.match(v):
            return ("converted", v)                # text Excel turned into a number
        if _DATE.match(v):                         # xlwings sends datetimes as ISO text; Excel reads a date
            return dt.datetime.fromisoformat(v.strip().rstrip("Z").replace("/", "-"))
    return v


class Replay:
    """The book after the actions: an openpyxl Workbook plus what openpyxl cannot hold."""

    def __init__(self, sheet_names: list[str]):
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        for name in sheet_names:
            self.wb.create_sheet(name)
        self.cf: dict[str, list] = defaultdict(list)
        self.charts: dict[str, list] = defaultdict(list)
        self.freeze: dict[str, str] = {}
        self.gridlines: dict[str, bool] = {}
        self.borders: dict[str, dict] = defaultdict(dict)          # sheet → {(r, c, side): (style, color)}
        self.notes: dict[str, dict] = defaultdict(dict)
        self.alerts: list = []

    def run(self, actions: list[dict]) -> "Replay":
        for a in actions:
            getattr(self, "_" + a["func"])(a)
        return self

    def _ws(self, a):
        return self.wb.worksheets[a["sheet_position"]]

    def _cells(self, a):
        ws = self._ws(a)
        for r in range(a["start_row"], a["start_row"] + a["row_count"]):
            for c in range(a["start_column"], a["start_column"] + a["column_count"]):
                yield ws.cell(r + 1, c + 1)

    def _alert(self, a):
        self.alerts.append(a["args"])

    def _sheetClear(self, a):
        ws = self._ws(a)
        index = self.wb.worksheets.index(ws)
        name = ws.title
        self.wb.remove(ws)
        self.wb.create_sheet(name, index)
        for table in (self.cf, self.charts, self.borders, self.notes):
            table.pop(name, None)

    def _addSheet(self, a):
        index, name = a["args"]
        self.wb.create_sheet(name, index)

    def _setValues(self, a):
        ws = self._ws(a)
        for i, row in enumerate(a["values"]):
            for j, v in enumerate(row):
                v = _excel_reads(v)
                ws.cell(a["start_row"] + i + 1, a["start_column"] + j + 1).value = None if v == "" else (
                    repr(v) if isinstance(v, tuple) else v)

    def _setNumberFormat(self, a):
        for cell in self._cells(a):
            cell.number_format = a["args"][0]

    def _setFontProperty(self, a):
        attr, value = a["args"]
        if attr == "color":
            value = _hex(value)
        for cell in self._cells(a):
            f = cell.font
            kw = {"name": f.name, "size": f.sz, "bold": f.b, "color": f.color}
            kw[{"name": "name", "size": "size", "bold": "bold", "color": "color"}[attr]] = value
            cell.font = Font(**kw)

    def _setRangeColor(self, a):
        for cell in self._cells(a):
            cell.fill = PatternFill("solid", fgColor=_hex(a["args"][0]))

    def _align(self, a, **kw):
        for cell in self._cells(a):
            al = cell.alignment
            cur = {"horizontal": al.horizontal, "vertical": al.vertical, "wrap_text": al.wrap_text}
            cur.update(kw)
            cell.alignment = Alignment(**cur)

    def _setHorizontalAlignment(self, a):
        self._align(a, horizontal=a["args"][0].lower())

    def _setVerticalAlignment(self, a):
        self._align(a, vertical=a["args"][0].lower())

    def _setWrapText(self, a):
        self._align(a, wrap_text=bool(a["args"][0]))

    def _setBorderProperty(self, a):
        side, attr, value = a["args"]
        name = self._ws(a).title
        r0, c0 = a["start_row"], a["start_column"]
        r1, c1 = r0 + a["row_count"] - 1, c0 + a["column_count"] - 1
        edges = {"edge_top": [(r0, c, "top") for c in range(c0, c1 + 1)],
                 "edge_bottom": [(r1, c, "bottom") for c in range(c0, c1 + 1)],
                 "edge_left": [(r, c0, "left") for r in range(r0, r1 + 1)],
                 "edge_right": [(r, c1, "right") for r in range(r0, r1 + 1)],
                 "inside_horizontal": [(r, c, "bottom") for r in range(r0, r1) for c in range(c0, c1 + 1)],
                 "inside_vertical": [(r, c, "right") for r in range(r0, r1 + 1) for c in range(c0, c1)]}[side]
        for key in edges:
            cur = dict(self.borders[name].get(key, {}))
            cur[attr] = value
            self.borders[name][key] = cur

    def _rangeMerge(self, a):
        ws = self._ws(a)
        ws.merge_cells(start_row=a["start_row"] + 1, start_column=a["start_column"] + 1,
                       end_row=a["start_row"] + a["row_count"], end_column=a["start_column"] + a["column_count"])

    def _setColumnWidth(self, a):
        ws = self._ws(a)
        points = a["args"][0]
        for c in range(a["start_column"], a["start_column"] + a["column_count"]):
            # the file stores pixels / 7 (digit width of the default font), padding included
            ws.column_dimensions[get_column_letter(c + 1)].width = int(points / 0.75 / 7 * 256) / 256

    def _setRowHeight(self, a):
        ws = self._ws(a)
        for r in range(a["start_row"], a["start_row"] + a["row_count"]):
            ws.row_dimensions[r + 1].height = round(a["args"][0] / 0.75) * 0.75     # Excel snaps to pixels

    def _setColumnHidden(self, a):
        ws = self._ws(a)
        for c in range(a["start_column"], a["start_column"] + a["column_count"]):
            ws.column_dimensions[get_column_letter(c + 1)].hidden = bool(a["args"][0])

    def _freezePaneAtRange(self, a):
        self.freeze[self._ws(a).title] = a["args"][0]

    def _setShowGridlines(self, a):
        self.gridlines[self._ws(a).title] = bool(a["args"][0])

    def _addNote(self, a):
        address, text = a["args"]
        self.notes[self._ws(a).title][address] = text

    def _addConditionalFormat(self, a):
        ws = self._ws(a)
        ref = f"{get_column_letter(a['start_column'] + 1)}{a['start_row'] + 1}:" \
              f"{get_column_letter(a['start_column'] + a['column_count'])}{a['start_row'] + a['row_count']}"
        self.cf[ws.title].append((ref, dict(a["args"][0])))

    def _addChart(self, a):
        name, kind, sheet, address, left, top, width, height, plot_by, anchor, style = a["args"]
        self.charts[sheet].append({"type": kind, "source": address, "plot_by": plot_by, "series": defaultdict(dict),
                                   "legend": {}, "axes": defaultdict(dict), "title": None, "categories": None})

    def _chart(self, a):
        i = a["args"][0]
        return [c for charts in self.charts.values() for c in charts][i]

    def _setChartXAxisValues(self, a):
        self._chart(a)["categories"] = a["args"][2]

    def _setChartTitle(self, a):
        self._chart(a)["title"] = a["args"][1]

    def _setChartLegend(self, a):
        self._chart(a)["legend"][a["args"][1]] = a["args"][2]

    def _setChartSeries(self, a):
        self._chart(a)["series"][a["args"][1]].update(a["args"][2])

    def _setChartAxis(self, a):
        self._chart(a)["axes"][a["args"][1]].update(a["args"][2])


# --------------------------------------------------------------------------- comparing
def _font(cell):
    f = cell.font
    color = f.color.rgb if f.color is not None and isinstance(f.color.rgb, str) else None
    return (f.name, float(f.sz) if f.sz else None, bool(f.b), None if color in (None, "FF000000") else color.upper())


def _fill(cell):
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return None
    return fill.fgColor.rgb.upper() if isinstance(fill.fgColor.rgb, str) else None


def _align(cell):
    al = cell.alignment
    h = None if al.horizontal in (None, "general") else al.horizontal
    v = None if al.vertical in (None, "bottom") else al.vertical
    return (h, v, bool(al.wrap_text))


def _value(v):
    if v == "":
        return None
    if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return int(v)
    if isinstance(v, float):
        return round(v, 9)
    return v


def file_borders(ws) -> dict:
    """{(r, c, side): (style, color)} of the cells' own borders (0-based), as openpyxl reads them."""
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            for side in ("top", "bottom", "left", "right"):
                s = getattr(cell.border, side)
                if s is not None and s.style:
                    color = s.color.rgb.upper() if s.color is not None and isinstance(s.color.rgb, str) else None
                    out[(cell.row - 1, cell.column - 1, side)] = (s.style, color)
    return out


def replay_borders(raw: dict) -> dict:
    out = {}
    for key, props in raw.items():
        if props.get("line_style") in (None, "none"):
            continue
        style = {"continuous": _WEIGHT.get(props.get("weight", "thin"), "thin"), "dash": "dashed",
                 "dot": "dotted", "double": "double"}.get(props["line_style"], props["line_style"])
        out[key] = (style, _hex(props.get("color")))
    return out


def edges(borders: dict) -> dict:
    """Borders as drawn: the edge between two cells counts once, whichever cell holds it."""
    out = {}
    for (r, c, side), v in borders.items():
        key = {"top": (r, c, "h"), "bottom": (r + 1, c, "h"), "left": (r, c, "v"), "right": (r, c + 1, "v")}[side]
        out[key] = v
    return out


def compare_sheet(cli_ws, live_ws, live_borders: dict) -> list[str]:
    """Differences between two sheets: values, number formats, fonts, fills, alignment, borders,
    merges, widths, heights and hidden columns ([] = the same)."""
    diffs = []
    rows = max(cli_ws.max_row, live_ws.max_row)
    cols = max(cli_ws.max_column, live_ws.max_column)
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            a, b = cli_ws.cell(r, c), live_ws.cell(r, c)
            where = f"{cli_ws.title}!{get_column_letter(c)}{r}"
            if _value(a.value) != _value(b.value):
                diffs.append(f"{where} value {a.value!r} ≠ {b.value!r}")
            if a.has_style or b.has_style:
                for what, fa, fb in (("format", a.number_format, b.number_format), ("font", _font(a), _font(b)),
                                     ("fill", _fill(a), _fill(b)), ("alignment", _align(a), _align(b))):
                    if fa != fb:
                        diffs.append(f"{where} {what} {fa!r} ≠ {fb!r}")
    ea, eb = edges(file_borders(cli_ws)), edges(live_borders)
    inside = set()                          # edges inside a merged range are not drawn
    for m in cli_ws.merged_cells.ranges:
        r1, c1, r2, c2 = m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1
        inside |= {(r, c, "v") for r in range(r1, r2 + 1) for c in range(c1 + 1, c2 + 1)}
        inside |= {(r, c, "h") for r in range(r1 + 1, r2 + 1) for c in range(c1, c2 + 1)}
    ea = {k: v for k, v in ea.items() if k not in inside}
    eb = {k: v for k, v in eb.items() if k not in inside}
    for key in sorted(set(ea) | set(eb)):
        if ea.get(key) != eb.get(key):
            diffs.append(f"{cli_ws.title} border {key} {ea.get(key)} ≠ {eb.get(key)}")
    if sorted(map(str, cli_ws.merged_cells.ranges)) != sorted(map(str, live_ws.merged_cells.ranges)):
        diffs.append(f"{cli_ws.title} merges differ")
    for c in range(1, cols + 1):
        letter = get_column_letter(c)
        wa, wb = _width(cli_ws, letter), _width(live_ws, letter)
        if abs(wa - wb) > 0.01 and not _hidden(cli_ws, letter):          # a hidden column has no width
            diffs.append(f"{cli_ws.title} column {letter} width {wa} ≠ {wb}")
        if _hidden(cli_ws, letter) != _hidden(live_ws, letter):
            diffs.append(f"{cli_ws.title} column {letter} hidden differs")
    for r in range(1, rows + 1):
        ha, hb = cli_ws.row_dimensions[r].height or 15.0, live_ws.row_dimensions[r].height or 15.0   # 15 = default
        if ha != hb:
            diffs.append(f"{cli_ws.title} row {r} height {ha} ≠ {hb}")
    return diffs


def _width(ws, letter: str) -> float:
    own = ws.column_dimensions.get(letter)
    if own is not None and own.width:
        return round(float(own.width), 2)
    for dim in ws.column_dimensions.values():
        lo, hi = dim.min or 0, dim.max or 0
        if dim.width and lo <= ws[f"{letter}1"].column <= hi:
            return round(float(dim.width), 2)
    return 8.43


def _hidden(ws, letter: str) -> bool:
    own = ws.column_dimensions.get(letter)
    if own is not None and own.hidden:
        return True
    for dim in ws.column_dimensions.values():
        if (dim.min or 0) <= ws[f"{letter}1"].column <= (dim.max or 0) and dim.hidden:
            return True
    return False


# --------------------------------------------------------------------------- the file's extras
def file_conditional(ws) -> list[tuple]:
    """Conditional formats as (range, rule kind, value, fill, font colour, bold)."""
    out = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            dxf = rule.dxf
            fill = dxf.fill.bgColor.rgb.upper() if dxf is not None and dxf.fill is not None and \
                isinstance(dxf.fill.bgColor.rgb, str) else None
            font = dxf.font.color.rgb.upper() if dxf is not None and dxf.font is not None and \
                dxf.font.color is not None else None
            bold = bool(dxf.font.b) if dxf is not None and dxf.font is not None else False
            if rule.type == "cellIs":
                value = (rule.operator, rule.formula[0])
            elif rule.type == "containsText":
                value = ("contains", rule.text)
            elif rule.type == "dataBar":
                low = rule.dataBar.cfvo[0].val
                value = ("bar", rule.dataBar.color.rgb.upper(), None if low is None else float(low))
                fill = font = None
            elif rule.type in ("expression", "notContainsBlanks") and rule.formula:
                value = ("custom", "=" + rule.formula[0])       # "no blanks" is the formula LEN(TRIM(…))>0
            else:
                value = (rule.type,)
            out.append((str(cf.sqref), value, fill, font, bold))
    return sorted(out, key=repr)


_OPS = {"EqualTo": "equal", "GreaterThan": "greaterThan", "LessThan": "lessThan",
        "GreaterThanOrEqual": "greaterThanOrEqual", "LessThanOrEqual": "lessThanOrEqual", "NotEqualTo": "notEqual"}


def replay_conditional(rules: list) -> list[tuple]:
    out = []
    for ref, e in rules:
        fill, font, bold = _hex(e.get("fill_color")), _hex(e.get("font_color")), bool(e.get("font_bold"))
        if e["type"] == "CellValue":
            value = (_OPS[e["operator"]], str(e["formula1"]).lstrip("="))
        elif e["type"] == "Custom":
            m = re.match(r'^=NOT\(ISERROR\(SEARCH\("(.*)",[A-Z]+\d+\)\)\)$', e["formula"])
            value = ("contains", m.group(1)) if m else ("custom", e["formula"])
        elif e["type"] == "DataBar":
            low = (e.get("thresholds") or [None])[0]
            value = ("bar", _hex(e["bar_color"]), None if low is None else float(low))
            fill = font = None
            bold = False
        else:
            value = (e["type"],)
        out.append((ref, value, fill, font, bold))
    return sorted(out, key=repr)


def file_charts(path, sheet: str) -> list[dict]:
    """The charts of a sheet read from the package: type, series (name, values, categories,
    colour, data labels, point colours), title, legend."""
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
          "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    with zipfile.ZipFile(path) as z:
        wb = etree.fromstring(z.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        m = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        rid = next(s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
                   for s in wb.iter(f"{m}sheet") if s.get("name") == sheet)
        part = posixpath.normpath(posixpath.join("xl", rels[rid]))

        def related(src, kind):
            rp = posixpath.join(posixpath.dirname(src), "_rels", posixpath.basename(src) + ".rels")
            if rp not in z.namelist():
                return []
            return [posixpath.normpath(posixpath.join(posixpath.dirname(src), r.get("Target")))
                    for r in etree.fromstring(z.read(rp)) if r.get("Type").endswith("/" + kind)]
        out = []
        for drawing in related(part, "drawing"):
            for chart in related(drawing, "chart"):
                root = etree.fromstring(z.read(chart))
                bar = root.find(".//c:barChart", ns)
                kind = ("ColumnClustered" if bar.find("c:barDir", ns).get("val") == "col" else "BarClustered")
                series = []
                for ser in bar.findall("c:ser", ns):
                    fill = ser.find("c:spPr/a:solidFill/a:srgbClr", ns)
                    series.append({"name": ser.findtext("c:tx//c:v", namespaces=ns) or ser.findtext("c:tx/c:v", namespaces=ns),
                                   "values": ser.findtext("c:val//c:f", namespaces=ns),
                                   "categories": ser.findtext("c:cat//c:f", namespaces=ns),
                                   "fill": "FF" + fill.get("val").upper() if fill is not None else None,
                                   "labels": ser.find("c:dLbls", ns) is not None,
                                   "points": len(ser.findall("c:dPt", ns))})
                title = "".join(root.xpath(".//c:title//a:t/text()", namespaces=ns)) or None
                legend = root.find(".//c:legend/c:legendPos", ns)
                out.append({"type": kind, "series": series, "title": title,
                            "legend": legend.get("val") if legend is not None else None})
    return out


def load(path):
    return load_workbook(path)
