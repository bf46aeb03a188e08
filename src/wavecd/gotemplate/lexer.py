"""Tokens of Go's text/template, scanned the way `text/template/parse/lex.go` scans them.

The whole input is scanned eagerly into a list: the parser needs at most three tokens of look-ahead and
the scan stops at the first error token, exactly where Go's lexer would stop emitting. Positions are
character offsets into the text (callers convert to Go's byte columns only when they report an error).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from wavecd.core.goquote import quote as go_quote

# Token types. Keywords sort after KEYWORD, as in Go, so `typ > KEYWORD` tells a keyword.
ERROR, BOOL, CHAR, CHAR_CONSTANT, COMPLEX, ASSIGN, DECLARE, EOF, FIELD, IDENTIFIER = range(10)
LEFT_DELIM, LEFT_PAREN, NUMBER, PIPE, RAW_STRING, RIGHT_DELIM, RIGHT_PAREN, SPACE, STRING = range(10, 19)
TEXT, VARIABLE, KEYWORD = range(19, 22)
BLOCK, BREAK, CONTINUE, DOT, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH = range(22, 34)

KEYWORDS = {
    ".": DOT,
    "block": BLOCK,
    "break": BREAK,
    "continue": CONTINUE,
    "define": DEFINE,
    "else": ELSE,
    "end": END,
    "if": IF,
    "range": RANGE,
    "nil": NIL,
    "template": TEMPLATE,
    "with": WITH,
}


@functools.cache
def _word_types(break_ok: bool, continue_ok: bool) -> dict[str, int]:
    """The token type of each word that is not an identifier: the keywords (`break`/`continue` only
    where a range allows them, as Go's lexer does) and the booleans."""
    words = {**KEYWORDS, "true": BOOL, "false": BOOL}
    if not break_ok:
        del words["break"]
    if not continue_ok:
        del words["continue"]
    return words


LEFT = "{{"
RIGHT = "}}"
SPACE_CHARS = " \t\r\n"

_SPACE_RUN = re.compile(r"[ \t\r\n]+")
# The common tokens inside an action, matched in one step; anything unusual (errors, numbers, spaces
# before a trim marker) goes through the rune-by-rune states below. Groups 1-3 must be followed by a
# terminator, exactly as Go's atTerminator demands.
_FAST = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*)"  # 1 identifier or keyword
    r"|(\.[A-Za-z_][A-Za-z0-9_]*)"  # 2 field
    r"|(\$[A-Za-z0-9_]*)"  # 3 variable
    r'|("(?:[^"\\\n]|\\[^\n])*")'  # 4 quoted string
    r"|(`[^`]*`)"  # 5 raw string
    r"|(\|)"  # 6 pipe
    r"|(:=)"  # 7 declare
    r"|([ \t\r\n]+)(?!-\}\})"  # 8 spaces, short of a " -}}" (which ends the action)
)
_F_IDENT, _NEEDS_TERMINATOR = 1, 3
_FAST_TYPES = {2: FIELD, 3: VARIABLE, 4: STRING, 5: RAW_STRING, 6: PIPE, 7: DECLARE, 8: SPACE}
_TERMINATORS = frozenset(" \t\r\n.,|:)(}")
_DELIM_START = frozenset("} \t\r\n")
# The tokens `simple_action` scans in one step; the body must consist of them only (no newline).
_SIMPLE_TOKEN = re.compile(
    r"([ \t]+)"  # 1 spaces
    r"|([A-Za-z_][A-Za-z0-9_]*)"  # 2 identifier or keyword
    r"|(\$[A-Za-z0-9_]*)"  # 3 variable
    r"|((?:\.[A-Za-z_][A-Za-z0-9_]*)+)"  # 4 fields
    r'|("(?:[^"\\\n]|\\[^\n])*")'  # 5 quoted string
    r"|(\|)"  # 6 pipe
    r"|(:=)"  # 7 declare
    r"|(\.)(?=[ \t|})])"  # 8 dot
    r"|([0-9]+)"  # 9 decimal integer
    r"|(\()"  # 10 left paren
    r"|(\))"  # 11 right paren
)
_FIELD_STEP = re.compile(r"\.[A-Za-z_][A-Za-z0-9_]*")
_S_SPACE, _S_IDENT, _S_FIELDS, _S_NUMBER, _S_LEFT_PAREN, _S_RIGHT_PAREN = 1, 2, 4, 9, 10, 11
_SIMPLE_NEEDS_TERMINATOR = frozenset((2, 3, 4))
_NUMBER_ENDS = frozenset(" \t|()}")
_SIMPLE_TYPES = {
    1: SPACE,
    3: VARIABLE,
    5: STRING,
    6: PIPE,
    7: DECLARE,
    8: DOT,
    9: NUMBER,
    10: LEFT_PAREN,
    11: RIGHT_PAREN,
}
_ALNUM_RUN = re.compile(r"[^\W]*")  # letters, digits (Nd and friends) and underscore
_DIGITS = {10: "0123456789", 16: "0123456789abcdefABCDEF"}


class Token(NamedTuple):
    typ: int
    pos: int
    val: str
    line: int

    def describe(self) -> str:
        """The token as Go's `item.String` prints it inside parse errors."""
        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ > KEYWORD:
            return f"<{self.val}>"
        if len(self.val.encode("utf-8", "surrogatepass")) > 10:  # Go's len() counts bytes
            return go_quote(self.val[:10]) + "..."  # `%.10q...`: the first 10 runes
        return go_quote(self.val)


_new_token = tuple.__new__


def is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdecimal()


def _go_rune_repr(ch: str) -> str:
    """`%#U` of a rune: U+0041 'A'."""
    code = f"U+{ord(ch):04X}"
    return f"{code} '{ch}'" if ch.isprintable() else code


class _Lexer:
    """One scan. `line` tracks the line of `start`; every token carries the line it starts on."""

    def __init__(self, text: str, break_ok: bool, continue_ok: bool, count_comment_lines: bool):
        self.text = text
        self.count_comment_lines = count_comment_lines
        self.lost_lines = 0  # go1.23 did not count the newlines inside comments
        self.line = 1
        self.counted_to = 0
        self.n = len(text)
        self.tokens: list[Token] = []
        self.pos = 0
        self.start = 0
        self.paren_depth = 0
        self.words = _word_types(break_ok, continue_ok)

    def line_at(self, pos: int) -> int:
        """Line of a position; tokens come in order, so newlines are counted incrementally."""
        if pos < self.counted_to:
            return 1 + self.text.count("\n", 0, pos) - self.lost_lines
        self.line += self.text.count("\n", self.counted_to, pos)
        self.counted_to = pos
        return self.line - self.lost_lines

    def emit(self, typ: int) -> None:
        start = self.start
        if start >= self.counted_to:
            self.line += self.text.count("\n", self.counted_to, start)
            self.counted_to = start
            line = self.line - self.lost_lines
        else:
            line = self.line_at(start)
        self.tokens.append(_new_token(Token, (typ, start, self.text[start : self.pos], line)))
        self.start = self.pos

    def error(self, msg: str) -> None:
        self.tokens.append(Token(ERROR, self.start, msg, self.line_at(self.start)))

    def run(self) -> list[Token]:
        text = self.text
        while True:
            x = text.find(LEFT, self.pos)
            if x < 0:
                self.pos = self.n
                if self.pos > self.start:
                    self.emit(TEXT)
                self.emit(EOF)
                return self.tokens
            end = x
            if _has_left_trim(text, x + 2):
                end = self.start + len(text[self.start : x].rstrip(SPACE_CHARS))
            if end > self.start:
                self.pos = end
                self.emit(TEXT)
            self.pos = self.start = x
            if not self.left_delim():
                return self.tokens

    def left_delim(self) -> bool:
        """At `{{`: a comment or an action. Returns False once an error token ends the scan."""
        text = self.text
        self.pos += 2
        trim = _has_left_trim(text, self.pos)
        after = 2 if trim else 0
        if text.startswith("/*", self.pos + after):
            self.pos += after
            self.start = self.pos
            return self.comment()
        self.emit(LEFT_DELIM)
        self.pos += after
        self.start = self.pos
        self.paren_depth = 0
        return self.simple_action() or self.inside_action()

    def simple_action(self) -> bool:
        """Scan a one-line action made only of the common tokens (fields, variables, identifiers, quoted
        strings, pipes, `:=`, dots, spaces) with one regex match per token; most actions of a chart are
        such. Returns False, having consumed nothing, for anything else: `inside_action` then scans it
        rune by rune, with all of Go's errors."""
        text, body = self.text, self.pos
        line = self.line_at(body)  # one line: the tokens hold no newline
        made: list[Token] = []
        add = made.append
        depth = 0
        words = self.words
        match = _SIMPLE_TOKEN.match
        end = body
        while (m := match(text, end)) is not None:  # the tokens in a row, up to the first that is none
            start, end = m.span()
            kind = m.lastindex
            if kind == _S_SPACE:
                add(_new_token(Token, (SPACE, start, text[start:end], line)))
                continue
            if end >= self.n:
                return False  # an unclosed action: the rune scan reports it
            if kind in _SIMPLE_NEEDS_TERMINATOR and text[end] not in _TERMINATORS:
                return False  # Go's "bad character": the rune scan reports it
            if kind == _S_NUMBER and text[end] not in _NUMBER_ENDS:
                return False  # `1.5`, `1e3`, `1_0`, ...: Go's number scan goes on
            if kind == _S_FIELDS:  # `.a.b` is a field token per step
                step = text.find(".", start + 1, end)
                while step > 0:
                    add(_new_token(Token, (FIELD, start, text[start:step], line)))
                    start, step = step, text.find(".", step + 1, end)
                add(_new_token(Token, (FIELD, start, text[start:end], line)))
                continue
            if kind == _S_IDENT:
                word = text[start:end]
                add(_new_token(Token, (words.get(word, IDENTIFIER), start, word, line)))
                continue
            if kind == _S_LEFT_PAREN:
                depth += 1
            elif kind == _S_RIGHT_PAREN:
                depth -= 1
                if depth < 0:
                    return False
            add(_new_token(Token, (_SIMPLE_TYPES[kind], start, text[start:end], line)))
        if not text.startswith(RIGHT, end):
            if not (end > body and text.startswith("-}}", end) and text[end - 1] in " \t"):
                return False
            end -= 1  # the space before "-}}" belongs to the delimiter (`right_delim` trims)
            last = made[-1]
            if last.pos == end:
                made.pop()
            else:
                made[-1] = _new_token(Token, (SPACE, last.pos, text[last.pos : end], line))
        if depth:
            return False
        self.tokens += made
        self.pos = self.start = end
        self.right_delim()
        return True

    def comment(self) -> bool:
        text = self.text
        self.pos += 2
        x = text.find("*/", self.pos)
        if x < 0:
            self.error("unclosed comment")
            return False
        if not self.count_comment_lines:
            self.lost_lines += self.text.count("\n", self.pos, x)
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            self.error("comment ends before closing delimiter")
            return False
        if trim:
            self.pos += 2
        self.pos += 2
        if trim:
            self.pos = _skip_space(text, self.pos)
        self.start = self.pos
        return True

    def at_right_delim(self) -> tuple[bool, bool]:
        text, pos = self.text, self.pos
        if text.startswith(RIGHT, pos):
            return True, False
        if _has_right_trim(text, pos) and text.startswith(RIGHT, pos + 2):
            return True, True
        return False, False

    def right_delim(self) -> None:
        text = self.text
        trim = _has_right_trim(text, self.pos)
        if trim:
            self.pos += 2
            self.start = self.pos
        self.pos += 2
        self.emit(RIGHT_DELIM)
        if trim:
            self.pos = _skip_space(text, self.pos)
            self.start = self.pos

    def inside_action(self) -> bool:
        text = self.text
        while True:
            pos = self.pos
            if pos >= self.n or text[pos] in _DELIM_START:  # only these can start "}}" or " -}}"
                delim, _ = self.at_right_delim()
                if delim:
                    if self.paren_depth == 0:
                        self.right_delim()
                        return True
                    self.error("unclosed left paren")
                    return False
                if pos >= self.n:
                    self.error("unclosed action")
                    return False
            m = _FAST.match(text, self.pos)
            if m is not None:
                end = m.end()
                kind = m.lastindex
                if kind > _NEEDS_TERMINATOR or end >= self.n or text[end] in _TERMINATORS:
                    self.pos = end
                    if kind == _F_IDENT:
                        self.emit(self.words.get(m.group(kind), IDENTIFIER))
                    else:
                        self.emit(_FAST_TYPES[kind])
                    continue
            ch = text[self.pos]
            self.pos += 1
            if ch in SPACE_CHARS:
                if not self.space():
                    continue
            elif ch == "=":
                self.emit(ASSIGN)
            elif ch == ":":
                if self.pos >= self.n or text[self.pos] != "=":
                    if self.pos < self.n:
                        self.pos += 1
                    self.error("expected :=")
                    return False
                self.pos += 1
                self.emit(DECLARE)
            elif ch == "|":
                self.emit(PIPE)
            elif ch == '"':
                if not self.quote():
                    return False
            elif ch == "`":
                if not self.raw_quote():
                    return False
            elif ch == "$":
                if not self.variable():
                    return False
            elif ch == "'":
                if not self.char_constant():
                    return False
            elif ch == "." and self.pos < self.n and not ("0" <= text[self.pos] <= "9"):
                if not self.field_or_variable(FIELD):
                    return False
            elif ch in "+-." or "0" <= ch <= "9":
                self.pos -= 1
                if not self.number():
                    return False
            elif is_alnum(ch):
                self.pos -= 1
                if not self.identifier():
                    return False
            elif ch == "(":
                self.emit(LEFT_PAREN)
                self.paren_depth += 1
            elif ch == ")":
                self.paren_depth -= 1
                if self.paren_depth < 0:
                    self.error("unexpected right paren")
                    return False
                self.emit(RIGHT_PAREN)
            elif ch <= "\x7f" and ch.isprintable():
                self.emit(CHAR)
            else:
                self.error(f"unrecognized character in action: {_go_rune_repr(ch)}")
                return False

    def space(self) -> bool:
        """A run of spaces; returns False when the run ends in ` -}}` and the delimiter comes next."""
        text = self.text
        self.pos -= 1
        m = _SPACE_RUN.match(text, self.pos)
        end = m.end()
        count = end - self.pos
        self.pos = end
        if text.startswith("-", end) and text.startswith(RIGHT, end + 1):
            self.pos = end - 1  # before the last space, so " -}}" is seen as the delimiter
            if count == 1:
                return False
        self.emit(SPACE)
        return True

    def at_terminator(self) -> bool:
        if self.pos >= self.n:
            return True
        ch = self.text[self.pos]
        return ch in SPACE_CHARS or ch in ".,|:)(" or ch == RIGHT[0]

    def identifier(self) -> bool:
        text = self.text
        end = _ALNUM_RUN.match(text, self.pos).end()
        self.pos = end
        word = text[self.start : end]
        if not self.at_terminator():
            self.pos += 1
            self.error(f"bad character {_go_rune_repr(text[end])}")
            return False
        self.emit(self.words.get(word, IDENTIFIER))
        return True

    def variable(self) -> bool:
        if self.at_terminator():
            self.emit(VARIABLE)
            return True
        return self.field_or_variable(VARIABLE)

    def field_or_variable(self, typ: int) -> bool:
        if self.at_terminator():
            self.emit(VARIABLE if typ == VARIABLE else DOT)
            return True
        text = self.text
        end = _ALNUM_RUN.match(text, self.pos).end()
        self.pos = end
        if not self.at_terminator():
            self.pos += 1
            self.error(f"bad character {_go_rune_repr(text[end])}")
            return False
        self.emit(typ)
        return True

    def char_constant(self) -> bool:
        text = self.text
        while True:
            if self.pos >= self.n:
                self.error("unterminated character constant")
                return False
            ch = text[self.pos]
            self.pos += 1
            if ch == "\\":
                if self.pos >= self.n or text[self.pos] == "\n":
                    self.error("unterminated character constant")
                    return False
                self.pos += 1
            elif ch == "\n":
                self.error("unterminated character constant")
                return False
            elif ch == "'":
                self.emit(CHAR_CONSTANT)
                return True

    def quote(self) -> bool:
        text = self.text
        while True:
            if self.pos >= self.n:
                self.error("unterminated quoted string")
                return False
            ch = text[self.pos]
            self.pos += 1
            if ch == "\\":
                if self.pos >= self.n or text[self.pos] == "\n":
                    self.error("unterminated quoted string")
                    return False
                self.pos += 1
            elif ch == "\n":
                self.error("unterminated quoted string")
                return False
            elif ch == '"':
                self.emit(STRING)
                return True

    def raw_quote(self) -> bool:
        x = self.text.find("`", self.pos)
        if x < 0:
            self.error("unterminated raw quoted string")
            return False
        self.pos = x + 1
        self.emit(RAW_STRING)
        return True

    def number(self) -> bool:
        if not self.scan_number():
            self.error(f"bad number syntax: {go_quote(self.text[self.start : self.pos])}")
            return False
        if self.pos < self.n and self.text[self.pos] in "+-":
            if not self.scan_number() or self.text[self.pos - 1] != "i":
                self.error(f"bad number syntax: {go_quote(self.text[self.start : self.pos])}")
                return False
            self.emit(COMPLEX)
        else:
            self.emit(NUMBER)
        return True

    def accept(self, valid: str) -> bool:
        if self.pos < self.n and self.text[self.pos] in valid:
            self.pos += 1
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.pos < self.n and self.text[self.pos] in valid:
            self.pos += 1

    def scan_number(self) -> bool:
        """Go's deliberately loose number scan; strconv (in the parser) rejects what is wrong."""
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 10 + 1 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 16 + 6 + 1 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if self.pos < self.n and is_alnum(self.text[self.pos]):
            self.pos += 1
            return False
        return True


def _has_left_trim(text: str, pos: int) -> bool:
    return text.startswith("-", pos) and pos + 1 < len(text) and text[pos + 1] in SPACE_CHARS


def _has_right_trim(text: str, pos: int) -> bool:
    return pos + 1 < len(text) and text[pos] in SPACE_CHARS and text[pos + 1] == "-"


def _skip_space(text: str, pos: int) -> int:
    m = _SPACE_RUN.match(text, pos)
    return m.end() if m else pos


def lex(text: str, *, break_ok: bool = True, continue_ok: bool = True, count_comment_lines: bool = True) -> list[Token]:
    """All tokens of `text`, ending with EOF or with the first ERROR token.

    `count_comment_lines=False` reproduces go1.23, whose lexer skipped the newlines inside comments when
    numbering lines (parse errors after a multi-line comment name an earlier line there)."""
    return _Lexer(text, break_ok, continue_ok, count_comment_lines).run()
