"""Files wavecd keeps for its user — the cache, the sim's state — private to that user, and read back as code
only when nobody else could have written them.

Folders are created 0700 and files 0600, set explicitly so that no umask widens them. The cache holds
pickles, which run code when loaded; a `SealedFolder` loads one only from a folder chain the user owns
(group/other write bits found there are removed), and only when its HMAC-SHA256 under the user's key
(`<cache>/entries.key`, 0600, made on first use) holds, so a damaged or planted entry is deleted, never
unpickled. The seal is the gate: nobody but the user can have made a key file that is the user's alone.
A seal covers the entry's place (its folder under the cache and its name) with its payload, so an entry
copied to another name or folder (another text's, another cache's) is not read as that one.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import stat
import sys
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
_KEY_FILE = "entries.key"
_KEY_BYTES = 32
_TAG_BYTES = 32  # HMAC-SHA256
_warned: set[Path] = set()


def cache_root() -> Path:
    """`$WAVECD_CACHE_DIR`, else `~/.cache/wavecd`."""
    return Path(os.environ.get("WAVECD_CACHE_DIR") or Path.home() / ".cache" / "wavecd")


def make_private_folder(path: Path) -> None:
    """Create `path` and its missing parents as 0700; folders that already exist are left as they are."""
    missing = []
    while not os.path.lexists(path):
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first, and made it private too
            os.mkdir(folder, PRIVATE_FOLDER)
            os.chmod(folder, PRIVATE_FOLDER)


def write_private_file(path: Path, *chunks: bytes) -> None:
    """Write `chunks` to `path` as a 0600 file, atomically (a temporary sibling renamed into place, so a
    concurrent reader never sees half of it). Raises OSError."""
    make_private_folder(path.parent)
    handle, temporary = _temporary_in(path.parent, path.name)
    try:
        os.fchmod(handle, PRIVATE_FILE)
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def restrict_tree(root: Path) -> None:
    """Make a tree wavecd extracted private: folders 0700, files 0600 (0700 when executable by the owner).
    Symlinks are left alone (a mode change would reach their target)."""
    os.chmod(root, PRIVATE_FOLDER)
    for folder, folders, files in os.walk(root):
        for name in folders:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, PRIVATE_FOLDER)
        for name in files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                os.chmod(path, PRIVATE_FOLDER if st.st_mode & stat.S_IXUSR else PRIVATE_FILE)


def untrusted(folder: Path, root: Path) -> str | None:
    """Why someone other than the user might have written into `folder` (every folder from `root` down to it
    must be the user's), or None when nobody could have.

    A folder of the user's that its group or others may write is tightened (`chmod go-w`) and used: older
    wavecd made its folders under the umask, and 002, the default for ordinary users on Debian, Ubuntu and
    Fedora, left them 0775, which would otherwise turn the caches off for good. What keeps a planted entry
    from running is its seal, an HMAC under a key file that must be the user's alone: only the user can
    have made that key, so nobody else can seal an entry, whatever the folder's mode was before. A folder
    owned by someone else is refused: its owner can change it back at any time."""
    parts = folder.relative_to(root).parts
    for path in (root.joinpath(*parts[:n]) for n in range(len(parts) + 1)):
        try:
            st = os.stat(path)
        except OSError:
            return None  # nothing there to read; what wavecd makes there now, it makes private
        if st.st_uid != os.geteuid():
            return f"{path} belongs to uid {st.st_uid}, not to uid {os.geteuid()}"
        if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            mode = stat.S_IMODE(st.st_mode)
            try:
                os.chmod(path, mode & ~(stat.S_IWGRP | stat.S_IWOTH))
            except OSError as err:
                return f"{path} is writable by its group or by others (mode {mode:04o}) and chmod failed: {err}"
    return None


class _Untrusted(Exception):
    """A key file that is not the user's alone, or not one wavecd made."""


class SealedFolder:
    """Entries sealed with the user's key, in a folder read only while nobody else can write to it.

    A folder that fails the check (one owned by someone else, a key file not the user's alone) is not used
    at all (one warning on stderr per process): reads miss and writes are skipped, so wavecd works as
    without a cache. A folder that cannot be written only costs speed.
    """

    def __init__(self, folder: Path, root: Path):
        self.folder = folder
        self.root = root
        self._key: bytes | None = None
        self._checked = False

    def _usable(self) -> bool:
        if not self._checked:
            self._checked = True
            reason = untrusted(self.folder, self.root)
            if reason is None:
                try:
                    self._key = _user_key(self.root)
                except _Untrusted as err:
                    reason = str(err)
                except OSError:
                    pass
            if reason is not None and self.folder not in _warned:
                _warned.add(self.folder)
                sys.stderr.write(f"wavecd: warning: not using the cache in {self.folder}: {reason}\n")
        return self._key is not None

    def read(self, name: str) -> bytes | None:
        """The payload stored under `name`, or None: no entry, a folder others could write, or a seal that
        does not hold — that entry is deleted, unread."""
        if not self._usable():
            return None
        assert self._key is not None
        path = self.folder / name
        try:
            with open(path, "rb") as f:
                tag = f.read(_TAG_BYTES)
                payload = f.read()
        except OSError:
            return None
        if len(tag) == _TAG_BYTES and hmac.compare_digest(tag, self._seal(name, payload)):
            return payload
        with contextlib.suppress(OSError):
            path.unlink()
        return None

    def write(self, name: str, payload: bytes) -> bool:
        """Seal and store `payload` under `name`; False when the folder is not used. Raises OSError."""
        if not self._usable():
            return False
        assert self._key is not None
        write_private_file(self.folder / name, self._seal(name, payload), payload)
        return True

    def _seal(self, name: str, payload: bytes) -> bytes:
        """HMAC-SHA256 of the entry's place (`<folder under the cache>/<name>`, then NUL) and its payload."""
        assert self._key is not None
        mac = hmac.new(self._key, f"{self.folder.relative_to(self.root).as_posix()}/{name}\0".encode(), "sha256")
        mac.update(payload)
        return mac.digest()


def _temporary_in(folder: Path, name: str) -> tuple[int, str]:
    """A new hidden file in `folder` named after `name`: its descriptor and path. `tempfile` is imported here
    because a process that only reads the cache (a render from a filled template cache) never needs it."""
    import tempfile

    return tempfile.mkstemp(prefix=f".{name}.", dir=folder)


def _user_key(root: Path) -> bytes:
    """The user's key in `root`, made on first use (linked into place, so concurrent first uses agree)."""
    path = root / _KEY_FILE
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    make_private_folder(root)
    handle, temporary = _temporary_in(root, _KEY_FILE)
    try:
        os.fchmod(handle, PRIVATE_FILE)
        with os.fdopen(handle, "wb") as out:
            out.write(os.urandom(_KEY_BYTES))  # what secrets.token_bytes returns
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as f:
        st = os.fstat(f.fileno())
        if st.st_uid != os.geteuid() or st.st_mode & 0o077 or not stat.S_ISREG(st.st_mode):
            raise _Untrusted(f"its key {path} is not readable by uid {os.geteuid()} alone")
        key = f.read(_KEY_BYTES + 1)
    if len(key) != _KEY_BYTES:
        raise _Untrusted(f"its key {path} is not one wavecd made")
    return key
