"""Helpers for files people open in spreadsheet programs (CSV exports)."""

from __future__ import annotations

# Spreadsheet programs read a cell that starts with one of these as a formula, which
# can run commands or send data elsewhere when the file is opened (CSV injection);
# tab and carriage return are skipped by some before they look at the next character.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """``value`` as a cell a spreadsheet shows as text: a leading apostrophe before a
    formula start (the apostrophe itself is not shown)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
