"""Build the document templates of SPEC §3.10 from code (run: ``python -m workbook.build_documents``).

Outputs, next to this file, committed for users (HR may edit them in Excel / Word):

- ``appraisal_form.xlsx``       绩效评估表 (附件2), one A4 portrait page
- ``letter_manager_warning.docx`` 严重警告, line manager after a verbal warning (seed 附件, first letter)
- ``letter_hr_warning.docx``      严重警告, HR formal letter (seed 附件, second letter)
- ``improvement_plan.docx``       绩效改进计划 for employees entering the D track

Placeholders
------------
The form uses ``{{key}}`` tokens in cells. A cell holding exactly one token receives a typed value
(number, date, text) and keeps the cell's number format; tokens inside longer text are substituted
as text. Every row holding ``{{item.*}}`` tokens is one item slot (top to bottom); rows holding
``{{adj.*}}`` tokens are adjustment slots. HR may move, restyle or delete cells freely; the
renderer (addin/documents.py) finds the tokens when it opens the template.

The letters and the plan are docxtpl (Jinja2) templates. They are written here as a small
WordprocessingML package on purpose: a few KB instead of python-docx's default styles, which
docxtpl would re-zip for every letter (PERF-NOTES). East Asian text uses 宋体 / 黑体.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
FORM = HERE / "appraisal_form.xlsx"
LETTER_MANAGER = HERE / "letter_manager_warning.docx"
LETTER_HR = HERE / "letter_hr_warning.docx"
PLAN = HERE / "improvement_plan.docx"

ITEM_SLOTS = 8          # the policy's maximum number of scorecard items (SPEC §3.1: 3–8)
ADJ_SLOTS = 3

SERIF_ZH = "宋体"
SANS_ZH = "黑体"
LATIN = "Times New Roman"


# =============================================================================
# 绩效评估表 (.xlsx)
# =============================================================================

def build_form(path: Path = FORM) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效评估表"

    widths = {"A": 6, "B": 12, "C": 26, "D": 10, "E": 11, "F": 11, "G": 10, "H": 12}
    for col, w in widths.items():
        ws.column_dimensions[col].width = w

    thin = Side(style="thin", color="000000")
    Side(style="medium", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    base = Font(name=SERIF_ZH, size=10)
    bold = Font(name=SERIF_ZH, size=10, bold=True)
    head = Font(name=SANS_ZH, size=11, bold=True)
    grey = PatternFill("solid", fgColor="E7E6E6")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)

    def put(ref, value, font=base, align=center, fill=None, fmt=None, border=True):
        """Write one cell (or a merged range 'A1:C1') with its style on every cell of the range."""
        first = ref.split(":")[0]
        ws[first] = value
        if ":" in ref:
            ws.merge_cells(ref)
            cells = [c for row in ws[ref] for c in row]
        else:
            cells = [ws[first]]
        for c in cells:
            c.font, c.alignment = font, align
            if border:
                c.border = box
            if fill is not None:
                c.fill = fill
            if fmt:
                c.number_format = fmt

    row_heights = {}

    # --- title ----------------------------------------------------------------
    put("A1:H1", "{{store}}", Font(name=SANS_ZH, size=12, bold=True), border=False)
    put("A2:H2", "绩 效 评 估 表", Font(name=SANS_ZH, size=16, bold=True), border=False)
    row_heights.update({1: 20, 2: 30})

    # --- header: employee --------------------------------------------------------
    header = [
        (3, [("姓名", "{{name}}"), ("工号", "{{employee_id}}"), ("部门", "{{department}}")]),
        (4, [("岗位", "{{position}}"), ("员工类别", "{{category}}"), ("考核期间", "{{period}}")]),
        (5, [("直接经理", "{{manager}}"), ("隔级经理", "{{next_manager}}"), ("评定范围", "{{group}}")]),
    ]
    for r, pairs in header:
        (l1, v1), (l2, v2), (l3, v3) = pairs
        put(f"A{r}:B{r}", l1, bold, fill=grey)
        put(f"C{r}", v1, base, left)
        put(f"D{r}", l2, bold, fill=grey)
        put(f"E{r}:F{r}", v2, base, left)
        put(f"G{r}", l3, bold, fill=grey)
        put(f"H{r}", v3, base, left)
        row_heights[r] = 20

    # --- items -------------------------------------------------------------------
    put("A7:H7", "一、考核项目（目标管理 MBO 与关键考核指标 KPI）", head, left, border=False)
    row_heights[7] = 20
    cols = ["序号", "考核维度", "考核项目", "权重", "目标", "实际", "完成率", "得分"]
    for i, text in enumerate(cols):
        put(f"{'ABCDEFGH'[i]}8", text, bold, fill=grey)
    row_heights[8] = 20
    tokens = ["seq", "section", "item", "weight", "target", "actual", "ratio", "score"]
    fmts = [None, None, None, "0%", None, None, "0.0%", "0.00"]
    for k in range(ITEM_SLOTS):
        r = 9 + k
        for i, tok in enumerate(tokens):
            put(f"{'ABCDEFGH'[i]}{r}", "{{item.%s}}" % tok, base,
                left if tok in ("section", "item") else center, fmt=fmts[i])
        row_heights[r] = 20
    r = 9 + ITEM_SLOTS                                   # 17
    put(f"A{r}:C{r}", "项目得分小计", bold, fill=grey)
    put(f"D{r}", "{{weight_sum}}", bold, fmt="0%")
    put(f"E{r}:G{r}", "", base)
    put(f"H{r}", "{{items_score}}", bold, fmt="0.00")
    row_heights[r] = 20

    # --- adjustments -------------------------------------------------------------
    r0 = r + 2                                           # 19
    put(f"A{r0}:H{r0}", "二、加减分", head, left, border=False)
    put(f"A{r0+1}", "序号", bold, fill=grey)
    put(f"B{r0+1}:F{r0+1}", "事由", bold, fill=grey)
    put(f"G{r0+1}", "否决项", bold, fill=grey)
    put(f"H{r0+1}", "分值", bold, fill=grey)
    for k in range(ADJ_SLOTS):
        rr = r0 + 2 + k
        put(f"A{rr}", "{{adj.seq}}", base)
        put(f"B{rr}:F{rr}", "{{adj.reason}}", base, left)
        put(f"G{rr}", "{{adj.veto}}", base)
        put(f"H{rr}", "{{adj.points}}", base, fmt="+0.00;-0.00;0")
    rr = r0 + 2 + ADJ_SLOTS
    put(f"A{rr}:G{rr}", "加减分合计", bold, fill=grey)
    put(f"H{rr}", "{{adjustment}}", bold, fmt="+0.00;-0.00;0")
    for x in range(r0, rr + 1):
        row_heights[x] = 20

    # --- result ------------------------------------------------------------------
    r1 = rr + 2
    put(f"A{r1}:H{r1}", "三、考核结果", head, left, border=False)
    put(f"A{r1+1}:B{r1+1}", "总分", bold, fill=grey)
    put(f"C{r1+1}", "{{total}}", Font(name=SERIF_ZH, size=12, bold=True), fmt="0.00")
    put(f"D{r1+1}", "等级", bold, fill=grey)
    put(f"E{r1+1}:F{r1+1}", "{{grade}}（{{grade_label}}）", Font(name=SERIF_ZH, size=12, bold=True))
    put(f"G{r1+1}", "分数段等级", bold, fill=grey)
    put(f"H{r1+1}", "{{band_grade}}", base)
    put(f"A{r1+2}:B{r1+2}", "备注", bold, fill=grey)
    put(f"C{r1+2}:H{r1+2}", "{{remarks}}", base, left)
    row_heights.update({r1: 20, r1 + 1: 24, r1 + 2: 30})

    # --- development plan, comments ----------------------------------------------
    r2 = r1 + 4
    boxes = [
        ("四、员工发展计划", "{{development_plan}}", 3),
        ("五、员工意见", "{{employee_comment}}", 2),
        ("六、直接经理评语", "{{manager_comment}}", 2),
    ]
    for title, token, height in boxes:
        put(f"A{r2}:H{r2}", title, head, left, border=False)
        put(f"A{r2+1}:H{r2+height}", token, base, top_left)
        row_heights[r2] = 20
        for x in range(r2 + 1, r2 + height + 1):
            row_heights[x] = 22
        r2 += height + 2

    # --- signatures ----------------------------------------------------------------
    put(f"A{r2}:H{r2}", "七、签字确认（员工、直接经理、隔级经理三方签字后报人力资源部备案）", head, left, border=False)
    row_heights[r2] = 20
    signers = [("员工签字", "{{name}}"), ("直接经理签字", "{{manager}}"), ("隔级经理签字", "{{next_manager}}")]
    for k, (label, who) in enumerate(signers):
        rr = r2 + 1 + k
        put(f"A{rr}:B{rr}", label, bold, fill=grey)
        put(f"C{rr}", who, base, left)
        put(f"D{rr}:F{rr}", "签字：", base, left)
        put(f"G{rr}", "日期", bold, fill=grey)
        put(f"H{rr}", "", base)
        row_heights[rr] = 30
    r3 = r2 + 5
    put(f"A{r3}:H{r3}", "人力资源部备案", head, left, border=False)
    put(f"A{r3+1}:B{r3+1}", "收到日期", bold, fill=grey)
    put(f"C{r3+1}", "", base)
    put(f"D{r3+1}", "审核人", bold, fill=grey)
    put(f"E{r3+1}:F{r3+1}", "", base)
    put(f"G{r3+1}", "归档编号", bold, fill=grey)
    put(f"H{r3+1}", "", base)
    row_heights.update({r3: 20, r3 + 1: 28})
    r4 = r3 + 2
    put(f"A{r4}:H{r4}", "{{footer}}", Font(name=SERIF_ZH, size=8, color="808080"), left, border=False)

    for r, h in row_heights.items():
        ws.row_dimensions[r].height = h

    # --- page -------------------------------------------------------------------
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = "1:2"
    ws.print_area = f"A1:H{r4}"
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    ws.sheet_view.showGridLines = False
    _atomic_save(path, wb.save)
    return path


# =============================================================================
# Word templates (.docx): a minimal WordprocessingML package
# =============================================================================

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""

DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>
</Relationships>"""

SETTINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="{W_NS}"><w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/>
<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>
</w:settings>"""

CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>{title}</dc:title><dc:creator>kpi4s</dc:creator>
</cp:coreProperties>"""

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}">
<w:docDefaults>
<w:rPrDefault><w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{SERIF_ZH}" w:cs="{LATIN}"/>
<w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault>
</w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/>
<w:pPr><w:jc w:val="center"/><w:spacing w:before="120" w:after="240"/></w:pPr>
<w:rPr><w:rFonts w:eastAsia="{SANS_ZH}"/><w:b/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:qFormat/>
<w:pPr><w:keepNext/><w:spacing w:before="160" w:after="60"/><w:outlineLvl w:val="0"/></w:pPr>
<w:rPr><w:rFonts w:eastAsia="{SANS_ZH}"/><w:b/><w:sz w:val="26"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Small"><w:name w:val="Small"/><w:basedOn w:val="Normal"/>
<w:rPr><w:color w:val="595959"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Cell"><w:name w:val="Cell"/><w:basedOn w:val="Normal"/>
<w:pPr><w:spacing w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>
<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>
<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>"""

# A4 portrait, 2.5 cm left/right, 2 cm top/bottom margins (twips)
SECT = ('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1418" w:bottom="1134" w:left="1418" w:header="567" w:footer="567" w:gutter="0"/>'
        '</w:sectPr>')
TEXT_WIDTH = 11906 - 2 * 1418        # twips between the margins


def _run(text: str, bold=False, underline=False, size=None, font=None) -> str:
    rpr = ""
    if font:
        rpr += f'<w:rFonts w:eastAsia="{font}"/>'
    if bold:
        rpr += "<w:b/>"
    if underline:
        rpr += '<w:u w:val="single"/>'
    if size:
        rpr += f'<w:sz w:val="{int(size * 2)}"/><w:szCs w:val="{int(size * 2)}"/>'
    rpr = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _p(*runs, style=None, align=None, indent_first=False, before=None, after=None, keep=False) -> str:
    """A paragraph; runs are strings (plain text) or pre-built run XML (starting with '<w:r>')."""
    ppr = ""
    if style:
        ppr += f'<w:pStyle w:val="{style}"/>'
    if keep:
        ppr += "<w:keepNext/>"
    if before is not None or after is not None:
        ppr += f'<w:spacing w:before="{before or 0}" w:after="{after or 0}"/>'
    if indent_first:
        ppr += '<w:ind w:firstLineChars="200" w:firstLine="480"/>'
    if align:
        ppr += f'<w:jc w:val="{align}"/>'
    body = "".join(r if r.startswith("<w:r>") else _run(r) for r in runs)
    return f"<w:p>{'<w:pPr>' + ppr + '</w:pPr>' if ppr else ''}{body}</w:p>"


def _tag(tag: str) -> str:
    """A paragraph holding only a docxtpl paragraph tag ({%p ... %})."""
    return f"<w:p>{_run(tag)}</w:p>"


def _cell(content: str, width: int, shade=False, span=1, align=None, bold=False) -> str:
    tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        tcpr += f'<w:gridSpan w:val="{span}"/>'
    if shade:
        tcpr += '<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>'
    tcpr += '<w:vAlign w:val="center"/>'
    if not content.startswith("<w:p"):
        content = _p(_run(content, bold=bold or shade), style="Cell", align=align or ("center" if shade else None))
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{content}</w:tc>"


def _row(cells, height=None, header=False) -> str:
    trpr = ""
    if height:
        trpr += f'<w:trHeight w:val="{height}"/>'
    if header:
        trpr += "<w:tblHeader/>"
    trpr += "<w:cantSplit/>"
    return f"<w:tr><w:trPr>{trpr}</w:trPr>{''.join(cells)}</w:tr>"


def _table(widths, rows, borders=True) -> str:
    line = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    b = "".join(line.format(s) for s in ("top", "left", "bottom", "right", "insideH", "insideV")) if borders else ""
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblBorders>{b}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")


def _document(body: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W_NS}"><w:body>{body}{SECT}</w:body></w:document>')


def _write_docx(path: Path, body: str, title: str) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("docProps/core.xml", CORE.format(title=escape(title)))
        z.writestr("word/document.xml", _document(body))
        z.writestr("word/_rels/document.xml.rels", DOC_RELS)
        z.writestr("word/styles.xml", STYLES)
        z.writestr("word/settings.xml", SETTINGS)
    _atomic_save(path, lambda tmp: Path(tmp).write_bytes(buf.getvalue()))
    return path


# --- 严重警告 (seed 附件: the two letters, their wording kept) -------------------

LETTER_OPENING = {
    "manager_warning": "这是继口头警告后正式的书面警告，我们希望您能对自己严重不符合职位要求的工作表现予以重视，原因如下：",
    "hr_warning": "此函是公司正式下达的书面警告，我们希望您能对自己严重不符合职位要求的工作表现予以重视，原因如下：",
}


def _letter_body(variant: str) -> str:
    blank = "_________________"
    parts = [
        _p("{{ store }}　　编号：{{ ref }}", style="Small", align="right"),
        _p(_run("严 重 警 告"), style="Title"),
        _p("致", _run("  {{ name }}  ", underline=True), "（员工姓名）"),
        _p("工号：{{ employee_id }}　　部门：{{ department }}　　岗位：{{ position }}", style="Small", after=120),
        _p(LETTER_OPENING[variant], indent_first=True),
        _tag("{%p for r in reasons %}"),
        _p("{{ loop.index }}. {{ r }}", indent_first=True),
        _tag("{%p endfor %}"),
        _p("我们希望您能够在{{ correction_period }}内（在", _run("{{ deadline }}", underline=True),
           "之前）在以上方面有明显的改正，否则根据公司的相关规定，我们将与您解除劳动合同。"
           "如果您有任何疑问或者有任何需要我们帮助的地方，请向您的直线主管提出，我们将尽力帮助您解决。",
           indent_first=True, before=120),
        _p("特此警告！", indent_first=True, before=120, after=240),
        _p("签发日期：{{ issue_date }}", align="right", after=240),
    ]
    sig_w = [TEXT_WIDTH // 2, TEXT_WIDTH - TEXT_WIDTH // 2]
    signers = _table(sig_w, [
        _row([_cell(_p(blank, align="center"), sig_w[0]), _cell(_p(blank, align="center"), sig_w[1])], height=500),
        _row([_cell(_p("部门总监（或更上层经理）签名", align="center"), sig_w[0]),
              _cell(_p("人力资源部", align="center"), sig_w[1])]),
    ], borders=False)
    parts += [
        signers,
        _p("我在此确认已阅读并理解以上内容。", before=480, keep=True),
        _p(f"员工签字 {blank}　　日期 ______________", before=240),
    ]
    return "".join(parts)


def build_letter(variant: str, path: Path) -> Path:
    return _write_docx(path, _letter_body(variant), "严重警告")


# --- 绩效改进计划 -------------------------------------------------------------------

def _plan_body() -> str:
    w4 = [1300, 3900, 1300, TEXT_WIDTH - 6500]
    info = [
        ("姓名", "{{ name }}", "工号", "{{ employee_id }}"),
        ("部门", "{{ department }}", "岗位", "{{ position }}"),
        ("直接经理", "{{ manager }}", "隔级经理", "{{ next_manager }}"),
        ("改进期", "{{ start }} 至 {{ end }}", "制定日期", "{{ issue_date }}"),
    ]
    info_rows = [_row([_cell(a, w4[0], shade=True), _cell(b, w4[1]), _cell(c, w4[2], shade=True), _cell(d, w4[3])],
                      height=380) for a, b, c, d in info]
    info_rows.append(_row([_cell("触发原因", w4[0], shade=True), _cell("{{ trigger }}", sum(w4[1:]), span=3)], height=380))

    # one table: the items below target, their monthly goals, room for the measures
    wi = [700, 1700, 1100, 1450, 2500, 0]
    wi[-1] = TEXT_WIDTH - sum(wi[:-1])
    goal_cell = (_tag("{%p for g in it.goals %}") + _p("{{ g }}", style="Cell") + _tag("{%p endfor %}"))
    items_rows = [
        _row([_cell(t, w, shade=True) for t, w in
              zip(["序号", "考核项目", "目标", "本月实际（完成率）", "改进目标（按月）", "改进措施 / 所需支持"], wi)],
             header=True),
        _row([_cell("{%tr for it in items %}", sum(wi), span=6)]),
        _row([_cell("{{ loop.index }}", wi[0], align="center"), _cell("{{ it.item }}", wi[1]),
              _cell("{{ it.target }}", wi[2], align="center"),
              _cell(_p("{{ it.actual }}", style="Cell", align="center")
                    + _p("（{{ it.ratio }}）", style="Cell", align="center"), wi[3]),
              _cell(goal_cell, wi[4]), _cell("", wi[5])], height=480),
        _row([_cell("{%tr endfor %}", sum(wi), span=6)]),
        _row([_cell("总体目标", wi[0] + wi[1], shade=True, span=2),
              _cell("{{ overall_goal }}", sum(wi[2:]), span=4)], height=400),
    ]
    wr = [1700, 2000, 2800, TEXT_WIDTH - 6500]
    review_rows = [
        _row([_cell(t, w, shade=True) for t, w in zip(["回顾", "回顾日期", "评估结果（得分/等级）", "直接经理签字"], wr)],
             header=True),
        _row([_cell("{%tr for rv in reviews %}", sum(wr), span=4)]),
        _row([_cell("{{ rv.label }}", wr[0], align="center"), _cell("{{ rv.date }}", wr[1], align="center"),
              _cell("", wr[2]), _cell("", wr[3])], height=440),
        _row([_cell("{%tr endfor %}", sum(wr), span=4)]),
    ]
    ws = [1300, TEXT_WIDTH // 2 - 1300, 1300, TEXT_WIDTH - TEXT_WIDTH // 2 - 1300]
    sign = _p("签字：", style="Cell") + _p("日期：", style="Cell", before=120)
    sign_rows = [_row([_cell(a, ws[0], shade=True), _cell(sign, ws[1]), _cell(b, ws[2], shade=True),
                       _cell(sign, ws[3])], height=620)
                 for a, b in (("员工", "直接经理"), ("隔级经理", "人力资源部"))]
    return "".join([
        _p("{{ store }}　　编号：{{ ref }}", style="Small", align="right"),
        _p(_run("绩 效 改 进 计 划"), style="Title"),
        _table(w4, info_rows),
        _p("一、未达标项目与改进目标（{{ period }}结果；改进期{{ plan_period }}）", style="Heading1"),
        _table(wi, items_rows),
        _p("二、回顾安排", style="Heading1"),
        _table(wr, review_rows),
        _p("{{ rule }}", style="Small", before=60),
        _p("三、签字确认", style="Heading1"),
        _table(ws, sign_rows),
    ])


def build_plan(path: Path = PLAN) -> Path:
    return _write_docx(path, _plan_body(), "绩效改进计划")


# =============================================================================

def _atomic_save(path: Path, save) -> None:
    from addin.book import atomic_save
    atomic_save(save, Path(path))


def build_all(folder: Path = HERE) -> list[Path]:
    folder = Path(folder)
    return [
        build_form(folder / FORM.name),
        build_letter("manager_warning", folder / LETTER_MANAGER.name),
        build_letter("hr_warning", folder / LETTER_HR.name),
        build_plan(folder / PLAN.name),
    ]


if __name__ == "__main__":
    for p in build_all():
        print(f"{p.name}: {p.stat().st_size:,} bytes")
