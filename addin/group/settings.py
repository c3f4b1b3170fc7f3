"""The group workbook's 设置 (SPEC §8): name, month, where the store books are, the archive, and
the group-level grading (udfs.grading.GroupRules with the grading numbers of GradingRules).

Read like a store's 设置 (项目 | 值 | 说明): every bad value is a Problem naming its row, and the
grading settings are validated together (udfs.policy.GroupPolicy).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from addin.io import read
from addin.io import schema as S
from addin.io.problems import BookError, Problem
from udfs import parse
from udfs.policy import GROUP_FIELD_OF, GROUP_LABELS, GroupPolicy, PolicyError, parse_setting
from udfs.vocab import YES_NO, key

DEFAULT_NAME = "集团"


@dataclass
class GroupSettings:
    name: str = DEFAULT_NAME
    month: str | None = None          # 'YYYY-MM' or None (the month most store books name)
    stores: str = ""                  # 门店工作簿: a folder, relative to the group workbook
    archive: str = ""                 # 归档数据库: blank (file beside the book), a path or a server URL
    run: bool = False                 # 先运行门店月度报告
    policy: GroupPolicy = field(default_factory=GroupPolicy)
    book: Path | None = None          # the group workbook (paths are relative to its folder)

    @property
    def folder(self) -> Path:
        return Path(self.book).resolve().parent if self.book else Path.cwd()


def read_group_settings(rows: list, book: Path | None = None) -> GroupSettings:
    """设置 rows of a group workbook → GroupSettings; raises BookError listing every bad value."""
    problems: list = []
    out = GroupSettings(book=Path(book) if book else None)
    values, where = {}, {}
    for row, k, value in read.settings_rows(rows or []):
        name = GROUP_FIELD_OF.get(key(k))
        if name is not None:
            where[name] = row
            if not parse.is_blank(value):
                try:
                    values[name] = parse_setting(name, value)
                except ValueError as exc:
                    problems.append(Problem(S.SETTINGS, row, "值", f"{k}：{exc}"))
            continue
        if parse.is_blank(value):
            continue
        if k == S.GROUP_NAME_KEY:
            out.name = parse.text_of(value) or DEFAULT_NAME
        elif k == S.MONTH_KEY:
            out.month = parse.month_or_none(value)
            if out.month is None:
                problems.append(Problem(S.SETTINGS, row, "值", f"{k}「{value}」无法识别（应为 YYYY-MM，如 2026-09）"))
        elif k == S.STORES_KEY:
            out.stores = parse.text_of(value)
        elif k == S.ARCHIVE_KEY:
            out.archive = parse.text_of(value)
        elif k == S.RUN_KEY:
            code = YES_NO.get(value)
            if code is None:
                problems.append(Problem(S.SETTINGS, row, "值", f"{k}「{value}」应填 是 或 否"))
            out.run = code == "yes"
    try:
        out.policy = GroupPolicy(**values)
    except PolicyError as exc:
        for names, msg in exc.problems:
            rows_ = sorted(where[n] for n in names if n in where)
            problems.append(Problem(S.SETTINGS, rows_[0] if rows_ else None, "值",
                                    f"{'/'.join(GROUP_LABELS[n] for n in names)}：{msg}"))
    if problems:
        raise BookError(problems, "集团汇总工作簿的设置有错误，未汇总")
    return out


def load_group_settings(path) -> GroupSettings:
    """The settings of the group workbook at ``path`` (defaults when it does not exist yet).

    Raises BookError when the file is not a usable workbook, or is a store workbook."""
    path = Path(path)
    if not path.exists():
        return GroupSettings(book=path)
    wb = read.open_workbook(path)
    if S.ROSTER in wb.names or S.SCORECARDS in wb.names:
        raise BookError([Problem(path.name, None, None, "这是门店工作簿，不能作为集团汇总工作簿（请用 --out 指定另一个文件）")],
                        "未汇总")
    return read_group_settings(wb[S.SETTINGS] if S.SETTINGS in wb.names else [], path)


__all__ = ["GroupSettings", "read_group_settings", "load_group_settings", "DEFAULT_NAME"]
