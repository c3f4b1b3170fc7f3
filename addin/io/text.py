"""Text safe to write: characters XML 1.0 forbids (control characters pasted from an ERP, and
Excel's own escapes of them such as ``_x0001_``) never reach a file we write."""
from __future__ import annotations

import re

# XML 1.0 allows \t \n \r and U+0020…U+D7FF, U+E000…U+FFFD, U+10000…; surrogates and
# U+FFFE/U+FFFF are out. Excel stores a control character as the escape _x0001_.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile(r"_x(000[0-8bBcCeEfF]|001[0-9a-fA-F])_")


def clean_text(text: str) -> str:
    """Text safe for any XML part: control characters (also as _xHHHH_ escapes) dropped."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if "_x" in text and _EXCEL_ESCAPE.search(text):
        text = _EXCEL_ESCAPE.sub("", text)
    return text


CELL_LIMIT = 32767          # characters Excel keeps in one cell (more is a file it must repair)


def cell_text(text: str) -> str:
    """Text safe for a worksheet cell: :func:`clean_text`, cut to Excel's 32,767 characters."""
    text = clean_text(text)
    return text if len(text) <= CELL_LIMIT else text[:CELL_LIMIT - 1] + "…"


def has_illegal(text: str) -> bool:
    return bool(_ILLEGAL.search(text)) or ("_x" in text and bool(_EXCEL_ESCAPE.search(text)))
