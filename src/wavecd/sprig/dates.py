"""Sprig's date functions (date.go): `now`, `date`, `dateInZone`, `toDate`, `dateModify`, `duration`, ...

Dates are Go time.Time values (`GoTime`); an int64 or int argument means Unix seconds and any other
value means *now* (so `date "2006" "2024-01-01"` prints the current year, as in Helm).
"""

from __future__ import annotations

from typing import Any

from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import Int64
from wavecd.sprig.cast import parse_int
from wavecd.sprig.goduration import DurationError, format_duration, parse_duration
from wavecd.sprig.gotime import ZERO_UNIX, GoTime, now
from wavecd.sprig.gotimeparse import TimeParseError, parse_time
from wavecd.sprig.goval import require, wrap64
from wavecd.sprig.gozone import UTC, load_location, local_zone

_SECOND = 1_000_000_000
_HTML_LAYOUT = "2006-01-02"


def _as_time(date: Any) -> GoTime:
    """Sprig's date switch: a time.Time, int64 or int (Unix seconds), anything else is now."""
    if isinstance(date, GoTime):
        return date
    if type(date) is int or type(date) is Int64:
        return GoTime(int(date), 0, local_zone())
    return now()


def date_in_zone(layout: str, date: Any, zone: str) -> str:
    location = load_location(zone) or UTC
    return _as_time(date).in_zone(location).Format(layout)


def _since(t: GoTime) -> int:
    current = now()
    return (current.unix - t.unix) * _SECOND + (current.nsec - t.nsec)


def _round_to_second(d: int) -> int:
    """Duration.Round(time.Second): halves away from zero."""
    quotient, remainder = divmod(abs(d), _SECOND)
    rounded = (quotient + (1 if remainder * 2 >= _SECOND else 0)) * _SECOND
    return rounded if d >= 0 else -rounded


def ago(date: Any) -> str:
    return format_duration(_round_to_second(_since(_as_time(date))))


def date_modify(text: str, date: GoTime) -> GoTime:
    require(date, GoTime, "time.Time")
    try:
        return date.add_nanos(parse_duration(text))
    except DurationError:
        return date


def must_date_modify(text: str, date: GoTime) -> GoTime:
    require(date, GoTime, "time.Time")
    try:
        return date.add_nanos(parse_duration(text))
    except DurationError as err:
        raise GoFuncError(str(err)) from None


def duration(sec: Any) -> str:
    if isinstance(sec, str):
        n = parse_int(sec, 10)[0]
    elif isinstance(sec, Int64):
        n = int(sec)
    else:
        n = 0
    return format_duration(wrap64(n * _SECOND))


_ROUND_UNITS = (
    (3600 * 24 * 365 * _SECOND, "y"),
    (3600 * 24 * 30 * _SECOND, "mo"),
    (3600 * 24 * _SECOND, "d"),
    (3600 * _SECOND, "h"),
    (60 * _SECOND, "m"),
    (_SECOND, "s"),
)


def duration_round(value: Any) -> str:
    if isinstance(value, str):
        try:
            d = parse_duration(value)
        except DurationError:
            d = 0
    elif isinstance(value, Int64):
        d = int(value)
    elif isinstance(value, GoTime):
        d = _since(value)
    else:
        d = 0
    u = abs(d)
    for size, unit in _ROUND_UNITS:
        if u > size:
            return f"{u // size}{unit}"
    return "0s"


def must_to_date(layout: str, text: str) -> GoTime:
    local = local_zone()
    try:
        return parse_time(layout, text, local, local)
    except TimeParseError as err:
        raise GoFuncError(str(err)) from None


def to_date(layout: str, text: str) -> GoTime:
    try:
        return must_to_date(layout, text)
    except GoFuncError:
        return GoTime(ZERO_UNIX, 0, UTC)


FUNCS = [
    GoFunc("ago", ago, ("interface {}",)),
    GoFunc("date", lambda layout, date: date_in_zone(layout, date, "Local"), ("string", "interface {}")),
    GoFunc("date_in_zone", date_in_zone, ("string", "interface {}", "string")),
    GoFunc("dateInZone", date_in_zone, ("string", "interface {}", "string")),
    GoFunc("date_modify", date_modify, ("string", "time.Time")),
    GoFunc("dateModify", date_modify, ("string", "time.Time")),
    GoFunc("duration", duration, ("interface {}",)),
    GoFunc("durationRound", duration_round, ("interface {}",)),
    GoFunc("htmlDate", lambda date: date_in_zone(_HTML_LAYOUT, date, "Local"), ("interface {}",)),
    GoFunc("htmlDateInZone", lambda date, zone: date_in_zone(_HTML_LAYOUT, date, zone), ("interface {}", "string")),
    GoFunc("must_date_modify", must_date_modify, ("string", "time.Time")),
    GoFunc("mustDateModify", must_date_modify, ("string", "time.Time")),
    GoFunc("mustToDate", must_to_date, ("string", "string")),
    GoFunc("now", now),
    GoFunc("toDate", to_date, ("string", "string")),
    GoFunc("unixEpoch", lambda date: str(require(date, GoTime, "time.Time").unix), ("time.Time",)),
]
