"""Test set-up. xlwings' Office.js runtime (the one xlwings Lite and xlwings Server use)
needs these two variables before xlwings is first imported; set them for the whole run."""
import os

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


import importlib.util  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _shared(name: str) -> None:
    """Make tests/<name>.py importable as `name` from any test module, without putting tests/ on
    sys.path (there, tests/udfs and tests/io would shadow the real packages of the same name)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_shared("helpers")
_shared("docs_sample")
_shared("officejs")
_shared("cycle_sample")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """`kpi4s demo DIR` through the real command line, once per session: (book path, stdout).

    Tests that change the book work on a copy."""
    folder = tmp_path_factory.mktemp("kpi4s-demo")
    run = subprocess.run([sys.executable, "-m", "addin.cli", "demo", str(folder)], capture_output=True,
                         text=True, encoding="utf-8", cwd=ROOT, timeout=900,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"})
    assert run.returncode == 0, run.stderr[-3000:]
    return folder / "kpi4s_demo.xlsx", run.stdout
