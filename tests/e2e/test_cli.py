"""The kpi4s command itself (installed console script, or the module when run from a checkout)."""
import os
import subprocess
import sys
from pathlib import Path

import udfs


def kpi4s(*args):
    # the console script installed beside this interpreter (a `kpi4s` elsewhere on PATH may
    # belong to another checkout), else the module
    exe = Path(sys.executable).with_name("kpi4s.exe" if os.name == "nt" else "kpi4s")
    cmd = [str(exe), *args] if exe.is_file() else [sys.executable, "-m", "addin.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=300,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_version():
    out = kpi4s("--version")
    assert out.returncode == 0 and out.stdout.startswith("kpi4s ")


def test_functions_lists_every_worksheet_function_with_its_help():
    out = kpi4s("functions")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert [line.split()[0] for line in lines] == udfs.__all__
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)
