"""Rules of Masterminds/semver read from its source (v3.3.0 / v3.4.0) that templates cannot show directly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wavecd.core.errors import WavecdError
from wavecd.semver import V3_3, V3_4, V3_5, SemverError, Version, parse_constraints, parse_version


def test_precedence_follows_semver_spec_order() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ]
    versions = [parse_version(v) for v in ordered]
    assert sorted(reversed(versions)) == versions
    assert [str(v) for v in sorted(reversed(versions))] == ordered


def test_metadata_is_ignored_by_comparison() -> None:
    assert parse_version("1.2.3+a") == parse_version("v1.2.3+b")
    assert len({parse_version("1.2.3+a"), parse_version("1.2.3")}) == 1


def test_string_drops_v_and_fills_missing_parts() -> None:
    v = parse_version("v1.2")
    assert (str(v), v.original) == ("1.2.0", "v1.2")
    assert str(Version(1, 2, 3, "rc.1", "b5")) == "1.2.3-rc.1+b5"


@pytest.mark.parametrize(
    ("text", "lib", "message"),
    [
        ("", V3_4, "version string empty"),
        ("1.2", V3_4, "invalid semantic version"),
        ("v1.2.3", V3_4, "invalid characters in version"),
        ("1.02.3", V3_4, "version segment starts with 0"),
        ("1.2.3-01", V3_3, "Version segment starts with 0"),
        ("1.2.3-a_b", V3_4, "invalid prerelease string"),
        ("1.2.3+a_b", V3_3, "Invalid Metadata string"),
        ("1.2.3-", V3_4, "invalid prerelease string"),
        ("1.2.3+", V3_4, "invalid metadata string"),
        ("1.2.3.4", V3_4, "invalid characters in version"),
        ("1..3", V3_4, 'strconv.ParseUint: parsing "": invalid syntax'),
    ],
)
def test_strict_parsing_errors(text: str, lib: str, message: str) -> None:
    with pytest.raises(SemverError) as info:
        parse_version(text, strict=True, lib=lib)
    assert info.value.message == message
    assert isinstance(info.value, WavecdError)


def test_strict_accepts_what_3_3_accepted() -> None:
    assert str(parse_version("1.2.3-", strict=True, lib=V3_3)) == "1.2.3"
    assert str(parse_version("1.2.3-rc.1+b.2", strict=True)) == "1.2.3-rc.1+b.2"


def test_constraints_print_as_parsed() -> None:
    assert str(parse_constraints(">= 1.2, <3 || ~2.x")) == ">=1.2 <3 || ~2.x"
    assert str(parse_constraints("1.2 - 1.4.5")) == ">=1.2 <=1.4.5"


def test_include_prerelease_opens_every_group_in_3_4() -> None:
    v = parse_version("1.5.0-rc.1")
    assert not parse_constraints(">=1.2 <2").check(v)
    assert parse_constraints(">=1.2 <2", include_prerelease=True).check(v)
    assert parse_constraints(">=1.2-0 <2").check(v)
    assert not parse_constraints(">=1.2-0 <2", lib=V3_3).check(v)


_part = st.integers(min_value=0, max_value=30)


@given(_part, _part, _part, _part, _part, _part)
def test_caret_and_tilde_agree_with_their_expansions(a: int, b: int, c: int, x: int, y: int, z: int) -> None:
    v = parse_version(f"{x}.{y}.{z}")
    if a > 0:
        caret_upper = f"{a + 1}.0.0"
    elif b > 0:
        caret_upper = f"0.{b + 1}.0"
    else:
        caret_upper = f"0.0.{c + 1}"
    assert parse_constraints(f"^{a}.{b}.{c}").check(v) == parse_constraints(f">={a}.{b}.{c} <{caret_upper}").check(v)
    # ~0.0.0 is Masterminds' special case for "anything" (its own test table: ~0.0.0 accepts 1.2.3).
    tilde_range = ">=0.0.0" if a == b == c == 0 else f">={a}.{b}.{c} <{a}.{b + 1}.0"
    assert parse_constraints(f"~{a}.{b}.{c}").check(v) == parse_constraints(tilde_range).check(v)


@pytest.mark.parametrize(
    ("text", "v3_4", "v3_5"),
    [
        ("~~1", "improper constraint: ~~1", 'improper constraint: "~~1"'),
        (">=1 <<2", "improper constraint: >=1 <<2", 'improper constraint: ">=1 <<2"'),
        ('1\t"x"', 'improper constraint: 1\t"x"', 'improper constraint: "1\\t\\"x\\""'),
    ],
)
def test_semver_3_5_go_quotes_an_improper_constraint(text: str, v3_4: str, v3_5: str) -> None:
    # helm 4.2 (semver 3.5.0): `error calling semverCompare: improper constraint: "~~1"`
    for lib, message in ((V3_4, v3_4), (V3_5, v3_5)):
        with pytest.raises(SemverError) as err:
            parse_constraints(text, lib=lib)
        assert err.value.message == message
