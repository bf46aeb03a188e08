"""The order go-yaml gives map keys when it writes them (`sorter.go`): numbers inside strings compare as numbers.

sigs.k8s.io/yaml re-reads the JSON into a Go map, so this order, not JSON's byte order, is what `toYaml`
prints: `a2` before `a10`, and non-letters before letters (`a_b` before `aB`).
"""

from __future__ import annotations

import re
from functools import cmp_to_key

_LETTERS_ONLY = re.compile(r"[A-Za-z]*\Z")


def _is_letter(c: str) -> bool:
    return c.isalpha()


def _is_digit(c: str) -> bool:
    return c.isdecimal()


def _wrap64(v: int) -> int:
    """Go's int64 arithmetic wraps around; long digit runs compare as the wrapped numbers."""
    if -(1 << 63) <= v < (1 << 63):
        return v
    return ((v + (1 << 63)) % (1 << 64)) - (1 << 63)


def compare_keys(a: str, b: str) -> int:
    """v2's keyList.Less for two strings, as a three-way comparison."""
    if a == b:
        return 0
    return -1 if _less(a, b, False) else 1


def compare_keys_v3(a: str, b: str) -> int:
    """v3's keyList.Less: after equal digits, a letter sorts before a non-letter."""
    if a == b:
        return 0
    return -1 if _less(a, b, True) else 1


def _less(a: str, b: str, v3: bool) -> bool:
    n = min(len(a), len(b))
    digits = False
    for i in range(n):
        ca, cb = a[i], b[i]
        if ca == cb:
            digits = _is_digit(ca)
            continue
        al, bl = _is_letter(ca), _is_letter(cb)
        if al and bl:
            return ca < cb
        if al or bl:
            return al if (v3 and digits) else bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and _is_digit(a[j]):
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and _is_digit(a[ai]):
            an = _wrap64(an * 10 + (ord(a[ai]) - 48))
            ai += 1
        bi = i
        while bi < len(b) and _is_digit(b[bi]):
            bn = _wrap64(bn * 10 + (ord(b[bi]) - 48))
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


_KEY = cmp_to_key(compare_keys)
_KEY_V3 = cmp_to_key(compare_keys_v3)
_CACHE: dict[tuple[str, ...], list[str]] = {}


def sorted_keys(keys: list[str]) -> list[str]:
    """The keys of one map in go-yaml v2's order (cached per key set: the same shapes recur)."""
    if len(keys) < 2:
        return keys
    if all(_LETTERS_ONLY.match(k) for k in keys):
        return sorted(keys)
    t = tuple(keys)
    cached = _CACHE.get(t)
    if cached is None:
        cached = sorted(keys, key=_KEY)
        if len(_CACHE) > 20000:
            _CACHE.clear()
        _CACHE[t] = cached
    return cached


def sorted_keys_v3(keys: list[str]) -> list[str]:
    """The keys of one map in go-yaml v3's order (toYamlPretty; rare, so uncached)."""
    return sorted(keys, key=_KEY_V3)
