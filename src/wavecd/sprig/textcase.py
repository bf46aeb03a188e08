"""Word-level string transforms from huandu/xstrings v1.5 and Masterminds/goutils v1.1, and strings.Title.

These libraries have idiosyncrasies charts can observe, kept on purpose: goutils' `Initials`,
`DeleteWhiteSpace` and `Wrap` walk *bytes* (so `initials "élan"` yields `Ã`), `SwapCase` title-cases
a lower-case letter after white space, xstrings splits `HTTPServer` as `HTTP` + `Server`.
"""

from __future__ import annotations

from collections.abc import Callable

from wavecd.sprig.gounicode import (
    is_digit,
    is_invalid,
    is_letter,
    is_lower,
    is_number,
    is_punct,
    is_space,
    is_title,
    is_upper,
    strings_map,
    to_lower,
    to_title,
    to_upper,
    valid_runes,
)
from wavecd.sprig.goval import from_go_bytes, go_bytes

# Bytes that unicode.IsSpace accepts when goutils converts one byte to a rune (Latin-1 view).
_LATIN1_SPACES = frozenset(b"\t\n\v\f\r \x85\xa0")

_INVALID, _NUMBER, _UPPER, _ALPHA, _CONNECTOR, _PUNCT, _OTHER = range(7)


def _is_connector(ch: str) -> bool:
    return ch == "-" or ch == "_" or is_space(ch)


def _is_alphabet(ch: str) -> bool:
    """xstrings' isAlphabet: a letter that is not a CJK ideograph."""
    if not is_letter(ch):
        return False
    code = ord(ch)
    if code < 0x3400:
        return True
    return not (0x4E00 <= code <= 0x9FCC or 0x3400 <= code <= 0x4D85 or 0x20000 <= code <= 0x2B81D)


def _unit(s: str, i: int, prev: str) -> tuple[str, int]:
    """xstrings' nextValidRune: invalid bytes join the valid rune after them (which classifies the unit);
    with none left, the unit takes `prev`. Returns the classifying rune and the index after the unit."""
    n = len(s)
    while i < n and is_invalid(s[i]):
        i += 1
    if i == n:
        return prev, n
    return s[i], i + 1


def _next_word(s: str, i: int) -> tuple[int, int]:
    """xstrings' nextWord from index i: (word type, end index)."""
    n = len(s)
    if i >= n:
        return _INVALID, i
    ch, i = _unit(s, i, "")
    if ch == "":
        return _INVALID, i
    if _is_connector(ch):
        return _CONNECTOR, _extend(s, i, ch, _is_connector)
    if is_punct(ch):
        return _PUNCT, _extend(s, i, ch, is_punct)
    if is_upper(ch):
        if i < n:
            nxt, j = _unit(s, i, ch)
            if is_upper(nxt):
                last_start, i, r = i, j, nxt
                while i < n:
                    r, j = _unit(s, i, r)
                    if not is_upper(r):
                        break
                    last_start, i = i, j
                if i < n and _is_alphabet(r):
                    i = last_start
            elif _is_alphabet(nxt):
                i = _extend(s, j, nxt, _is_lower_alphabet)
        return _UPPER, i
    if _is_alphabet(ch):
        return _ALPHA, _extend(s, i, ch, _is_lower_alphabet)
    if is_number(ch):
        return _NUMBER, _extend(s, i, ch, is_number)
    return _OTHER, _extend(s, i, ch, _is_other)


def _is_lower_alphabet(ch: str) -> bool:
    return _is_alphabet(ch) and not is_upper(ch)


def _is_other(ch: str) -> bool:
    return not (_is_connector(ch) or _is_alphabet(ch) or is_number(ch) or is_punct(ch))


def _extend(s: str, i: int, r: str, keep: Callable[[str], bool]) -> int:
    """Extend a word over the following units while their rune satisfies `keep`."""
    n = len(s)
    while i < n:
        r, j = _unit(s, i, r)
        if not keep(r):
            break
        i = j
    return i


def _lower_word(out: list[str], wt: int, word: str, connector: str) -> None:
    if wt != _UPPER and wt != _CONNECTOR:
        out.append(word)
        return
    for ch in word:
        if is_invalid(ch):
            out.append("\ufffd")
        elif _is_connector(ch):
            out.append(connector)
        elif is_upper(ch):
            out.append(to_lower(ch))
        else:
            out.append(ch)


def _camel_to_lower(s: str, connector: str) -> str:
    """xstrings' camelCaseToLowerCase, behind ToSnakeCase and ToKebabCase."""
    if not s:
        return ""
    out: list[str] = []
    n = len(s)
    start = 0
    wt, end = _next_word(s, 0)
    while end < n:
        word = s[start:end]
        if wt != _CONNECTOR:
            _lower_word(out, wt, word, connector)
        prev, last = wt, word
        start = end
        wt, end = _next_word(s, start)
        if prev == _NUMBER:
            while wt in (_ALPHA, _NUMBER):
                _lower_word(out, wt, s[start:end], connector)
                start = end
                wt, end = _next_word(s, start)
            if wt not in (_INVALID, _PUNCT, _CONNECTOR):
                out.append(connector)
        elif prev == _CONNECTOR:
            _lower_word(out, prev, last, connector)
        elif prev == _PUNCT:
            pass
        elif wt != _NUMBER:
            if wt not in (_CONNECTOR, _PUNCT):
                out.append(connector)
        elif end < n:
            last = s[start:end]
            start = end
            wt, end = _next_word(s, start)
            if wt != _ALPHA:
                _lower_word(out, _NUMBER, last, connector)
                if wt not in (_CONNECTOR, _PUNCT):
                    out.append(connector)
            else:
                out.append(connector)
                _lower_word(out, _NUMBER, last, connector)
                while wt in (_ALPHA, _NUMBER):
                    _lower_word(out, wt, s[start:end], connector)
                    start = end
                    wt, end = _next_word(s, start)
                if wt not in (_INVALID, _CONNECTOR, _PUNCT):
                    out.append(connector)
    _lower_word(out, wt, s[start:end], connector)
    return "".join(out)


def snake_case(s: str) -> str:
    """xstrings.ToSnakeCase: `HTTPServer` -> `http_server`."""
    return _camel_to_lower(s, "_")


def kebab_case(s: str) -> str:
    """xstrings.ToKebabCase: `HTTPServer` -> `http-server`."""
    return _camel_to_lower(s, "-")


def pascal_case(s: str) -> str:
    """xstrings.ToPascalCase (Sprig's `camelcase`): `GOLANG_IS_GREAT` -> `GolangIsGreat`."""
    if not s:
        return ""
    s = valid_runes(s)
    out: list[str] = []
    n = len(s)
    i = 0
    first_upper = False
    r0 = ""
    while i < n:
        r0 = s[i]
        i += 1
        if not _is_connector(r0):
            first_upper = is_upper(r0)
            r0 = to_upper(r0)
            break
        out.append(r0)
    if i >= n:
        out.append(r0)
        return "".join(out)
    while i < n:
        r1 = r0
        r0 = s[i]
        i += 1
        if _is_connector(r0) and _is_connector(r1):
            out.append(r1)
            continue
        if _is_connector(r1):
            first_upper = is_upper(r0)
            r0 = to_upper(r0)
        else:
            if first_upper:
                if is_upper(r0):
                    r0 = to_lower(r0)
                else:
                    first_upper = False
            out.append(r1)
    out.append(r0)
    return "".join(out)


def swap_case(s: str) -> str:
    """goutils.SwapCase: upper/title to lower; lower to title after white space, else to upper."""
    s = valid_runes(s)
    out = []
    whitespace = True
    for ch in s:
        if is_upper(ch) or is_title(ch):
            out.append(to_lower(ch))
            whitespace = False
        elif is_lower(ch):
            out.append(to_title(ch) if whitespace else to_upper(ch))
            whitespace = False
        else:
            out.append(ch)
            whitespace = is_space(ch)
    return "".join(out)


def uncapitalize(s: str) -> str:
    """goutils.Uncapitalize: lower-case the first rune of every white-space separated word."""
    s = valid_runes(s)
    out = []
    next_word = True
    for ch in s:
        if is_space(ch):
            next_word = True
            out.append(ch)
        elif next_word:
            out.append(to_lower(ch))
            next_word = False
        else:
            out.append(ch)
    return "".join(out)


def initials(s: str) -> str:
    """goutils.Initials: the first byte of every word, each byte written as the rune of its value."""
    picked = []
    gap = True
    for b in go_bytes(s):
        if b in _LATIN1_SPACES:
            gap = True
        elif gap:
            picked.append(b)
            gap = False
    return bytes(picked).decode("latin-1")


def delete_white_space(s: str) -> str:
    """goutils.DeleteWhiteSpace: byte-wise, so multi-byte characters come out re-encoded as Latin-1 runes."""
    data = go_bytes(s)
    kept = bytes(b for b in data if b not in _LATIN1_SPACES)
    if len(kept) == len(data):
        return s
    return kept.decode("latin-1")


def wrap_custom(s: str, width: int, newline: str, wrap_long_words: bool) -> str:
    """goutils.WrapCustom: byte-based word wrap at spaces; leading spaces of a new line are dropped."""
    if not s:
        return ""
    sep = go_bytes(newline or "\n")
    width = max(width, 1)
    data = go_bytes(s)
    n = len(data)
    offset = 0
    out = bytearray()
    while n - offset > width:
        if data[offset] == 0x20:
            offset += 1
            continue
        space = data.rfind(b" ", offset, width + offset + 1)
        if space >= offset:
            out += data[offset:space] + sep
            offset = space + 1
        elif wrap_long_words:
            out += data[offset : offset + width] + sep
            offset += width
        else:
            space = data.find(b" ", width + offset)
            if space == -1:
                out += data[offset:]
                offset = n
            else:
                out += data[offset:space] + sep
                offset = space + 1
    out += data[offset:]
    return from_go_bytes(bytes(out))


def abbreviate_full(s: str, offset: int, width: int) -> str:
    """goutils.AbbreviateFull with its argument errors turned into `""` (Sprig discards them)."""
    if not s:
        return ""
    if width < 4:
        return ""
    data = go_bytes(s)
    n = len(data)
    if n <= width:
        return s
    offset = min(offset, n)
    if n - offset < width - 3:
        offset = n - (width - 3)
    if offset <= 4:
        return from_go_bytes(data[: width - 3]) + "..."
    if width < 7:
        return ""
    if offset + width - 3 < n:
        return "..." + abbreviate_full(from_go_bytes(data[offset:]), 0, width - 3)
    return "..." + from_go_bytes(data[n - (width - 3) :])


def _title_separator(ch: str) -> bool:
    if ch < "\x80":
        return not (ch.isalnum() or ch == "_")
    if is_letter(ch) or is_digit(ch):
        return False
    return is_space(ch)


def title(s: str) -> str:
    """strings.Title (deprecated in Go, still Sprig's `title`): title-case each rune after a separator."""
    prev = " "

    def mapping(ch: str) -> str:
        nonlocal prev
        mapped = to_title(ch) if _title_separator(prev) else ch
        prev = ch
        return mapped

    return strings_map(mapping, s)
