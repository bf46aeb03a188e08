"""A block-style YAML emitter with go-yaml's exact layout rules (`emitterc.go`).

It keeps libyaml's emitter state (column, indent, the `whitespace` and `indention` flags) because line
folding, the `- - x` layout and the indentation of sequences under keys all follow from it. Values come
in already normalised: dicts with string keys in output order, lists, strings, and `Plain` texts for
numbers, booleans and null. The v2 (`toYaml`) and v3 (`toYamlPretty`) encoders differ in a few
switches, set on the instance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wavecd.goyaml.scalar import BREAK_CHARS, is_printable

PLAIN, SINGLE, DOUBLE, LITERAL = range(4)


def select_block_style(value: str, info: Any, plain_wanted: bool, simple_key: bool) -> int:
    """yaml_emitter_select_scalar_style in block context, the same in go-yaml v2 and v3: multi-line text
    wants a literal block, other text plain when it reads back as a string (each version decides that its
    own way), else double quotes; then what the scalar's analysis (`info`) allows narrows the choice."""
    if "\n" in value:
        style = LITERAL
    elif plain_wanted:
        style = PLAIN
    else:
        style = DOUBLE
    if simple_key and info.multiline:
        return DOUBLE
    if style == PLAIN and (not info.block_plain_allowed or (not value and simple_key)):
        style = SINGLE
    if style == SINGLE and not info.single_quoted_allowed:
        return DOUBLE
    if style == LITERAL and (not info.block_allowed or simple_key):
        return DOUBLE
    return style


_ESCAPES = {
    "\x00": "0",
    "\x07": "a",
    "\x08": "b",
    "\t": "t",
    "\n": "n",
    "\x0b": "v",
    "\x0c": "f",
    "\r": "r",
    "\x1b": "e",
    '"': '"',
    "\\": "\\",
    "\x85": "N",
    "\xa0": "_",
    "\u2028": "L",
    "\u2029": "P",
}


class Plain(str):
    """A scalar written as is (numbers, booleans, null): never quoted, never folded."""

    __slots__ = ()


def escape_char(c: str) -> str:
    """go-yaml's escape of one character inside double quotes."""
    e = _ESCAPES.get(c)
    if e is not None:
        return "\\" + e
    v = ord(c)
    if v <= 0xFF:
        return f"\\x{v:02X}"
    if v <= 0xFFFF:
        return f"\\u{v:04X}"
    return f"\\U{v:08X}"


class Emitter:
    """One document's worth of go-yaml emitter state; `emit_document(value)` returns the text."""

    best_width = 80
    best_indent = 2

    def __init__(self, style_of: Callable[[str, bool], int], *, v3: bool = False):
        self.out: list[str] = []
        self.column = 0
        self.indent = -1
        self.whitespace = True
        self.indention = True
        self.style_of = style_of
        self.v3 = v3
        if v3:
            # Helm's v3 encoder never folds long lines
            self.best_width = (1 << 31) - 1

    # --- low-level writers (write_indent, write_indicator) -------------------------------------------

    def write_indent(self) -> None:
        indent = self.indent if self.indent >= 0 else 0
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.out.append("\n")
            self.column = 0
            self.indention = True
        if self.column < indent:
            self.out.append(" " * (indent - self.column))
            self.column = indent
        self.whitespace = True
        if not self.v3:
            # v3 only marks indention on an actual line break
            self.indention = True

    def write_indicator(self, ind: str, need_ws: bool, is_ws: bool, is_indention: bool) -> None:
        if need_ws and not self.whitespace:
            self.out.append(" ")
            self.column += 1
        self.out.append(ind)
        self.column += len(ind)
        self.whitespace = is_ws
        self.indention = self.indention and is_indention

    # --- nodes -------------------------------------------------------------------------------------

    def emit_document(self, value: Any) -> str:
        self.emit_node(value, mapping=False, simple_key=False)
        self.write_indent()
        return "".join(self.out)

    def emit_node(self, value: Any, mapping: bool, simple_key: bool) -> None:
        t = type(value)
        if t is dict:
            if value:
                self.emit_block_mapping(value)
            else:
                self.write_indicator("{", True, True, False)
                self.write_indicator("}", False, False, False)
        elif t is list:
            if value:
                self.emit_block_sequence(value, mapping)
            else:
                self.write_indicator("[", True, True, False)
                self.write_indicator("]", False, False, False)
        elif t is Plain:
            saved = self.indent
            self.indent = 2 if saved < 0 else saved + 2
            self.write_plain(value, not simple_key)
            self.indent = saved
        else:
            self.emit_string(value, simple_key)

    def emit_block_mapping(self, value: dict) -> None:
        saved = self.indent
        self.indent = 0 if saved < 0 else saved + 2
        for k, v in value.items():
            self.write_indent()
            if self.check_simple_key(k):
                self.emit_node(k, mapping=True, simple_key=True)
                self.write_indicator(":", False, False, False)
            else:
                self.write_indicator("?", True, False, True)
                self.emit_node(k, mapping=True, simple_key=False)
                self.write_indent()
                self.write_indicator(":", True, False, True)
            self.emit_node(v, mapping=True, simple_key=False)
        self.indent = saved

    def emit_block_sequence(self, value: list, mapping: bool) -> None:
        saved = self.indent
        indentless = mapping and not self.indention and not self.v3
        if saved < 0:
            self.indent = 0
        elif not indentless:
            self.indent = saved + 2
        for item in value:
            self.write_indent()
            self.write_indicator("-", True, False, True)
            self.emit_node(item, mapping=False, simple_key=False)
        self.indent = saved

    @staticmethod
    def check_simple_key(key: str) -> bool:
        if len(key) > 32 and len(key.encode("utf-8", "surrogatepass")) > 128:
            return False
        return not any(c in key for c in BREAK_CHARS)

    # --- scalars -----------------------------------------------------------------------------------

    def emit_string(self, value: str, simple_key: bool) -> None:
        style = self.style_of(value, simple_key)
        saved = self.indent
        self.indent = 2 if saved < 0 else saved + 2
        allow_breaks = not simple_key
        if style == PLAIN:
            self.write_plain(value, allow_breaks)
        elif style == SINGLE:
            self.write_single(value, allow_breaks)
        elif style == DOUBLE:
            self.write_double(value, allow_breaks)
        else:
            self.write_literal(value)
        self.indent = saved

    def write_plain(self, value: str, allow_breaks: bool) -> None:
        if not self.whitespace:
            self.out.append(" ")
            self.column += 1
        n = len(value)
        if not allow_breaks or self.column + n - 1 <= self.best_width or " " not in value:
            self.out.append(value)
            self.column += n
        else:
            self._write_plain_folding(value)
        self.whitespace = False
        self.indention = False

    def _write_plain_folding(self, value: str) -> None:
        out = self.out
        spaces = False
        n = len(value)
        i = 0
        while i < n:
            c = value[i]
            if c == " ":
                if not spaces and self.column > self.best_width and (i + 1 >= n or value[i + 1] != " "):
                    self.write_indent()
                else:
                    out.append(c)
                    self.column += 1
                spaces = True
            else:
                out.append(c)
                self.column += 1
                self.indention = False
                spaces = False
            i += 1

    def write_single(self, value: str, allow_breaks: bool) -> None:
        self.write_indicator("'", True, False, False)
        out = self.out
        spaces = breaks = False
        n = len(value)
        for i, c in enumerate(value):
            if c == " ":
                if (
                    allow_breaks
                    and not spaces
                    and self.column > self.best_width
                    and 0 < i < n - 1
                    and value[i + 1] != " "
                ):
                    self.write_indent()
                else:
                    out.append(c)
                    self.column += 1
                spaces = True
            elif c in BREAK_CHARS:
                if not breaks and c == "\n":
                    out.append("\n")
                    self.column = 0
                self._write_break(c)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                if c == "'":
                    out.append("'")
                    self.column += 1
                out.append(c)
                self.column += 1
                self.indention = False
                spaces = breaks = False
        self.write_indicator("'", False, False, False)
        self.whitespace = False
        self.indention = False

    def _write_break(self, c: str) -> None:
        self.out.append(c)
        self.column = 0

    def write_double(self, value: str, allow_breaks: bool) -> None:
        self.write_indicator('"', True, False, False)
        out = self.out
        bom = value.startswith("\ufeff")
        n = len(value)
        if (
            not bom
            and self.column + n <= self.best_width
            and value.isascii()
            and value.isprintable()
            and '"' not in value
            and "\\" not in value
        ):
            # short printable ASCII: nothing to fold or escape
            out.append(value)
            self.column += n
            self.write_indicator('"', False, False, False)
            self.whitespace = False
            self.indention = False
            return
        spaces = False
        for i, c in enumerate(value):
            if bom or c in '"\\' or c in BREAK_CHARS or not is_printable(c):
                e = escape_char(c)
                out.append(e)
                self.column += len(e)
                spaces = False
            elif c == " ":
                if allow_breaks and not spaces and self.column > self.best_width and 0 < i < n - 1:
                    self.write_indent()
                    if value[i + 1] == " ":
                        out.append("\\")
                        self.column += 1
                else:
                    out.append(c)
                    self.column += 1
                spaces = True
            else:
                out.append(c)
                self.column += 1
                spaces = False
        self.write_indicator('"', False, False, False)
        self.whitespace = False
        self.indention = False

    def write_literal(self, value: str) -> None:
        self.write_indicator("|", True, False, False)
        first = value[:1]
        if first and (first == " " or first in BREAK_CHARS):
            self.write_indicator(str(self.best_indent), False, False, False)
        last = value[-1:]
        chomp = ""
        if not last or last not in BREAK_CHARS:
            chomp = "-"
        elif len(value) == 1 or value[-2] in BREAK_CHARS:
            chomp = "+"
        if chomp:
            self.write_indicator(chomp, False, False, False)
        self.out.append("\n")
        self.column = 0
        self.indention = True
        self.whitespace = True
        breaks = True
        out = self.out
        for line in _split_keep_breaks(value):
            if line in BREAK_CHARS:
                self._write_break(line)
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                out.append(line)
                self.column += len(line)
                self.indention = False
                breaks = False


def _split_keep_breaks(value: str) -> list[str]:
    """The text as alternating runs: each line break alone, each run of other characters whole."""
    parts: list[str] = []
    start = 0
    for i, c in enumerate(value):
        if c in BREAK_CHARS:
            if i > start:
                parts.append(value[start:i])
            parts.append(c)
            start = i + 1
    if start < len(value):
        parts.append(value[start:])
    return parts
