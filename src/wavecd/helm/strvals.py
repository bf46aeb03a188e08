"""Helm's `--set` family parser (`pkg/strvals`), with its typing and its error texts.

`--set a.b=1,c={x,y},d[1]=z` builds nested maps and lists in place: integers become `Int64`, `true`/
`false`/`null` (any case) become bool/nil, everything else (floats, leading-zero numbers) stays a string.
The parser walks runes with a stop set exactly as Helm's does, because its quirks (escapes, a `{...}` list
only right after `=`, padding lists with nil) are behaviour users rely on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from wavecd.core.goquote import quote
from wavecd.gotemplate.gotypes import Int64

MAX_INDEX = 65536
MAX_NESTED_NAME_LEVEL = 30


class StrvalsError(Exception):
    """A `--set` string Helm would reject; `str()` is Helm's message."""


class _EOF(Exception):
    """End of input, used for control flow like Go's io.EOF."""


class _NotList(Exception):
    """The value after `=` is not a `{...}` list."""


ValueReader = Callable[[str], Any]


def _typed(text: str) -> Any:
    lower = text.lower()
    if lower == "true":
        return True
    if lower == "false":
        return False
    if lower == "null":
        return None
    if text == "0":
        return Int64(0)
    if text and text[0] != "0":
        return _parse_int64(text, text)
    return text


def _parse_int64(text: str, fallback: Any) -> Any:
    """strconv.ParseInt(text, 10, 64): optional sign, ASCII digits, range-checked (underscores refused)."""
    body = text[1:] if text[:1] in "+-" else text
    if not body or not body.isascii() or not body.isdigit():
        return fallback
    value = int(text)
    if -(1 << 63) <= value < (1 << 63):
        return Int64(value)
    return fallback


def _atoi(text: str) -> int:
    """strconv.Atoi with Go's error text."""
    body = text[1:] if text[:1] in "+-" else text
    if not body or not body.isascii() or not body.isdigit():
        raise StrvalsError(f"strconv.Atoi: parsing {quote(text)}: invalid syntax")
    value = int(text)
    if not -(1 << 63) <= value < (1 << 63):
        raise StrvalsError(f"strconv.Atoi: parsing {quote(text)}: value out of range")
    return value


def _go_type(value: Any) -> str:
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "<nil>"


def _conversion_panic(value: Any, want: str) -> StrvalsError:
    have = _go_type(value)
    if value is None:
        return StrvalsError(f"unable to parse key: interface conversion: interface {{}} is nil, not {want}")
    return StrvalsError(f"unable to parse key: interface conversion: interface {{}} is {have}, not {want}")


class _Parser:
    """One parse of one flag value into `data` (mutated in place, like Go's ParseInto)."""

    def __init__(
        self,
        text: str,
        data: dict,
        reader: ValueReader | None,
        *,
        json_values: bool = False,
        literal: bool = False,
        helm_major: int = 4,
    ):
        self.text = text
        self.pos = 0
        self.data = data
        self.reader = reader
        self.json_values = json_values
        self.literal = literal
        self.helm_major = helm_major

    def parse(self) -> None:
        while True:
            try:
                self.key(self.data, 0)
            except _EOF:
                return

    def until_or_eof(self, stop: str) -> tuple[str, str | None]:
        """Runes up to a stop rune (consumed) and that rune, or None at end of input.

        A backslash escapes the next rune, except in `--set-literal`.
        """
        out: list[str] = []
        text = self.text
        n = len(text)
        pos = self.pos
        while pos < n:
            ch = text[pos]
            pos += 1
            if ch in stop:
                self.pos = pos
                return "".join(out), ch
            if ch == "\\" and not self.literal:
                if pos >= n:
                    self.pos = pos
                    return "".join(out), None
                out.append(text[pos])
                pos += 1
                continue
            out.append(ch)
        self.pos = pos
        return "".join(out), None

    def key(self, data: dict, level: int) -> None:
        stop = "=[." if self.literal else "=[,."
        k, last = self.until_or_eof(stop)
        if last is None:
            if not k:
                raise _EOF()
            raise StrvalsError(f"key {quote(k)} has no value")
        if last == "[":
            index = self.key_index()
            existing = data.get(k, [])
            if k in data and not isinstance(existing, list):
                raise _conversion_panic(existing, "[]interface {}")
            lst = list(existing) if existing is not None else []
            try:
                lst = self.list_item(lst, index, level)
            except _EOF:
                if k:
                    data[k] = lst
                raise
            if k:
                data[k] = lst
            return
        if last == "=":
            self.assign(data, k)
            return
        if last == ",":
            if k:
                data[k] = ""
            raise StrvalsError(f"key {quote(k)} has no value (cannot end with ,)")
        level += 1
        if level > MAX_NESTED_NAME_LEVEL:
            raise StrvalsError(
                f"value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
            )
        inner = data.get(k, {}) if k in data else {}
        if not isinstance(inner, dict):
            raise _conversion_panic(inner, "map[string]interface {}")
        try:
            self.key(inner, level)
        except _EOF:
            if inner and k:
                data[k] = inner
            raise
        if not inner:
            raise StrvalsError(f"key map {quote(k)} has no value")
        if k:
            data[k] = inner

    def assign(self, data: dict, k: str) -> None:
        if self.json_values:
            value = self.json_value()
            if k:
                data[k] = value
            return
        if self.literal:
            rest = self.text[self.pos :]
            self.pos = len(self.text)
            if k:
                data[k] = rest
            return
        try:
            value = self.val_list()
        except _EOF:
            if k:
                data[k] = ""
            raise
        except _NotList:
            raw, _ = self.until_or_eof(",")
            value = self.read(raw)
        if k:
            data[k] = value

    def read(self, raw: str) -> Any:
        assert self.reader is not None
        return self.reader(raw)

    def json_value(self) -> Any:
        if self.empty_val():
            return None
        decoder = json.JSONDecoder()
        rest = self.text[self.pos :]
        stripped = len(rest) - len(rest.lstrip(" \t\r\n"))
        try:
            value, end = decoder.raw_decode(rest, stripped)
        except ValueError as exc:
            raise StrvalsError(str(exc)) from None
        self.pos += end
        self.empty_val()
        return json_floats(value)

    def empty_val(self) -> bool:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            self.pos += 1
            if ch == ",":
                return True
            if not ch.isspace():
                self.pos -= 1
                return False
        return True

    def key_index(self) -> int:
        raw, last = self.until_or_eof("]")
        if last is None:
            if self.helm_major >= 4:
                raise _EOF()  # Helm 4 checks errors.Is(err, io.EOF), which sees through the wrapping
            raise StrvalsError("error parsing index: EOF")
        try:
            return _atoi(raw)
        except StrvalsError as exc:
            raise StrvalsError(f"error parsing index: {exc}") from None

    def list_item(self, lst: list, index: int, level: int) -> list:
        if index < 0:
            raise StrvalsError(f"negative {index} index not allowed")
        k, last = self.until_or_eof("[.=")
        if k:
            raise StrvalsError(f"unexpected data at end of array index: {_rune_slice(k)}")
        if last is None:
            raise _EOF()
        if last == "=":
            if self.json_values:
                return _set_index(lst, index, self.json_value())
            if self.literal:
                rest = self.text[self.pos :]
                self.pos = len(self.text)
                return _set_index(lst, index, rest)
            try:
                value = self.val_list()
            except _EOF:
                return _set_index(lst, index, "")
            except _NotList:
                raw, _ = self.until_or_eof(",")
                value = self.read(raw)
            return _set_index(lst, index, value)
        if last == "[":
            next_index = self.key_index()
            current: list = []
            if len(lst) > index and lst[index] is not None:
                if not isinstance(lst[index], list):
                    raise _conversion_panic(lst[index], "[]interface {}")
                current = list(lst[index])
            return _set_index(lst, index, self.list_item(current, next_index, level))
        inner: dict = {}
        if len(lst) > index:
            existing = lst[index]
            if isinstance(existing, dict):
                inner = existing
            else:
                lst[index] = inner
        self.key(inner, level)
        return _set_index(lst, index, inner)

    def val_list(self) -> list:
        if self.pos >= len(self.text):
            raise _EOF()
        if self.text[self.pos] != "{":
            raise _NotList()
        self.pos += 1
        out: list = []
        while True:
            raw, last = self.until_or_eof(",}")
            if last is None:
                raise StrvalsError("list must terminate with '}'")
            if last == "}":
                if self.pos < len(self.text) and self.text[self.pos] == ",":
                    self.pos += 1
                out.append(self.read(raw))
                return out
            out.append(self.read(raw))


def _rune_slice(text: str) -> str:
    """fmt's %q of a []rune: `['a' 'b']`."""
    return "[" + " ".join("'" + ch.replace("\\", "\\\\").replace("'", "\\'") + "'" for ch in text) + "]"


def _set_index(lst: list, index: int, value: Any) -> list:
    if index < 0:
        raise StrvalsError(f"negative {index} index not allowed")
    if index > MAX_INDEX:
        raise StrvalsError(f"index of {index} is greater than maximum supported index of {MAX_INDEX}")
    if len(lst) <= index:
        lst = lst + [None] * (index + 1 - len(lst))
    lst[index] = value
    return lst


def json_floats(value: Any) -> Any:
    """encoding/json decodes every number as float64; one beyond its range (`1e400`) is an error."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        try:
            f = float(value)
        except OverflowError:
            f = math.inf
        if math.isinf(f):
            raise StrvalsError(f"json: cannot unmarshal number {value} into Go value of type float64")
        return f
    if isinstance(value, list):
        return [json_floats(v) for v in value]
    return {k: json_floats(v) for k, v in value.items()}


def parse_into(text: str, dest: dict, helm_major: int = 4) -> None:
    """`--set`: typed values."""
    _Parser(text, dest, _typed, helm_major=helm_major).parse()


def parse_into_string(text: str, dest: dict, helm_major: int = 4) -> None:
    """`--set-string`: every value a string."""
    _Parser(text, dest, str, helm_major=helm_major).parse()


def parse_into_file(text: str, dest: dict, reader: ValueReader, helm_major: int = 4) -> None:
    """`--set-file`: each value is a path that `reader` turns into the value."""
    _Parser(text, dest, reader, helm_major=helm_major).parse()


def parse_json(text: str, dest: dict, helm_major: int = 4) -> None:
    """`--set-json key=<json>` form."""
    _Parser(text, dest, None, json_values=True, helm_major=helm_major).parse()


def parse_literal_into(text: str, dest: dict, helm_major: int = 4) -> None:
    """`--set-literal`: no escapes, no lists, the value is the rest of the string."""
    _Parser(text, dest, str, literal=True, helm_major=helm_major).parse()
