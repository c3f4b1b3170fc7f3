"""Step 2 of the month end: the KPI library and the scorecards, given to each graded employee."""
from __future__ import annotations

import numpy as np
import pandas as pd

from addin.io import schema as S
from addin.io.book import StoreBook
from addin.io.problems import Problem, problems_at
from udfs import kpis, scoring
from udfs.parse import factorize
from udfs.policy import Policy


def library(book: StoreBook, problems: list) -> pd.DataFrame:
    """The KPI library: the workbook's 指标库 when filled in, else the built-in one (indexed by id)."""
    rows = kpis.LIBRARY
    table = book.table(S.KPI_LIB) if book.has(S.KPI_LIB) else None
    if table is not None and len(table):
        try:
            rows = kpis.from_frame(table)
        except ValueError as exc:
            for row, header, msg in getattr(exc, "problems", None) or [(None, None, str(exc))]:
                problems.append(Problem(S.KPI_LIB, row, header, msg))
    return kpis.library_frame("en", rows).drop_duplicates("id").set_index("id")


def read_cards(book: StoreBook, lib: pd.DataFrame, ids: set, policy: Policy, problems: list) -> pd.DataFrame:
    """考核表 validated: each row is a position's item or (with 员工编号) a personal item.

    Directions, targets and units left blank come from the library; weights are fractions;
    every card's weights must add up to 100% (± tolerance); items are unique per card.
    Adds: card (the card's name), lib_target.
    """
    sheet = S.SHEETS[S.SCORECARDS]
    h = sheet.header
    c = book.frame(S.SCORECARDS, problems)
    c = c[(c["item"] != "") | c["weight"].notna()].copy()
    problems += problems_at(c, c["position"].eq("") & c["employee_id"].eq(""), S.SCORECARDS, h("position"),
                            "岗位和员工编号不能都为空")
    problems += problems_at(c, c["employee_id"].ne("") & ~c["employee_id"].isin(ids), S.SCORECARDS,
                            h("employee_id"), "员工名册中没有员工编号「{employee_id}」")
    c["kind"] = c["kind"].fillna("kpi")
    kid = c["kpi_id"].to_numpy(dtype=object)
    at = lib.index.get_indexer(kid)
    problems += problems_at(c, (kid != "") & (at < 0), S.SCORECARDS, h("kpi_id"), "指标库中没有指标「{kpi_id}」")
    known = at >= 0

    def from_lib(col: str) -> np.ndarray:           # the card's KPI's library value (None when none)
        out = np.full(len(at), None, dtype=object)
        out[known] = lib[col].to_numpy(dtype=object)[at[known]]
        return out
    lib_direction = from_lib("direction")
    direction = c["direction"].to_numpy(dtype=object)
    c["direction"] = np.where(pd.isna(direction), np.where(pd.isna(lib_direction), "higher", lib_direction), direction)
    c["lib_target"] = from_lib("target").astype(float)
    lib_unit = from_lib("unit")
    c["unit"] = np.where(c["unit"].to_numpy(dtype=object) == "", np.where(pd.isna(lib_unit), "", lib_unit),
                         c["unit"].to_numpy(dtype=object))
    w = scoring.normalize_weight(c["weight"].fillna(0).to_numpy())
    problems += problems_at(c, w < 0, S.SCORECARDS, h("weight"), "权重不能为负")
    problems += problems_at(c, w > 1, S.SCORECARDS, h("weight"), "单项权重不能超过100%")
    c["weight"] = np.where(c["weight"].isna(), np.nan, w)
    emp, position = c["employee_id"].to_numpy(dtype=object), c["position"].to_numpy(dtype=object)
    c["card"] = np.where(emp != "", "员工 " + emp, "岗位 " + position)
    code, cards = factorize(c["card"].to_numpy())
    wsum = np.bincount(code, weights=np.nan_to_num(c["weight"].to_numpy(dtype=float)), minlength=len(cards))
    first = np.full(len(cards), np.iinfo(np.int64).max)
    np.minimum.at(first, code, c["_row"].to_numpy(dtype=np.int64))
    off, _, zh = scoring.weight_check(wsum * 100, policy)
    problems += [Problem(S.SCORECARDS, int(r), h("weight"), f"{card} 的{msg}")
                 for card, r, msg in zip(cards[off], first[off], zh[off])]
    dup = c.duplicated(["card", "item"], keep="first")
    problems += problems_at(c, dup, S.SCORECARDS, h("item"), "同一考核表中考核项目重复：{item}")
    if c["seq"].isna().any():                # blank 序号: the item's place on its card
        c["seq"] = c["seq"].where(c["seq"].notna(), c.groupby("card").cumcount() + 1)
    return c


def assign(people: pd.DataFrame, cards: pd.DataFrame, problems: list) -> pd.DataFrame:
    """Every graded employee's items: a personal card replaces the position's card."""
    graded = people[people["eligible"]]
    personal = cards[cards["employee_id"].ne("")]
    by_position = cards[cards["employee_id"].eq("")].drop(columns=["employee_id"])
    by_position_people = graded.loc[~graded["employee_id"].isin(set(personal["employee_id"])),
                                    ["employee_id", "position"]]
    items = pd.concat([by_position_people.merge(by_position, on="position", how="inner"),
                       personal[personal["employee_id"].isin(set(graded["employee_id"]))]], ignore_index=True)
    no_card = ~graded["employee_id"].isin(set(items["employee_id"]))
    problems += problems_at(graded, no_card, S.ROSTER, S.SHEETS[S.ROSTER].header("position"),
                            "没有考核表：岗位「{position}」在考核表中没有考核项目，也没有按员工编号设置的考核项目")
    return items.rename(columns={"_row": "card_row"})
