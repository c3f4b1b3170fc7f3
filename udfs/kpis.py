"""Built-in KPI library (SPEC §3.9) and the KPI_INFO lookup (SPEC §4).

``LIBRARY`` holds one dict per KPI: the seed KPIs of SPEC §3.9's table under
exactly SPEC's ids, then the workshop figures a service manager reads.
Targets come from the seeds only; where the seeds give none, ``target`` is None.

The store workbook's 指标库 sheet is ``library_frame("zh")`` (headers
``LIBRARY_HEADERS_ZH``); a user-edited sheet is read back with ``from_frame``.
A KPI the dealer management system's exports can give carries its definition as a DuckDB
query in ``sql`` (「DMS计算定义」, udfs.dms_sql; blank = entered by hand).
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from .dms_sql import SQL as DMS_SQL
from .parse import number
from .vocab import ADDITIVE, DIRECTION, InputError, KPI_FIELD, key

FIELDS = (
    "id", "name_zh", "name_en", "formula", "formula_en", "direction", "target",
    "unit", "additive", "section", "department", "source", "note", "sql",
)

# Headers of the 指标库 sheet, in order: the Chinese labels of the fields (udfs.vocab.KPI_FIELD).
SHEET_FIELDS = ("id", "name_zh", "name_en", "formula", "direction", "target", "unit", "additive",
                "section", "department", "source", "note", "sql")
LIBRARY_HEADERS_ZH = tuple(KPI_FIELD.label(f) for f in SHEET_FIELDS)


def _kpi(id, name_zh, name_en, formula, formula_en, direction, target, unit, additive,
         section, department, source, note=""):
    return {
        "id": id, "name_zh": name_zh, "name_en": name_en, "formula": formula,
        "formula_en": formula_en, "direction": direction,
        "target": None if target is None else float(target), "unit": unit,
        "additive": bool(additive), "section": section, "department": department,
        "source": source, "note": note,
        "sql": DMS_SQL.get(id, "").strip(),      # SPEC §7: how addin/dms computes it from DMS exports
    }


FIN, CUST, KEY, LEARN = "财务指标", "客户/市场", "关键考核指标", "学习/成长"

LIBRARY = (
    # --- seed KPIs, SPEC §3.9 table ------------------------------------------------
    _kpi("return_rate", "回厂率", "Customer return rate",
         "近12个月有维修工单的客户数 ÷ 基盘客户数",
         "customers with ≥ 1 repair order in the trailing 12 months ÷ customers on file",
         "higher", 0.5, "%", False, CUST, "服务顾问", "[000]",
         "[000] 回厂率不得低于50%,否则说明客户在流失;如需门槛式考核可把方向改为 不低于"),
    _kpi("rework_rate", "返修率", "Rework rate",
         "30天内同一故障返修的工单数 ÷ 维修工单数",
         "repair orders returning with the same concern within 30 days ÷ repair orders",
         "lower", 0.03, "%", False, KEY, "机修", "[000]",
         "[000] 返修率不得超过3%;[002] 车辆返修率低于2%"),
    _kpi("first_time_fix_rate", "一次维修成功率", "First-time fix rate",
         "1 − 返修率", "1 − rework rate",
         "higher", None, "%", False, KEY, "机修", "[000]",
         "[000] 绩效管理指标;种子文件未给目标"),
    _kpi("maintenance_rate", "定期保养实施率", "Scheduled maintenance rate",
         "期内已实施保养次数 ÷ 期内应保养次数",
         "maintenance visits done ÷ maintenance due in the period",
         "higher", None, "%", False, CUST, "服务顾问", "[000]",
         "[000] 反映顾客的忠诚度;种子文件未给目标"),
    _kpi("reminder_success_rate", "定期保养成功率", "Maintenance reminder success rate",
         "提醒后到店保养的客户数 ÷ 提醒客户数",
         "reminded customers who came ÷ customers reminded",
         "higher", None, "%", False, CUST, "客服", "[000]",
         "[000] 绩效管理指标;种子文件未给目标"),
    _kpi("complaint_rate", "客户投诉率", "Customer complaint rate",
         "客户投诉次数 ÷ 维修工单数", "complaints ÷ repair orders",
         "lower", None, "%", False, CUST, "客服", "[000]",
         "[000] 以专业的接待方法处理投诉;种子文件未给目标"),
    _kpi("absorption_rate", "服务吸收率", "Service absorption rate",
         "售后毛利(维修+配件+钣喷) ÷ (门店总费用 − 新车销售变动费用)",
         "after-sales gross profit (service + parts + body) ÷ "
         "(total store expense − new-car selling variable expense)",
         "higher", 1.0, "%", False, FIN, "售后经理", "[000]",
         "100% 为 NADA 的目标;[000] 以服务受益来覆盖专营店的经营费用;[003] 吸收率"),
    _kpi("revenue_per_repair", "单车产值(维修)", "Revenue per repair visit",
         "维修营业额 ÷ 维修台次", "repair revenue ÷ repair visits",
         "higher", 800, "元/台", False, FIN, "服务顾问", "[002]",
         "[002] 维修平均单车产值实现800元/台"),
    _kpi("revenue_per_insurance", "单车产值(保险)", "Revenue per insurance visit",
         "保险营业额 ÷ 保险台次", "insurance revenue ÷ insurance visits",
         "higher", 1800, "元/台", False, FIN, "服务顾问", "[002]",
         "[002] 保险平均单车产值1800元/台"),
    _kpi("daily_intake", "日接车台次", "Daily car intake",
         "当日开立的维修工单数", "repair orders opened (per day)",
         "higher", 20, "台", True, KEY, "服务顾问", "[002]",
         "[002] 日接车台次20台/天"),
    _kpi("monthly_intake", "月接车台次", "Monthly car intake",
         "当月开立的维修工单数", "repair orders opened (per month)",
         "higher", 650, "台", True, KEY, "服务顾问", "[002]",
         "[002] 月接车650台/月"),
    _kpi("base_customers", "基盘客户数", "Customer base",
         "近12个月有到店记录的不重复客户数",
         "distinct customers with a visit in the trailing 12 months",
         "higher", 1500, "人", True, CUST, "客服", "[002]",
         "[002] 基盘客户数1500人;可按人累加,跨月不可累加(存量)"),
    _kpi("parts_turnover", "配件库存周转率", "Parts inventory turnover",
         "年化配件销售成本 ÷ 平均库存成本",
         "parts cost of sales (annualised) ÷ average inventory at cost",
         "higher", 4, "次/年", False, KEY, "配件", "[000]",
         "[000] 配件库存的周转一般应为一年4-5次(默认目标取下限4);[003] 库存周转率"),
    _kpi("parts_fill_rate", "配件首次供应率", "Parts first-time fill rate",
         "(需求项数 − 紧急采购项数 − 流失销售项数) ÷ 需求项数",
         "(demand lines − emergency purchases − lost sales) ÷ demand lines",
         "higher", None, "%", False, KEY, "配件", "[003]",
         "[003] 配件首次供应率;行业参考85–95%,种子未给目标故不设默认"),
    _kpi("parts_purchase_attainment", "配件采购目标达成率", "Parts purchase target attainment",
         "配件采购额 ÷ 采购目标", "parts purchased ÷ purchase target",
         "higher", 1.0, "%", False, FIN, "配件", "[003]",
         "[003] 配件采购目标达成率;[002] 年度纯正配件采购不少于80万"),
    _kpi("csi", "客户满意度 CSI", "Customer satisfaction index (CSI)",
         "满意问卷数 ÷ 问卷总数(厂家口径)", "satisfied surveys ÷ surveys (OEM scale)",
         "higher", 0.93, "%", False, CUST, "客服", "[002]",
         "[002] 客户满意度CSI全年至少93%以上;[003] 客户满意指标"),
    _kpi("sfu_rate", "服务回访率 SFU", "Service follow-up rate (SFU)",
         "完成回访的工单数 ÷ 结算工单数",
         "repair orders with a completed follow-up call ÷ repair orders closed",
         "higher", None, "%", False, CUST, "客服", "[003]",
         "[003] 客户满意指标 FFV, SFU;种子文件未给目标"),
    _kpi("claim_approval_rate", "保修索赔通过率", "Warranty claim approval rate",
         "首次提交即通过的索赔数 ÷ 提交索赔数", "claims accepted first time ÷ claims submitted",
         "higher", 0.95, "%", False, KEY, "索赔员", "[002]",
         "[002] 保修索赔通过率不小于95%"),
    _kpi("staff_turnover", "员工流失率", "Staff turnover",
         "离职人数 ÷ 平均在职人数(年化)", "leavers ÷ average headcount (annualised)",
         "lower", 0.10, "%", False, LEARN, "售后经理", "[003]",
         "[003] 员工离职率;[001] 年度人才流失率不超过10%"),
    _kpi("visitor_registration_rate", "来店客户登记率", "Showroom visitor registration rate",
         "已登记来店客户数 ÷ 首次来店客户数", "visitors registered ÷ first-time visitors",
         "higher", 0.70, "%", False, CUST, "销售顾问", "[000]",
         "[000] 要求销售人员对来店客户进行登记,至少留有70%以上的客户资料"),
    _kpi("intent_customers", "意向客户数", "Active prospects",
         "每名销售顾问名下的有效意向客户数", "active prospects per sales consultant",
         "higher", 100, "人", True, CUST, "销售顾问", "[000]",
         "[000] 每个销售人员至少有100个以上的意向客户"),
    _kpi("training_sessions", "培训次数", "Training sessions",
         "期内开展的培训场次", "sessions held",
         "higher", None, "次", True, LEARN, "各部门", "[002]",
         "[002] 全年:前台接车人员业务技巧培训≥4次;专业技术基础知识培训≥2次;"
         "车间维修技术培训≥6次;疑难技术问题探讨≥3次;风行汽车讲堂≥4次;"
         "专业技术问题学习讲座≥2次;部门内部活动≥3次。按部门在考核表中填目标"),
    # --- workshop figures (车间分析报告), SPEC §3.9 below the table; no seed targets ---
    _kpi("effective_labour_rate", "有效工时单价", "Effective labour rate",
         "工时收入 ÷ 售出工时", "labour sales ÷ hours sold",
         "higher", None, "元/小时", False, FIN, "售后经理", "workshop",
         "[003] 车间分析报告关键绩效指标"),
    _kpi("hours_per_ro", "单车工时", "Hours per repair order",
         "售出工时 ÷ 维修工单数", "hours sold ÷ repair orders",
         "higher", None, "小时", False, KEY, "服务顾问", "workshop",
         "[003] 车间分析报告关键绩效指标"),
    _kpi("technician_utilisation", "技师利用率", "Technician utilisation",
         "打卡作业工时 ÷ 可用工时", "hours clocked on jobs ÷ hours available",
         "higher", None, "%", False, KEY, "机修", "workshop",
         "[003] 车间分析报告关键绩效指标"),
    _kpi("technician_efficiency", "技师效率", "Technician efficiency",
         "售出工时 ÷ 打卡作业工时", "hours sold ÷ hours clocked on jobs",
         "higher", None, "%", False, KEY, "机修", "workshop",
         "[003] 车间分析报告关键绩效指标"),
    _kpi("labour_gross_margin", "维修工时毛利率", "Service labour gross margin",
         "(工时收入 − 工时成本) ÷ 工时收入", "(labour sales − labour cost) ÷ labour sales",
         "higher", None, "%", False, FIN, "售后经理", "workshop",
         "[003] 售后服务部总营业额及利润率"),
    _kpi("parts_to_labour_ratio", "配件工时比", "Parts-to-labour ratio",
         "维修配件销售额 ÷ 工时收入", "service parts sales ÷ labour sales",
         "higher", None, "比值", False, FIN, "售后经理", "workshop",
         "结构性指标,方向按门店策略可改"),
    _kpi("parts_obsolescence", "配件呆滞率", "Parts obsolescence",
         "12个月无销售的库存金额 ÷ 库存总金额",
         "inventory with no sale in 12 months ÷ inventory (at cost)",
         "lower", None, "%", False, KEY, "配件", "workshop",
         "[003] 依据经销商政策建立库存盘点,审批废料"),
    _kpi("appointment_show_rate", "预约到店率", "Appointment show rate",
         "按预约到店的台次 ÷ 预约台次", "appointments kept ÷ appointments booked",
         "higher", None, "%", False, CUST, "服务顾问", "workshop", ""),
)

# --- lookup tables built once -------------------------------------------------------
_TABLE = np.empty((len(FIELDS), len(LIBRARY)), dtype=object)
for _i, _f in enumerate(FIELDS):
    _TABLE[_i, :] = [(np.nan if k[_f] is None else k[_f]) for k in LIBRARY]
_TARGET_ROW = FIELDS.index("target")
_FIELD_POS = {f: i for i, f in enumerate(FIELDS)}
_ADDITIVE_ROW = FIELDS.index("additive")


def _id_keys(kpi: dict) -> set:
    keys = {kpi["id"], kpi["name_zh"], kpi["name_en"]}
    keys |= {k.replace(" ", "") for k in keys}
    return {key(k) for k in keys}


_ID_INDEX: dict = {}
for _j, _k in enumerate(LIBRARY):
    for _key in _id_keys(_k):
        _ID_INDEX.setdefault(_key, _j)


def _as_object_array(x: Any) -> np.ndarray:
    if isinstance(x, (pd.Series, pd.Index, pd.DataFrame)):
        return x.to_numpy(dtype=object)
    return np.asarray(x, dtype=object)


def _lookup(flat: np.ndarray, index: dict) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Map a flat object array through index (keys lower-case). Returns (positions, blank, unknown keys)."""
    s = pd.Series(flat, dtype=object)
    text = s.map(key)
    blank = (text == "").to_numpy()
    pos = text.map(index)
    unknown = pos.isna().to_numpy() & ~blank
    return pos.fillna(0).astype(np.int64).to_numpy(), blank, text[unknown]


def kpi_info(kpi_id: Any, field: Any) -> Any:
    """A field of the KPI library for each (kpi_id, field) pair, broadcast together.

    kpi_id: the KPI's id, Chinese name or English name (case-insensitive).
    field: an English field name (FIELDS) or Chinese alias (名称, 方向, 目标, 单位, 公式 ...).
    Scalars give a scalar; arrays give a numpy array of the broadcast shape. A target
    the library leaves unset, and a blank kpi_id or field, give NaN (a blank cell).
    Raises ValueError naming an unknown kpi_id or field.
    """
    ids, fields = _as_object_array(kpi_id), _as_object_array(field)
    scalar = ids.ndim == 0 and fields.ndim == 0
    try:
        ids, fields = np.broadcast_arrays(ids, fields)
    except ValueError:
        raise InputError(f"kpi_id and field shapes {ids.shape} and {fields.shape} do not match") from None
    shape = ids.shape
    k_pos, k_blank, k_bad = _lookup(ids.ravel(), _ID_INDEX)
    f_code, f_unknown = KPI_FIELD.codes_of(fields.ravel())
    if f_unknown.any():
        names = ", ".join(f"'{v}'" for v in dict.fromkeys(fields.ravel()[f_unknown]))
        raise InputError(f"field {names} unknown (use {'/'.join(FIELDS)} or 名称/方向/目标/单位/公式)")
    f_blank = pd.isna(f_code)
    f_pos = pd.Series(f_code, dtype=object).map(_FIELD_POS).fillna(0).to_numpy(np.int64)
    if len(k_bad):
        names = ", ".join(f"'{v}'" for v in dict.fromkeys(k_bad))
        raise InputError(f"kpi_id {names} unknown")
    blank = k_blank | f_blank
    out = _TABLE[f_pos, k_pos]
    out[blank] = np.nan
    used = f_pos[~blank]
    if used.size and (used == _TARGET_ROW).all():
        out = out.astype(float)
    elif used.size and not blank.any() and (used == _ADDITIVE_ROW).all():
        out = out.astype(bool)
    out = out.reshape(shape)
    return out[()] if scalar else out


def info_problem(kpi_id: Any, field: Any) -> str:
    """'' when KPI_INFO can answer (kpi_id, field), else the short English reason."""
    try:
        kpi_info(kpi_id, field)
        return ""
    except InputError as exc:
        return str(exc)


def library_frame(lang: str = "en", library=None) -> pd.DataFrame:
    """The library as a table, one row per KPI.

    lang "en": columns FIELDS. lang "zh": the 指标库 sheet, columns LIBRARY_HEADERS_ZH,
    directions as Chinese labels (正向/反向/...), 可加 as 是/否, unset targets blank (NaN).
    """
    lang = str(lang).strip().lower()
    if lang not in ("en", "zh"):
        raise InputError(f"lang '{lang}' unknown (use en/zh)")
    rows = LIBRARY if library is None else library
    df = pd.DataFrame(list(rows), columns=list(FIELDS))
    df["target"] = pd.to_numeric(df["target"], errors="coerce").astype(float)
    df["additive"] = df["additive"].astype(bool)
    if lang == "en":
        return df
    zh = pd.DataFrame({KPI_FIELD.label(f): df[f] for f in SHEET_FIELDS})
    zh["方向"] = df["direction"].map(DIRECTION.labels)
    zh["可加"] = np.where(df["additive"], "是", "否")
    return zh


_BUILTIN = {k["id"]: k for k in LIBRARY}


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    return str(v).strip()


def from_frame(df: pd.DataFrame) -> tuple:
    """Read a (user-edited) 指标库 table back into library dicts.

    Headers: the Chinese LIBRARY_HEADERS_ZH or the English FIELDS (other aliases of
    FIELD_ALIASES work too; unknown columns are ignored). 编号 is required; fully blank
    rows are skipped. Directions accept English names and Chinese aliases; targets accept
    numbers, "50%", "1,500" or blank (none). formula_en, when the sheet has no such
    column, is taken from the built-in KPI of the same id.
    Raises ValueError listing every bad row (Excel row = the frame's `_row` column when
    present, else index position + 2); the error carries `.problems`, a list of
    (row, header, Chinese message) tuples.
    """
    cols = {}
    for c in df.columns:
        f = KPI_FIELD.get(c)
        if f and f not in cols:
            cols[f] = c
    if "id" not in cols:
        raise InputError("KPI library table needs an 编号 (id) column")
    header = {f: str(c) for f, c in cols.items()}
    excel_rows = (df["_row"].to_numpy() if "_row" in df.columns
                  else np.arange(len(df)) + 2)
    # vectorised text conversion of every known column
    texts = {f: [_text(v) for v in df[c].to_numpy(dtype=object)] for f, c in cols.items()}
    problems, out, seen = [], [], {}
    for i in range(len(df)):
        row = int(excel_rows[i])
        values = {f: texts[f][i] for f in texts}
        if not any(values.values()):
            continue
        kid = values.get("id", "")
        if not kid:
            problems.append((row, header["id"], "编号为空"))
            continue
        if kid.lower() in seen:
            problems.append((row, header["id"], f"编号 '{kid}' 与第{seen[kid.lower()]}行重复"))
            continue
        seen[kid.lower()] = row
        base = _BUILTIN.get(kid, {})
        entry = {f: values.get(f, "") for f in FIELDS}
        entry["id"] = kid
        if "formula_en" not in cols:
            entry["formula_en"] = base.get("formula_en", "")
        if "sql" not in cols:                   # a 指标库 from before the DMS import: built-in definitions
            entry["sql"] = base.get("sql", "")
        try:
            entry["direction"] = DIRECTION.code(values.get("direction"), default="higher")
        except ValueError:
            problems.append((row, header.get("direction", "方向"),
                             f"方向 '{values.get('direction')}' 无效（可选：{DIRECTION.help_zh()}）"))
        target = values.get("target", "")
        if target:
            try:
                value = number(target)
                # a % KPI's target typed as points (50 for 50%)
                if entry["unit"] == "%" and value > 1 and not str(target).rstrip().endswith(("%", "％")):
                    value /= 100
                entry["target"] = value
            except ValueError:
                problems.append((row, header["target"], f"默认目标 '{target}' 不是数字"))
        else:
            entry["target"] = None
        add = ADDITIVE.get(values.get("additive"), default="copied")
        if add is None:
            problems.append((row, header["additive"], f"可加 '{values.get('additive')}' 应为 是/否"))
        entry["additive"] = add == "additive"
        out.append(entry)
    if problems:
        msg = "; ".join(f"row {r} {h}: {m}" for r, h, m in problems)
        err = ValueError(f"KPI library has {len(problems)} bad row(s): {msg}")
        err.problems = problems
        raise err
    return tuple(out)
