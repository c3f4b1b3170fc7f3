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
renderer (addin/render/forms.py) finds the tokens when it opens the template.

The letters and the plan are docxtpl (Jinja2) templates. They are written here as a small
WordprocessingML package on purpose: a few KB instead of python-docx's default styles, which
docxtpl would re-zip for every letter (PERF-NOTES). Fonts are the house style's document fonts
(addin.render.style: 宋体 / 黑体, Times New Roman for Latin text).
"""
from __future__ import annotations

from pathlib import Path

from addin.io.save import atomic_save
from addin.render.style import DOC_SANS, DOC_SERIF
from workbook.docx_package import TEXT_WIDTH, cell, para, row, run, table, tag, write_docx

HERE = Path(__file__).resolve().parent
FORM = HERE / "appraisal_form.xlsx"
LETTER_MANAGER = HERE / "letter_manager_warning.docx"
LETTER_HR = HERE / "letter_hr_warning.docx"
PLAN = HERE / "improvement_plan.docx"

ITEM_SLOTS = 8          # the policy's maximum number of scorecard items (SPEC §3.1: 3–8)
ADJ_SLOTS = 3


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
    base = Font(name=DOC_SERIF, size=10)
    bold = Font(name=DOC_SERIF, size=10, bold=True)
    head = Font(name=DOC_SANS, size=11, bold=True)
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
    put("A1:H1", "{{store}}", Font(name=DOC_SANS, size=12, bold=True), border=False)
    put("A2:H2", "绩 效 评 估 表", Font(name=DOC_SANS, size=16, bold=True), border=False)
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
    put(f"C{r1+1}", "{{total}}", Font(name=DOC_SERIF, size=12, bold=True), fmt="0.00")
    put(f"D{r1+1}", "等级", bold, fill=grey)
    put(f"E{r1+1}:F{r1+1}", "{{grade}}（{{grade_label}}）", Font(name=DOC_SERIF, size=12, bold=True))
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
    put(f"A{r4}:H{r4}", "{{footer}}", Font(name=DOC_SERIF, size=8, color="808080"), left, border=False)

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
    atomic_save(wb.save, path)
    return path


# --- 严重警告 (seed 附件: the two letters, their wording kept) -------------------

LETTER_OPENING = {
    "manager_warning": "这是继口头警告后正式的书面警告，我们希望您能对自己严重不符合职位要求的工作表现予以重视，原因如下：",
    "hr_warning": "此函是公司正式下达的书面警告，我们希望您能对自己严重不符合职位要求的工作表现予以重视，原因如下：",
}


def _letter_body(variant: str) -> str:
    blank = "_________________"
    parts = [
        para("{{ store }}　　编号：{{ ref }}", style="Small", align="right"),
        para(run("严 重 警 告"), style="Title"),
        para("致", run("  {{ name }}  ", underline=True), "（员工姓名）"),
        para("工号：{{ employee_id }}　　部门：{{ department }}　　岗位：{{ position }}", style="Small", after=120),
        para(LETTER_OPENING[variant], indent_first=True),
        tag("{%p for r in reasons %}"),
        para("{{ loop.index }}. {{ r }}", indent_first=True),
        tag("{%p endfor %}"),
        para("我们希望您能够在{{ correction_period }}内（在", run("{{ deadline }}", underline=True),
           "之前）在以上方面有明显的改正，否则根据公司的相关规定，我们将与您解除劳动合同。"
           "如果您有任何疑问或者有任何需要我们帮助的地方，请向您的直线主管提出，我们将尽力帮助您解决。",
           indent_first=True, before=120),
        para("特此警告！", indent_first=True, before=120, after=240),
        para("签发日期：{{ issue_date }}", align="right", after=240),
    ]
    sig_w = [TEXT_WIDTH // 2, TEXT_WIDTH - TEXT_WIDTH // 2]
    signers = table(sig_w, [
        row([cell(para(blank, align="center"), sig_w[0]), cell(para(blank, align="center"), sig_w[1])], height=500),
        row([cell(para("部门总监（或更上层经理）签名", align="center"), sig_w[0]),
              cell(para("人力资源部", align="center"), sig_w[1])]),
    ], borders=False)
    parts += [
        signers,
        para("我在此确认已阅读并理解以上内容。", before=480, keep=True),
        para(f"员工签字 {blank}　　日期 ______________", before=240),
    ]
    return "".join(parts)


def build_letter(variant: str, path: Path) -> Path:
    return write_docx(path, _letter_body(variant), "严重警告")


# --- 绩效改进计划 -------------------------------------------------------------------

def _plan_body() -> str:
    w4 = [1300, 3900, 1300, TEXT_WIDTH - 6500]
    info = [
        ("姓名", "{{ name }}", "工号", "{{ employee_id }}"),
        ("部门", "{{ department }}", "岗位", "{{ position }}"),
        ("直接经理", "{{ manager }}", "隔级经理", "{{ next_manager }}"),
        ("改进期", "{{ start }} 至 {{ end }}", "制定日期", "{{ issue_date }}"),
    ]
    info_rows = [row([cell(a, w4[0], shade=True), cell(b, w4[1]), cell(c, w4[2], shade=True), cell(d, w4[3])],
                      height=380) for a, b, c, d in info]
    info_rows.append(row([cell("触发原因", w4[0], shade=True), cell("{{ trigger }}", sum(w4[1:]), span=3)], height=380))

    # one table: the items below target, their monthly goals, room for the measures
    wi = [700, 1700, 1100, 1450, 2500, 0]
    wi[-1] = TEXT_WIDTH - sum(wi[:-1])
    goal_cell = (tag("{%p for g in it.goals %}") + para("{{ g }}", style="Cell") + tag("{%p endfor %}"))
    items_rows = [
        row([cell(t, w, shade=True) for t, w in
              zip(["序号", "考核项目", "目标", "本月实际（完成率）", "改进目标（按月）", "改进措施 / 所需支持"], wi)],
             header=True),
        row([cell("{%tr for it in items %}", sum(wi), span=6)]),
        row([cell("{{ loop.index }}", wi[0], align="center"), cell("{{ it.item }}", wi[1]),
              cell("{{ it.target }}", wi[2], align="center"),
              cell(para("{{ it.actual }}", style="Cell", align="center")
                    + para("（{{ it.ratio }}）", style="Cell", align="center"), wi[3]),
              cell(goal_cell, wi[4]), cell("", wi[5])], height=480),
        row([cell("{%tr endfor %}", sum(wi), span=6)]),
        row([cell("总体目标", wi[0] + wi[1], shade=True, span=2),
              cell("{{ overall_goal }}", sum(wi[2:]), span=4)], height=400),
    ]
    wr = [1700, 2000, 2800, TEXT_WIDTH - 6500]
    review_rows = [
        row([cell(t, w, shade=True) for t, w in zip(["回顾", "回顾日期", "评估结果（得分/等级）", "直接经理签字"], wr)],
             header=True),
        row([cell("{%tr for rv in reviews %}", sum(wr), span=4)]),
        row([cell("{{ rv.label }}", wr[0], align="center"), cell("{{ rv.date }}", wr[1], align="center"),
              cell("", wr[2]), cell("", wr[3])], height=440),
        row([cell("{%tr endfor %}", sum(wr), span=4)]),
    ]
    ws = [1300, TEXT_WIDTH // 2 - 1300, 1300, TEXT_WIDTH - TEXT_WIDTH // 2 - 1300]
    sign = para("签字：", style="Cell") + para("日期：", style="Cell", before=120)
    sign_rows = [row([cell(a, ws[0], shade=True), cell(sign, ws[1]), cell(b, ws[2], shade=True),
                       cell(sign, ws[3])], height=620)
                 for a, b in (("员工", "直接经理"), ("隔级经理", "人力资源部"))]
    return "".join([
        para("{{ store }}　　编号：{{ ref }}", style="Small", align="right"),
        para(run("绩 效 改 进 计 划"), style="Title"),
        table(w4, info_rows),
        para("一、未达标项目与改进目标（{{ period }}结果；改进期{{ plan_period }}）", style="Heading1"),
        table(wi, items_rows),
        para("二、回顾安排", style="Heading1"),
        table(wr, review_rows),
        para("{{ rule }}", style="Small", before=60),
        para("三、签字确认", style="Heading1"),
        table(ws, sign_rows),
    ])


def build_plan(path: Path = PLAN) -> Path:
    return write_docx(path, _plan_body(), "绩效改进计划")


# =============================================================================

def build_all(folder: Path = HERE) -> list[Path]:
    from workbook import build_cycle_documents      # 目标设定表 and 调薪通知书 (SPEC §9)
    folder = Path(folder)
    return [
        build_form(folder / FORM.name),
        build_letter("manager_warning", folder / LETTER_MANAGER.name),
        build_letter("hr_warning", folder / LETTER_HR.name),
        build_plan(folder / PLAN.name),
    ] + build_cycle_documents.build_all(folder)


if __name__ == "__main__":
    for p in build_all():
        print(f"{p.name}: {p.stat().st_size:,} bytes")
