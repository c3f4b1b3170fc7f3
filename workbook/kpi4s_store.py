"""xlwings "Run main" module for kpi4s_store.xlsx / kpi4s_store.xlsm.

xlwings' ribbon button *Run main* (and the quickstart macro ``SampleCall`` in the .xlsm)
imports the module named after the workbook from the workbook's folder and calls ``main()``.
Rename this file together with the workbook (e.g. 鹏程店.xlsx → 鹏程店.py).
"""
from addin.excel import (  # noqa: F401  (re-exported for RunPython and xlwings Lite)
    appraisal_forms_button,
    decompose_targets_button,
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
