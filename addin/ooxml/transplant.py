"""Replace whole sheets of an .xlsx/.xlsm at the zip level, leaving every other part as it was.

Why: loading and re-saving a store workbook with openpyxl costs seconds per 60,000 rows
(PERF-NOTES), drops charts, shapes (buttons), cached formula values and anything openpyxl
does not model. Here the output sheets are built in a small *donor* package (xlsxwriter or
openpyxl, in memory) and transplanted into the user's workbook:

- the donor's cell formats are merged into the target's styles.xml (styles.py) and the donor
  sheet's style indices renumbered; its shared strings become inline strings (sheet.py);
- the parts the donor sheet relates to (drawings, charts, images, comments and their VML)
  are copied under unused part names, charts with explicit data-label flags (charts.py);
- a replaced sheet keeps its position, sheet id, part name and VBA codeName; whatever only it referred
  to (its old drawings, charts, comments …) is removed with its relationships and content
  types: the package's relationship graph is walked before and after, and exactly the parts
  that became unreachable go, so no relationship points to a missing part and re-running
  reuses the same part names;
- the replaced sheets' local defined names (print titles, filter ranges) become the donor's;
- calcChain.xml is dropped (Excel rebuilds it).

The target's other parts are copied as raw zip members (not even re-deflated), so "input
sheets are unchanged cell for cell" holds by construction; they are never parsed.
"""
from __future__ import annotations

import functools

import posixpath
from pathlib import Path
from typing import Callable

from addin.io.save import atomic_save
from addin.ooxml.charts import explicit_labels
from addin.ooxml.package import Package, PackageError, PackageWriter, deflate, rels_part
from addin.ooxml.parallel import ForkJob
from addin.ooxml.parts import ContentTypes, Relationships, Workbook, kind, load_relationships, reachable
from addin.ooxml.sheet import DonorSheet, code_name, shared_strings
from addin.ooxml.styles import StyleMerger

CONTENT_TYPES = "[Content_Types].xml"
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
TABLE_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"

RowsFn = Callable[[dict, "bytes | None"], bytes]      # (xf map, the replaced sheet's XML) → rows


def replace_sheets(target, donor: bytes, names: list[str], dest=None,
                   extra_rows: dict[str, RowsFn] | None = None, parallel: tuple = ()) -> Path:
    """Transplant the donor package's sheets `names` into `target`, written atomically to `dest`
    (default: over `target`). A sheet the target has (same name, compared as Excel does,
    ignoring case) is replaced in place; the others are appended in `names` order.

    extra_rows: {sheet: fn(xf_map, old=...) -> bytes} appended to that sheet's <sheetData> (fast
    path for very long tables); fn receives donor xf index -> target xf index and, as ``old``, the
    XML of the sheet it replaces (None for a new sheet) to reuse rows that did not change; it
    returns unprefixed <row> elements.
    parallel: sheets of extra_rows whose rows are built and deflated in a forked process (the
    second core) while this one prepares and writes the rest; where fork is missing they are
    built here. The output is the same either way.
    Raises KeyError for a sheet the donor lacks, PackageError (message in Chinese) for a
    target that is not a usable workbook package. On any error the target is left as it was.
    """
    target = Path(target)
    dest = Path(dest) if dest else target
    with Package(target) as tp:
        plan = _Transplant(tp, Package(donor, label="生成的工作表"), list(dict.fromkeys(names)),
                           extra_rows or {}, set(parallel))
        try:
            atomic_save(plan.write, dest)
        finally:
            plan.close()
    return dest


def _main_part(pkg: Package) -> str:
    """The workbook part, found through the package's officeDocument relationship."""
    root = Relationships(pkg.read("_rels/.rels"), "")
    for rel in root.of_kind("officeDocument"):
        part = pkg.find(root.part(rel))
        if part is not None:
            return part
    raise PackageError(f"{pkg.label}中找不到工作簿主体（workbook.xml），文件已损坏或不是 Excel 工作簿。")


def _candidates(like: str):
    """Part names shaped like `like`: xl/charts/chart7.xml → chart1.xml, chart2.xml …;
    xl/styles.xml → styles.xml, styles2.xml …"""
    folder, name = posixpath.split(like)
    stem, ext = posixpath.splitext(name)
    base = stem.rstrip("0123456789")
    n = 1
    if base == stem:
        yield like
        n = 2
    while True:
        yield posixpath.join(folder, f"{base}{n}{ext}")
        n += 1


class _Transplant:
    """Everything decided before writing: parts to write, to stream, to leave out."""

    def __init__(self, tp: Package, dp: Package, names: list[str], extra_rows: dict[str, RowsFn],
                 parallel: set[str]):
        self.tp, self.dp = tp, dp
        self.written: dict[str, bytes] = {}
        self.streamed: dict[str, tuple[bytes, RowsFn, bytes]] = {}        # part → (head, rows, tail)
        self.jobs: dict[str, ForkJob] = {}                                 # part → its forked builder
        self.used = {n.lower() for n in tp.names}                          # part names taken
        self._copied: dict[str, str] = {}                                  # donor part → target part

        self.wb_part = _main_part(tp)
        self.rels = load_relationships(tp)                                 # edited in place
        self.wb_rels = self.rels.setdefault(self.wb_part, Relationships(None, self.wb_part))
        self.wb = Workbook(tp.read(self.wb_part), tp.label)
        ct_data = tp.read(CONTENT_TYPES)
        if ct_data is None:
            raise PackageError(f"{tp.label}缺少 [Content_Types].xml，文件已损坏。")
        self.ct = ContentTypes(ct_data)

        d_wb_part = _main_part(dp)
        self.d_rels = Relationships(dp.read(rels_part(d_wb_part)), d_wb_part)
        self.d_wb = Workbook(dp.read(d_wb_part), dp.label)
        self.d_ct = ContentTypes(dp.read(CONTENT_TYPES))
        self.d_sheets = {el.get("name"): self.d_rels.get(Workbook.rid(el)) for el in self.d_wb.sheets}
        for name in names:
            if name not in self.d_sheets:
                raise KeyError(f"donor has no sheet {name!r}")

        placed = self._free_replaced(names)
        self.replaced = set(placed)
        self.styles = self._merge_styles()
        parts = self._add_sheets(names, placed)
        try:
            self._fill_sheets(parts, extra_rows, parallel)
        except BaseException:
            self.close()
            raise
        self.wb.merge_defined_names(self.d_wb, names)
        self._finish_control_parts()

    def _free_replaced(self, names: list[str]) -> dict[str, str]:
        """Find the parts of the sheets being replaced (sheet → part) and mark for removal what
        only they (and calcChain) referred to; those names become free for the new parts."""
        before = reachable(self.tp, self.rels)
        cut: set[str] = set()
        placed: dict[str, str] = {}
        for name in names:
            index = self.wb.index(name)
            if index is None:
                continue
            sheet = self.wb.sheets[index]
            sheet.set("name", name)                                        # the donor's spelling
            rel = self.wb_rels.get(Workbook.rid(sheet))
            if rel is None:
                raise PackageError(f"{self.tp.label}中工作表「{name}」的关系缺失，文件已损坏。")
            part = self.tp.find(self.wb_rels.part(rel)) or self.wb_rels.part(rel)
            cut.add(part)                           # its relationships are about to be replaced
            d_rel = self.d_sheets[name]
            if kind(rel.get("Type", "")) != kind(d_rel.get("Type", "")):  # e.g. a chartsheet → worksheet
                part = self._fresh(self.d_rels.part(d_rel))
                rel.set("Type", d_rel.get("Type"))
                rel.set("Target", self.wb_rels.target(part))
            placed[name] = part
        for rel in self.wb_rels.of_kind("calcChain"):                     # stale now; Excel rebuilds it
            self.wb_rels.remove(rel)
        gone = before - reachable(self.tp, self.rels, cut)
        for part in gone | cut:
            old_rels = self.tp.find(rels_part(part))
            if old_rels is not None:
                gone.add(old_rels)
        self.removed = gone
        self.used -= {n.lower() for n in gone}
        return placed

    def _add_sheets(self, names: list[str], placed: dict[str, str]) -> dict[str, tuple[str, str]]:
        """Give the new sheets parts and workbook entries, and every sheet its related parts;
        returns sheet → (donor part, target part). In `names` order, so part names do not
        depend on which sheets are built in parallel."""
        out = {}
        for name in names:
            d_part = self.dp.find(self.d_rels.part(self.d_sheets[name]))
            part = placed.get(name)
            if part is None:
                part = self._fresh(d_part)
                self.wb.add_sheet(name, self.wb_rels.add(self.d_sheets[name].get("Type"), part))
            self._type(part, d_part)
            self._copy_relationships(d_part, part)
            out[name] = (d_part, part)
        return out

    def _fill_sheets(self, parts: dict[str, tuple[str, str]], extra_rows: dict[str, RowsFn],
                     parallel: set[str]) -> None:
        """The sheets' XML. Sheets built in a forked child go first, so that the child works
        while this process remaps the others and writes the package."""
        sst_rels = self.d_rels.of_kind("sharedStrings")
        sst = shared_strings(self.dp.read(self.d_rels.part(sst_rels[0])) if sst_rels else None)
        forked = [n for n in parts if n in extra_rows and n in parallel]
        for name in forked + [n for n in parts if n not in forked]:
            d_part, part = parts[name]
            sheet = DonorSheet(self.dp.read(d_part), sst, self.styles)
            if name in self.replaced:
                sheet.keep_code_name(code_name(self.tp.head(part)))
            if name not in extra_rows:
                self.written[part] = sheet.to_bytes()
                continue
            head, tail = sheet.split_for_rows()
            # the builder also gets the sheet it replaces, to reuse rows that did not change
            rows = functools.partial(extra_rows[name], old=self.tp.read(part))
            self.streamed[part] = (head, rows, tail)
            if name in forked:
                self.jobs[part] = ForkJob(head, rows, tail, self.styles.xf)

    def _finish_control_parts(self) -> None:
        new = {n.lower() for n in (*self.written, *self.streamed)}
        for part in self.removed:
            if part.lower() not in new:          # (a freed name reused keeps its new override)
                self.ct.drop_override(part)
        self.removed -= set(self.written) | set(self.streamed)
        self.written[self.wb_part] = self.wb.to_bytes()
        self.written[self._name(rels_part(self.wb_part))] = self.wb_rels.to_bytes()
        self.written[self._name(CONTENT_TYPES)] = self.ct.to_bytes()

    def _name(self, part: str) -> str:
        """The target's spelling of `part` when it has it."""
        return self.tp.find(part) or part

    def _fresh(self, like: str) -> str:
        """An unused part name shaped like `like` (the lowest free number)."""
        part = next(p for p in _candidates(like) if p.lower() not in self.used)
        self.used.add(part.lower())
        return part

    def _type(self, part: str, d_part: str) -> None:
        ctype = self.d_ct.get(d_part)
        if ctype:
            self.ct.ensure(part, ctype)

    def _merge_styles(self) -> StyleMerger:
        d_styles = self.d_rels.of_kind("styles")
        if not d_styles:
            raise ValueError("the donor package has no styles part")
        d_part = self.dp.find(self.d_rels.part(d_styles[0]))
        t_styles = self.wb_rels.of_kind("styles")
        part = self.tp.find(self.wb_rels.part(t_styles[0])) if t_styles else None
        merger = StyleMerger(self.tp.read(part) if part else None, self.dp.read(d_part))
        if part is None:                        # a package without styles: take the donor's
            part = self._fresh(posixpath.join(posixpath.dirname(self.wb_part), posixpath.basename(d_part)))
            self.wb_rels.add(d_styles[0].get("Type"), part)
            self._type(part, d_part)
        self.written[part] = merger.to_bytes()
        return merger

    def _copy_relationships(self, d_part: str, part: str) -> None:
        """Give `part` the donor part's relationships, copying what they point to."""
        data = self.dp.read(rels_part(d_part))
        if data is None:
            return
        rels = Relationships(data, d_part)
        children = [(rel, rels.part(rel)) for rel in rels if Relationships.internal(rel)]
        rels.source = part                      # targets are now written relative to `part`
        for rel, child in children:
            rel.set("Target", rels.target(self._copy_part(child)))
        self.written[self._name(rels_part(part))] = rels.to_bytes()

    def _copy_part(self, d_part: str) -> str:
        """Copy a donor part (and what it relates to) under a fresh name; once per part."""
        if d_part in self._copied:
            return self._copied[d_part]
        found = self.dp.find(d_part)
        if found is None:
            raise ValueError(f"the donor package refers to a missing part {d_part}")
        ctype = self.d_ct.get(found)
        if ctype == TABLE_CT:                   # ids and names must be unique across the workbook
            raise ValueError("donor sheets with tables (ListObjects) cannot be transplanted")
        part = self._copied[d_part] = self._fresh(found)
        data = self.dp.read(found)
        self.written[part] = explicit_labels(data) if ctype == CHART_CT else data
        self._type(part, found)
        self._copy_relationships(found, part)
        return part

    def write(self, tmp: str) -> None:
        """Write the new package to `tmp`: the target's members in their order (raw copies or
        rewritten), then the new parts, then the streamed long sheets."""
        existing = set(self.tp.names)
        with PackageWriter(tmp) as out:
            for info in self.tp.infos:
                name = info.filename
                if name in self.streamed or name in self.removed:
                    continue
                if name in self.written:
                    out.write(name, self.written[name])
                else:
                    out.copy_raw(self.tp, info)
            for name, data in self.written.items():
                if name not in existing:
                    out.write(name, data)
            # the long sheets last, those of the forked builders at the very end (most time for them)
            for name in sorted(self.streamed, key=lambda n: n in self.jobs):
                head, rows, tail = self.streamed[name]
                job = self.jobs.get(name)
                got = job.result() if job else None
                out.write_deflated(name, *(got or deflate(head, rows(self.styles.xf), tail)))
        self.tp.close()                         # before atomic_save replaces the file (Windows)

    def close(self) -> None:
        """Release the forked builders (kills any still running)."""
        for job in self.jobs.values():
            job.close()
