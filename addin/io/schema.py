"""One declarative schema for every sheet of the store workbook.

Each table sheet is a :class:`Sheet` of :class:`Col` s: the English key the code uses, the
Chinese header users see (and the aliases a reader accepts), how a cell is read (udfs.parse
or a vocabulary of udfs.vocab), whether the column must exist, and how the template shows
it (width, number format, drop-down). The readers (addin.io.read), the month pipeline, the
target decomposition and the template builder (workbook/) all take their headers from here,
so a header can only be renamed in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from udfs import vocab as V

# --- sheet names ------------------------------------------------------------------------------
SETTINGS = "设置"
ROSTER = "员工名册"
KPI_LIB = "指标库"
SCORECARDS = "考核表"
ACTUALS = "月度实绩"
ADJUSTMENTS = "加减分"
COMMISSION = "提成"
SUBMISSIONS = "评分提交"
RATINGS = "评分"
TARGETS = "目标分解"
OWNERS = "目标责任"
TARGET_ACTUALS = "目标实绩"
HISTORY = "历史"                 # written by 月度报告; HR may paste grades from before kpi4s
HOLIDAYS = "节假日"              # a store's own holidays and make-up workdays (calendar cn)
PREVIEW = "考核预览"             # the template's live worksheet-function demo (never read)
REPORT = "月度报告"
OUT_MONTHS, OUT_WEEKS, OUT_OWNERS, OUT_CHECKS, PROGRESS = "目标-月度", "目标-周", "目标-责任", "目标校验", "进度"
# the cycle around the month (SPEC §9): typed by HR …
GOAL_SIGNOFF = "目标签署"        # who signed the month's 目标设定表 and when HR filed it
APPEALS = "员工申述"             # the appeals register [000 §6]
INTERVIEWS = "绩效面谈"          # interview records [000 5.1.4, 附件1]
DEDUCTIONS = "工资扣款"          # other deductions for the payroll hand-off
# … and kept by the macros (read and written by them, never typed into, like 历史)
TRAIL = "审批记录"               # approval steps, overrides and what they changed (tamper-evident)
SNAPSHOT = "审批快照"            # the payroll lines of each month as last approved
CYCLE_INPUTS = (GOAL_SIGNOFF, APPEALS, INTERVIEWS, DEDUCTIONS)
CYCLE_KEPT = (TRAIL, SNAPSHOT)

MONTH_INPUTS = (SETTINGS, ROSTER, KPI_LIB, SCORECARDS, ACTUALS, ADJUSTMENTS, COMMISSION, SUBMISSIONS, RATINGS,
                HOLIDAYS)
TARGET_INPUTS = (TARGETS, OWNERS, TARGET_ACTUALS)
INPUT_SHEETS = MONTH_INPUTS + TARGET_INPUTS + (HISTORY,)      # macros never change these …
TARGET_OUTPUTS = (OUT_MONTHS, OUT_WEEKS, OUT_OWNERS, OUT_CHECKS, PROGRESS)
REQUIRED_SHEETS = (SETTINGS, ROSTER, SCORECARDS, ACTUALS)


def quarter_sheet(year: int, quarter: int) -> str:
    return f"{year}年Q{quarter}季度考核"


def year_sheet(year: int) -> str:
    return f"{year}年度考核"


def year_summary_sheet(year: int) -> str:
    return f"{year}年度总结"


def raise_sheet(year: int) -> str:
    return f"{year}年终调薪"


def is_output(name: str) -> bool:
    """Sheets the macros write (… except 历史, 审批记录 and 审批快照, which they also read)."""
    return name == REPORT or name in TARGET_OUTPUTS or name.endswith(("季度考核", "年度考核", "年度总结", "年终调薪"))


# --- the 设置 sheet: key | value | note ----------------------------------------------------------
SETTINGS_HEADERS = ("项目", "值", "说明")
STORE_KEY, MONTH_KEY, OUTPUT_KEY, ISSUE_KEY = "门店名称", "考核月份", "输出文件夹", "签发日期"
BOOK_SETTINGS = MappingProxyType({      # settings of the book (not policy numbers): key → note
    STORE_KEY: "门店全称，显示在报告标题",
    MONTH_KEY: "考核月份 YYYY-MM（次月1–7日考核上月）；命令行 --month 可覆盖",
    OUTPUT_KEY: "评估表、警告信的输出文件夹（相对工作簿所在文件夹；留空 = kpi4s-输出）",
    ISSUE_KEY: "警告信、改进计划的签发日期 YYYY-MM-DD（留空 = 生成当天）；改正期限从此日起算",
})
OPERATOR_KEY, OVERRIDE_KEY, RAISE_DATE_KEY = "操作人", "覆盖理由", "调薪生效日期"
CYCLE_SETTINGS = MappingProxyType({     # book settings of the cycle buttons and the year-end pack
    OPERATOR_KEY: "审批、覆盖重算按钮记录的操作人姓名（留空 = 电脑登录用户）；命令行用 --by",
    OVERRIDE_KEY: "重新计算已审批月份的理由（「覆盖重算」按钮必填）；命令行用 --reason",
    RAISE_DATE_KEY: "年终调薪生效日期 YYYY-MM-DD（留空 = 次年1月1日），写入调薪通知书",
})


# --- tables -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    key: str                       # English identifier used in code
    header: str                    # Chinese header on the sheet
    kind: str = "text"             # text | id | number | month | date | datetime | yesno | vocab
    required: bool = False         # the column must exist
    aliases: tuple = ()
    vocab: V.Vocab | None = None   # kind "vocab": cells are read as codes of this vocabulary
    width: float = 12              # template: column width
    fmt: str | None = None         # template: number format
    choices: tuple | None = None   # template: drop-down values (default: the vocabulary's labels)
    needed: bool = False           # every row must fill this cell


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple
    note: str = ""                 # the template's help text beside the header
    title: str = ""                # a title row above the header (target sheets)
    months: bool = False           # 1月 … 12月 columns follow (目标分解)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)

    def col(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)


MONEY, PCT, DATE, DATETIME, TEXT = "#,##0.00", "0.0%", "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "@"
MONTH_HEADERS = tuple(f"{m}月" for m in range(1, 13))
_month = Col("month", "月份", "month", True, ("month", "考核月份"), width=10, fmt=TEXT, needed=True)
_emp = Col("employee_id", "员工编号", "id", True, ("工号", "employee_id", "编号", "id"), width=10, needed=True)
_name = Col("name", "姓名", "text", False, ("name", "员工姓名"), width=10)
_item = Col("item", "考核项目", "text", True, ("item", "项目", "指标名称"), width=20, needed=True)

SHEETS = MappingProxyType({s.name: s for s in (
    Sheet(ROSTER, (
        Col("employee_id", "员工编号", "id", True, ("工号", "employee_id", "编号", "id"), width=10, needed=True),
        Col("name", "姓名", "text", True, ("name", "员工姓名"), width=10, needed=True),
        Col("department", "部门", "text", True, ("department", "dept"), width=12, needed=True),
        Col("position", "岗位", "text", True, ("position", "职位"), width=14, needed=True),
        Col("category", "考核类别", "vocab", True, ("类别", "category"), V.CATEGORY, width=18, needed=True),
        Col("manager", "直接上级", "text", False, ("manager", "直属上级"), width=10),
        Col("next_manager", "隔级上级", "text", False, ("next_manager", "上级经理", "二级上级"), width=10),
        Col("salary", "月工资", "number", True, ("月薪", "salary", "月工资(元)"), width=11, fmt=MONEY, needed=True),
        Col("status", "状态", "vocab", True, ("status", "员工状态"), V.STATUS, width=8, needed=True),
        Col("hire_date", "入职日期", "date", False, ("hire_date", "入职时间"), width=12, fmt=DATE),
        Col("leave_date", "离职日期", "date", False, ("leave_date", "离职时间"), width=12, fmt=DATE),
    ), "考核类别：创利部门(绩效基数=当月提成) / 职能部门(月薪30%) / 部门经理(月薪50%) / 行政/人力/客服经理(月薪30%)；"
       "试用期及月工资低于800元者不参加考核。离职员工请填「离职日期」：离职当月及以前的月份照常考核（重跑旧月份不会丢失其结果）；"
       "状态为离职而未填离职日期的员工不再参加考核。"),
    Sheet(KPI_LIB, (
        Col("id", "编号", "text", True, ("指标编号", "id", "kpi_id"), width=24),
        Col("name_zh", "中文名", "text", True, ("指标名称", "name_zh"), width=16),
        Col("name_en", "英文名", "text", False, ("name_en",), width=28),
        Col("formula", "公式", "text", False, ("formula", "计算公式"), width=40),
        Col("direction", "方向", "text", False, ("direction",), width=8, choices=tuple(V.DIRECTION.choices)),
        Col("target", "默认目标", "text", False, ("target", "目标值"), width=10),
        Col("unit", "单位", "text", False, ("unit",), width=8),
        Col("additive", "可加", "text", False, ("additive",), width=6),
        Col("section", "类别", "text", False, ("section", "考核维度"), width=12),
        Col("department", "部门", "text", False, ("department",), width=12),
        Col("source", "来源", "text", False, ("source",), width=10),
        Col("note", "说明", "text", False, ("note", "备注"), width=30),
    ), "指标库可编辑：考核表的「指标编号」引用此处；方向和默认目标在考核表未填时使用。"),
    Sheet(SCORECARDS, (
        Col("position", "岗位", "text", True, ("position",), width=14),
        Col("employee_id", "员工编号", "id", False, ("工号", "employee_id"), width=10),
        Col("seq", "序号", "number", False, ("seq", "no"), width=6),
        Col("section", "考核维度", "text", False, ("section", "维度"), width=12, choices=V.SECTIONS),
        _item,
        Col("kpi_id", "指标编号", "text", False, ("kpi_id", "kpi"), width=22),
        Col("kind", "类型", "vocab", False, ("kind", "考核方式"), V.ITEM_KIND, width=8),
        Col("weight", "权重", "number", True, ("weight",), width=8, fmt="0%", needed=True),
        Col("target", "目标值", "number", False, ("target", "目标"), width=12),
        Col("direction", "方向", "vocab", False, ("direction",), V.DIRECTION, width=10),
        Col("unit", "单位", "text", False, ("unit",), width=8),
        Col("indicator", "目标分解指标", "text", False, ("indicator", "目标指标"), width=14),
    ), "每个岗位一套考核表（3–8项，权重合计100%）；填了员工编号的行只用于该员工，并替代其岗位考核表。类型：KPI=按实际值/目标值计分；"
       "评分=按自评/上级/360°评分计分。目标值可留空：依次取月度实绩的「目标值」、目标分解、指标库默认目标。"),
    Sheet(ACTUALS, (
        _month, _emp, _name, Col("item", "考核项目", "text", True, ("item", "项目"), width=20, needed=True),
        Col("actual", "实际值", "number", True, ("actual", "实绩", "完成值"), width=14, fmt="#,##0.00##"),
        Col("target", "目标值", "number", False, ("target", "本月目标"), width=14, fmt="#,##0.00##"),
    ), "每月每人每个KPI项目一行；「考核项目」与考核表一致（也可填指标编号）；「目标值」填了则覆盖考核表的目标。"),
    Sheet(ADJUSTMENTS, (
        _month, _emp, _name,
        Col("points", "加减分", "number", False, ("分值", "points"), width=8, fmt="+0.0;-0.0;0"),
        Col("veto", "否决项", "yesno", False, ("veto", "是否否决"), width=8, choices=tuple(V.YES_NO.choices)),
        Col("reason", "事由", "text", False, ("reason", "原因", "说明"), width=40),
    ), "加分为正、扣分为负；否决项（如重大客户投诉）填 是，总分封顶70分（E级）。"),
    Sheet(COMMISSION, (
        _month, _emp, _name,
        Col("commission", "提成金额", "number", True, ("提成", "提成工资总额", "commission"), width=14, fmt=MONEY,
            needed=True),
    ), "创利部门员工当月提成工资总额，即其绩效基数。"),
    Sheet(SUBMISSIONS, (
        Col("month", "考核月份", "month", True, ("月份", "month"), width=10, fmt=TEXT, needed=True),
        Col("scorer", "评分人", "text", True, ("scorer", "姓名"), width=10, needed=True),
        Col("role", "角色", "text", True, ("role", "岗位"), width=14, needed=True),
        Col("submitted", "提交时间", "datetime", False, ("submitted", "提交日期"), width=18, fmt=DATETIME),
        Col("employee_id", "员工编号", "id", False, ("工号", "评分人编号", "employee_id"), width=10),
    ), "各评分人提交上月评分的时间（截止时间见设置表；逾期每天罚款）。员工编号：评分人的工号，罚款据此计入工资接口"
       "（留空则按姓名在员工名册中查找）。"),
    Sheet(RATINGS, (
        _month, _emp, _name, Col("item", "考核项目", "text", True, ("item", "项目"), width=20, needed=True),
        Col("rating_self", "自评", "number", False, ("self", "自评(%)", "rating_self"), width=9, fmt="0%"),
        Col("rating_manager", "直接上级评", "number", False, ("复评", "上级评分", "manager", "rating_manager"),
            width=11, fmt="0%"),
        Col("rating_peer", "360°评", "number", False, ("360评", "360°评定", "peer", "rating_peer"), width=9, fmt="0%"),
    ), "评分类考核项目：按满分的百分比填写（0–130%）；结果以直接上级评分为准，或按设置表的评分权重综合。"),
    Sheet(HISTORY, (
        _month, Col("employee_id", "员工编号", "id", True, ("工号", "employee_id"), width=11),
        Col("name", "姓名", "text", False, ("name",), width=10),
        Col("department", "部门", "text", False, ("department",), width=12),
        Col("total", "总分", "number", False, ("total", "得分"), width=9, fmt="0.00"),
        Col("grade", "等级", "vocab", False, ("grade",), V.GRADE, width=7, choices=V.GRADES),
        Col("pay", "绩效工资", "number", False, ("pay",), width=13, fmt=MONEY),
    ), "每人每月一行（月度报告写入）；kpi4s 之前的等级可粘贴在此，连续等级从最早的月份算起。"),
    Sheet(HOLIDAYS, (
        Col("date", "日期", "date", True, ("date",), width=12, fmt=DATE, needed=True),
        Col("kind", "类型", "vocab", True, ("kind", "放假/上班"), V.DAY_KIND, width=8, needed=True),
        Col("name", "名称", "text", False, ("name", "节日"), width=12),
        Col("note", "说明", "text", False, ("note", "备注"), width=30),
    ), "设置「日历」为 法定节假日 时使用：每行一天，类型 放假（法定节假日）或 上班（周末调休上班）；此表优先于内置的"
       "节假日数据。内置数据只到 chinesecalendar 收录的年份：次年的安排公布后（通常在 11 月），请在此填写，"
       "12 月的评分截止日（次年 1 月）才能计算。"),
    Sheet(GOAL_SIGNOFF, (
        _month, _emp, _name,
        Col("signed_employee", "员工签字日期", "date", False, ("员工签字",), width=13, fmt=DATE),
        Col("signed_manager", "直接经理签字日期", "date", False, ("直接经理签字", "上级签字日期"), width=15, fmt=DATE),
        Col("signed_next", "隔级经理签字日期", "date", False, ("隔级经理签字", "隔级上级签字日期"), width=15, fmt=DATE),
        Col("filed", "备案日期", "date", False, ("人力资源部备案日期", "备案", "报备日期"), width=12, fmt=DATE),
        Col("note", "备注", "text", False, ("说明",), width=30),
    ), "每月每人一行：目标设定表（kpi4s goals 生成）三方签字及报人力资源部备案的日期；每月5日前备案（设置「目标设定截止日」），"
       "逾期和未备案者列入月度报告。本表留空 = 不跟踪。"),
    Sheet(APPEALS, (
        Col("date", "申述日期", "date", True, ("日期", "提出日期"), width=12, fmt=DATE, needed=True),
        _emp, _name,
        Col("month", "考核月份", "month", True, ("月份", "申述月份"), width=10, fmt=TEXT, needed=True),
        Col("reason", "申述理由", "text", True, ("理由", "异议"), width=36, needed=True),
        Col("handler", "受理人", "text", False, ("处理人", "更高层经理"), width=10),
        Col("decision", "处理结果", "vocab", False, ("结果", "决定"), V.APPEAL_DECISION, width=11),
        Col("changed", "调整后得分", "number", False, ("调整得分", "新得分", "改后得分"), width=11, fmt="0.00"),
        Col("decided", "处理日期", "date", False, ("决定日期",), width=12, fmt=DATE),
        Col("comment", "处理说明", "text", False, ("说明", "备注"), width=30),
    ), "员工对考核结果有异议，以书面形式向更高层经理或人力资源部申述 [000 §6]。处理结果：待处理 / 维持原结果 / 改分 / 撤回；"
       "改分须填调整后得分，重新运行该月月度报告（已审批的月份需覆盖重算）后生效。"),
    Sheet(INTERVIEWS, (
        _month, _emp, _name,
        Col("date", "面谈日期", "date", True, ("日期",), width=12, fmt=DATE, needed=True),
        Col("kind", "面谈类型", "vocab", False, ("类型",), V.INTERVIEW, width=10),
        Col("interviewer", "面谈人", "text", True, ("面谈经理", "直接经理"), width=10, needed=True),
        Col("summary", "面谈纪要", "text", False, ("纪要", "面谈内容", "反馈"), width=36),
        Col("actions", "发展行动", "text", False, ("改进措施", "发展计划", "行动计划"), width=36),
    ), "考核月份 = 面谈所反馈的月份（次月初面谈）。发展行动显示在下月的目标设定表和绩效评估表；"
       "须面谈而无记录者列入月度报告（设置「须面谈等级(及以下)」）。本表留空 = 不跟踪。"),
    Sheet(DEDUCTIONS, (
        _month, _emp, _name,
        Col("amount", "扣款金额", "number", True, ("金额", "扣款"), width=12, fmt=MONEY, needed=True),
        Col("reason", "事由", "text", False, ("原因", "说明"), width=36),
    ), "计入工资接口的其他扣款（元，正数）；评分逾期罚款按评分提交表自动计入。"),
    Sheet(TRAIL, tuple(Col(k, h, "text", True, (), width=w) for k, h, w in (
        ("month", "月份", 9), ("time", "时间", 18), ("event", "操作", 10), ("status", "状态", 12),
        ("by", "操作人", 10), ("login", "登录用户", 10), ("note", "说明", 36), ("employee_id", "员工编号", 10),
        ("name", "姓名", 10), ("field", "项目", 10), ("old", "原值", 11), ("new", "新值", 11),
        ("fingerprint", "结果指纹", 18), ("check", "校验码", 18))),
        "由「审批」「覆盖重算」写入，请勿手工修改：每行的校验码连着上一行，改动会被发现。"),
    Sheet(SNAPSHOT, (
        _month, _emp, _name,
        Col("department", "部门", "text", False, (), width=12),
        Col("position", "岗位", "text", False, (), width=12),
        Col("category", "考核类别", "text", False, (), width=14),
        Col("salary", "月工资", "number", False, (), width=11, fmt=MONEY),
        Col("fixed", "基本工资", "number", False, (), width=11, fmt=MONEY),
        Col("base", "绩效基数", "number", False, (), width=11, fmt=MONEY),
        Col("total", "总分", "number", False, (), width=8, fmt="0.00"),
        Col("grade", "等级", "text", False, (), width=6),
        Col("pay", "绩效工资", "number", False, (), width=11, fmt=MONEY),
        Col("fine", "评分罚款", "number", False, (), width=10, fmt=MONEY),
        Col("deduction", "其他扣款", "number", False, (), width=10, fmt=MONEY),
        Col("net", "合计", "number", False, (), width=12, fmt=MONEY),
    ), "由「审批」写入：每月每人一行，该月最近一次审批时的工资核算结果（工资接口据此核对）。"),
    Sheet(TARGETS, (
        Col("year", "年度", "number", False, ("年份",), width=7),
        Col("indicator", "指标", "text", True, ("指标名称",), width=16),
        Col("unit", "单位", "text", False, (), width=7),
        Col("kind", "类型", "vocab", False, ("可加",), V.ADDITIVE, width=7),
        Col("target", "年度目标", "number", True, ("目标", "年度目标值"), width=13),
        Col("direction", "方向", "vocab", False, (), V.DIRECTION, width=6, choices=("≥", "≤")),
        Col("method", "分解方式", "vocab", False, ("分解",), V.SPLIT, width=9),
        Col("calendar", "日历", "vocab", False, (), V.CALENDAR, width=9),
        Col("decimals", "小数位", "number", False, (), width=7),
        Col("lead", "负责人", "text", False, ("负责",), width=10),
        Col("note", "说明", "text", False, ("备注",), width=30),
    ), title="目标分解 — 年度目标，每行一个指标（运行「目标分解」生成 目标-月度/周/责任、目标校验、进度）", months=True),
    Sheet(OWNERS, (
        Col("indicator", "指标", "text", True, ("指标名称",), width=16),
        Col("parent", "上级", "text", False, ("上级责任人",), width=16),
        Col("type", "责任类型", "vocab", False, ("类别",), V.OWNER_TYPE, width=9),
        Col("owner", "责任人", "text", True, (), width=16),
        Col("share", "占比", "number", False, ("比例", "份额"), width=8, fmt="0%"),
        Col("amount", "目标额", "number", False, ("金额", "分配目标"), width=13, fmt="#,##0"),
        Col("note", "说明", "text", False, ("备注",), width=30),
    ), title="目标责任 — 每行一个责任人：同一上级（留空 = 全店）下的占比合计 100%，或目标额合计 = 上级目标"),
    Sheet(TARGET_ACTUALS, (
        Col("month", "月份", "month", True, ("考核月份",), width=9, fmt=TEXT),
        Col("indicator", "指标", "text", True, ("指标名称",), width=16),
        Col("owner", "责任人", "text", False, (), width=16),
        Col("actual", "实际值", "number", True, ("实绩", "实际"), width=13),
        Col("note", "说明", "text", False, ("备注",), width=24),
    ), title="目标实绩 — 各月实际完成（进度表用）；责任人留空 = 全店，上级未填时按其下责任人合计"),
)})

# 目标分解 / 目标责任 / 目标实绩 column help (the template writes these as header comments)
HELP = MappingProxyType({
    (TARGETS, "year"): "四位数年份；留空 = 设置表考核月份的年份",
    (TARGETS, "indicator"): "指标名称；考核表「目标分解指标」列引用此名称",
    (TARGETS, "unit"): "元、万元、台、次、%、元/台 …",
    (TARGETS, "kind"): "可加（金额、台次、次数：拆分）或 不可加（比率、单车、日均：复制）；留空按单位判断",
    (TARGETS, "target"): "全年目标；百分比可填 93%",
    (TARGETS, "direction"): "≥ 越高越好（默认）；≤ 越低越好（返修率等）",
    (TARGETS, "method"): "平均 / 天数 / 工作日 / 去年实绩 / 指定比例",
    (TARGETS, "calendar"): "周末顺延（周一至周五）或 法定节假日（含调休）；留空 = 设置表",
    (TARGETS, "decimals"): "拆分精度：0 = 整元/整台（默认），万元默认 4 位",
    (TARGETS, "lead"): "对全店目标负责的岗位/部门/员工（考核表按此取全店月目标）",
    (OWNERS, "indicator"): "目标分解表中的指标名称",
    (OWNERS, "parent"): "留空 = 全店；也可填本指标下另一个责任人（逐级分解）",
    (OWNERS, "type"): "业务线 / 部门 / 岗位 / 员工",
    (OWNERS, "owner"): "部门名、岗位名、员工编号或姓名、业务线名称",
    (OWNERS, "share"): "同一上级下合计 100%；或改填目标额",
    (OWNERS, "amount"): "同一上级下合计 = 上级目标",
    (TARGET_ACTUALS, "month"): "YYYY-MM",
    (TARGET_ACTUALS, "owner"): "留空 = 全店；上级未填时按其下责任人合计",
})


# --- the group workbook (SPEC §8): its 设置 and the sheets `kpi4s group` writes -------------------
GROUP_NAME_KEY, STORES_KEY, ARCHIVE_KEY, RUN_KEY = "集团名称", "门店工作簿", "归档数据库", "先运行门店月度报告"
GROUP_SETTINGS = MappingProxyType({     # the group workbook's own settings: key → note
    GROUP_NAME_KEY: "集团（或区域）名称，显示在汇总标题",
    MONTH_KEY: "汇总月份 YYYY-MM；留空 = 各门店工作簿设置中最多的月份；命令行 --month 可覆盖",
    STORES_KEY: "门店工作簿所在文件夹（相对本工作簿所在文件夹；留空 = 本文件夹），每店一个 .xlsx/.xlsm",
    ARCHIVE_KEY: "归档数据库：留空 = 本工作簿旁的 kpi4s-归档.duckdb；也可填其他文件路径，"
                 "或服务器数据库连接串（如 postgresql://用户@主机/库名）",
    RUN_KEY: "是 = 汇总前先为每个门店运行月度报告（写入门店工作簿）；否 = 只读取",
})
LEAGUE, KPI_HEAT, DEPT_VIEW, TRENDS, GROUP_GRADES, GROUP_PROBLEMS = (
    "门店排名", "指标达成", "部门对比", "月度趋势", "集团评定", "问题清单")
GROUP_OUTPUTS = (LEAGUE, KPI_HEAT, DEPT_VIEW, TRENDS, GROUP_GRADES, GROUP_PROBLEMS)
