"""Go's `fmt` printing (`Sprint`, `Sprintln`, `Sprintf`) over the Python values of gotypes.

Templates print every value through `fmt`, and charts depend on its quirks: a float64 8080 printed
with `%d` becomes `%!d(float64=8080)`, `print` puts spaces only between non-strings, maps print with
sorted keys. The printer below follows Go's `fmt/print.go` and `fmt/format.go` state machine: the
flags of one verb live on the printer, and nested values reuse them, because Go's output (for
example `%!d(string=0000x)` for `%05d` of "x") depends on that.
"""

from __future__ import annotations

from typing import Any

from wavecd.core.gonil import GoNil
from wavecd.core.goquote import MAX_RUNE, can_backquote, is_print, quote, quote_rune, quote_to_ascii, rune_of
from wavecd.gotemplate.gofloat import format_float, format_v
from wavecd.gotemplate.gotypes import GoStringList, GoStringMap, GoStruct, Int64, Uint8, Uint32, Uint64, go_type_name

__all__ = ["format_float", "format_value", "quote", "quote_rune", "sprint", "sprintf", "sprintln"]

_MASK64 = (1 << 64) - 1
_LDIGITS = "0123456789abcdefx"
_UDIGITS = "0123456789ABCDEFX"
# Go prints pointers as addresses; there is no address to reproduce, so every pointer shows this one.
_FAKE_ADDRESS = 0xC000010000


def _type_name(value: Any) -> str:
    """go_type_name, plus complex128 (template literals such as `2+3i`)."""
    return "complex128" if isinstance(value, complex) else go_type_name(value)


def _go_bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


class _Printer:
    """One `pp` of Go's fmt: an output buffer plus the flags of the verb being printed."""

    __slots__ = (
        "addressable",
        "arg",
        "buf",
        "erroring",
        "minus",
        "plus",
        "plus_v",
        "prec",
        "prec_present",
        "sharp",
        "sharp_v",
        "space",
        "wid",
        "wid_present",
        "zero",
    )

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.erroring = False
        self.addressable = False
        self.arg: Any = None
        self.clear_flags()

    def clear_flags(self) -> None:
        self.wid = 0
        self.prec = 0
        self.wid_present = self.prec_present = False
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False

    # -- padding (format.go) ------------------------------------------------------------------------

    def write_padding(self, n: int) -> None:
        if n > 0:
            self.buf.append(("0" if self.zero else " ") * n)

    def pad(self, s: str) -> None:
        if not self.wid_present or self.wid == 0:
            self.buf.append(s)
            return
        width = self.wid - len(s)
        if not self.minus:
            self.write_padding(width)
            self.buf.append(s)
        else:
            self.buf.append(s)
            self.write_padding(width)

    def truncate(self, s: str) -> str:
        if self.prec_present and self.prec < len(s):
            return s[: self.prec]
        return s

    # -- basic kinds ----------------------------------------------------------------------------------

    def fmt_integer(self, v: int, base: int, signed: bool, verb: str, digits: str) -> None:
        v = int(v)
        if signed:
            negative = v < 0
            u = -v if negative else v
        else:
            negative = False
            u = v & _MASK64
        prec = 0
        if self.prec_present:
            prec = self.prec
            if prec == 0 and u == 0:
                old_zero = self.zero
                self.zero = False
                self.write_padding(self.wid)
                self.zero = old_zero
                return
        elif self.zero and not self.minus and self.wid_present:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        if base == 10:
            text = str(u)
        elif base == 16:
            text = format(u, "x")
            if digits is _UDIGITS:
                text = text.upper()
        elif base == 8:
            text = format(u, "o")
        else:
            text = format(u, "b")
        if len(text) < prec:
            text = "0" * (prec - len(text)) + text
        if self.sharp:
            if base == 2:
                text = "0b" + text
            elif base == 8:
                if text[0] != "0":
                    text = "0" + text
            elif base == 16:
                text = "0" + digits[16] + text
        if verb == "O":
            text = "0o" + text
        if negative:
            text = "-" + text
        elif self.plus:
            text = "+" + text
        elif self.space:
            text = " " + text
        old_zero = self.zero
        self.zero = False
        self.pad(text)
        self.zero = old_zero

    def fmt_unicode(self, u: int) -> None:
        u &= _MASK64
        prec = 4
        if self.prec_present and self.prec > 4:
            prec = self.prec
        text = "U+" + format(u, "X").rjust(prec, "0")
        if self.sharp and u <= MAX_RUNE and is_print(rune_of(u)) and not 0xD800 <= u <= 0xDFFF:
            text += " '" + chr(u) + "'"
        old_zero = self.zero
        self.zero = False
        self.pad(text)
        self.zero = old_zero

    def fmt_float(self, v: float, verb: str, prec: int) -> None:
        if self.prec_present:
            prec = self.prec
        num = format_float(v, verb, prec)
        if num[0] in "+-":
            sign, num = num[0], num[1:]
        else:
            sign = "+"
        if self.space and sign == "+" and not self.plus:
            sign = " "
        if num[0] in "IN":
            old_zero = self.zero
            self.zero = False
            if num[0] == "N" and not self.space and not self.plus:
                self.pad(num)
            else:
                self.pad(sign + num)
            self.zero = old_zero
            return
        if self.sharp and verb != "b":
            num = self._sharp_float(num, verb, prec)
        if self.plus or sign != "+":
            if self.zero and not self.minus and self.wid_present and self.wid > len(num) + 1:
                self.buf.append(sign)
                self.write_padding(self.wid - len(num) - 1)
                self.buf.append(num)
                return
            self.pad(sign + num)
            return
        self.pad(num)

    @staticmethod
    def _sharp_float(num: str, verb: str, prec: int) -> str:
        """`%#g` and friends: force a decimal point and restore trailing zeros, as Go counts them."""
        digits = 0
        if verb in "vgGx":
            digits = 6 if prec == -1 else prec
        tail = ""
        has_point = False
        saw_nonzero = False
        body = []
        for i, c in enumerate(num):
            if c == ".":
                has_point = True
            elif c in "pP" or (c in "eE" and verb not in "xX"):
                tail = num[i:]
                break
            else:
                if c != "0":
                    saw_nonzero = True
                if saw_nonzero:
                    digits -= 1
            body.append(c)
        text = "".join(body)
        if not has_point:
            if text == "0":
                digits -= 1
            text += "."
        if digits > 0:
            text += "0" * digits
        return text + tail

    def fmt_s(self, s: str) -> None:
        self.pad(self.truncate(s))

    def fmt_sbx(self, data: bytes, digits: str) -> None:
        length = len(data)
        if self.prec_present and self.prec < length:
            length = self.prec
        width = 2 * length
        if width <= 0:
            if self.wid_present:
                self.write_padding(self.wid)
            return
        if self.space:
            if self.sharp:
                width *= 2
            width += length - 1
        elif self.sharp:
            width += 2
        if self.wid_present and self.wid > width and not self.minus:
            self.write_padding(self.wid - width)
        out = []
        prefix = "0" + digits[16]
        if self.sharp:
            out.append(prefix)
        for i in range(length):
            if self.space and i > 0:
                out.append(" ")
                if self.sharp:
                    out.append(prefix)
            c = data[i]
            out.append(digits[c >> 4] + digits[c & 0xF])
        self.buf.append("".join(out))
        if self.wid_present and self.wid > width and self.minus:
            self.write_padding(self.wid - width)

    def fmt_q(self, s: str) -> None:
        s = self.truncate(s)
        if self.sharp and can_backquote(s):
            self.pad("`" + s + "`")
        elif self.plus:
            self.pad(quote_to_ascii(s))
        else:
            self.pad(quote(s))

    # -- per-type dispatch (print.go) -------------------------------------------------------------

    def bad_verb(self, verb: str) -> None:
        self.erroring = True
        self.buf.append("%!" + verb + "(")
        if self.arg is not None:
            self.buf.append(_type_name(self.arg) + "=")
            self.print_arg(self.arg, "v")
        else:
            self.buf.append("<nil>")
        self.buf.append(")")
        self.erroring = False

    def print_bool(self, v: bool, verb: str) -> None:
        if verb in ("t", "v"):
            self.pad("true" if v else "false")
        else:
            self.bad_verb(verb)

    def print_int(self, v: int, signed: bool, verb: str) -> None:
        if verb == "v":
            if self.sharp_v and not signed:
                self.fmt_0x64(v, True)
            else:
                self.fmt_integer(v, 10, signed, verb, _LDIGITS)
        elif verb == "d":
            self.fmt_integer(v, 10, signed, verb, _LDIGITS)
        elif verb == "b":
            self.fmt_integer(v, 2, signed, verb, _LDIGITS)
        elif verb in ("o", "O"):
            self.fmt_integer(v, 8, signed, verb, _LDIGITS)
        elif verb == "x":
            self.fmt_integer(v, 16, signed, verb, _LDIGITS)
        elif verb == "X":
            self.fmt_integer(v, 16, signed, verb, _UDIGITS)
        elif verb == "c":
            self.pad(rune_of(v if 0 <= v <= MAX_RUNE else -1))
        elif verb == "q":
            self.pad(quote_rune(v if 0 <= v <= MAX_RUNE else -1, self.plus))
        elif verb == "U":
            self.fmt_unicode(v)
        else:
            self.bad_verb(verb)

    def fmt_0x64(self, v: int, leading_0x: bool) -> None:
        sharp = self.sharp
        self.sharp = leading_0x
        self.fmt_integer(v, 16, False, "v", _LDIGITS)
        self.sharp = sharp

    def print_float(self, v: float, verb: str) -> None:
        if verb == "v":
            self.fmt_float(v, "g", -1)
        elif verb in ("b", "g", "G", "x", "X"):
            self.fmt_float(v, verb, -1)
        elif verb in ("f", "e", "E"):
            self.fmt_float(v, verb, 6)
        elif verb == "F":
            self.fmt_float(v, "f", 6)
        else:
            self.bad_verb(verb)

    def print_complex(self, v: complex, verb: str) -> None:
        """`(re+imi)`: both parts with the float verb and flags; the imaginary part always signed."""
        if verb not in "vbgGxXfFeE":
            self.bad_verb(verb)
            return
        old_plus = self.plus
        self.buf.append("(")
        self.print_float(v.real, verb)
        self.plus = True
        self.print_float(v.imag, verb)
        self.buf.append("i)")
        self.plus = old_plus

    def print_string(self, v: str, verb: str) -> None:
        if verb == "v":
            if self.sharp_v:
                self.fmt_q(v)
            else:
                self.fmt_s(v)
        elif verb == "s":
            self.fmt_s(v)
        elif verb == "x":
            self.fmt_sbx(_go_bytes(v), _LDIGITS)
        elif verb == "X":
            self.fmt_sbx(_go_bytes(v), _UDIGITS)
        elif verb == "q":
            self.fmt_q(v)
        else:
            self.bad_verb(verb)

    def print_bytes(self, v: bytes, verb: str, type_name: str) -> None:
        if verb in ("v", "d"):
            if self.sharp_v:
                self.buf.append(type_name + "{")
                for i, c in enumerate(v):
                    if i:
                        self.buf.append(", ")
                    self.fmt_0x64(c, True)
                self.buf.append("}")
            else:
                self.buf.append("[")
                for i, c in enumerate(v):
                    if i:
                        self.buf.append(" ")
                    self.fmt_integer(c, 10, False, verb, _LDIGITS)
                self.buf.append("]")
        elif verb == "s":
            self.pad(self.truncate(v.decode("utf-8", "surrogateescape")))
        elif verb == "x":
            self.fmt_sbx(v, _LDIGITS)
        elif verb == "X":
            self.fmt_sbx(v, _UDIGITS)
        elif verb == "q":
            self.fmt_q(v.decode("utf-8", "surrogateescape"))
        else:
            self.print_list([Uint8(c) for c in v], verb, 0, type_name, elem_is_interface=False)

    def print_arg(self, arg: Any, verb: str) -> None:
        self.arg = arg
        if arg is None:
            if verb in ("T", "v"):
                self.pad("<nil>")
            else:
                self.bad_verb(verb)
            return
        if verb == "T":
            self.fmt_s(_type_name(arg))
            return
        if verb == "p":
            self.fmt_pointer(arg, verb)
            return
        self.print_value(arg, verb, 0)

    def fmt_pointer(self, value: Any, verb: str) -> None:
        if not isinstance(value, (list, dict, bytes, GoStruct)) and not callable(value):
            self.bad_verb(verb)
            return
        if isinstance(value, GoStruct) and not value.go_type.startswith("*"):
            self.bad_verb(verb)
            return
        if verb == "v":
            if self.sharp_v:
                self.buf.append(f"({go_type_name(value)})(")
                self.fmt_0x64(_FAKE_ADDRESS, True)
                self.buf.append(")")
            else:
                self.fmt_0x64(_FAKE_ADDRESS, not self.sharp)
        elif verb == "p":
            self.fmt_0x64(_FAKE_ADDRESS, not self.sharp)
        elif verb in ("b", "o", "d", "x", "X"):
            self.print_int(_FAKE_ADDRESS, False, verb)
        else:
            self.bad_verb(verb)

    def handle_methods(self, value: GoStruct, verb: str, depth: int) -> bool:
        """A Go value with an `Error` or `String` method prints through it (not for `%#v` or `%T`).

        Methods named in the struct's optional `go_pointer_methods` have pointer receivers: a struct
        value (go_type without `*`) does not have them, so Go prints its fields instead, unless the
        caller said the value is addressable (text/template's own printing of `{{ .X }}`).
        """
        if self.erroring or self.sharp_v or verb not in "vsxXq":
            return False
        if value.go_type.startswith("*") or (self.addressable and depth == 0):
            pointer_only: tuple[str, ...] = ()
        else:
            pointer_only = getattr(value, "go_pointer_methods", ())
        for name in ("Error", "String"):
            if name in value.go_methods and name not in pointer_only:
                self.print_string(str(value.go_method(name)()), verb)
                return True
        return False

    def print_value(self, value: Any, verb: str, depth: int) -> None:
        if depth > 0:
            self.arg = value
        if isinstance(value, str):
            self.print_string(value, verb)
        elif isinstance(value, bool):
            self.print_bool(value, verb)
        elif isinstance(value, float):
            self.print_float(value, verb)
        elif isinstance(value, int):
            self.print_int(value, not isinstance(value, (Uint8, Uint32, Uint64)), verb)
        elif isinstance(value, complex):
            self.print_complex(value, verb)
        elif isinstance(value, dict):
            self.print_map(value, verb, depth)
        elif isinstance(value, bytes):
            if depth == 0:
                self.print_bytes(value, verb, "[]byte")
            else:
                self.print_bytes(value, verb, "[]uint8")
        elif isinstance(value, list):
            self.print_list(value, verb, depth, go_type_name(value), not isinstance(value, GoStringList))
        elif isinstance(value, GoStruct):
            self.print_struct(value, verb, depth)
        elif callable(value):
            self.fmt_pointer(value, verb)
        else:
            self.print_string(str(value), verb)

    def print_elem(self, elem: Any, verb: str, depth: int, is_interface: bool) -> None:
        if elem is None and is_interface:
            self.buf.append("interface {}(nil)" if self.sharp_v else "<nil>")
        else:
            self.print_value(elem, verb, depth + 1)

    def print_map(self, value: dict, verb: str, depth: int) -> None:
        is_interface = not isinstance(value, GoStringMap)
        if self.sharp_v:
            if isinstance(value, GoNil):
                self.buf.append(go_type_name(value) + "(nil)")
                return
            self.buf.append(go_type_name(value) + "{")
        else:
            self.buf.append("map[")
        try:
            keys = sorted(value)
        except TypeError:
            keys = sorted(value, key=str)
        for i, key in enumerate(keys):
            if i:
                self.buf.append(", " if self.sharp_v else " ")
            self.print_value(key, verb, depth + 1)
            self.buf.append(":")
            self.print_elem(value[key], verb, depth, is_interface)
        self.buf.append("}" if self.sharp_v else "]")

    def print_list(self, value: list, verb: str, depth: int, type_name: str, elem_is_interface: bool) -> None:
        if self.sharp_v:
            if isinstance(value, GoNil):
                self.buf.append(type_name + "(nil)")
                return
            self.buf.append(type_name + "{")
            for i, elem in enumerate(value):
                if i:
                    self.buf.append(", ")
                self.print_elem(elem, verb, depth, elem_is_interface)
            self.buf.append("}")
            return
        self.buf.append("[")
        for i, elem in enumerate(value):
            if i:
                self.buf.append(" ")
            self.print_elem(elem, verb, depth, elem_is_interface)
        self.buf.append("]")

    def print_struct(self, value: GoStruct, verb: str, depth: int) -> None:
        if depth > 0 and self.handle_methods(value, verb, depth):
            return
        type_name = value.go_type
        if type_name.startswith("*"):
            if depth > 0:
                self.fmt_pointer(value, verb)
                return
            if self.handle_methods(value, verb, depth):
                return
            self.buf.append("&")
            type_name = type_name[1:]
        elif depth == 0 and self.handle_methods(value, verb, depth):
            return
        if self.sharp_v:
            self.buf.append(type_name)
        self.buf.append("{")
        for i, name in enumerate(value.go_fields):
            if i:
                self.buf.append(", " if self.sharp_v else " ")
            if self.plus_v or self.sharp_v:
                self.buf.append(name + ":")
            field = value.go_field(name)
            if field is None:
                self.buf.append("<nil>")
            else:
                self.print_value(field, verb, depth + 1)
        self.buf.append("}")

    # -- Printf ------------------------------------------------------------------------------------

    def do_printf(self, fmt: str, args: tuple[Any, ...]) -> None:
        end = len(fmt)
        nargs = len(args)
        arg_num = 0
        after_index = False
        reordered = False
        i = 0
        buf = self.buf
        while i < end:
            good_arg_num = True
            j = fmt.find("%", i)
            if j < 0:
                buf.append(fmt[i:])
                break
            if j > i:
                buf.append(fmt[i:j])
            i = j + 1
            self.clear_flags()
            # flags, and the fast path for a simple lower-case verb
            simple = False
            while i < end:
                c = fmt[i]
                if c == "#":
                    self.sharp = True
                elif c == "0":
                    self.zero = not self.minus
                elif c == "+":
                    self.plus = True
                elif c == "-":
                    self.minus = True
                    self.zero = False
                elif c == " ":
                    self.space = True
                else:
                    if "a" <= c <= "z" and arg_num < nargs:
                        if c == "v":
                            self.sharp_v, self.sharp = self.sharp, False
                            self.plus_v, self.plus = self.plus, False
                        self.print_arg(args[arg_num], c)
                        arg_num += 1
                        i += 1
                        simple = True
                    break
                i += 1
            if simple:
                continue
            # argument index
            arg_num, i, after_index, ok, reord = _arg_number(arg_num, fmt, i, nargs)
            good_arg_num = good_arg_num and ok
            reordered = reordered or reord
            # width
            if i < end and fmt[i] == "*":
                i += 1
                self.wid, self.wid_present, arg_num = _int_from_arg(args, arg_num)
                if not self.wid_present:
                    buf.append("%!(BADWIDTH)")
                if self.wid < 0:
                    self.wid = -self.wid
                    self.minus = True
                    self.zero = False
                after_index = False
            else:
                self.wid, self.wid_present, i = _parse_num(fmt, i, end)
                if after_index and self.wid_present:
                    good_arg_num = False
            # precision
            if i + 1 < end and fmt[i] == ".":
                i += 1
                if after_index:
                    good_arg_num = False
                arg_num, i, after_index, ok, reord = _arg_number(arg_num, fmt, i, nargs)
                good_arg_num = good_arg_num and ok
                reordered = reordered or reord
                if i < end and fmt[i] == "*":
                    i += 1
                    self.prec, self.prec_present, arg_num = _int_from_arg(args, arg_num)
                    if self.prec < 0:
                        self.prec = 0
                        self.prec_present = False
                    if not self.prec_present:
                        buf.append("%!(BADPREC)")
                    after_index = False
                else:
                    self.prec, self.prec_present, i = _parse_num(fmt, i, end)
                    if not self.prec_present:
                        self.prec = 0
                        self.prec_present = True
            if not after_index:
                arg_num, i, after_index, ok, reord = _arg_number(arg_num, fmt, i, nargs)
                good_arg_num = good_arg_num and ok
                reordered = reordered or reord
            if i >= end:
                buf.append("%!(NOVERB)")
                break
            verb = fmt[i]
            i += 1
            if verb == "%":
                buf.append("%")
            elif not good_arg_num:
                buf.append("%!" + verb + "(BADINDEX)")
            elif arg_num >= nargs:
                buf.append("%!" + verb + "(MISSING)")
            else:
                if verb == "v":
                    self.sharp_v, self.sharp = self.sharp, False
                    self.plus_v, self.plus = self.plus, False
                self.print_arg(args[arg_num], verb)
                arg_num += 1
        if not reordered and arg_num < nargs:
            self.clear_flags()
            buf.append("%!(EXTRA ")
            for k, arg in enumerate(args[arg_num:]):
                if k:
                    buf.append(", ")
                if arg is None:
                    buf.append("<nil>")
                else:
                    buf.append(_type_name(arg) + "=")
                    self.print_arg(arg, "v")
            buf.append(")")


def _too_large(x: int) -> bool:
    return x > 1_000_000 or x < -1_000_000


def _parse_num(s: str, start: int, end: int) -> tuple[int, bool, int]:
    """Go's parsenum: a decimal number at s[start:end], and where it stops."""
    num = 0
    isnum = False
    i = start
    while i < end and "0" <= s[i] <= "9":
        if _too_large(num):
            return 0, False, end
        num = num * 10 + ord(s[i]) - 48
        isnum = True
        i += 1
    return num, isnum, i


def _arg_number(arg_num: int, fmt: str, i: int, nargs: int) -> tuple[int, int, bool, bool, bool]:
    """An explicit `[n]` argument index: (arg_num, i, found, good, reordered)."""
    if i >= len(fmt) or fmt[i] != "[":
        return arg_num, i, False, True, False
    sub = fmt[i:]
    if len(sub) >= 3:
        close = sub.find("]", 1)
        if close >= 0:
            width, ok, newi = _parse_num(sub, 1, close)
            if not ok or newi != close:
                return arg_num, i + close + 1, False, False, True
            index = width - 1
            if 0 <= index < nargs:
                return index, i + close + 1, True, True, True
            return arg_num, i + close + 1, True, False, True
    return arg_num, i + 1, False, False, True


def _int_from_arg(args: tuple[Any, ...], arg_num: int) -> tuple[int, bool, int]:
    """A `*` width or precision taken from the arguments: only Go integer kinds qualify."""
    if arg_num >= len(args):
        return 0, False, arg_num
    value = args[arg_num]
    num, is_int = 0, False
    if isinstance(value, int) and not isinstance(value, bool):
        num, is_int = int(value), -(1 << 63) <= value < (1 << 63)
        if not is_int:
            num = 0
    if _too_large(num):
        num, is_int = 0, False
    return num, is_int, arg_num + 1


def format_value(v: Any, *, addressable: bool = False) -> str:
    """fmt.Sprint of one value, the text `{{ . }}` prints (`<nil>` for nil, Go's float layout).

    `addressable=True` is for text/template's printing of a field it can take the address of:
    there a struct's pointer-receiver `String()` is used too (`{{ .Capabilities.KubeVersion }}`).
    """
    if isinstance(v, str):
        return v
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return format_v(v)
    if type(v) is int or type(v) is Int64:
        return str(int(v))
    if v is None:
        return "<nil>"
    p = _Printer()
    p.addressable = addressable
    p.print_arg(v, "v")
    return "".join(p.buf)


def sprint(*args: Any) -> str:
    """fmt.Sprint: operands printed with %v, a space between two operands when neither is a string."""
    if len(args) == 1:
        return format_value(args[0])
    out = []
    prev_string = False
    for k, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if k > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(format_value(arg))
        prev_string = is_string
    return "".join(out)


def sprintln(*args: Any) -> str:
    """fmt.Sprintln: operands printed with %v, always separated by spaces, then a newline."""
    return " ".join(format_value(a) for a in args) + "\n"


def sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf, with Go's notation for bad verbs, missing and extra operands."""
    if not args and "%" not in fmt:
        return fmt
    p = _Printer()
    p.do_printf(fmt, args)
    return "".join(p.buf)
