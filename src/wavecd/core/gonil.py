"""Go's nil slices and maps, as Python values.

A nil `[]interface{}` or `map[string]interface{}` reads, ranges and prints (`%v`) like an empty one, so
it is an empty `list`/`dict` everywhere; only encoding/json (`null`), `%#v` (`[]interface {}(nil)`) and a
write into a nil map (a panic) tell them apart. Sprig and Helm return them where Go code returns nil
(`concat` of nothing, `rest` of an empty list, `fromJson "null"`, `regexFindAll` without a match).

They sit in `core` because both the template engine (printing) and the YAML/JSON writers (encoding) must
recognise them, and those two packages do not import each other. Plain lists and dicts stay the common
path: the encoders only ask `isinstance(value, GoNil)` of an empty collection.
"""

from __future__ import annotations

__all__ = ["GoNil", "NilList", "NilMap"]


class GoNil:
    """Marks a typed nil collection; `isinstance(value, GoNil)` is how every encoder asks."""

    __slots__ = ()


class NilList(list, GoNil):  # type: ignore[type-arg]
    """A Go nil `[]interface{}`."""

    __slots__ = ()


class NilMap(dict, GoNil):  # type: ignore[type-arg]
    """A Go nil `map[string]interface{}` (`fromJson "null"`): Sprig's `set` on it panics."""

    __slots__ = ()
