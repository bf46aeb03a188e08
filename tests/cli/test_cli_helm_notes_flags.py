"""`wavecd helm template --hide-notes / --render-subchart-notes`: accepted by every helm it reproduces, with
no effect on the output; helm 4.2 prints one deprecation line per use, in command-line order (recorded
with helm 4.2.2: tests/conformance/expected/v4.2/helm42-notes-flags.err)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from wavecd.cli.main import main

_DEPRECATED = "has been deprecated, this flag has no effect for 'helm template' and will be removed in Helm 5\n"


@pytest.fixture
def chart(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (tmp_path / "templates" / "cm.yaml").write_text("kind: ConfigMap\nname: {{ .Release.Name }}\n")
    return str(tmp_path)


def _template(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["helm", "template", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("mode", ["v3", "v4", "v4.2"])
def test_notes_flags_do_not_change_the_output(chart, mode):
    plain = _template("x", chart, "--helm-compat", mode)
    flagged = _template("--hide-notes", "x", chart, "--render-subchart-notes", "--helm-compat", mode)
    assert plain[:2] == flagged[:2] == (0, "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\nname: x\n")
    assert plain[2] == ""
    expected = f"Flag --hide-notes {_DEPRECATED}Flag --render-subchart-notes {_DEPRECATED}" if mode == "v4.2" else ""
    assert flagged[2] == expected


def test_helm_42_prints_a_line_per_use_before_any_error():
    code, out, err = _template(
        "--render-subchart-notes", "--hide-notes", "--render-subchart-notes", "--helm-compat", "v4.2"
    )
    assert (code, out) == (1, "")
    assert err.splitlines(keepends=True) == [
        f"Flag --render-subchart-notes {_DEPRECATED}",
        f"Flag --hide-notes {_DEPRECATED}",
        f"Flag --render-subchart-notes {_DEPRECATED}",
        'Error: "helm template" requires at least 1 argument\n',
        "\n",
        "Usage:  helm template [NAME] [CHART] [flags]\n",
    ]
