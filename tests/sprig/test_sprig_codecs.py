"""Round trips and laws of the Go codecs behind Sprig (base64/base32, durations, integer parsing)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wavecd.sprig import sprig_functions
from wavecd.sprig.cast import parse_int, to_int64
from wavecd.sprig.goduration import format_duration, parse_duration
from wavecd.sprig.goval import wrap64

F = sprig_functions()
# Go strings: any text, plus lone surrogates standing for bytes that are not UTF-8.
go_strings = st.text(st.characters(codec="utf-8") | st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF))
int64s = st.integers(-(2**63), 2**63 - 1)


@given(go_strings)
def test_sprig_base64_and_base32_round_trip(s: str) -> None:
    assert F["b64dec"].fn(F["b64enc"].fn(s)) == s
    assert F["b32dec"].fn(F["b32enc"].fn(s)) == s


@given(go_strings)
def test_sprig_base64_decoder_ignores_newlines(s: str) -> None:
    encoded = F["b64enc"].fn(s)
    wrapped = "\n".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))
    assert F["b64dec"].fn(wrapped + "\r\n") == s


@given(int64s)
def test_sprig_duration_text_round_trips(d: int) -> None:
    assert parse_duration(format_duration(d)) == d


@given(int64s)
def test_sprig_int_parsing_reads_decimal_hex_and_octal(n: int) -> None:
    assert parse_int(str(n)) == (n, True)
    assert to_int64(("-" if n < 0 else "") + hex(abs(n))) == n
    assert to_int64(("-" if n < 0 else "") + "0" + oct(abs(n))[2:]) == n
    assert to_int64(f"{n}.000") == n


@given(st.integers(-(2**70), 2**70))
def test_sprig_wrap64_is_twos_complement(n: int) -> None:
    assert wrap64(n) == ((n + 2**63) % 2**64) - 2**63
