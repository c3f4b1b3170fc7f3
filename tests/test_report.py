"""月度报告 through the real command line on real files, read back with calamine/openpyxl."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from addin import book as bk
from workbook.build import fill_table, new_workbook

ROOT = Path(__file__).resolve().parent.parent
MONTH = "2026-09"


def kpi4s(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "addin.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def values(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def demo_book(demo_run):
    """(path, stdout) of `kpi4s demo`, run once per session (conftest.demo_run)."""
    return demo_run


# --------------------------------------------------------------------------- a hand-computed store
CARD = [  # 测试岗: 产值 50% (higher, target 100), 返修率 30% (lower, 2%), 工作纪律 20% (rated)
    ["测试岗", None, 1, "财务指标", "产值", None, "KPI", 0.5, 100, "正向", "元", None],
    ["测试岗", None, 2, "关键考核指标", "返修率", "rework_rate", "KPI", 30, 0.02, "反向", "%", None],
    ["测试岗", None, 3, "工作纪律", "工作纪律", None, "评分", "20%", None, None, None, None],
]
ROSTER = [
    ["T1", "甲", "一部", "测试岗", "职能部门", "李经理", "王总", 5000, "正式", dt.date(2020, 1, 1)],
    ["T2", "乙", "一部", "测试岗", "创利部门", "李经理", "王总", 4000, "正式", dt.date(2020, 1, 1)],
    ["T3", "丙", "二部", "测试岗", "部门经理", "王总", "", 10000, "正式", dt.date(2020, 1, 1)],
    ["T4", "丁", "二部", "测试岗", "职能部门", "李经理", "王总", 4000, "试用", dt.date(2026, 8, 1)],
    ["T5", "戊", "二部", "测试岗", "职能部门", "李经理", "王总", 700, "正式", dt.date(2020, 1, 1)],
]
ACTUALS = [
    [MONTH, "T1", "甲", "产值", 110, None], [MONTH, "T1", "甲", "返修率", 0.025, None],
    [MONTH, "T2", "乙", "产值", 140, None], [MONTH, "T2", "乙", "返修率", 0.01, None],
    [MONTH, "T3", "丙", "产值", 200, 250],                 # own target 250 → ratio 0.8
    [MONTH, "T3", "丙", "返修率", 0.02, None],
    ["2026-08", "T1", "甲", "产值", 1, None],               # another month: ignored
]
RATINGS = [
    [MONTH, "T1", "甲", "工作纪律", 1.0, 0.9, None],         # manager's rating counts: 90%
    [MONTH, "T2", "乙", "工作纪律", None, 120, None],        # typed as points: 120%
    [MONTH, "T3", "丙", "工作纪律", None, 1.0, None],
]
ADJUST = [[MONTH, "T3", "丙", None, "是", "重大客户投诉"], [MONTH, "T1", "甲", -2, "否", "迟到"]]
COMMISSION = [[MONTH, "T2", "乙", 8000]]
SUBMISSIONS = [[MONTH, "李经理", "各部门经理", dt.datetime(2026, 10, 5, 17, 31)],       # due Mon 10-05 17:30
               [MONTH, "赵专员", "人力资源专员", dt.datetime(2026, 10, 1, 9, 0)]]


def hand_book(path: Path, **changes) -> Path:
    wb = new_workbook(store="测试店", month=MONTH)
    ws = wb[bk.SCORECARDS]
    ws.delete_rows(2, ws.max_row)
    data = {bk.SCORECARDS: CARD, bk.ROSTER: ROSTER, bk.ACTUALS: ACTUALS, bk.RATINGS: RATINGS,
            bk.ADJUSTMENTS: ADJUST, bk.COMMISSION: COMMISSION, bk.SUBMISSIONS: SUBMISSIONS}
    data.update(changes)
    for sheet, rows in data.items():
        fill_table(wb[sheet], rows)
    wb.save(path)
    return path


@pytest.fixture
def book(tmp_path):
    return hand_book(tmp_path / "store.xlsx")


def people_table(path):
    rows = values(path, bk.REPORT)
    start = next(i for i, r in enumerate(rows) if r and r[0] == "八、员工明细")
    head = rows[start + 1]
    return {r[0]: dict(zip(head, r)) for r in rows[start + 2:] if r and r[0]}


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
    assert history[0] == bk.HISTORY_HEADERS
    assert sorted(r[1] for r in history[1:]) == ["T1", "T2", "T3", "T4", "T5"]
    assert {r[1]: r[5] for r in history[1:]} == {"T1": "C", "T2": "B", "T3": "E", "T4": "", "T5": ""}


def test_scorer_fines_and_report_sections(book):
    assert kpi4s("report", book).returncode == 0
    rows = values(book, bk.REPORT)
    flat = [r for r in rows if r and r[0]]
    scorers = {r[0]: r for r in flat if len(r) > 5 and r[1] in ("各部门经理", "人力资源专员")}
    assert scorers["李经理"][4] == 1 and scorers["李经理"][5] == 500          # 1 minute late = 1 day
    assert scorers["赵专员"][5] == 0
    titles = [r[0] for r in flat]
    for t in ("一、概况", "二、等级分布（对照 5/20/60/10/5 指导比例）", "三、部门结果与绩效工资",
              "四、处理事项（奖励、改进计划、警告、离职）", "五、评分提交与逾期罚款", "八、员工明细"):
        assert t in titles
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
    inputs = [s for s in before_wb.sheetnames if s not in bk.OUTPUT_SHEETS]    # all but 历史
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
    from addin.report import compute_month
    res = compute_month(bk.load_book(path))
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
