"""PDF copies of the documents through LibreOffice (``soffice --convert-to pdf``), when installed,
and recalculated copies of workbooks (what LibreOffice/WPS users see of native formulas).

``KPI4S_SOFFICE`` names the program to use (or, set to a path that does not exist, pretends
LibreOffice is missing). Every conversion runs with its own throw-away user profile, so it
works next to an open LibreOffice and two runs at once do not lock each other out.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

NO_SOFFICE = "未找到 LibreOffice（soffice 命令），未生成 PDF；请安装 LibreOffice 后重试，Word/Excel 文件已正常生成。"


class PdfUnavailable(RuntimeError):
    """PDFs were asked for but LibreOffice is missing; ``str()`` is :data:`NO_SOFFICE`.

    Raised after the Word/Excel files were written: ``run`` (set by the caller) holds them.
    """

    def __init__(self, message: str = NO_SOFFICE):
        super().__init__(message)
        self.run = None


def soffice_path() -> str | None:
    """The LibreOffice program (KPI4S_SOFFICE, else soffice / libreoffice on PATH), or None."""
    env = os.environ.get("KPI4S_SOFFICE")
    if env is not None:
        return env if env and (os.path.exists(env) or shutil.which(env)) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_pdf(files: Iterable, out_dir, timeout: float = 600) -> list[Path]:
    """Convert the files to PDF in ``out_dir`` with one LibreOffice call → the PDFs (same stems).

    Raises :class:`PdfUnavailable` without LibreOffice, RuntimeError naming the files it could
    not convert.
    """
    exe = soffice_path()
    if not exe:
        raise PdfUnavailable()
    files = [Path(f) for f in files]
    if not files:
        return []
    out_dir = Path(out_dir)
    pdfs = [out_dir / (f.stem + ".pdf") for f in files]
    for p in pdfs:                     # an old copy must not pass for a new one
        p.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpi4s-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir)] + [str(f) for f in files]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"LibreOffice 转换 PDF 超时（{timeout:.0f} 秒）") from None
    missing = [p.name for p in pdfs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice 未能转换 {len(missing)} 个文件（{', '.join(missing[:3])}）："
                           f"{(proc.stderr or '').strip()[:300]}")
    return pdfs


# LibreOffice does not recalculate Excel files on load by default (it shows the cached values,
# which xlsxwriter writes as 0): this profile setting makes it always recalculate.
_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculated(files: Iterable, out_dir, timeout: float = 600) -> list[Path]:
    """Copies of the workbooks recalculated by LibreOffice ("always recalculate on load", in a
    throw-away profile) and saved as .xlsx in ``out_dir``: what a LibreOffice or WPS user sees
    of the native formulas. Raises :class:`PdfUnavailable`-style RuntimeError without soffice."""
    exe = soffice_path()
    if not exe:
        raise PdfUnavailable("未找到 LibreOffice（soffice 命令），无法重新计算工作簿。")
    files = [Path(f) for f in files]
    out_dir = Path(out_dir)
    outs = [out_dir / (f.stem + ".xlsx") for f in files]
    if any(o.resolve() == f.resolve() for o, f in zip(outs, files)):
        raise ValueError("recalculated copies must go to another folder")
    for o in outs:
        o.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpi4s-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir)] + [str(f) for f in files]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"LibreOffice 重新计算超时（{timeout:.0f} 秒）") from None
    missing = [o.name for o in outs if not o.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice 未能重新计算 {', '.join(missing[:3])}：{(proc.stderr or '').strip()[:300]}")
    return outs


__all__ = ["NO_SOFFICE", "PdfUnavailable", "soffice_path", "convert_pdf", "recalculated"]
