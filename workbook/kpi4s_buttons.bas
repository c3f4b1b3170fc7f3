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

Sub GoalForms()          ' 目标设定表
    RunPython "import addin.excel; addin.excel.goal_forms_button()"
End Sub

Sub ApproveMonth()       ' 审批 (one step; 设置「操作人」 or the login name is recorded)
    RunPython "import addin.excel; addin.excel.approve_button()"
End Sub

Sub RejectMonth()        ' 退回
    RunPython "import addin.excel; addin.excel.reject_button()"
End Sub

Sub MonthlyReportOverride()   ' 覆盖重算 (设置「覆盖理由」 required)
    RunPython "import addin.excel; addin.excel.monthly_report_override_button()"
End Sub

Sub PayrollHandoff()     ' 工资接口
    RunPython "import addin.excel; addin.excel.payroll_button()"
End Sub

Sub ApplyAppeals()       ' 申述改分生效
    RunPython "import addin.excel; addin.excel.apply_appeals_button()"
End Sub

Sub YearEnd()            ' 年终资料
    RunPython "import addin.excel; addin.excel.year_end_button()"
End Sub
