"""A chart archive (`.tgz`) read as a stream within Helm's size limits, as Helm's `LoadArchiveFiles` reads
it through Go's `compress/gzip` and `archive/tar` (helm v4.1 pkg/chart/loader/archive/archive.go, v3.17.3+
pkg/chart/loader/archive.go).

Chart archives are untrusted, and a 3 MB gzip can inflate to 3 GiB. Decompressing the whole archive before
reading it would hold all of that; Python's `tarfile` also reads a pax or GNU long-name header whole,
whatever size it declares, and remembers every member it has passed. Here the archive is decompressed only
as far as it is read, and reading stops, before holding more, at Helm's limits: `MaxDecompressedFileSize`
(5 MiB) a file, `MaxDecompressedChartSize` (100 MiB) the files of one archive. Go's reader holds nothing
but the files, so what else the stream holds (headers, padding, directories, pax records, data skipped)
may add up to `MAX_OVERHEAD`, and a pax or long-name header over Go's 1 MiB (`maxSpecialFileSize`,
go/src/archive/tar/reader.go) is refused with Go's error. Errors carry Helm's and Go's texts, which Helm
prints. This module is shared by the Helm loader (which adds Helm's path checks) and the chart sources
(which refuse to cache an archive that breaks these limits)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:  # tarfile, gzip and zlib are imported on first use: a chart folder's render needs none
    import tarfile

MAX_DECOMPRESSED_CHART_SIZE = 100 * 1024 * 1024
MAX_DECOMPRESSED_FILE_SIZE = 5 * 1024 * 1024
# Helm has no such bound (Go holds none of it). 8 MiB of headers and padding is some 10,000 files, and
# Python's tarfile reads about that many headers a second.
MAX_OVERHEAD = 8 * 1024 * 1024
MAX_SPECIAL_FILE_SIZE = 1 << 20

# archive/tar's isHeaderOnlyType: entries whose data Go never reads, whatever size the header declares
# (type flags: hard link, symlink, character and block device, directory, FIFO).
_HEADER_ONLY = frozenset((b"1", b"2", b"3", b"4", b"5", b"6"))
_DIRTYPE = b"5"
# The headers Go reads whole through readSpecialFile: GNU long name and link, pax, pax global, Solaris pax.
_SPECIAL = frozenset((b"L", b"K", b"x", b"g", b"X"))
_XGLTYPE = b"g"
# Data tarfile skips is read and dropped in pieces of this size.
_READ_SIZE = 1 << 20
_S_IFMT_PERM = 0o7777
_S_IFDIR = 0o040000


class TarStreamError(Exception):
    """An archive Go's readers or Helm's limits refuse; `str()` is Helm 4's text for it."""

    def worded(self, helm_major: int) -> str:
        """The text the given Helm major version prints."""
        return str(self)


class GzipHeaderError(TarStreamError):
    """`gzip.ErrHeader`: Helm names the file when it sees this one."""

    def __init__(self) -> None:
        super().__init__("gzip: invalid header")


class LimitError(TarStreamError):
    """Reading stopped at a limit, before holding more than it allows."""


class HeaderTooLong(LimitError):
    """A pax or GNU long-name header over Go's 1 MiB."""

    def __init__(self) -> None:
        super().__init__("archive/tar: header field too long")


class ChartTooLarge(LimitError):
    """The files (or the rest) of the archive exceed the chart limit."""

    def __init__(self) -> None:
        super().__init__(f"decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}")

    def worded(self, helm_major: int) -> str:
        """Helm 3 (3.17.3+) says "maximum file size" here too."""
        return str(self) if helm_major >= 4 else str(self).replace("maximum size", "maximum file size")


class FileTooLarge(LimitError):
    """One file exceeds the file limit; `str()` is Helm's text, naming the entry as the archive does."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f'decompressed chart file "{name}" is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}'
        )


class ChartBudget:
    """What is left of `MaxDecompressedChartSize` for the files of one chart load. Helm holds every
    subchart archive of a chart in memory and gives each its own 100 MiB, so 30 sibling bombs of 95 MiB
    would be held at once; one budget shared by every archive read during a load (the chart's and its
    subcharts', recursively) bounds what a load holds to 100 MiB, whatever the archives nest."""

    def __init__(self) -> None:
        self.remaining = MAX_DECOMPRESSED_CHART_SIZE


class _Meter:
    """The decompressed stream, counting what passes (Helm's budget for the files' contents, and the bound
    on everything else), seekable only forwards, as tarfile reads it: it steps back one byte to check that
    a skipped member was complete, so the last byte read is kept."""

    def __init__(self, raw: BinaryIO, budget: ChartBudget):
        self._raw = raw
        self.total = 0
        self.data = 0
        self.budget = budget
        self._last = b""
        self._replay = False

    def read(self, size: int = -1) -> bytes:
        replay = self._last if self._replay else b""
        self._replay = False
        want = (size if size >= 0 else _READ_SIZE) - len(replay)
        chunk = self._raw.read(want) if want > 0 else b""
        self.total += len(chunk)
        if self.total - self.data > MAX_OVERHEAD:
            raise ChartTooLarge
        if chunk:
            self._last = chunk[-1:]
        return replay + chunk if replay else chunk

    def tell(self) -> int:
        return self.total - (1 if self._replay else 0)

    def seek(self, position: int) -> int:
        self._replay = False
        if position == self.total - 1 and self._last:
            self._replay = True
        elif position < self.total:
            raise OSError("a chart archive is read forwards only")
        while self.total < position:
            if not self.read(min(position - self.total, _READ_SIZE)):
                break
        return self.tell()


@functools.cache
def _bounded_tarinfo() -> type[tarfile.TarInfo]:
    """A TarInfo that refuses a pax or GNU long-name header larger than Go reads (readSpecialFile)."""
    import tarfile

    class BoundedTarInfo(tarfile.TarInfo):
        def _proc_member(self, archive: tarfile.TarFile) -> tarfile.TarInfo:
            if self.type in _SPECIAL and self.size > MAX_SPECIAL_FILE_SIZE:
                raise HeaderTooLong
            member: tarfile.TarInfo = super()._proc_member(archive)  # type: ignore[misc]
            return member

    return BoundedTarInfo


@contextlib.contextmanager
def _go_errors() -> Iterator[None]:
    """Python's gzip, zlib and tarfile errors in Go's words."""
    import gzip
    import tarfile
    import zlib

    try:
        yield
    except gzip.BadGzipFile as err:
        if str(err).startswith(("Not a gzipped file", "Unknown compression method")):
            raise GzipHeaderError from None
        raise TarStreamError("gzip: invalid checksum") from None
    except EOFError:
        raise TarStreamError("unexpected EOF") from None
    except zlib.error:
        raise TarStreamError("flate: corrupt input") from None
    except tarfile.ReadError as err:
        text = str(err)
        if text.startswith("zlib error"):
            raise TarStreamError("flate: corrupt input") from None
        if text in ("unexpected end of data", "truncated header"):
            raise TarStreamError("unexpected EOF") from None
        raise TarStreamError("archive/tar: invalid tar header") from None


class TarEntry:
    """One entry of the archive; its data can be read while the iteration stands on it."""

    def __init__(self, info: tarfile.TarInfo, tar: tarfile.TarFile, meter: _Meter):
        self.info = info
        self._tar = tar
        self._meter = meter

    @property
    def is_dir(self) -> bool:
        """Go's `FileInfo().IsDir()`: the directory type flag, or a directory in the mode bits."""
        return self.info.type == _DIRTYPE or self.info.mode & ~_S_IFMT_PERM == _S_IFDIR

    @property
    def is_global_header(self) -> bool:
        """A pax global header, which Go's reader returns as an entry and Helm skips."""
        return self.info.type == _XGLTYPE

    def read(self) -> bytes:
        """The entry's content, within Helm's limits and with Helm's checks in Helm's order: the declared
        size against what is left of the chart budget, then against the file limit; then at most the rest
        of the budget is read, and a short read or an exhausted budget is the chart error. Links, devices,
        FIFOs and directories have no content, as Go reads them: a link's target is never followed (so a
        link whose header declares a size is short, and refused like Helm refuses it).

        The declared size counts as data while the entry is read, and is corrected to what was read after:
        the bytes passing through the meter during the read are the file's, not overhead, so a chart of a
        few thousand small files (their headers near the overhead bound) can still hold a large one."""
        meter = self._meter
        budget = meter.budget
        if self.info.size > budget.remaining:
            raise ChartTooLarge
        if self.info.size > MAX_DECOMPRESSED_FILE_SIZE:
            raise FileTooLarge(self.info.name)
        data = b""
        if self.info.type not in _HEADER_ONLY:
            meter.data += self.info.size
            try:
                with _go_errors():
                    handle = self._tar.extractfile(self.info)
                    data = handle.read(self.info.size) if handle is not None else b""
            finally:
                meter.data -= self.info.size
        meter.data += len(data)
        budget.remaining -= len(data)
        if len(data) < self.info.size or budget.remaining <= 0:
            raise ChartTooLarge
        return data


def read_chart_archive(stream: BinaryIO, budget: ChartBudget | None = None) -> Iterator[TarEntry]:
    """The entries of the chart archive `stream`, read as they come; raise TarStreamError. `budget` is
    shared with the other archives of the same chart load (a fresh 100 MiB when not given)."""
    import gzip
    import tarfile

    meter = _Meter(gzip.GzipFile(fileobj=stream, mode="rb"), budget or ChartBudget())  # type: ignore[arg-type]
    with _go_errors():
        try:
            tar = tarfile.TarFile(fileobj=meter, tarinfo=_bounded_tarinfo())  # type: ignore[arg-type]
        except tarfile.ReadError as err:
            if str(err) == "empty file":
                return  # Go's reader sees the end of an empty archive
            raise
    with tar:
        while True:
            with _go_errors():
                info = tar.next()
            if info is None:
                return
            # tarfile would remember every member it passed; the caller keeps what it needs
            tar.members.clear()  # type: ignore[attr-defined]
            yield TarEntry(info, tar, meter)


def _is_subchart_archive(name: str) -> bool:
    """Whether the loader reads the entry `name` (its top directory included) as a subchart archive:
    `charts/X.tgz`, or one inside a subchart folder (`charts/sub/charts/X.tgz`), X not hidden."""
    parts = name.replace("\\", "/").split("/")[1:]
    if len(parts) < 2 or len(parts) % 2 or not parts[-1].endswith(".tgz"):
        return False
    folders, names = parts[0::2], parts[1::2]
    return all(f == "charts" for f in folders) and not any(n[:1] in ("_", ".") for n in names)


def check_limits(data: bytes, budget: ChartBudget | None = None) -> None:
    """Raise LimitError if reading the archive as Helm does stops at a limit. The subchart archives it
    holds are read too, within the same budget as the loader reads them, so what is cached is what can be
    loaded. Any other fault (a broken stream, a path Helm refuses) is left to the loader, which words it as
    Helm does."""
    import io

    budget = budget or ChartBudget()
    try:
        for entry in read_chart_archive(io.BytesIO(data), budget):
            if not (entry.is_dir or entry.is_global_header):
                content = entry.read()
                if _is_subchart_archive(entry.info.name):
                    check_limits(content, budget)
    except LimitError:
        raise
    except TarStreamError:
        return
