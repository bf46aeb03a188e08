"""Go's time.Time as templates see it: an instant, the Location it displays in, and a monotonic reading.

`now` gives one; `make_time` is time.Date (fields may overflow, the zone offset is looked up as Go does).
Printing goes through `String()` (`2024-02-03 04:05:06.789 +0000 UTC m=+0.001234567`) like any Stringer.
"""

from __future__ import annotations

import time as pytime
from typing import ClassVar

from wavecd.gotemplate.gotypes import GoStruct, Int64
from wavecd.goyaml.errors import GoJsonError
from wavecd.sprig.golayout import (
    DAYS_BEFORE,
    LONG_DAYS,
    LONG_MONTHS,
    civil_from_days,
    days_from_civil,
    format_time,
    is_leap,
)
from wavecd.sprig.gozone import UTC, GoZone, local_zone

_PROCESS_START = pytime.monotonic()
ZERO_UNIX = -62135596800


class GoCalendarName(GoStruct):
    """A time.Month or time.Weekday: what templates do with one is print it, through its String()."""

    go_methods: ClassVar[tuple[str, ...]] = ("String",)
    __slots__ = ("go_type", "name")

    def __init__(self, go_type: str, name: str):
        self.go_type = go_type  # type: ignore[misc]
        self.name = name

    def String(self) -> str:
        return self.name


class GoTime(GoStruct):
    """A time.Time: an instant (`unix` seconds + `nsec`), the Location it displays in, maybe a monotonic reading."""

    go_type: ClassVar[str] = "time.Time"
    go_methods: ClassVar[tuple[str, ...]] = (
        "String",
        "Format",
        "Unix",
        "UnixMilli",
        "UnixNano",
        "UTC",
        "Local",
        "Year",
        "Day",
        "Hour",
        "Minute",
        "Second",
        "Nanosecond",
        "YearDay",
        "Month",
        "Weekday",
        "IsZero",
        "Before",
        "After",
        "Equal",
    )

    __slots__ = ("mono", "nsec", "unix", "zone")

    def __init__(self, unix: int, nsec: int = 0, zone: GoZone = UTC, mono: float | None = None):
        self.unix = unix
        self.nsec = nsec
        self.zone = zone
        self.mono = mono

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoTime) and (self.unix, self.nsec, self.zone) == (other.unix, other.nsec, other.zone)

    def __hash__(self) -> int:
        return hash((self.unix, self.nsec))

    def __repr__(self) -> str:
        return f"GoTime({self.String()!r})"

    def to_go_json(self) -> str:
        """Time.MarshalJSON: RFC 3339 with nanoseconds, for years 0 through 9999 only."""
        if not 0 <= self.Year() <= 9999:
            raise GoJsonError(
                "json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]"
            )
        return format_time(self, "2006-01-02T15:04:05.999999999Z07:00")

    def civil(self) -> tuple[int, int, int, int, int, int, int, int, str]:
        """(year, month, day, hour, minute, second, weekday, offset, abbreviation) in the time's zone."""
        offset, abbrev = self.zone.lookup(self.unix)
        local = self.unix + offset
        days, secs = divmod(local, 86400)
        y, m, d = civil_from_days(days)
        return y, m, d, secs // 3600, secs // 60 % 60, secs % 60, (days + 4) % 7, offset, abbrev

    def in_zone(self, zone: GoZone) -> GoTime:
        return GoTime(self.unix, self.nsec, zone, self.mono)

    def add_nanos(self, d: int) -> GoTime:
        total = self.nsec + d
        secs, nsec = divmod(total, 1_000_000_000)
        return GoTime(self.unix + secs, nsec, self.zone, None if self.mono is None else self.mono + d / 1e9)

    def Format(self, layout: str) -> str:
        return format_time(self, layout)

    def String(self) -> str:
        text = format_time(self, "2006-01-02 15:04:05.999999999 -0700 MST")
        if self.mono is not None:
            nanos = round(self.mono * 1e9)
            sign = "-" if nanos < 0 else "+"
            whole, frac = divmod(abs(nanos), 1_000_000_000)
            text += f" m={sign}{whole}.{frac:09d}"
        return text

    def Unix(self) -> Int64:
        return Int64(self.unix)

    def UnixMilli(self) -> Int64:
        return Int64(self.unix * 1000 + self.nsec // 1_000_000)

    def UnixNano(self) -> Int64:
        return Int64(self.unix * 1_000_000_000 + self.nsec)

    def UTC(self) -> GoTime:
        return GoTime(self.unix, self.nsec, UTC)

    def Local(self) -> GoTime:
        return GoTime(self.unix, self.nsec, local_zone())

    def Year(self) -> int:
        return self.civil()[0]

    def Day(self) -> int:
        return self.civil()[2]

    def Hour(self) -> int:
        return self.civil()[3]

    def Minute(self) -> int:
        return self.civil()[4]

    def Second(self) -> int:
        return self.civil()[5]

    def Nanosecond(self) -> int:
        return self.nsec

    def Month(self) -> GoCalendarName:
        return GoCalendarName("time.Month", LONG_MONTHS[self.civil()[1] - 1])

    def Weekday(self) -> GoCalendarName:
        return GoCalendarName("time.Weekday", LONG_DAYS[self.civil()[6]])

    def YearDay(self) -> int:
        y, m, d = self.civil()[:3]
        return DAYS_BEFORE[m - 1] + d + (1 if m > 2 and is_leap(y) else 0)

    def IsZero(self) -> bool:
        return self.unix == ZERO_UNIX and self.nsec == 0

    def Before(self, other: GoTime) -> bool:
        return (self.unix, self.nsec) < (other.unix, other.nsec)

    def After(self, other: GoTime) -> bool:
        return (self.unix, self.nsec) > (other.unix, other.nsec)

    def Equal(self, other: GoTime) -> bool:
        return (self.unix, self.nsec) == (other.unix, other.nsec)


def now() -> GoTime:
    """time.Now(): the wall clock in Local, with a monotonic reading relative to process start."""
    ns = pytime.time_ns()
    secs, nsec = divmod(ns, 1_000_000_000)
    return GoTime(secs, nsec, local_zone(), pytime.monotonic() - _PROCESS_START)


def make_time(year: int, month: int, day: int, hour: int, minute: int, sec: int, nsec: int, zone: GoZone) -> GoTime:
    """time.Date: fields may overflow (hour 24 is the next day); the zone offset is looked up as Go does."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    sec += nsec // 1_000_000_000
    nsec %= 1_000_000_000
    unix = (days_from_civil(year, month, 1) + day - 1) * 86400 + hour * 3600 + minute * 60 + sec
    offset, _ = zone.lookup(unix)
    if offset:
        utc = unix - offset
        second_offset, _ = zone.lookup(utc)
        if second_offset != offset:
            offset = second_offset
        unix -= offset
    return GoTime(unix, nsec, zone)
