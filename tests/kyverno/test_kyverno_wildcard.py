"""Kyverno's wildcards: `*` any run, `?` one character, the whole text. Both sides come from the repository (a
policy's names, an object's name), so a pattern must never take time exponential in its number of `*`s."""

from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from wavecd.kyverno.wildcard import wildcard_match


def _reference(pattern: str, text: str) -> bool:
    """The definition, by dynamic programming over (pattern index, text index)."""

    @cache
    def match(p: int, t: int) -> bool:
        if p == len(pattern):
            return t == len(text)
        if pattern[p] == "*":
            return match(p + 1, t) or (t < len(text) and match(p, t + 1))
        return t < len(text) and pattern[p] in ("?", text[t]) and match(p + 1, t + 1)

    return match(0, 0)


@given(st.text("ab*?.", max_size=8), st.text("ab.", max_size=10))
def test_a_wildcard_matches_exactly_what_its_definition_says(pattern, text):
    assert wildcard_match(pattern, text) is _reference(pattern, text)


def test_many_stars_against_a_long_name_answer_at_once():
    # as a regex (`.*a.*a…b`) this backtracks through every way of splitting 80 `a`s into nine runs
    assert wildcard_match("*a*a*a*a*a*a*a*a*a*b", "a" * 80) is False
    assert wildcard_match("*a*a*a*a*a*a*a*a*a*b", "a" * 80 + "b") is True


def test_examples_from_kyverno_policies():
    assert wildcard_match("kube-*", "kube-system")
    assert not wildcard_match("kube-*", "default")
    assert wildcard_match("*.example.com", "api.example.com")
    assert wildcard_match("ns-?", "ns-1") and not wildcard_match("ns-?", "ns-10")
    assert wildcard_match("", "") and not wildcard_match("", "x")
