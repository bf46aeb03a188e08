"""`wavecd helm template` end to end against real helm: stdout, stderr and exit status, both modes.

Charts: tests/helm/charts/*; cases: tests/helm/data/cases.json; expected outputs recorded from helm 3.17.2
and 4.1.4 by tests/helm/record_cases.py into tests/helm/data/expected/<id>.<mode>.json.
For successful renders stdout must be byte-identical and stderr (Helm's info/warning lines) identical;
for failures stdout must be empty and stderr must start with Helm's exact text (`unordered_stderr` cases:
the same lines, since Go prints schema problems in map order).
"""

import json
import pathlib

import pytest
from click.testing import CliRunner

from wavecd.cli.main import main

HERE = pathlib.Path(__file__).parent
CASES = json.loads((HERE / "data/cases.json").read_text())
PARAMS = [
    pytest.param(c, id=c["id"], marks=[pytest.mark.xfail(reason=c["xfail"])] if "xfail" in c else []) for c in CASES
]


def _expected(case_id: str, mode: str) -> dict:
    return json.loads((HERE / f"data/expected/{case_id}.{mode}.json").read_text())


@pytest.mark.parametrize("mode", ["v3", "v4"])
@pytest.mark.parametrize("case", PARAMS)
def test_template_matches_real_helm(case: dict, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE / "charts")
    want = _expected(case["id"], mode)
    result = CliRunner().invoke(main, ["helm", "template", *case["args"], "--helm-compat", mode])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == want["rc"], result.stderr
    assert result.stdout == want["stdout"]
    if want["rc"] == 0:
        assert result.stderr == want["stderr"]
    if want["rc"] != 0 and case.get("unordered_stderr"):
        assert sorted(result.stderr.splitlines()) == sorted(want["stderr"].splitlines())
    elif want["rc"] != 0:
        assert result.stderr.startswith(want["stderr"])
