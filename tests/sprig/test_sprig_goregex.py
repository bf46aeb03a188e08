"""Go regexp through Python `re`: expectations recorded from Sprig's regex functions in real helm.

Recorded with /opt/realhelm/helm-v4 (go1.25) and /opt/realhelm/helm-v3 (go1.23), which agreed on every case:
`mustRegexMatch` for the parse errors, the other Sprig functions for matching, replacing and splitting.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wavecd.core.errors import WavecdError
from wavecd.gotemplate.gofmt import format_value
from wavecd.sprig.goregex import (
    GoRegexError,
    compile_go_regex,
    expand_go_template,
    find,
    find_all,
    match,
    quote_meta,
    replace_all,
    replace_all_literal,
    split,
)

ERRORS = [
    ("[a", "error parsing regexp: missing closing ]: `[a`"),
    ("a(b", "error parsing regexp: missing closing ): `a(b`"),
    ("a)b", "error parsing regexp: unexpected ): `a)b`"),
    ("*", "error parsing regexp: missing argument to repetition operator: `*`"),
    ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
    ("a*+", "error parsing regexp: invalid nested repetition operator: `*+`"),
    ("\\8", "error parsing regexp: invalid escape sequence: `\\8`"),
    ("\\1", "error parsing regexp: invalid escape sequence: `\\1`"),
    ("a\\", "error parsing regexp: trailing backslash at end of expression: ``"),
    ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
    ("a{2,1}", "error parsing regexp: invalid repeat count: `{2,1}`"),
    ("(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
    ("(?<=a)", "error parsing regexp: invalid named capture: `(?<=a)`"),
    ("(?P=n)", "error parsing regexp: invalid or unsupported Perl syntax: `(?P`"),
    ("(?P<a-b>a)", "error parsing regexp: invalid named capture: `(?P<a-b>`"),
    ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
    ("[[:foo:]]", "error parsing regexp: invalid character class range: `[:foo:]`"),
    ("\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`"),
    ("\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"),
    ("\\C", "error parsing regexp: invalid escape sequence: `\\C`"),
    ("(?z)", "error parsing regexp: invalid or unsupported Perl syntax: `(?z`"),
    ("(?i", "error parsing regexp: invalid or unsupported Perl syntax: `(?i`"),
    ("x{2}{3}", "error parsing regexp: invalid nested repetition operator: `{2}{3}`"),
    ("(a{500}){3}", "error parsing regexp: invalid repeat count: `{3}`"),
    ("a|*", "error parsing regexp: missing argument to repetition operator: `*`"),
    ("(*)", "error parsing regexp: missing argument to repetition operator: `*`"),
    ("[a-\\d]", "error parsing regexp: invalid escape sequence: `\\d`"),
    ("\\x{110000}", "error parsing regexp: invalid escape sequence: `\\x{110000`"),
    ("\\xZ1", "error parsing regexp: invalid escape sequence: `\\xZ1`"),
    ("(?i)(?-i", "error parsing regexp: invalid or unsupported Perl syntax: `(?-i`"),
    ("(?i-)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`"),
    ("(?P<>a)", "error parsing regexp: invalid named capture: `(?P<>`"),
    ("(?P<n", "error parsing regexp: invalid named capture: `(?P<n`"),
    ("[a\\", "error parsing regexp: trailing backslash at end of expression: ``"),
    ("\\p", "error parsing regexp: invalid character class range: `\\p`"),
    ("\\p{", "error parsing regexp: invalid character class range: `\\p{`"),
    ("\\é", "error parsing regexp: invalid escape sequence: `\\é`"),
]
CALLS = [
    ("regexReplaceAll", ["(?i)[k-m]+", "KLMklmK", "X"], "X"),
    ("regexReplaceAll", ["(?i)[^k]", "kKKx", "_"], "kKK_"),
    ("regexReplaceAll", ["[\\D]", "a1", "_"], "_1"),
    ("regexReplaceAll", ["[^\\S]", "a b\tc\x0bd", "_"], "a_b_c\x0bd"),
    ("regexReplaceAll", ["\\W+", "a-b é", "_"], "a_b_"),
    ("regexReplaceAll", ["a{2,3}?", "aaaa", "X"], "XX"),
    ("regexReplaceAll", ["(?U)a{2,3}", "aaaa", "X"], "XX"),
    ("regexReplaceAll", ["a{01}", "a{01}", "X"], "X"),
    ("regexReplaceAll", ["x{2,}", "xxxxx x", "Y"], "Y x"),
    ("regexReplaceAll", ["\\12", "\n", "X"], "X"),
    ("regexReplaceAll", ["[\\x{1F600}-\\x{1F64F}]", "a😀b", "X"], "aXb"),
    ("regexReplaceAll", ["\\pN+", "a١٢b12", "X"], "aXbX"),
    ("regexReplaceAll", ["\\p{^L}", "ab1", "X"], "abX"),
    ("regexReplaceAll", ["\\P{^L}", "ab1", "X"], "XX1"),
    ("regexReplaceAll", ["[\\p{Lu}\\d]", "aB1", "X"], "aXX"),
    ("regexReplaceAll", ["\\p{Any}", "a\n", "X"], "XX"),
    ("regexReplaceAll", ["(?m:^a$)|b", "a\nb", "X"], "X\nX"),
    ("regexReplaceAll", ["(?s:a.)b", "a\nb", "X"], "X"),
    ("regexReplaceAll", ["(?i)a(?-i)a", "AA Aa", "X"], "AA X"),
    ("regexReplaceAll", ["a|b|", "abc", "X"], "XXcX"),
    ("regexReplaceAll", ["^", "ab", "X"], "Xab"),
    ("regexReplaceAll", ["\\b", "ab cd", "|"], "|ab| |cd|"),
    ("regexReplaceAll", ["\\B", "ab cd", "|"], "a|b c|d"),
    ("regexReplaceAll", ["\\A|\\z", "ab\n", "|"], "|ab\n|"),
    ("regexFindAll", ["\\w*", "ab cd", -1], "[ab cd]"),
    ("regexFindAll", ["a|", "baab", -1], "[ a a ]"),
    ("regexSplit", ["\\s*", "a b  c", -1], "[a b c]"),
    ("regexSplit", ["b*", "abba", 2], "[a a]"),
    ("regexSplit", ["(?i)", "", -1], "[]"),
    ("regexReplaceAll", ["é+", "ééa", "$0$0"], "ééééa"),
    ("regexFindAll", ["(?i)é", "ÉéE", -1], "[É é]"),
    ("regexReplaceAll", ["[[:word:]]+", "a_1-é", "X"], "X-é"),
    ("regexReplaceAll", ["[a-c-e]", "b-d", "X"], "XXd"),
    ("regexReplaceAll", ["\\Qa|b", "a|b", "X"], "X"),
    ("regexReplaceAll", ["x*?", "xx", "-"], "-x-x-"),
    ("regexReplaceAll", ["(?i)ǅ", "Ǆǆǅ", "X"], "XXX"),
    ("regexReplaceAll", ["(?i)ß", "ßẞSS", "X"], "XXSS"),
    ("regexReplaceAll", ["(?i)σ", "Σσς", "X"], "XXX"),
    ("mustRegexMatch", ["(?P<n>a)(?P<n>b)", "x"], "false"),
    ("mustRegexMatch", ["(?P<1a>a)", "1a"], "true"),
    ("mustRegexMatch", ["(?<n>a)", "a"], "true"),
    ("mustRegexMatch", ["^*$", ""], "true"),
    ("mustRegexMatch", ["[]a]", "]"], "true"),
    ("mustRegexMatch", ["[^]a]", "b"], "true"),
    ("mustRegexMatch", ["a{,5}", "a{,5}"], "true"),
    ("mustRegexMatch", ["\\Qa.b\\E+", "a.bbb"], "true"),
    ("mustRegexMatch", ["(?)a", "a"], "true"),
    ("mustRegexMatch", ["\\pN", "1"], "true"),
    ("mustRegexMatch", ["x{1000}", "x"], "false"),
    ("mustRegexMatch", ["x{1000,}", "x"], "false"),
    ("mustRegexMatch", ["\\_", "_"], "true"),
    ("regexReplaceAll", ["a*", "baaac", "X"], "XbXcX"),
    ("regexReplaceAll", ["a(x*)b", "-ab-axxb-", "$1W"], "---"),
    ("regexReplaceAll", ["a(x*)b", "-ab-axxb-", "${1}W"], "-W-xxW-"),
    (
        "regexReplaceAll",
        ["(?P<first>\\w+) (?P<last>\\w+)", "John Smith", "$last, $first $$ $ ${last "],
        "Smith, John $ $ ${last ",
    ),
    ("regexReplaceAll", ["", "abc", "-"], "-a-b-c-"),
    ("regexReplaceAll", ["x*", "", "-"], "-"),
    ("regexReplaceAll", ["b*", "abc", "[$0]"], "[]a[b]c[]"),
    ("regexReplaceAllLiteral", ["a(x*)b", "-ab-axxb-", "$1W"], "-$1W-$1W-"),
    ("regexFindAll", ["a*", "baaac", -1], "[ aaa ]"),
    ("regexFindAll", ["a*", "baaac", 2], "[ aaa]"),
    ("regexFindAll", ["", "héllo", -1], "[     ]"),
    ("regexFindAll", ["x", "abc", -1], "[]"),
    ("regexFindAll", ["[0-9]+", "a1b22c333", 0], "[]"),
    ("regexSplit", ["a*", "baaac", -1], "[b c]"),
    ("regexSplit", ["z+", "pizza", -1], "[pi a]"),
    ("regexSplit", ["z+", "pizza", 1], "[pizza]"),
    ("regexSplit", ["z+", "pizza", 2], "[pi a]"),
    ("regexSplit", ["", "abc", -1], "[a b c]"),
    ("regexSplit", ["x*", "", -1], "[]"),
    ("regexSplit", ["", "", -1], "[]"),
    ("regexSplit", ["a", "a", -1], "[ ]"),
    ("regexSplit", [",", "a,b,", -1], "[a b ]"),
    ("regexSplit", [",", "a,b,", 0], "[]"),
    ("regexFind", ["a.c", "xabcx"], "abc"),
    ("regexQuoteMeta", ["1.2.3[a]*+?{}()|^$\\"], "1\\.2\\.3\\[a\\]\\*\\+\\?\\{\\}\\(\\)\\|\\^\\$\\\\"),
    ("regexReplaceAll", ["(?i)straße", "STRASSE Straße STRAẞE", "X"], "STRASSE X X"),
    ("regexReplaceAll", ["(?i)k", "kKK", "x"], "xxx"),
    ("regexReplaceAll", ["\\bfoo\\b", "foo foobar éfooé", "X"], "X foobar éXé"),
    ("regexReplaceAll", ["\\s+", "a \x0b b\xa0c", "_"], "a_\x0b_b\xa0c"),
    ("regexReplaceAll", ["$", "a\nb\n", "X"], "a\nb\nX"),
    ("regexReplaceAll", ["(?m)$", "a\nb\n", "X"], "aX\nbX\nX"),
    ("regexReplaceAll", ["(?m)^", "a\nb\n", "X"], "Xa\nXb\nX"),
    ("regexReplaceAll", ["(?s).", "a\nb", "X"], "XXX"),
    ("regexReplaceAll", [".", "a\nb", "X"], "X\nX"),
    ("regexReplaceAll", ["(?U)a+", "aaa", "X"], "XXX"),
    ("regexReplaceAll", ["(?U)a+?", "aaa", "X"], "X"),
    ("regexReplaceAll", ["\\d", "1٣", "X"], "X٣"),
    ("regexReplaceAll", ["[[:alpha:]]+", "ab1é", "X"], "X1é"),
    ("regexReplaceAll", ["[[:^alpha:]]", "ab1é", "X"], "abXX"),
    ("regexReplaceAll", ["\\pL+", "ab1é", "X"], "X1X"),
    ("regexReplaceAll", ["\\PL", "ab1é", "X"], "abXé"),
    ("regexReplaceAll", ["(a|ab)(c|bcd)(d*)", "abcd", "[$1|$2|$3]"], "[a|bcd|]"),
    ("regexReplaceAll", ["(a*)*", "b", "[$1]"], "[]b[]"),
    ("regexReplaceAll", ["(a*)+", "b", "[$1]"], "[]b[]"),
    ("regexReplaceAll", ["(a|b)*", "ab", "[$1]"], "[b]"),
    ("regexReplaceAll", ["x(?i)a|b", "xA B xa", "_"], "_ _ _"),
    ("regexReplaceAll", ["(?i:a)b", "AB Ab ab", "_"], "AB _ _"),
    ("regexReplaceAll", ["\\x41\\x{42}\\101\\0", "AB\x00A\x00", "_"], "AB\x00A\x00"),
    ("regexReplaceAll", ["(?P<n>a)|(?P<n>b)", "ab", "[$n]"], "[a][b]"),
    ("regexReplaceAll", ["(a)", "a", "$1a|${1}a|$01|$10|${01}|$é"], "|aa||||"),
]


def _call(fn: str, args: list) -> str:
    if fn == "regexQuoteMeta":
        return quote_meta(args[0])
    regex = compile_go_regex(args[0])
    if fn == "mustRegexMatch":
        return format_value(match(regex, args[1]))
    if fn == "regexReplaceAll":
        return replace_all(regex, args[1], args[2])
    if fn == "regexReplaceAllLiteral":
        return replace_all_literal(regex, args[1], args[2])
    if fn == "regexFindAll":
        return format_value(find_all(regex, args[1], args[2]))
    if fn == "regexSplit":
        return format_value(split(regex, args[1], args[2]))
    assert fn == "regexFind"
    return find(regex, args[1])


@pytest.mark.parametrize(("pattern", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_parse_errors_match_go(pattern: str, message: str) -> None:
    with pytest.raises(GoRegexError) as info:
        compile_go_regex(pattern)
    assert info.value.message == message
    assert isinstance(info.value, WavecdError)


@pytest.mark.parametrize(("fn", "args", "out"), CALLS, ids=[f"{c[0]} {c[1]}" for c in CALLS])
def test_sprig_regex_functions_match_helm(fn: str, args: list, out: str) -> None:
    assert _call(fn, args) == out


RANDOM = json.loads((Path(__file__).parent / "goregex_recorded.json").read_text(encoding="utf-8"))["cases"]


def _random_call(fn: str, pattern: str, s: str) -> str:
    try:
        regex = compile_go_regex(pattern)
    except GoRegexError as exc:
        return "ERR:" + exc.message
    if fn == "regexReplaceAll":
        return replace_all(regex, s, "<$0|$1|${n1}>")
    if fn == "regexReplaceAllLiteral":
        return replace_all_literal(regex, s, "<$0|$1|${n1}>")
    if fn == "regexFindAll":
        return json.dumps(find_all(regex, s, -1) or None, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(split(regex, s, -1), ensure_ascii=False, separators=(",", ":"))


def test_random_patterns_match_helm() -> None:
    mismatches = [(fn, p, s) for fn, p, s, out in RANDOM if _random_call(fn, p, s) != out]
    assert mismatches == []


def test_expand_takes_the_longest_name() -> None:
    m = compile_go_regex(r"(?P<word>\w+)-(\d)").search("ab-1")
    assert m is not None
    assert expand_go_template("$word|${word}x|$wordx|$2|$2x|${2}x|$$|$|${|${word", m) == "ab|abx||1||1x|$|$|${|${word"


def test_group_names_python_refuses_still_work() -> None:
    regex = compile_go_regex("(?P<1x>a)(?<n>b)(?P<n>c)")
    assert replace_all(regex, "abc", "${1x}|$n|$3") == "a|b|c"


def test_unsupported_script_classes_say_so() -> None:
    with pytest.raises(GoRegexError, match="not supported"):
        compile_go_regex(r"\p{Greek}")


@given(st.text(alphabet="ab(|)*+?[]^$.\\{},0123-iPU:<>=wsdbBAzQE", max_size=12))
def test_any_pattern_compiles_or_fails_cleanly(pattern: str) -> None:
    try:
        regex = compile_go_regex(pattern)
    except GoRegexError:
        return
    assert isinstance(regex, re.Pattern)
    for subject in ("", "ab", "a\nb", "ba{}"):
        find_all(regex, subject, -1)
        replace_all(regex, subject, "[$0]")
        split(regex, subject, -1)
