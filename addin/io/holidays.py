"""节假日: the days a store types for the ``cn`` calendar, as a udfs.dates.Calendar.

chinesecalendar knows the public holidays and make-up workdays only up to the year it was
released for; the State Council publishes the next year's arrangement in November, and
December's scorer deadlines fall in January. A store types them in 节假日 (one row per day:
日期, 类型 放假/上班, 名称) and they override the package for those dates. The rules
(udfs.dates) get them as data; reading and validating the sheet is this module's job.
"""
from __future__ import annotations

import numpy as np

from udfs.dates import Calendar, cn_known, cn_years

from . import schema as S
from .problems import Problem, problems_at


def calendars(book, problems: list) -> dict:
    """{code: Calendar} for the book: ``weekend`` as it is, ``cn`` with the 节假日 rows.
    Bad rows (not a date, unknown kind, one day typed twice differently) are problems."""
    if getattr(book, "_calendars", None) is not None:      # read once per book: problems reported once
        return book._calendars
    out = {"weekend": Calendar("weekend"), "cn": Calendar("cn")}
    if hasattr(book, "_calendars"):
        book._calendars = out
    if not book.has(S.HOLIDAYS):
        return out
    h = S.SHEETS[S.HOLIDAYS].header
    found: list = []
    df = book.frame(S.HOLIDAYS, found)
    problems += found
    bad = {p.row for p in found}
    ok = df[~df["_row"].isin(bad) & df["kind"].notna() & ~np.isnat(df["date"].to_numpy())].copy()
    ok["day"] = ok["date"].to_numpy().astype("datetime64[D]").astype(str)
    twice = ok.duplicated("day", keep=False) & ~ok.duplicated(["day", "kind"], keep=False)
    problems += problems_at(ok, twice, S.HOLIDAYS, h("date"), "同一天既填了放假又填了上班：{day}")
    ok = ok[~twice].drop_duplicates("day")
    out["cn"] = Calendar("cn", tuple(sorted(ok.loc[ok["kind"].eq("off"), "day"])),
                         tuple(sorted(ok.loc[ok["kind"].eq("work"), "day"])))
    return out          # (the same dict object as book._calendars: filled in place)


def unknown_year_text(year: int, calendar: Calendar, why: str) -> str:
    """The Chinese message for a cn calendar that does not know ``year``."""
    first, last = cn_years()
    typed = sorted(set(cn_known(calendar).tolist()) - set(range(first, last + 1)))
    extra = f"，「{S.HOLIDAYS}」表填写了 {'、'.join(map(str, typed))} 年" if typed else ""
    return (f"{why}在 {year} 年，但日历「法定节假日」只知道 {first}–{last} 年的节假日（chinesecalendar{extra}）："
            f"请在「{S.HOLIDAYS}」表中填写 {year} 年的法定节假日（放假）和调休上班日（上班），"
            f"或把设置「日历」改为「周末顺延」")


def holiday_problem(sheet: str, row, column, year: int, calendar: Calendar, why: str) -> Problem:
    return Problem(sheet, row, column, unknown_year_text(year, calendar, why))


__all__ = ["calendars", "unknown_year_text", "holiday_problem"]
