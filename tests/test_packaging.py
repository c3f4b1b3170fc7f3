"""Packaging stays honest: the floors setup.cfg declares are the versions CI tests at."""
from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _requirements() -> list[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = cfg["options"]["install_requires"].split("\n")
    for extra in cfg["options.extras_require"].values():       # test, audit
        lines += extra.split("\n")
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def test_every_floor_is_pinned_in_the_minimum_constraints():
    pins = dict(re.findall(r"^([\w.-]+)==([\w.]+)$", (ROOT / ".ci" / "constraints-min.txt").read_text(), re.M))
    pins = {k.lower(): v for k, v in pins.items()}
    for req in _requirements():
        name, floor = re.match(r"([\w.-]+)\s*>=\s*([\w.]+)", req).groups()
        assert pins.get(name.lower()) == floor, f"{name}: setup.cfg says >={floor}, constraints-min pins {pins.get(name.lower())}"


def test_ceilings_guard_the_private_internals_we_use():
    reqs = {re.match(r"[\w.-]+", r).group(0).lower(): r for r in _requirements()}
    for name in ("openpyxl", "xlsxwriter", "docxtpl"):        # see tests/test_library_internals.py
        assert "<" in reqs[name], name
