"""Every case of data/helm_cases.yaml against what real helm v3.17.2 (go1.23) and v4.1.4 (go1.25) printed.

The expectations in data/helm_expected.json were recorded from the helm binaries by
record_helm_cases.py. Cases run with Go's builtins plus four small stand-ins for the Sprig functions
the cases use (same Go signatures as Sprig's).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helm_case_support import GO, SPRIG_STANDINS, helm_text, json_typed

from wavecd.gotemplate import TemplateExecError, TemplateParseError, TemplateSet

DATA = Path(__file__).parent / "data"
CASES = {c["name"]: c for c in yaml.safe_load((DATA / "helm_cases.yaml").read_text())}
EXPECTED = json.loads((DATA / "helm_expected.json").read_text())


PARAMS = [
    pytest.param(name, version, id=f"{name}-{version}")
    for name, by_version in EXPECTED.items()
    for version in ("v3", "v4")
    if name in CASES and "inconsistent" not in by_version[version]
]


@pytest.mark.parametrize(("name", "version"), PARAMS)
def test_gotemplate_matches_helm(name: str, version: str) -> None:
    case = CASES[name]
    expected = EXPECTED[name][version]
    values = json_typed(yaml.safe_load(case.get("values") or "") or {})
    ts = TemplateSet(dict(SPRIG_STANDINS), go_version=GO[version])
    if "output" in expected:
        ts.parse("ch/templates/_case.tpl", case["tpl"])
        assert ts.execute("ch/templates/_case.tpl", {"Values": values}) == expected["output"]
        return
    with pytest.raises((TemplateParseError, TemplateExecError)) as info:
        ts.parse("ch/templates/case.yaml", case["tpl"])
        ts.execute("ch/templates/case.yaml", {"Values": values})
    assert expected["error"].rstrip() in helm_text(info.value)
