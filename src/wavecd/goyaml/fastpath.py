"""The common shapes of `toYaml` written directly, without the emitter's event machinery.

For ordinary documents (simple keys, scalars that fit on their line) go-yaml's layout reduces to a few
rules: entries of a mapping on their own lines at its indent, sequences under a key not indented, the first
entry of a mapping or sequence inside a sequence item on the item's line (`- a: 1`, `- - 1`). This module
applies those rules and hands every scalar it is not sure about to the full emitter with the exact
column and indent go-yaml would have at that point, so the output is identical. Anything outside the
rules (a key needing `? `) raises `Unusual` and the caller starts over with the full emitter.
"""

from __future__ import annotations

import re
from typing import Any

from wavecd.core.gonil import GoNil
from wavecd.goyaml.emitter import DOUBLE, PLAIN, SINGLE, Emitter

_CACHE_LIMIT = 50000
_BREAK = re.compile("[\r\n\x85\u2028\u2029]")


class Unusual(Exception):
    """The document needs the full emitter."""


def _plain_type(v: Any) -> Any:
    """Subclasses (Go's []string, map[string]string) and tuples as the plain types they marshal as; a nil
    slice as the null JSON makes of it."""
    if isinstance(v, str):
        return str(v)
    if isinstance(v, GoNil):
        return None
    if isinstance(v, dict):
        return dict(v)
    return list(v)


class FastWriter:
    """Writes one document straight from the Python value.

    The callbacks carry the JSON round trip: `prepare_str`/`prepare_key` give a string as go-yaml reads it
    back, `scalar_text` the text of a number, boolean or null, `sort_keys` a map's (key, source key)
    pairs in go-yaml's order (the key text rendered by the given function). Any of them raises `Unusual`
    for values they leave to the full path.
    """

    __slots__ = (
        "emitter",
        "key_cache",
        "out",
        "prepare_key",
        "prepare_str",
        "scalar_text",
        "sort_keys",
        "style_cache",
        "style_of",
    )

    def __init__(self, style_of, style_cache: dict, key_cache: dict, prepare_str, prepare_key, scalar_text, sort_keys):
        self.out: list[str] = []
        self.style_of = style_of
        self.style_cache = style_cache
        self.key_cache = key_cache
        self.prepare_str = prepare_str
        self.prepare_key = prepare_key
        self.scalar_text = scalar_text
        self.sort_keys = sort_keys
        self.emitter: Emitter | None = None

    # --- helpers -----------------------------------------------------------------------------------

    def _newline_indent(self, indent: int) -> None:
        """write_indent for a new entry: a line break unless a literal block just ended one."""
        out = self.out
        if out and out[-1].endswith("\n"):
            if indent:
                out.append(" " * indent)
        else:
            out.append("\n" + " " * indent if indent else "\n")

    def _key(self, k: str) -> str:
        k = self.prepare_key(k)
        text = self.key_cache.get(k)
        if text is None:
            if (len(k) > 32 and len(k.encode("utf-8", "surrogatepass")) > 128) or _BREAK.search(k):
                raise Unusual
            style = self.style_of(k, True)
            if style == PLAIN:
                text = k
            else:
                em = Emitter(self.style_of)
                em.whitespace = True
                em.indention = True
                em.indent = 0
                if style == SINGLE:
                    em.write_single(k, False)
                elif style == DOUBLE:
                    em.write_double(k, False)
                else:
                    raise Unusual
                text = "".join(em.out)
            if len(self.key_cache) > _CACHE_LIMIT:
                self.key_cache.clear()
            self.key_cache[k] = text
        return text

    def _string(self, s: str, col: int, indent: int) -> None:
        """A string value whose indicator or key ends at `col` (the scalar itself gets `indent`)."""
        style = self.style_cache.get(s)
        if style is None:
            style = self.style_of(s, False)
            if len(s) <= 64:
                if len(self.style_cache) > _CACHE_LIMIT:
                    self.style_cache.clear()
                self.style_cache[s] = style
        n = len(s)
        if style == PLAIN and (col + n <= 80 or " " not in s):
            self.out.append(" " + s)
            return
        if (
            style == DOUBLE
            and col + 2 + n <= 80
            and s.isascii()
            and s.isprintable()
            and '"' not in s
            and ("\\" not in s)
        ):
            self.out.append(' "' + s + '"')
            return
        em = self.emitter
        if em is None:
            em = self.emitter = Emitter(self.style_of)
        em.out = self.out
        em.column = col
        em.indent = indent
        em.whitespace = False
        em.indention = False
        if style == PLAIN:
            em.write_plain(s, True)
        elif style == SINGLE:
            em.write_single(s, True)
        elif style == DOUBLE:
            em.write_double(s, True)
        else:
            if s[-1] in "\r\x85\u2028\u2029":
                raise Unusual
            em.write_literal(s)

    # --- nodes -------------------------------------------------------------------------------------

    def value(self, v: Any, col: int, indent: int) -> None:
        """A value after `key:` (col = column after the colon; the key is at `indent`)."""
        t = type(v)
        if t is str:
            self._string(self.prepare_str(v), col, indent + 2)
        elif t is dict:
            if v:
                self.mapping(v, indent + 2, inline=False)
            else:
                self.out.append(" {}")
        elif t is list:
            if v:
                self.sequence(v, indent, inline=False)
            else:
                self.out.append(" []")
        elif isinstance(v, str | dict | list | tuple):
            self.value(_plain_type(v), col, indent)
        else:
            self.out.append(" " + self.scalar_text(v))

    def item(self, v: Any, indent: int) -> None:
        """A sequence item after its `-` at column `indent`."""
        t = type(v)
        if t is str:
            self._string(self.prepare_str(v), indent + 1, indent + 2)
        elif t is dict:
            if v:
                self.out.append(" ")
                self.mapping(v, indent + 2, inline=True)
            else:
                self.out.append(" {}")
        elif t is list:
            if v:
                self.out.append(" ")
                self.sequence(v, indent + 2, inline=True)
            else:
                self.out.append(" []")
        elif isinstance(v, str | dict | list | tuple):
            self.item(_plain_type(v), indent)
        else:
            self.out.append(" " + self.scalar_text(v))

    def mapping(self, d: dict, indent: int, inline: bool) -> None:
        out = self.out
        append = out.append
        style_cache = self.style_cache
        pad = "\n" + " " * indent
        first = inline
        for kt, src in self.sort_keys(d, self._key):
            if first:
                first = False
            elif out[-1][-1] == "\n":
                if indent:
                    append(pad[1:])
            else:
                append(pad)
            append(kt)
            append(":")
            v = d[src]
            if type(v) is str:
                if not v.isascii() or "\x7f" in v:
                    v = self.prepare_str(v)
                n = len(v)
                if n <= 64 and style_cache.get(v) == PLAIN and indent + len(kt) + 1 + n <= 80:
                    append(" " + v)
                else:
                    self._string(v, indent + len(kt) + 1, indent + 2)
            else:
                self.value(v, indent + len(kt) + 1, indent)

    def sequence(self, items: list, indent: int, inline: bool) -> None:
        out = self.out
        first = inline
        for v in items:
            if first:
                first = False
            else:
                self._newline_indent(indent)
            out.append("-")
            self.item(v, indent)

    def document(self, v: Any) -> str:
        t = type(v)
        if t is not dict and t is not list and isinstance(v, dict | list | tuple):  # a named map (.Values), []string
            v = _plain_type(v)
            t = type(v)
        if t is dict and v:
            self.mapping(v, 0, inline=True)
        elif t is list and v:
            self.sequence(v, 0, inline=True)
        else:
            raise Unusual
        out = self.out
        if not out[-1].endswith("\n"):
            out.append("\n")
        return "".join(out)
