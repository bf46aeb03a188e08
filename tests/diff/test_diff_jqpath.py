"""`ignoreDifferences.jqPathExpressions` evaluated as Argo CD's gojq `del(EXPR)`. The expected result of each case
is what the real gojq printed for `gojq -c 'del(EXPR)'` on the case's document (tests/diff/data/jq/gojq.json,
recorded by `make golden-jq`): one object is the patched document; an error, no output or several outputs
are a patch Argo CD skips."""

from __future__ import annotations

import datetime
import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from wavecd.diff import jqpath
from wavecd.diff.jqpath import MAX_EXPRESSION, JqError, compile_error, delete

DATA = Path(__file__).parent / "data" / "jq"
DOCS: dict[str, Any] = json.loads((DATA / "cases.json").read_text())["docs"]
RECORDS: list[dict[str, Any]] = json.loads((DATA / "gojq.json").read_text())["records"]

# where libjq and gojq part ways, and what wavecd therefore does that Argo CD does not
DIVERGENT = {
    # gojq lets `length` of a number stand as a path (it deletes .spec.replicas); libjq refuses it
    ".spec.replicas | length": "Invalid path expression with result 3",
}


@pytest.mark.parametrize("record", RECORDS, ids=[f"{r['doc']}:{r['expression']}" for r in RECORDS])
def test_del_matches_gojq(record: dict[str, Any]) -> None:
    doc = DOCS[record["doc"]]
    expression = record["expression"]
    outputs = record.get("outputs")
    if expression in DIVERGENT:
        with pytest.raises(JqError, match=DIVERGENT[expression]):
            delete(doc, expression)
    elif outputs is not None and len(outputs) == 1 and isinstance(outputs[0], dict):
        assert delete(doc, expression) == outputs[0]
    else:
        with pytest.raises(JqError):
            delete(doc, expression)


def test_failing_patches_carry_argo_cds_messages() -> None:
    doc = DOCS["deployment"]
    with pytest.raises(JqError, match=r"^JQ patch returned multiple objects$"):
        delete(doc, ".spec), (.metadata")
    with pytest.raises(JqError, match=r"^JQ patch did not return any data$"):
        delete(doc, ".spec) | empty | (.")
    with pytest.raises(JqError, match=r"^JQ patch returned error: Cannot iterate over null"):
        delete(doc, ".spec.template.spec.volumes[]")


def test_an_endless_expression_times_out_and_the_next_one_still_runs() -> None:
    doc = DOCS["deployment"]
    with pytest.raises(JqError, match=r"^JQ patch execution timed out \(1s\)$"):
        delete(doc, "def f: f; f")
    assert "replicas" not in delete(doc, ".spec.replicas")["spec"]


def test_a_runaway_allocation_ends_the_jq_process_not_wavecd() -> None:
    with pytest.raises(JqError, match=r"^JQ patch "):
        delete(DOCS["deployment"], '.spec.x = ("x" * 2000000000)')
    assert delete(DOCS["deployment"], ".kind")["apiVersion"] == "apps/v1"


def test_compile_errors_name_libjqs_first_line() -> None:
    assert compile_error('.metadata.annotations."a.b"') is None
    assert compile_error("map(.x") == (
        "jq: error: syntax error, unexpected end of file, expecting ';' or ')' at <top-level>, line 1, column 11"
    )
    assert compile_error("." * (MAX_EXPRESSION + 1)) == (
        f"JQ patch returned error: the expression is longer than {MAX_EXPRESSION} characters"
    )


def test_a_value_json_cannot_carry_is_a_failed_patch_not_a_crash() -> None:
    with pytest.raises(JqError, match=r"^JQ patch returned error: Object of type date is not JSON serializable"):
        delete({"kind": "ConfigMap", "data": {"day": datetime.date(2026, 1, 1)}}, ".data.day")


def test_jq_sees_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # a patched document is shown in the diff: an expression must not copy a CI secret into it
    monkeypatch.setenv("WAVECD_TEST_SECRET", "s3cr3t")
    patched = delete({"kind": "ConfigMap"}, ".x) | .env = $ENV | .env2 = env | (.")
    assert (patched["env"], patched["env2"]) == ({}, {})


def test_a_fork_while_another_thread_waits_on_jq_does_not_hang_the_child() -> None:
    # a thread of the parent is mid-request (it holds the worker) at the moment another forks a render worker
    with jqpath._WORKER._lock, multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(delete, ({"a": 1, "b": 2}, ".b")).get(timeout=60) == {"a": 1}
    assert delete({"a": 1, "b": 2}, ".a") == {"b": 2}
