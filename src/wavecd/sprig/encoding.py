"""Sprig's encodings and checksums: `b64enc`/`b64dec`, `b32enc`/`b32dec`, `sha1sum`, `sha256sum`, ...

The decoders return Go's error text instead of failing (`illegal base64 data at input byte 4`), so the
byte offset Go reports is part of the output; Go's decoders are reproduced for that, including that
base64 skips `\\r` and `\\n` anywhere and base32 drops them before decoding.
"""

from __future__ import annotations

import base64
import hashlib
import zlib

from wavecd.gotemplate.funcs import GoFunc
from wavecd.sprig.goval import from_go_bytes, go_bytes

_B64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_B32_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_NEWLINES = (0x0A, 0x0D)


class CorruptInput(Exception):
    """Go's base64/base32 CorruptInputError: the offset of the first bad byte."""

    def __init__(self, offset: int):
        super().__init__(offset)
        self.offset = offset


def _skip_newlines(src: bytes, i: int) -> int:
    while i < len(src) and src[i] in _NEWLINES:
        i += 1
    return i


def b64_decode(src: bytes) -> bytes:
    """base64.StdEncoding.DecodeString (padded, newlines ignored); raises CorruptInput."""
    si = 0
    n = len(src)
    clean = bytearray()
    while True:
        quantum = bytearray()
        j = 0
        while j < 4:
            if si == n:
                if j == 0:
                    return base64.b64decode(bytes(clean))
                raise CorruptInput(si - j)
            ch = src[si]
            si += 1
            if ch in _B64_ALPHABET:
                quantum.append(ch)
                j += 1
                continue
            if ch in _NEWLINES:
                continue
            if ch != 0x3D or j < 2:
                raise CorruptInput(si - 1)
            if j == 2:
                si = _skip_newlines(src, si)
                if si == n:
                    raise CorruptInput(n)
                if src[si] != 0x3D:
                    raise CorruptInput(si - 1)
                si += 1
            si = _skip_newlines(src, si)
            if si < n:
                raise CorruptInput(si)
            clean += quantum + b"=" * (4 - j)
            return base64.b64decode(bytes(clean))
        clean += quantum


def b32_decode(src: bytes) -> bytes:
    """base32.StdEncoding.DecodeString (newlines removed first); raises CorruptInput."""
    src = bytes(b for b in src if b not in _NEWLINES)
    n = len(src)
    pos = 0
    while pos < n:
        j = 0
        while j < 8:
            if pos == n:
                raise CorruptInput(n - j)
            ch = src[pos]
            pos += 1
            left = n - pos
            if ch == 0x3D and j >= 2 and left < 8:
                if left + j < 7:
                    raise CorruptInput(n)
                for k in range(7 - j):
                    if left > k and src[pos + k] != 0x3D:
                        raise CorruptInput(pos + k - 1)
                if j in (1, 3, 6):
                    raise CorruptInput(pos - 1)
                return _b32_payload(src, pos - 1 - j, j)
            if ch not in _B32_ALPHABET:
                raise CorruptInput(pos - 1)
            j += 1
    return base64.b32decode(src)


def _b32_payload(src: bytes, last_quantum: int, used: int) -> bytes:
    """Everything before the padded last quantum, plus the bytes its `used` characters carry."""
    head = base64.b32decode(src[:last_quantum]) if last_quantum else b""
    return head + base64.b32decode(src[last_quantum : last_quantum + used] + b"=" * (8 - used))


def b64dec(s: str) -> str:
    try:
        return from_go_bytes(b64_decode(go_bytes(s)))
    except CorruptInput as err:
        return f"illegal base64 data at input byte {err.offset}"


def b32dec(s: str) -> str:
    try:
        return from_go_bytes(b32_decode(go_bytes(s)))
    except CorruptInput as err:
        return f"illegal base32 data at input byte {err.offset}"


def b64enc(s: str) -> str:
    return base64.b64encode(go_bytes(s)).decode("ascii")


def b32enc(s: str) -> str:
    return base64.b32encode(go_bytes(s)).decode("ascii")


FUNCS = [
    GoFunc("b64enc", b64enc, ("string",)),
    GoFunc("b64dec", b64dec, ("string",)),
    GoFunc("b32enc", b32enc, ("string",)),
    GoFunc("b32dec", b32dec, ("string",)),
    GoFunc("sha1sum", lambda s: hashlib.sha1(go_bytes(s)).hexdigest(), ("string",)),
    GoFunc("sha256sum", lambda s: hashlib.sha256(go_bytes(s)).hexdigest(), ("string",)),
    GoFunc("sha512sum", lambda s: hashlib.sha512(go_bytes(s)).hexdigest(), ("string",)),
    GoFunc("adler32sum", lambda s: str(zlib.adler32(go_bytes(s))), ("string",)),
]
