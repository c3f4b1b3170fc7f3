"""The appraisal cycle around the month end (SPEC §9), one module per step:

* :mod:`goals`    — 目标设定表 for the month, from the scorecards and the decomposed targets;
* :mod:`trail`    — 审批记录 (approval steps, overrides, what changed; tamper-evident) and 审批快照;
* :mod:`approval` — the status chain 草稿 → 部门确认 → 人力资源审核 → 总经理批准, and the guard that
  keeps an approved month from being recomputed without an explicit override;
* :mod:`payroll`  — the payroll lines of the month and the hand-off (.xlsx + CSV), only when approved;
* :mod:`appeals`  — the appeals register checked, accepted appeals re-run;
* :mod:`year`     — the year-end pack: annual grades, awards, raises within the pool, letters, GM summary.

The rules are in udfs (cycle, scoring, grading, periods, pay); the month's inputs are read by
addin.month; documents and sheets are rendered by addin.render.
"""
