"""A list's `continue` token and `resourceVersionMatch=Exact`: the sim never paginates and keeps no history, so a
token it did not issue is the apiserver's 400, and `Exact` at a version it no longer has is the apiserver's
410 (docs/sim.md, "Deviations": the real apiserver still serves an old version until etcd compacts it)."""

from __future__ import annotations

import re

import pytest

from support.differential import assert_same

pytestmark = [pytest.mark.real_apiserver, pytest.mark.xdist_group("real-apiserver")]


def configmap(name: str, value: str) -> dict:
    return {"metadata": {"name": name}, "data": {"k": value}}


def without_decoder_detail(answer):
    """The answer with what follows `continue key is not valid: ` masked: Go's base64 and JSON decoders word it."""
    answer.body["message"] = re.sub(r"(continue key is not valid: ).*", r"\1<detail>", answer.body["message"])
    return answer


@pytest.mark.parametrize("token", ["garbage", "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJhIn0="])
def test_an_invalid_continue_token_is_a_400(servers, token):
    ns = servers.namespace()
    path = f"/api/v1/namespaces/{ns}/configmaps"
    servers.both("POST", path, configmap("a", "1"))
    real, sim = servers.both("GET", path, limit="1", **{"continue": token})
    assert (real.status, real.body["reason"]) == (400, "BadRequest")
    assert real.body["message"].startswith("invalid continue token: continue key is not valid: ")
    assert_same(without_decoder_detail(real), without_decoder_detail(sim))


def test_exact_at_the_current_version_and_without_a_version(servers):
    ns = servers.namespace()
    path = f"/api/v1/namespaces/{ns}/configmaps"
    servers.both("POST", path, configmap("a", "1"))
    answers = []
    for server in (servers.real, servers.sim):
        current = server.request("GET", path).body["metadata"]["resourceVersion"]
        answers.append(server.request("GET", path, resourceVersion=current, resourceVersionMatch="Exact"))
    real, sim = answers
    assert [item["data"] for item in real.body["items"]] == [{"k": "1"}]
    assert_same(real, sim)
    real, sim = servers.both("GET", path, resourceVersionMatch="Exact")
    assert real.status == 422
    assert_same(real, sim)


def test_exact_at_an_old_version(servers):
    """A deviation, asserted as it stands: the real apiserver lists the old state (410 only once etcd has
    compacted that version away), the sim has no history and answers as for a compacted one."""
    ns = servers.namespace()
    path = f"/api/v1/namespaces/{ns}/configmaps"
    answers = []
    for server in (servers.real, servers.sim):
        old = server.request("POST", path, configmap("a", "1")).body["metadata"]["resourceVersion"]
        server.request("PATCH", f"{path}/a", {"data": {"k": "2"}}, content_type="application/merge-patch+json")
        answers.append((old, server.request("GET", path, resourceVersion=old, resourceVersionMatch="Exact")))
    (_, real), (old, sim) = answers
    assert (real.status, [item["data"] for item in real.body["items"]]) == (200, [{"k": "1"}])
    assert (sim.status, sim.body["reason"]) == (410, "Expired")
    assert sim.body["message"].startswith(f"too old resource version: {old} (")


def test_exact_at_a_future_version_is_a_504(servers):
    ns = servers.namespace()
    path = f"/api/v1/namespaces/{ns}/configmaps"
    answers = []
    for server in (servers.real, servers.sim):
        current = int(server.request("GET", path).body["metadata"]["resourceVersion"])
        answers.append(server.request("GET", path, resourceVersion=str(current + 1000), resourceVersionMatch="Exact"))
    real, sim = answers
    assert real.status == 504
    for answer in (real, sim):
        answer.body["message"] = re.sub(r"[0-9]+", "N", answer.body["message"])
    assert_same(real, sim)
