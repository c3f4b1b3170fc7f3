"""Problems found at the border: every one with its sheet, row and column, in Chinese.

The readers and the month pipeline collect :class:`Problem` s into a list instead of stopping
at the first; a stage that found any raises one :class:`BookError` holding them all, and the
doors (cli, excel) show it as one message. Nothing is written when a BookError is raised.
"""
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

    SHOWN = 100          # a message lists this many; the rest are counted by sheet and column

    def __reduce__(self):                    # picklable (raised in a worker process) whatever the subclass
        return _rebuild, (type(self), self.problems, self.title, dict(self.__dict__))

    def __str__(self) -> str:
        lines = [f"{self.title}（共 {len(self.problems)} 处）："]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems[:self.SHOWN], 1)]
        rest = self.problems[self.SHOWN:]
        if rest:
            counts: dict = {}
            for p in rest:
                where = f"[{p.sheet}]" + (f" 「{p.column}」" if p.column else "")
                counts[where] = counts.get(where, 0) + 1
            lines.append(f"  ……另有 {len(rest)} 处：" + "；".join(f"{w} {n} 处" for w, n in counts.items()))
        return "\n".join(lines)


def _rebuild(cls, problems, title, state):
    error = cls.__new__(cls)
    BookError.__init__(error, problems, title)
    error.__dict__.update(state)
    return error


def raise_if(problems: list, title: str | None = None) -> None:
    """Raise one BookError with every problem (sorted by sheet order of appearance, row)."""
    if problems:
        order = {}
        for p in problems:
            order.setdefault(p.sheet, len(order))
        ranked = sorted(problems, key=lambda p: (order[p.sheet], p.row or 0, p.column or ""))
        raise BookError(ranked, title) if title else BookError(ranked)


def problems_at(df, mask, sheet: str, column: str | None, message) -> list[Problem]:
    """Problems for the rows of a typed frame (with `_row`) where ``mask`` holds.

    message: a text; a template naming columns of df ("…「{item}」", filled for the flagged
    rows only, so a clean 60,000-row sheet costs nothing); or an array aligned with df.
    """
    import numpy as np
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return []
    rows = df["_row"].to_numpy()[mask]
    if not isinstance(message, str):
        msgs = np.asarray(message, dtype=object)[mask]
    elif "{" in message:
        msgs = [message.format(**r) for r in df[mask].to_dict("records")]
    else:
        msgs = [message] * int(mask.sum())
    return [Problem(sheet, int(r) if r == r else None, column, str(m)) for r, m in zip(rows, msgs)]
