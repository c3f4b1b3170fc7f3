"""`kpi4s excel install` / `kpi4s excel doctor` through the real command, with the Excel
folders given explicitly (their Windows defaults are %APPDATA%\\Microsoft\\Excel\\XLSTART and
%USERPROFILE%\\.xlwings\\xlwings.conf)."""
from __future__ import annotations

import sys
from pathlib import Path

from helpers import digest, kpi4s

from addin import excel_setup


def _paths(tmp_path):
    return tmp_path / "XLSTART", tmp_path / ".xlwings" / "xlwings.conf"


def test_install_copies_both_addins_and_writes_the_settings(tmp_path):
    xlstart, conf = _paths(tmp_path)
    conf.parent.mkdir(parents=True)
    conf.write_text('"LICENSE_KEY","abc"\n"udf modules","myfuncs"\n"INTERPRETER_WIN","C:\\old\\python.exe"\n')
    run = kpi4s("excel", "install", "--xlstart", xlstart, "--config", conf, "--python", sys.executable)
    assert run.returncode == 0, run.stderr
    assert digest(xlstart / "kpi4s.xlam") == digest(excel_setup.KPI4S_ADDIN)
    assert digest(xlstart / "xlwings.xlam") == digest(excel_setup.xlwings_addin())
    settings = excel_setup.read_config(conf)
    assert settings == {"LICENSE_KEY": "abc", excel_setup.interpreter_key(): sys.executable, "UDF Modules": "udfs"}
    assert "重新启动 Excel" in run.stdout and "kpi4s excel doctor" in run.stdout
    again = kpi4s("excel", "install", "--xlstart", xlstart, "--config", conf, "--python", sys.executable)
    assert again.returncode == 0 and excel_setup.read_config(conf) == settings          # idempotent
    doctor = kpi4s("excel", "doctor", "--xlstart", xlstart, "--config", conf)
    assert doctor.returncode == 0, doctor.stdout
    assert "Excel 环境完整" in doctor.stdout and "✗" not in doctor.stdout


def test_doctor_names_what_is_missing(tmp_path):
    xlstart, conf = _paths(tmp_path)
    run = kpi4s("excel", "doctor", "--xlstart", xlstart, "--config", conf)
    assert run.returncode == 3
    assert f"✗ kpi4s 加载项：{xlstart / 'kpi4s.xlam'} 不存在，请运行 kpi4s excel install" in run.stdout
    assert f"✗ xlwings 设置：{conf} 不存在" in run.stdout
    assert "缺少 3 项" in run.stdout


def test_doctor_sees_a_stale_addin_and_a_wrong_interpreter(tmp_path):
    xlstart, conf = _paths(tmp_path)
    assert kpi4s("excel", "install", "--xlstart", xlstart, "--config", conf).returncode == 0
    (xlstart / "kpi4s.xlam").write_bytes(b"an older version")
    excel_setup.write_config(conf, {excel_setup.interpreter_key(): str(tmp_path / "gone" / "python.exe"),
                                    "UDF Modules": "other"})
    run = kpi4s("excel", "doctor", "--xlstart", xlstart, "--config", conf)
    assert run.returncode == 3
    assert "与当前安装的版本不同" in run.stdout
    assert "指向不存在的文件" in run.stdout and "应包含 udfs" in run.stdout


def test_install_without_an_excel_folder_says_how(tmp_path):
    env = {"APPDATA": "", "KPI4S_XLSTART": ""}
    run = kpi4s("excel", "install", "--config", tmp_path / "x.conf", env=env)
    if sys.platform.startswith(("win", "darwin")):
        return                                  # there the default folder exists
    assert run.returncode == 3 and "--xlstart" in run.stderr and "Traceback" not in run.stderr
    assert not Path(tmp_path / "x.conf").exists()
