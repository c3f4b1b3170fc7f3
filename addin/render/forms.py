"""绩效评估表 (SPEC §3.10): one printable A4 form per graded employee of the month.

:func:`form_contexts` turns the month's :class:`MonthResults` into one plain dict per employee
(picklable: a process pool renders them); :func:`render_form_book` writes them into a workbook,
one sheet each, from the template ``workbook/appraisal_form.xlsx`` (built by
``workbook/build_documents.py``; HR may edit it in Excel). The template is read once per
process with openpyxl into a recipe (:class:`FormTemplate`) and replayed per employee with
xlsxwriter, which writes a form in a fraction of openpyxl's time (PERF-NOTES). Every text is
written as text: a name such as ``=HYPERLINK(…)`` never becomes a formula.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from addin.io.outputs import template_dir
from addin.io.save import atomic_save
from addin.month.results import MonthResults
from udfs.vocab import ACTION, CATEGORY, GRADE

from .doctext import by_employee, flag, fmt_number, interview_text, is_percent, item_view, number, text, zh_month

FORM_TEMPLATE = "appraisal_form.xlsx"
_TOKEN = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")
_BAD_SHEET_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\[\]:*?/\\]+")
_BORDER = {"hair": 7, "thin": 1, "medium": 2, "dashed": 3, "dotted": 4, "thick": 5, "double": 6,
           "mediumDashed": 8, "dashDot": 9, "mediumDashDot": 10, "dashDotDot": 11,
           "mediumDashDotDot": 12, "slantDashDot": 13}
_TEMPLATES: dict = {}          # path → FormTemplate, once per process


# =============================================================================
# contexts
# =============================================================================

def form_contexts(results: MonthResults, generated: str = "") -> list[dict]:
    """One context per graded employee (exempt and ungraded staff get none), in roster order."""
    people = results.graded
    people = people[people["grade"].fillna("").astype(str).str.strip() != ""]
    ids = people["employee_id"].tolist()
    items = results.items
    if items is not None and not items.empty:
        items = items.sort_values(["employee_id", "seq"], kind="stable")
    by_items = by_employee(items, ids)
    by_adj = by_employee(results.adjustments, ids)
    veto_note = f"本月有否决项，总分不高于{fmt_number(results.policy.veto_cap)}分"
    talks = by_employee(getattr(results, "interviews", None), ids)          # last month's interviews
    out = []
    for p in people.to_dict("records"):
        eid = p["employee_id"]
        its = [item_view(r) for r in by_items.get(eid, [])]
        weights = [i["weight"] for i in its if i["weight"] is not None]
        actions = tuple(p.get("actions") or ())
        remarks = [text(w) for w in (p.get("warnings") or ())]
        if flag(p.get("veto")):
            remarks.append(veto_note)
        if actions:
            remarks.append("本月措施：" + "、".join(ACTION.label(a, a) for a in actions))
        if text(p.get("appeal")):
            remarks.append(text(p.get("appeal")))
        grade = text(p.get("grade"))
        out.append({
            "store": text(results.store),
            "month": results.month,
            "period": zh_month(results.month),
            "employee_id": text(eid),
            "name": text(p.get("name")),
            "department": text(p.get("department")),
            "position": text(p.get("position")),
            "category": CATEGORY.label(text(p.get("category")), text(p.get("category"))),
            "manager": text(p.get("manager")),
            "next_manager": text(p.get("next_manager")),
            "group": text(p.get("group")),
            "items": its,
            "adjustments": [{"reason": text(a.get("reason")), "points": number(a.get("points")),
                             "veto": flag(a.get("veto"))} for a in by_adj.get(eid, [])],
            "weight_sum": sum(weights) if weights else None,
            "items_score": number(p.get("items_score")),
            "adjustment": number(p.get("adjustment")) or 0.0,
            "total": number(p.get("total")),
            "grade": grade,
            "grade_label": GRADE.label(grade),
            "band_grade": text(p.get("band_grade")),
            "remarks": "；".join(r for r in remarks if r),
            "development_plan": interview_text(talks.get(eid, [])),
            "employee_comment": "",
            "manager_comment": "",
            "footer": f"kpi4s 生成 {generated}  ·  {text(results.store)}  ·  {results.month}  ·  "
                      f"{text(eid)} {text(p.get('name'))}",
        })
    return out


def sheet_title(ctx: dict, used: set) -> str:
    """'E01 张伟' as a legal, unique (case-insensitive) sheet name of at most 31 characters."""
    base = _BAD_SHEET_CHARS.sub("_", f"{ctx['employee_id']} {ctx['name']}").strip("' ")[:31] or "员工"
    title, k = base, 2
    while title.lower() in used:
        suffix = f"~{k}"
        title, k = base[:31 - len(suffix)] + suffix, k + 1
    used.add(title.lower())
    return title


# =============================================================================
# the template
# =============================================================================

class FormTemplate:
    """The appraisal-form template, read once with openpyxl into a recipe replayed with xlsxwriter.

    Its first sheet — cells, ``{{token}}`` placeholders, styles, merged ranges, column widths,
    row heights, page setup, print titles — is kept as plain data. Rows holding ``{{item.*}}``
    tokens are the item slots, rows holding ``{{adj.*}}`` tokens the adjustment slots.
    """

    def __init__(self, path: Path):
        # openpyxl is imported here: it is only needed when a form is rendered (startup time)
        from openpyxl import load_workbook
        from openpyxl.utils import column_index_from_string
        self.path = Path(path)
        ws = load_workbook(self.path).worksheets[0]
        merged, inside = {}, set()
        for r in ws.merged_cells.ranges:
            merged[(r.min_row, r.min_col)] = (r.max_row, r.max_col)
            inside.update((rr, cc) for rr in range(r.min_row, r.max_row + 1) for cc in range(r.min_col, r.max_col + 1))
        self.styles: list[dict] = []
        style_ids: dict = {}
        self.cells = []       # (row0, col0, text|number|None, tokens, style id, (last row0, last col0)|None)
        item_rows, adj_rows = set(), set()
        for (row, col), c in sorted(ws._cells.items()):
            if (row, col) in inside and (row, col) not in merged:
                continue
            if c.value is None and not c.has_style and (row, col) not in merged:
                continue
            props = self._props(c) if c.has_style else {}
            sid = style_ids.setdefault(tuple(sorted(props.items())), len(self.styles))
            if sid == len(self.styles):
                self.styles.append(props)
            toks = _TOKEN.findall(c.value) if isinstance(c.value, str) else []
            if any(t.startswith("item.") for t in toks):
                item_rows.add(row - 1)
            if any(t.startswith("adj.") for t in toks):
                adj_rows.add(row - 1)
            end = merged.get((row, col))
            self.cells.append((row - 1, col - 1, c.value, toks, sid,
                               (end[0] - 1, end[1] - 1) if end and end != (row, col) else None))
        self.item_rows, self.adj_rows = sorted(item_rows), sorted(adj_rows)
        self.widths = []
        for letter, dim in ws.column_dimensions.items():
            if dim.width:
                lo = dim.min or column_index_from_string(letter)
                self.widths.append((lo - 1, (dim.max or lo) - 1, dim.width))
        self.heights = [(r - 1, d.height) for r, d in ws.row_dimensions.items() if d.height]
        ps, fit, m = ws.page_setup, ws.sheet_properties.pageSetUpPr, ws.page_margins
        self.paper = int(ps.paperSize or 9)
        self.landscape = ps.orientation == "landscape"
        self.fit = (int(ps.fitToWidth if ps.fitToWidth is not None else 1),
                    int(ps.fitToHeight if ps.fitToHeight is not None else 1)) if fit and fit.fitToPage else None
        self.margins = (m.left, m.right, m.top, m.bottom)
        self.header_footer_margins = (m.header, m.footer)
        self.center_h = bool(ws.print_options.horizontalCentered)
        self.center_v = bool(ws.print_options.verticalCentered)
        self.print_titles = self._rows_of(ws.print_title_rows)
        area = ws.print_area[0] if isinstance(ws.print_area, (list, tuple)) else ws.print_area
        self.print_area = str(area).split("!")[-1].replace("$", "") if area else None
        self.footer, self.header = self._hf(ws.oddFooter), self._hf(ws.oddHeader)
        self.gridlines = bool(ws.sheet_view.showGridLines)

    @staticmethod
    def _rows_of(spec):
        if not spec:
            return None
        lo, _, hi = str(spec).split("!")[-1].replace("$", "").partition(":")
        try:
            return int(lo) - 1, int(hi or lo) - 1
        except ValueError:
            return None

    @staticmethod
    def _hf(hf) -> str:
        return "".join(code + side.text for code, side in (("&L", hf.left), ("&C", hf.center), ("&R", hf.right))
                       if side is not None and side.text)

    @staticmethod
    def _color(c):
        rgb = getattr(c, "rgb", None) if c is not None else None
        if isinstance(rgb, str) and len(rgb) in (6, 8) and getattr(c, "type", "rgb") == "rgb":
            return "#" + rgb[-6:]
        return None

    def _props(self, c) -> dict:
        """An openpyxl cell's style as xlsxwriter format properties."""
        p: dict = {}
        f = c.font
        if f is not None:
            p.update({k: v for k, v in (("font_name", f.name), ("font_size", float(f.sz) if f.sz else None),
                                        ("bold", True if f.b else None), ("italic", True if f.i else None),
                                        ("underline", 1 if f.u else None)) if v})
            col = self._color(f.color)
            if col and col.upper() != "#000000":
                p["font_color"] = col
        if c.fill is not None and getattr(c.fill, "fill_type", None) == "solid":
            col = self._color(c.fill.fgColor)
            if col:
                p["pattern"], p["bg_color"] = 1, col
        for side in ("left", "right", "top", "bottom"):
            s = getattr(c.border, side) if c.border is not None else None
            if s is not None and s.style:
                p[side] = _BORDER.get(s.style, 1)
                col = self._color(s.color)
                if col and col.upper() != "#000000":
                    p[f"{side}_color"] = col
        a = c.alignment
        if a is not None:
            if a.horizontal and a.horizontal != "general":
                p["align"] = {"centerContinuous": "center_across"}.get(a.horizontal, a.horizontal)
            if a.vertical:
                p["valign"] = {"center": "vcenter"}.get(a.vertical, a.vertical)
            if a.wrap_text:
                p["text_wrap"] = True
            if a.indent:
                p["indent"] = int(a.indent)
        if c.number_format and c.number_format != "General":
            p["num_format"] = c.number_format
        return p

    # --- filling ---------------------------------------------------------
    def slots(self, ctx: dict) -> tuple[dict, dict]:
        """{row: item or None}, {row: adjustment or None}; the overflow is folded into the last slot."""
        its, adjs = list(ctx["items"]), list(ctx["adjustments"])
        n, m = len(self.item_rows), len(self.adj_rows)
        if n and len(its) > n:
            rest = its[n - 1:]
            its = its[:n - 1] + [{
                "overflow": True, "seq": None, "section": "", "item": f"其他 {len(rest)} 项（见考核表）",
                "kind": "kpi", "weight": sum(i["weight"] or 0 for i in rest), "target": None, "actual": None,
                "target_raw": "", "actual_raw": "", "unit": "", "ratio": None, "lower": False,
                "score": sum(i["score"] or 0 for i in rest), "shortfall": None}]
        if m and len(adjs) > m:
            rest = adjs[m - 1:]
            adjs = adjs[:m - 1] + [{"reason": f"其他 {len(rest)} 项：" + "；".join(a["reason"] for a in rest),
                                    "points": sum(a["points"] or 0 for a in rest),
                                    "veto": any(a["veto"] for a in rest)}]
        return ({r: its[k] if k < len(its) else None for k, r in enumerate(self.item_rows)},
                {r: adjs[k] if k < len(adjs) else None for k, r in enumerate(self.adj_rows)})

    def _value(self, tok: str, row: int, ctx: dict, item_map: dict, adj_map: dict):
        """(value, number format override or None) of one token on one row."""
        if tok.startswith("item."):
            it, key = item_map.get(row), tok[5:]
            if it is None:
                return None, None
            if key == "seq":
                return (None if it.get("overflow") else self.item_rows.index(row) + 1), None
            if key in ("target", "actual"):
                v = it[key]
                if v is None:
                    return (it[f"{key}_raw"] or None), None
                if is_percent(it["unit"]):
                    return (v if abs(v) <= 5 else v / 100), "0.0%"
                return v, ("#,##0" if float(v).is_integer() else "#,##0.00")
            return it.get(key), None
        if tok.startswith("adj."):
            a, key = adj_map.get(row), tok[4:]
            if a is None:
                return None, None
            if key == "seq":
                return self.adj_rows.index(row) + 1, None
            return (("是" if a["veto"] else "") if key == "veto" else a.get(key)), None
        return ctx.get(tok), None

    def write_sheet(self, wb, ws, ctx: dict, formats: dict) -> None:
        """Write one employee's form onto a fresh xlsxwriter worksheet."""
        item_map, adj_map = self.slots(ctx)

        def fmt(style_id, num_format=None):
            f = formats.get((style_id, num_format))
            if f is None:
                props = dict(self.styles[style_id], **({"num_format": num_format} if num_format else {}))
                f = formats[(style_id, num_format)] = wb.add_format(props)
            return f

        def sub(row):
            def one(m):
                v, _ = self._value(m.group(1), row, ctx, item_map, adj_map)
                return fmt_number(v) if isinstance(v, float) else text(v)
            return one

        for lo, hi, width in self.widths:
            ws.set_column(lo, hi, width)
        for r, h in self.heights:
            ws.set_row(r, h)
        for row, col, raw, toks, sid, end in self.cells:
            override = None
            if len(toks) == 1 and _TOKEN.fullmatch(raw.strip()):
                value, override = self._value(toks[0], row, ctx, item_map, adj_map)
            elif toks:
                value = _TOKEN.sub(sub(row), raw)
            else:
                value = raw
            _write(ws, row, col, end, value, fmt(sid, override))
        self._page(ws)

    def _page(self, ws) -> None:
        ws.set_paper(self.paper)
        ws.set_landscape() if self.landscape else ws.set_portrait()
        if self.fit:
            ws.fit_to_pages(*self.fit)
        left, right, top, bottom = self.margins
        ws.set_margins(left=left, right=right, top=top, bottom=bottom)
        if self.center_h:
            ws.center_horizontally()
        if self.center_v:
            ws.center_vertically()
        if self.print_titles:
            ws.repeat_rows(*self.print_titles)
        if self.print_area:
            ws.print_area(self.print_area)
        hm, fm = self.header_footer_margins
        if self.header:
            ws.set_header(self.header, {"margin": hm})
        if self.footer:
            ws.set_footer(self.footer, {"margin": fm})
        if not self.gridlines:
            ws.hide_gridlines(2)


def _write(ws, row: int, col: int, end, value, f) -> None:
    """One cell (or merged range): numbers as numbers, everything else as a string — never a formula."""
    if isinstance(value, bool):
        value = "是" if value else "否"
    is_num = isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(float(value))
    if end is not None:
        ws.merge_range(row, col, end[0], end[1], None if is_num else "", f)
    if is_num:
        ws.write_number(row, col, float(value), f)
        return
    s = text(value)
    if s:
        ws.write_string(row, col, s, f)
    elif end is None:
        ws.write_blank(row, col, None, f)


def form_template(path: Path | None = None) -> FormTemplate:
    """The template at ``path`` (default: workbook/appraisal_form.xlsx), read once per process."""
    path = Path(path) if path else template_dir(FORM_TEMPLATE) / FORM_TEMPLATE
    t = _TEMPLATES.get(path)
    if t is None:
        t = _TEMPLATES[path] = FormTemplate(path)
    return t


def render_form_book(path, contexts: list[dict], template: str = FORM_TEMPLATE) -> Path:
    """One workbook at ``path`` with a sheet per context (written atomically), from the form
    template named ``template`` (the appraisal form; the 目标设定表 uses the same grammar)."""
    # xlsxwriter is imported here: only rendering needs it, not every door's start-up
    import xlsxwriter
    t = form_template(None if template == FORM_TEMPLATE else template_dir(template) / template)

    def save(tmp):
        wb = xlsxwriter.Workbook(tmp, {"in_memory": True, "strings_to_formulas": False,
                                       "strings_to_numbers": False, "strings_to_urls": False})
        formats: dict = {}
        used: set = set()
        for ctx in contexts:
            t.write_sheet(wb, wb.add_worksheet(sheet_title(ctx, used)), ctx, formats)
        wb.close()
    return atomic_save(save, path)


__all__ = ["FORM_TEMPLATE", "FormTemplate", "form_contexts", "form_template", "render_form_book", "sheet_title"]
