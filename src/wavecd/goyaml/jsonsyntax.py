"""encoding/json's syntax errors: which message Go's scanner gives for the first fault in a text.

Python's json module finds the same faults but words them differently; this small port of Go's scanner
runs only on texts already known to be invalid. At the end of the input Go's scanner sees a space, hence
`invalid character ' ' in literal true` for a truncated `tru`.
"""

from __future__ import annotations

from wavecd.core import goquote


def _quote_char(c: str) -> str:
    """encoding/json's quoteChar (encoding/json/scanner.go) of the offending byte: `'\\''` and `'"'` as
    special cases, else strconv.Quote of the byte taken as a rune (so 0x80-0xFF read as U+0080-U+00FF).
    An invalid UTF-8 byte kept by surrogateescape is that byte itself."""
    b = ord(c) - 0xDC00 if "\udc80" <= c <= "\udcff" else c.encode("utf-8", "surrogatepass")[0]
    if b == 0x27:
        return "'\\''"
    if b == 0x22:
        return "'\"'"
    return "'" + goquote.quote(chr(b))[1:-1] + "'"


def syntax_error(text: str) -> str:
    """The message of encoding/json's scanner for an invalid text (checkValid runs before decoding)."""
    return _Scanner(text).run()


class _Scanner:
    """A port of the state machine of encoding/json's scanner, only to name the first error."""

    def __init__(self, text: str):
        self.text = text
        self.stack: list[str] = []

    def err(self, c: str, context: str) -> str:
        return f"invalid character {_quote_char(c)} {context}"

    def run(self) -> str:
        t = self.text
        n = len(t)
        i = self._skip(0)
        if i >= n:
            return "unexpected end of JSON input"
        r = self._value(i, "looking for beginning of value")
        if isinstance(r, str):
            return r
        i = self._skip(r)
        if i < n:
            return self.err(t[i], "after top-level value")
        return "unexpected end of JSON input"

    def _skip(self, i: int) -> int:
        t = self.text
        while i < len(t) and t[i] in " \t\r\n":
            i += 1
        return i

    def _value(self, i: int, context: str) -> int | str:
        t = self.text
        if i >= len(t):
            return "unexpected end of JSON input"
        c = t[i]
        if c == "{":
            return self._object(i + 1)
        if c == "[":
            return self._array(i + 1)
        if c == '"':
            return self._string(i + 1)
        if c == "-" or (c.isdigit() and c.isascii()):
            return self._number(i)
        for word in ("true", "false", "null"):
            if c == word[0]:
                for k, expect in enumerate(word[1:], 1):
                    c2 = t[i + k] if i + k < len(t) else " "
                    if c2 != expect:
                        return self.err(c2, f"in literal {word} (expecting {_quote_char(expect)})")
                return i + len(word)
        return self.err(c, context)

    def _object(self, i: int) -> int | str:
        t = self.text
        i = self._skip(i)
        if i >= len(t):
            return "unexpected end of JSON input"
        if t[i] == "}":
            return i + 1
        while True:
            if i >= len(t):
                return "unexpected end of JSON input"
            if t[i] != '"':
                return self.err(t[i], "looking for beginning of object key string")
            r = self._string(i + 1)
            if isinstance(r, str):
                return r
            i = self._skip(r)
            if i >= len(t):
                return "unexpected end of JSON input"
            if t[i] != ":":
                return self.err(t[i], "after object key")
            i = self._skip(i + 1)
            r = self._value(i, "looking for beginning of value")
            if isinstance(r, str):
                return r
            i = self._skip(r)
            if i >= len(t):
                return "unexpected end of JSON input"
            if t[i] == "}":
                return i + 1
            if t[i] != ",":
                return self.err(t[i], "after object key:value pair")
            i = self._skip(i + 1)

    def _array(self, i: int) -> int | str:
        t = self.text
        i = self._skip(i)
        if i >= len(t):
            return "unexpected end of JSON input"
        if t[i] == "]":
            return i + 1
        while True:
            r = self._value(i, "looking for beginning of value")
            if isinstance(r, str):
                return r
            i = self._skip(r)
            if i >= len(t):
                return "unexpected end of JSON input"
            if t[i] == "]":
                return i + 1
            if t[i] != ",":
                return self.err(t[i], "after array element")
            i = self._skip(i + 1)

    def _at(self, i: int) -> str:
        """The character at i; past the end Go's scanner sees a space (its eof step)."""
        return self.text[i] if i < len(self.text) else " "

    def _string(self, i: int) -> int | str:
        t = self.text
        n = len(t)
        while i < n:
            c = t[i]
            if c == '"':
                return i + 1
            if c == "\\":
                e = self._at(i + 1)
                if e == "u":
                    for k in range(2, 6):
                        h = self._at(i + k)
                        if h not in "0123456789abcdefABCDEF":
                            return self.err(h, "in \\u hexadecimal character escape")
                    i += 6
                    continue
                if e not in '"\\/bfnrt':
                    return self.err(e, "in string escape code")
                i += 2
                continue
            if ord(c) < 0x20:
                return self.err(c, "in string literal")
            i += 1
        return "unexpected end of JSON input"

    def _digits(self, i: int) -> int:
        while i < len(self.text) and "0" <= self.text[i] <= "9":
            i += 1
        return i

    def _number(self, i: int) -> int | str:
        if self.text[i] == "-":
            i += 1
            c = self._at(i)
            if not ("0" <= c <= "9"):
                return self.err(c, "in numeric literal")
        i = i + 1 if self.text[i] == "0" else self._digits(i)
        if self._at(i) == ".":
            c = self._at(i + 1)
            if not ("0" <= c <= "9"):
                return self.err(c, "after decimal point in numeric literal")
            i = self._digits(i + 1)
        if self._at(i) in "eE":
            i += 1
            if self._at(i) in "+-":
                i += 1
            c = self._at(i)
            if not ("0" <= c <= "9"):
                return self.err(c, "in exponent of numeric literal")
            i = self._digits(i)
        return i
