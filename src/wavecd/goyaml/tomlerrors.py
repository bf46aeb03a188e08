"""BurntSushi/toml's error texts for a document Python's tomllib has already refused.

tomllib decides *whether* a text is valid; this module re-reads the invalid text the way BurntSushi's
lexer and parser walk it, to say *what* Helm's `fromToml` prints: `toml: line N (last key "k"): msg`.
It covers the common mistakes (missing value, unterminated string, duplicate key or table, blank key,
trailing garbage, unterminated array or inline table); anything else gets None and the caller falls back
to tomllib's own message. Line numbers follow each version: v1.4.0 (Helm 3) counts an end of input
after its last newline and reports a found newline on the next line; v1.6.0 (Helm 4) does not.
"""

from __future__ import annotations

import tomllib

from wavecd.core import goquote

_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_VALUE_END = frozenset(" \t\r\n,]}#")


class _Fail(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _key_text(path: list[str]) -> str:
    """Key.String(): the pieces as the encoder writes them."""
    from wavecd.goyaml.gotoml import key_piece  # gotoml imports this module for its decode errors

    return ".".join(key_piece(p) for p in path)


def _last_key(path: list[str], own: int) -> str:
    """parser.current(), the `last key` of an error: the context (the table, and any inline table the
    key sits in) as Key.String(), then the key being read, its pieces joined as they are."""
    context, key = path[: len(path) - own], path[len(path) - own :]
    return ".".join(filter(None, (_key_text(context), ".".join(key))))


_KEY_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}


def _decode_basic(text: str) -> str:
    """The value of a basic string's body (its escapes were checked while scanning)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
        elif text[i + 1] in "uU":
            width = 4 if text[i + 1] == "u" else 8
            out.append(chr(int(text[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        else:
            out.append(_KEY_ESCAPES[text[i + 1]])
            i += 2
    return "".join(out)


class _Reader:
    def __init__(self, text: str, helm_major: int):
        self.t = text
        self.n = len(text)
        self.i = 0
        self.v4 = helm_major >= 4
        self.context: list[str] = []
        self.last: list[str] = []
        self.last_own = 0  # how many of `last`'s pieces are the key being read (not its context)
        self.values: set[tuple[str, ...]] = set()
        self.tables: set[tuple[str, ...]] = set()

    # --- error helpers -------------------------------------------------------------------------------

    def _line_at(self, pos: int) -> int:
        return self.t.count("\n", 0, pos) + 1

    def _eof_line(self) -> int:
        return self.t.rstrip("\n").count("\n") + 1 if self.v4 else self.t.count("\n")

    def fail(self, msg: str, *, line: int, key: bool = True) -> _Fail:
        if key and self.last:
            return _Fail(f"toml: line {line} (last key {goquote.quote(_last_key(self.last, self.last_own))}): {msg}")
        return _Fail(f"toml: line {line}: {msg}")

    def eof(self, msg: str, key: bool = True) -> _Fail:
        return self.fail(f"unexpected EOF; {msg}", line=self._eof_line(), key=key)

    # --- scanning ---------------------------------------------------------------------------------

    def peek(self) -> str:
        return self.t[self.i] if self.i < self.n else ""

    def skip_ws(self) -> None:
        while self.i < self.n and self.t[self.i] in " \t":
            self.i += 1

    def skip_ws_nl_comments(self) -> None:
        while self.i < self.n:
            c = self.t[self.i]
            if c in " \t\r\n":
                self.i += 1
            elif c == "#":
                while self.i < self.n and self.t[self.i] != "\n":
                    self.i += 1
            else:
                return

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_ws()
            c = self.peek()
            if c == '"':
                parts.append(_decode_basic(self.string()))
            elif c == "'":
                parts.append(self.string())
            else:
                start = self.i
                while self.i < self.n and self.t[self.i] in _BARE_KEY:
                    self.i += 1
                if self.i == start:
                    if c == "=":
                        raise self.fail("unexpected '=': key name appears blank", line=self._line_at(self.i), key=False)
                    if not c:
                        raise self.eof("expected key separator '='", key=False)
                    raise _Unknown
                parts.append(self.t[start : self.i])
            self.skip_ws()
            if self.peek() != ".":
                return parts
            self.i += 1

    def string(self) -> str:
        t = self.t
        if t.startswith('"""', self.i) or t.startswith("'''", self.i):
            quote = t[self.i : self.i + 3]
            end = t.find(quote, self.i + 3)
            if end < 0:
                raise self.eof("expected " + (goquote.quote(quote) if quote[0] == "'" else f"'{quote}'"))
            self.i = end + 3
            return t[self.i - 3 : end]
        quote = t[self.i]
        self.i += 1
        start = self.i
        while True:
            if self.i >= self.n:
                raise self.eof("expected " + ("'\"'" if quote == '"' else '"\'"'))
            c = t[self.i]
            if c == "\n":
                raise self.fail("strings cannot contain newlines", line=self._line_at(self.i))
            if c == quote:
                self.i += 1
                return t[start : self.i - 1]
            if c == "\\" and quote == '"':
                e = t[self.i + 1 : self.i + 2]
                if e not in ('"', "\\", "b", "f", "n", "r", "t", "u", "U", "e"):
                    raise self.fail(f"invalid escape in string '\\{e}'", line=self._line_at(self.i))
                self.i += 2
                continue
            self.i += 1

    def value(self) -> None:
        self.skip_ws()
        c = self.peek()
        if not c:
            raise self.eof("expected value")
        if c in "\r\n":
            line = self._line_at(self.i) + (0 if self.v4 else 1)
            raise self.fail("expected value but found '\\n' instead", line=line)
        if c in ('"', "'"):
            self.string()
        elif c == "[":
            self.array()
        elif c == "{":
            self.inline_table()
        else:
            start = self.i
            while self.i < self.n and self.t[self.i] not in _VALUE_END:
                self.i += 1
            word = self.t[start : self.i]
            try:
                tomllib.loads("x = " + word)
            except tomllib.TOMLDecodeError:
                if word.isalpha():
                    raise self.fail(
                        f"expected value but found {goquote.quote(word)} instead", line=self._line_at(start)
                    ) from None
                raise _Unknown from None

    def array(self) -> None:
        self.i += 1
        while True:
            self.skip_ws_nl_comments()
            if self.peek() == "]":
                self.i += 1
                return
            self.value()
            self.skip_ws_nl_comments()
            c = self.peek()
            if c == ",":
                self.i += 1
            elif c == "]":
                self.i += 1
                return
            elif not c:
                msg = "expected a comma (',') or array terminator (']'), but got end of file"
                raise self.fail(msg, line=self._eof_line())
            else:
                raise _Unknown

    def inline_table(self) -> None:
        self.i += 1
        outer, outer_own = self.last, self.last_own
        while True:
            self.skip_ws()
            if self.peek() == "}":
                self.i += 1
                self.last, self.last_own = outer, outer_own
                return
            parts = self.key()
            self.last, self.last_own = outer + parts, len(parts)
            self.skip_ws()
            if self.peek() != "=":
                raise _Unknown
            self.i += 1
            self.value()
            self.skip_ws()
            c = self.peek()
            if c == ",":
                self.i += 1
            elif c == "}":
                self.i += 1
                self.last, self.last_own = outer, outer_own
                return
            elif not c:
                msg = "expected a comma or an inline table terminator '}', but got end of file instead"
                raise self.fail(msg, line=self._eof_line())
            else:
                raise _Unknown

    # --- statements -------------------------------------------------------------------------------

    def header(self) -> None:
        array = self.t.startswith("[[", self.i)
        line = self._line_at(self.i)
        self.i += 2 if array else 1
        path = tuple(self.key())
        self.skip_ws()
        closer = "]]" if array else "]"
        if not self.t.startswith(closer, self.i):
            raise _Unknown
        self.i += len(closer)
        # BurntSushi names the header's parent as the last key of its errors
        self.last, self.last_own = list(path[:-1]), 0
        if path in self.values or (not array and path in self.tables):
            raise self.fail(f"Key {_squote(_key_text(list(path)))} has already been defined.", line=line)
        self.tables.add(path)
        self.context = list(path)
        self.last = list(path)

    def key_value(self) -> None:
        line = self._line_at(self.i)
        parts = self.key()
        full = tuple(self.context + parts)
        self.last, self.last_own = list(full), len(parts)
        if self.peek() != "=":
            if not self.peek():
                raise self.eof("expected key separator '='", key=False)
            raise _Unknown
        self.i += 1
        if full in self.values or full in self.tables:
            raise self.fail(f"Key {_squote(_key_text(list(full)))} has already been defined.", line=line)
        self.values.add(full)
        self.value()
        self.last, self.last_own = list(self.context), 0

    def document(self) -> None:
        while True:
            self.skip_ws_nl_comments()
            if self.i >= self.n:
                return
            if self.peek() == "[":
                self.header()
            else:
                self.key_value()
            self.skip_ws()
            c = self.peek()
            if c and c not in "\r\n#":
                msg = f"expected a top-level item to end with a newline, comment, or EOF, but got '{c}' instead"
                raise self.fail(msg, line=self._line_at(self.i))


class _Unknown(Exception):
    """A mistake this module does not describe."""


def _squote(s: str) -> str:
    return f"'{s}'"


def burntsushi_error(text: str, helm_major: int) -> str | None:
    """BurntSushi's message for an invalid TOML text, or None when this module cannot tell."""
    try:
        _Reader(text, helm_major).document()
    except _Fail as e:
        return e.message
    except (_Unknown, IndexError, RecursionError):
        return None
    return None
