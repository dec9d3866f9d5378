"""Cells of an exported spreadsheet (CSV or xlsx): text that a spreadsheet would take for a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, as OWASP's CSV injection
advice lists) is prefixed with ``'`` so Excel and WPS show it as text and never run it."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value to write in an export: ``""`` for none, neutralised text, anything else as is."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
