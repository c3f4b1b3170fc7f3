"""SPEC §7 — each DMS-computed KPI's definition, as data: one DuckDB SQL query per KPI.

These texts are the 指标库 sheet's 「DMS计算定义」 column (udfs.kpis puts them on the library);
a power user reads and edits them there. addin/dms runs them; nothing here touches a file.

The views a query reads (one per DMS export, columns as listed on the DMS映射 sheet):

  ro          repair orders: ro_no, opened, closed, vin, plate, customer, advisor, technician,
              job_type (保养/一般维修/保险/索赔/钣喷/内部), concern, sold_hours, labour_amount,
              parts_amount, appointment, store
  clocking    technician jobs and attendance: ro_no, technician, started, finished, clocked_hours,
              work_date, available_hours
  parts       parts lines: moved, part_no, qty, cost, move (销售/采购/紧急采购/缺货/库存),
              stock_value, handler, store
  followup    calls and surveys: ro_no, called, reached, satisfied, score, caller
  complaints  lodged, ro_no, customer, category, responsible
  claims      submitted, ro_no, first_pass, clerk
  reminders   customer, reminded, due, came, caller
  customers   customer, name, created, owner, first_visit — the customer-base export, plus every
              customer seen on a repair order who is not in it (see CUSTOMERS_VIEW)
  kpi_<id>    the rows of another KPI's query (e.g. kpi_rework_rate)

Named parameters: $start, $end (first day of the first month, first day after the last month),
$rework_days, $base_months, $csi_score, $reminder_days, $maintenance_days (设置, udfs.dms).

Every query returns one row per thing counted, with these columns first:
  month   DATE, the month the row counts in (first day)
  person  the DMS name/account the row is attributed to (NULL = the store only)
  num     what the row adds to the numerator
  den     what it adds to the denominator (NULL on every row = the KPI is the sum of num)
then any columns that explain the row (Chinese names); those rows are the KPI's evidence sheet.
The figure of a person, a department or the store is Σnum ÷ Σden over its rows (or Σnum).
"""
from __future__ import annotations

import re
from types import MappingProxyType

VIEWS = ("ro", "clocking", "parts", "followup", "complaints", "claims", "reminders", "customers")

_MONTH = "date_trunc('month', {})::DATE AS month"

# customers on file (a table the runner makes when a definition reads it): the customer-base export,
# plus every customer on a repair order it lacks (created = the first visit); with no export, every
# customer ever seen on a repair order
CUSTOMERS_VIEW = """
WITH seen AS (SELECT customer, min(opened) AS first_visit FROM ro WHERE customer IS NOT NULL GROUP BY customer)
SELECT c.customer, c.name, c.created, c.owner, s.first_visit
FROM customers_export c LEFT JOIN seen s ON s.customer = c.customer
UNION ALL
SELECT s.customer, NULL, s.first_visit, NULL, s.first_visit FROM seen s
WHERE s.customer NOT IN (SELECT customer FROM customers_export WHERE customer IS NOT NULL)
"""

SQL = MappingProxyType({
    "monthly_intake": f"""
-- 月接车台次：当月开单的工单（内部工单除外），归属服务顾问
SELECT {_MONTH.format('opened')}, advisor AS person, 1 AS num, NULL AS den,
       ro_no AS 工单号, opened AS 开单时间, vin AS VIN, customer AS 客户, job_type AS 维修类型
FROM ro
WHERE opened >= $start AND opened < $end AND job_type <> '内部'
""",
    "daily_intake": f"""
-- 日接车台次：当月每个开单日的工单数的平均（内部工单除外），全店
SELECT {_MONTH.format('day')}, NULL AS person, count(*) AS num, 1 AS den,
       day AS 日期, count(*) AS 开单数
FROM (SELECT opened::DATE AS day FROM ro
      WHERE opened >= $start AND opened < $end AND job_type <> '内部') AS opened_days
GROUP BY day
""",
    "revenue_per_repair": f"""
-- 单车产值(维修)：当月结算的保养、一般维修、钣喷工单的（工时费 + 材料费）÷ 台次，归属服务顾问
SELECT {_MONTH.format('closed')}, advisor AS person,
       coalesce(labour_amount, 0) + coalesce(parts_amount, 0) AS num, 1 AS den,
       ro_no AS 工单号, closed AS 结算时间, job_type AS 维修类型, labour_amount AS 工时费, parts_amount AS 材料费
FROM ro
WHERE closed >= $start AND closed < $end AND job_type IN ('保养', '一般维修', '钣喷')
""",
    "revenue_per_insurance": f"""
-- 单车产值(保险)：当月结算的保险/事故工单的（工时费 + 材料费）÷ 台次，归属服务顾问
SELECT {_MONTH.format('closed')}, advisor AS person,
       coalesce(labour_amount, 0) + coalesce(parts_amount, 0) AS num, 1 AS den,
       ro_no AS 工单号, closed AS 结算时间, labour_amount AS 工时费, parts_amount AS 材料费
FROM ro
WHERE closed >= $start AND closed < $end AND job_type = '保险'
""",
    "rework_rate": f"""
-- 返修率：当月结算的工单（内部除外）中，同一 VIN 同一故障在结算后 $rework_days 天内
-- （含第 $rework_days 天）再次开单的比例；归属原工单的主修技师。
-- 每张工单的下一张工单：按 VIN、故障分组后按开单时间排序（分组用 hash 只为加快计算，下一张的
-- VIN 与故障须与本张相同才算）
WITH seq AS (
  SELECT ro_no, vin, concern, closed, technician,
         lead(ro_no) OVER w AS next_ro, lead(opened) OVER w AS next_opened,
         lead(vin) OVER w = vin AND lead(concern) OVER w = concern AS same
  FROM ro
  WHERE job_type <> '内部' AND (closed >= $start OR opened >= $start)
  WINDOW w AS (PARTITION BY hash(vin, concern) ORDER BY vin, concern, opened, ro_no)),
judged AS (
  SELECT *, date_diff('day', closed::DATE, next_opened::DATE) AS gap,
         coalesce(same, FALSE)
         AND date_diff('day', closed::DATE, next_opened::DATE) BETWEEN 0 AND $rework_days AS comeback
  FROM seq WHERE closed >= $start AND closed < $end)
SELECT {_MONTH.format('closed')}, technician AS person, CASE WHEN comeback THEN 1 ELSE 0 END AS num, 1 AS den,
       ro_no AS 工单号, vin AS VIN, concern AS 故障, closed AS 结算时间,
       CASE WHEN comeback THEN next_ro END AS 返修工单号,
       CASE WHEN comeback THEN next_opened END AS 返修开单时间,
       CASE WHEN comeback THEN gap END AS 间隔天数
FROM judged
""",
    "first_time_fix_rate": """
-- 一次维修成功率：1 − 返修率（同一批工单：未返修的 ÷ 全部），归属主修技师
SELECT month, person, den - num AS num, den, * EXCLUDE (month, person, num, den)
FROM kpi_rework_rate
""",
    "hours_per_ro": f"""
-- 单车工时：当月结算工单（内部除外）的售出工时 ÷ 工单数，归属主修技师
SELECT {_MONTH.format('closed')}, technician AS person, coalesce(sold_hours, 0) AS num, 1 AS den,
       ro_no AS 工单号, closed AS 结算时间, job_type AS 维修类型, sold_hours AS 工时
FROM ro
WHERE closed >= $start AND closed < $end AND job_type <> '内部'
""",
    "effective_labour_rate": f"""
-- 有效工时单价：当月结算工单（内部除外）的工时费 ÷ 售出工时，归属主修技师
SELECT {_MONTH.format('closed')}, technician AS person, coalesce(labour_amount, 0) AS num,
       coalesce(sold_hours, 0) AS den,
       ro_no AS 工单号, closed AS 结算时间, labour_amount AS 工时费, sold_hours AS 工时
FROM ro
WHERE closed >= $start AND closed < $end AND job_type <> '内部'
""",
    "parts_to_labour_ratio": f"""
-- 配件工时比：当月结算工单（内部除外）的材料费 ÷ 工时费，归属主修技师
SELECT {_MONTH.format('closed')}, technician AS person, coalesce(parts_amount, 0) AS num,
       coalesce(labour_amount, 0) AS den,
       ro_no AS 工单号, closed AS 结算时间, parts_amount AS 材料费, labour_amount AS 工时费
FROM ro
WHERE closed >= $start AND closed < $end AND job_type <> '内部'
""",
    "technician_utilisation": f"""
-- 技师利用率：当月打卡作业工时 ÷ 出勤工时（出勤工时每人每天取一次），归属技师
SELECT {_MONTH.format('work_date')}, technician AS person, clocked_hours AS num, 0 AS den,
       '作业' AS 类型, work_date AS 日期, ro_no AS 工单号, started AS 开工时间, finished AS 完工时间
FROM clocking
WHERE ro_no IS NOT NULL AND work_date >= $start AND work_date < $end
UNION ALL
SELECT {_MONTH.format('work_date')}, technician, 0, max(available_hours),
       '出勤', work_date, NULL, NULL, NULL
FROM clocking
WHERE available_hours IS NOT NULL AND work_date >= $start AND work_date < $end
GROUP BY technician, work_date
""",
    "technician_efficiency": f"""
-- 技师效率：当月结算工单的售出工时 ÷ 当月打卡作业工时，归属技师
SELECT {_MONTH.format('closed')}, technician AS person, coalesce(sold_hours, 0) AS num, 0 AS den,
       '售出' AS 类型, closed AS 时间, ro_no AS 工单号
FROM ro
WHERE closed >= $start AND closed < $end AND job_type <> '内部' AND technician IS NOT NULL
UNION ALL
SELECT {_MONTH.format('work_date')}, technician, 0, clocked_hours,
       '打卡', started, ro_no
FROM clocking
WHERE ro_no IS NOT NULL AND work_date >= $start AND work_date < $end
""",
    "csi": f"""
-- 客户满意度 CSI：当月回访问卷中满意的比例（满意=是，或评分 ≥ $csi_score），归属工单的服务顾问
SELECT {_MONTH.format('f.called')}, r.advisor AS person,
       CASE WHEN coalesce(f.satisfied, f.score >= $csi_score) THEN 1 ELSE 0 END AS num, 1 AS den,
       f.ro_no AS 工单号, f.called AS 回访时间, f.satisfied AS 满意, f.score AS 评分
FROM followup f LEFT JOIN ro r ON r.ro_no = f.ro_no
WHERE f.called >= $start AND f.called < $end AND (f.satisfied IS NOT NULL OR f.score IS NOT NULL)
""",
    "sfu_rate": f"""
-- 服务回访率 SFU：当月结算的工单（内部除外）中有成功回访记录的比例，归属服务顾问
SELECT {_MONTH.format('r.closed')}, r.advisor AS person,
       CASE WHEN f.first_call IS NULL THEN 0 ELSE 1 END AS num, 1 AS den,
       r.ro_no AS 工单号, r.closed AS 结算时间, f.first_call AS 回访时间
FROM ro r
LEFT JOIN (SELECT ro_no, min(called) AS first_call FROM followup WHERE reached GROUP BY ro_no) f
       ON f.ro_no = r.ro_no
WHERE r.closed >= $start AND r.closed < $end AND r.job_type <> '内部'
""",
    "complaint_rate": f"""
-- 客户投诉率：当月投诉数 ÷ 当月结算工单数（内部除外），归属工单的服务顾问（无工单时归属责任人）
SELECT {_MONTH.format('closed')}, advisor AS person, 0 AS num, 1 AS den,
       '工单' AS 类型, ro_no AS 工单号, closed AS 日期, NULL AS 投诉类别, NULL AS 责任人
FROM ro
WHERE closed >= $start AND closed < $end AND job_type <> '内部'
UNION ALL
SELECT {_MONTH.format('c.lodged')}, coalesce(r.advisor, c.responsible), 1, 0,
       '投诉', c.ro_no, c.lodged, c.category, c.responsible
FROM complaints c LEFT JOIN ro r ON r.ro_no = c.ro_no
WHERE c.lodged >= $start AND c.lodged < $end
""",
    "claim_approval_rate": f"""
-- 保修索赔通过率：当月提交的索赔中首次即通过的比例，归属索赔员
SELECT {_MONTH.format('submitted')}, clerk AS person, CASE WHEN first_pass THEN 1 ELSE 0 END AS num,
       1 AS den, ro_no AS 工单号, submitted AS 提交日期, first_pass AS 首次通过
FROM claims
WHERE submitted >= $start AND submitted < $end
""",
    "maintenance_rate": f"""
-- 定期保养实施率：保养到期日在当月的提醒中，客户在到期日前后 $maintenance_days 天内
-- 做了保养（有保养工单，或提醒记录为已到店）的比例；归属提醒人
WITH due AS (SELECT * FROM reminders WHERE due >= $start AND due < $end),
hit AS (
  SELECT d.customer, d.due, min(r.opened) AS visit, arg_min(r.ro_no, r.opened) AS visit_ro
  FROM (SELECT DISTINCT customer, due FROM due) d
  JOIN ro r ON r.customer = d.customer AND r.job_type = '保养'
   AND r.opened::DATE BETWEEN d.due::DATE - $maintenance_days AND d.due::DATE + $maintenance_days
  GROUP BY d.customer, d.due)
SELECT {_MONTH.format('d.due')}, d.caller AS person,
       CASE WHEN h.visit IS NOT NULL OR coalesce(d.came, FALSE) THEN 1 ELSE 0 END AS num, 1 AS den,
       d.customer AS 客户, d.due AS 到期日, d.reminded AS 提醒日期, d.came AS 是否到店,
       h.visit_ro AS 保养工单号, h.visit AS 保养日期
FROM due d LEFT JOIN hit h ON h.customer = d.customer AND h.due = d.due
""",
    "reminder_success_rate": f"""
-- 定期保养成功率：当月提醒的客户中，提醒后 $reminder_days 天内到店保养（有保养工单，
-- 或提醒记录为已到店）的比例；归属提醒人
WITH sent AS (SELECT * FROM reminders WHERE reminded >= $start AND reminded < $end),
hit AS (
  SELECT s.customer, s.reminded, min(r.opened) AS visit, arg_min(r.ro_no, r.opened) AS visit_ro
  FROM (SELECT DISTINCT customer, reminded FROM sent) s
  JOIN ro r ON r.customer = s.customer AND r.job_type = '保养'
   AND r.opened >= s.reminded AND r.opened::DATE <= s.reminded::DATE + $reminder_days
  GROUP BY s.customer, s.reminded)
SELECT {_MONTH.format('s.reminded')}, s.caller AS person,
       CASE WHEN h.visit IS NOT NULL OR coalesce(s.came, FALSE) THEN 1 ELSE 0 END AS num, 1 AS den,
       s.customer AS 客户, s.reminded AS 提醒日期, s.due AS 到期日, s.came AS 是否到店,
       h.visit_ro AS 保养工单号, h.visit AS 到店日期
FROM sent s LEFT JOIN hit h ON h.customer = s.customer AND h.reminded = s.reminded
""",
    "return_rate": """
-- 回厂率：月末在档的客户中，近 $base_months 个月（含当月）有工单的比例；归属客户档案的
-- 专属顾问，没有时归属该客户到那个月为止最近一张工单的服务顾问。
-- 每位客户按「从一次到店到下一次到店」分段（建档后、首次到店前也算一段），每段覆盖的月份各一行。
WITH months AS (
  SELECT m::DATE AS month, (m - to_months($base_months - 1))::DATE AS window_start
  FROM generate_series($start::TIMESTAMP, $end::TIMESTAMP - INTERVAL 1 MONTH, INTERVAL 1 MONTH) g(m)),
visits AS (
  SELECT customer, date_trunc('month', opened)::DATE AS since, max(opened) AS last_visit,
         arg_max(advisor, opened) AS advisor
  FROM ro WHERE customer IS NOT NULL AND opened < $end GROUP BY ALL),
marks AS (
  SELECT customer, since, last_visit, advisor FROM visits
  UNION ALL
  SELECT customer, CASE WHEN created IS NULL THEN DATE '1900-01-01' ELSE date_trunc('month', created)::DATE END,
         NULL, NULL
  FROM customers
  WHERE first_visit IS NULL OR created IS NULL OR date_trunc('month', created) < date_trunc('month', first_visit)),
spans AS (
  SELECT s.*, c.owner,
         coalesce(lead(s.since) OVER (PARTITION BY s.customer ORDER BY s.since), DATE '9999-12-01') AS until
  FROM marks s LEFT JOIN (SELECT customer, owner FROM customers WHERE owner IS NOT NULL) c ON c.customer = s.customer)
SELECT m.month, coalesce(s.owner, s.advisor) AS person,
       CASE WHEN s.last_visit >= m.window_start THEN 1 ELSE 0 END AS num, 1 AS den,
       s.customer AS 客户, s.last_visit AS 最近到店, s.advisor AS 最近服务顾问, s.owner AS 专属顾问
FROM spans s JOIN months m ON m.month >= s.since AND m.month < s.until
""",
    "base_customers": """
-- 基盘客户数：近 $base_months 个月（含当月）有到店记录的不重复客户数（即回厂率的分子）
SELECT month, person, num, NULL AS den, * EXCLUDE (month, person, num, den)
FROM kpi_return_rate
WHERE num = 1
""",
    "parts_turnover": f"""
-- 配件库存周转率（年化）：当月销售出库成本 × 12 ÷ 平均库存成本（月初与月末库存的平均）；全店。
-- 月初库存 = 上月最后一次库存快照，月末库存 = 本月最后一次库存快照（多门店的导出按门店相加）
WITH months AS (
  SELECT m::DATE AS month, (m + INTERVAL 1 MONTH)::DATE AS month_end
  FROM generate_series($start::TIMESTAMP, $end::TIMESTAMP - INTERVAL 1 MONTH, INTERVAL 1 MONTH) g(m)),
snap AS (SELECT moved, stock_value, coalesce(store, '') AS store FROM parts WHERE stock_value IS NOT NULL),
last AS (
  SELECT m.month, '月初库存' AS kind, s.store, max(s.moved) AS moved, arg_max(s.stock_value, s.moved) AS stock_value
  FROM months m JOIN snap s ON s.moved < m.month GROUP BY ALL
  UNION ALL
  SELECT m.month, '月末库存', s.store, max(s.moved), arg_max(s.stock_value, s.moved)
  FROM months m JOIN snap s ON s.moved >= m.month AND s.moved < m.month_end GROUP BY ALL),
ends AS (SELECT month, kind, max(moved) AS moved, sum(stock_value) AS stock_value FROM last GROUP BY ALL)
SELECT {_MONTH.format('moved')}, NULL AS person, cost * 12 AS num, 0 AS den,
       '销售' AS 类型, moved AS 日期, part_no AS 配件编号, qty AS 数量, cost AS 成本
FROM parts
WHERE move = '销售' AND moved >= $start AND moved < $end
UNION ALL
SELECT month, NULL, 0, stock_value / count(*) OVER (PARTITION BY month), kind, moved, NULL, NULL, stock_value
FROM ends
""",
    "parts_fill_rate": f"""
-- 配件首次供应率：(需求行 − 紧急采购行 − 缺货行) ÷ 需求行，需求行 = 销售行 + 缺货行；全店
SELECT {_MONTH.format('moved')}, NULL AS person,
       CASE move WHEN '销售' THEN 1 WHEN '紧急采购' THEN -1 ELSE 0 END AS num,
       CASE WHEN move IN ('销售', '缺货') THEN 1 ELSE 0 END AS den,
       move AS 类型, moved AS 日期, part_no AS 配件编号, qty AS 数量
FROM parts
WHERE move IN ('销售', '紧急采购', '缺货') AND moved >= $start AND moved < $end
""",
})

_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.S)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _code(sql: str) -> str:
    """The query without comments and string literals (names inside them do not count)."""
    return _COMMENT.sub(" ", sql or "")


def views_used(sql: str) -> set:
    """The DMS views a query reads (VIEWS), found as words outside comments and strings."""
    words = {w.lower() for w in _WORD.findall(_code(sql))}
    return {v for v in VIEWS if v in words}


def kpis_used(sql: str) -> set:
    """The other KPIs a query reads through their kpi_<id> views."""
    return {w[4:] for w in (w.lower() for w in _WORD.findall(_code(sql))) if w.startswith("kpi_")}


def params_used(sql: str) -> set:
    """The named parameters ($name) a query uses, outside comments and strings."""
    return set(_PARAM.findall(_code(sql)))
