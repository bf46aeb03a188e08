"""Any arguments of the right Go types make a Sprig function return or fail with a Go error, never crash.

The template engine converts arguments to each GoFunc's parameter types, so this feeds every function
random values of exactly those types (any template value where the type is interface{}), and expects
either a result or a GoFuncError (what the engine reports as `error calling NAME: ...`).
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wavecd.gotemplate.funcs import GoFuncError
from wavecd.gotemplate.gotypes import GoIntList, GoStringList, GoStringMap, Int64
from wavecd.sprig import sprig_functions
from wavecd.sprig.gotime import GoTime
from wavecd.sprig.gozone import UTC, load_location

FUNCS = sprig_functions()
# Slow by design (key generation, bcrypt, scrypt) or reaching the network.
SKIPPED = {
    "bcrypt", "htpasswd", "derivePassword", "getHostByName", "genPrivateKey", "genCA", "genCAWithKey",
    "genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert", "genSignedCertWithKey",
}  # fmt: skip

_text = st.text(st.characters(codec="utf-8") | st.sampled_from("\udcc3\udca9 \t\n%$._-:/@#?=0aZ"), max_size=20)
_scalars = (
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.integers(-50, 50).map(Int64) | st.floats() | _text
)
_zones = st.sampled_from([UTC, load_location("Asia/Kolkata"), load_location("America/New_York")])
_times = st.builds(GoTime, st.integers(-(2**40), 2**40), st.integers(0, 999_999_999), _zones)
_values = st.recursive(
    _scalars | _times,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_text, inner, max_size=4)
        | st.lists(_text, max_size=4).map(GoStringList)
        | st.lists(st.integers(-5, 5), max_size=4).map(GoIntList)
        | st.dictionaries(_text, _text, max_size=3).map(GoStringMap)
    ),
    max_leaves=8,
)
BY_TYPE: dict[str, st.SearchStrategy[Any]] = {
    "string": _text | st.sampled_from(["2006-01-02", "15:04:05 MST", "1h30m", "^a.c$", "-1", "0755", "a,b"]),
    "int": st.integers(-40, 40),
    "bool": st.booleans(),
    "float64": st.floats(),
    "uint32": st.integers(0, 2**32 - 1),
    "interface {}": _values,
    "[]interface {}": st.none() | st.lists(_values, max_size=4),
    "map[string]interface {}": st.none() | st.dictionaries(_text, _values, max_size=4),
    "time.Time": _times,
}


def _arguments(name: str) -> st.SearchStrategy[list[Any]]:
    fn = FUNCS[name]
    fixed = [BY_TYPE[p] for p in fn.params]
    extra = st.lists(BY_TYPE[fn.variadic], max_size=3) if fn.variadic else st.just([])
    return st.tuples(st.tuples(*fixed), extra).map(lambda t: [*t[0], *t[1]])


# Functions in a few groups, each test drawing one per example: every function gets examples on every run
# while the whole file stays fast.
NAMES = sorted(set(FUNCS) - SKIPPED)
GROUPS = [NAMES[i::8] for i in range(8)]


@pytest.mark.slow
@pytest.mark.parametrize("group", GROUPS, ids=[f"group{i}" for i in range(len(GROUPS))])
@given(data=st.data())
def test_sprig_function_never_crashes(group: list[str], data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(group))
    args = data.draw(_arguments(name))
    with contextlib.suppress(GoFuncError):
        FUNCS[name].fn(*args)
