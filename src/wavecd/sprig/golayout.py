"""Go's calendar and reference layouts: `Time.Format` with layouts such as `2006-01-02T15:04:05Z07:00`.

Layout chunks are recognised with the same precedence rules as time.nextStdChunk, so `Jan _2 15:04:05.000`
and `02-Jan-06 3:04 PM -0700` print as in Go. The calendar is proleptic Gregorian over any int64 second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wavecd.sprig.gotime import GoTime

LONG_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
LONG_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
SHORT_MONTHS = tuple(m[:3] for m in LONG_MONTHS)
SHORT_DAYS = tuple(d[:3] for d in LONG_DAYS)
DAYS_BEFORE = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365)


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, any day)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z: int) -> tuple[int, int, int]:
    """(year, month, day) of a day count since 1970-01-01."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def days_in(month: int, year: int) -> int:
    if month == 2 and is_leap(year):
        return 29
    return DAYS_BEFORE[month] - DAYS_BEFORE[month - 1]


_ISO_ZONES = ("Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07")
_NUM_ZONES = ("-070000", "-07:00:00", "-0700", "-07:00", "-07")


def next_std_chunk(layout: str) -> tuple[str, str, str]:
    """time.nextStdChunk: (literal prefix, std token or "", rest); fraction tokens keep their text (`.000`)."""
    n = len(layout)
    for i in range(n):
        c = layout[i]
        rest = layout[i:]
        if c == "J" and rest.startswith("Jan"):
            if rest.startswith("January"):
                return layout[:i], "January", layout[i + 7 :]
            if not ("a" <= rest[3:4] <= "z"):
                return layout[:i], "Jan", layout[i + 3 :]
        elif c == "M" and n >= i + 3:
            if rest.startswith("Mon"):
                if rest.startswith("Monday"):
                    return layout[:i], "Monday", layout[i + 6 :]
                if not ("a" <= rest[3:4] <= "z"):
                    return layout[:i], "Mon", layout[i + 3 :]
            if rest.startswith("MST"):
                return layout[:i], "MST", layout[i + 3 :]
        elif c == "0":
            if n >= i + 2 and "1" <= layout[i + 1] <= "6":
                return layout[:i], layout[i : i + 2], layout[i + 2 :]
            if rest.startswith("002"):
                return layout[:i], "002", layout[i + 3 :]
        elif c == "1":
            if rest.startswith("15"):
                return layout[:i], "15", layout[i + 2 :]
            return layout[:i], "1", layout[i + 1 :]
        elif c == "2":
            if rest.startswith("2006"):
                return layout[:i], "2006", layout[i + 4 :]
            return layout[:i], "2", layout[i + 1 :]
        elif c == "_":
            if rest.startswith("_2"):
                if rest.startswith("_2006"):
                    return layout[: i + 1], "2006", layout[i + 5 :]
                return layout[:i], "_2", layout[i + 2 :]
            if rest.startswith("__2"):
                return layout[:i], "__2", layout[i + 3 :]
        elif c in "345":
            return layout[:i], c, layout[i + 1 :]
        elif c == "P" and rest.startswith("PM"):
            return layout[:i], "PM", layout[i + 2 :]
        elif c == "p" and rest.startswith("pm"):
            return layout[:i], "pm", layout[i + 2 :]
        elif c == "-":
            for token in _NUM_ZONES:
                if rest.startswith(token):
                    return layout[:i], token, layout[i + len(token) :]
        elif c == "Z":
            for token in _ISO_ZONES:
                if rest.startswith(token):
                    return layout[:i], token, layout[i + len(token) :]
        elif c in ".," and i + 1 < n and layout[i + 1] in "09":
            digit = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == digit:
                j += 1
            if not (j < n and "0" <= layout[j] <= "9"):
                return layout[:i], layout[i:j], layout[j:]
    return layout, "", ""


def _zone_text(offset: int, token: str) -> str:
    if token.startswith("Z") and offset == 0:
        return "Z"
    sign = "-" if offset < 0 else "+"
    absolute = abs(offset)
    minutes = absolute // 60
    text = f"{sign}{minutes // 60:02d}"
    colon = ":" in token
    if token not in ("-07", "Z07"):
        text += (":" if colon else "") + f"{minutes % 60:02d}"
    if token in ("-070000", "-07:00:00", "Z070000", "Z07:00:00"):
        text += (":" if colon else "") + f"{absolute % 60:02d}"
    return text


def _year_text(year: int) -> str:
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def format_time(t: GoTime, layout: str) -> str:
    """Time.Format."""
    y, m, d, hh, mm, ss, wd, offset, abbrev = t.civil()
    out: list[str] = []
    while layout:
        prefix, std, layout = next_std_chunk(layout)
        out.append(prefix)
        if not std:
            break
        if std == "2006":
            out.append(_year_text(y))
        elif std == "06":
            out.append(f"{y % 100:02d}")
        elif std == "January":
            out.append(LONG_MONTHS[m - 1])
        elif std == "Jan":
            out.append(SHORT_MONTHS[m - 1])
        elif std == "1":
            out.append(str(m))
        elif std == "01":
            out.append(f"{m:02d}")
        elif std == "Monday":
            out.append(LONG_DAYS[wd])
        elif std == "Mon":
            out.append(SHORT_DAYS[wd])
        elif std == "2":
            out.append(str(d))
        elif std == "_2":
            out.append(f"{d:2d}")
        elif std == "02":
            out.append(f"{d:02d}")
        elif std in ("__2", "002"):
            yday = DAYS_BEFORE[m - 1] + d + (1 if m > 2 and is_leap(y) else 0)
            out.append(f"{yday:3d}" if std == "__2" else f"{yday:03d}")
        elif std == "15":
            out.append(f"{hh:02d}")
        elif std in ("3", "03"):
            hour12 = hh % 12 or 12
            out.append(str(hour12) if std == "3" else f"{hour12:02d}")
        elif std in ("4", "04"):
            out.append(str(mm) if std == "4" else f"{mm:02d}")
        elif std in ("5", "05"):
            out.append(str(ss) if std == "5" else f"{ss:02d}")
        elif std in ("PM", "pm"):
            text = "PM" if hh >= 12 else "AM"
            out.append(text if std == "PM" else text.lower())
        elif std == "MST":
            out.append(abbrev if abbrev else _zone_text(offset, "-0700"))
        elif std[0] in "-Z":
            out.append(_zone_text(offset, std))
        else:
            digits = f"{t.nsec:09d}"[: len(std) - 1]
            if std[1] == "9":
                digits = digits.rstrip("0")
                if digits:
                    out.append(std[0] + digits)
            else:
                out.append(std[0] + digits)
    return "".join(out)
