"""Sprig functions on Helm's named values type and on Go types the engine knows only by name.

Expectations observed with the real helm binaries (3.17.2/go1.23 and 4.1.4/go1.25) on a chart whose
values are `a: 1` and `sub: {b: 2}`; error columns differ from helm's only by the chart line's prefix.
"""

from __future__ import annotations

from typing import Any

import pytest

from wavecd.gotemplate import TemplateExecError, TemplateSet
from wavecd.gotemplate.gotypes import named_map_type
from wavecd.sprig import sprig_functions

V3 = (1, 23)
V4 = (1, 25)


pytestmark = pytest.mark.usefixtures("utc_local_zone")


def _run(src: str, data: Any, go_version: tuple[int, int]) -> str:
    t = TemplateSet(sprig_functions(go_version=go_version), go_version=go_version)
    t.parse("t", src)
    try:
        return t.execute("t", data)
    except TemplateExecError as e:
        return "ERROR " + str(e).split(": ", 3)[-1]


@pytest.mark.parametrize(("go_version", "name"), [(V3, "chartutil.Values"), (V4, "common.Values")])
def test_reflection_and_copies_keep_the_values_type(go_version: tuple[int, int], name: str) -> None:
    values = named_map_type(name)({"a": 1.0, "sub": {"b": 2.0}})
    top = named_map_type(name)({"Values": values})
    src = (
        "{{ typeOf .Values }} {{ typeOf . }} {{ kindOf .Values }} {{ typeOf .Values.sub }} | "
        '{{ typeOf (omit .Values "a") }} {{ typeOf (pick .Values "a") }} {{ typeOf (merge (dict) .Values) }} '
        '{{ hasKey .Values "a" }} {{ values .Values | len }} {{ dig "a" 0 (dict "a" .Values) | typeOf }} '
        "{{ typeOf (deepCopy .Values) }} | {{ toJson .Values }} {{ keys .Values | sortAlpha }}"
    )
    mp = "map[string]interface {}"
    assert _run(src, top, go_version) == (
        f'{name} {name} map {mp} | {mp} {mp} {mp} true 2 {name} {name} | {{"a":1,"sub":{{"b":2}}}} [a sub]'
    )
    assert _run('{{ dig "sub" "b" 0 .Values }}', top, go_version) == (
        f"ERROR error calling dig: interface conversion: interface {{}} is {name}, not map[string]interface {{}}"
    )
    assert _run("{{ upper .Values }}", top, go_version) == f"ERROR wrong type for value; expected string; got {name}"
    assert _run("{{ slice .Values 1 }}", top, go_version) == (
        "ERROR error calling slice: list should be type of slice or array but map"
    )


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ('{{ dateModify "1h" "x" }}', 'can\'t handle "x" for arg of type time.Time'),
        ('{{ dateModify "1h" .a }}', "wrong type for value; expected time.Time; got float64"),
        ('{{ dateModify "1h" nil }}', "cannot assign nil to time.Time"),
        ("{{ unixEpoch .a }}", "wrong type for value; expected time.Time; got float64"),
        ("{{ unixEpoch .nope }}", "wrong type for value; expected time.Time; got interface {}"),
        ('{{ genSignedCert "a" nil nil 3 "x" }}', 'can\'t handle "x" for arg of type sprig.certificate'),
        ('{{ genSignedCert "a" nil nil 3 .a }}', "wrong type for value; expected sprig.certificate; got float64"),
        ('{{ derivePassword "1" "long" "p" "u" "s" }}', 'expected unsigned integer; found "1"'),
        ('{{ derivePassword -1 "long" "p" "u" "s" }}', "expected unsigned integer; found -1"),
        ('{{ derivePassword 1.5 "long" "p" "u" "s" }}', "expected unsigned integer; found 1.5"),
        ('{{ derivePassword nil "long" "p" "u" "s" }}', "cannot assign nil to uint32"),
        ('{{ derivePassword .a "long" "p" "u" "s" }}', "wrong type for value; expected uint32; got float64"),
        ('{{ derivePassword (int 1) "long" "p" "u" "s" }}', "wrong type for value; expected uint32; got int"),
        ('{{ derivePassword .nope "long" "p" "u" "s" }}', "wrong type for value; expected uint32; got interface {}"),
    ],
)
@pytest.mark.parametrize("go_version", [V3, V4])
def test_arguments_of_named_go_types_are_checked_as_go_does(go_version: tuple[int, int], src: str, want: str) -> None:
    assert _run(src, {"a": 1.0}, go_version) == "ERROR " + want


@pytest.mark.parametrize("go_version", [V3, V4])
def test_values_of_named_go_types_pass(go_version: tuple[int, int]) -> None:
    src = (
        '{{ derivePassword 1 "long" "p" "u" "s" }} {{ derivePassword 4294967296 "long" "p" "u" "s" }} '
        '{{ unixEpoch now | typeOf }} {{ dateModify "1h" now | typeOf }} {{ htmlDate 1 }}'
    )
    assert _run(src, {}, go_version) == "Rude2$QafoJela WupeHanuFiyi6@ string time.Time 1970-01-01"


@pytest.mark.parametrize(
    ("version", "expected"), [("v1.2.3-rc.1+b", "1.2.3|1.3.0|2.0.0"), ("1.2.3+b", "1.2.4|1.3.0|2.0.0")]
)
def test_semver_increments_as_helm_prints_them(version: str, expected: str) -> None:
    # helm-v4: a pre-release's IncPatch is its release; every increment drops pre-release and metadata
    src = "{{ $v := semver .v }}{{ $v.IncPatch }}|{{ $v.IncMinor }}|{{ $v.IncMajor }}"
    assert _run(src, {"v": version}, V4) == expected
