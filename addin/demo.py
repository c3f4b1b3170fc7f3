"""`kpi4s demo`: a realistic sample store, with seven months of figures, run end to end.

About 60 people across 服务顾问组, 机修车间, 钣喷车间, 配件部, 客服部, 行政部, 人力资源部, 财务部.
The figures are drawn (seeded, deterministic) so that the last month shows every action of
SPEC §3.7 — an award candidate, improvement plans, both serious warnings, a separation — plus
exempt staff (probation, wage below 800), a veto item and late scorers. Every month is run
through the real `monthly_report`, oldest first, so 历史 holds what the macro computed.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
import pandas as pd

from addin import documents, macros, targets
from addin.cycle import goals
from addin.dms import sample
from addin.io import schema as S
from addin.io.book import load_book
from addin.io.save import atomic_save
from addin.render.text import month_summary
from udfs import dms as dms_rules
from udfs.scoring import item_ratio
from udfs.vocab import CATEGORY
from workbook.build import POSITION_CARDS, fill_table, new_workbook

STORE = "鹏程汽车4S店（售后服务部）"
MONTHS = [f"2026-{m:02d}" for m in range(3, 10)]      # 2026-03 … 2026-09 (closes Q3)
MONTH = MONTHS[-1]
ISSUE_DATE = "2026-10-08"     # letters for September are issued after the 1–7 October scoring days
AS_OF = "2026-09-30"          # the demo's 进度 date: the month's last day
GM = "王建国"

# (department, position, category, count, salary range, manager position)
ORG = [
    ("服务顾问组", "服务经理", "部门经理", 1, (12000, 12000)),
    ("服务顾问组", "服务顾问", "创利部门", 10, (4500, 6000)),
    ("机修车间", "车间主管", "部门经理", 1, (10000, 10000)),
    ("机修车间", "机修技师", "创利部门", 13, (4000, 6500)),
    ("钣喷车间", "钣喷主管", "部门经理", 1, (9500, 9500)),
    ("钣喷车间", "钣喷技师", "创利部门", 9, (4200, 6200)),
    ("配件部", "配件经理", "部门经理", 1, (9000, 9000)),
    ("配件部", "配件专员", "职能部门", 4, (4000, 5000)),
    ("客服部", "客服经理", "行政部/人力资源部/客户服务部经理", 1, (8000, 8000)),
    ("客服部", "客服专员", "职能部门", 5, (3800, 4500)),
    ("行政部", "行政经理", "行政部/人力资源部/客户服务部经理", 1, (8000, 8000)),
    ("行政部", "行政专员", "职能部门", 2, (3500, 4200)),
    ("行政部", "保洁员", "职能部门", 2, (700, 2600)),
    ("人力资源部", "人力资源经理", "行政部/人力资源部/客户服务部经理", 1, (8500, 8500)),
    ("人力资源部", "人力资源专员", "职能部门", 2, (4000, 4500)),
    ("财务部", "财务经理", "部门经理", 1, (11000, 11000)),
    ("财务部", "会计", "职能部门", 2, (4500, 5200)),
    ("财务部", "出纳", "职能部门", 1, (3800, 3800)),
]
MANAGER_POSITIONS = {"服务经理", "车间主管", "钣喷主管", "配件经理", "客服经理", "行政经理", "人力资源经理", "财务经理"}
# who scores as which role (SPEC §3.6)
ROLE_OF = {"行政经理": "行政部经理", "客服经理": "客服经理", "财务经理": "财务部经理"}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文斌志鹏海波宇浩红梅晨晓雪琳丹辉鑫亮"

LEVEL = {"A": (1.22, 1.26), "B": (1.07, 1.16), "C": (0.93, 1.02), "D": (0.76, 0.86), "E": (0.55, 0.65)}
# the engineered histories, oldest month first (2026-03 … 2026-09)
SCRIPTS = {
    ("服务顾问", 0): "CBBCAAA",     # third A in a row → 优秀员工候选
    ("机修技师", 3): "CCCCCDD",     # second D → 绩效改进计划
    ("钣喷技师", 2): "CCCDDDD",     # fourth D → 严重警告(人力资源部)
    ("客服专员", 1): "CCCCCEE",     # second E → 严重警告(直线经理) (+ 改进计划)
    ("机修技师", 7): "CCDDDDD",     # fifth D → 自动离职
    ("服务顾问", 4): "CCBCCBC",
    ("配件专员", 2): "CCCCCCD",     # a single D: no action yet
}


def _names(rng, n):
    out, seen = [], set()
    while len(out) < n:
        name = rng.choice(list(SURNAMES)) + "".join(rng.choice(list(GIVEN), size=rng.integers(1, 3)))
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def build_people(rng):
    people = []
    total = sum(o[3] for o in ORG)
    names = _names(rng, total + 3)
    eid = 1000
    dept_manager = {}
    for dept, pos, cat, count, (lo, hi) in ORG:
        for k in range(count):
            eid += 1
            salary = float(round(rng.uniform(lo, hi), -2)) if lo != hi else float(lo)
            hire = _dt.date(2015, 1, 1) + _dt.timedelta(days=int(rng.integers(0, 3600)))
            status = "正式"
            people.append(dict(employee_id=f"E{eid}", name=names.pop(), department=dept, position=pos,
                               category=cat, salary=salary, status=status, hire_date=hire, k=k))
            if pos in MANAGER_POSITIONS:
                dept_manager[dept] = people[-1]["name"]
    # exempt staff: two probation hires, and the part-time cleaner on 700 yuan
    for dept, pos, cat in (("服务顾问组", "服务顾问", "创利部门"), ("机修车间", "机修技师", "创利部门")):
        eid += 1
        people.append(dict(employee_id=f"E{eid}", name=names.pop(), department=dept, position=pos, category=cat,
                           salary=4000.0, status="试用", hire_date=_dt.date(2026, 8, 10), k=99))
    for p in people:
        if p["position"] == "保洁员":
            p["salary"] = 700.0 if p["k"] == 0 else 2600.0
        p["manager"] = GM if p["position"] in MANAGER_POSITIONS else dept_manager[p["department"]]
        p["next_manager"] = "" if p["position"] in MANAGER_POSITIONS else GM
    return people


def _grade_plan(rng, people):
    plan = {}
    for p in people:
        script = SCRIPTS.get((p["position"], p["k"]))
        if script:
            plan[p["employee_id"]] = list(script)
            continue
        g = rng.choice(list("BCCCCCCCB"), size=len(MONTHS))
        plan[p["employee_id"]] = list(g)
    return plan


def _card_items():
    cards = {}
    for (pos, sec, item, kid, kind, w, t, d, unit, ind) in POSITION_CARDS:
        cards.setdefault(pos, []).append(dict(item=item, kind=kind, w=w / 100, target=t, direction=d or "正向",
                                              unit=unit, indicator=ind, kpi_id=kid))
    return cards


MONEY_TARGETS = {"维修产值": (280000, 380000), "工时产值": (60000, 90000), "钣喷产值": (90000, 130000),
                 "售后产值": (3800000, 3800000), "车间工时产值": (900000, 900000),
                 "配件销售额": (1400000, 1400000)}


def generate(seed: int = 20260930, plan_targets=None, dms=None):
    """All input rows of the demo (dict of sheet -> rows in template column order).

    plan_targets(month, indicator, person) → the 目标分解 target of a scorecard item that names
    an indicator (None: the item gets a personal target in 月度实绩 instead).
    dms(month, person, item) → the actual the DMS import gives the item (None: entered by hand);
    such an item gets no 月度实绩 row, and the hand-entered items make up the planned level.
    """
    rng = np.random.default_rng(seed)
    people = build_people(rng)
    plan = _grade_plan(rng, people)
    cards = _card_items()
    personal_target = {}
    rows = {S.ROSTER: [], S.ACTUALS: [], S.RATINGS: [], S.COMMISSION: [], S.ADJUSTMENTS: [],
            S.SUBMISSIONS: []}
    for p in people:
        rows[S.ROSTER].append([p["employee_id"], p["name"], p["department"], p["position"], p["category"],
                                p["manager"], p["next_manager"], p["salary"], p["status"], p["hire_date"]])
        for it in cards[p["position"]]:
            if it["item"] in MONEY_TARGETS:
                lo, hi = MONEY_TARGETS[it["item"]]
                personal_target[(p["employee_id"], it["item"])] = float(round(rng.uniform(lo, hi), -3))
    for mi, month in enumerate(MONTHS):
        y, m = map(int, month.split("-"))
        month_end = _dt.date(y, m, 28)
        for p in people:
            if p["hire_date"] > month_end:
                continue
            grade = plan[p["employee_id"]][mi]
            lo, hi = LEVEL[grade]
            level = float(rng.uniform(lo, hi))
            items = cards[p["position"]]
            fixed, flex = 0.0, []
            ratios = {}
            for it in items:
                t = it["target"]
                got = dms(month, p, it) if dms else None
                if got is not None:
                    ratios[it["item"]] = float(item_ratio(got, t, it["direction"]))
                elif it["kind"] == "KPI" and it["direction"] in ("不低于", "不超过"):
                    ratios[it["item"]] = 1.0 if level >= 0.8 else 0.0
                elif it["kind"] == "KPI" and it["direction"] == "正向" and it["unit"] == "%" and t:
                    ratios[it["item"]] = min(level * rng.uniform(0.98, 1.02), 0.999 / t)
                else:
                    flex.append(it)
                    continue
                fixed += it["w"] * ratios[it["item"]]
            flex_w = sum(it["w"] for it in flex)
            r = (level - fixed) / flex_w if flex_w else level
            for it in flex:
                ratios[it["item"]] = float(np.clip(r * rng.uniform(0.99, 1.01), 0.05, 1.29))
            for it in items:
                ratio = ratios[it["item"]]
                if it["kind"] == "评分":
                    mgr = round(ratio * 100)
                    rows[S.RATINGS].append([month, p["employee_id"], p["name"], it["item"],
                                             min(mgr + int(rng.integers(0, 8)), 130) / 100, mgr / 100,
                                             round(min(ratio * rng.uniform(0.95, 1.05), 1.3) * 100) / 100])
                    continue
                if dms and dms(month, p, it) is not None:
                    continue                # the month end takes it from DMS实绩
                t = it["target"]
                own_t = personal_target.get((p["employee_id"], it["item"]))
                planned = plan_targets(month, it["indicator"], p) if (plan_targets and it["indicator"]) else None
                if planned:                 # the report reads this target from 目标分解
                    own_t, t = None, planned
                t_eff = own_t if own_t else t
                d = it["direction"]
                if d in ("不低于",):
                    actual = t_eff * (rng.uniform(1.0, 1.05) if ratio else rng.uniform(0.8, 0.95))
                elif d in ("不超过",):
                    actual = t_eff * (rng.uniform(0.5, 1.0) if ratio else rng.uniform(1.2, 2.0))
                elif d == "反向":
                    actual = t_eff / ratio
                else:
                    actual = t_eff * ratio
                actual = round(actual) if t_eff >= 100 else round(actual, 4)
                rows[S.ACTUALS].append([month, p["employee_id"], p["name"], it["item"], actual,
                                         own_t if own_t else None])
            if p["category"] == "创利部门":
                com = round(rng.uniform(5500, 9000) * (0.6 + 0.4 * level), -1)
                rows[S.COMMISSION].append([month, p["employee_id"], p["name"], com])
        # adjustments: a few deductions and a bonus each month; a veto in the last month
        staff = [p for p in people if p["status"] == "正式" and p["hire_date"] <= month_end
                 and not SCRIPTS.get((p["position"], p["k"]))]
        for p in rng.choice(staff, size=3, replace=False):
            pts, why = [(-2, "迟到3次"), (-3, "工服不规范被通报"), (3, "客户表扬信")][int(rng.integers(0, 3))]
            rows[S.ADJUSTMENTS].append([month, p["employee_id"], p["name"], pts, "否", why])
        if month == MONTH:
            v = next(p for p in people if p["position"] == "服务顾问" and p["k"] == 6)
            rows[S.ADJUSTMENTS].append([month, v["employee_id"], v["name"], None, "是", "重大客户投诉（否决项）"])
        # scorer submissions for the month, in month+1
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        for p in people:
            role = ROLE_OF.get(p["position"]) or ("各部门经理" if p["position"] in MANAGER_POSITIONS else None)
            if p["position"] == "人力资源专员" and p["k"] == 0:
                role = "人力资源专员"
            if not role:
                continue
            day = {"行政部经理": 2, "人力资源专员": 3, "各部门经理": 4, "客服经理": 5, "财务部经理": 7}[role]
            when = _dt.datetime(ny, nm, 1, 9, 0) + _dt.timedelta(days=day - 2, hours=int(rng.integers(0, 7)))
            if month == MONTH and p["position"] == "财务经理":
                when = _dt.datetime(ny, nm, 9, 10, 15)            # two days late
            if month == MONTH and p["position"] == "钣喷主管":
                when = _dt.datetime(ny, nm, 5, 17, 31)            # one minute late = one day
            rows[S.SUBMISSIONS].append([month, p["name"], role, when])
    rows.update(cycle_rows(rng, people, plan))
    return rows


TALKS = {   # what an August interview says, by the month's grade: (summary, development actions)
    "A": ("各项指标超额完成，客户表扬多", "承担新人带教；参加内训师培训"),
    "B": ("业绩稳定，个别指标仍有提升空间", "聚焦薄弱指标，每周与经理复盘一次"),
    "C": ("完成本职目标，主动性可再加强", "制定个人提升计划；参加岗位技能培训"),
    "D": ("多项指标未达标，返修与客户反馈偏弱", "制定改进计划，经理每周辅导；参加返修质量专项培训"),
    "E": ("严重低于岗位要求，已口头警告", "一个月内达到岗位基本要求；隔级经理跟进"),
}


def cycle_rows(rng, people, plan) -> dict:
    """The cycle sheets of the demo (SPEC §9): August's interviews (two forgotten), September's
    goal sheets signed and filed (two late, one never filed), two payroll deductions."""
    month_idx = MONTHS.index("2026-08")
    regular = [p for p in people if p["status"] == "正式" and p["salary"] >= 800]
    talks, goals = [], []
    for k, p in enumerate(regular):
        grade = plan[p["employee_id"]][month_idx]
        if k not in (5, 17):                                   # two interviews nobody recorded
            summary, actions = TALKS[grade]
            day = _dt.date(2026, 9, 7 + int(rng.integers(0, 5)))
            talks.append(["2026-08", p["employee_id"], p["name"], day, "绩效面谈", p["manager"] or GM, summary, actions])
            if grade in "DE":
                talks.append(["2026-08", p["employee_id"], p["name"], day + _dt.timedelta(days=1), "隔级面谈",
                              p["next_manager"] or GM, "隔级经理了解改进困难", "下月起每两周与隔级经理沟通一次"])
        if k == 9:                                             # never filed
            continue
        filed = _dt.date(2026, 9, 8 + k % 3) if k in (12, 30) else _dt.date(2026, 9, 1 + k % 4)
        signed = filed - _dt.timedelta(days=1) if filed.day > 1 else filed
        goals.append([MONTH, p["employee_id"], p["name"], signed, signed, filed, filed, None])
    deductions = [[MONTH, regular[3]["employee_id"], regular[3]["name"], 200, "损坏专用工具，按制度赔偿"],
                  [MONTH, regular[8]["employee_id"], regular[8]["name"], 100, "工牌遗失补办"]]
    return {S.INTERVIEWS: talks, S.GOAL_SIGNOFF: goals, S.DEDUCTIONS: deductions}


def _plan_targets(path: Path):
    """Lookup into the sample 目标分解 (the month's decomposed targets), so the demo's figures are
    drawn against the targets the report will read."""
    book = load_book(path)
    problems: list = []
    plans = {m: targets.month_plan(book, m, problems) for m in MONTHS}
    if problems or any(p is None for p in plans.values()):
        raise RuntimeError("demo targets do not decompose: " + "; ".join(map(str, problems)))
    lut = {m: dict(zip(zip(p.targets["indicator"], p.targets["owner"]), p.targets["target"])) for m, p in plans.items()}

    def lookup(month, indicator, person):
        for owner in (person["employee_id"], person["name"], person["department"], person["position"]):
            v = lut[month].get((indicator, owner))
            if v is not None and v == v and v > 0:
                return float(v)
        return None
    return lookup


DMS_FIRST = "2025-03"          # the DMS export covers a year before the demo's months (回厂率, 基盘客户)
EXPORT_DAY = _dt.date(2026, 10, 1)
DMS_FOLDER = "DMS导出"
LEVEL_OF = {"A": 1.24, "B": 1.11, "C": 0.98, "D": 0.81, "E": 0.6}


def cast(seed: int = 20260930):
    """The demo's people and grade plan (the same draws generate() starts with)."""
    rng = np.random.default_rng(seed)
    people = build_people(rng)
    return people, _grade_plan(rng, people)


def _dms_lookup(res, people: list):
    """The actual each scorecard item gets from the DMS import (res: its DmsResults, every month)."""
    who = pd.DataFrame({"employee_id": [p["employee_id"] for p in people],
                        "department": [p["department"] for p in people],
                        "category": CATEGORY.codes_of([p["category"] for p in people])[0]})
    pairs = pd.DataFrame([(p["employee_id"], kid) for p in people for (pos, _, _, kid, *_) in POSITION_CARDS
                          if pos == p["position"] and kid], columns=["employee_id", "kpi_id"])
    lut = {}
    for month, rows in res.figures.assign(override=False).groupby("month"):
        got = dms_rules.hand_out(pairs, who, rows)
        for e, k, v in zip(pairs["employee_id"], pairs["kpi_id"], got["actual"]):
            if v == v:
                lut[(month, e, k)] = float(v)

    def lookup(month, person, item):
        return lut.get((month, person["employee_id"], item.get("kpi_id"))) if item.get("kpi_id") else None
    return lookup


def write_demo_book(path, seed: int = 20260930, run: bool = True) -> Path:
    """Write the sample store workbook to `path` and its DMS export to `DMS导出/` beside it; with
    run=True import the export (导入DMS, every month) and run every month's report in order."""
    path = Path(path)
    wb = new_workbook(store=STORE, month=MONTH, sample_targets=True, issue_date=ISSUE_DATE)
    people, plan = cast(seed)
    fill_table(wb[S.ROSTER], [[p["employee_id"], p["name"], p["department"], p["position"], p["category"],
                               p["manager"], p["next_manager"], p["salary"], p["status"], p["hire_date"]] for p in people])
    atomic_save(wb.save, path)
    folder = path.parent / DMS_FOLDER

    def level(eid, month):
        return LEVEL_OF[plan[eid][MONTHS.index(month)]] if month in MONTHS and eid in plan else 1.0
    sample.write(sample.generate(people, level, DMS_FIRST, MONTH, EXPORT_DAY, seed), folder)
    # 导入DMS (its sheets do not depend on 月度实绩, so they are computed once, before the hand-entered
    # figures are drawn to make up each person's planned level, and written after)
    imported = macros.dms_report(path, [folder], month=f"{MONTHS[0]}:{MONTHS[-1]}")
    rows = generate(seed, _plan_targets(path), _dms_lookup(imported.results, people))
    for sheet, data in rows.items():
        fill_table(wb[sheet], data)
    atomic_save(wb.save, path)
    macros.write_sheets(path, imported.sheets)
    if run:
        for month in MONTHS:
            macros.monthly_report(path, month=month)
        macros.decompose_targets(path, as_of=AS_OF)
    return path


def write_xlwings_files(folder: Path, stem: str) -> None:
    """Next to a workbook: the "Run main" module named after it and an xlwings.conf."""
    root = Path(__file__).resolve().parent.parent
    (folder / f"{stem}.py").write_text(
        f'"""xlwings "Run main" for {stem}.xlsx (module named after the workbook)."""\n'
        "from addin.excel import main, monthly_report_script  # noqa: F401\n", encoding="utf-8")
    (folder / "xlwings.conf").write_text(f'"UDF Modules","udfs"\n"PYTHONPATH","{root}"\n', encoding="utf-8")


def cli_demo(args) -> int:
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "kpi4s_demo.xlsx"
    write_demo_book(path)
    write_xlwings_files(out, path.stem)
    forms = documents.appraisal_forms(path, out_dir=out / "评估表")
    letters = documents.warning_letters(path, out_dir=out / "警告信")
    goal_sheets = goals.goal_forms(path, out_dir=out / "目标设定表")         # next month's, due by the 5th
    if not getattr(args, "quiet", False):
        print(month_summary(macros.check(path).results))
        print(f"示例工作簿：{path}")
        print(f"DMS导出：{out / DMS_FOLDER}（kpi4s dms 的输入；实际值见 DMS实绩、车间分析、证据-各表）")
        print(f"评估表：{len(forms.paths)} 个文件 → {out / '评估表'}")
        print(f"警告信/改进计划：{len(letters.paths)} 个文件 → {out / '警告信'}")
        print(f"目标设定表（{goal_sheets.month}）：{len(goal_sheets.paths)} 个文件 → {out / '目标设定表'}")
    return 0
