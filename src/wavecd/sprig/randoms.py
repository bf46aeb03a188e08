"""Sprig's random values: `randAlphaNum`, `randAlpha`, `randAscii`, `randNumeric`, `randBytes`, `uuidv4`, `shuffle`.

Only their alphabets and lengths are observable. goutils draws from `' '..'z'` and keeps letters and
digits (so only ASCII ones), `randAscii` from 32..126; a negative count is an error Sprig swallows ("").
"""

from __future__ import annotations

import base64
import os
import string
from collections.abc import Callable

from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.sprig.gounicode import valid_runes

_ALNUM = string.ascii_letters + string.digits
_ASCII = "".join(chr(c) for c in range(32, 127))


def _random_string(alphabet: str) -> Callable[[int], str]:
    def generate(count: int) -> str:
        if count <= 0:
            return ""
        import secrets  # with random, its import is a cost every render would pay for functions few call

        return "".join(secrets.choice(alphabet) for _ in range(count))

    return generate


def rand_bytes(count: int) -> str:
    if count < 0:
        raise GoFuncError("runtime error: makeslice: len out of range")
    return base64.b64encode(os.urandom(count)).decode("ascii")


def uuidv4() -> str:
    import uuid  # rarely used; keeps it off the start-up path

    return str(uuid.uuid4())


def shuffle(s: str) -> str:
    """xstrings.Shuffle: the runes of s in a random order."""
    import random  # as secrets in _random_string

    runes = list(valid_runes(s))
    random.shuffle(runes)
    return "".join(runes)


FUNCS = [
    GoFunc("randAlphaNum", _random_string(_ALNUM), ("int",)),
    GoFunc("randAlpha", _random_string(string.ascii_letters), ("int",)),
    GoFunc("randAscii", _random_string(_ASCII), ("int",)),
    GoFunc("randNumeric", _random_string(string.digits), ("int",)),
    GoFunc("randBytes", rand_bytes, ("int",)),
    GoFunc("uuidv4", uuidv4),
    GoFunc("shuffle", shuffle, ("string",)),
]
