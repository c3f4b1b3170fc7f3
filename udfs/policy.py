"""The policy: every number of SPEC §3 as data, with SPEC's defaults.

Each rule module declares the numbers of its own section (``scoring.ScoringRules``,
``grading.GradingRules`` …) with their 设置-sheet labels; :class:`Policy` is all of them in
one frozen object, and every rule function accepts it. :meth:`Policy.from_settings` reads
the values as Excel users type them ("30%", "5%,20%,60%,10%,5%", "强制分布", "17:30",
"行政部经理:2; 客服经理:5") and validates related settings *together* (the rating blend,
the band edges, the run lengths), so a consistent change of several settings is accepted.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from .consequences import ConsequenceRules
from .cycle import CycleRules
from .dates import CalendarRules
from .dms import DmsRules
from .grading import GradingRules, GroupRules
from .parse import is_blank, number, text_of, time_of_day
from .pay import PayRules
from .periods import PeriodRules
from .scoring import ScoringRules
from .vocab import GRADE, YES_NO, InputError, key


@dataclass(frozen=True)
class Policy(CycleRules, DmsRules, ConsequenceRules, CalendarRules, PayRules, PeriodRules, GradingRules, ScoringRules):
    # (fields are listed in reverse base order: scoring first on the 设置 sheet)
    """All policy numbers of SPEC §3 (see each section's rules for the fields)."""

    def __post_init__(self):
        problems = list(self.problems())
        if problems:
            raise PolicyError(problems)

    def problems(self) -> Iterable[tuple[tuple, str]]:
        """(field names, Chinese message) for every inconsistency between settings."""
        for cls in type(self).__mro__:
            check = cls.__dict__.get("_checks")
            if check is not None:
                yield from check(self)

    def replace(self, **changes) -> "Policy":
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "Policy":
        """A policy from {field name or 设置 label: value}; blanks keep the default, other keys
        are ignored (the sheet also holds store name, month …). Raises PolicyError naming every
        bad value and every inconsistent group of settings."""
        changes, problems = {}, []
        for raw_key, value in settings.items():
            name = FIELD_OF.get(key(raw_key))
            if name is None or is_blank(value):
                continue
            try:
                changes[name] = parse_setting(name, value)
            except InputError as exc:
                problems.append(((name,), str(exc)))
        bad = {n for names, _ in problems for n in names}
        try:
            policy = cls(**changes)
        except PolicyError as exc:
            problems += [p for p in exc.problems if not bad.intersection(p[0])]
            policy = None
        if problems:
            raise PolicyError(problems)
        return policy


class PolicyError(InputError):
    """Bad settings: ``problems`` is a list of (field names, Chinese message)."""

    def __init__(self, problems: list):
        self.problems = list(problems)
        super().__init__("；".join(f"{'/'.join(LABELS[n] for n in names)}：{msg}" for names, msg in self.problems))


FIELDS = MappingProxyType({f.name: f for f in dataclasses.fields(Policy)})
LABELS = MappingProxyType({n: f.metadata["label"] for n, f in FIELDS.items()})
NOTES = MappingProxyType({n: f.metadata["note"] for n, f in FIELDS.items()})
FIELD_OF = MappingProxyType({**{key(n): n for n in FIELDS}, **{key(label): n for n, label in LABELS.items()}})


def _list(value) -> list:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [p for p in re.split(r"[,，;；/、\s]+", str(value)) if p.strip()]


def _num(value) -> float:
    try:
        return number(value)
    except ValueError:
        raise InputError(f"「{value}」不是数字") from None


def parse_setting(name: str, value: Any) -> Any:
    """One 设置 value as typed → the field's value; ValueError (Chinese) when unreadable."""
    f = FIELDS[name] if name in FIELDS else GROUP_FIELDS[name]
    kind, vocab, default = f.metadata["kind"], f.metadata["vocab"], f.default
    if kind == "enum":
        hit = vocab.get(value)
        if hit is None:
            raise InputError(f"「{value}」无效（可选：{vocab.help_zh()}）")
        return hit
    if kind == "grade":
        hit = GRADE.get(value)
        if hit is None:
            raise InputError(f"「{value}」应为等级 A–E")
        return hit
    if kind == "time":
        try:
            h, m = time_of_day(value, name)
        except ValueError:
            raise InputError(f"「{value}」应为时间，如 17:30") from None
        return f"{h:02d}:{m:02d}"
    if kind == "deadlines":
        pairs = value if isinstance(value, (list, tuple)) else [
            c.replace("：", ":").partition(":")[::2] for c in re.split(r"[;；,，\n]+", str(value)) if c.strip()]
        out = []
        for role, day in pairs:
            if not str(day).strip():
                raise InputError(f"「{role}」应写成 岗位:日（如 行政部经理:2）")
            d = _num(day)
            if d != int(d):
                raise InputError(f"「{role}:{day}」的日应为整数")
            out.append((str(role).strip(), int(d)))
        return tuple(out)
    if kind in ("shares", "numbers"):
        numbers = [_num(p) for p in _list(value)]
        if kind == "shares" and numbers and max(numbers) > 1:      # typed as points: 5,20,60,10,5
            numbers = [n / 100 for n in numbers]
        return tuple(numbers)
    if isinstance(default, bool):
        hit = YES_NO.get(text_of(value) if isinstance(value, float) else value)     # 1.0 from a number cell
        if hit is None:
            raise InputError(f"「{value}」应填 是 或 否")
        return hit == "yes"
    if isinstance(default, int):
        n = _num(value)
        if n != int(n):
            raise InputError(f"「{value}」应为整数")
        return int(n)
    if isinstance(default, float):
        n = _num(value)
        if kind == "share" and n > 1:           # 30 means 30%
            n /= 100
        if kind == "ratio" and n > 5:           # 130 means 130%
            n /= 100
        return n
    return str(value).strip()


def setting_text(name: str, value: Any) -> Any:
    """A field's value as it is shown on the 设置 sheet (the inverse of parse_setting)."""
    f = FIELDS[name] if name in FIELDS else GROUP_FIELDS[name]
    kind, vocab = f.metadata["kind"], f.metadata["vocab"]
    if kind == "enum":
        return vocab.label(value)
    if kind == "shares":
        return ",".join(f"{q:.0%}" for q in value)
    if kind == "numbers":
        return ",".join(f"{q:g}" for q in value)
    if kind == "deadlines":
        return "; ".join(f"{r}:{d}" for r, d in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


DEFAULT = Policy()


@dataclass(frozen=True)
class GroupPolicy(GroupRules, GradingRules):
    """The group workbook's settings (SPEC §8): the grading numbers of the group-level grading
    (bands, quotas, method; SPEC defaults) and its scope. Validated together like Policy."""

    __post_init__ = Policy.__post_init__
    problems = Policy.problems

    def replace(self, **changes) -> "GroupPolicy":
        return dataclasses.replace(self, **changes)


STORE_ONLY = ("bottom_list", "bottom_share")        # the bottom-ranking list is a store's (SPEC §9), not the group's
GROUP_FIELDS = MappingProxyType({f.name: f for f in dataclasses.fields(GroupPolicy) if f.name not in STORE_ONLY})
GROUP_LABELS = MappingProxyType({n: f.metadata["label"] for n, f in GROUP_FIELDS.items()})
GROUP_NOTES = MappingProxyType({n: f.metadata["note"] for n, f in GROUP_FIELDS.items()})
GROUP_FIELD_OF = MappingProxyType({**{key(n): n for n in GROUP_FIELDS},
                                   **{key(label): n for n, label in GROUP_LABELS.items()}})
