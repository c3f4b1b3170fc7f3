Attribute VB_Name = "kpi4s"
' kpi4s buttons: the ribbon tab (customUI14.xml) and Alt+F8 macros of kpi4s.xlam and
' kpi4s_store.xlsm. Every button runs the same Python macro as the kpi4s command line
' (addin.excel.*_button) through the xlwings add-in's RunPython, called late-bound with
' Application.Run, so no VBA reference is needed and a missing add-in gives a clear
' message instead of a compile error.
'
' Built into vbaProject.bin by `python -m workbook.build` (workbook/vba.py). Keep this file
' ASCII: Chinese text is written as \uXXXX escapes and decoded by Zh().
Option Explicit

Private Const XLWINGS_RUNPYTHON As String = "'xlwings.xlam'!RunPython"
Private Const XLWINGS_IMPORT_UDFS As String = "'xlwings.xlam'!ImportPythonUDFs"
Private Const ADDIN_NAME As String = "kpi4s.xlam"

' ---------------------------------------------------------------- ribbon callbacks
Public Sub OnMonthlyReport(ByVal control As Object)
    MonthlyReport
End Sub

Public Sub OnAppraisalForms(ByVal control As Object)
    AppraisalForms
End Sub

Public Sub OnWarningLetters(ByVal control As Object)
    WarningLetters
End Sub

Public Sub OnDecomposeTargets(ByVal control As Object)
    DecomposeTargets
End Sub

Public Sub OnImportDms(ByVal control As Object)
    ImportDms
End Sub

Public Sub OnCheckBook(ByVal control As Object)
    CheckBook
End Sub

Public Sub OnImportFunctions(ByVal control As Object)
    ImportFunctions
End Sub

Public Sub OnGoalForms(ByVal control As Object)
    GoalForms
End Sub

Public Sub OnApproveMonth(ByVal control As Object)
    ApproveMonth
End Sub

Public Sub OnRejectMonth(ByVal control As Object)
    RejectMonth
End Sub

Public Sub OnMonthlyReportOverride(ByVal control As Object)
    MonthlyReportOverride
End Sub

Public Sub OnPayrollHandoff(ByVal control As Object)
    PayrollHandoff
End Sub

Public Sub OnApplyAppeals(ByVal control As Object)
    ApplyAppeals
End Sub

Public Sub OnYearEnd(ByVal control As Object)
    YearEnd
End Sub

Public Sub OnGroupReport(ByVal control As Object)
    GroupReport
End Sub

' The store workbook's own tab hides while kpi4s.xlam is loaded (its tab does the same).
Public Sub GetGroupVisible(ByVal control As Object, ByRef returnedVal)
    returnedVal = ThisWorkbook.IsAddin Or Not AddinLoaded()
End Sub

' The group report button belongs to the add-in: a store workbook's own tab never shows it.
Public Sub GetAddinOnly(ByVal control As Object, ByRef returnedVal)
    returnedVal = ThisWorkbook.IsAddin
End Sub

' ---------------------------------------------------------------- macros (Alt+F8)
Public Sub MonthlyReport()
    RunKpi4s "monthly_report_button"
End Sub

Public Sub AppraisalForms()
    RunKpi4s "appraisal_forms_button"
End Sub

Public Sub WarningLetters()
    RunKpi4s "warning_letters_button"
End Sub

Public Sub DecomposeTargets()
    RunKpi4s "decompose_targets_button"
End Sub

Public Sub ImportDms()
    RunKpi4s "dms_import_button"
End Sub

Public Sub CheckBook()
    RunKpi4s "check_button"
End Sub

Public Sub GoalForms()
    RunKpi4s "goal_forms_button"
End Sub

Public Sub ApproveMonth()
    RunKpi4s "approve_button"
End Sub

Public Sub RejectMonth()
    RunKpi4s "reject_button"
End Sub

Public Sub MonthlyReportOverride()
    RunKpi4s "monthly_report_override_button"
End Sub

Public Sub PayrollHandoff()
    RunKpi4s "payroll_button"
End Sub

Public Sub ApplyAppeals()
    RunKpi4s "apply_appeals_button"
End Sub

Public Sub YearEnd()
    RunKpi4s "year_end_button"
End Sub

Public Sub GroupReport()
    RunKpi4s "group_report_button"
End Sub

Public Sub ImportFunctions()
    ' xlwings writes the worksheet functions of "UDF Modules" (udfs) into the active workbook
    If Not PrepareBook() Then Exit Sub
    On Error GoTo NoXlwings
    Application.Run XLWINGS_IMPORT_UDFS
    Exit Sub
NoXlwings:
    MsgBox Zh("\u672A\u627E\u5230 xlwings \u52A0\u8F7D\u9879\uFF0C\u65E0\u6CD5\u5BFC\u5165\u5DE5\u4F5C\u8868\u51FD\u6570\u3002\u8BF7\u5148\u8FD0\u884C kpi4s excel install\u3002"), vbExclamation, "kpi4s"
End Sub

' ---------------------------------------------------------------- helpers
Private Sub RunKpi4s(ByVal entry As String)
    If Not PrepareBook() Then Exit Sub
    On Error GoTo NoXlwings
    Application.Run XLWINGS_RUNPYTHON, "import addin.excel; addin.excel." & entry & "()"
    Exit Sub
NoXlwings:
    MsgBox Zh("\u672A\u627E\u5230 xlwings \u52A0\u8F7D\u9879\uFF0Ckpi4s \u7684\u6309\u94AE\u65E0\u6CD5\u8FD0\u884C\u3002\n\u8BF7\u5728\u547D\u4EE4\u63D0\u793A\u7B26\u4E2D\u8FD0\u884C kpi4s excel install\uFF0C\u7136\u540E\u91CD\u65B0\u542F\u52A8 Excel\u3002\n\u68C0\u67E5\u5B89\u88C5\uFF1Akpi4s excel doctor") _
        & vbCrLf & "(" & Err.Number & ") " & Err.Description, vbExclamation, "kpi4s"
End Sub

' RunPython works on the active workbook: the store workbook's own buttons act on it.
Private Function PrepareBook() As Boolean
    If Not ThisWorkbook.IsAddin Then ThisWorkbook.Activate
    If ActiveWorkbook Is Nothing Then
        MsgBox Zh("\u8BF7\u5148\u6253\u5F00\u95E8\u5E97\u5DE5\u4F5C\u7C3F\uFF08\u4F8B\u5982 kpi4s_store.xlsm\uFF09\uFF0C\u518D\u70B9\u51FB\u6309\u94AE\u3002"), vbInformation, "kpi4s"
        PrepareBook = False
    Else
        PrepareBook = True
    End If
End Function

Private Function AddinLoaded() As Boolean
    Dim wb As Object
    On Error Resume Next
    Set wb = Application.Workbooks(ADDIN_NAME)
    AddinLoaded = Not (wb Is Nothing)
End Function

' Text from ASCII with \uXXXX escapes and \n line breaks.
Private Function Zh(ByVal text As String) As String
    Dim i As Long, out As String
    i = 1
    Do While i <= Len(text)
        If Mid$(text, i, 2) = "\u" Then
            out = out & ChrW$(CLng("&H" & Mid$(text, i + 2, 4)))
            i = i + 6
        ElseIf Mid$(text, i, 2) = "\n" Then
            out = out & vbCrLf
            i = i + 2
        Else
            out = out & Mid$(text, i, 1)
            i = i + 1
        End If
    Loop
    Zh = out
End Function
