"""Go's `regexp` (RE2 syntax) on top of Python's `re`, for Sprig's regex functions.

Charts pass Go regular expressions, so a pattern is parsed with Go's grammar and error texts
(`error parsing regexp: missing closing ]: `[a``) and translated into an equivalent Python pattern:
`$` means end of text, `\\s`, `\\d`, `\\w`, `\\b` and POSIX classes are ASCII, `(?U)` swaps greediness,
names such as `(?P<1x>…)` are kept apart from Python's naming rules. Both engines pick the
leftmost-first match, so matching itself is Python's. What differs around it is reproduced here:
Go's rules for empty matches in `ReplaceAll`/`FindAll`/`Split`, and `Expand`'s `$name` syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

from wavecd.core.errors import WavecdError

__all__ = [
    "GoRegexError",
    "compile_go_regex",
    "expand_go_template",
    "find",
    "find_all",
    "match",
    "quote_meta",
    "replace_all",
    "replace_all_literal",
    "split",
]

_MAX_RUNE = 0x10FFFF
_MAX_REPEAT = 1000


class GoRegexError(WavecdError):
    """A pattern Go's regexp/syntax rejects; the message is Go's `err.Error()` text."""


def _error(code: str, expr: str) -> GoRegexError:
    return GoRegexError(f"error parsing regexp: {code}: `{expr}`")


_MISSING_BRACKET = "missing closing ]"
_MISSING_PAREN = "missing closing )"
_UNEXPECTED_PAREN = "unexpected )"
_BAD_ESCAPE = "invalid escape sequence"
_BAD_RANGE = "invalid character class range"
_BAD_NAME = "invalid named capture"
_BAD_PERL = "invalid or unsupported Perl syntax"
_BAD_REPEAT_OP = "invalid nested repetition operator"
_BAD_REPEAT_SIZE = "invalid repeat count"
_MISSING_REPEAT_ARG = "missing argument to repetition operator"
_TRAILING_BACKSLASH = "trailing backslash at end of expression"

Ranges = list[tuple[int, int]]

_PERL_CLASSES: dict[str, Ranges] = {
    "d": [(0x30, 0x39)],
    "s": [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)],
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
}
_POSIX_CLASSES: dict[str, Ranges] = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x00, 0x7F)],
    "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
_CATEGORIES = frozenset(
    (
        "C",
        "Cc",
        "Cf",
        "Co",
        "Cs",
        "L",
        "Ll",
        "Lm",
        "Lo",
        "Lt",
        "Lu",
        "M",
        "Mc",
        "Me",
        "Mn",
        "N",
        "Nd",
        "Nl",
        "No",
        "P",
        "Pc",
        "Pd",
        "Pe",
        "Pf",
        "Pi",
        "Po",
        "Ps",
        "S",
        "Sc",
        "Sk",
        "Sm",
        "So",
        "Z",
        "Zl",
        "Zp",
        "Zs",
    )
)
# Go knows these Unicode scripts too; Python has no script data, so they are refused, not misread.
_SCRIPTS = frozenset(
    (
        "Arabic",
        "Armenian",
        "Bengali",
        "Bopomofo",
        "Braille",
        "Cherokee",
        "Common",
        "Cyrillic",
        "Devanagari",
        "Ethiopic",
        "Georgian",
        "Greek",
        "Gujarati",
        "Gurmukhi",
        "Han",
        "Hangul",
        "Hebrew",
        "Hiragana",
        "Inherited",
        "Kannada",
        "Katakana",
        "Khmer",
        "Lao",
        "Latin",
        "Malayalam",
        "Mongolian",
        "Myanmar",
        "Ogham",
        "Oriya",
        "Runic",
        "Sinhala",
        "Syriac",
        "Tamil",
        "Telugu",
        "Thaana",
        "Thai",
        "Tibetan",
        "Yi",
    )
)
_WORD = "[0-9A-Za-z_]"
_WORD_BOUNDARY = f"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))"
_NOT_WORD_BOUNDARY = f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))"


@lru_cache(maxsize=1)
def _all_categories() -> dict[str, list[tuple[int, int]]]:
    """Code point ranges of every two-letter Unicode general category, computed in one pass when first needed."""
    out: dict[str, list[tuple[int, int]]] = {}
    start = 0
    for cat, run in groupby(map(unicodedata.category, map(chr, range(_MAX_RUNE + 1)))):
        n = sum(1 for _ in run)
        out.setdefault(cat, []).append((start, start + n - 1))
        start += n
    return out


def _category_ranges(name: str) -> Ranges:
    """Ranges of a category; one letter means all its subcategories (Go's `C` leaves out unassigned Cn)."""
    table = _all_categories()
    if len(name) == 2:
        return list(table.get(name, ()))
    return _merge([r for cat, ranges in table.items() if cat[0] == name and cat != "Cn" for r in ranges])


def _negate(ranges: Ranges) -> Ranges:
    out = []
    nxt = 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= _MAX_RUNE:
        out.append((nxt, _MAX_RUNE))
    return out


def _class_char(cp: int) -> str:
    if 0x30 <= cp <= 0x39 or 0x41 <= cp <= 0x5A or 0x61 <= cp <= 0x7A:
        return chr(cp)
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _class_text(ranges: Ranges, negated: bool, fold: bool) -> str:
    parts = []
    for lo, hi in ranges:
        parts.append(_class_char(lo) if lo == hi else f"{_class_char(lo)}-{_class_char(hi)}")
    if not parts:
        # An empty class matches nothing; its negation matches everything.
        text = "[\\x00-\\U0010ffff]" if negated else "[^\\x00-\\U0010ffff]"
    else:
        text = ("[^" if negated else "[") + "".join(parts) + "]"
    return f"(?i:{text})" if fold else text


# Atom kinds: what a following repetition operator must know about the piece it applies to.
_PLAIN = 0  # a character, class or group: `x*` is fine
_EMPTY = 1  # an assertion such as ^ or \b: Python needs (?:^)*
_REPEAT = 2  # already repeated (Go allows `a*(?i)*`): Python needs (?:a*)*


@dataclass
class _Atom:
    """A piece of the translated pattern with its kind and repetition depth."""

    text: str
    kind: int
    depth: int  # the largest product of {n,m} counts along one nesting chain, for Go's 1000 limit


@dataclass
class _Frame:
    """An open group: its alternatives so far and the flags to restore at `)`."""

    alts: list[list[_Atom]]
    flags: frozenset[str]
    capture: int  # 0 for a non-capturing group
    name: str | None


class _Parser:
    """Go's regexp/syntax parser, writing Python pattern text instead of building a syntax tree."""

    def __init__(self, expr: str):
        self.expr = expr
        self.flags: frozenset[str] = frozenset()
        self.ncap = 0
        self.names: list[str] = [""]
        self.pynames: set[str] = set()
        self.stack: list[_Frame] = [_Frame([[]], self.flags, 0, None)]

    # -- output helpers ----------------------------------------------------------------------------

    def push(self, text: str, kind: int = _PLAIN, depth: int = 0) -> None:
        self.stack[-1].alts[-1].append(_Atom(text, kind, depth))

    def literal(self, cp: int) -> None:
        ch = chr(cp)
        text = re.escape(ch)
        if "i" in self.flags and (ch.lower() != ch or ch.upper() != ch or ch in "\u017f\u212a"):
            text = f"(?i:{text})"
        self.push(text)

    def push_class(self, ranges: Ranges, negated: bool) -> None:
        self.push(_class_text(ranges, negated, "i" in self.flags))

    # -- the main loop -----------------------------------------------------------------------------

    def parse(self) -> str:
        t = self.expr
        i = 0
        n = len(t)
        last_repeat = -1
        while i < n:
            repeat = -1
            c = t[i]
            if c == "(":
                if i + 1 < n and t[i + 1] == "?":
                    i = self.perl_flags(i)
                else:
                    self.ncap += 1
                    self.names.append("")
                    self.stack.append(_Frame([[]], self.flags, self.ncap, None))
                    i += 1
            elif c == "|":
                self.stack[-1].alts.append([])
                i += 1
            elif c == ")":
                self.right_paren()
                i += 1
            elif c == "^":
                self.push("^" if "m" not in self.flags else "(?m:^)", _EMPTY)
                i += 1
            elif c == "$":
                self.push("\\Z" if "m" not in self.flags else "(?m:$)", _EMPTY)
                i += 1
            elif c == ".":
                self.push("(?s:.)" if "s" in self.flags else ".")
                i += 1
            elif c == "[":
                i = self.parse_class(i)
            elif c in "*+?":
                j = i + 1
                self.repeat(c, i, j, last_repeat)
                repeat = i
                i = j + 1 if j < n and t[j] == "?" else j
            elif c == "{":
                parsed = _parse_repeat(t, i)
                if parsed is None:
                    self.literal(ord("{"))
                    i += 1
                else:
                    lo, hi, j = parsed
                    if lo < 0 or lo > _MAX_REPEAT or hi > _MAX_REPEAT or (hi >= 0 and lo > hi):
                        raise _error(_BAD_REPEAT_SIZE, t[i:j])
                    self.repeat(
                        "{" + str(lo) + ("" if hi == lo else "," + ("" if hi < 0 else str(hi))) + "}",
                        i,
                        j,
                        last_repeat,
                        lo,
                        hi,
                    )
                    repeat = i
                    i = j + 1 if j < n and t[j] == "?" else j
            elif c == "\\":
                i = self.backslash(i)
            else:
                self.literal(ord(c))
                i += 1
            last_repeat = repeat
        if len(self.stack) > 1:
            raise _error(_MISSING_PAREN, self.expr)
        return "|".join("".join(a.text for a in alt) for alt in self.stack[0].alts)

    def repeat(self, op: str, start: int, end: int, last_repeat: int, lo: int = 0, hi: int = 0) -> None:
        t = self.expr
        after = end + 1 if end < len(t) and t[end] == "?" else end
        greedy = (after == end) != ("U" in self.flags)
        if last_repeat >= 0:
            raise _error(_BAD_REPEAT_OP, t[last_repeat:after])
        alt = self.stack[-1].alts[-1]
        if not alt:
            raise _error(_MISSING_REPEAT_ARG, t[start:after])
        atom = alt[-1]
        depth = atom.depth
        if op[0] == "{":
            m = lo if hi < 0 else hi
            if m > 0:
                depth = max(depth, 1) * m
            if (lo >= 2 or hi >= 2) and depth > _MAX_REPEAT:
                raise _error(_BAD_REPEAT_SIZE, t[start:after])
        text = atom.text if atom.kind == _PLAIN else f"(?:{atom.text})"
        alt[-1] = _Atom(text + op + ("" if greedy else "?"), _REPEAT, depth)

    def right_paren(self) -> None:
        if len(self.stack) == 1:
            raise _error(_UNEXPECTED_PAREN, self.expr)
        frame = self.stack.pop()
        self.flags = frame.flags
        body = "|".join("".join(a.text for a in alt) for alt in frame.alts)
        depth = max((a.depth for alt in frame.alts for a in alt), default=0)
        if frame.capture:
            name = frame.name
            if name is None:
                self.push(f"({body})", _PLAIN, depth)
            else:
                pyname = _python_group_name(name, frame.capture, self.pynames)
                self.push(f"(?P<{pyname}>{body})", _PLAIN, depth)
        else:
            self.push(f"(?:{body})", _PLAIN, depth)

    def perl_flags(self, i: int) -> int:
        t = self.expr
        n = len(t)
        rest = t[i:]
        starts_p = len(rest) > 4 and rest[2] == "P" and rest[3] == "<"
        starts_name = len(rest) > 3 and rest[2] == "<"
        if starts_p or starts_name:
            begin = 4 if starts_p else 3
            end = rest.find(">")
            if end < 0:
                raise _error(_BAD_NAME, rest)
            name = rest[begin:end]
            if not name or not all(ch == "_" or (ch.isascii() and ch.isalnum()) for ch in name):
                raise _error(_BAD_NAME, rest[: end + 1])
            self.ncap += 1
            self.names.append(name)
            self.stack.append(_Frame([[]], self.flags, self.ncap, name))
            return i + end + 1
        flags = set(self.flags)
        negate = False
        saw_flag = False
        j = i + 2
        while j < n:
            c = t[j]
            j += 1
            if c in "imsU":
                if negate:
                    flags.discard(c)
                else:
                    flags.add(c)
                saw_flag = True
            elif c == "-":
                if negate:
                    break
                negate = True
                saw_flag = False
            elif c in ":)":
                if negate and not saw_flag:
                    break
                if c == ":":
                    self.stack.append(_Frame([[]], self.flags, 0, None))
                self.flags = frozenset(flags)
                return j
            else:
                break
        raise _error(_BAD_PERL, t[i:j])

    def backslash(self, i: int) -> int:
        t = self.expr
        n = len(t)
        if i + 1 < n:
            c = t[i + 1]
            if c == "A":
                self.push("\\A", _EMPTY)
                return i + 2
            if c == "b":
                self.push(_WORD_BOUNDARY, _EMPTY)
                return i + 2
            if c == "B":
                self.push(_NOT_WORD_BOUNDARY, _EMPTY)
                return i + 2
            if c == "C":
                raise _error(_BAD_ESCAPE, t[i : i + 2])
            if c == "Q":
                end = t.find("\\E", i + 2)
                lit = t[i + 2 :] if end < 0 else t[i + 2 : end]
                for ch in lit:
                    self.literal(ord(ch))
                return n if end < 0 else end + 2
            if c == "z":
                self.push("\\Z", _EMPTY)
                return i + 2
            if c in "pP":
                ranges, negated, j = self.unicode_class(i)
                self.push_class(ranges, negated)
                return j
            if c in "dswDSW":
                self.push_class(_PERL_CLASSES[c.lower()], c.isupper())
                return i + 2
        cp, j = self.escape(i)
        self.literal(cp)
        return j

    def escape(self, i: int) -> tuple[int, int]:
        """Go's parseEscape at t[i] == '\\': the code point and the index after the escape."""
        t = self.expr
        n = len(t)
        j = i + 1
        if j >= n:
            raise GoRegexError(f"error parsing regexp: {_TRAILING_BACKSLASH}: ``")
        c = t[j]
        j += 1
        if c < "\x80" and not c.isalnum():
            return ord(c), j
        if "1" <= c <= "7" and (j >= n or not "0" <= t[j] <= "7"):
            raise _error(_BAD_ESCAPE, t[i:j])
        if "0" <= c <= "7":
            r = ord(c) - 48
            for _ in range(2):
                if j >= n or not "0" <= t[j] <= "7":
                    break
                r = r * 8 + ord(t[j]) - 48
                j += 1
            return r, j
        if c == "x" and j < n:
            c2 = t[j]
            j += 1
            if c2 == "{":
                value = 0
                digits = 0
                while True:
                    if j >= n:
                        raise _error(_BAD_ESCAPE, t[i:j])
                    c3 = t[j]
                    j += 1
                    if c3 == "}":
                        break
                    h = _unhex(c3)
                    if h < 0:
                        raise _error(_BAD_ESCAPE, t[i:j])
                    value = value * 16 + h
                    if value > _MAX_RUNE:
                        raise _error(_BAD_ESCAPE, t[i:j])
                    digits += 1
                if digits == 0:
                    raise _error(_BAD_ESCAPE, t[i:j])
                return value, j
            x = _unhex(c2)
            if j >= n:
                raise _error(_BAD_ESCAPE, t[i:j])
            y = _unhex(t[j])
            j += 1
            if x < 0 or y < 0:
                raise _error(_BAD_ESCAPE, t[i:j])
            return x * 16 + y, j
        simple = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}.get(c)
        if simple is not None:
            return simple, j
        raise _error(_BAD_ESCAPE, t[i:j])

    def unicode_class(self, i: int) -> tuple[Ranges, bool, int]:
        """`\\pL`, `\\p{Greek}`, `\\PL`, `\\p{^L}`: the ranges, whether negated, and the end index."""
        t = self.expr
        negated = t[i + 1] == "P"
        j = i + 2
        if j < len(t) and t[j] == "{":
            end = t.find("}", j)
            if end < 0:
                raise _error(_BAD_RANGE, t[i:])
            seq, name, j = t[i : end + 1], t[j + 1 : end], end + 1
        else:
            j = min(j + 1, len(t))
            seq, name = t[i:j], t[i + 2 : j]
        if name.startswith("^"):
            negated = not negated
            name = name[1:]
        if name == "Any":
            return [(0, _MAX_RUNE)], negated, j
        if name in _CATEGORIES:
            return _category_ranges(name), negated, j
        if name in _SCRIPTS:
            raise GoRegexError(f"error parsing regexp: Unicode script classes are not supported by wavecd: `{seq}`")
        raise _error(_BAD_RANGE, seq)

    def parse_class(self, i: int) -> int:
        t = self.expr
        n = len(t)
        whole = t[i:]
        j = i + 1
        negated = False
        if j < n and t[j] == "^":
            negated = True
            j += 1
        ranges: Ranges = []
        first = True
        while j >= n or t[j] != "]" or first:
            if j >= n:
                raise _error(_MISSING_BRACKET, whole)
            first = False
            if t.startswith("[:", j):
                end = t.find(":]", j + 2)
                if end >= 0:
                    name = t[j + 2 : end]
                    neg = name.startswith("^")
                    cls = _POSIX_CLASSES.get(name[1:] if neg else name)
                    if cls is None:
                        raise _error(_BAD_RANGE, t[j : end + 2])
                    ranges.extend(_negate(cls) if neg else cls)
                    j = end + 2
                    continue
            if t.startswith("\\p", j) or t.startswith("\\P", j):
                cls, neg, j = self.unicode_class(j)
                ranges.extend(_negate(cls) if neg else cls)
                continue
            if t[j] == "\\" and j + 1 < n and t[j + 1] in "dswDSW":
                cls = _PERL_CLASSES[t[j + 1].lower()]
                ranges.extend(_negate(cls) if t[j + 1].isupper() else cls)
                j += 2
                continue
            start = j
            lo, j = self.class_char(j, whole)
            hi = lo
            if j + 1 < n and t[j] == "-" and t[j + 1] != "]":
                hi, j = self.class_char(j + 1, whole)
                if hi < lo:
                    raise _error(_BAD_RANGE, t[start:j])
            ranges.append((lo, hi))
        self.push_class(_merge(ranges), negated)
        return j + 1

    def class_char(self, j: int, whole: str) -> tuple[int, int]:
        t = self.expr
        if j >= len(t):
            raise _error(_MISSING_BRACKET, whole)
        if t[j] == "\\":
            return self.escape(j)
        return ord(t[j]), j + 1


def _merge(ranges: Ranges) -> Ranges:
    out: Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _unhex(c: str) -> int:
    if "0" <= c <= "9":
        return ord(c) - 48
    if "a" <= c <= "f":
        return ord(c) - 87
    if "A" <= c <= "F":
        return ord(c) - 55
    return -1


def _parse_int(t: str, i: int) -> tuple[int, int] | None:
    n = len(t)
    if i >= n or not "0" <= t[i] <= "9":
        return None
    if i + 1 < n and t[i] == "0" and "0" <= t[i + 1] <= "9":
        return None
    j = i
    while j < n and "0" <= t[j] <= "9":
        j += 1
    return (int(t[i:j]) if j - i <= 9 else -1), j


def _parse_repeat(t: str, i: int) -> tuple[int, int, int] | None:
    """Go's parseRepeat at t[i] == '{': (min, max, end) with max -1 for `{n,}`, or None for a literal `{`."""
    parsed = _parse_int(t, i + 1)
    if parsed is None:
        return None
    lo, j = parsed
    if j >= len(t):
        return None
    if t[j] != ",":
        hi = lo
    else:
        j += 1
        if j >= len(t):
            return None
        if t[j] == "}":
            hi = -1
        else:
            parsed = _parse_int(t, j)
            if parsed is None:
                return None
            hi, j = parsed
            if hi < 0:
                lo = -1
    if j >= len(t) or t[j] != "}":
        return None
    return lo, hi, j + 1


def _python_group_name(name: str, index: int, used: set[str]) -> str:
    """Go allows names Python refuses (`1x`, duplicates); those get a reversible private spelling."""
    if name.isidentifier() and not name.startswith("_go") and name not in used:
        pyname = name
    else:
        pyname = f"_go{index}_{name.encode().hex()}"
    used.add(pyname)
    return pyname


def _go_group_name(pyname: str) -> str:
    if pyname.startswith("_go"):
        return bytes.fromhex(pyname.split("_", 2)[2]).decode()
    return pyname


@lru_cache(maxsize=512)
def compile_go_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Go (RE2) pattern into an equivalent Python pattern; GoRegexError with Go's text if invalid."""
    text = _Parser(pattern).parse()
    # A non-empty Go pattern stays non-empty (Split tells `""` from `(?i)` by the pattern text).
    try:
        return re.compile(text if text or not pattern else "(?:)")
    except (re.error, RecursionError, OverflowError) as exc:
        raise GoRegexError(f"error parsing regexp: not supported by wavecd ({exc}): `{pattern}`") from None


@lru_cache(maxsize=512)
def _subexp_names(regex: re.Pattern[str]) -> tuple[str, ...]:
    names = [""] * (regex.groups + 1)
    for pyname, index in regex.groupindex.items():
        names[index] = _go_group_name(pyname)
    return tuple(names)


def _is_name_char(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdecimal()


def expand_go_template(template: str, m: re.Match[str]) -> str:
    """Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`; a name takes every letter, digit and `_`.

    So `$1W` asks for the group named `1W` (empty), and an unknown or malformed reference is
    dropped or kept as text exactly as Go does.
    """
    if "$" not in template:
        return template
    names = _subexp_names(m.re)
    out = []
    i = 0
    n = len(template)
    while True:
        k = template.find("$", i)
        if k < 0:
            break
        out.append(template[i:k])
        i = k + 1
        if i < n and template[i] == "$":
            out.append("$")
            i += 1
            continue
        j = i
        brace = j < n and template[j] == "{"
        if brace:
            j += 1
        start = j
        while j < n and _is_name_char(template[j]):
            j += 1
        name = template[start:j]
        if not name or (brace and (j >= n or template[j] != "}")):
            out.append("$")
            continue
        if brace:
            j += 1
        i = j
        num = -1
        if name.isascii() and name.isdigit() and not (name[0] == "0" and len(name) > 1) and len(name) <= 9:
            num = int(name)
        if num >= 0:
            if num <= m.re.groups and m.start(num) >= 0:
                out.append(m.group(num))
        else:
            for index, sub in enumerate(names):
                if sub == name and m.start(index) >= 0:
                    out.append(m.group(index))
                    break
    out.append(template[i:])
    return "".join(out)


def _replace(regex: re.Pattern[str], s: str, repl: str, literal: bool) -> str:
    """Go's replaceAll loop: an empty match right after a match is not replaced; always move on by one rune."""
    out = []
    last_end = 0
    pos = 0
    end = len(s)
    while pos <= end:
        m = regex.search(s, pos)
        if m is None:
            break
        a0, a1 = m.span()
        out.append(s[last_end:a0])
        if a1 > last_end or a0 == 0:
            out.append(repl if literal else expand_go_template(repl, m))
        last_end = a1
        pos = pos + 1 if pos + 1 > a1 else a1
    out.append(s[last_end:])
    return "".join(out)


def replace_all(regex: re.Pattern[str], s: str, repl: str) -> str:
    """`ReplaceAllString`: every match replaced by repl with `$` references expanded."""
    return _replace(regex, s, repl, False)


def replace_all_literal(regex: re.Pattern[str], s: str, repl: str) -> str:
    """`ReplaceAllLiteralString`: every match replaced by repl as is."""
    return _replace(regex, s, repl, True)


def _all_spans(regex: re.Pattern[str], s: str, n: int) -> list[tuple[int, int]]:
    """Go's allMatches: at most n matches (all if n < 0); an empty match touching the previous one is skipped."""
    if n < 0:
        n = len(s) + 1
    spans: list[tuple[int, int]] = []
    pos = 0
    prev_end = -1
    end = len(s)
    while len(spans) < n and pos <= end:
        m = regex.search(s, pos)
        if m is None:
            break
        a0, a1 = m.span()
        accept = True
        if a1 == pos:
            if a0 == prev_end:
                accept = False
            pos += 1
        else:
            pos = a1
        prev_end = a1
        if accept:
            spans.append((a0, a1))
    return spans


def find_all(regex: re.Pattern[str], s: str, n: int) -> list[str]:
    """`FindAllString(s, n)`: the texts of successive matches (an empty list where Go returns nil)."""
    return [s[a:b] for a, b in _all_spans(regex, s, n)]


def find(regex: re.Pattern[str], s: str) -> str:
    """`FindString`: the leftmost match, or "" when there is none."""
    m = regex.search(s)
    return m.group(0) if m else ""


def match(regex: re.Pattern[str], s: str) -> bool:
    """`MatchString`: whether the pattern matches anywhere in s."""
    return regex.search(s) is not None


def split(regex: re.Pattern[str], s: str, n: int) -> list[str]:
    """`Split(s, n)`: the texts between matches; n > 0 gives at most n pieces, n == 0 none.

    Go returns `[""]` for an empty s unless the pattern itself is empty.
    """
    if n == 0:
        return []
    if regex.pattern and not s:
        return [""]
    pieces: list[str] = []
    beg = 0
    end = 0
    for a0, a1 in _all_spans(regex, s, n):
        if n > 0 and len(pieces) == n - 1:
            break
        end = a0
        if a1 != 0:
            pieces.append(s[beg:end])
        beg = a1
    if end != len(s):
        pieces.append(s[beg:])
    return pieces


_META = frozenset("\\.+*?()|[]{}^$")


def quote_meta(s: str) -> str:
    """`regexp.QuoteMeta`: a backslash before every character special to a pattern."""
    return "".join("\\" + ch if ch in _META else ch for ch in s)
