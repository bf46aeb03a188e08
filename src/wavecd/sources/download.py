"""Reading a chart archive's download without holding more than any loadable chart archive.

Helm reads a downloaded body whole before it looks at it (pkg/getter), so a repository or registry that
answers with a huge or endless body fills memory first. Deflate never makes data smaller by more than a
few bytes in 64 KiB, so an archive whose compressed size is over `MAX_DOWNLOAD` (Helm's chart limit plus
the bound on what else an archive may hold, wavecd.core.chartarchive) inflates beyond both and could
never load: the body is read in pieces and abandoned, with Helm's chart error as the cause, as soon as it
passes that size, or at once when its Content-Length says it will.
"""

from __future__ import annotations

import httpx

from wavecd.core.chartarchive import MAX_DECOMPRESSED_CHART_SIZE, MAX_OVERHEAD, ChartTooLarge
from wavecd.sources.errors import ChartArchiveError, RequestError

MAX_DOWNLOAD = MAX_DECOMPRESSED_CHART_SIZE + MAX_OVERHEAD


def read_archive_body(response: httpx.Response, what: str) -> bytes:
    """The body of a streamed `response` (status already checked), refused past MAX_DOWNLOAD bytes."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_DOWNLOAD:
        raise _too_large(what, f"its Content-Length is {declared}")
    chunks: list[bytes] = []
    received = 0
    try:
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > MAX_DOWNLOAD:
                raise _too_large(what, f"more than {MAX_DOWNLOAD} bytes arrived")
            chunks.append(chunk)
    except httpx.HTTPError as err:
        raise RequestError(f"{what}: the download failed: {err}", status=None) from None
    return b"".join(chunks)


def _too_large(what: str, how: str) -> ChartArchiveError:
    return ChartArchiveError(
        f"{what}: the download is larger than any chart archive Helm can load ({how}; the limit is "
        f"{MAX_DOWNLOAD} bytes)",
        cause=ChartTooLarge(),
    )
