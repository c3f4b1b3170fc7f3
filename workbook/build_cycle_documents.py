"""The document templates of the appraisal cycle (SPEC §9), built from code like the others
(``python -m workbook.build_documents`` builds these too):

- ``goal_form.xlsx``     目标设定表 [000 5.1.1, 附件2]: one A4 page per employee and month — items,
  weights, targets, how each is scored, the development plan, three signature lines and
  HR's filing box. Same token grammar as the appraisal form (``{{key}}``, ``{{item.*}}`` rows
  are the item slots), filled by addin/render/goals.py.
- ``raise_letter.docx``  调薪通知书 [000 5.8]: the year-end salary revision of an eligible
  employee, a docxtpl template filled by addin/render/year.py.
"""
from __future__ import annotations

from pathlib import Path

from addin.io.save import atomic_save
from addin.render.style import DOC_SANS, DOC_SERIF
from workbook.docx_package import TEXT_WIDTH, cell, para, row, run, table, tag, write_docx

HERE = Path(__file__).resolve().parent
GOAL_FORM = HERE / "goal_form.xlsx"
RAISE_LETTER = HERE / "raise_letter.docx"
GOAL_SLOTS = 8          # the policy's maximum number of scorecard items (SPEC §3.1: 3–8)


# =============================================================================
# 目标设定表 (.xlsx)
# =============================================================================

def build_goal_form(path: Path = GOAL_FORM) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    ws = wb.active
    ws.title = "目标设定表"
    for col, w in {"A": 5, "B": 11, "C": 22, "D": 7, "E": 7, "F": 12, "G": 25, "H": 11}.items():
        ws.column_dimensions[col].width = w
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    base = Font(name=DOC_SERIF, size=10)
    small = Font(name=DOC_SERIF, size=9)
    bold = Font(name=DOC_SERIF, size=10, bold=True)
    head = Font(name=DOC_SANS, size=11, bold=True)
    grey = PatternFill("solid", fgColor="E7E6E6")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    heights: dict = {}

    def put(ref, value, font=base, align=center, fill=None, fmt=None, border=True):
        first = ref.split(":")[0]
        ws[first] = value
        if ":" in ref:
            ws.merge_cells(ref)
        cells = [c for r in ws[ref] for c in r] if ":" in ref else [ws[first]]
        for c in cells:
            c.font, c.alignment = font, align
            if border:
                c.border = box
            if fill is not None:
                c.fill = fill
            if fmt:
                c.number_format = fmt

    put("A1:H1", "{{store}}", Font(name=DOC_SANS, size=12, bold=True), border=False)
    put("A2:H2", "目 标 设 定 表", Font(name=DOC_SANS, size=16, bold=True), border=False)
    put("A3:H3", "{{period}} · 每一评估周期初由直接经理与员工共同设定，三方签字后报人力资源部备案 · 本月截止 {{due_text}}",
        Font(name=DOC_SERIF, size=9, color="595959"), border=False)
    heights.update({1: 20, 2: 30, 3: 16})
    header = [
        (4, [("姓名", "{{name}}"), ("工号", "{{employee_id}}"), ("部门", "{{department}}")]),
        (5, [("岗位", "{{position}}"), ("员工类别", "{{category}}"), ("目标期间", "{{period}}")]),
        (6, [("直接经理", "{{manager}}"), ("隔级经理", "{{next_manager}}"), ("评定范围", "{{group}}")]),
    ]
    for r, ((l1, v1), (l2, v2), (l3, v3)) in header:
        put(f"A{r}:B{r}", l1, bold, fill=grey)
        put(f"C{r}", v1, base, left)
        put(f"D{r}:E{r}", l2, bold, fill=grey)
        put(f"F{r}", v2, base, left)
        put(f"G{r}", l3, bold, fill=grey)
        put(f"H{r}", v3, base, left)
        heights[r] = 20

    put("A8:H8", "一、工作目标（MBO）与关键考核指标（KPI）：3–8项，具体、可衡量、可达到、实际、有时限（SMART）", head, left,
        border=False)
    heights[8] = 20
    for i, text in enumerate(["序号", "考核维度", "考核项目", "类型", "权重", "目标值", "计分方式", "目标来源"]):
        put(f"{'ABCDEFGH'[i]}9", text, bold, fill=grey)
    heights[9] = 20
    tokens = ["seq", "section", "item", "kind", "weight", "target", "rule", "source"]
    for k in range(GOAL_SLOTS):
        r = 10 + k
        for i, tok in enumerate(tokens):
            put(f"{'ABCDEFGH'[i]}{r}", "{{item.%s}}" % tok, small if tok in ("rule", "source") else base,
                left if tok in ("section", "item", "rule") else center, fmt="0%" if tok == "weight" else None)
        heights[r] = 24
    r = 10 + GOAL_SLOTS                                   # 18
    put(f"A{r}:D{r}", "权重合计", bold, fill=grey)
    put(f"E{r}", "{{weight_sum}}", bold, fmt="0%")
    put(f"F{r}:H{r}", "{{items_note}}", small, left)
    heights[r] = 20

    r = r + 2                                             # 20
    put(f"A{r}:H{r}", "二、员工发展计划（依据上月绩效面谈的发展行动；直接经理与员工可补充）", head, left, border=False)
    put(f"A{r+1}:H{r+4}", "{{development_plan}}", base, top_left)
    heights[r] = 20
    for x in range(r + 1, r + 5):
        heights[x] = 22
    r = r + 6                                             # 26
    put(f"A{r}:H{r}", "三、计分与等级", head, left, border=False)
    put(f"A{r+1}:H{r+2}", "{{rules}}", small, top_left)
    heights.update({r: 20, r + 1: 20, r + 2: 20})
    r = r + 4                                             # 30
    put(f"A{r}:H{r}", "四、签字确认（员工、直接经理、隔级经理三方签字后报人力资源部备案）", head, left, border=False)
    heights[r] = 20
    for k, (label, who) in enumerate([("员工", "{{name}}"), ("直接经理", "{{manager}}"),
                                      ("隔级经理", "{{next_manager}}")]):
        rr = r + 1 + k
        put(f"A{rr}:B{rr}", label, bold, fill=grey)
        put(f"C{rr}", who, base, left)
        put(f"D{rr}:F{rr}", "签字：", base, left)
        put(f"G{rr}", "日期", bold, fill=grey)
        put(f"H{rr}", "", base)
        heights[rr] = 30
    r = r + 5                                             # 35
    put(f"A{r}:H{r}", "人力资源部备案", head, left, border=False)
    put(f"A{r+1}:B{r+1}", "收到日期", bold, fill=grey)
    put(f"C{r+1}", "", base)
    put(f"D{r+1}:E{r+1}", "经办人", bold, fill=grey)
    put(f"F{r+1}", "", base)
    put(f"G{r+1}", "归档编号", bold, fill=grey)
    put(f"H{r+1}", "", base)
    put(f"A{r+2}:C{r+2}", "按时备案（截止 {{due_text}}）", bold, fill=grey)
    put(f"D{r+2}:H{r+2}", "□ 是　　□ 否，逾期 ____ 天", base, left)
    heights.update({r: 20, r + 1: 26, r + 2: 26})
    put(f"A{r+3}:H{r+3}", "{{footer}}", Font(name=DOC_SERIF, size=8, color="808080"), left, border=False)
    for x, h in heights.items():
        ws.row_dimensions[x].height = h
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
    ws.print_area = f"A1:H{r + 3}"
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    ws.sheet_view.showGridLines = False
    atomic_save(wb.save, path)
    return path


# =============================================================================
# 调薪通知书 (.docx)
# =============================================================================

def _raise_body() -> str:
    blank = "_________________"
    w = [TEXT_WIDTH // 4] * 3
    w.append(TEXT_WIDTH - sum(w))
    pay = table(w, [
        row([cell(t, x, shade=True) for t, x in zip(["原月工资（元）", "调整比例", "每月增加（元）", "调整后月工资（元）"], w)],
            header=True),
        row([cell("{{ old_salary }}", w[0], align="center"), cell("{{ rate }}", w[1], align="center"),
             cell("{{ amount }}", w[2], align="center"), cell("{{ new_salary }}", w[3], align="center")], height=480),
    ])
    sig_w = [TEXT_WIDTH // 2, TEXT_WIDTH - TEXT_WIDTH // 2]
    signers = table(sig_w, [
        row([cell(para(blank, align="center"), sig_w[0]), cell(para(blank, align="center"), sig_w[1])], height=500),
        row([cell(para("人力资源部（盖章）", align="center"), sig_w[0]), cell(para("总经理", align="center"), sig_w[1])]),
    ], borders=False)
    return "".join([
        para("{{ store }}　　编号：{{ ref }}", style="Small", align="right"),
        para(run("调 薪 通 知 书"), style="Title"),
        para("致", run("  {{ name }}  ", underline=True), "（员工姓名）"),
        para("工号：{{ employee_id }}　　部门：{{ department }}　　岗位：{{ position }}", style="Small", after=120),
        para("根据公司《员工绩效考核管理制度》5.8「年度评估成绩为B级及以上员工可获得年终加薪机会」，您{{ year }}年度绩效评估"
             "成绩为{{ grade }}级（{{ grade_label }}，年度得分{{ score }}分，{{ months }}个月有考核成绩），具备年终调薪资格。"
             "经公司审批，自", run("{{ effective }}", underline=True), "起调整您的月工资如下：", indent_first=True),
        pay,
        tag("{%p if award %}"),
        para("您在{{ award }}连续三个月获得A级（杰出），为{{ year }}年度优秀员工奖（或奖励旅游）候选人。", indent_first=True,
             before=120),
        tag("{%p endif %}"),
        para("感谢您一年来的努力与贡献，希望您在新的一年里再接再厉，取得更好的绩效。本通知书涉及个人薪酬，请妥善保管、注意保密；"
             "如有疑问，请与人力资源部联系。", indent_first=True, before=120, after=240),
        para("签发日期：{{ issue_date }}", align="right", after=240),
        signers,
        para("本人已收到并知悉以上调薪内容。", before=480, keep=True),
        para(f"员工签字 {blank}　　日期 ______________", before=240),
    ])


def build_raise_letter(path: Path = RAISE_LETTER) -> Path:
    return write_docx(path, _raise_body(), "调薪通知书")


def build_all(folder: Path = HERE) -> list[Path]:
    folder = Path(folder)
    return [build_goal_form(folder / GOAL_FORM.name), build_raise_letter(folder / RAISE_LETTER.name)]


if __name__ == "__main__":
    for p in build_all():
        print(f"{p.name}: {p.stat().st_size:,} bytes")
