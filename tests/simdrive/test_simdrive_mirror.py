"""The mirror the sim's controllers read when they drive another API server (here the sim's own HTTP server
stands for it, reached through `KubeClient` as any server is): what a list says is gone, and what it cannot
know yet."""

from __future__ import annotations

from wavecd.kube import KubeClient
from wavecd.sim.registry import Registry
from wavecd.sim.store import Store
from wavecd.simdrive.mirror import Mirror
from wavecd.simdrive.remote_api import RemoteApi

CONFIG_MAPS = ("", "ConfigMap")


def mirrored(kube: KubeClient) -> tuple[RemoteApi, Mirror, list[tuple[str, str]]]:
    api = RemoteApi(kube, Store(), Registry(), refused=lambda _line: None)
    seen: list[tuple[str, str]] = []
    api.listeners.append(lambda _kind, event, obj: seen.append((event, obj["metadata"]["name"])))
    mirror = Mirror(api, kube)
    # Listed once and its watches stopped: what follows is only what the test hands it.
    assert mirror.start(timeout=30)
    mirror.stop()
    return api, mirror, seen


def test_an_object_written_after_a_list_was_read_is_not_taken_for_deleted(kube):
    """A relist races the controllers' own writes: the list, read before a create was answered, lacks the
    new object — which must stay mirrored (a DELETED would make the sim's garbage collector delete its pods
    on the server)."""
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    api, mirror, seen = mirrored(kube)
    items, listed_at = kube.list_for_watch("v1", "ConfigMap")
    config_maps = api.registry.by_plural("", "v1", "configmaps")
    assert config_maps is not None
    api.create(config_maps, "shop", {"metadata": {"name": "settings"}, "data": {"a": "1"}}, manager="test")

    mirror.listed(CONFIG_MAPS, items, listed_at)

    assert api.find(config_maps, "shop", "settings") is not None
    assert ("DELETED", "settings") not in seen


def test_an_object_a_later_list_lacks_is_gone(kube):
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    api, mirror, seen = mirrored(kube)
    config_maps = api.registry.by_plural("", "v1", "configmaps")
    assert config_maps is not None
    api.create(config_maps, "shop", {"metadata": {"name": "settings"}}, manager="test")
    kube.delete("v1", "ConfigMap", "settings", "shop")
    items, listed_at = kube.list_for_watch("v1", "ConfigMap")

    mirror.listed(CONFIG_MAPS, items, listed_at)

    assert api.find(config_maps, "shop", "settings") is None
    assert ("DELETED", "settings") in seen
