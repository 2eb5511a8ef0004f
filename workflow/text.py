"""The one text normaliser. Everything people type, and every text a call definition or a file
name brings in, passes through `clean()` on the way in; every document renderer passes stored text
through `printable()` on the way out, so text stored before these rules cannot break a document.

What goes: code points XML 1.0 forbids (C0 controls but tab and line feed, lone surrogates,
U+FFFE/U+FFFF and the other non-characters), C1 controls, DEL. Text is in NFC, so "é" typed on
two keyboards compares and sorts the same. A one-line value also loses its line breaks and tabs.
"""
from __future__ import annotations

import re
import unicodedata

# Forbidden in XML 1.0 (python-docx and openpyxl refuse them), or invisible controls.
_FORBIDDEN = (r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
              r"\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
              r"\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
              r"\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
              r"\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff")
FORBIDDEN = re.compile(f"[{_FORBIDDEN}]")
LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029\x85]+")


def clean(value, *, multiline: bool = True):
    """Text as Missiva stores it; anything that is not a string is returned as it is."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        value = LINE_BREAKS.sub(" ", value)
    return unicodedata.normalize("NFC", FORBIDDEN.sub("", value))


def clean_line(value):
    """A one-line value (a name, a file name, a subject): no line breaks or tabs."""
    return clean(value, multiline=False)


def map_strings(function, value):
    """`function` applied to every string in nested lists and mappings (keys too)."""
    if isinstance(value, str):
        return function(value)
    if isinstance(value, dict):
        return {map_strings(function, k): map_strings(function, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [map_strings(function, v) for v in value]
    return value


def clean_tree(value):
    return map_strings(clean, value)


def printable(value) -> str:
    """Stored text made safe for a document (DOCX, XLSX, PDF): whatever predates `clean()`."""
    if value is None:
        return ""
    return FORBIDDEN.sub("", str(value))


def printable_tree(value):
    return map_strings(printable, value)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_text(value):
    """A cell value that a spreadsheet will show and never evaluate (OWASP CSV injection):
    text that starts like a formula gets a leading apostrophe. Numbers stay numbers."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return value
    text = printable(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def name_key(value: str) -> str:
    """How a name sorts for people: accents and case ignored (Haití between Guyana and Honduras)."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def sort_by_name(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name as people read it."""
    return sorted(pairs, key=lambda pair: (name_key(pair[1]), pair[0]))
