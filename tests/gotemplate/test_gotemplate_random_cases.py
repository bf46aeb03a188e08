"""Random templates (record_random_cases.py) against what real helm v3.17.2 and v4.1.4 did with them.

data/helm_random_cases.json holds the templates and helm's recorded output or error for each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helm_case_support import GO, SPRIG_STANDINS, helm_text, json_typed

from wavecd.gotemplate import TemplateExecError, TemplateParseError, TemplateSet

CASES = json.loads((Path(__file__).parent / "data" / "helm_random_cases.json").read_text())


def _replay(case: dict, version: str) -> str | None:
    """None when we agree with helm, else a description of the difference."""
    expected = case[version]
    values = json_typed(yaml.safe_load(case["values"]))
    ts = TemplateSet(dict(SPRIG_STANDINS), go_version=GO[version])
    if "output" in expected:
        ts.parse("ch/templates/_case.tpl", case["tpl"])
        got = ts.execute("ch/templates/_case.tpl", {"Values": values})
        return None if got == expected["output"] else f"output {got!r} != {expected['output']!r}"
    try:
        ts.parse("ch/templates/case.yaml", case["tpl"])
        ts.execute("ch/templates/case.yaml", {"Values": values})
    except (TemplateParseError, TemplateExecError) as e:
        texts = helm_text(e)
        return None if expected["error"].rstrip() in texts else f"error {texts} != {expected['error']!r}"
    return f"no error, helm said {expected['error']!r}"


@pytest.mark.parametrize("version", ["v3", "v4"])
def test_gotemplate_random_templates_match_helm(version: str) -> None:
    comparable = [c for c in CASES if "inconsistent" not in c[version]]
    problems = [(c["name"], p) for c in comparable if (p := _replay(c, version)) is not None]
    assert not problems, f"{len(problems)} of {len(comparable)} differ: {problems[:3]}"
