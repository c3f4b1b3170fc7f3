"""Errors raised at the workbook border: every problem with its sheet, row and column."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None      # Excel row number (1-based, as the user sees it); None = whole sheet
    column: str | None   # the column header as shown on the sheet (Chinese)
    message: str         # what is wrong, in Chinese

    def __str__(self) -> str:
        where = f"[{self.sheet}]"
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 「{self.column}」"
        return f"{where}: {self.message}"


class BookError(Exception):
    """The workbook has problems; nothing was written. Holds every problem found."""

    def __init__(self, problems, title: str = "工作簿有错误，未写入任何内容"):
        self.problems = list(problems)
        self.title = title
        super().__init__(self.__str__())

    def __str__(self) -> str:
        lines = [f"{self.title}（共 {len(self.problems)} 处）："]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)
