"""The product's vocabulary: every enumeration, one table each — code, 中文 label, aliases.

Worksheet functions, the workbook's drop-down lists, the sheet readers, the target sheets,
the report and the documents all look words up here, so "不低于" means the same thing in a
scorecard, in 目标分解 and in ``=KPI_SCORE(…, "不低于")``.

Matching is forgiving in the ways users type: surrounding spaces, upper/lower case and
full-width forms (``％``, ``（``, ``ＫＰＩ``) do not matter (Unicode NFKC + casefold).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd


def key(text: Any) -> str:
    """The lookup form of a word: NFKC, stripped, case-folded ('' for blank)."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


class InputError(ValueError):
    """Bad input to a rule: the message is ours, short, and names the argument (cells show it)."""


class VocabError(InputError):
    """A word that is not in its vocabulary; ``str()`` is the short English cell text."""

    def __init__(self, vocab: "Vocab", value: Any, arg: str | None = None):
        self.vocab, self.value = vocab, value
        self.arg = arg or vocab.name
        super().__init__(f"{self.arg} '{str(value).strip()}' unknown (use {vocab.help()})")

    @property
    def zh(self) -> str:
        return f"「{str(self.value).strip()}」无效（可选：{self.vocab.help_zh()}）"


@dataclass(frozen=True)
class Entry:
    code: str
    label: str                      # the Chinese word shown in sheets and offered in drop-downs
    aliases: tuple = ()
    note: str = ""                  # one line of explanation (report subtitles, 设置 notes)


@dataclass(frozen=True)
class Vocab:
    """One enumeration: its entries in display order and every accepted spelling."""

    name: str                       # English argument name used in cell errors ("direction")
    title: str                      # Chinese name of the enumeration ("方向")
    entries: tuple
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        index = {}
        for e in self.entries:
            for word in (e.code, e.label, *e.aliases):
                k = key(word)
                if k and index.setdefault(k, e.code) != e.code:
                    raise AssertionError(f"{self.name}: '{word}' means two things")
        object.__setattr__(self, "_index", index)

    # --- lookups ----------------------------------------------------------------
    @property
    def codes(self) -> tuple:
        return tuple(e.code for e in self.entries)

    @property
    def labels(self) -> MappingProxyType:
        return MappingProxyType({e.code: e.label for e in self.entries})

    @property
    def choices(self) -> list:
        """The Chinese labels, for a drop-down list."""
        return [e.label for e in self.entries]

    def entry(self, code: str) -> Entry:
        return next(e for e in self.entries if e.code == code)

    def label(self, code: str, default: str = "") -> str:
        return self.labels.get(code, default)

    def get(self, value: Any, default: str | None = None) -> str | None:
        """The code of a word, ``default`` for a blank, None for an unknown word."""
        k = key(value)
        if not k:
            return default
        return self._index.get(k)

    def code(self, value: Any, default: str | None = None, arg: str | None = None) -> str:
        """The code of a word; a blank gives ``default``; unknown (or blank without default) raises."""
        hit = self.get(value, default)
        if hit is None:
            raise VocabError(self, value, arg)
        return hit

    def codes_of(self, values, default: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`get`: (object array of codes, bool array of unknown words).

        Blanks give ``default`` (None when there is none, and are not flagged). Each distinct
        spelling is looked up once, so a 60,000-row column costs one hash pass.
        """
        arr = np.asarray(values, dtype=object)
        flat = arr.ravel()
        codes, uniques = pd.factorize(np.append(flat, None), use_na_sentinel=True)   # (see parse.factorize)
        codes = codes[:-1]
        looked = [self.get(u, default) for u in uniques]
        known = np.array([c is not None for c in looked] + [True], dtype=bool)
        table = np.array(looked + [default], dtype=object)
        blank_u = np.array([key(u) == "" for u in uniques] + [True], dtype=bool)
        out = table[codes]
        bad = ~known[codes] & ~blank_u[codes]
        return out.reshape(arr.shape), bad.reshape(arr.shape)

    def labels_of(self, codes) -> np.ndarray:
        arr = np.asarray(codes, dtype=object)
        return pd.Series(arr.ravel(), dtype=object).map(self.labels).fillna("").to_numpy(
            dtype=object).reshape(arr.shape)

    def help(self) -> str:
        return "/".join(self.codes)

    def help_zh(self) -> str:
        return "/".join(self.choices)


def _v(name, title, *entries) -> Vocab:
    return Vocab(name, title, tuple(Entry(*e) for e in entries))


# --------------------------------------------------------------------------- SPEC §3.1
DIRECTION = _v("direction", "方向",
               ("higher", "正向", ("up", "越高越好", "高"), "实际 ÷ 目标"),
               ("lower", "反向", ("down", "越低越好", "低"), "目标 ÷ 实际"),
               ("lower_linear", "反向线性", ("线性反向",), "2 − 实际 ÷ 目标"),
               ("min", "不低于", ("gate_min", ">=", "≥", ">", "高于", "不得低于", "不少于"), "达到目标得满分，否则0分"),
               ("max", "不超过", ("gate_max", "<=", "≤", "<", "低于", "不得超过", "不高于"), "不超过目标得满分，否则0分"))
LOWER_IS_BETTER = frozenset({"lower", "lower_linear", "max"})     # for progress, shortfalls, letters

ITEM_KIND = _v("kind", "类型",
               ("kpi", "KPI", ("指标", "定量", "量化", "考核指标"), "按实际值 ÷ 目标值计分"),
               ("rated", "评分", ("评定", "定性", "目标", "mbo", "工作目标", "评分项"), "按自评/上级/360°评分计分"))

# --------------------------------------------------------------------------- SPEC §3.2
GRADE = _v("grade", "等级",
           ("A", "杰出"), ("B", "优秀"), ("C", "良好"), ("D", "待改进"), ("E", "不胜任"))
GRADES = GRADE.codes

GRADING = _v("policy", "等级评定方式",
             ("bands", "分数段", ("按分数段",), "按分数段评定"),
             ("forced", "强制分布", ("强制",), "按比例强制分布"),
             ("capped", "限额", ("封顶", "限制A/B比例"), "按分数段，A、B不超过指导比例"))

EVAL_GROUP = _v("eval_group", "评定范围",
                ("store", "全店", ("门店",), "全店一起排名"),
                ("department", "按部门", ("部门",), "各部门分别排名"))

# --------------------------------------------------------------------------- SPEC §3.3
PERIOD = _v("period", "期间",
            ("month", "月", ("月度", "m")), ("quarter", "季度", ("季", "q")), ("year", "年度", ("年", "y")))

# --------------------------------------------------------------------------- SPEC §3.4–3.5
CATEGORY = _v("category", "考核类别",
              ("profit", "创利部门", ("创利",), "绩效基数 = 当月提成工资总额"),
              ("functional", "职能部门", ("职能",), "绩效基数 = 月工资 × 30%"),
              ("manager", "部门经理", ("经理",), "绩效基数 = 月工资 × 50%"),
              ("support_manager", "行政/人力/客服经理",
               ("行政部/人力资源部/客户服务部经理", "行政部经理", "人力资源部经理", "客户服务部经理",
                "客服部经理", "职能经理"), "绩效基数 = 月工资 × 30%"))

PAY_METHOD = _v("pay_method", "绩效工资计算方式",
                ("score", "按得分", ("得分",), "绩效工资 = 绩效基数 × 总分 ÷ 100"),
                ("grade", "按等级系数", ("等级系数",), "绩效工资 = 绩效基数 × 等级系数"))

STATUS = _v("status", "状态",
            ("active", "正式", ("在职", "转正")),
            ("probation", "试用", ("试用期",)),
            ("left", "离职", ("已离职",)))

# --------------------------------------------------------------------------- SPEC §3.6
CALENDAR = _v("calendar", "日历",
              ("weekend", "周末顺延", ("周末", "周一至周五"), "周六、周日顺延到下周一"),
              ("cn", "法定节假日", ("中国", "china", "节假日"), "另跳过法定节假日，调休上班日照常"))

# the 节假日 sheet: a day a store types for the cn calendar
DAY_KIND = _v("day_kind", "类型",
              ("off", "放假", ("休息日", "节假日", "法定节假日", "假日", "休", "holiday", "off"), "当天不上班"),
              ("work", "上班", ("调休上班", "补班", "上班日", "班", "工作日", "workday", "work"), "周末调休，当天上班"))

# --------------------------------------------------------------------------- SPEC §3.7
ACTION = _v("action", "处理事项",
            ("award", "优秀员工候选"),
            ("improvement_plan", "绩效改进计划", ("改进计划",)),
            ("hr_warning", "严重警告(人力资源部)"),
            ("manager_warning", "严重警告(直线经理)"),
            ("separation", "自动离职", ("离职处理",)))

# --------------------------------------------------------------------------- SPEC §3.8
SPLIT = _v("method", "分解方式",
           ("equal", "平均", ("均分", "平均分配")),
           ("days", "天数", ("日历日", "自然日", "日历天", "按天数", "天")),
           ("workdays", "工作日", ("按工作日",)),
           ("last_year", "去年实绩", ("去年", "上年实绩", "季节性", "seasonal", "history")),
           ("shares", "指定比例", ("比例", "自定义", "explicit")))
CALENDAR_SPLITS = ("equal", "days", "workdays")      # what MONTH_WEIGHTS can compute alone

BASIS = _v("basis", "进度口径",
           ("days", "日历日", ("day", "calendar", "天", "天数", "日历天", "自然日")),
           ("workdays", "工作日", ("workday",)))

ADDITIVE = _v("additive", "类型",
              ("additive", "可加", ("累加", "总量", "是", "true", "yes", "y", "1", "√")),
              ("copied", "不可加", ("比率", "non-additive", "复制", "否", "false", "no", "n", "0", "×")))

OWNER_TYPE = _v("owner_type", "责任类型",
                ("store", "全店", ("全部", "门店")),
                ("stream", "业务线", ("业务", "产品", "收入类别")),
                ("department", "部门", ("班组",)),
                ("position", "岗位", ()),
                ("employee", "员工", ("人员", "个人")))

# --------------------------------------------------------------------------- §3.9 KPI library
KPI_FIELD = _v("field", "字段",
               ("id", "编号", ("指标编号", "代码", "kpi_id")),
               ("name_zh", "中文名", ("名称", "指标名称", "指标", "中文名称")),
               ("name_en", "英文名", ("英文名称",)),
               ("formula", "公式", ("计算公式",)),
               ("formula_en", "英文公式", ()),
               ("direction", "方向", ()),
               ("target", "默认目标", ("目标", "目标值")),
               ("unit", "单位", ()),
               ("additive", "可加", ("可累加",)),
               ("section", "类别", ("考核类别", "板块", "考核维度")),
               ("department", "部门", ("责任部门", "岗位")),
               ("source", "来源", ("出处",)),
               ("note", "说明", ("备注",)),
               ("sql", "DMS计算定义", ("计算定义", "sql", "dms sql", "计算定义(sql)")))

# the columns SCORE_TABLE reads from a table's header row
TABLE_COLUMN = _v("column", "列",
                  ("employee", "员工", ("员工编号", "姓名", "id", "工号")),
                  ("kpi", "指标", ("考核项", "考核项目", "item")),
                  ("actual", "实际", ("实际值", "实绩")),
                  ("target", "目标", ("目标值",)),
                  ("weight", "权重", ()),
                  ("direction", "方向", ()))

# --------------------------------------------------------------------------- SPEC §8 dealer group
GROUP_SCOPE = _v("group_scope", "集团统一评定",
                 ("off", "不启用", ("否", "无", "关闭", "no"), "只用各门店自己评定的等级"),
                 ("group", "全集团", ("集团", "是", "yes", "全部门店"), "全集团参评员工合在一起按比例评定"),
                 ("department", "按部门", ("部门", "同名部门", "跨店部门"), "各门店同名部门合在一起按比例评定"))

STORE_STATUS = _v("store_status", "门店状态",
                  ("ok", "已汇总", ("正常",)),
                  ("bad", "有错误未汇总", ("错误", "有错误")),
                  ("missing", "缺少本月数据", ("缺少", "未提交")),
                  ("absent", "未提供工作簿", ("缺工作簿",)),
                  ("skipped", "已跳过", ("跳过",)))

# --------------------------------------------------------------------------- misc
YES_NO = _v("yes_no", "是否",
            ("yes", "是", ("y", "true", "1", "√", "✓", "x", "否决")),
            ("no", "否", ("n", "false", "0", "×")))

LANG = _v("lang", "语言", ("en", "英文", ("english",)), ("zh", "中文", ("cn", "chinese")))

# --------------------------------------------------------------------------- SPEC §9 the cycle
# a month's results go through these states in this order before payroll [000 ❷7, 5.9]
APPROVAL = _v("approval", "审批状态",
              ("draft", "草稿", ("未审批", "待确认", "未确认"), "月度报告已生成，尚未进入审批"),
              ("department", "部门确认", ("部门已确认",), "各部门经理已确认本部门结果"),
              ("hr", "人力资源审核", ("人力资源部审核", "人事审核", "hr审核"), "人力资源部已审核"),
              ("approved", "总经理批准", ("已批准", "批准", "总经理审批", "总经理已批准"), "总经理已批准，可转核算工资"))

# what a row of 审批记录 records
TRAIL_EVENT = _v("event", "审批操作",
                 ("advance", "审批通过", ("通过", "确认"), "状态进入下一步"),
                 ("reject", "退回", ("驳回",), "退回草稿，修改后重新审批"),
                 ("override", "覆盖重算", ("覆盖", "重新计算"), "已审批的月份经明确授权后重新计算"),
                 ("change", "变更", ("变更明细",), "覆盖重算改变的一项结果（原值 → 新值）"))

# 员工申述 [000 §6]: the decision of the next-level manager (or HR)
APPEAL_DECISION = _v("decision", "处理结果",
                     ("pending", "待处理", ("处理中", "未处理", "受理", "已受理"), "已受理，尚未决定"),
                     ("upheld", "维持原结果", ("维持", "驳回", "不予调整", "不调整"), "复核后维持原评估结果"),
                     ("accepted", "改分", ("接受", "同意", "调整", "已调整", "更正", "调整得分"),
                      "接受申述：按调整后得分重新计算当月结果"),
                     ("withdrawn", "撤回", ("员工撤回", "撤销"), "员工撤回申述"))

# 绩效面谈 [000 5.1.4] and 隔级面谈 [000 附件1]
INTERVIEW = _v("interview", "面谈类型",
               ("review", "绩效面谈", ("面谈", "月度面谈", "直接经理面谈"), "直接经理与员工单独面谈，双方签字认可"),
               ("skip_level", "隔级面谈", ("越级面谈", "隔级"), "隔级经理与员工面谈"))

# 目标设定表 signed by the employee, the direct and the next-level manager, filed with HR by the 5th
GOAL_STATUS = _v("goal_status", "目标备案",
                 ("on_time", "按时备案", ("按时",)),
                 ("late", "逾期备案", ("逾期",)),
                 ("incomplete", "签字不全", ()),
                 ("missing", "未备案", ("未签署",)))

# how the payroll hand-off splits the monthly wage [000 5.6, 5.9]
PAY_BASIS = _v("pay_basis", "基本工资口径",
               ("net", "月工资减绩效基数", ("扣除绩效基数", "含绩效基数"),
                "绩效基数含在月工资内：基本工资 = 月工资 − 绩效基数（创利部门：月工资）"),
               ("full", "月工资全额", ("全额", "另计", "绩效另计"), "绩效工资在月工资之外另发：基本工资 = 月工资"))

SECTIONS_PROFIT = ("财务指标", "客户/市场", "关键考核指标", "学习/成长")          # [000] 5.3
SECTIONS_FUNCTIONAL = ("工作目标", "客户满意度", "关键考核指标", "工作纪律")
SECTIONS = tuple(dict.fromkeys(SECTIONS_PROFIT + SECTIONS_FUNCTIONAL))

# --------------------------------------------------------------------------- SPEC §7 DMS data
DMS_EXPORT = _v("export", "DMS导出",
                ("ro", "维修工单", ("工单", "维修工单明细", "工单明细", "repair orders"), "每张工单一行（必需）"),
                ("clocking", "派工工时", ("派工", "工时记录", "派工记录", "技师工时", "clocking"), "每个技师每项作业一行；出勤工时按天"),
                ("parts", "配件出入库", ("配件", "配件流水", "出入库", "parts"), "每个配件行一行；库存快照填期末库存成本"),
                ("followup", "回访满意度", ("回访", "满意度", "回访记录", "followup"), "每次回访或问卷一行"),
                ("complaints", "客户投诉", ("投诉", "投诉记录", "complaints"), "每条投诉一行"),
                ("claims", "保修索赔", ("索赔", "索赔记录", "claims"), "每笔索赔一行"),
                ("reminders", "保养提醒", ("提醒", "保养提醒记录", "reminders"), "每次提醒一行"),
                ("customers", "客户档案", ("客户", "基盘客户", "客户资料", "customers"), "每位客户一行"))

RO_TYPE = _v("job_type", "维修类型",
             ("maintenance", "保养", ("首保", "定保", "定期保养", "常规保养", "保养维护", "免费保养", "maintenance")),
             ("repair", "一般维修", ("维修", "机修", "机电维修", "普通维修", "小修", "大修", "快修", "repair")),
             ("insurance", "保险", ("事故", "事故车", "事故维修", "保险理赔", "理赔", "insurance")),
             ("warranty", "索赔", ("保修", "三包", "质保", "厂家索赔", "warranty")),
             ("body", "钣喷", ("钣金", "喷漆", "钣金喷漆", "钣喷维修", "body")),
             ("internal", "内部", ("内部车", "内结", "pdi", "新车整备", "售前整备", "internal")),
             ("rework", "返修", ("返工", "返修工单", "rework")))

PARTS_MOVE = _v("move", "配件类型",
                ("sale", "销售", ("出库", "销售出库", "维修领料", "领料", "sale")),
                ("purchase", "采购", ("采购入库", "入库", "订货入库", "purchase")),
                ("emergency", "紧急采购", ("紧急订货", "急件", "应急采购", "紧急", "emergency")),
                ("lost_sale", "缺货", ("缺货未满足", "流失", "未满足", "缺件", "lost sale", "lost_sale")),
                ("stock", "库存", ("期末库存", "库存快照", "盘点", "月末库存", "stock")))

# yes/no as DMS exports write it (回访是否成功, 索赔首次通过, 满意度 top box, 是否到店, 是否预约)
DMS_FLAG = _v("flag", "是否",
              ("yes", "是", ("y", "yes", "true", "1", "√", "✓", "有", "成功", "通过", "已通过", "一次通过", "接通", "已接通",
                             "已回访", "到店", "已到店", "预约", "已预约", "满意", "很满意", "非常满意")),
              ("no", "否", ("n", "no", "false", "0", "×", "无", "失败", "未通过", "驳回", "拒绝", "未接通", "未回访",
                            "未到店", "未预约", "不满意", "非常不满意", "一般", "较差", "差")))

DMS_LEVEL = _v("level", "层级",
               ("person", "员工", ("个人", "人员")),
               ("department", "部门", ()),
               ("store", "门店", ("全店",)))

ALL = (DIRECTION, ITEM_KIND, GRADE, GRADING, EVAL_GROUP, PERIOD, CATEGORY, PAY_METHOD, STATUS,
       CALENDAR, DAY_KIND, ACTION, SPLIT, BASIS, ADDITIVE, OWNER_TYPE, KPI_FIELD, TABLE_COLUMN, YES_NO, LANG,
       DMS_EXPORT, RO_TYPE, PARTS_MOVE, DMS_FLAG, DMS_LEVEL,
       APPROVAL, TRAIL_EVENT, APPEAL_DECISION, INTERVIEW, GOAL_STATUS, PAY_BASIS,
       GROUP_SCOPE, STORE_STATUS)


# --------------------------------------------------------------------------- settings
def setting(default, label: str, note: str = "", kind: str | None = None, vocab: Vocab | None = None):
    """A policy number with its 设置-sheet label: a dataclass field for a rule module's rules.

    kind tells how a typed value is read (udfs.policy): None = by the default's type;
    'share' (a fraction; 30 means 30%), 'ratio' (130 means 130%), 'shares' (five shares A…E),
    'numbers' (a list), 'time' (HH:MM), 'deadlines' (岗位:日; …), 'grade' (A–E), 'enum' (vocab).
    """
    return field(default=default, metadata=MappingProxyType(
        {"label": label, "note": note, "kind": kind or ("enum" if vocab else None), "vocab": vocab}))
