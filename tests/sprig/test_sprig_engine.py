"""The recorded helm cases again, this time through wavecd's own text/template engine.

Each expression runs as `{{ $v := (EXPR) }}{{ printf "%T\\x00%v" $v $v }}`, the template
record_sprig_oracle.py gave the real helm, so argument conversion by the engine (driven by each
GoFunc's signature), the function and the printing are checked together. An error must end with
the text helm reported.
"""

from __future__ import annotations

import pytest
from sprig_oracle_cases import CASES, ORACLES

from wavecd.gotemplate import TemplateExecError, TemplateParseError, TemplateSet
from wavecd.sprig import sprig_functions

pytestmark = pytest.mark.usefixtures("utc_local_zone")


@pytest.mark.parametrize(("go_version", "expr"), CASES)
def test_sprig_through_engine_matches_helm(go_version: tuple[int, int], expr: str) -> None:
    want = ORACLES[go_version][expr]
    templates = TemplateSet(sprig_functions(go_version=go_version), go_version=go_version)
    try:
        templates.parse("t", "{{ $v := (" + expr + ') }}{{ printf "%T\\x00%v" $v $v }}')
        type_name, _, text = templates.execute("t", {}).partition("\x00")
    except (TemplateExecError, TemplateParseError) as err:
        assert "error" in want, str(err)
        assert str(err).endswith(want["error"].splitlines()[-1].strip())
        return
    assert {"type": type_name, "value": text} == want
