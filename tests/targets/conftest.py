"""The seed's targets (workbook.build_targets' sample, 002 篇1) as sheet rows, and a roster
matching its owners: books are opened from {sheet: rows} (what xlwings hands over), edited in
memory, so every test starts from the same clean sample in microseconds."""
import copy

import pytest

from addin.io import schema as S
from addin.io.book import load_book
from workbook import build_targets as bt

YEAR = 2026
AS_OF = "2026-09-30"
ROSTER_ROWS = [
    # 员工编号, 姓名, 部门, 岗位
    ("E1001", "王经理", "售后服务部", "服务经理"),
    *[(f"E{n}", f"顾问{n - 1001}", "服务顾问组", "服务顾问") for n in range(1002, 1012)],
    ("E1012", "李客服", "客服部", "客服经理"),
    ("E1013", "赵主管", "机修车间", "车间主管"),
    ("E1014", "钱技师", "钣喷车间", "钣喷技师"),
    ("E1015", "孙配件", "配件部", "配件经理"),
]


def _sample() -> dict:
    t, o, a, r = (S.SHEETS[n] for n in (S.TARGETS, S.OWNERS, S.TARGET_ACTUALS, S.ROSTER))
    targets = [[t.title], t.headers + list(S.MONTH_HEADERS)]
    for (name, unit, kind, target, direction, method, cal, lead, note, months) in bt.SAMPLE_TARGETS:
        targets.append([YEAR, name, unit, kind, target, direction, method or None, cal or None, None, lead, note]
                       + (list(months) if months else [None] * 12))
    owners = [[o.title], o.headers] + [list(row) for row in bt.SAMPLE_OWNERS]
    actuals = [[a.title], a.headers] + [list(row) for row in bt.sample_actuals()]
    roster = [r.headers] + [[e, n, d, p, "创利部门", None, None, 5000, "正式", None] for e, n, d, p in ROSTER_ROWS]
    settings = [list(S.SETTINGS_HEADERS), [S.STORE_KEY, "测试店", None], [S.MONTH_KEY, f"{YEAR}-09", None]]
    return {S.SETTINGS: settings, S.ROSTER: roster, S.TARGETS: targets, S.OWNERS: owners, S.TARGET_ACTUALS: actuals}


_SAMPLE = _sample()


@pytest.fixture
def sheets() -> dict:
    """A fresh copy of the sample's sheets (edit freely)."""
    return copy.deepcopy(_SAMPLE)


def _edit(sheets: dict, sheet: str, find_col: str, find_value, changes: dict) -> None:
    """Type into the rows of `sheet` whose `find_col` is `find_value` (header on row 2, or 1)."""
    rows = sheets[sheet]
    h = next(i for i, r in enumerate(rows) if find_col in r)
    head = rows[h]
    hits = 0
    for row in rows[h + 1:]:
        if row[head.index(find_col)] == find_value:
            for col, v in changes.items():
                j = head.index(col)
                row.extend([None] * (j + 1 - len(row)))
                row[j] = v
            hits += 1
    assert hits, f"{find_value} not found on {sheet}"


@pytest.fixture
def edit():
    return _edit


@pytest.fixture
def open_book():
    return lambda sheets: load_book(sheets, required=())


@pytest.fixture(scope="session")
def sample_book():
    """The sample, opened once (read-only use: frames are cached on the book)."""
    return load_book(copy.deepcopy(_SAMPLE), required=())


@pytest.fixture(scope="session")
def model(sample_book):
    """The sample decomposed with progress as of 2026-09-30 (shared: do not change it)."""
    from addin.targets import build_model
    return build_model(sample_book, YEAR, AS_OF)
