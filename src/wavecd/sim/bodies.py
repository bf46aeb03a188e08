"""Request bodies read as the apiserver reads them: capped, and within a deadline.

The cap is the apiserver's `MaxRequestBodyBytes` default, 3 MiB (kubernetes
`staging/src/k8s.io/apiserver/pkg/server/config.go`), and an oversized body is answered as
`limitedReadBody` answers it (`pkg/endpoints/handlers/rest.go`): 413 `RequestEntityTooLarge`,
"Request entity too large: limit is 3145728". Unlike `limitedReadBody`, a declared `Content-Length` over
the cap is refused before a byte of the body is read, so a client declaring 10 GB costs nothing.

The deadline is Go's `http.Server.ReadTimeout`: from the moment the server waits for a request, the whole
request (line, headers, body) must arrive within it. A timeout per `recv` alone would let a client that
drips one byte a minute hold a thread forever.
"""

from __future__ import annotations

import io
import re
import socket
import time
from email.message import Message
from typing import TYPE_CHECKING

from wavecd.sim import apierrors

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024
REQUEST_READ_TIMEOUT = 60.0
_CHUNK_LINE_LIMIT = 4096
_CHUNK_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")


class FramingError(Exception):
    """A body whose framing cannot be trusted; Go's server answers these itself, as plain text, and closes."""

    def __init__(self, code: int, text: str):
        super().__init__(text)
        self.code = code
        self.text = text


class DeadlineReader(io.RawIOBase):
    """A socket's read side that gives up once the current request's deadline has passed.

    Every `recv` waits at most the time left; writes keep `write_timeout`, so a client that stops reading a
    response (or a watch) is dropped too, but not before that long.
    """

    def __init__(self, sock: socket.socket, timeout: float):
        self._sock = sock
        self.timeout = timeout
        self._deadline = time.monotonic() + timeout
        sock.settimeout(timeout)

    def restart(self) -> None:
        """The next request starts now: it, and the wait for it, get the full timeout."""
        self._deadline = time.monotonic() + self.timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("request read timed out")
        self._sock.settimeout(remaining)
        try:
            return self._sock.recv_into(buffer)
        finally:
            self._sock.settimeout(self.timeout)


def read_body(rfile: io.BufferedIOBase, headers: Message, limit: int = MAX_REQUEST_BODY_BYTES) -> bytes:
    """The request body, at most `limit` bytes: raises the apiserver's 413 `ApiError` beyond it, and
    `FramingError` for a body whose length cannot be known."""
    encoding = (headers.get("Transfer-Encoding") or "").strip().lower()
    if encoding == "chunked":
        return _read_chunked(rfile, limit)
    if encoding:
        raise FramingError(501, "Unsupported transfer encoding")
    lengths = {value.strip() for value in headers.get_all("Content-Length") or []}
    if not lengths:
        return b""
    if len(lengths) > 1 or not next(iter(lengths)).isdigit():
        raise FramingError(400, "Bad Request: invalid Content-Length")
    length = int(next(iter(lengths)))
    if length > limit:
        raise apierrors.request_entity_too_large(limit)
    body = rfile.read(length)
    if len(body) < length:
        raise ConnectionResetError("the client closed the connection inside the body")
    return body


def _read_chunked(rfile: io.BufferedIOBase, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(_CHUNK_LINE_LIMIT)
        if not line.endswith(b"\n"):
            raise FramingError(400, "Bad Request: malformed chunked encoding")
        size_text = line.split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise FramingError(400, "Bad Request: malformed chunked encoding")
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if total > limit:
            raise apierrors.request_entity_too_large(limit)
        chunk = rfile.read(size)
        if len(chunk) < size or rfile.readline(_CHUNK_LINE_LIMIT) not in (b"\r\n", b"\n"):
            raise FramingError(400, "Bad Request: malformed chunked encoding")
        parts.append(chunk)
    while rfile.readline(_CHUNK_LINE_LIMIT) not in (b"\r\n", b"\n", b""):  # trailers, ignored as Go ignores them
        pass
    return b"".join(parts)
