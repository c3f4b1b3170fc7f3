"""Test set-up. xlwings' Office.js runtime (the one xlwings Lite and xlwings Server use)
needs these two variables before xlwings is first imported; set them for the whole run."""
import os

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))        # `import helpers` from any test


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
