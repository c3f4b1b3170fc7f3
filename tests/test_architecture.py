"""The shape of the house, enforced: dependencies point one way, no cycles, small modules,
rules without I/O. Import graph by grimp (the engine of import-linter); the layer contract is
also in setup.cfg's [importlinter] section for `lint-imports`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("udfs", "addin", "workbook")

# top to bottom: a module may import only from its own layer's module or from layers below
LAYERS = [
    ("addin.cli", "addin.excel", "addin.demo", "addin.excel_setup", "workbook.kpi4s_store",
     "workbook.kpi4s_group"),                                         # the doors ("Run main" modules too)
    ("workbook",),                                                    # template builders
    ("addin.macros", "addin.documents"),                             # the macros behind the buttons
    ("addin.cycle",),                                                 # goals, approval, payroll, appeals, year end
    ("addin.render",),                                                # report, targets, forms, letters
    ("addin.group",),                                                 # the dealer group: roll-up, archive
    ("addin.dms",),                                                   # DMS exports → KPI actuals (SPEC §7)
    ("addin.month",),                                                 # the month end pipeline
    ("addin.targets",),                                               # target decomposition
    ("addin.ooxml",),                                                 # the sheet transplant
    ("addin.io",),                                                    # schemas, reading, saving
    ("udfs.functions", "udfs._cells"),                                # the worksheet-function surface
    ("udfs.policy",),
    ("udfs.scoring", "udfs.grading", "udfs.periods", "udfs.pay", "udfs.dates", "udfs.consequences",
     "udfs.decompose", "udfs.kpis", "udfs.cycle", "udfs.dms"),       # SPEC §3, §7 and §9 rules
    ("udfs.parse", "udfs.dms_sql"),                                   # the one parser; the DMS definitions (data)
    ("udfs.vocab",),
]
IO_LIBRARIES = ("openpyxl", "python_calamine", "xlsxwriter", "docx", "docxtpl", "zipfile", "subprocess", "shutil",
                "duckdb")
RULE_MODULES = LAYERS[-3] + LAYERS[-2] + LAYERS[-1] + ("udfs.policy",)


@pytest.fixture(scope="module")
def graph():
    sys.path.insert(0, str(ROOT))
    return grimp.build_graph(*PACKAGES, include_external_packages=True)


def _layer_of(module: str) -> int | None:
    for i, layer in enumerate(LAYERS):
        if any(module == m or module.startswith(m + ".") for m in layer):
            return i
    return None


def _ours(graph) -> list[str]:
    return sorted(m for m in graph.modules if m.split(".")[0] in PACKAGES)


def test_every_module_belongs_to_a_layer(graph):
    loose = [m for m in _ours(graph) if _layer_of(m) is None and m not in PACKAGES and m != "addin.__init__"]
    assert loose == [], f"modules outside the layer map: {loose}"


def test_dependencies_point_down(graph):
    wrong = []
    for m in _ours(graph):
        mine = _layer_of(m)
        for dep in graph.find_modules_directly_imported_by(m):
            theirs = _layer_of(dep)
            if mine is not None and theirs is not None and theirs < mine:
                line = graph.get_import_details(importer=m, imported=dep)
                wrong.append(f"{m} → {dep} (line {line[0]['line_number'] if line else '?'})")
    assert wrong == [], "imports pointing up:\n" + "\n".join(wrong)


def test_no_import_cycles(graph):
    """Tarjan's strongly connected components over our modules (function-level imports count)."""
    ours = set(_ours(graph))
    edges = {m: [d for d in graph.find_modules_directly_imported_by(m) if d in ours] for m in ours}
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(ours):
        if v not in index:
            visit(v)
    # a package's __init__ re-exporting its own submodules is not a cycle of responsibilities
    real = [c for c in comps if not all(m.rsplit(".", 1)[0] in c or m in PACKAGES for m in c)]
    assert real == [], f"import cycles: {real}"


def test_rules_hold_no_file_or_excel_io(graph):
    bad = []
    for m in _ours(graph):
        if any(m == r for r in RULE_MODULES):
            for dep in graph.find_modules_directly_imported_by(m):
                if dep.split(".")[0] in IO_LIBRARIES + ("xlwings", "addin", "workbook"):
                    bad.append(f"{m} → {dep}")
    assert bad == []


def test_only_the_function_surface_imports_xlwings(graph):
    users = sorted(m for m in graph.find_modules_that_directly_import("xlwings") if m.startswith("udfs"))
    assert users == ["udfs.functions"]


def test_no_module_over_500_lines():
    big = []
    for pkg in PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            n = sum(1 for _ in f.open(encoding="utf-8"))
            if n > 500:
                big.append(f"{f.relative_to(ROOT)}: {n}")
    assert big == [], big


def test_import_linter_contract_holds():
    """The same layers through import-linter's own command (setup.cfg [importlinter])."""
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter not installed")
    run = subprocess.run([str(lint), "--config", str(ROOT / "setup.cfg")], cwd=ROOT, capture_output=True,
                         text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
