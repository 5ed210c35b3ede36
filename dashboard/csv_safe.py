"""CSV rows a spreadsheet opens as data, never as formulas (OWASP: CSV injection).

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a
formula by Excel and LibreOffice (`=HYPERLINK(...)`, `+cmd|...`), so it is prefixed with a
single quote, which they show as text. Numbers are left alone: -3 stays a number. Every
CSV the product writes goes through `safe_row`.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_row(values: Iterable) -> list:
    """The row's cells with each formula-like text cell quoted."""
    return ["'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in values]
