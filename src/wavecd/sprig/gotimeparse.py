"""Go's time.ParseInLocation: reading a value against a reference layout, with Go's error texts.

`toDate`/`mustToDate` expose every detail: which zone a parsed offset or abbreviation lands in (the Local
zone when it matches, else a fixed zone), `_2` skipping a space, a fraction after seconds accepted even
when the layout has none, and messages such as `parsing time "x" as "2006": cannot parse "x" as "2006"`.
"""

from __future__ import annotations

from wavecd.sprig.goduration import time_quote
from wavecd.sprig.golayout import (
    DAYS_BEFORE,
    LONG_DAYS,
    LONG_MONTHS,
    SHORT_DAYS,
    SHORT_MONTHS,
    days_in,
    is_leap,
    next_std_chunk,
)
from wavecd.sprig.gotime import GoTime, make_time
from wavecd.sprig.gozone import UTC, GoZone, fixed_zone


class TimeParseError(ValueError):
    """time.ParseError; the message is Go's."""


class _Bad(Exception):
    """A value element did not match its layout element."""


def _parse_error(layout: str, value: str, layout_elem: str, value_elem: str, message: str) -> TimeParseError:
    if message:
        return TimeParseError(f"parsing time {time_quote(value)}{message}")
    return TimeParseError(
        f"parsing time {time_quote(value)} as {time_quote(layout)}: cannot parse {time_quote(value_elem)} "
        f"as {time_quote(layout_elem)}"
    )


def _getnum(s: str, fixed: bool) -> tuple[int, str]:
    if not s[:1].isdigit() or not s[:1].isascii():
        raise _Bad
    if not (s[1:2].isdigit() and s[1:2].isascii()):
        if fixed:
            raise _Bad
        return int(s[0]), s[1:]
    return int(s[:2]), s[2:]


def _getnum3(s: str, fixed: bool) -> tuple[int, str]:
    i = 0
    while i < 3 and i < len(s) and "0" <= s[i] <= "9":
        i += 1
    if i == 0 or (fixed and i != 3):
        raise _Bad
    return int(s[:i]), s[i:]


def _lookup(names: tuple[str, ...], s: str) -> tuple[int, str]:
    for i, name in enumerate(names):
        if len(s) >= len(name) and s[: len(name)].lower() == name.lower():
            return i, s[len(name) :]
    raise _Bad


def _skip(value: str, prefix: str) -> str:
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                raise _Bad
            prefix = prefix.lstrip(" ")
            value = value.lstrip(" ")
            continue
        if not value or value[0] != prefix[0]:
            raise _Bad
        prefix = prefix[1:]
        value = value[1:]
    return value


def _nanos(value: str, nbytes: int) -> int:
    if value[0] not in ".,":
        raise _Bad
    nbytes = min(nbytes, 10)
    digits = value[1:nbytes]
    if not digits.isdigit() or not digits.isascii():
        raise _Bad
    return int(digits) * 10 ** (10 - nbytes)


def _signed_offset_len(value: str) -> int:
    if value[:1] not in ("+", "-"):
        return 0
    i = 1
    while i < len(value) and "0" <= value[i] <= "9":
        i += 1
    if i == 1 or int(value[1:i]) > 23:
        return 0
    return i


def _zone_name_len(value: str) -> int:
    """time.parseTimeZone: the length of a zone abbreviation at the start of value (0 if none)."""
    if len(value) < 3:
        return 0
    if value[:4] in ("ChST", "MeST"):
        return 4
    if value[:3] == "GMT":
        return 3 + _signed_offset_len(value[3:])
    if value[0] in "+-":
        return _signed_offset_len(value)
    upper = 0
    while upper < 6 and upper < len(value) and "A" <= value[upper] <= "Z":
        upper += 1
    if upper == 3:
        return 3
    if upper == 4 and (value[3] == "T" or value[:4] == "WITA"):
        return 4
    if upper == 5 and value[4] == "T":
        return 5
    return 0


def parse_time(layout: str, value: str, default_zone: GoZone, local: GoZone) -> GoTime:
    """time.ParseInLocation(layout, value, default_zone) with `local` as Go's Local; TimeParseError."""
    full_layout, full_value = layout, value
    year, month, day, yday = 0, -1, -1, -1
    hour = minute = sec = nsec = 0
    am = pm = False
    zone: GoZone | None = None
    zone_offset: int | None = None
    zone_name = ""
    while True:
        prefix, std, suffix = next_std_chunk(layout)
        try:
            value = _skip(value, prefix)
        except _Bad:
            raise _parse_error(full_layout, full_value, prefix, value, "") from None
        if not std:
            if value:
                raise _parse_error(full_layout, full_value, "", value, ": extra text: " + time_quote(value))
            break
        layout = suffix
        hold = value
        range_error = ""
        try:
            if std == "06":
                if len(value) < 2 or not value[:2].isdigit():
                    raise _Bad
                year = int(value[:2])
                year += 1900 if year >= 69 else 2000
                value = value[2:]
            elif std == "2006":
                if len(value) < 4 or not value[:4].isdigit() or not value[:4].isascii():
                    raise _Bad
                year, value = int(value[:4]), value[4:]
            elif std == "Jan":
                month, value = _lookup(SHORT_MONTHS, value)
                month += 1
            elif std == "January":
                month, value = _lookup(LONG_MONTHS, value)
                month += 1
            elif std in ("1", "01"):
                month, value = _getnum(value, std == "01")
                if not 0 < month <= 12:
                    range_error = "month"
            elif std == "Mon":
                value = _lookup(SHORT_DAYS, value)[1]
            elif std == "Monday":
                value = _lookup(LONG_DAYS, value)[1]
            elif std in ("2", "_2", "02"):
                if std == "_2" and value[:1] == " ":
                    value = value[1:]
                day, value = _getnum(value, std == "02")
            elif std in ("__2", "002"):
                if std == "__2":
                    for _ in range(2):
                        if value[:1] == " ":
                            value = value[1:]
                yday, value = _getnum3(value, std == "002")
            elif std == "15":
                hour, value = _getnum(value, False)
                if not 0 <= hour < 24:
                    range_error = "hour"
            elif std in ("3", "03"):
                hour, value = _getnum(value, std == "03")
                if not 0 <= hour <= 12:
                    range_error = "hour"
            elif std in ("4", "04"):
                minute, value = _getnum(value, std == "04")
                if not 0 <= minute < 60:
                    range_error = "minute"
            elif std in ("5", "05"):
                sec, value = _getnum(value, std == "05")
                if not 0 <= sec < 60:
                    range_error = "second"
                elif len(value) >= 2 and value[0] in ".," and "0" <= value[1] <= "9":
                    following = next_std_chunk(layout)[1]
                    if not (following[:1] in (".", ",") and len(following) > 1):
                        n = 2
                        while n < len(value) and "0" <= value[n] <= "9":
                            n += 1
                        nsec = _nanos(value, n)
                        value = value[n:]
            elif std in ("PM", "pm"):
                if len(value) < 2:
                    raise _Bad
                word, value = value[:2], value[2:]
                if word == ("PM" if std == "PM" else "pm"):
                    pm = True
                elif word == ("AM" if std == "PM" else "am"):
                    am = True
                else:
                    raise _Bad
            elif std[0] in "-Z":
                if std[0] == "Z" and value[:1] == "Z":
                    value = value[1:]
                    zone = UTC
                else:
                    zone_offset, value, range_error = _parse_numeric_zone(std, value)
            elif std == "MST":
                if value[:3] == "UTC":
                    zone = UTC
                    value = value[3:]
                else:
                    length = _zone_name_len(value)
                    if not length:
                        raise _Bad
                    zone_name, value = value[:length], value[length:]
            elif std[1] == "0":
                ndigit = len(std)
                if len(value) < ndigit:
                    raise _Bad
                nsec = _nanos(value, ndigit)
                value = value[ndigit:]
            elif len(value) >= 2 and value[0] in ".," and "0" <= value[1] <= "9":
                i = 0
                while i + 1 < len(value) and "0" <= value[i + 1] <= "9":
                    i += 1
                nsec = _nanos(value, 1 + i)
                value = value[1 + i :]
        except (_Bad, IndexError):
            raise _parse_error(full_layout, full_value, std, hold, "") from None
        if range_error:
            raise _parse_error(full_layout, full_value, std, value, f": {range_error} out of range")
    if pm and hour < 12:
        hour += 12
    elif am and hour == 12:
        hour = 0
    if yday >= 0:
        month, day = _from_year_day(year, yday, month, day, full_layout, full_value, value)
    else:
        month = 1 if month < 0 else month
        day = 1 if day < 0 else day
    if day < 1 or day > days_in(month, year):
        raise _parse_error(full_layout, full_value, "", value, ": day out of range")
    if zone is not None:
        return make_time(year, month, day, hour, minute, sec, nsec, zone)
    if zone_offset is not None:
        t = make_time(year, month, day, hour, minute, sec, nsec, UTC)
        unix = t.unix - zone_offset
        offset, name = local.lookup(unix)
        if offset == zone_offset and (not zone_name or name == zone_name):
            return GoTime(unix, nsec, local)
        return GoTime(unix, nsec, fixed_zone(zone_name, zone_offset))
    if zone_name:
        t = make_time(year, month, day, hour, minute, sec, nsec, UTC)
        offset = local.lookup_name(zone_name, t.unix)
        if offset is not None:
            return GoTime(t.unix - offset, nsec, local)
        offset = 0
        if len(zone_name) > 3 and zone_name.startswith("GMT"):
            offset = int(zone_name[3:]) * 3600
        return GoTime(t.unix, nsec, fixed_zone(zone_name, offset))
    return make_time(year, month, day, hour, minute, sec, nsec, default_zone)


def _parse_numeric_zone(std: str, value: str) -> tuple[int, str, str]:
    """A numeric zone offset per layout token: (offset seconds, rest of value, range error or "")."""
    colon = ":" in std
    if std in ("-07", "Z07"):
        sign, hh, mm, ss, rest = value[0], value[1:3], "00", "00", value[3:]
        need = 3
    elif std in ("-07:00:00", "Z07:00:00"):
        if len(value) >= 9 and (value[3] != ":" or value[6] != ":"):
            raise _Bad
        sign, hh, mm, ss, rest = value[0], value[1:3], value[4:6], value[7:9], value[9:]
        need = 9
    elif std in ("-070000", "Z070000"):
        sign, hh, mm, ss, rest = value[0], value[1:3], value[3:5], value[5:7], value[7:]
        need = 7
    elif colon:
        if len(value) >= 6 and value[3] != ":":
            raise _Bad
        sign, hh, mm, ss, rest = value[0], value[1:3], value[4:6], "00", value[6:]
        need = 6
    else:
        sign, hh, mm, ss, rest = value[0], value[1:3], value[3:5], "00", value[5:]
        need = 5
    if len(value) < need:
        raise _Bad
    hr = _getnum(hh, True)[0]
    mins = _getnum(mm, True)[0]
    secs = _getnum(ss, True)[0]
    range_error = ""
    if hr > 24:
        range_error = "time zone offset hour"
    if mins > 60:
        range_error = "time zone offset minute"
    if secs > 60:
        range_error = "time zone offset second"
    offset = (hr * 60 + mins) * 60 + secs
    if sign == "-":
        offset = -offset
    elif sign != "+":
        raise _Bad
    return offset, rest, range_error


def _from_year_day(year: int, yday: int, month: int, day: int, layout: str, value: str, rest: str) -> tuple[int, int]:
    m = 0
    d = 0
    if is_leap(year):
        if yday == 31 + 29:
            m, d = 2, 29
        elif yday > 31 + 29:
            yday -= 1
    if yday < 1 or yday > 365:
        raise _parse_error(layout, value, "", rest, ": day-of-year out of range")
    if m == 0:
        m = (yday - 1) // 31 + 1
        if DAYS_BEFORE[m] < yday:
            m += 1
        d = yday - DAYS_BEFORE[m - 1]
    if month >= 0 and month != m:
        raise _parse_error(layout, value, "", rest, ": day-of-year does not match month")
    if day >= 0 and day != d:
        raise _parse_error(layout, value, "", rest, ": day-of-year does not match day")
    return m, d
