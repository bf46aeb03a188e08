"""The recorded helm outputs (data/sprig_oracle_*.json) as pytest cases, shared by the oracle tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
# helm v4.1.4 is built with go1.25 and Masterminds/semver 3.4.0, helm v3.17.2 with go1.23 and semver 3.3.0.
ORACLES = {
    (1, 25): json.loads((DATA / "sprig_oracle_v4.json").read_text()),
    (1, 23): json.loads((DATA / "sprig_oracle_v3.json").read_text()),
}
# Helm replaces these Sprig functions with its own, so helm's output is not Sprig's for them; their Sprig
# behaviour is tested in test_sprig_functions.py.
HELM_OVERRIDES = ("fromJson ",)


CASES = [
    pytest.param(
        go,
        expr,
        id=f"go{go[0]}.{go[1]}:{expr}",
    )
    for go, oracle in ORACLES.items()
    for expr in oracle
    if not expr.startswith(HELM_OVERRIDES)
]
