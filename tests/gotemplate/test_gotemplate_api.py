"""The TemplateSet API and the Go rules that helm cannot show directly.

Expected texts come from Go's text/template sources (go1.25 `exec.go`, `funcs.go`, `template.go`) where
no helm run can observe them (missingkey=error, Go's own `slice`, struct methods), and from real helm
runs otherwise (noted per test).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from wavecd.core.errors import WavecdError
from wavecd.gotemplate import TemplateExecError, TemplateParseError, TemplateSet
from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoStringList, GoStruct


def render(text: str, data: Any = None, **kw: Any) -> str:
    ts = TemplateSet(kw.pop("funcs", {}), **kw)
    ts.parse("t", text)
    return ts.execute("t", data)


def exec_error(text: str, data: Any = None, **kw: Any) -> TemplateExecError:
    with pytest.raises(TemplateExecError) as info:
        render(text, data, **kw)
    return info.value


def test_errors_are_wavecd_errors() -> None:
    assert issubclass(TemplateParseError, WavecdError)
    assert issubclass(TemplateExecError, WavecdError)


def test_missing_top_level_template_uses_go_text() -> None:
    ts = TemplateSet({})
    with pytest.raises(TemplateExecError) as info:
        ts.execute("x", None)
    assert info.value.message == 'template: no template "x" associated with template "gotpl"'


def test_set_name_appears_in_missing_template_error() -> None:
    ts = TemplateSet({}, name="root")
    with pytest.raises(TemplateExecError, match='associated with template "root"'):
        ts.execute("x", None)


def test_defines_join_the_set_and_later_definitions_replace_earlier_ones() -> None:
    ts = TemplateSet({})
    ts.parse("a.tpl", '{{ define "n" }}first{{ end }}')
    ts.parse("b.yaml", '{{ template "n" }}')
    assert ts.has_template("n") and ts.has_template("a.tpl") and ts.has_template("b.yaml")
    assert ts.execute("b.yaml", None) == "first"
    ts.parse("c.tpl", '{{ define "n" }}second{{ end }}')
    assert ts.execute("b.yaml", None) == "second"


def test_an_empty_definition_never_replaces_a_body() -> None:
    """template.go `associate`: a tree of only spaces and comments keeps the existing template."""
    ts = TemplateSet({})
    ts.parse("a", '{{ define "n" }}body{{ end }}')
    ts.parse("b", '{{ define "n" }}  {{/* nothing */}}\n{{ end }}{{ template "n" }}')
    assert ts.execute("b", None) == "body"


def test_a_file_of_only_defines_is_still_a_template() -> None:
    ts = TemplateSet({})
    ts.parse("helpers.tpl", '{{ define "x" }}X{{ end }}\n')
    assert ts.execute("helpers.tpl", None) == "\n"


def test_clone_shares_templates_but_not_later_parses_or_funcs() -> None:
    ts = TemplateSet({"f": GoFunc("f", lambda: "F")})
    ts.parse("base", '{{ define "d" }}base{{ end }}')
    c = ts.clone()
    c.funcs["g"] = GoFunc("g", lambda: "G")
    c.parse("gotpl", '{{ define "d" }}clone{{ end }}{{ template "d" }}{{ f }}{{ g }}')
    assert c.execute("gotpl", None) == "cloneFG"
    assert not ts.has_template("gotpl")
    assert "g" not in ts.funcs
    assert ts.clone().has_template("d")


def test_funcs_added_after_construction_are_seen() -> None:
    """Helm adds `include` (a closure over the set) after creating the set."""
    ts = TemplateSet({})
    ts.funcs["include"] = GoFunc("include", lambda name, data: ts.execute(name, data), ("string", "interface {}"))
    ts.parse("h", '{{ define "lbl" }}app: {{ . }}{{ end }}')
    ts.parse("m", '{{ include "lbl" "web" | printf "[%s]" }}')
    assert ts.execute("m", None) == "[app: web]"


def test_undefined_function_is_a_parse_error() -> None:
    with pytest.raises(TemplateParseError) as info:
        render("a\n{{ nope 1 }}")
    assert info.value.message == 'template: t:2: function "nope" not defined'


def test_template_funcs_shadow_builtins() -> None:
    funcs = {"len": GoFunc("len", lambda v: "mine", ("interface {}",))}
    assert render("{{ len 3 }}", funcs=funcs) == "mine"


def test_function_errors_become_error_calling() -> None:
    def boom(msg: str) -> str:
        raise GoFuncError(msg)

    err = exec_error('  x: {{ boom "m" }}', funcs={"boom": GoFunc("boom", boom, ("string",))})
    assert err.message == 'template: t:1:8: executing "t" at <boom "m">: error calling boom: m'
    assert (err.file, err.line, err.col, err.template, err.node) == ("t", 1, 8, "t", 'boom "m"')
    assert err.detail == "error calling boom: m"
    assert isinstance(err.cause, GoFuncError)


def test_python_exceptions_in_functions_become_exec_errors() -> None:
    err = exec_error("{{ bad }}", funcs={"bad": GoFunc("bad", lambda: 1 // 0)})
    assert err.message.endswith("error calling bad: integer division or modulo by zero")


def test_errors_inside_defines_name_the_define_file_and_template() -> None:
    ts = TemplateSet({})
    ts.parse("chart/templates/_helpers.tpl", '{{ define "h" }}\n  {{ .a.b }}{{ end }}')
    ts.parse("chart/templates/cm.yaml", '{{ template "h" .x }}')
    with pytest.raises(TemplateExecError) as info:
        ts.execute("chart/templates/cm.yaml", {"x": {}})
    assert info.value.message == (
        'template: chart/templates/_helpers.tpl:2:7: executing "h" at <.a.b>: nil pointer evaluating interface {}.b'
    )


def test_nested_execution_errors_are_wrapped_like_helm_include() -> None:
    ts = TemplateSet({})
    ts.funcs["include"] = GoFunc("include", lambda name, data: ts.execute(name, data), ("string", "interface {}"))
    ts.parse("h", '{{ define "x" }}{{ index 1 1 }}{{ end }}')
    ts.parse("m", '{{ include "x" . }}')
    with pytest.raises(TemplateExecError) as info:
        ts.execute("m", None)
    assert info.value.message == (
        'template: m:1:3: executing "m" at <include "x" .>: error calling include: '
        'template: h:1:19: executing "x" at <index 1 1>: error calling index: can\'t index item of type int'
    )


def test_missingkey_error_mode() -> None:
    """exec.go evalField: `map has no entry for key %q`; on an invalid receiver `nil data; no entry for key`."""
    err = exec_error("{{ .a }}", {}, missingkey="error")
    assert err.detail == 'map has no entry for key "a"'
    err = exec_error("{{ $x := .a }}", None, missingkey="error")
    assert err.detail == 'nil data; no entry for key "a"'
    assert render("{{ .a }}", {"a": 1}, missingkey="error") == "1"


def test_missingkey_default_mode_keeps_missing_distinct_from_null() -> None:
    assert render("{{ .a }}|{{ .a.b }}", {}, missingkey="default") == "<no value>|<no value>"
    err = exec_error("{{ .a.b }}", {"a": None}, missingkey="default")
    assert err.detail == "nil pointer evaluating interface {}.b"


def test_missingkey_zero_on_a_string_map_gives_empty_string() -> None:
    from wavecd.gotemplate.gotypes import GoStringMap

    assert render("[{{ .m.x }}]", {"m": GoStringMap(a="1")}) == "[]"


class Files(GoStruct):
    go_type = "*engine.files"
    go_methods = ("Get", "Glob")

    def Get(self, name: str) -> str:
        return f"content of {name}"

    Glob: ClassVar[GoFunc] = GoFunc("Glob", lambda pattern: GoStringList([pattern]), ("string",))


class Release(GoStruct):
    go_type = "chartutil.ReleaseOptions"
    go_fields = ("Name", "IsInstall")
    go_methods = ()

    def __init__(self) -> None:
        self.Name = "rel"
        self.IsInstall = True


def test_struct_fields_and_methods() -> None:
    data = {"Release": Release(), "Files": Files()}
    assert render("{{ .Release.Name }} {{ .Release.IsInstall }}", data) == "rel true"
    assert render('{{ .Files.Get "a.txt" }}|{{ "b" | .Files.Get }}', data) == "content of a.txt|content of b"
    assert render('{{ range .Files.Glob "x/*" }}{{ . }}{{ end }}', data) == "x/*"


def test_struct_errors() -> None:
    data = {"Release": Release(), "Files": Files()}
    assert exec_error("{{ .Release.Nope }}", data).detail == ("can't evaluate field Nope in type interface {}")
    assert exec_error('{{ .Release.Name "x" }}', data).detail == "Name has arguments but cannot be invoked as function"


def test_variables_of_range_are_reset_per_iteration() -> None:
    out = render("{{ range .l }}{{ $y := . }}{{ $y }}{{ end }}", {"l": ["a", "b"]})
    assert out == "ab"


def test_break_and_continue_are_identifiers_when_defined_as_functions() -> None:
    funcs = {"break": GoFunc("break", lambda: "B")}
    assert render("{{ break }}", funcs=funcs) == "B"


def test_range_over_bytes_and_string_lists() -> None:
    assert render("{{ range . }}{{ . }},{{ end }}", b"AB") == "65,66,"
    assert render("{{ range $i, $v := . }}{{ $i }}{{ $v }}{{ end }}", GoStringList(["x", "y"])) == "0x1y"


def test_range_over_int_needs_go_1_24() -> None:
    assert render("{{ range 2 }}{{ . }}{{ end }}", go_version=(1, 25)) == "01"
    assert exec_error("{{ range 2 }}{{ . }}{{ end }}", go_version=(1, 23)).detail == "range can't iterate over 2"


def test_go_slice_builtin() -> None:
    """funcs.go `slice` (Helm replaces it with Sprig's; plain Go sets keep it)."""
    assert render('{{ slice "abcdef" 1 3 }}|{{ slice . 1 }}|{{ slice . }}', ["a", "b", "c"]) == "bc|[b c]|[a b c]"
    assert exec_error("{{ slice . 2 1 }}", ["a", "b", "c"]).detail == "error calling slice: invalid slice index: 2 > 1"
    assert exec_error('{{ slice "abc" 1 2 3 }}').detail == "error calling slice: cannot 3-index slice a string"
    assert exec_error("{{ slice 3 1 }}").detail == "error calling slice: can't slice item of type int"
    assert exec_error("{{ slice nil }}").detail == "error calling slice: slice of untyped nil"


def test_template_depth_limit_is_go_s() -> None:
    """Go stops at 100000 nested {{template}} calls (observed with helm v4: same text)."""
    err = exec_error('{{ define "a" }}{{ template "a" . }}{{ end }}{{ template "a" }}')
    assert (
        err.message
        == 'template: t:1:28: executing "a" at <{{template "a" .}}>: exceeded maximum template depth (100000)'
    )


def test_deep_include_nesting_does_not_exhaust_the_stack() -> None:
    """Helm lets `include` nest 1000 deep before its own guard; each level is a fresh execution."""
    ts = TemplateSet({})
    ts.funcs["include"] = GoFunc("include", lambda name, data: ts.execute(name, data), ("string", "interface {}"))
    ts.funcs["dec"] = GoFunc("dec", lambda n: n - 1, ("int",))
    ts.parse("h", '{{ define "r" }}{{ if . }}{{ include "r" (dec .) }}{{ else }}bottom{{ end }}{{ end }}')
    assert ts.execute("h", None) == ""
    ts.parse("m", '{{ include "r" 1500 }}')
    assert ts.execute("m", None) == "bottom"


def test_parse_errors_are_clean_for_absurd_nesting() -> None:
    with pytest.raises((TemplateParseError, TemplateExecError)):
        render("{{ if 1 }}" * 400 + "{{ end }}" * 400)


def test_compiled_code_is_shared_but_functions_are_per_set() -> None:
    a = TemplateSet({"f": GoFunc("f", lambda: "A")})
    b = TemplateSet({"f": GoFunc("f", lambda: "B")})
    for ts in (a, b):
        ts.parse("same", "{{ f }}")
    assert a.execute("same", None) + b.execute("same", None) == "AB"
    with pytest.raises(TemplateParseError, match='function "f" not defined'):
        TemplateSet({}).parse("same", "{{ f }}")


def test_sets_sharing_code_run_concurrently() -> None:
    from concurrent.futures import ThreadPoolExecutor

    sets = [TemplateSet({"f": GoFunc("f", lambda s, i=i: f"{s}{i}", ("string",))}) for i in range(4)]
    for ts in sets:
        ts.parse("c", '{{ range . }}{{ f "x" }}{{ end }}')

    def run(i: int) -> bool:
        return all(sets[i % 4].execute("c", [1, 2]) == f"x{i % 4}x{i % 4}" for _ in range(50))

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(run, range(16)))


def test_field_of_struct_field_names_the_field_type() -> None:
    """helm v3: `.Capabilities.KubeVersion.Major.x` -> can't evaluate field x in type string."""
    data = {"Release": Release()}
    assert exec_error("{{ .Release.Name.x }}", data).detail == "can't evaluate field x in type string"
    assert exec_error("{{ .Values.s.x }}", {"Values": {"s": "v"}}).detail == (
        "can't evaluate field x in type interface {}"
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # Go's item.String cuts to `%.10q...` once the token is over 10 bytes (parse/lex.go); the texts
        # are go1.26's, from template.New("t").Parse of each template
        ('{{ if 1 }}{{ end "abcdefghijklmnop" }}', 'unexpected "\\"abcdefghi"... in end'),
        ('{{ if 1 }}{{ end "abcdefgh" }}', 'unexpected "\\"abcdefgh\\"" in end'),
        # the length is counted in bytes: five two-byte runes and the quotes are over 10
        ('{{ if 1 }}{{ end "ééééé" }}', 'unexpected "\\"ééééé\\""... in end'),
    ],
)
def test_a_long_token_in_a_parse_error_is_cut_as_go_cuts_it(text: str, shown: str) -> None:
    with pytest.raises(TemplateParseError) as info:
        TemplateSet({}).parse("t", text)
    assert shown in str(info.value)
