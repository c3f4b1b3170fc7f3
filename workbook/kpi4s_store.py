"""xlwings "Run main" module for kpi4s_store.xlsx / kpi4s_store.xlsm.

xlwings' ribbon button *Run main* imports the module named after the workbook from the
workbook's folder and calls ``main()`` (= 月度报告). The .xlsm's own buttons (ribbon tab 绩效考核,
workbook/vba/) call addin.excel directly and do not need this file.
Rename this file together with the workbook (e.g. 鹏程店.xlsx → 鹏程店.py).
"""
from addin.excel import (  # noqa: F401  (re-exported for RunPython and xlwings Lite)
    appraisal_forms_button,
    check_button,
    check_script,
    decompose_targets_button,
    decompose_targets_script,
    dms_import_button,
    main,
    monthly_report_button,
    monthly_report_script,
    warning_letters_button,
)

if __name__ == "__main__":
    import xlwings as xw

    xw.Book("kpi4s_store.xlsx").set_mock_caller()
    main()
