"""Names from untrusted input are printed the way Go's `strconv.Quote` prints them, by one module.

Every message that quotes a user's text (a `--set` key, a Kubernetes kind, a chart reference, a hook
annotation, a log attribute) goes through `wavecd.core.goquote`. The expectations follow Go's rules
(src/strconv/quote.go, appendQuotedWith and appendEscapedRune): the quote and backslash are escaped,
\\a \\b \\f \\n \\r \\t \\v by name, other control characters and DEL as \\xNN, an invalid UTF-8 byte as \\xNN,
printable Unicode as itself, other runes as \\uNNNN or \\UNNNNNNNN. The cases with real helm's output are in
the conformance suite (`err-set-control-char`, `err-set-control-char-index`, `go-quoting`).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from wavecd.cli.chart_ref import ChartRefError, parse_reference
from wavecd.cli.main import main
from wavecd.core import goquote
from wavecd.helm.strvals import StrvalsError, parse_into
from wavecd.kube.errors import NoKindMatchError

# (text, strconv.Quote(text)) by Go's rules; an invalid UTF-8 byte reaches wavecd as a surrogateescape rune
GO_QUOTE_CASES = [
    ("plain", '"plain"'),
    ("a\x01b", '"a\\x01b"'),
    ("\x07\x08\x0c\n\r\t\x0b", '"\\a\\b\\f\\n\\r\\t\\v"'),
    ("del\x7f", '"del\\x7f"'),
    ('say "hi" \\ there', '"say \\"hi\\" \\\\ there"'),
    ("café ☃ 日本", '"café ☃ 日本"'),
    ("nbsp\u00a0", '"nbsp\\u00a0"'),
    ("line\u2028sep", '"line\\u2028sep"'),
    ("tag\U000e0001", '"tag\\U000e0001"'),
    ("bad\udcff", '"bad\\xff"'),
]


@pytest.mark.parametrize(("text", "quoted"), GO_QUOTE_CASES)
def test_quote_follows_gos_strconv_quote(text: str, quoted: str) -> None:
    assert goquote.quote(text) == quoted


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain", "plain"),
        ("", '""'),
        ("two words", '"two words"'),
        ("k=v", '"k=v"'),
        ('a"b', '"a\\"b"'),
        ("ctl\x01", '"ctl\\x01"'),
        ("back\\slash", "back\\slash"),
        ("del\x7f", "del\x7f"),
        ("café", "café"),
        ("nbsp\u00a0", '"nbsp\\u00a0"'),
        ("bad\udcff", '"bad\\xff"'),
    ],
)
def test_slog_values_are_quoted_only_when_slogs_text_handler_would(text: str, shown: str) -> None:
    """log/slog/text_handler.go needsQuoting: JSON's unsafe ASCII except `\\`, space, `=`, bad UTF-8,
    non-printable or space runes; DEL is JSON-safe, so it stays bare."""
    assert goquote.slog_text_value(text) == shown


@pytest.mark.parametrize(
    ("key", "quoted"),
    [("a\x01b", '"a\\x01b"'), ("bad\udcff", '"bad\\xff"'), ('q"é', '"q\\"é"'), ("tab\tx", '"tab\\tx"')],
)
def test_set_key_without_value_is_quoted_as_helm_quotes_it(key: str, quoted: str) -> None:
    """helm's pkg/strvals: `key %q has no value`; `\\u0001` (JSON's escape) was printed before."""
    with pytest.raises(StrvalsError) as err:
        parse_into(key, {})
    assert str(err.value) == f"key {quoted} has no value"


def test_set_index_error_quotes_like_strconv_atoi() -> None:
    with pytest.raises(StrvalsError) as err:
        parse_into("a[\x01\udcff]=1", {})
    assert str(err.value) == 'error parsing index: strconv.Atoi: parsing "\\x01\\xff": invalid syntax'


def test_set_error_on_the_command_line_shows_the_control_character_as_go_does(tmp_path) -> None:
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    result = CliRunner().invoke(main, ["helm", "template", "rel", str(chart), "--set", "a\x01\udcffé"])
    assert result.exit_code == 1
    assert result.stderr == 'Error: failed parsing --set data: key "a\\x01\\xffé" has no value\n'


def test_no_kind_match_quotes_kind_and_version_as_kubernetes_does() -> None:
    """k8s.io/apimachinery meta.NoKindMatchError: `no matches for kind %q in version %q`."""
    err = NoKindMatchError("exämple.io/v1\x01", 'Wid"get\t')
    assert err.message == 'no matches for kind "Wid\\"get\\t" in version "exämple.io/v1\\x01"'


def test_invalid_oci_repository_is_quoted_as_oras_quotes_it() -> None:
    with pytest.raises(ChartRefError) as err:
        parse_reference("oci://registry.example/charts/Bad\x01é", "", "", helm_compat="v4")
    assert err.value.message == 'invalid reference: invalid repository "charts/Bad\\x01é"'
