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
DMS_MAP = "DMS映射"              # input: how the DMS exports' headers and words map to kpi4s (SPEC §7)
DMS_ACTUALS = "DMS实绩"          # written by 导入DMS; the month end reads it as a source of actuals
WORKSHOP = "车间分析"            # written by 导入DMS: workshop figures by technician and by month
EVIDENCE_PREFIX = "证据-"        # written by 导入DMS: one sheet per KPI listing what counted
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
    """Sheets the macros write (… except 历史, DMS实绩, 审批记录 and 审批快照, which they also read)."""
    return name == REPORT or name in TARGET_OUTPUTS or name.endswith(("季度考核", "年度考核", "年度总结", "年终调薪")) or \
        name == WORKSHOP or name.startswith(EVIDENCE_PREFIX)


def evidence_sheet(kpi_name: str) -> str:
    """The evidence sheet of a KPI: 证据-<中文名>, without the characters Excel forbids, ≤ 31 long."""
    clean = "".join(" " if ch in '[]:*?/\\' else ch for ch in str(kpi_name)).strip()
    return (EVIDENCE_PREFIX + clean)[:31]


# --- the 设置 sheet: key | value | note ----------------------------------------------------------
SETTINGS_HEADERS = ("项目", "值", "说明")
STORE_KEY, MONTH_KEY, OUTPUT_KEY, ISSUE_KEY = "门店名称", "考核月份", "输出文件夹", "签发日期"
BOOK_SETTINGS = MappingProxyType({      # settings of the book (not policy numbers): key → note
    STORE_KEY: "门店全称，显示在报告标题",
    MONTH_KEY: "考核月份 YYYY-MM（次月1–7日考核上月）；命令行 --month 可覆盖",
    OUTPUT_KEY: "评估表、警告信的输出文件夹（相对工作簿所在文件夹；留空 = kpi4s-输出）",
    ISSUE_KEY: "警告信、改进计划的签发日期 YYYY-MM-DD（留空 = 生成当天）；改正期限从此日起算",
})
DMS_FOLDER_KEY = "DMS导出文件夹"
BOOK_SETTINGS = MappingProxyType({**BOOK_SETTINGS,
    DMS_FOLDER_KEY: "「导入DMS」按钮读取的DMS导出文件所在文件夹（相对工作簿所在文件夹；留空 = DMS导出）"})
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
    note: str = ""                 # help text (the DMS映射 sheet's 说明)


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
        Col("dms_name", "DMS账号", "text", False, ("DMS工号", "DMS用户名", "DMS姓名", "dms_name"), width=12),
    ), "考核类别：创利部门(绩效基数=当月提成) / 职能部门(月薪30%) / 部门经理(月薪50%) / 行政/人力/客服经理(月薪30%)；"
       "试用期及月工资低于800元者不参加考核。离职员工请填「离职日期」：离职当月及以前的月份照常考核（重跑旧月份不会丢失其结果）；"
       "状态为离职而未填离职日期的员工不再参加考核。DMS账号：DMS导出中此人的姓名或账号与名册不同时填写（多个用/分隔）。"),
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
        Col("sql", "DMS计算定义", "text", False, ("计算定义", "sql"), width=60),
    ), "指标库可编辑：考核表的「指标编号」引用此处；方向和默认目标在考核表未填时使用。"
       "DMS计算定义：「导入DMS」从DMS导出计算该指标所用的查询（DuckDB SQL，可修改；留空 = 手工填写）。"),
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
    Sheet(DMS_MAP, (
        Col("export", "数据", "text", True, ("导出", "export"), width=12, needed=True),
        Col("field", "字段", "text", True, ("field", "取值"), width=16, needed=True),
        Col("name", "中文名", "text", False, ("名称",), width=14),
        Col("headers", "DMS中的名称", "text", True, ("DMS表头", "表头", "别名", "headers"), width=48),
        Col("kind", "类型", "text", False, (), width=10),
        Col("note", "说明", "text", False, ("备注",), width=50),
    ), "DMS导出的表头（列名）和取值对应到 kpi4s：一行一个字段，「DMS中的名称」可填多个，用 / 分隔；"
       "本店DMS的列名不同时（如 进厂时间 而不是 开单时间），在对应行加上即可。「字段」是指标库计算定义里用的列名。"),
    Sheet(DMS_ACTUALS, (
        _month,
        Col("level", "层级", "vocab", True, ("level",), V.DMS_LEVEL, width=7, needed=True),
        Col("employee_id", "员工编号", "id", False, ("工号", "employee_id"), width=10),
        Col("name", "姓名", "text", False, ("name",), width=10),
        Col("department", "部门", "text", False, ("department",), width=12),
        Col("kpi_id", "指标编号", "text", True, ("kpi_id",), width=22, needed=True),
        Col("kpi", "指标", "text", False, ("指标名称",), width=16),
        Col("actual", "实际值", "number", True, ("actual", "实绩"), width=13, fmt="#,##0.0000", needed=True),
        Col("num", "分子", "number", False, (), width=13, fmt="#,##0.##"),
        Col("den", "分母", "number", False, (), width=13, fmt="#,##0.##"),
        Col("unit", "单位", "text", False, (), width=8),
        Col("source", "来源", "text", False, (), width=7),
        Col("files", "导出文件", "text", False, ("文件",), width=30),
        Col("override", "覆盖手工", "yesno", False, ("override",), width=9),
        Col("computed", "计算时间", "datetime", False, (), width=17, fmt=DATETIME),
    ), "由「导入DMS」写入（不要手工修改）：员工、部门、门店每月每个指标一行。月度报告取实际值的顺序："
       "月度实绩手工填写 > 本人DMS实绩 > 部门经理取本部门 > 本部门无此指标归属人员时取门店；"
       "「覆盖手工」为 是 或设置「DMS实绩优先」为 是 时，DMS实绩优先于手工填写。"),
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


# --- DMS exports (SPEC §7): the columns kpi4s reads from each export ---------------------------
# key = the column's name in the export's view (the 指标库 SQL uses it); header and aliases = the
# usual Chinese headers, pre-filled on the DMS映射 sheet (a store edits them there). Kinds beyond
# the sheets': staff (a DMS name/account matched to 员工名册), score (是/否 or a number).
DMS_KIND_ZH = MappingProxyType({"text": "文本", "id": "编号", "staff": "人员", "datetime": "日期时间", "date": "日期",
                                "number": "数字", "yesno": "是/否", "vocab": "类型", "score": "是/否或分数"})


def _d(key, header, kind="text", aliases=(), required=False, needed=False, vocab=None, note=""):
    return Col(key, header, kind, required, tuple(aliases), vocab, needed=needed, note=note)


DMS_EXPORTS = MappingProxyType({
    "ro": (
        _d("ro_no", "工单号", "id", ("维修工单号", "工单编号", "委托书号", "委托书编号", "单号", "RO号"), True, True),
        _d("opened", "开单时间", "datetime", ("进厂时间", "接车时间", "开单日期", "进厂日期", "来厂时间", "建单时间"),
           True, True),
        _d("closed", "结算时间", "datetime", ("出厂时间", "交车时间", "结算日期", "出厂日期", "交车日期"), True,
           note="留空 = 未结算（不计入按结算统计的指标）"),
        _d("vin", "VIN", "id", ("车架号", "VIN码", "底盘号", "车辆识别代号"), True),
        _d("plate", "车牌号", "text", ("车牌", "牌照号", "车牌号码")),
        _d("customer", "客户编号", "id", ("客户代码", "客户ID", "客户", "客户名称", "车主")),
        _d("advisor", "服务顾问", "staff", ("接待人", "接待员", "服务专员", "业务接待", "SA"), True, True),
        _d("technician", "主修技师", "staff", ("维修技师", "技师", "主修人", "维修工", "派工技师")),
        _d("job_type", "维修类型", "vocab", ("业务类型", "工单类型", "维修性质", "维修类别"), True, True, V.RO_TYPE),
        _d("concern", "故障代码", "text", ("故障描述", "维修项目", "客户描述", "故障现象", "维修内容"),
           note="返修判定：同一VIN同一故障（此列相同）"),
        _d("sold_hours", "工时", "number", ("工时数", "销售工时", "标准工时", "结算工时")),
        _d("labour_amount", "工时费", "number", ("工时金额", "工时收入", "工时费用")),
        _d("parts_amount", "材料费", "number", ("配件费", "材料金额", "配件金额", "材料费用")),
        _d("appointment", "是否预约", "yesno", ("预约", "预约标志", "预约进厂")),
        _d("store", "门店", "text", ("门店名称", "经销商", "服务站", "经销商名称"),
           note="导出含多个门店时，只取与设置「门店名称」相同的行"),
    ),
    "clocking": (
        _d("ro_no", "工单号", "id", ("维修工单号", "工单编号", "委托书号"), note="留空 = 出勤记录（只有出勤工时）"),
        _d("technician", "技师", "staff", ("维修技师", "主修技师", "派工技师", "作业人员", "员工姓名"), True, True),
        _d("started", "开工时间", "datetime", ("开始时间", "派工时间", "开工日期")),
        _d("finished", "完工时间", "datetime", ("结束时间", "完成时间", "完工日期")),
        _d("clocked_hours", "作业工时", "number", ("实际工时", "打卡工时", "实作工时"),
           note="留空 = 完工时间 − 开工时间（小时）"),
        _d("work_date", "日期", "date", ("作业日期", "出勤日期", "工作日期"), note="留空 = 开工时间的日期"),
        _d("available_hours", "出勤工时", "number", ("可用工时", "出勤时数", "在岗工时"), note="每人每天一个数（同一天多行取最大）"),
    ),
    "parts": (
        _d("moved", "日期", "datetime", ("业务日期", "出入库日期", "单据日期", "发生日期"), True, True),
        _d("part_no", "配件编号", "id", ("配件代码", "零件号", "配件号", "备件编号")),
        _d("qty", "数量", "number", ("出入库数量",)),
        _d("cost", "成本", "number", ("成本金额", "成本额"), note="该行的成本金额"),
        _d("move", "类型", "vocab", ("出入库类型", "单据类型", "业务类型"), True, True, V.PARTS_MOVE),
        _d("stock_value", "期末库存成本", "number", ("库存成本", "库存金额", "期末库存金额"), note="库存快照行填写"),
        _d("handler", "经手人", "staff", ("配件员", "操作员")),
        _d("store", "门店", "text", ("门店名称", "经销商", "服务站", "经销商名称"),
           note="导出含多个门店时，只取与设置「门店名称」相同的行"),
    ),
    "followup": (
        _d("ro_no", "工单号", "id", ("维修工单号", "工单编号", "委托书号"), True, True),
        _d("called", "回访时间", "datetime", ("回访日期", "调查时间", "调查日期"), True, True),
        _d("reached", "是否成功", "yesno", ("回访成功", "是否接通", "回访状态")),
        _d("satisfied", "满意", "score", ("是否满意", "满意度", "满意度评分", "评分"),
           note="是/否，或分数（达到设置「CSI满意分数线」算满意）；留空 = 只是回访电话"),
        _d("caller", "回访人", "staff", ("回访员", "回访专员")),
    ),
    "complaints": (
        _d("lodged", "投诉日期", "datetime", ("投诉时间", "受理时间", "受理日期"), True, True),
        _d("ro_no", "工单号", "id", ("维修工单号", "工单编号", "委托书号")),
        _d("customer", "客户", "id", ("客户编号", "客户名称")),
        _d("category", "投诉类别", "text", ("类别", "投诉类型")),
        _d("responsible", "责任人", "staff", ("责任员工",)),
    ),
    "claims": (
        _d("submitted", "提交日期", "datetime", ("申请日期", "索赔日期", "提交时间"), True, True),
        _d("ro_no", "工单号", "id", ("维修工单号", "工单编号", "委托书号")),
        _d("first_pass", "首次通过", "yesno", ("一次通过", "是否一次通过"), True, True),
        _d("clerk", "索赔员", "staff", ("申请人", "经办人")),
    ),
    "reminders": (
        _d("customer", "客户", "id", ("客户编号", "客户名称"), True, True),
        _d("reminded", "提醒日期", "datetime", ("提醒时间",), True, True),
        _d("due", "到期日", "date", ("保养到期日", "应保养日期", "到期日期")),
        _d("came", "是否到店", "yesno", ("到店", "已到店")),
        _d("caller", "提醒人", "staff", ("提醒员", "客服专员")),
    ),
    "customers": (
        _d("customer", "客户编号", "id", ("客户代码", "客户ID", "客户"), True, True),
        _d("name", "客户名称", "text", ("姓名", "车主姓名", "车主")),
        _d("created", "建档日期", "date", ("建档时间", "首次到店日期", "登记日期")),
        _d("owner", "专属顾问", "staff", ("归属顾问", "维护人", "专属服务顾问")),
    ),
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
