"""Named map types (Helm's `.Values`) and pointer-receiver `String()` printing, as text/template shows them.

Every expectation was observed with the real helm binaries (helm 3.17.2/go1.23 names the values type
`chartutil.Values`, helm 4.1.4/go1.25 `common.Values`), on a chart whose values are `a: 1` and `sub: {b: 2}`.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any, ClassVar

import pytest

from wavecd.gotemplate import TemplateExecError, TemplateSet
from wavecd.gotemplate.funcs import GoFunc
from wavecd.gotemplate.gotypes import (
    GoNamedMap,
    GoStruct,
    go_kind,
    go_type_name,
    map_types_for_key,
    named_map_type,
)

V3 = (1, 23)
V4 = (1, 25)


def _values(go_type: str) -> GoNamedMap:
    cls = named_map_type(go_type)
    return cls({"a": 1.0, "sub": {"b": 2.0}})


def _render(src: str, data: Any, go_version: tuple[int, int] = V3, funcs: dict | None = None) -> str:
    t = TemplateSet(funcs or {}, go_version=go_version)
    t.parse("t", src)
    return t.execute("t", data)


def _error(src: str, data: Any, go_version: tuple[int, int] = V3, funcs: dict | None = None) -> str:
    with pytest.raises(TemplateExecError) as info:
        _render(src, data, go_version, funcs)
    return str(info.value).split(": ", 3)[-1]


def test_named_map_type_is_a_cached_map_subclass() -> None:
    values = _values("chartutil.Values")
    assert type(values) is named_map_type("chartutil.Values")
    assert go_type_name(values) == "chartutil.Values"
    assert go_kind(values) == "map"
    assert go_type_name(values["sub"]) == "map[string]interface {}"


def test_fmt_names_the_type_only_where_go_does() -> None:
    top = _values("chartutil.Values")
    top["Values"] = _values("chartutil.Values")
    assert _render('{{ printf "%T" .Values }} {{ printf "%T" . }} {{ printf "%T" .Values.sub }}', top) == (
        "chartutil.Values chartutil.Values map[string]interface {}"
    )
    assert _render('{{ printf "%#v|%v|%d" .Values .Values .Values }}', top) == (
        'chartutil.Values{"a":1, "sub":map[string]interface {}{"b":2}}|map[a:1 sub:map[b:2]]|'
        "map[%!d(string=a):%!d(float64=1) %!d(string=sub):map[%!d(string=b):%!d(float64=2)]]"
    )


def test_named_map_behaves_as_a_map() -> None:
    top = {"Values": _values("common.Values")}
    src = "{{ len .Values }}{{ if .Values }}T{{ end }}{{ range $k, $v := .Values }}{{ $k }}={{ $v }};{{ end }}"
    assert _render(src, top, V4) == "2Ta=1;sub=map[b:2];"
    assert _render('{{ .Values.sub.b }} {{ .Values.nope }} {{ index .Values "a" }}', top, V4) == "2 <no value> 1"


@pytest.mark.parametrize(
    ("go_version", "go_type", "src", "detail"),
    [
        (
            V3,
            "chartutil.Values",
            "{{ eq .Values .Values }}",
            "error calling eq: non-comparable type map[a:%!s(float64=1) sub:map[b:%!s(float64=2)]]: chartutil.Values",
        ),
        (
            V4,
            "common.Values",
            "{{ eq .Values 1 }}",
            "error calling eq: incompatible types for comparison: common.Values and int",
        ),
        (V3, "chartutil.Values", "{{ upper .Values }}", "wrong type for value; expected string; got chartutil.Values"),
        (V4, "common.Values", "{{ upper .Values }}", "wrong type for value; expected string; got common.Values"),
        (V3, "chartutil.Values", "{{ .Values.a.b }}", "can't evaluate field b in type interface {}"),
        (V3, "chartutil.Values", '{{ .Values.x "a" }}', "x is not a method but has arguments"),
        (V3, "chartutil.Values", "{{ index .Values 1 }}", "error calling index: value has type int; should be string"),
    ],
)
def test_errors_name_the_named_type(go_version: tuple[int, int], go_type: str, src: str, detail: str) -> None:
    funcs = {"upper": GoFunc("upper", str.upper, ("string",))}
    assert _error(src, {"Values": _values(go_type)}, go_version, funcs).endswith(detail)


class _ValuesWithYaml(GoNamedMap):
    """A named map with a method, as chartutil.Values has `YAML()`."""

    __slots__ = ()
    go_type = "chartutil.Values"
    go_methods = ("YAML",)

    def go_method(self, name: str) -> Any:
        if name == "YAML":
            return GoFunc("YAML", lambda: "from the method", ())
        raise AttributeError(name)


def test_a_method_of_the_named_type_wins_over_a_key() -> None:
    # helm: values `YAML: fromkey` and `{{ .Values.YAML }}` print the values' YAML text, not "fromkey".
    top = {"Values": _ValuesWithYaml({"YAML": "fromkey", "a": 1.0})}
    assert _render("{{ .Values.YAML }} {{ .Values.a }}", top) == "from the method 1"
    assert _error('{{ .Values.YAML "x" }}', top).endswith("wrong number of args for YAML: want 0 got 1")


class _KubeVersion(GoStruct):
    """helm 4's common.KubeVersion: `String()` is declared on *KubeVersion."""

    go_type = "common.KubeVersion"
    go_fields = ("Version", "normalizedVersion", "Major", "Minor")
    go_methods = ("String",)
    go_pointer_methods: ClassVar[tuple[str, ...]] = ("String",)

    def __init__(self) -> None:
        self.Version = self.normalizedVersion = "v1.35.0"
        self.Major, self.Minor = "1", "35"

    def String(self) -> str:
        return self.normalizedVersion


class _Capabilities(GoStruct):
    go_type = "*common.Capabilities"
    go_fields = ("KubeVersion",)

    def __init__(self) -> None:
        self.KubeVersion = _KubeVersion()


STRUCT_TEXT = "{v1.35.0 v1.35.0 1 35}"


@pytest.mark.parametrize(
    ("src", "want"),
    [
        ("{{ .Capabilities.KubeVersion }}", "v1.35.0"),
        ("{{ $k := .Capabilities.KubeVersion }}{{ $k }}", "v1.35.0"),
        ("{{ with .Capabilities.KubeVersion }}{{ . }}{{ end }}", "v1.35.0"),
        ("{{ (.Capabilities.KubeVersion) }}", "v1.35.0"),
        ("{{ (.Capabilities).KubeVersion }}", "v1.35.0"),
        ("{{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.String }}", "v1.35.0 v1.35.0"),
        ('{{ printf "%v" .Capabilities.KubeVersion }}', STRUCT_TEXT),
        ("{{ print .Capabilities.KubeVersion }}", STRUCT_TEXT),
        ("{{ .Capabilities.KubeVersion | print }}", STRUCT_TEXT),
        ('{{ .m.k }} {{ index .m "k" }}', f"{STRUCT_TEXT} {STRUCT_TEXT}"),
        (
            '{{ printf "%+v|%s|%#v" .Capabilities.KubeVersion .Capabilities.KubeVersion .Capabilities.KubeVersion }}',
            "{Version:v1.35.0 normalizedVersion:v1.35.0 Major:1 Minor:35}|{v1.35.0 v1.35.0 1 35}|"
            'common.KubeVersion{Version:"v1.35.0", normalizedVersion:"v1.35.0", Major:"1", Minor:"35"}',
        ),
    ],
)
def test_pointer_receiver_string_only_for_addressable_values(src: str, want: str) -> None:
    caps = _Capabilities()
    assert _render(src, {"Capabilities": caps, "m": {"k": caps.KubeVersion}}, V4) == want


def test_an_unexported_field_prints_but_cannot_be_read() -> None:
    # helm 4.1.4: `.Capabilities.KubeVersion.normalizedVersion`
    detail = _error("{{ .Capabilities.KubeVersion.normalizedVersion }}", {"Capabilities": _Capabilities()}, V4)
    assert detail.endswith("normalizedVersion is an unexported field of struct type common.KubeVersion")


class _Files(dict):
    """Like helm's `.Files`: a dict subclass of another map type (map[string][]byte)."""

    go_type = "engine.files"


def test_only_named_types_over_the_same_map_pass_as_map_parameters() -> None:
    keys = {"keys": GoFunc("keys", lambda m: sorted(m), ("map[string]interface {}",))}
    top = {"Values": _values("common.Values"), "Files": _Files({"a.txt": b"x"})}
    assert _render("{{ keys .Values }}", top, V4, keys) == "[a sub]"
    # helm 3.17.2 and 4.1.4: `{{ keys .Files }}`
    detail = _error("{{ keys .Files }}", top, V4, keys)
    assert detail.endswith("wrong type for value; expected map[string]interface {}; got engine.files")


def test_a_named_type_defined_after_compiling_still_gets_its_methods() -> None:
    t = TemplateSet({}, go_version=V4)
    t.parse("t", "{{ .v.Late }} {{ .v.late }}")
    assert t.execute("t", {"v": {"Late": "key", "late": "k2"}}) == "key k2"

    class _Late(GoNamedMap):
        __slots__ = ()
        go_type = "x.Late"
        go_methods = ("Late",)

        def Late(self) -> str:
            return "method"

    assert t.execute("t", {"v": _Late({"Late": "key", "late": "k2"})}) == "method k2"


def test_named_maps_and_key_reader_sets_pickle_by_name() -> None:
    values = _values("chartutil.Values")
    for copied in (pickle.loads(pickle.dumps(values)), copy.deepcopy(values)):
        assert type(copied) is type(values) and copied == values and copied["sub"] is not values["sub"]
    readers = map_types_for_key("Values")
    assert type(values) in readers and dict in readers
    assert pickle.loads(pickle.dumps(readers)) is readers  # compiled templates keep the live set
