"""`wavecd.kube` against both servers: what the sync relies on (apply and its idempotence, conflicts, dry runs,
kinds that are not served, deletes, list-then-watch) behaves the same on the real kube-apiserver as on the sim."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.differential import Servers
from wavecd.kube import ApplyConflictError, KubeClient, NoKindMatchError

pytestmark = [pytest.mark.real_apiserver, pytest.mark.xdist_group("real-apiserver")]


@pytest.fixture(params=["real", "sim"])
def kube(request: pytest.FixtureRequest, servers: Servers) -> Iterator[tuple[KubeClient, str]]:
    """A client of one of the two servers, and a fresh namespace there."""
    server = servers.real if request.param == "real" else servers.sim
    namespace = servers.namespace()
    with KubeClient.from_kubeconfig(str(server.kubeconfig)) as client:
        yield client, namespace


def settings(namespace: str, mode: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": namespace},
        "data": {"mode": mode},
    }


def test_apply_is_idempotent(kube):
    client, ns = kube
    first = client.apply(settings(ns, "fast"))
    again = client.apply(settings(ns, "fast"))
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    assert client.get("v1", "ConfigMap", "settings", ns)["data"] == {"mode": "fast"}


def test_apply_conflict_then_force(kube):
    client, ns = kube
    client.apply(settings(ns, "fast"), field_manager="helm")
    with pytest.raises(ApplyConflictError) as err:
        client.apply(settings(ns, "slow"))
    assert [field for field, _ in err.value.conflicts] == [".data.mode"]
    assert client.apply(settings(ns, "slow"), force=True)["data"] == {"mode": "slow"}


def test_dry_run_stores_nothing(kube):
    client, ns = kube
    assert client.apply(settings(ns, "fast"), dry_run=True)["data"] == {"mode": "fast"}
    assert client.get("v1", "ConfigMap", "settings", ns) is None


def test_kind_not_served(kube):
    client, ns = kube
    gadget = {"apiVersion": "nothing.example.com/v1", "kind": "Gadget", "metadata": {"name": "g", "namespace": ns}}
    with pytest.raises(NoKindMatchError) as err:
        client.apply(gadget)
    assert err.value.message == 'no matches for kind "Gadget" in version "nothing.example.com/v1"'


def test_delete_then_gone(kube):
    client, ns = kube
    client.apply(settings(ns, "fast"))
    assert client.delete("v1", "ConfigMap", "settings", ns) is True
    assert client.delete("v1", "ConfigMap", "settings", ns) is False


def test_list_then_watch(kube):
    client, ns = kube
    client.apply(settings(ns, "fast"))
    items, version = client.list_for_watch("v1", "ConfigMap")
    assert "settings" in {i["metadata"]["name"] for i in items if i["metadata"]["namespace"] == ns}
    client.apply(settings(ns, "slow"))
    client.delete("v1", "ConfigMap", "settings", ns)
    seen = []
    with client.watch("v1", "ConfigMap", ns, resource_version=version, timeout=10) as events:
        for kind, obj in events:
            seen.append((kind, obj["metadata"]["name"], obj.get("data")))
            if len(seen) == 2:
                events.stop()
    assert seen == [("MODIFIED", "settings", {"mode": "slow"}), ("DELETED", "settings", {"mode": "slow"})]
