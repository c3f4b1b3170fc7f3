"""The hostile suite's shared modules, importable by name: runner.py (the real command, forked),
corpus.py (bad workbooks and odd inputs), bad_files.py (files that are not workbooks kpi4s can
read), faults.py (real processes, kills, small disks) and fuzz.py (the worksheet functions
through xlwings' Office.js runtime)."""
import importlib.util
import sys
from pathlib import Path


def _load(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load("runner")
_load("corpus")
_load("bad_files")
_load("faults")
_load("fuzz")
