"""月度报告 through the real command line on real files, read back with calamine/openpyxl."""
from __future__ import annotations

import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from helpers import (ACTUALS, CARD, MONTH, RATINGS, ROSTER, digest, hand_book, kpi4s, people_table,
                     section_titles, values)
from python_calamine import CalamineWorkbook

from addin.io import schema as bk
from addin.io.book import load_book
from addin.month import compute_month

HISTORY_HEADERS = bk.SHEETS[bk.HISTORY].headers


@pytest.fixture
def demo_book(demo_run):
    """(path, stdout) of `kpi4s demo`, run once per session (conftest.demo_run)."""
    return demo_run


@pytest.fixture
def book(tmp_path):
    return hand_book(tmp_path / "store.xlsx")


def test_scores_grades_and_pay_match_hand_computation(book):
    run = kpi4s("report", book)
    assert run.returncode == 0, run.stderr
    assert "参评 3 人，免考核 2 人" in run.stdout
    t = people_table(book)
    # T1: 50×1.1 + 30×(0.02/0.025) + 20×0.9 − 2 = 55 + 24 + 18 − 2 = 95 → C; pay 5000×30%×0.95
    assert t["T1"]["总分"] == pytest.approx(95.0)
    assert (t["T1"]["最终等级"], t["T1"]["绩效工资(元)"]) == ("C", pytest.approx(1425.00))
    # T2: 50×1.3 (cap) + 30×1.3 (cap) + 20×1.2 = 128 → band A, but 3 people give an A quota of 0
    # (largest remainder: 0.15/0.6/1.8/0.3/0.15 → 0,1,2,0,0) so capped grading drops it to B
    assert t["T2"]["总分"] == pytest.approx(128.0)
    assert (t["T2"]["分数段等级"], t["T2"]["最终等级"]) == ("A", "B")
    assert t["T2"]["绩效工资(元)"] == pytest.approx(8000 * 1.28)                 # commission base
    # T3: 50×0.8 + 30×1 + 20×1 = 90, veto caps at 70 → E; manager base 50% of 10000
    assert (t["T3"]["总分"], t["T3"]["最终等级"]) == (pytest.approx(70.0), "E")
    assert t["T3"]["绩效工资(元)"] == pytest.approx(5000 * 0.70)
    assert t["T4"]["等级名称"] == "免考核：试用期" and t["T4"]["总分"] in ("", None)
    assert t["T5"]["等级名称"].startswith("免考核：月工资低于800")
    history = values(book, bk.HISTORY)
    assert history[0] == HISTORY_HEADERS
    assert sorted(r[1] for r in history[1:]) == ["T1", "T2", "T3", "T4", "T5"]
    assert {r[1]: r[5] for r in history[1:]} == {"T1": "C", "T2": "B", "T3": "E", "T4": "", "T5": ""}


def test_scorer_fines_and_report_sections(book):
    assert kpi4s("report", book).returncode == 0
    rows = values(book, bk.REPORT)
    flat = [r for r in rows if r and r[0]]
    scorers = {r[0]: r for r in flat if len(r) > 5 and r[1] in ("各部门经理", "人力资源专员")}
    assert scorers["李经理"][4] == 1 and scorers["李经理"][5] == 500          # 1 minute late = 1 day
    assert scorers["赵专员"][5] == 0
    titles = section_titles(rows)
    # no targets (no progress section) and no data warnings: numbered without a gap (was 一…六, 八)
    assert titles == ["一、概况", "二、等级分布（对照 5/20/60/10/5 指导比例）", "三、部门结果与绩效工资",
                      "四、处理事项（奖励、改进计划、警告、离职）", "五、评分提交与逾期罚款",
                      "六、免考核人员（不评等级、不计入比例）", "七、员工明细"]
    with zipfile.ZipFile(book) as z:         # native charts in the report sheet
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        xml = z.read(charts[0]).decode()
        assert "<c:barChart>" in xml and "月度报告" in xml


def test_rerun_gives_same_contents_and_no_duplicate_history(book, tmp_path):
    assert kpi4s("report", book).returncode == 0
    first = {n: zipfile.ZipFile(book).read(n) for n in zipfile.ZipFile(book).namelist()}
    assert kpi4s("report", book).returncode == 0
    second = {n: zipfile.ZipFile(book).read(n) for n in zipfile.ZipFile(book).namelist()}
    assert first == second
    hist = values(book, bk.HISTORY)[1:]
    keys = [(r[0], r[1]) for r in hist]
    assert len(keys) == len(set(keys)) == 5


def test_input_sheets_unchanged_cell_for_cell(book):
    before_wb = openpyxl.load_workbook(book)
    inputs = [s for s in before_wb.sheetnames if s not in (bk.HISTORY, bk.REPORT)]
    assert {bk.SETTINGS, bk.ROSTER, bk.SCORECARDS, bk.ACTUALS, bk.RATINGS, bk.PREVIEW} <= set(inputs)
    before = {s: [[c.value for c in r] for r in before_wb[s].iter_rows()] for s in inputs}
    fmt_before = {s: [[c.number_format for c in r] for r in before_wb[s].iter_rows()] for s in inputs}
    assert kpi4s("report", book).returncode == 0
    after_wb = openpyxl.load_workbook(book)
    assert after_wb.sheetnames[:len(before_wb.sheetnames)] == list(before_wb.sheetnames)
    for s in inputs:
        assert [[c.value for c in r] for r in after_wb[s].iter_rows()] == before[s], s
        assert [[c.number_format for c in r] for r in after_wb[s].iter_rows()] == fmt_before[s], s


def test_bad_workbook_lists_every_problem_and_writes_nothing(tmp_path):
    bad_card = [r[:] for r in CARD]
    bad_card[0][7] = 0.6                                         # weights add up to 110%
    bad_roster = [r[:] for r in ROSTER]
    bad_roster[1][8] = "在岗?"                                    # unknown status
    bad_roster[2][7] = "一万"                                     # salary not a number
    bad_actuals = [r[:] for r in ACTUALS]
    bad_actuals[0][4] = "很多"                                    # actual not a number
    bad_actuals.append([MONTH, "X9", "无名", "产值", 5, None])     # unknown employee
    path = hand_book(tmp_path / "bad.xlsx", **{bk.SCORECARDS: bad_card, bk.ROSTER: bad_roster,
                                               bk.ACTUALS: bad_actuals})
    digest_before = digest(path)
    run = kpi4s("report", path)
    assert run.returncode == 2
    err = run.stderr
    assert "未写入任何内容" in err
    for needle in ("[考核表] 第2行 「权重」", "权重合计 110.0%", "[员工名册] 第3行 「状态」",
                   "[员工名册] 第4行 「月工资」", "[月度实绩] 第2行 「实际值」", "[月度实绩] 第9行 「员工编号」"):
        assert needle in err, needle
    assert digest(path) == digest_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xlsx"]
    check = kpi4s("check", path)
    assert check.returncode == 2 and "权重合计 110.0%" in check.stderr


def test_check_and_out_dir_leave_the_book_alone(book, tmp_path):
    d = digest(book)
    run = kpi4s("check", book)
    assert run.returncode == 0 and "检查通过" in run.stdout
    out = tmp_path / "out"
    run = kpi4s("report", book, "--out", out, "--month", MONTH)
    assert run.returncode == 0, run.stderr
    assert digest(book) == d
    assert bk.REPORT in CalamineWorkbook.from_path(str(out / book.name)).sheet_names


def test_month_closing_a_quarter_shows_quarter_figures(tmp_path):
    months = ["2026-07", "2026-08", "2026-09"]
    acts, rats = [], []
    for k, m in enumerate(months):          # T1's 产值 110, 100, 90 → totals 97, 92, 87 (no 迟到)
        acts += [[m, "T1", "甲", "产值", 110 - 10 * k, None], [m, "T1", "甲", "返修率", 0.025, None]]
        acts += [[m, "T2", "乙", "产值", 140, None], [m, "T2", "乙", "返修率", 0.01, None]]
        acts += [[m, "T3", "丙", "产值", 200, 250], [m, "T3", "丙", "返修率", 0.02, None]]
        rats += [[m, e, "", "工作纪律", None, 0.9, None] for e in ("T1", "T2", "T3")]
    path = hand_book(tmp_path / "q.xlsx", **{bk.ACTUALS: acts, bk.RATINGS: rats, bk.ADJUSTMENTS: []})
    for m in months[:2]:
        run = kpi4s("report", path, "--month", m)
        assert run.returncode == 0, run.stderr
        assert "2026年Q3季度考核" not in CalamineWorkbook.from_path(str(path)).sheet_names
    run = kpi4s("report", path)
    assert run.returncode == 0 and "2026年第3季度" in run.stdout
    rows = values(path, "2026年Q3季度考核")
    head_i = next(i for i, r in enumerate(rows) if r and r[0] == "员工编号")
    head = rows[head_i]
    table = {r[0]: dict(zip(head, r)) for r in rows[head_i + 1:] if r and r[0]}
    assert [table["T1"][m] for m in ("7月", "8月", "9月")] == pytest.approx([97, 92, 87])
    assert table["T1"]["期间得分"] == pytest.approx(92.0)
    assert table["T1"]["等级"] == "C" and table["T1"]["有效月数"] == 3
    assert "T4" not in table                                      # exempt: no monthly scores


def test_demo_end_to_end(demo_book):
    path, stdout = demo_book
    assert "参评" in stdout and "2026年第3季度" in stdout
    res = compute_month(load_book(path))
    codes = set(res.actions["action"])
    assert codes == {"award", "improvement_plan", "hr_warning", "manager_warning", "separation"}
    assert set(res.people.loc[~res.people["eligible"], "exempt_reason"]) == {"试用期", "月工资低于800元"}
    assert (res.scorers["fine"] > 0).sum() >= 2
    assert 55 <= len(res.people) <= 65 and res.people["department"].nunique() == 8
    hist = values(path, bk.HISTORY)[1:]
    assert sorted({r[0] for r in hist}) == [f"2026-{m:02d}" for m in range(3, 10)]
    assert (path.parent / "kpi4s_demo.py").exists() and (path.parent / "xlwings.conf").exists()


def test_demo_opens_in_libreoffice(demo_book, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice not installed")
    path, _ = demo_book
    copy = tmp_path / "demo.xlsx"
    shutil.copy(path, copy)
    run = subprocess.run([soffice, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                          "--outdir", str(tmp_path), str(copy)], capture_output=True, text=True, timeout=180)
    csvs = {p.name for p in tmp_path.glob("*.csv")}
    assert "demo-月度报告.csv" in csvs, (run.stdout, run.stderr, csvs)
    text = (tmp_path / "demo-月度报告.csv").read_text(encoding="utf-8")
    assert "绩效考核月度报告" in text and "优秀员工候选" in text
    assert (tmp_path / "demo-历史.csv").read_text(encoding="utf-8").count("2026-09") >= 55


def test_december_closes_the_year_with_pasted_history(tmp_path):
    """Grades from before kpi4s pasted into 历史 count: year figures and consequences use them."""
    pasted = [[f"2026-{m:02d}", "T1", "甲", "一部", 100.0 + m, "C", 1500.0] for m in range(1, 12)]
    pasted += [[f"2026-{m:02d}", "T2", "乙", "一部", 60.0, "E", 0.0] for m in range(10, 12)]
    acts = [[r[0].replace(MONTH, "2026-12"), *r[1:]] for r in ACTUALS if r[0] == MONTH]
    rats = [["2026-12", *r[1:]] for r in RATINGS]
    path = hand_book(tmp_path / "y.xlsx", **{bk.ACTUALS: acts, bk.RATINGS: rats, bk.ADJUSTMENTS: [],
                                             bk.COMMISSION: [["2026-12", "T2", "乙", 8000]],
                                             bk.SUBMISSIONS: [], bk.HISTORY: pasted})
    run = kpi4s("report", path, "--month", "2026-12")
    assert run.returncode == 0, run.stderr
    assert "2026年第4季度" in run.stdout and "2026年度" in run.stdout
    rows = values(path, "2026年度考核")
    head_i = next(i for i, r in enumerate(rows) if r and r[0] == "员工编号")
    table = {r[0]: dict(zip(rows[head_i], r)) for r in rows[head_i + 1:] if r and r[0]}
    # T1: Jan–Nov 101…111 pasted, December 97 (= 95 + 2, no 迟到 this time) → mean 105.5 → B
    assert table["T1"]["12月"] == pytest.approx(97.0)
    assert table["T1"]["期间得分"] == pytest.approx((sum(100 + m for m in range(1, 12)) + 97) / 12)
    assert table["T1"]["等级"] == "B" and table["T1"]["年度结果"] == "具备年终调薪资格"
    hist = values(path, bk.HISTORY)[1:]
    assert len(hist) == 11 + 2 + 5 and sum(r[0] == "2026-12" for r in hist) == 5


def test_macro_enabled_workbook_keeps_its_vba_project(book, tmp_path):
    from workbook.build import build_xlsm
    xlsm = build_xlsm(book, tmp_path / "store.xlsm")
    if xlsm is None:
        pytest.skip("xlwings quickstart.xlsm not installed")
    vba = zipfile.ZipFile(xlsm).read("xl/vbaProject.bin")
    run = kpi4s("report", xlsm)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(xlsm) as z:
        assert z.read("xl/vbaProject.bin") == vba
        assert "macroEnabled.main+xml" in z.read("[Content_Types].xml").decode()
    assert bk.REPORT in CalamineWorkbook.from_path(str(xlsm)).sheet_names


# --------------------------------------------------------------------------- issue 8's bugs, with a store's numbers
def test_rating_blend_of_three_settings_is_validated_together(tmp_path):
    """设置 20/60/20: each setting alone would not sum to 100%, together they do."""
    path = hand_book(tmp_path / "blend.xlsx", settings={"评分权重-自评": "20%", "评分权重-直接上级": "60%",
                                                        "评分权重-360°": "20%"},
                     **{bk.RATINGS: [[MONTH, "T1", "甲", "工作纪律", 1.0, 0.9, 0.8],
                                     [MONTH, "T2", "乙", "工作纪律", None, 120, None],
                                     [MONTH, "T3", "丙", "工作纪律", 1.0, 1.0, 1.0]]})
    run = kpi4s("report", path)
    assert run.returncode == 0, run.stderr
    t = people_table(path)
    # T1's 工作纪律: 0.2×100% + 0.6×90% + 0.2×80% = 90% → 18 points, as before but blended
    assert t["T1"]["项目得分"] == pytest.approx(55 + 24 + 18)
    # T2 has only the manager's 120%: the blend is renormalised over the ratings present
    assert t["T2"]["项目得分"] == pytest.approx(65 + 39 + 24)
    bad = hand_book(tmp_path / "bad_blend.xlsx", settings={"评分权重-自评": "20%", "评分权重-直接上级": "60%"})
    run = kpi4s("check", bad)
    assert run.returncode == 2 and "合计应为100%（现为80%）" in run.stderr and "[设置]" in run.stderr


def test_totals_shown_equal_are_ranked_graded_and_paid_equal(tmp_path):
    """B quota 4 of 20; three 115s, then two people shown as 108.00 — one computes to
    108.0 exactly, the other to 107.99999999999999 in binary floating point. Both are B."""
    card = [["均衡岗", None, k + 1, "关键考核指标", f"指标{k + 1}", None, "KPI", w, 100, "正向", None, None]
            for k, w in enumerate((0.3, 0.3, 0.4))]
    roster, acts = [], []
    marks = [(130, 100, 115), (130, 100, 115), (130, 100, 115),   # 39 + 30 + 46 = 115
             (100, 100, 120),                                       # 108.0
             (82, 126, 114)]                                        # 24.6 + 37.8 + 45.6 = 107.99999999999999
    marks += [(95, 95, 95)] * 15                                    # 95 → C
    for i, (a, b, c) in enumerate(marks):
        eid = f"P{i + 1:02d}"
        roster.append([eid, f"员工{i + 1}", "一部", "均衡岗", "职能部门", "李经理", "王总", 5000, "正式", None])
        acts += [[MONTH, eid, "", f"指标{k + 1}", v, None] for k, v in enumerate((a, b, c))]
    path = hand_book(tmp_path / "ties.xlsx", **{bk.SCORECARDS: card, bk.ROSTER: roster, bk.ACTUALS: acts,
                                                bk.RATINGS: [], bk.ADJUSTMENTS: [], bk.COMMISSION: []})
    run = kpi4s("report", path)
    assert run.returncode == 0, run.stderr
    t = people_table(path)
    assert t["P04"]["总分"] == t["P05"]["总分"] == 108.0
    assert [t[f"P0{k}"]["最终等级"] for k in range(1, 6)] == ["B"] * 5          # ties with the last kept stay
    assert t["P04"]["绩效工资(元)"] == t["P05"]["绩效工资(元)"] == pytest.approx(1500 * 1.08)
    hist = {r[1]: r for r in values(path, bk.HISTORY)[1:]}
    assert hist["P04"][4] == hist["P05"][4] == 108.0


def test_report_shows_target_progress_when_the_book_has_targets(demo_book):
    path, _ = demo_book
    rows = values(path, bk.REPORT)
    titles = section_titles(rows)
    assert titles[:6] == ["一、概况", "二、等级分布（对照 5/20/60/10/5 指导比例）", "三、部门结果与绩效工资",
                          "四、处理事项（奖励、改进计划、警告、离职）", "五、评分提交与逾期罚款",
                          "六、目标进度（截至 2026-09-30；全店及落后的责任人）"]
    assert titles[-1].endswith("、员工明细") and len(titles) == len(set(t[0] for t in titles))
    start = next(i for i, r in enumerate(rows) if r and r[0] == titles[5])
    head = rows[start + 1]
    body = []
    for r in rows[start + 2:]:
        if not r or not r[0]:
            break
        body.append(dict(zip(head, r)))
    store = {r["指标"]: r for r in body if r["责任人"] == "全店"}
    # the seed's 售后产值 (6,000,000 a year): achievement against 9/12 of the year elapsed
    assert store["售后产值"]["年度目标"] == 6_000_000
    assert store["售后产值"]["时间进度"] == pytest.approx(273 / 365, abs=1e-9)
    assert store["售后产值"]["差距"] == pytest.approx(store["售后产值"]["完成率"] - 273 / 365, abs=1e-9)
    behind = [r for r in body if r["责任人"] != "全店"]
    assert behind and all(r["状态"] in ("落后", "未达标") for r in behind)
