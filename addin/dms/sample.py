"""A realistic DMS export for the sample store (`kpi4s demo`), deterministic for a seed.

A year and a half of repair orders — seasonality (Spring Festival dip, summer and year-end peaks),
maintenance driven by reminders (a customer reminded by their advisor comes, comes late, or is
lost), general repairs, insurance and body jobs, warranty claims, internal jobs, comebacks (the
same VIN and concern back within days: more for a technician having a bad month), near misses
(back after the rework window), repair orders still open on the export day — with the clocking,
parts, follow-up calls and surveys, complaints, claims, reminders and the customer base that go
with them. Each person's quality follows ``level(employee_id, month)`` (1.0 = on target), so the
figures the DMS import computes tell the same story as the demo's grades.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from udfs.parse import add_months, month_range

SEASON = {1: 1.05, 2: 0.72, 3: 0.95, 4: 1.0, 5: 1.02, 6: 1.05, 7: 1.12, 8: 1.1, 9: 1.0, 10: 1.08, 11: 0.95, 12: 1.1}
OTHER_PER_MONTH = 360                     # repairs, insurance, body, warranty, internal jobs
CUSTOMERS, DORMANT = 2000, 450            # active customers (6-month maintenance cycle) + on file, never back
CYCLE_DAYS = 180
TYPES = ("一般维修", "保险", "钣喷", "索赔", "内部")
TYPE_SHARE = (0.42, 0.25, 0.15, 0.11, 0.07)
CONCERNS = {
    "保养": ["M01 定期保养"],
    "一般维修": ["E01 发动机异响", "E02 怠速抖动", "E03 机油渗漏", "B05 刹车异响", "C02 空调不制冷", "S03 底盘异响",
              "L01 灯光故障", "T01 变速箱顿挫", "D04 电瓶亏电", "W02 雨刮不工作"],
    "保险": ["A01 事故钣金", "A02 事故喷漆", "A03 事故更换配件"],
    "钣喷": ["P01 漆面修复", "P02 钣金整形", "P03 局部喷漆"],
    "索赔": ["G01 质保更换水泵", "G02 质保更换传感器", "G03 质保电气故障", "G04 质保漏油"],
    "内部": ["I01 新车整备", "I02 展车维护"],
}
HOURS = {"保养": (1.2, 2.2), "一般维修": (2.0, 7.0), "保险": (3.0, 10.0), "钣喷": (4.0, 12.0), "索赔": (1.5, 5.0),
         "内部": (0.5, 2.0)}
PARTS = {"保养": (350, 650), "一般维修": (100, 2200), "保险": (200, 1200), "钣喷": (150, 900), "索赔": (200, 2600),
         "内部": (0, 150)}
LABOUR_RATE = 180.0
BODY_TYPES = ("保险", "钣喷")


def _active(people: list, pos: tuple, when: _dt.date) -> list:
    return [p for p in people if p["position"] in pos and p["hire_date"] <= when]


def _days(month: str) -> tuple[np.datetime64, int]:
    start = np.datetime64(month + "-01", "m")
    end = np.datetime64(add_months(month, 1) + "-01", "m")
    return start, int((end - start) / np.timedelta64(1, "D"))


def generate(people: list, level: Callable[[str, str], float], first: str, last: str, export_day: _dt.date,
             seed: int = 20260930) -> dict:
    """{export kind: DataFrame with the usual Chinese headers} for the months first…last."""
    rng = np.random.default_rng(seed)
    months = month_range(first, last)
    table = {(p["name"], m): float(level(p["employee_id"], m)) for p in people for m in months}

    def lv(names, month) -> np.ndarray:                 # the helpers know people by their DMS name
        if isinstance(names, str):
            return table.get((names, month), 1.0)
        return np.array([table.get(k, 1.0) for k in zip(names, month)], dtype=float)
    level = lv
    cutoff = np.datetime64(export_day.isoformat(), "m")
    advisors = [p for p in people if p["position"] == "服务顾问"]
    mech = ("机修技师",)
    body = ("钣喷技师",)
    csr = [p for p in people if p["position"] == "客服专员"]
    parts_staff = [p for p in people if p["position"] == "配件专员"]
    # --- customers: owner advisor, VIN, next maintenance due
    n_all = CUSTOMERS + DORMANT
    cust = pd.DataFrame({
        "id": [f"C{200001 + i}" for i in range(n_all)],
        "vin": [f"LFV{rng.integers(10**13, 10**14)}" for _ in range(n_all)],
        "plate": [f"粤B{rng.integers(10000, 99999)}" for _ in range(n_all)],
        "owner": [advisors[i % 10]["name"] for i in range(n_all)],
        "created": [(_dt.date(2017, 1, 1) + _dt.timedelta(days=int(d))).isoformat()
                    for d in rng.integers(0, 2900, n_all)],
    })
    surn, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "先生女士"
    cust["name"] = [surn[i % len(surn)] + given[(i // 3) % 2 * 2:(i // 3) % 2 * 2 + 2] for i in range(n_all)]
    cust_id, cust_owner = cust["id"].to_numpy(), cust["owner"].to_numpy()
    start0, _ = _days(first)
    due = start0 + rng.integers(0, CYCLE_DAYS * 24 * 60, CUSTOMERS).astype("timedelta64[m]")
    lost = np.zeros(CUSTOMERS, dtype=bool)
    ros, reminders = [], []
    for month in months:
        m_start, ndays = _days(month)
        m_end = m_start + np.timedelta64(ndays, "D")
        # maintenance: the customers due this month are reminded a week before by their advisor; they
        # come within three weeks (likelier when the advisor has a good month), come late, or are lost
        i = np.flatnonzero(~lost & (due >= m_start) & (due < m_end))
        owner = cust_owner[i]
        reminded = (due[i].astype("datetime64[D]") - np.timedelta64(7, "D")).astype("datetime64[m]") + \
            rng.integers(9 * 60, 18 * 60, len(i)).astype("timedelta64[m]")
        p_soon = np.clip(0.62 * level(owner, [month] * len(i)), 0.2, 0.97)
        u = rng.random(len(i))
        soon, late = u < p_soon, (u >= p_soon) & (u < p_soon + 0.55 * (1 - p_soon))
        gap = np.where(soon, rng.integers(1, 21, len(i)) * 1440 + rng.integers(-60, 240, len(i)),
                       rng.integers(35, 80, len(i)) * 1440 + rng.integers(0, 300, len(i)))
        visit = reminded + gap.astype("timedelta64[m]")
        came = soon | late
        lost[i[~came]] = rng.random(int((~came).sum())) < 0.5
        reminders += list(zip(cust_id[i], reminded, due[i], owner, np.where(came, visit, np.datetime64("NaT", "m"))))
        ros += list(zip(["保养"] * int(came.sum()), i[came].tolist(), visit[came], owner[came].tolist()))
        next_due = visit + (CYCLE_DAYS * 1440 + rng.integers(-20, 20, len(i)) * 1440).astype("timedelta64[m]")
        due[i] = np.where(came, next_due, due[i] + np.timedelta64(CYCLE_DAYS * 1440, "m"))
        # other jobs: seasonal volume, any active customer
        n = int(OTHER_PER_MONTH * SEASON[int(month[5:])] * rng.uniform(0.95, 1.05))
        who = rng.integers(0, CUSTOMERS, n)
        kinds = rng.choice(TYPES, size=n, p=TYPE_SHARE)
        at = m_start + rng.integers(0, ndays * 24 * 60, n).astype("timedelta64[m]")
        other = np.array([a["name"] for a in advisors], dtype=object)[rng.integers(0, len(advisors), n)]
        owners = np.where(rng.random(n) < 0.7, cust_owner[who], other)
        ros += list(zip(kinds.tolist(), who.tolist(), at, owners.tolist()))
    ro = pd.DataFrame(ros, columns=["type", "cust", "opened", "advisor"])
    ro["opened"] = pd.to_datetime(ro["opened"])
    # working hours: 08:00–18:00 (a visit drawn at night moves to the morning)
    hour = ro["opened"].dt.hour
    ro.loc[(hour < 8) | (hour >= 18), "opened"] = ro["opened"].dt.normalize() + pd.to_timedelta(
        rng.integers(8 * 60, 17 * 60, len(ro)), unit="m")
    ro = ro[ro["opened"] < pd.Timestamp(cutoff)].sort_values("opened", kind="stable").reset_index(drop=True)
    ro["month"] = ro["opened"].dt.strftime("%Y-%m")
    ro = _staff_and_amounts(ro, rng, people, advisors, mech, body, level)
    ro = _comebacks(ro, rng, level, cutoff)
    ro["vin"] = cust["vin"].to_numpy()[ro["cust"]]
    ro["plate"] = cust["plate"].to_numpy()[ro["cust"]]
    ro["customer"] = cust["id"].to_numpy()[ro["cust"]]
    ro = ro.sort_values("opened", kind="stable").reset_index(drop=True)
    ro["ro_no"] = ["RO" + d + f"{i:05d}" for i, d in enumerate(ro["opened"].dt.strftime("%y%m"), 1)]
    ro.loc[ro["closed"] > pd.Timestamp(cutoff), "closed"] = pd.NaT          # still in the workshop on export day
    out = {"ro": _ro_frame(ro)}
    out["clocking"] = _clocking(ro, rng, people, level, months, cutoff)
    out["parts"] = _parts(ro, rng, parts_staff, months)
    out["followup"], out["complaints"] = _followup(ro, rng, csr, level, cutoff)
    out["claims"] = _claims(ro, rng, cutoff)
    rem = pd.DataFrame(reminders, columns=["customer", "reminded", "due", "owner", "visit"])
    for c in ("reminded", "due", "visit"):
        rem[c] = pd.to_datetime(rem[c])
    rem = rem[rem["reminded"] < pd.Timestamp(cutoff)]
    visit = rem["visit"]
    came = np.where(visit.isna(), "否", np.where(visit < pd.Timestamp(cutoff), "是", ""))
    out["reminders"] = pd.DataFrame({
        "客户编号": cust["id"].to_numpy()[pd.Index(cust["id"]).get_indexer(rem["customer"])],
        "提醒日期": rem["reminded"].dt.strftime("%Y-%m-%d %H:%M"),
        "保养到期日": rem["due"].dt.strftime("%Y-%m-%d"),
        "是否到店": came, "提醒人": rem["owner"].to_numpy()})
    out["customers"] = pd.DataFrame({"客户编号": cust["id"], "客户名称": cust["name"], "建档日期": cust["created"],
                                     "专属顾问": cust["owner"]})
    return out


def _pick(rng, staff: list, when: pd.Series) -> np.ndarray:
    """A staff member on duty for each date (hired by then)."""
    hired = np.array([np.datetime64(p["hire_date"].isoformat()) for p in staff])
    names = np.array([p["name"] for p in staff], dtype=object)
    day = when.to_numpy().astype("datetime64[D]")
    out = np.empty(len(when), dtype=object)
    draw = rng.random(len(when))
    for i, d in enumerate(day):              # ~one lookup per repair order, a few thousand
        ok = np.flatnonzero(hired <= d)
        out[i] = names[ok[int(draw[i] * len(ok))]]
    return out


def _staff_and_amounts(ro, rng, people, advisors, mech, body, level) -> pd.DataFrame:
    n = len(ro)
    ro["technician"] = ""
    is_body = ro["type"].isin(BODY_TYPES).to_numpy()
    ro.loc[~is_body, "technician"] = _pick(rng, _active(people, mech, _dt.date(2100, 1, 1)), ro.loc[~is_body, "opened"])
    ro.loc[is_body, "technician"] = _pick(rng, _active(people, body, _dt.date(2100, 1, 1)), ro.loc[is_body, "opened"])
    lo = ro["type"].map(lambda t: HOURS[t][0]).to_numpy()
    hi = ro["type"].map(lambda t: HOURS[t][1]).to_numpy()
    ro["hours"] = np.round(lo + (hi - lo) * rng.random(n), 1)
    plo = ro["type"].map(lambda t: PARTS[t][0]).to_numpy()
    phi = ro["type"].map(lambda t: PARTS[t][1]).to_numpy()
    ro["parts"] = np.round(plo + (phi - plo) * rng.random(n), 2)
    ro["labour"] = np.round(ro["hours"] * LABOUR_RATE * rng.uniform(0.92, 1.08, n), 2)
    # an advisor's repair revenue per car follows their level (target 800 yuan at level 1.0)
    mult = np.clip(level(ro["advisor"], ro["month"]), 0.6, 1.32)
    repair = ro["type"].isin(["保养", "一般维修", "钣喷"]).to_numpy()
    rev = (ro["labour"] + ro["parts"]).to_numpy()
    grp = ro["advisor"].astype(str) + "|" + ro["month"]
    mean = pd.Series(np.where(repair, rev, np.nan)).groupby(grp.to_numpy()).transform("mean").to_numpy()
    scale = np.where(repair, 800.0 * mult * rng.uniform(0.985, 1.015, n) / mean, 1.0)
    ro["labour"] = np.round(ro["labour"] * scale, 2)
    ro["parts"] = np.round(ro["parts"] * scale, 2)
    duration = np.where(ro["type"].eq("保养"), rng.uniform(1.5, 4, n),
                        np.where(is_body, rng.uniform(30, 200, n), rng.uniform(2, 50, n)))
    ro["closed"] = ro["opened"] + pd.to_timedelta(np.round(duration * 60), unit="m")
    ro["concern"] = [CONCERNS[t][int(k * len(CONCERNS[t]))] for t, k in zip(ro["type"], rng.random(n))]
    ro["appointment"] = np.where(rng.random(n) < np.where(ro["type"].eq("保养"), 0.55, 0.2), "是", "否")
    return ro


def _comebacks(ro, rng, level, cutoff) -> pd.DataFrame:
    """Comebacks per technician and month (more when the month goes badly), and near misses."""
    extra = []
    eligible = ro[ro["type"].ne("保养") & ro["type"].ne("内部")]
    for (tech, month), grp in eligible.groupby(["technician", "month"], sort=True):
        lv = level(tech, month)
        k = 0 if lv >= 1.04 else (int(rng.random() < 0.35) if lv >= 0.88 else int(rng.integers(2, 4)) if lv >= 0.7
                                 else int(rng.integers(3, 5)))
        for j in rng.choice(grp.index.to_numpy(), size=min(k, len(grp)), replace=False):
            extra.append((j, int(rng.integers(2, 27))))
    for j in rng.choice(eligible.index.to_numpy(), size=max(1, len(eligible) // 120), replace=False):
        extra.append((j, int(rng.integers(31, 60))))                          # back, but after the window
    rows = []
    for j, gap in extra:
        o = ro.loc[j]
        opened = (o["closed"].normalize() + pd.Timedelta(days=gap) + pd.Timedelta(minutes=int(rng.integers(8 * 60, 16 * 60))))
        if opened >= pd.Timestamp(cutoff):
            continue
        r = o.copy()
        r["opened"], r["closed"] = opened, opened + pd.Timedelta(minutes=int(rng.integers(60, 600)))
        if gap <= 30:                       # the DMS opens a free 返修 order for a comeback
            r["type"], r["hours"], r["labour"], r["parts"] = "返修", 1.0, 0.0, 0.0
        else:                               # back much later: an ordinary paid repair
            r["type"], r["hours"], r["labour"], r["parts"] = "一般维修", 1.0, LABOUR_RATE, 0.0
        r["month"] = opened.strftime("%Y-%m")
        rows.append(r)
    return pd.concat([ro, pd.DataFrame(rows)], ignore_index=True) if rows else ro


def _fmt(ts: pd.Series, f: str = "%Y-%m-%d %H:%M:%S") -> pd.Series:
    return ts.dt.strftime(f).where(ts.notna(), "")


def _ro_frame(ro) -> pd.DataFrame:
    return pd.DataFrame({
        "工单号": ro["ro_no"], "进厂时间": _fmt(ro["opened"]), "结算时间": _fmt(ro["closed"]), "车架号": ro["vin"],
        "车牌号": ro["plate"], "客户编号": ro["customer"], "服务顾问": ro["advisor"], "主修技师": ro["technician"],
        "维修类型": ro["type"], "故障描述": ro["concern"], "工时": ro["hours"], "工时费": ro["labour"],
        "材料费": ro["parts"], "是否预约": ro["appointment"]})


def _clocking(ro, rng, people, level, months, cutoff) -> pd.DataFrame:
    techs = [p for p in people if p["position"] in ("机修技师", "钣喷技师")]
    eff = np.clip(level(ro["technician"], ro["month"]), 0.7, 1.25)
    started = ro["opened"] + pd.to_timedelta(rng.integers(10, 90, len(ro)), unit="m")
    clocked = np.round(ro["hours"] / (0.92 * eff + 0.08), 2)
    finished = started + pd.to_timedelta(np.round(clocked * 60), unit="m")
    jobs = pd.DataFrame({"工单号": ro["ro_no"], "技师": ro["technician"], "开工时间": _fmt(started),
                         "完工时间": _fmt(finished), "日期": started.dt.strftime("%Y-%m-%d"), "出勤工时": np.nan})
    jobs = jobs[(started < pd.Timestamp(cutoff)).to_numpy()]
    days = pd.date_range(months[0] + "-01", pd.Timestamp(cutoff) - pd.Timedelta(days=1), freq="D")
    days = days[days.dayofweek < 6]                                     # the workshop works Monday–Saturday
    att = []
    for p in techs:
        hired = pd.Timestamp(p["hire_date"])
        d = days[days >= hired]
        off = rng.random(len(d)) < 0.06                                  # leave, training
        att.append(pd.DataFrame({"工单号": "", "技师": p["name"], "开工时间": "", "完工时间": "",
                                 "日期": d[~off].strftime("%Y-%m-%d"), "出勤工时": 7.0}))
    return pd.concat([jobs] + att, ignore_index=True)


def _parts(ro, rng, staff, months) -> pd.DataFrame:
    sold = ro[(ro["parts"] > 0) & ro["closed"].notna()]
    lines = rng.integers(1, 4, len(sold))
    rep = np.repeat(np.arange(len(sold)), lines)
    share = rng.random(len(rep)) + 0.3
    share = share / pd.Series(share).groupby(rep).transform("sum").to_numpy()
    cost = np.round(sold["parts"].to_numpy()[rep] * 0.68 * share, 2)
    when = sold["closed"].to_numpy()[rep]
    handler = np.array([p["name"] for p in staff], dtype=object)[rng.integers(0, len(staff), len(rep))]
    part_no = np.array([f"P{x:05d}" for x in rng.integers(1, 2500, len(rep))], dtype=object)
    sales = pd.DataFrame({"日期": pd.to_datetime(when), "配件编号": part_no, "数量": rng.integers(1, 5, len(rep)),
                          "成本": cost, "类型": "销售出库", "期末库存成本": np.nan, "经手人": handler})
    k = len(sales)
    pick = rng.random(k)
    emergency = sales[pick < 0.045].assign(类型="紧急订货")
    lost = sales[(pick >= 0.045) & (pick < 0.075)].assign(类型="缺货", 成本=0.0)
    monthly = sales.groupby(sales["日期"].dt.strftime("%Y-%m"))["成本"].sum()
    snaps, buys = [], []
    for m in months:
        cos = float(monthly.get(m, monthly.mean() if len(monthly) else 0.0))
        end = pd.Timestamp(add_months(m, 1) + "-01") - pd.Timedelta(minutes=1)
        snaps.append({"日期": end, "配件编号": "", "数量": np.nan, "成本": np.nan, "类型": "期末库存",
                      "期末库存成本": round(cos * 12 / rng.uniform(4.3, 4.9), 2), "经手人": staff[0]["name"]})
        buys.append({"日期": pd.Timestamp(m + "-05 10:00"), "配件编号": "P-STOCK", "数量": 1,
                     "成本": round(cos * rng.uniform(0.95, 1.05), 2), "类型": "采购入库", "期末库存成本": np.nan,
                     "经手人": staff[0]["name"]})
    out = pd.concat([sales, emergency, lost, pd.DataFrame(snaps), pd.DataFrame(buys)], ignore_index=True)
    out = out.sort_values("日期", kind="stable").reset_index(drop=True)
    out["日期"] = _fmt(out["日期"], "%Y-%m-%d %H:%M")
    return out


def _followup(ro, rng, csr, level, cutoff) -> tuple[pd.DataFrame, pd.DataFrame]:
    done = ro[ro["closed"].notna() & ro["type"].ne("内部")]
    n = len(done)
    called = done["closed"].dt.normalize() + pd.to_timedelta(rng.integers(1, 4, n) * 1440 + rng.integers(9 * 60, 18 * 60, n),
                                                             unit="m")
    keep = (called < pd.Timestamp(cutoff)).to_numpy()
    reached = rng.random(n) < 0.94
    survey = reached & (rng.random(n) < 0.55)
    lv = np.clip(level(done["advisor"], done["month"]), 0.6, 1.3)
    satisfied = rng.random(n) < np.clip(0.935 * lv, 0.5, 0.995)
    score = np.where(satisfied, rng.integers(9, 11, n), rng.integers(5, 9, n)).astype(float)
    fu = pd.DataFrame({"工单号": done["ro_no"], "回访时间": _fmt(called, "%Y-%m-%d %H:%M"),
                       "是否成功": np.where(reached, "成功", "未接通"),
                       "满意度评分": np.where(survey, score, np.nan),
                       "回访人": np.array([p["name"] for p in csr], dtype=object)[rng.integers(0, len(csr), n)]})[keep]
    bad = rng.random(n) < 0.006
    lodged = done["closed"] + pd.to_timedelta(rng.integers(60, 10 * 1440, n), unit="m")
    pick = bad & (lodged < pd.Timestamp(cutoff)).to_numpy()
    cats = np.array(["服务态度", "维修质量", "等待时间", "收费争议"], dtype=object)
    comp = pd.DataFrame({"投诉日期": _fmt(lodged[pick], "%Y-%m-%d %H:%M"), "工单号": done["ro_no"][pick],
                         "客户": done["customer"][pick], "投诉类别": cats[rng.integers(0, 4, int(pick.sum()))],
                         "责任人": np.where(rng.random(int(pick.sum())) < 0.5, done["advisor"][pick], done["technician"][pick])})
    return fu, comp


def _claims(ro, rng, cutoff) -> pd.DataFrame:
    w = ro[ro["type"].eq("索赔") & ro["closed"].notna()]
    sub = w["closed"] + pd.to_timedelta(rng.integers(1, 5, len(w)), unit="D")
    keep = (sub < pd.Timestamp(cutoff)).to_numpy()
    return pd.DataFrame({"提交日期": sub.dt.strftime("%Y-%m-%d"), "工单号": w["ro_no"],
                         "首次通过": np.where(rng.random(len(w)) < 0.955, "是", "否")})[keep]


def write(frames: dict, folder: Path) -> list[Path]:
    """The exports as a DMS writes them: repair orders as GBK CSV with a title line, claims as .xlsx,
    the rest UTF-8 CSV."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {"ro": "维修工单", "clocking": "派工工时", "parts": "配件出入库", "followup": "回访记录", "complaints": "客户投诉",
             "claims": "保修索赔", "reminders": "保养提醒", "customers": "客户档案"}
    paths = []
    for kind, frame in frames.items():
        if kind == "claims":
            path = folder / f"{names[kind]}.xlsx"
            with pd.ExcelWriter(path, engine="xlsxwriter") as xw:
                frame.to_excel(xw, sheet_name="索赔", index=False)
        elif kind == "ro":
            path = folder / f"{names[kind]}.csv"
            text = "维修工单明细（DMS导出）\n" + frame.to_csv(index=False)
            path.write_bytes(text.encode("gb18030"))
        else:
            path = folder / f"{names[kind]}.csv"
            frame.to_csv(path, index=False, encoding="utf-8-sig")
        paths.append(path)
    return paths
