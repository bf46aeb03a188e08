"""Go's `strconv` quoting (`Quote`, `QuoteToASCII`, `QuoteRune`): the `%q` verb and every quoted name in
Go's error messages go through these rules, so they live apart from the fmt state machine that uses them."""

from __future__ import annotations

MAX_RUNE = 0x10FFFF
_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def is_print(ch: str) -> bool:
    """strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space."""
    return ch.isprintable()


def _escape_rune(out: list[str], ch: str, quote_char: str, ascii_only: bool) -> None:
    if ch == quote_char or ch == "\\":
        out.append("\\" + ch)
        return
    code = ord(ch)
    if (code < 0x80 or not ascii_only) and is_print(ch) and not 0xD800 <= code <= 0xDFFF:
        out.append(ch)
        return
    esc = _ESCAPES.get(ch)
    if esc is not None:
        out.append(esc)
    elif code < 0x20 or code == 0x7F:
        out.append(f"\\x{code:02x}")
    elif 0xDC80 <= code <= 0xDCFF:
        out.append(f"\\x{code - 0xDC00:02x}")  # an invalid UTF-8 byte kept by surrogateescape
    elif 0xD800 <= code <= 0xDFFF:
        out.append("\\ufffd")
    elif code < 0x10000:
        out.append(f"\\u{code:04x}")
    else:
        out.append(f"\\U{code:08x}")


def _quote_with(s: str, quote_char: str, ascii_only: bool) -> str:
    if s.isascii() and s.isprintable() and quote_char not in s and "\\" not in s:
        return quote_char + s + quote_char
    out = [quote_char]
    for ch in s:
        _escape_rune(out, ch, quote_char, ascii_only)
    out.append(quote_char)
    return "".join(out)


def quote(s: str) -> str:
    """strconv.Quote: a double-quoted Go string literal; printable Unicode is kept as is."""
    return _quote_with(s, '"', False)


def quote_to_ascii(s: str) -> str:
    """strconv.QuoteToASCII (`%+q`): like `quote`, but every non-ASCII rune is escaped."""
    return _quote_with(s, '"', True)


def rune_of(code: int) -> str:
    if code < 0 or code > MAX_RUNE or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def quote_rune(code: int, ascii_only: bool = False) -> str:
    """strconv.QuoteRune (`%q` of an integer): a single-quoted Go character literal."""
    return _quote_with(rune_of(code), "'", ascii_only)


def slog_text_value(s: str) -> str:
    """A string value as log/slog's TextHandler writes it (log/slog/text_handler.go, needsQuoting): bare
    unless empty or holding a space, `=`, a character JSON would escape other than `\\`, an invalid UTF-8
    byte, or a non-printable or space rune; then strconv.Quote'd."""
    if s and not any(_slog_needs_quote(ch) for ch in s):
        return s
    return quote(s)


def _slog_needs_quote(ch: str) -> bool:
    if ch < "\x80":
        return ch != "\\" and (ch in ' ="' or ch < " ")
    return ch.isspace() or not is_print(ch) or "\ud800" <= ch <= "\udfff"


def can_backquote(s: str) -> bool:
    for ch in s:
        if ch == "`" or ch == "\ufeff" or (ch < " " and ch != "\t") or ch == "\x7f" or "\udc80" <= ch <= "\udcff":
            return False
    return True
