"""xlwings "Run main" module for kpi4s_group.xlsx (the group workbook, SPEC §8).

xlwings' ribbon button *Run main* imports the module named after the workbook from the
workbook's folder and calls ``main()``: here the 集团汇总 button. Rename this file together
with the workbook (e.g. 鹏程集团.xlsx → 鹏程集团.py).
"""
from addin.excel import group_report_button  # noqa: F401  (re-exported for RunPython)


def main():
    group_report_button()


if __name__ == "__main__":
    import xlwings as xw

    xw.Book("kpi4s_group.xlsx").set_mock_caller()
    main()
