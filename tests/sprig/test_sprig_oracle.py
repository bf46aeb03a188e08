"""Every expression of data/sprig_cases.txt against what real helm v4.1.4 and v3.17.2 printed for it.

The expected type (`%T`), text (`%v`) or error were recorded from the real helm binary by
record_sprig_oracle.py; nothing here comes from running wavecd.
"""

from __future__ import annotations

import pytest
from sprig_expr import Evaluator, TemplateError
from sprig_oracle_cases import CASES, ORACLES

from wavecd.gotemplate.gofmt import format_value
from wavecd.gotemplate.gotypes import go_type_name
from wavecd.sprig import sprig_functions

pytestmark = pytest.mark.usefixtures("utc_local_zone")


@pytest.mark.parametrize(("go_version", "expr"), CASES)
def test_sprig_matches_helm(go_version: tuple[int, int], expr: str) -> None:
    want = ORACLES[go_version][expr]
    evaluator = Evaluator(sprig_functions(go_version=go_version))
    if "error" in want:
        with pytest.raises(TemplateError) as err:
            evaluator.eval(expr)
        assert str(err.value) == want["error"].splitlines()[-1].strip()
        return
    value = evaluator.eval(expr)
    assert (go_type_name(value), format_value(value)) == (want["type"], want["value"])
