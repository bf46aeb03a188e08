"""go-yaml's scalar analysis (`yaml_emitter_analyze_scalar`): which styles can carry a string unchanged.

The emitter picks plain, single-quoted, double-quoted or literal style from these flags. Only block
context matters here: flow collections are only ever written empty (`{}`, `[]`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

# code points go-yaml may write as they are (is_printable): LF, printable ASCII, the BMP minus surrogates,
# BOM and the two non-characters; everything above the BMP is escaped
# Compiling the whole class takes several milliseconds (its ranges span the BMP), on every start-up;
# most values are ASCII, which the small class decides alone.
_NOT_PRINTABLE_ASCII = re.compile("[^\n\x20-\x7e]")
_NOT_PRINTABLE_PATTERN = "[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]"
_BREAKS = "\r\n\x85\u2028\u2029"
_HAS_BREAK = re.compile("[\r\n\x85\u2028\u2029]")
_BREAK_SPACE = re.compile("[\r\n\x85\u2028\u2029] ")
_SPACE_BREAK = re.compile(" [\r\n\x85\u2028\u2029]")
# indicators that forbid a plain scalar anywhere in block context
_BLOCK_INDICATOR = re.compile(":(?:[ \t]|\\Z)|[ \t\r\n\x85\u2028\u2029\x00]#")
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")


class ScalarInfo(NamedTuple):
    multiline: bool
    block_plain_allowed: bool
    single_quoted_allowed: bool
    block_allowed: bool


_EMPTY = ScalarInfo(False, True, True, False)


def analyze(value: str, v3: bool = False) -> ScalarInfo:
    """The flags `yaml_emitter_analyze_scalar` computes for one string (block context).

    v3 treats a tab as printable for literal blocks while still forbidding plain and single quotes.
    """
    if not value:
        return _EMPTY
    first = value[0]
    block_indicators = first in _FIRST_INDICATORS or value.startswith(("---", "..."))
    if not block_indicators and first in "?-":
        block_indicators = len(value) == 1 or value[1] in " \t"
    if not block_indicators:
        block_indicators = _BLOCK_INDICATOR.search(value) is not None

    tabs = False
    if v3 and "\t" in value:
        tabs = True
        special = _has_unprintable(value.replace("\t", " "))
    else:
        special = _has_unprintable(value)
    line_breaks = _HAS_BREAK.search(value) is not None
    last = value[-1]
    leading = first == " " or first in _BREAKS
    trailing_space = last == " "
    trailing = trailing_space or last in _BREAKS
    if line_breaks:
        break_space = _BREAK_SPACE.search(value) is not None
        space_break = _SPACE_BREAK.search(value) is not None
    else:
        break_space = space_break = False

    plain = not (
        leading or trailing or break_space or space_break or special or tabs or line_breaks or block_indicators
    )
    single = not (break_space or space_break or special or tabs)
    block = not (trailing_space or space_break or special)
    return ScalarInfo(line_breaks, plain, single, block)


def is_printable(c: str) -> bool:
    """One character go-yaml writes without escaping in double quotes (before the break/quote checks)."""
    return not _has_unprintable(c)


def _has_unprintable(value: str) -> bool:
    """Whether go-yaml's `is_printable` rejects a character of value (a newline counts as printable)."""
    if value.isascii():
        return _NOT_PRINTABLE_ASCII.search(value) is not None
    return re.compile(_NOT_PRINTABLE_PATTERN).search(value) is not None


BREAK_CHARS = _BREAKS
