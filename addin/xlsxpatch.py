"""Replace whole sheets of an .xlsx/.xlsm at the zip level, leaving every other part as it was.

Why: loading and re-saving a store workbook with openpyxl costs seconds per 60,000 rows
(PERF-NOTES), drops charts, shapes (buttons), cached formula values and anything openpyxl
does not model. Here the output sheets are built in a small *donor* package (xlsxwriter or
openpyxl, in memory) and transplanted into the user's workbook:

- the donor's cell formats, fonts, fills, borders, number formats and conditional-format
  styles are appended to the target's styles.xml (identical entries are reused, so re-running
  does not grow the file) and the donor sheet's style indices are renumbered;
- shared strings of the donor sheet become inline strings (the target's sharedStrings.xml is
  not touched);
- drawings and charts of the donor sheet are copied under unused part names;
- a replaced sheet keeps its position and sheet id; its old drawings/charts are removed;
- calcChain.xml is dropped (Excel rebuilds it).

Input sheets' parts are copied byte for byte (recompressed only), so "input sheets are
unchanged cell for cell" holds by construction.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape

from addin.io.save import atomic_save

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WS_TYPE = R_NS + "/worksheet"
WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_BY_KIND = {
    "drawing": "application/vnd.openxmlformats-officedocument.drawing+xml",
    "chart": "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
}


# ---------------------------------------------------------------------------- small XML helpers
def _rels(xml: str) -> list[dict]:
    out = []
    for m in re.finditer(r"<Relationship\b([^>]*)/?>", xml):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        out.append(attrs)
    return out


def _rels_path(part: str) -> str:
    d, f = posixpath.split(part)
    return posixpath.join(d, "_rels", f + ".rels")


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _relative(from_part: str, to_part: str) -> str:
    return posixpath.relpath(to_part, posixpath.dirname(from_part))


def _sheets_of(workbook_xml: str, rels_xml: str) -> list[tuple[str, str, str, str]]:
    """[(name, sheetId, rId, part path)] in workbook order."""
    rel = {r["Id"]: r["Target"] for r in _rels(rels_xml)}
    out = []
    for m in re.finditer(r"<sheet\b([^>]*)/>", workbook_xml):
        attrs = m.group(1)
        name = re.search(r'\bname="([^"]*)"', attrs).group(1)
        sid = re.search(r'\bsheetId="(\d+)"', attrs).group(1)
        rid = re.search(r'\br:id="([^"]*)"', attrs) or re.search(r'\b\w+:id="([^"]*)"', attrs)
        rid = rid.group(1)
        out.append((_unescape(name), sid, rid, _resolve("xl/workbook.xml", rel[rid])))
    return out


def _unescape(s: str) -> str:
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


# ---------------------------------------------------------------------------- styles
_SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")
_CHILD = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border",
          "cellXfs": "xf", "dxfs": "dxf"}


def _section(xml: str, name: str) -> tuple[int, int, list[str]] | None:
    """(start, end, children) of <name ...>...</name> or <name .../>; None if absent."""
    m = re.search(rf"<{name}\b[^>]*?(/>|>(.*?)</{name}>)", xml, re.S)
    if not m:
        return None
    inner = m.group(2) or ""
    child = _CHILD[name]
    kids = re.findall(rf"<{child}\b[^>]*/>|<{child}\b[^>]*>.*?</{child}>", inner, re.S)
    return m.start(), m.end(), kids


def _set_section(xml: str, name: str, kids: list[str]) -> str:
    body = f'<{name} count="{len(kids)}">{"".join(kids)}</{name}>'
    sec = _section(xml, name)
    if sec:
        return xml[:sec[0]] + body + xml[sec[1]:]
    # insert in schema order: after the closest preceding section present
    order = list(_SECTIONS)
    for prev in reversed(order[:order.index(name)]):
        m = re.search(rf"<{prev}\b[^>]*?(/>|>.*?</{prev}>)", xml, re.S)
        if m:
            return xml[:m.end()] + body + xml[m.end():]
    m = re.search(r"<styleSheet\b[^>]*>", xml)
    return xml[:m.end()] + body + xml[m.end():]


class StyleMerger:
    """Append a donor's styles to the target's styles.xml; maps donor xf / dxf indices."""

    def __init__(self, target_xml: str, donor_xml: str):
        t, d = target_xml, donor_xml
        # number formats
        t_fmts = _section(t, "numFmts")
        t_fmt_kids = t_fmts[2] if t_fmts else []
        code_to_id = {}
        max_id = 163
        for k in t_fmt_kids:
            i = int(re.search(r'numFmtId="(\d+)"', k).group(1))
            code_to_id[re.search(r'formatCode="([^"]*)"', k).group(1)] = i
            max_id = max(max_id, i)
        fmt_map = {}
        d_fmts = _section(d, "numFmts")
        for k in (d_fmts[2] if d_fmts else []):
            i = int(re.search(r'numFmtId="(\d+)"', k).group(1))
            code = re.search(r'formatCode="([^"]*)"', k).group(1)
            if code not in code_to_id:
                max_id += 1
                code_to_id[code] = max_id
                t_fmt_kids.append(f'<numFmt numFmtId="{max_id}" formatCode="{code}"/>')
            fmt_map[i] = code_to_id[code]
        maps = {}
        kids_out = {}
        for name in ("fonts", "fills", "borders"):
            tk = _section(t, name)[2]
            dk = _section(d, name)[2]
            index = {k: i for i, k in enumerate(tk)}
            m = {}
            for i, k in enumerate(dk):
                if k not in index:
                    index[k] = len(tk)
                    tk.append(k)
                m[i] = index[k]
            maps[name] = m
            kids_out[name] = tk
        t_xfs = _section(t, "cellXfs")[2]
        xf_index = {k: i for i, k in enumerate(t_xfs)}
        self.xf = {}
        for i, k in enumerate(_section(d, "cellXfs")[2]):
            k2 = re.sub(r'\bnumFmtId="(\d+)"', lambda m: f'numFmtId="{fmt_map.get(int(m.group(1)), int(m.group(1)))}"', k)
            k2 = re.sub(r'\bfontId="(\d+)"', lambda m: f'fontId="{maps["fonts"].get(int(m.group(1)), 0)}"', k2)
            k2 = re.sub(r'\bfillId="(\d+)"', lambda m: f'fillId="{maps["fills"].get(int(m.group(1)), 0)}"', k2)
            k2 = re.sub(r'\bborderId="(\d+)"', lambda m: f'borderId="{maps["borders"].get(int(m.group(1)), 0)}"', k2)
            k2 = re.sub(r'\bxfId="\d+"', 'xfId="0"', k2)
            if k2 not in xf_index:
                xf_index[k2] = len(t_xfs)
                t_xfs.append(k2)
            self.xf[i] = xf_index[k2]
        t_dx = _section(t, "dxfs")
        t_dxfs = t_dx[2] if t_dx else []
        dxf_index = {k: i for i, k in enumerate(t_dxfs)}
        self.dxf = {}
        d_dx = _section(d, "dxfs")
        for i, k in enumerate(d_dx[2] if d_dx else []):
            k2 = re.sub(r'\bnumFmtId="(\d+)"', lambda m: f'numFmtId="{fmt_map.get(int(m.group(1)), int(m.group(1)))}"', k)
            if k2 not in dxf_index:
                dxf_index[k2] = len(t_dxfs)
                t_dxfs.append(k2)
            self.dxf[i] = dxf_index[k2]
        out = t
        if t_fmt_kids:
            out = _set_section(out, "numFmts", t_fmt_kids)
        for name in ("fonts", "fills", "borders"):
            out = _set_section(out, name, kids_out[name])
        out = _set_section(out, "cellXfs", t_xfs)
        if t_dxfs:
            out = _set_section(out, "dxfs", t_dxfs)
        self.xml = out


# ---------------------------------------------------------------------------- donor sheets
def _shared_strings(xml: str | None) -> list[str]:
    if not xml:
        return []
    out = []
    for si in re.findall(r"<si>(.*?)</si>", xml, re.S):
        out.append("".join(re.findall(r"<t\b[^>]*>(.*?)</t>", si, re.S)))   # still XML-escaped
    return out


def _remap_sheet(xml: str, sst: list[str], styles: StyleMerger) -> str:
    def cell(m):
        head, body = m.group(1), m.group(2)
        head = re.sub(r'\bs="(\d+)"', lambda s: f's="{styles.xf.get(int(s.group(1)), 0)}"', head)
        if ' t="s"' in head:
            v = re.search(r"<v>(\d+)</v>", body)
            text = sst[int(v.group(1))] if v else ""
            head = head.replace(' t="s"', ' t="inlineStr"')
            body = f'<is><t xml:space="preserve">{text}</t></is>'
        return f"{head}>{body}</c>"
    xml = re.sub(r"(<c\b[^>]*?)(?<!/)>(.*?)</c>", cell, xml, flags=re.S)
    xml = re.sub(r'(<c\b[^>]*?)\bs="(\d+)"(\s*/>)', lambda m: f'{m.group(1)}s="{styles.xf.get(int(m.group(2)), 0)}"{m.group(3)}', xml)
    xml = re.sub(r'(<(?:row|col)\b[^>]*?\b(?:s|style)=")(\d+)"',
                 lambda m: f'{m.group(1)}{styles.xf.get(int(m.group(2)), 0)}"', xml)
    xml = re.sub(r'\bdxfId="(\d+)"', lambda m: f'dxfId="{styles.dxf.get(int(m.group(1)), 0)}"', xml)
    xml = xml.replace(' tabSelected="1"', "")
    return xml


# ---------------------------------------------------------------------------- the transplant
class _Package:
    def __init__(self, data: bytes | str | Path):
        self.zip = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data)
        self.names = self.zip.namelist()

    def text(self, name: str) -> str | None:
        return self.zip.read(name).decode("utf-8") if name in self.names else None


def replace_sheets(target, donor: bytes, names: list[str], dest=None,
                   extra_rows: dict[str, Callable[[dict], bytes]] | None = None,
                   parallel: tuple = ()) -> Path:
    """Transplant the donor package's sheets `names` into `target`, written atomically to `dest`.

    extra_rows: {sheet: fn(xf_map) -> bytes} appended to that sheet's <sheetData> (fast path for
    very long tables; fn receives donor xf index -> target xf index).
    parallel: sheets of extra_rows whose rows are built and deflated in a forked process (the
    second core) while this one writes the rest; where fork is missing they are built here.
    """
    target = Path(target)
    dest = Path(dest) if dest else target
    tp = _Package(target)
    dp = _Package(donor)
    wb_xml = tp.text("xl/workbook.xml")
    wb_rels = tp.text("xl/_rels/workbook.xml.rels")
    ct = tp.text("[Content_Types].xml")
    t_sheets = _sheets_of(wb_xml, wb_rels)
    d_sheets = {n: p for n, _, _, p in _sheets_of(dp.text("xl/workbook.xml"), dp.text("xl/_rels/workbook.xml.rels"))}
    styles = StyleMerger(tp.text("xl/styles.xml"), dp.text("xl/styles.xml"))
    sst = _shared_strings(dp.text("xl/sharedStrings.xml"))

    removed: set[str] = set()
    written: dict[str, bytes] = {"xl/styles.xml": styles.xml.encode("utf-8")}
    used = set(tp.names)

    def drop_overrides(part):
        nonlocal ct
        ct = re.sub(rf'<Override PartName="/{re.escape(part)}"[^>]*/>', "", ct)

    def remove_tree(part):
        """Remove a part's rels and the drawings/charts they point to (recursively)."""
        rp = _rels_path(part)
        if rp in tp.names and rp not in removed:
            for r in _rels(tp.text(rp)):
                if r.get("TargetMode") == "External":
                    continue
                kind = r["Type"].rsplit("/", 1)[-1]
                if kind in ("drawing", "chart", "chartUserShapes", "chartStyle", "chartColorStyle"):
                    child = _resolve(part, r["Target"])
                    if child in tp.names and child not in removed:
                        removed.add(child)
                        used.discard(child)          # its name may be reused (idempotent re-runs)
                        remove_tree(child)
            removed.add(rp)

    def fresh(pattern: str) -> str:
        k = 1
        while pattern.format(k) in used:
            k += 1
        name = pattern.format(k)
        used.add(name)
        return name

    def copy_tree(d_part: str, t_part: str):
        """Copy a donor part's related drawings/charts under fresh target names."""
        rp = _rels_path(d_part)
        if rp not in dp.names:
            return
        rels_xml = dp.text(rp)
        for r in _rels(rels_xml):
            if r.get("TargetMode") == "External":
                continue
            kind = r["Type"].rsplit("/", 1)[-1]
            child = _resolve(d_part, r["Target"])
            if kind == "drawing":
                new = fresh("xl/drawings/drawing{}.xml")
            elif kind == "chart":
                new = fresh("xl/charts/chart{}.xml")
            else:
                continue
            data = dp.zip.read(child)
            if kind == "chart":
                data = _explicit_labels(data)
            written[new] = data
            if kind in CT_BY_KIND:
                add_override(new, CT_BY_KIND[kind])
            copy_tree(child, new)
            rels_xml = rels_xml.replace(f'Target="{r["Target"]}"', f'Target="{_relative(t_part, new)}"', 1)
        written[_rels_path(t_part)] = rels_xml.encode("utf-8")

    def add_override(part, ctype):
        nonlocal ct
        if f'<Override PartName="/{part}" ContentType="{ctype}"/>' in ct:
            return                                   # same part re-written: keep its place
        drop_overrides(part)
        ct = ct.replace("</Types>", f'<Override PartName="/{part}" ContentType="{ctype}"/></Types>')

    by_name = {n: (sid, rid, p) for n, sid, rid, p in t_sheets}
    new_sheet_entries, new_rels = [], []
    max_sid = max([int(s) for _, s, _, _ in t_sheets] or [0])
    rids = {r["Id"] for r in _rels(wb_rels)}
    deferred: dict = {}                      # part -> (sheet, head, rows fn, tail)
    for name in names:                       # free the replaced sheets' drawings first
        if name in by_name:
            remove_tree(by_name[name][2])
    for name in names:
        if name not in d_sheets:
            raise KeyError(f"donor has no sheet {name!r}")
        d_part = d_sheets[name]
        xml = _remap_sheet(dp.text(d_part), sst, styles)
        long_rows = None
        if extra_rows and name in extra_rows:
            xml = re.sub(r'<dimension ref="[^"]*"/>', "", xml, count=1)
            if "</sheetData>" not in xml:
                xml = xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
            head, tail = xml.split("</sheetData>", 1)
            long_rows = (head.encode("utf-8"), extra_rows[name], ("</sheetData>" + tail).encode("utf-8"))
        if name in by_name:
            _, _, t_part = by_name[name]
        else:
            t_part = fresh("xl/worksheets/sheet{}.xml")
            max_sid += 1
            k = 1
            while f"rId{k}" in rids:
                k += 1
            rid = f"rId{k}"
            rids.add(rid)
            new_rels.append(f'<Relationship Id="{rid}" Type="{WS_TYPE}" Target="{_relative("xl/workbook.xml", t_part)}"/>')
            new_sheet_entries.append(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{max_sid}" r:id="{rid}"/>')
            add_override(t_part, WS_CT)
        if long_rows is None:
            written[t_part] = xml.encode("utf-8")
        else:
            deferred[t_part] = (name, *long_rows)
        removed.discard(t_part)
        removed.discard(_rels_path(t_part))
        copy_tree(d_part, t_part)
    if new_sheet_entries:
        root = re.search(r"<workbook\b[^>]*>", wb_xml)
        if f'xmlns:r="{R_NS}"' not in root.group(0):
            wb_xml = wb_xml[:root.start()] + root.group(0).replace("<workbook", f'<workbook xmlns:r="{R_NS}"', 1) + wb_xml[root.end():]
        wb_xml = wb_xml.replace("</sheets>", "".join(new_sheet_entries) + "</sheets>", 1)
        wb_rels = wb_rels.replace("</Relationships>", "".join(new_rels) + "</Relationships>", 1)
    for part in removed - set(written) - set(deferred):
        drop_overrides(part)
    jobs = {part: _fork_deflate(head, fn, tail, styles.xf) for part, (name, head, fn, tail) in deferred.items()
            if name in parallel}
    wb_xml = _merge_defined_names(wb_xml, dp.text("xl/workbook.xml"), names)
    # calcChain: stale once sheets are replaced; Excel rebuilds it
    if "xl/calcChain.xml" in tp.names:
        removed.add("xl/calcChain.xml")
        drop_overrides("xl/calcChain.xml")
        wb_rels = re.sub(r'<Relationship\b[^>]*calcChain[^>]*/>', "", wb_rels)
    written["xl/workbook.xml"] = wb_xml.encode("utf-8")
    written["xl/_rels/workbook.xml.rels"] = wb_rels.encode("utf-8")
    written["[Content_Types].xml"] = ct.encode("utf-8")

    def save(tmp):
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            done = set()
            for info in tp.zip.infolist():
                n = info.filename
                if (n in removed and n not in written) or n in deferred:
                    continue
                if n in written:
                    out.writestr(_info(n), written[n], compresslevel=1)
                else:
                    _copy_member(tp.zip, info, out)
                done.add(n)
            for n, data in written.items():
                if n not in done:
                    out.writestr(_info(n), data, compresslevel=1)
            for n, (name, head, fn, tail) in deferred.items():     # the long sheets last
                got = jobs[n].result() if n in jobs else None
                if got is None:
                    out.writestr(_info(n), b"".join((head, fn(styles.xf), tail)), compresslevel=1)
                else:
                    _write_deflated(out, n, *got)
    try:
        atomic_save(save, dest)
    finally:
        for job in jobs.values():
            job.close()
    return dest


class _ForkJob:
    """A forked child that builds one long part and deflates it; result() → (data, crc, size)
    or None when the child failed (the caller then builds the part itself)."""

    def __init__(self, proc, conn):
        self.proc, self.conn = proc, conn

    def result(self):
        try:
            crc, size = self.conn.recv()
            data = self.conn.recv_bytes()
            return data, crc, size
        except (EOFError, OSError, ValueError, TypeError):
            return None
        finally:
            self.close()

    def close(self):
        try:
            self.conn.close()
        finally:
            if self.proc.is_alive():
                self.proc.join(timeout=0.5)
                if self.proc.is_alive():
                    self.proc.kill()
            self.proc.join()


def _fork_deflate(head: bytes, fn, tail: bytes, xf_map: dict):
    import multiprocessing as mp
    import zlib
    if "fork" not in mp.get_all_start_methods():
        return _NoJob()
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def work():
        try:
            body = fn(xf_map)
            comp = zlib.compressobj(1, zlib.DEFLATED, -15)
            crc = zlib.crc32(tail, zlib.crc32(body, zlib.crc32(head)))
            data = comp.compress(head) + comp.compress(body) + comp.compress(tail) + comp.flush()
            child.send((crc, len(head) + len(body) + len(tail)))
            child.send_bytes(data)
        finally:
            child.close()
    proc = ctx.Process(target=work, daemon=True)
    proc.start()
    child.close()
    return _ForkJob(proc, parent)


class _NoJob:
    def result(self):
        return None

    def close(self):
        pass


def _write_deflated(zout: zipfile.ZipFile, name: str, data: bytes, crc: int, size: int) -> None:
    """Write a member whose raw-deflate stream, CRC and size were computed elsewhere."""
    zi = _info(name)
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.CRC, zi.file_size, zi.compress_size = crc & 0xFFFFFFFF, size, len(data)
    zi.flag_bits &= ~0x08
    zi.header_offset = zout.fp.tell()
    zout.fp.write(zi.FileHeader())
    zout.fp.write(data)
    zout.filelist.append(zi)
    zout.NameToInfo[zi.filename] = zi
    zout.start_dir = zout.fp.tell()
    zout._didModify = True


def _explicit_labels(chart: bytes) -> bytes:
    """Data labels: spell out the flags left off. OOXML's defaults for absent flags differ
    between readers (LibreOffice shows series and category names too)."""
    text = chart.decode("utf-8")
    if "<c:dLbls>" not in text:
        return chart

    def fix(m):
        block = m.group(0)
        for flag in ("showLegendKey", "showCatName", "showSerName", "showPercent", "showBubbleSize"):
            if f"<c:{flag} " not in block:
                if flag == "showLegendKey":
                    block = block.replace("<c:showVal ", f'<c:{flag} val="0"/><c:showVal ', 1)
                else:
                    block = block.replace("</c:dLbls>", f'<c:{flag} val="0"/></c:dLbls>', 1)
        if "<c:showVal " not in block:
            block = block.replace("<c:showCatName ", '<c:showVal val="0"/><c:showCatName ', 1)
        return _order_flags(block)
    return re.sub(r"<c:dLbls>.*?</c:dLbls>", fix, text, flags=re.S).encode("utf-8")


def _order_flags(block: str) -> str:
    order = ["showLegendKey", "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize"]
    flags = {f: re.search(rf"<c:{f} [^>]*/>", block) for f in order}
    if not all(flags.values()):
        return block
    stripped = block
    for f in order:
        stripped = stripped.replace(flags[f].group(0), "", 1)
    ordered = "".join(flags[f].group(0) for f in order)
    # flags follow numFmt/spPr/txPr/dLblPos and precede separator/showLeaderLines/extLst
    m = re.search(r"<c:(separator|showLeaderLines|leaderLines|extLst)\b", stripped)
    pos = m.start() if m else stripped.rindex("</c:dLbls>")
    return stripped[:pos] + ordered + stripped[pos:]


def _merge_defined_names(wb_xml: str, donor_xml: str, names: list[str]) -> str:
    """Carry the donor's sheet-local defined names (print titles, autofilter ranges) of the
    transplanted sheets over, with localSheetId renumbered to the target's sheet order."""
    d_order = [_unescape(n) for n in re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', donor_xml)]
    t_order = [_unescape(n) for n in re.findall(r'<sheet\b[^>]*\bname="([^"]*)"', wb_xml)]
    moved = {t_order.index(n) for n in names if n in t_order}
    block = re.search(r"<definedNames>(.*?)</definedNames>", wb_xml, re.S)
    kept = []
    if block:
        for m in re.finditer(r"<definedName\b([^>]*)>(.*?)</definedName>", block.group(1), re.S):
            local = re.search(r'localSheetId="(\d+)"', m.group(1))
            if local and int(local.group(1)) in moved:
                continue                     # the replaced sheet's old names go
            kept.append(m.group(0))
    for m in re.finditer(r"<definedName\b([^>]*)>(.*?)</definedName>", donor_xml, re.S):
        local = re.search(r'localSheetId="(\d+)"', m.group(1))
        if not local or int(local.group(1)) >= len(d_order) or d_order[int(local.group(1))] not in names:
            continue
        target_ix = t_order.index(d_order[int(local.group(1))])
        attrs = re.sub(r'localSheetId="\d+"', f'localSheetId="{target_ix}"', m.group(1))
        kept.append(f"<definedName{attrs}>{m.group(2)}</definedName>")
    body = f"<definedNames>{''.join(kept)}</definedNames>" if kept else ""
    if block:
        return wb_xml[:block.start()] + body + wb_xml[block.end():]
    if not body:
        return wb_xml
    end = wb_xml.index("</sheets>") + len("</sheets>")
    return wb_xml[:end] + body + wb_xml[end:]


def _copy_member(zin: zipfile.ZipFile, info: zipfile.ZipInfo, zout: zipfile.ZipFile) -> None:
    """Copy a member's compressed bytes as they are (no inflate/deflate): input sheets of a
    group workbook are megabytes of XML that did not change."""
    import copy
    import struct
    if info.flag_bits & 0x01 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        zout.writestr(_info(info.filename, info), zin.read(info.filename), compresslevel=1)
        return
    fp = zin.fp
    fp.seek(info.header_offset)
    head = fp.read(30)
    if head[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    raw = fp.read(info.compress_size)
    zi = copy.copy(info)
    zi.flag_bits &= ~0x08                  # sizes go in the local header, no data descriptor
    zi.extra = b""
    zi.header_offset = zout.fp.tell()
    zout.fp.write(zi.FileHeader())
    zout.fp.write(raw)
    zout.filelist.append(zi)
    zout.NameToInfo[zi.filename] = zi
    zout.start_dir = zout.fp.tell()
    zout._didModify = True


def _info(name: str, like: zipfile.ZipInfo | None = None) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=like.date_time if like else (1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    return zi
