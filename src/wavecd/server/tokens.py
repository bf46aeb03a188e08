"""The bearer tokens `wavecd serve` accepts, each with a role: stored hashed, checked in constant time.

The file holds, per token, its SHA-256, its role, a short id and when it was made — never the token, so a
copy of the file lets nobody in. It is written 0600 in a 0700 folder (`wavecd.core.private_files`), and
refused when anyone but its owner could have changed it, since whoever can write it can grant themselves
`admin`. A token is 32 random bytes: a plain SHA-256 is as strong as a slow hash would be for it.

The server reads the file again whenever it changes, so a token created while it runs works at once.
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wavecd.core import UserInputError
from wavecd.core.private_files import PRIVATE_FILE, make_private_folder, write_private_file

__all__ = ["Caller", "Role", "TokenStore", "default_tokens_path"]

_PREFIX = "wcd_"
_FORMAT_VERSION = 1
_MAX_FILE_BYTES = 4 * 1024 * 1024


class Role(enum.StrEnum):
    """What a token may do: `readonly` reads; `admin` may also sync, refresh, roll back and terminate."""

    READONLY = "readonly"
    ADMIN = "admin"


@dataclass(frozen=True)
class Caller:
    """Who a request came from: the token's id (recorded as the operation's initiator) and its role."""

    token_id: str
    role: Role

    @property
    def username(self) -> str:
        return f"token:{self.token_id}"


@dataclass(frozen=True)
class _Entry:
    token_id: str
    role: Role
    digest: bytes


def default_tokens_path() -> Path:
    """`$WAVECD_STATE_DIR/tokens.json`, else `$XDG_STATE_HOME/wavecd/tokens.json`, else
    `~/.local/state/wavecd/tokens.json`."""
    if state := os.environ.get("WAVECD_STATE_DIR"):
        return Path(state) / "tokens.json"
    if xdg := os.environ.get("XDG_STATE_HOME"):
        return Path(xdg) / "wavecd" / "tokens.json"
    return Path.home() / ".local" / "state" / "wavecd" / "tokens.json"


class TokenStore:
    """The token file at `path`. Raises `UserInputError` for a file that is unreadable, malformed, or
    writable by someone other than its owner."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int, int] | None = None
        self._entries: tuple[_Entry, ...] = ()

    def create(self, role: Role) -> tuple[str, str]:
        """A new token for `role`, recorded by its hash: returns (token id, token). The token is shown
        this once and cannot be recovered."""
        token = _PREFIX + secrets.token_urlsafe(32)
        token_id = secrets.token_hex(4)
        with self._file_lock():
            document = self._read_document()
            document["tokens"].append(
                {
                    "id": token_id,
                    "role": role.value,
                    "sha256": _digest(token).hex(),
                    "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
            payload = json.dumps(document, indent=2, sort_keys=True) + "\n"
            write_private_file(self.path, payload.encode())
        return token_id, token

    def authenticate(self, token: str) -> Caller | None:
        """The caller `token` belongs to, or None. Every entry is compared, whatever matched, so the time
        taken says nothing about which stored hash came close."""
        presented = _digest(token)
        found: _Entry | None = None
        for entry in self._current_entries():
            if hmac.compare_digest(presented, entry.digest) and found is None:
                found = entry
        return Caller(found.token_id, found.role) if found is not None else None

    def _current_entries(self) -> tuple[_Entry, ...]:
        with self._lock:
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                self._seen, self._entries = None, ()
                return ()
            except OSError as err:
                raise UserInputError(f"cannot read the token file {self.path}: {err.strerror}") from err
            seen = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
            if seen != self._seen:
                self._entries = _entries(self._read_document(), self.path)
                self._seen = seen
            return self._entries

    def _read_document(self) -> dict[str, Any]:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return {"version": _FORMAT_VERSION, "tokens": []}
        except OSError as err:
            raise UserInputError(f"cannot read the token file {self.path}: {err.strerror}") from err
        with open(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
                raise UserInputError(
                    f"refusing the token file {self.path}: it must be a regular file of uid {os.geteuid()} "
                    f"that nobody else can write (found mode {stat.S_IMODE(st.st_mode):04o}, uid {st.st_uid})"
                )
            raw = f.read(_MAX_FILE_BYTES + 1)
        if len(raw) > _MAX_FILE_BYTES:
            raise UserInputError(f"the token file {self.path} is larger than {_MAX_FILE_BYTES} bytes")
        try:
            document = json.loads(raw)
        except (ValueError, RecursionError) as err:
            raise UserInputError(f"the token file {self.path} is not valid JSON: {err}") from err
        if not isinstance(document, dict) or not isinstance(document.get("tokens"), list):
            raise UserInputError(f'the token file {self.path} holds no "tokens" list')
        return document

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Serialises creators (two `token create` at once must not lose one), beside the file."""
        make_private_folder(self.path.parent)
        fd = os.open(self.path.with_name(f".{self.path.name}.lock"), os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def _entries(document: dict[str, Any], path: Path) -> tuple[_Entry, ...]:
    entries = []
    for n, item in enumerate(document["tokens"]):
        try:
            entries.append(_Entry(str(item["id"]), Role(item["role"]), bytes.fromhex(item["sha256"])))
        except (KeyError, TypeError, ValueError) as err:
            raise UserInputError(f"the token file {path} has a malformed entry {n}: {err!r}") from err
    return tuple(entries)
