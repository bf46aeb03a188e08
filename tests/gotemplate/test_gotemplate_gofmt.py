"""Go `fmt` printing as templates see it: every expectation was recorded from real helm (see the JSON)."""

from __future__ import annotations

import json
import math
import re
import struct
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wavecd.gotemplate.gofloat import shortest_g
from wavecd.gotemplate.gofmt import format_float, format_value, quote, sprint, sprintf, sprintln
from wavecd.gotemplate.gotypes import GoStringList, GoStringMap, GoStruct, Int64

RECORDED = json.loads((Path(__file__).parent / "gofmt_recorded.json").read_text(encoding="utf-8"))


def _go(value: Any) -> Any:
    """Decode the recorded arguments: {"int64": n} is a Go int64, {"strings": [...]} a []string."""
    if isinstance(value, list):
        return [_go(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"int64"}:
            return Int64(value["int64"])
        if set(value) == {"strings"}:
            return GoStringList(value["strings"])
        return {k: _go(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("case", RECORDED["printf"], ids=lambda c: c["format"])
def test_printf_matches_helm(case: dict) -> None:
    assert sprintf(case["format"], *_go(case["args"])) == case["out"]


def test_random_printf_formats_match_helm() -> None:
    mismatches = [
        (case["format"], case["args"])
        for case in RECORDED["printf_random"]
        if sprintf(case["format"], *_go(case["args"])) != case["out"]
    ]
    assert mismatches == []


@pytest.mark.parametrize("row", RECORDED["floats"], ids=lambda r: r[0])
def test_float_printing_matches_helm(row: list) -> None:
    value = float(row[0])
    assert format_value(value) == row[1]
    for fmt, expected in zip(RECORDED["float_formats"], row[2:], strict=True):
        if expected is not None:
            assert sprintf(fmt, value) == expected, fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (8080.0, "8080"),
        (123456.0, "123456"),
        (1000000.0, "1e+06"),
        (12345678901.0, "1.2345678901e+10"),
        (1.5, "1.5"),
        (0.0001, "0.0001"),
        (0.0000015, "1.5e-06"),
        (-0.0, "-0"),
        (1e20, "1e+20"),
        (None, "<nil>"),
        (True, "true"),
        (Int64(-3), "-3"),
        ("s", "s"),
        ([], "[]"),
        ({}, "map[]"),
        (["a", 1.0, None, {"k": [2.5]}], "[a 1 <nil> map[k:[2.5]]]"),
        ({"b": 1, "a": {"d": "x"}, "c": None}, "map[a:map[d:x] b:1 c:<nil>]"),
        (GoStringMap({"_1": "b", "_0": "a"}), "map[_0:a _1:b]"),
        (b"hi", "[104 105]"),
        (float("inf"), "+Inf"),
        (float("nan"), "NaN"),
    ],
)
def test_format_value(value: Any, text: str) -> None:
    assert format_value(value) == text


def test_sprint_spaces_only_between_non_strings() -> None:
    assert sprint("a", "b", 1, 2, "c", None, None, 1.5, True) == "ab1 2c<nil> <nil> 1.5 true"
    assert sprint(1.0, 2.0) == "1 2"
    assert sprint([1, 2], [3]) == "[1 2] [3]"
    assert sprint("a", [1], "b", {}) == "a[1]bmap[]"
    assert sprint(Int64(3), 4) == "3 4"
    assert sprint(GoStringList(["1", "2"]), 3) == "[1 2] 3"
    assert sprint() == ""


def test_sprintln_always_spaces_and_newline() -> None:
    assert sprintln("a", 1, None) == "a 1 <nil>\n"
    assert sprintln() == "\n"


def test_string_maps_and_lists_in_go_syntax() -> None:
    assert sprintf("%#v|%v", GoStringMap({"_0": "a", "_1": "b"}), GoStringMap({"_0": ""})) == (
        'map[string]string{"_0":"a", "_1":"b"}|map[_0:]'
    )
    assert sprintf("%#v|%T", GoStringList(["a", "b"]), GoStringMap({"_0": "a"})) == (
        '[]string{"a", "b"}|map[string]string'
    )


@pytest.mark.parametrize(
    ("fmt", "args", "out"),
    [
        ("%q", ["\a\b\f\n\r\t\v"], '"\\a\\b\\f\\n\\r\\t\\v"'),
        ("%q", ["\u00ad\u0085\u00a0\u2000"], '"\\u00ad\\u0085\\u00a0\\u2000"'),
        ("%q", ["\U0010ffff\ue000"], '"\\U0010ffff\\ue000"'),
        ("%q", ["x\"y\\z'"], '"x\\"y\\\\z\'"'),
        ("%q", ["\u0378\u1f600"], '"\\u0378\u1f600"'),
        ("%q", ["\U0001f9ff\u3000"], '"\U0001f9ff\\u3000"'),
        ("%+q|%#q", ["\U0010ffff\u00e9", "\ufeff"], '"\\U0010ffff\\u00e9"|"\\ufeff"'),
        ("%#q|%#q", ["\t", "\u00ad"], "`\t`|`\u00ad`"),
        ("%q|%+q|%q|%q", [39, 233, 34, 92], "'\\''|'\\u00e9'|'\"'|'\\\\'"),
    ],
)
def test_quoting_matches_helm(fmt: str, args: list, out: str) -> None:
    assert sprintf(fmt, *args) == out


def test_quote_is_strconv_quote() -> None:
    assert quote('say "hi"\n') == '"say \\"hi\\"\\n"'
    assert quote("héllo") == '"héllo"'
    assert quote("\x00\x7f") == '"\\x00\\x7f"'


class _Meta(GoStruct):
    go_type = "*chart.Metadata"
    go_fields = ("Name", "Version")

    def __init__(self) -> None:
        self.Name = "web"
        self.Version = "1.0.0"


class _Kube(GoStruct):
    go_type = "chartutil.KubeVersion"
    go_fields = ("Version", "Major")
    go_methods: ClassVar[tuple[str, ...]] = ("String",)

    def __init__(self) -> None:
        self.Version = "v1.35.0"
        self.Major = "1"

    def String(self) -> str:
        return self.Version


def test_structs_print_as_go_does() -> None:
    assert format_value(_Meta()) == "&{web 1.0.0}"
    assert sprintf("%+v", _Meta()) == "&{Name:web Version:1.0.0}"
    assert sprintf("%#v", _Meta()) == '&chart.Metadata{Name:"web", Version:"1.0.0"}'
    assert sprintf("%T", _Meta()) == "*chart.Metadata"
    assert format_value(_Kube()) == "v1.35.0"
    assert sprintf("%s|%q|%d", _Kube(), _Kube(), _Kube()) == 'v1.35.0|"v1.35.0"|{%!d(string=v1.35.0) %!d(string=1)}'


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_shortest_float_round_trips(f: float) -> None:
    text = format_float(f, "g", -1)
    assert float(text) == f
    assert math.copysign(1.0, float(text)) == math.copysign(1.0, f)
    digits = text.lstrip("-").split("e")[0].replace(".", "").strip("0")
    assert len(digits) <= len(repr(abs(f)).split("e")[0].replace(".", "").strip("0"))
    exponent = Decimal(repr(f)).adjusted()
    assert ("e" in text) == (f != 0 and (exponent < -4 or exponent >= 6)), text


_ANY_BITS = st.integers(0, (1 << 64) - 1).map(lambda b: struct.unpack("<d", b.to_bytes(8, "little"))[0])


@given(st.one_of(st.floats(), _ANY_BITS))
def test_value_printing_of_a_float_is_the_exact_g_layout(f: float) -> None:
    """The repr-based fast path of `%v` against the digit-by-digit layout of strconv's `g`, -1."""
    exact = shortest_g(f) if math.isfinite(f) else ("NaN" if f != f else ("+Inf" if f > 0 else "-Inf"))
    assert format_value(f) == format_float(f, "g", -1) == sprintf("%v", f) == exact


@given(st.integers(min_value=0, max_value=(1 << 64) - 1), st.integers(min_value=0, max_value=25))
def test_fixed_precision_rounds_the_exact_binary_value_half_even(bits: int, prec: int) -> None:
    f = struct.unpack("<d", struct.pack("<Q", bits))[0]
    if math.isnan(f) or math.isinf(f):
        return
    exact = Decimal(f)
    e = format_float(f, "e", prec)
    mantissa = rf"-?[0-9]\.[0-9]{{{prec}}}" if prec else "-?[0-9]"
    assert re.fullmatch(mantissa + "e[+-][0-9]{2,3}", e), e
    assert Decimal(e) == Context(prec=prec + 1, rounding=ROUND_HALF_EVEN).plus(exact) or f == 0
    fixed = format_float(f, "f", prec)
    wide = Context(prec=400)
    assert Decimal(fixed) == exact.quantize(Decimal(1).scaleb(-prec), rounding=ROUND_HALF_EVEN, context=wide)


@given(
    st.text(alphabet="%#+- 0123456789.*[]vdsqxXofeEgGtcUTpb!zw", max_size=12),
    st.lists(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(1 << 63), (1 << 63) - 1),
            st.floats(),
            st.text(max_size=4),
            st.lists(st.integers(), max_size=2),
            st.dictionaries(st.text(max_size=2), st.floats(), max_size=2),
        ),
        max_size=4,
    ),
)
def test_arbitrary_formats_never_raise(fmt: str, args: list) -> None:
    assert isinstance(sprintf(fmt, *args), str)


def test_complex_literals_print_as_helm() -> None:
    # recorded: printf of the template literals 1i, 2+3i, -1.5i, 2.5i, 1e7i, -1.5-2i in helm-v4
    args = (1j, 2 + 3j, complex(0, -1.5), 1j, 1j, 2.5j, 1j, 1e7j, 1j, 1j)
    assert sprintf("%v|%.2f|%+v|%d|%T|%8.1f|%e|%g|%x|%s", *args) == (
        "(0+1i)|(2.00+3.00i)|(0-1.5i)|%!d(complex128=(0+1i))|complex128|(     0.0    +2.5i)"
        "|(0.000000e+00+1.000000e+00i)|(0+1e+07i)|(0x0p+00+0x1p+00i)|%!s(complex128=(0+1i))"
    )
    assert sprint(1j, 2j, "a", 3j) == "(0+1i) (0+2i)a(0+3i)"
    assert sprintf("%v|%#v|% v|%07.2f", [1j], 1j, 1j, complex(-1.5, -2)) == "[(0+1i)]|(0+1i)|( 0+1i)|(-001.50-002.00i)"


class _PtrKube(_Kube):
    go_fields = ("Version", "Major")
    go_pointer_methods: ClassVar[tuple[str, ...]] = ("String",)


def test_pointer_receiver_string_needs_an_address() -> None:
    # helm-v3: printf "%v|%s" .Capabilities.KubeVersion → "{v1.32.0 1 32}|…", while {{ .Capabilities.KubeVersion }}
    # prints "v1.32.0": text/template takes the field's address, fmt alone cannot.
    assert sprintf("%v|%s", _PtrKube(), _PtrKube()) == "{v1.35.0 1}|{v1.35.0 1}"
    assert format_value(_PtrKube()) == "{v1.35.0 1}"
    assert format_value(_PtrKube(), addressable=True) == "v1.35.0"
    assert format_value([_PtrKube()], addressable=True) == "[{v1.35.0 1}]"
