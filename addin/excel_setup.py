"""`kpi4s excel install` and `kpi4s excel doctor`: the Excel desktop set-up in one step.

install copies xlwings' own add-in (xlwings.xlam, the RunPython / worksheet-function bridge)
and kpi4s.xlam (the 绩效考核 ribbon tab) into Excel's start-up folder (XLSTART: loaded at
every start) and writes xlwings' user settings (xlwings.conf: the Python interpreter of this
installation, ``UDF Modules`` = udfs). doctor checks each of these and says what is missing.

Windows (and macOS) is where Excel runs; the file-writing parts run anywhere, so the folders
can be given explicitly (``--xlstart``, ``--config``) and are tested on Linux. xlwings Lite
needs none of this (see the README): it runs in Excel's own Python sandbox.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from addin.io.save import atomic_save

WORKBOOK_DIR = Path(__file__).resolve().parent.parent / "workbook"
KPI4S_ADDIN = WORKBOOK_DIR / "kpi4s.xlam"
UDF_MODULES = "udfs"
_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"\s*$')


def xlstart_dir(given=None) -> Path | None:
    """Excel's per-user start-up folder: --xlstart, else KPI4S_XLSTART, else the platform's."""
    given = given or os.environ.get("KPI4S_XLSTART")
    if given:
        return Path(given)
    if sys.platform.startswith("win") and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content" / "Startup" / "Excel"
    return None


def config_file(given=None) -> Path:
    """xlwings' user settings file (what its add-in reads): --config or xlwings' own location."""
    if given:
        return Path(given)
    import xlwings
    return Path(xlwings.USER_CONFIG_FILE)


def interpreter_key() -> str:
    return "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"


def _encoding() -> str:
    # the add-in's VBA reads the file in the system's ANSI code page (GBK on a Chinese Windows)
    return "mbcs" if os.name == "nt" else "utf-8"


def read_config(path: Path) -> dict[str, str]:
    """{key: value} of an xlwings.conf ("KEY","VALUE" lines); keys keep their spelling."""
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding=_encoding(), errors="replace").splitlines():
        m = _LINE.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def _get(config: dict, key: str) -> str | None:
    return next((v for k, v in config.items() if k.lower() == key.lower()), None)


def write_config(path: Path, updates: dict[str, str]) -> dict[str, str]:
    """Set these keys (case-insensitively replacing old spellings), keep every other line."""
    config = {k: v for k, v in read_config(path).items() if k.lower() not in {u.lower() for u in updates}}
    config.update(updates)
    bad = [v for v in config.values() if '"' in v or "\n" in v]
    if bad:
        raise ValueError(f"xlwings.conf 的值不能包含引号或换行：{bad[0]}")
    text = "".join(f'"{k}","{v}"\n' for k, v in config.items())
    atomic_save(lambda tmp: Path(tmp).write_text(text, encoding=_encoding()), path)
    return config


def xlwings_addin() -> Path:
    import xlwings
    return Path(xlwings.__file__).parent / "addin" / "xlwings.xlam"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _copy(src: Path, folder: Path) -> Path:
    dest = folder / src.name
    try:
        atomic_save(lambda tmp: shutil.copyfile(src, tmp), dest)
    except PermissionError:
        raise RuntimeError(f"无法写入 {dest}：Excel 可能正在运行并占用该文件，请关闭 Excel 后重试。") from None
    return dest


def install(xlstart=None, config=None, interpreter: str | None = None) -> list[str]:
    """Copy the two add-ins into XLSTART and write xlwings.conf; returns the lines to show."""
    folder = xlstart_dir(xlstart)
    if folder is None:
        raise RuntimeError("找不到 Excel 的启动文件夹（XLSTART）：请用 --xlstart 指定，"
                           "例如 %APPDATA%\\Microsoft\\Excel\\XLSTART。")
    if not KPI4S_ADDIN.is_file():
        raise RuntimeError(f"缺少 {KPI4S_ADDIN}：安装包不完整，请重新安装 kpi4s。")
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"已安装 xlwings 加载项：{_copy(xlwings_addin(), folder)}",
             f"已安装 kpi4s 加载项（功能区「绩效考核」）：{_copy(KPI4S_ADDIN, folder)}"]
    path = config_file(config)
    python = interpreter or sys.executable
    write_config(path, {interpreter_key(): python, "UDF Modules": UDF_MODULES})
    lines.append(f"已写入 xlwings 设置 {path}：Python = {python}，UDF Modules = {UDF_MODULES}")
    lines += ["下一步：重新启动 Excel，功能区出现「绩效考核」和「xlwings」选项卡。",
              "使用工作表函数（=KPI_SCORE() 等）：在信任中心勾选「信任对 VBA 工程对象模型的访问」，"
              "然后点击「绩效考核 → 导入函数」。",
              "检查安装：kpi4s excel doctor"]
    return lines


@dataclass
class Check:
    ok: bool
    what: str
    detail: str
    required: bool = True

    def line(self) -> str:
        mark = "✓" if self.ok else ("✗" if self.required else "·")
        return f"{mark} {self.what}：{self.detail}"


def doctor(xlstart=None, config=None) -> list[Check]:
    """What the Excel set-up has and lacks (nothing is changed)."""
    checks = [Check(sys.version_info >= (3, 10), "Python", f"{sys.version.split()[0]}（{sys.executable}）")]
    try:
        import udfs
        from addin import __version__
        checks.append(Check(True, "kpi4s", f"{__version__}，{len(udfs.__all__)} 个工作表函数"))
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        checks.append(Check(False, "kpi4s", f"无法导入：{exc}"))
    try:
        import xlwings
        checks.append(Check(True, "xlwings", xlwings.__version__))
    except Exception as exc:  # noqa: BLE001
        checks.append(Check(False, "xlwings", f"未安装：{exc}（pip install xlwings）"))
        xlwings = None
    if xlwings is not None and sys.platform.startswith("win"):
        dlls = sorted(Path(sys.prefix).glob(f"xlwings*-{xlwings.__version__}.dll"))
        checks.append(Check(bool(dlls), "xlwings 运行库", str(dlls[0]) if dlls else
                            f"在 {sys.prefix} 中找不到 xlwings{{32,64}}-{xlwings.__version__}.dll，请重新 pip install xlwings"))
    folder = xlstart_dir(xlstart)
    if folder is None:
        checks.append(Check(False, "Excel 启动文件夹", "本系统上没有 Excel（用 --xlstart 指定文件夹）"))
    else:
        for name, src in (("xlwings 加载项", xlwings_addin() if xlwings else None), ("kpi4s 加载项", KPI4S_ADDIN)):
            dest = folder / (src.name if src else "xlwings.xlam")
            if not dest.is_file():
                checks.append(Check(False, name, f"{dest} 不存在，请运行 kpi4s excel install"))
            elif src is not None and src.is_file() and _digest(src) != _digest(dest):
                checks.append(Check(False, name, f"{dest} 与当前安装的版本不同，请重新运行 kpi4s excel install"))
            else:
                checks.append(Check(True, name, str(dest)))
    path = config_file(config)
    settings = read_config(path)
    python = _get(settings, interpreter_key()) or _get(settings, "INTERPRETER")
    if not path.is_file():
        checks.append(Check(False, "xlwings 设置", f"{path} 不存在，请运行 kpi4s excel install"))
    else:
        checks.append(Check(bool(python) and Path(python).is_file(), "Excel 使用的 Python",
                            f"{python}" if python and Path(python).is_file() else
                            f"{interpreter_key()} {'未设置' if not python else '指向不存在的文件 ' + python}"))
        modules = [m.strip() for m in (_get(settings, "UDF Modules") or "").split(";") if m.strip()]
        checks.append(Check(UDF_MODULES in modules, "工作表函数模块",
                            f"UDF Modules = {';'.join(modules) or '（未设置）'}" +
                            ("" if UDF_MODULES in modules else "，应包含 udfs")))
    from addin.io.pdf import soffice_path
    office = soffice_path()
    checks.append(Check(bool(office), "LibreOffice（生成 PDF，可选）", office or "未安装：--pdf 不可用", required=False))
    if sys.platform.startswith("win"):
        checks.append(_vbom_check())
    return checks


def _vbom_check() -> Check:
    """Trust access to the VBA project object model (导入函数 writes a VBA module)."""
    try:
        import winreg
        for version in ("16.0", "15.0", "14.0"):
            try:
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, rf"Software\Microsoft\Office\{version}\Excel\Security") as k:
                    value, _ = winreg.QueryValueEx(k, "AccessVBOM")
                    return Check(value == 1, "信任对 VBA 工程对象模型的访问（导入函数需要）",
                                 "已开启" if value == 1 else "未开启：文件 → 选项 → 信任中心 → 宏设置", required=False)
            except OSError:
                continue
    except ImportError:
        pass
    return Check(False, "信任对 VBA 工程对象模型的访问（导入函数需要）", "未开启或无法读取：文件 → 选项 → 信任中心 → 宏设置",
                 required=False)
