"""Editing .xlsx/.xlsm packages at the zip level with a real XML parser.

replace_sheets transplants whole sheets from a donor package (built in memory by xlsxwriter
or openpyxl) into a user's workbook; every part it does not need to change is copied as the
raw zip member it was. PackageError carries a message for the user (Chinese) when the file
is not a workbook this can edit (corrupt, encrypted, a zip bomb, Strict Open XML).
"""
from addin.ooxml.package import PackageError
from addin.ooxml.transplant import replace_sheets, tidy_styles

__all__ = ["PackageError", "replace_sheets", "tidy_styles"]
