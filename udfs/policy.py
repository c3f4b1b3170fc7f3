"""Policy numbers of SPEC §3 as data: one frozen object with SPEC's defaults.

Every rule module reads its numbers from a :class:`Policy`; the store workbook's
设置 (settings) sheet overrides them through :meth:`Policy.from_settings`.
Nothing else in the code base writes a band, a quota, a cap, a pay ratio, a
deadline or a fine as a literal.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

GRADES = ("A", "B", "C", "D", "E")
GRADE_LABELS = MappingProxyType(
    {"A": "杰出", "B": "优秀", "C": "良好", "D": "待改进", "E": "不胜任"}
)

# --- enumerations with their aliases (English names first) -----------------
DIRECTIONS = ("higher", "lower", "lower_linear", "min", "max")
DIRECTION_ALIASES = MappingProxyType({
    "higher": "higher", "正向": "higher", "up": "higher", "越高越好": "higher", "高": "higher",
    "lower": "lower", "反向": "lower", "down": "lower", "越低越好": "lower", "低": "lower",
    "lower_linear": "lower_linear", "反向线性": "lower_linear", "线性反向": "lower_linear",
    "min": "min", "不低于": "min", "gate_min": "min", ">=": "min", "≥": "min",
    "max": "max", "不超过": "max", "gate_max": "max", "<=": "max", "≤": "max",
})

CATEGORIES = ("profit", "functional", "manager", "support_manager")
CATEGORY_ALIASES = MappingProxyType({
    "profit": "profit", "创利部门": "profit", "创利": "profit",
    "functional": "functional", "职能部门": "functional", "职能": "functional",
    "manager": "manager", "部门经理": "manager", "经理": "manager",
    "support_manager": "support_manager",
    "行政部/人力资源部/客户服务部经理": "support_manager",
    "行政部经理": "support_manager", "人力资源部经理": "support_manager",
    "客户服务部经理": "support_manager", "客服部经理": "support_manager",
    "职能经理": "support_manager",
})

GRADING_POLICIES = ("bands", "forced", "capped")
GRADING_ALIASES = MappingProxyType({
    "bands": "bands", "分数段": "bands", "按分数段": "bands",
    "forced": "forced", "强制分布": "forced", "强制": "forced",
    "capped": "capped", "限额": "capped", "封顶": "capped", "限制A/B比例": "capped",
})

EVAL_GROUPS = ("store", "department")
EVAL_GROUP_ALIASES = MappingProxyType({
    "store": "store", "全店": "store", "门店": "store",
    "department": "department", "部门": "department", "按部门": "department",
})

CALENDARS = ("weekend", "cn")
CALENDAR_ALIASES = MappingProxyType({
    "weekend": "weekend", "周末": "weekend", "周末顺延": "weekend",
    "cn": "cn", "中国": "cn", "法定节假日": "cn", "china": "cn",
})

PAY_METHODS = ("score", "grade")
PAY_METHOD_ALIASES = MappingProxyType({
    "score": "score", "按得分": "score", "得分": "score",
    "grade": "grade", "按等级系数": "grade", "等级系数": "grade",
})

ACTIONS = ("award", "improvement_plan", "hr_warning", "manager_warning", "separation")
ACTION_LABELS = MappingProxyType({
    "award": "优秀员工候选",
    "improvement_plan": "绩效改进计划",
    "hr_warning": "严重警告(人力资源部)",
    "manager_warning": "严重警告(直线经理)",
    "separation": "自动离职",
})
# Headline order: the most severe first (SPEC §3.7).
ACTION_SEVERITY = MappingProxyType({
    "separation": 4, "hr_warning": 3, "manager_warning": 3,
    "improvement_plan": 2, "award": 1,
})


def canonical(value: Any, aliases: Mapping[str, str], what: str) -> str:
    """Map an English name or Chinese alias to its canonical name, or raise."""
    key = str(value).strip()
    hit = aliases.get(key) or aliases.get(key.lower())
    if hit is None:
        names = "/".join(dict.fromkeys(aliases.values()))
        raise ValueError(f"{what} '{key}' unknown (use {names})")
    return hit


def canonical_array(values, aliases: Mapping[str, str], what: str, default: str | None = None):
    """Vectorised :func:`canonical`: a numpy object array of canonical names, same shape.

    Blank cells give `default` (or raise when there is none); the first unknown value raises.
    """
    import numpy as np
    import pandas as pd
    arr = np.asarray(values, dtype=object)
    s = pd.Series(arr.ravel(), dtype=object)
    blank = s.isna() | s.astype(str).str.strip().eq("")
    keys = s.astype(str).str.strip()
    mapped = keys.map(aliases).fillna(keys.str.lower().map(aliases))
    if default is not None:
        mapped[blank] = default
    if mapped.isna().any():
        bad = keys[mapped.isna()].iloc[0]
        raise ValueError(f"{what} '{bad}' unknown (use {'/'.join(dict.fromkeys(aliases.values()))})")
    return mapped.to_numpy(dtype=object).reshape(arr.shape)


@dataclass(frozen=True)
class Policy:
    """All policy numbers of SPEC §3 with SPEC's defaults."""

    # §3.1 scoring
    ratio_cap: float = 1.3             # item ratio cap (130%)
    total_min: float = 0.0
    total_max: float = 130.0
    veto_cap: float = 70.0             # a veto item caps the total here (grade E)
    weight_tolerance: float = 0.5      # points either side of 100
    items_min: int = 3
    items_max: int = 8
    rating_self: float = 0.0           # blend of rated items; default: manager's rating only
    rating_manager: float = 1.0
    rating_peer: float = 0.0
    rating_max: float = 1.3            # ratings are 0–130% of full marks
    # §3.2 grades: lower bounds of A, B, C; D is (e_max, c_min); E is <= e_max
    a_min: float = 120.0
    b_min: float = 105.0
    c_min: float = 90.0
    e_max: float = 70.0
    quotas: tuple = (0.05, 0.20, 0.60, 0.10, 0.05)
    grading: str = "capped"
    eval_group: str = "store"
    # §3.4 eligibility
    min_wage: float = 800.0
    # §3.5 pay
    pay_method: str = "score"
    base_ratio_functional: float = 0.30
    base_ratio_manager: float = 0.50
    base_ratio_support_manager: float = 0.30
    base_ratio_profit: float = 1.00    # share of the month's commission total
    grade_coefficients: tuple = (1.2, 1.1, 1.0, 0.8, 0.5)   # used when pay_method == "grade"
    # §3.6 scoring calendar and fines
    calendar: str = "weekend"
    deadline_time: str = "17:30"
    fine_per_day: float = 500.0
    deadlines: tuple = (
        ("行政部经理", 2), ("人力资源专员", 3), ("各部门经理", 4),
        ("客服经理", 5), ("财务部经理", 7),
    )
    # §3.7 consequences: run lengths (consecutive months)
    award_run: int = 3
    plan_run: int = 2
    hr_warning_run: int = 4
    d_separation_run: int = 5
    manager_warning_run: int = 2
    e_separation_run: int = 3
    annual_raise_grade: str = "B"      # annual grade at or above → year-end raise
    # documents
    correction_months: int = 1         # warning letter: correction deadline after issue
    plan_months: int = 2               # improvement plan length

    def __post_init__(self):
        L = SETTING_LABELS
        problems = []
        if len(self.quotas) != 5 or any(q < 0 for q in self.quotas):
            problems.append(f"{L['quotas']}: 应为 A…E 五个不小于0的比例")
        elif abs(sum(self.quotas) - 1) > 1e-6:
            problems.append(f"{L['quotas']}: 合计应为100%（现为{sum(self.quotas):.1%}）")
        if not (self.e_max < self.c_min < self.b_min < self.a_min <= self.total_max):
            problems.append(f"{L['a_min']}/{L['b_min']}/{L['c_min']}/{L['e_max']}: 分数段应依次升高")
        if self.ratio_cap <= 0:
            problems.append(f"{L['ratio_cap']}: 应大于0")
        for name, allowed in (("grading", GRADING_POLICIES), ("eval_group", EVAL_GROUPS),
                              ("calendar", CALENDARS), ("pay_method", PAY_METHODS)):
            if getattr(self, name) not in allowed:
                problems.append(f"{L[name]}: 应为 {'/'.join(allowed)}")
        if len(self.grade_coefficients) != 5:
            problems.append(f"{L['grade_coefficients']}: 应为 A…E 五个系数")
        blend = self.rating_self + self.rating_manager + self.rating_peer
        if abs(blend - 1) > 1e-6:
            problems.append(f"{L['rating_self']}/{L['rating_manager']}/{L['rating_peer']}: 合计应为100%（现为{blend:.0%}）")
        if problems:
            raise ValueError("；".join(problems))

    # --- derived views -------------------------------------------------
    @property
    def deadline(self) -> _dt.time:
        h, m = str(self.deadline_time).split(":")[:2]
        return _dt.time(int(h), int(m))

    @property
    def deadline_days(self) -> dict:
        return dict(self.deadlines)

    @property
    def base_ratios(self) -> dict:
        return {
            "profit": self.base_ratio_profit,
            "functional": self.base_ratio_functional,
            "manager": self.base_ratio_manager,
            "support_manager": self.base_ratio_support_manager,
        }

    def replace(self, **changes) -> "Policy":
        return dataclasses.replace(self, **changes)

    # --- settings ------------------------------------------------------
    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "Policy":
        """Build a policy from a key → value mapping (the 设置 sheet).

        Keys are the field names above or their Chinese labels (SETTING_LABELS);
        blank values keep the default. Values may be typed as Excel users type
        them: "5%", "5%,20%,60%,10%,5%", "强制分布", "17:30", "行政部经理:2; 客服经理:5".
        Unknown keys are ignored (the sheet also holds store name, month …).
        Raises ValueError naming every bad key.
        """
        by_label = {v: k for k, v in SETTING_LABELS.items()}
        fields = {f.name: f for f in dataclasses.fields(cls)}
        changes, problems = {}, []
        for raw_key, value in settings.items():
            key = by_label.get(str(raw_key).strip(), str(raw_key).strip())
            if key not in fields or value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                changes[key] = _parse_setting(key, value, fields[key].default)
            except (TypeError, ValueError) as exc:
                problems.append(f"{SETTING_LABELS.get(key, key)}: {exc}")
        if problems:
            raise ValueError("；".join(problems))
        return cls(**changes)


# Chinese labels of the settings, as they appear on the 设置 sheet.
SETTING_LABELS = MappingProxyType({
    "ratio_cap": "单项得分上限(完成率)",
    "total_min": "总分下限",
    "total_max": "总分上限",
    "veto_cap": "否决项总分上限",
    "weight_tolerance": "权重合计容差(分)",
    "items_min": "考核项最少",
    "items_max": "考核项最多",
    "rating_self": "评分权重-自评",
    "rating_manager": "评分权重-直接上级",
    "rating_peer": "评分权重-360°",
    "rating_max": "评分上限",
    "a_min": "A级下限",
    "b_min": "B级下限",
    "c_min": "C级下限",
    "e_max": "E级上限",
    "quotas": "等级比例A/B/C/D/E",
    "grading": "等级评定方式",
    "eval_group": "评定范围",
    "min_wage": "适用最低工资",
    "pay_method": "绩效工资计算方式",
    "base_ratio_functional": "绩效基数-职能部门",
    "base_ratio_manager": "绩效基数-部门经理",
    "base_ratio_support_manager": "绩效基数-行政/人力/客服经理",
    "base_ratio_profit": "绩效基数-创利部门(提成比例)",
    "grade_coefficients": "等级系数A/B/C/D/E",
    "calendar": "日历",
    "deadline_time": "提交截止时间",
    "fine_per_day": "逾期罚款(元/天)",
    "deadlines": "评分提交日",
    "award_run": "连续A次数-优秀员工",
    "plan_run": "连续D次数-改进计划",
    "hr_warning_run": "连续D次数-人力资源部警告",
    "d_separation_run": "连续D次数-离职",
    "manager_warning_run": "连续E次数-直线经理警告",
    "e_separation_run": "连续E次数-离职",
    "annual_raise_grade": "年终加薪最低年度等级",
    "correction_months": "警告改正期(月)",
    "plan_months": "改进期(月)",
})

_ENUMS = {
    "grading": GRADING_ALIASES,
    "eval_group": EVAL_GROUP_ALIASES,
    "calendar": CALENDAR_ALIASES,
    "pay_method": PAY_METHOD_ALIASES,
}


def parse_number(value: Any) -> float:
    """A number as typed in Excel: 0.3, "30%", "30", "1,500"."""
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    pct = text.endswith("%") or text.endswith("％")
    try:
        number = float(text.rstrip("%％"))
    except ValueError:
        raise ValueError(f"'{value}' is not a number") from None
    return number / 100 if pct else number


def _parse_shares(value: Any) -> tuple:
    if isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        parts = [p for p in str(value).replace("，", ",").replace("/", ",").replace(";", ",").split(",") if p.strip()]
    numbers = [parse_number(p) for p in parts]
    if numbers and max(numbers) > 1:       # typed as points: 5,20,60,10,5
        numbers = [n / 100 for n in numbers]
    return tuple(numbers)


def _parse_setting(key: str, value: Any, default: Any) -> Any:
    if key in _ENUMS:
        return canonical(value, _ENUMS[key], key)
    if key == "quotas":
        return _parse_shares(value)
    if key == "grade_coefficients":
        return tuple(parse_number(p) for p in str(value).replace("，", ",").replace("/", ",").split(",") if p.strip()) \
            if not isinstance(value, (list, tuple)) else tuple(float(v) for v in value)
    if key == "deadlines":
        if isinstance(value, (list, tuple)):
            return tuple((str(k), int(v)) for k, v in value)
        pairs = []
        for chunk in str(value).replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
            if not chunk.strip():
                continue
            name, _, day = chunk.replace("：", ":").partition(":")
            if not day.strip():
                raise ValueError(f"'{chunk.strip()}' should read 岗位:日 (e.g. 行政部经理:2)")
            pairs.append((name.strip(), int(parse_number(day))))
        return tuple(pairs)
    if key == "deadline_time":
        if isinstance(value, _dt.time):
            return value.strftime("%H:%M")
        if isinstance(value, (int, float)):            # Excel time serial (fraction of a day)
            minutes = round(float(value) % 1 * 24 * 60)
            return f"{minutes // 60:02d}:{minutes % 60:02d}"
        text = str(value).strip().replace("：", ":")
        h, _, m = text.partition(":")
        _dt.time(int(h), int(m or 0))
        return f"{int(h):02d}:{int(m or 0):02d}"
    if key == "annual_raise_grade":
        grade = str(value).strip().upper()
        if grade not in GRADES:
            raise ValueError(f"'{value}' is not a grade A–E")
        return grade
    if isinstance(default, bool):
        return str(value).strip().lower() in ("1", "true", "yes", "是", "y")
    if isinstance(default, int):
        number = parse_number(value)
        if number != int(number):
            raise ValueError(f"'{value}' must be a whole number")
        return int(number)
    if isinstance(default, float):
        number = parse_number(value)
        # shares typed as points ("30" for 30%) on ratio settings
        if key.startswith(("base_ratio", "rating_")) and number > 1 and key != "rating_max":
            number /= 100
        if key in ("ratio_cap", "rating_max") and number > 5:     # typed as 130 (%)
            number /= 100
        return number
    return value


DEFAULT = Policy()
