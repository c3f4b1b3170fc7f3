Attribute VB_Name = "kpi4s_buttons"
' kpi4s buttons: import this module into kpi4s_store.xlsm (VBA editor: File > Import File),
' then assign each macro to a button (Developer > Insert > Button).
' Needs the xlwings add-in (xlwings addin install) and a VBA reference to it (Tools > References > xlwings).

Sub MonthlyReport()      ' 月度报告
    RunPython "import addin.excel; addin.excel.monthly_report_button()"
End Sub

Sub AppraisalForms()     ' 评估表
    RunPython "import addin.excel; addin.excel.appraisal_forms_button()"
End Sub

Sub WarningLetters()     ' 警告信
    RunPython "import addin.excel; addin.excel.warning_letters_button()"
End Sub

Sub DecomposeTargets()   ' 目标分解
    RunPython "import addin.excel; addin.excel.decompose_targets_button()"
End Sub

Sub DmsImport()          ' 导入DMS (the exports in 设置「DMS导出文件夹」)
    RunPython "import addin.excel; addin.excel.dms_import_button()"
End Sub
