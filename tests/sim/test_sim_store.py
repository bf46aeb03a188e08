"""Persistence: with `--state`, objects survive restarts and a `kill -9` loses nothing the server acknowledged;
the resourceVersion counter continues where it stopped; established CRDs are served again."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest

from support.paths import wavecd_command
from support.sim_server import SimServer
from wavecd.core import ManualClock, UserInputError
from wavecd.sim.cluster import SimCluster
from wavecd.sim.store import Store


@pytest.mark.slow
def test_kill_9_loses_nothing_acknowledged(tmp_path):
    state = tmp_path / "state.db"
    server = SimServer(tmp_path, state=state).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            client.post(
                "/api/v1/namespaces",
                json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}},
            )
            last = None
            for i in range(20):
                body = {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": f"c{i}", "namespace": "app"},
                    "data": {"i": str(i)},
                }
                last = client.post("/api/v1/namespaces/app/configmaps", json=body).json()
    finally:
        server.kill()
    server.start()
    try:
        with httpx.Client(base_url=server.url) as client:
            items = client.get("/api/v1/namespaces/app/configmaps").json()
            assert len(items["items"]) == 20
            again = client.get("/api/v1/namespaces/app/configmaps/c19").json()
            assert again["metadata"]["uid"] == last["metadata"]["uid"]
            assert int(items["metadata"]["resourceVersion"]) >= int(last["metadata"]["resourceVersion"])
            new = client.post(
                "/api/v1/namespaces/app/configmaps",
                json={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "after"}},
            ).json()
            assert int(new["metadata"]["resourceVersion"]) > int(last["metadata"]["resourceVersion"])
    finally:
        server.stop()


def test_established_crds_are_served_after_restart(tmp_path):
    state = str(tmp_path / "state.db")
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Cluster",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{"name": "v1", "served": True, "storage": True}],
        },
    }
    with SimCluster(clock=ManualClock(), state_path=state) as sim, httpx.Client(base_url=sim.url) as client:
        client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd)
        sim.advance(1)
        widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
        assert client.post("/apis/example.com/v1/widgets", json=widget).status_code == 201
    with SimCluster(clock=ManualClock(), state_path=state) as sim, httpx.Client(base_url=sim.url) as client:
        assert client.get("/apis/example.com/v1/widgets/w").status_code == 200


def test_unusable_state_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "state.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserInputError, match="cannot open simulator state"):
        Store(str(bad))


def test_serve_reports_a_bad_state_path_without_traceback(tmp_path):
    result = subprocess.run(
        wavecd_command("sim", "serve", "--state", str(tmp_path / "missing-dir" / "s.db")),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "cannot open simulator state" in result.stderr and "Traceback" not in result.stderr


def test_store_events_and_versions():
    store = Store()
    first = store.put(("", "configmaps", "app", "a"), {"metadata": {"name": "a"}})
    second = store.put(("", "configmaps", "app", "a"), {"metadata": {"name": "a"}, "data": {}})
    gone = store.delete(("", "configmaps", "app", "a"))
    rvs = [int(o["metadata"]["resourceVersion"]) for o in (first, second, gone)]
    assert rvs == sorted(rvs) and len(set(rvs)) == 3
    assert [e.type for e in store.events_after(0)] == ["ADDED", "MODIFIED", "DELETED"]
    assert json.dumps(store.get(("", "configmaps", "app", "a"))) == "null"
