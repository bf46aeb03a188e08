"""Go's time.Location: UTC, Local, IANA zones and fixed zones, answering "offset and abbreviation at t".

Local follows Go's rule: $TZ when set (empty means UTC, a leading `:` is dropped, an unknown name falls
back to UTC), else /etc/localtime. It is read when asked for, so a changed $TZ takes effect at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class GoZone:
    """A Location: its `String()` name and, unless it is UTC or fixed, the tz database rules."""

    name: str
    tz: tzinfo | None = None
    fixed_offset: int = 0
    fixed_abbrev: str = "UTC"

    def lookup(self, unix: int) -> tuple[int, str]:
        """(offset east of UTC in seconds, abbreviation) in effect at the instant `unix`."""
        if self.tz is None:
            return self.fixed_offset, self.fixed_abbrev
        try:
            moment = _EPOCH + timedelta(seconds=unix)
        except OverflowError:
            return 0, "UTC"
        local = moment.astimezone(self.tz)
        offset = local.utcoffset()
        return int(offset.total_seconds()) if offset else 0, local.tzname() or ""

    def lookup_name(self, abbrev: str, unix: int) -> int | None:
        """The offset of an abbreviation this zone uses around `unix` (Go's lookupName), or None."""
        if self.tz is None:
            return self.fixed_offset if abbrev == self.fixed_abbrev else None
        for probe in (unix, unix - 183 * 86400, unix + 183 * 86400):
            offset, name = self.lookup(probe)
            if name == abbrev:
                at_t = self.lookup(unix - offset)
                return at_t[0] if at_t[1] == abbrev else offset
        return None


UTC = GoZone("UTC")


def fixed_zone(name: str, offset: int) -> GoZone:
    """time.FixedZone."""
    return GoZone(name, None, offset, name)


@lru_cache(maxsize=64)
def _tz_database(key: str) -> tzinfo | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # imported when a zone is first read: start-up matters

    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@lru_cache(maxsize=4)
def _tz_file(path: str) -> tzinfo | None:
    from zoneinfo import ZoneInfo  # as in _tz_database

    try:
        with open(path, "rb") as fh:
            return ZoneInfo.from_file(fh)
    except (OSError, ValueError):
        return None


def local_zone() -> GoZone:
    """time.Local as Go initialises it."""
    tz_env = os.environ.get("TZ")
    if tz_env is None:
        tz = _tz_file("/etc/localtime")
    elif tz_env in ("", "UTC"):
        tz = None
    else:
        tz = _tz_database(tz_env.removeprefix(":"))
    if tz is None:
        return GoZone("Local")
    return GoZone("Local", tz)


def load_location(name: str) -> GoZone | None:
    """time.LoadLocation: UTC for "" and "UTC", Local for "Local", else the tz database (None if unknown)."""
    if name in ("", "UTC"):
        return UTC
    if name == "Local":
        return local_zone()
    tz = _tz_database(name)
    return GoZone(name, tz) if tz is not None else None
