"""Helm's rewriting of template errors, v3 and v4, against texts recorded from the real binaries.

The v3 recording of a failing chart is Go's raw text, which is also the error chain v4 starts from
(each `error calling include: ` wraps the next template error); the v4 recording is what v4 makes of it.
"""

import json
import pathlib

import pytest

from wavecd.helm.errors import DEBUG_HINT, exec_error_text, parse_error_text, warn_wrap

DATA = pathlib.Path(__file__).parent / "data/expected"


def _helm_text(case: str, mode: str) -> str:
    stderr = json.loads((DATA / f"{case}.{mode}.json").read_text())["stderr"]
    assert stderr.startswith("Error: ") and stderr.endswith(DEBUG_HINT + "\n")
    return stderr[len("Error: ") : -len(DEBUG_HINT) - 1]


def _chain(go_text: str) -> list[str]:
    """Split Go's nested include error into its chain links, outermost first."""
    parts = go_text.split("error calling include: ")
    return ["error calling include: ".join(parts[i:]) for i in range(len(parts))]


@pytest.mark.parametrize("case", ["err-nil-pointer", "err-include-nested", "err-include-missing", "err-notes"])
def test_v4_multi_line_trace(case: str) -> None:
    go_text = _helm_text(case, "v3")
    filename = go_text.split(":", 2)[1].strip()
    assert exec_error_text(filename, _chain(go_text), 3) == go_text
    assert exec_error_text(filename, _chain(go_text), 4) == _helm_text(case, "v4")


def test_function_errors_keep_go_text_in_v4() -> None:
    go_text = _helm_text("err-eq-types", "v4")
    chain = [go_text, "incompatible types for comparison: float64 and int"]
    assert exec_error_text("eq-types/templates/a.yaml", chain, 4) == go_text


@pytest.mark.parametrize("case", ["err-fail", "err-required"])
@pytest.mark.parametrize("mode", ["v3", "v4"])
def test_fail_and_required(case: str, mode: str) -> None:
    expected = _helm_text(case, mode)
    location, message = expected.removeprefix("execution error at (").split("): ", 1)
    go_text = f'template: {location}: executing "x" at <fail>: error calling fail: {warn_wrap(message)}'
    assert exec_error_text("x", [go_text], int(mode[1])) == expected


def test_parse_error_keeps_last_part() -> None:
    go_text = "template: parse-error/templates/b.yaml:2: unclosed action started at parse-error/templates/b.yaml:1"
    assert parse_error_text("parse-error/templates/b.yaml", go_text) == _helm_text("err-parse", "v4")
