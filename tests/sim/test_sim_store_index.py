"""The store's indexes (a collection by namespace, an owner's children) answer exactly what a scan of every
object would, whatever sequence of creates, updates that change ownerReferences, deletes and restarts led
there; and the watch log hands out only the events after a resourceVersion, however full it is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wavecd.sim.store import EVENT_LOG_SIZE, Store

RESOURCES = [("", "configmaps"), ("apps", "replicasets"), ("", "namespaces")]
NAMESPACES = ["a", "b"]
NAMES = ["x", "y", "z"]
OWNERS = ["u1", "u2", "u3"]


def obj(name: str, owners: list[str], data: str = "") -> dict:
    meta: dict = {"name": name}
    if owners:
        meta["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": o, "uid": o} for o in owners]
    return {"metadata": meta, "data": {"v": data}}


def scan(store: Store) -> dict[tuple, dict]:
    """Every stored object by key, read one at a time: the reference the indexes must agree with."""
    return {key: store.get(key) for key in store.all_keys()}


def owners_of(body: dict) -> set[str]:
    return {r["uid"] for r in body["metadata"].get("ownerReferences", [])}


def assert_indexes_agree(store: Store) -> None:
    everything = scan(store)
    for group, plural in RESOURCES:
        mine = {k: v for k, v in everything.items() if k[:2] == (group, plural)}
        assert store.list(group, plural) == [mine[k] for k in sorted(mine)]
        assert store.count(group, plural) == len(mine)
        for namespace in ["", *NAMESPACES]:
            keys = sorted(k for k in mine if k[2] == namespace)
            assert store.list(group, plural, namespace) == [mine[k] for k in keys]
            assert sorted(store.names(group, plural, namespace)) == [k[3] for k in keys]
            assert store.count(group, plural, namespace) == len(keys)
            for uid in OWNERS:
                owned = [mine[k] for k in keys if uid in owners_of(mine[k])]
                assert store.list(group, plural, namespace, uid) == owned
        for uid in OWNERS:
            owned = [mine[k] for k in sorted(mine) if uid in owners_of(mine[k])]
            assert store.list(group, plural, None, uid) == owned
    for uid in OWNERS:
        assert store.dependents(uid) == sorted(k for k, v in everything.items() if uid in owners_of(v))


def key_of(resource: int, namespace: int, name: int) -> tuple[str, str, str, str]:
    group, plural = RESOURCES[resource]
    return (group, plural, "" if plural == "namespaces" else NAMESPACES[namespace], NAMES[name])


writes = st.lists(
    st.tuples(
        st.sampled_from(["put", "put", "delete", "restart"]),
        st.integers(0, len(RESOURCES) - 1),
        st.integers(0, len(NAMESPACES) - 1),
        st.integers(0, len(NAMES) - 1),
        st.lists(st.sampled_from(OWNERS), max_size=2),
    ),
    max_size=30,
)


@pytest.mark.slow
@given(writes)
def test_indexes_match_a_full_scan_after_any_writes_and_restarts(tmp_path_factory, steps):
    path = str(tmp_path_factory.mktemp("state") / "state.db")
    store = Store(path)
    try:
        for i, (action, resource, namespace, name, owners) in enumerate(steps):
            key = key_of(resource, namespace, name)
            if action == "put":
                store.put(key, obj(key[3], owners, str(i)))
            elif action == "delete":
                store.delete(key)
            else:
                store.close()
                store = Store(path)
            assert_indexes_agree(store)
    finally:
        store.close()


def test_changing_an_owner_reference_moves_the_child(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    child = ("apps", "replicasets", "a", "web-1")
    store.put(child, obj("web-1", ["u1"]))
    store.put(child, obj("web-1", ["u2"]))
    assert store.list("apps", "replicasets", "a", "u1") == []
    assert [o["metadata"]["name"] for o in store.list("apps", "replicasets", "a", "u2")] == ["web-1"]
    assert store.dependents("u1") == [] and store.dependents("u2") == [child]
    store.put(child, obj("web-1", []))
    assert store.dependents("u2") == [] and store.list("apps", "replicasets", "a", "u2") == []
    store.put(child, obj("web-1", ["u1", "u2"]))
    store.close()
    restarted = Store(str(tmp_path / "s.db"))
    assert restarted.dependents("u1") == [child] and restarted.dependents("u2") == [child]
    restarted.delete(child)
    assert restarted.dependents("u1") == [] and restarted.list("apps", "replicasets", "a") == []
    assert restarted.count("apps", "replicasets", "a") == 0 and restarted.names("apps", "replicasets", "a") == []
    restarted.close()


def test_lists_are_copies_sorted_by_namespace_then_name():
    store = Store()
    for namespace, name in [("b", "x"), ("a", "z"), ("a", "x"), ("b", "a")]:
        store.put(("", "configmaps", namespace, name), obj(name, ["u1"]))
    listed = store.list("", "configmaps")
    assert [(o["metadata"]["name"]) for o in listed] == ["x", "z", "a", "x"]
    assert [o["metadata"]["name"] for o in store.list("", "configmaps", "a", "u1")] == ["x", "z"]
    listed[0]["data"]["v"] = "changed"
    store.list("", "configmaps", "b", "u1")[0]["metadata"]["ownerReferences"].clear()
    assert store.get(("", "configmaps", "a", "x"))["data"]["v"] == ""
    assert store.dependents("u1") == sorted(store.all_keys())


def test_events_after_returns_only_newer_events_from_a_full_log():
    store = Store()
    key = ("", "configmaps", "a", "x")
    for i in range(EVENT_LOG_SIZE + 10):
        store.put(key, obj("x", [], str(i)))
    with store.lock:
        newer = list(store.events_after(store.rv - 3))
        assert [e.rv for e in newer] == [store.rv - 2, store.rv - 1, store.rv]
        assert [e.object["data"]["v"] for e in newer] == [str(EVENT_LOG_SIZE + 7 + i) for i in range(3)]
        assert list(store.events_after(store.rv)) == []
        assert len(list(store.events_after(store.oldest_resumable()))) == EVENT_LOG_SIZE


def test_orphan_deletion_strips_only_that_owner(client, sim, ns):
    path = "/api/v1/namespaces/app/configmaps"
    owner = client.post(path, json={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}}).json()
    other = client.post(path, json={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other"}}).json()

    def ref(o: dict) -> dict:
        return {"apiVersion": "v1", "kind": "ConfigMap", "name": o["metadata"]["name"], "uid": o["metadata"]["uid"]}

    for name, refs in [("only", [ref(owner)]), ("both", [ref(owner), ref(other)])]:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "ownerReferences": refs}}
        assert client.post(path, json=body).status_code == 201
    client.request("DELETE", f"{path}/owner", json={"propagationPolicy": "Orphan"})
    sim.advance(1)
    left = {o["metadata"]["name"]: o["metadata"].get("ownerReferences") for o in client.get(path).json()["items"]}
    assert left.get("only", "gone") is None
    assert left.get("both") == [ref(other)]
    client.delete(f"{path}/other")
    sim.advance(1)
    assert "both" not in {o["metadata"]["name"] for o in client.get(path).json()["items"]}
