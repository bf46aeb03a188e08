"""The three non-apply patch formats (RFC 6902, RFC 7386, strategic merge with kubectl's directives)."""

from __future__ import annotations

import pytest

from wavecd.core.jsondoc import merge_patch
from wavecd.sim.patch import PatchError, json_patch, strategic_merge
from wavecd.sim.schema import Schema


def test_merge_patch_rfc7386():
    target = {"a": "b", "c": {"d": "e", "f": "g"}}
    assert merge_patch(target, {"a": "z", "c": {"f": None}}) == {"a": "z", "c": {"d": "e"}}
    assert merge_patch({"a": [1, 2]}, {"a": [3]}) == {"a": [3]}


def test_json_patch_operations():
    doc = {"spec": {"replicas": 1, "list": [1, 2]}}
    ops = [
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "add", "path": "/spec/list/-", "value": 9},
        {"op": "remove", "path": "/spec/list/0"},
        {"op": "test", "path": "/spec/replicas", "value": 3},
        {"op": "copy", "from": "/spec/replicas", "path": "/spec/copy"},
    ]
    assert json_patch(doc, ops) == {"spec": {"replicas": 3, "list": [2, 9], "copy": 3}}
    assert doc == {"spec": {"replicas": 1, "list": [1, 2]}}
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "test", "path": "/spec/replicas", "value": 2}])
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "remove", "path": "/nope"}])


def test_strategic_merge_by_key_and_directives():
    live = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "a",
                            "image": "a:1",
                            "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
                        },
                        {"name": "b", "image": "b:1"},
                    ]
                }
            }
        }
    }
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}],
                    "containers": [
                        {"name": "a", "image": "a:2", "env": [{"name": "Y", "$patch": "delete"}]},
                        {"name": "b", "$patch": "delete"},
                    ],
                }
            }
        }
    }
    result = strategic_merge(live, patch, Schema())
    assert result["spec"]["template"]["spec"]["containers"] == [
        {"name": "a", "image": "a:2", "env": [{"name": "X", "value": "1"}]}
    ]


def test_strategic_merge_maps_merge_and_primitive_lists_replace():
    live = {
        "spec": {"selector": {"matchLabels": {"a": "1"}}, "args": ["x", "y"]},
        "metadata": {"finalizers": ["f1"]},
    }
    patch = {
        "spec": {"selector": {"matchLabels": {"b": "2"}}, "args": ["z"]},
        "metadata": {"finalizers": ["f2"]},
    }
    result = strategic_merge(live, patch, Schema())
    # SMP merges maps (no patch strategy on LabelSelector), replaces plain lists, merges `finalizers`
    # (patchStrategy=merge); as in Kubernetes' mergeSlice, items new to the list come before the live ones.
    assert result["spec"] == {"selector": {"matchLabels": {"a": "1", "b": "2"}}, "args": ["z"]}
    assert result["metadata"]["finalizers"] == ["f2", "f1"]


# Expected orders recorded with real kubectl 1.3x: `kubectl patch --local -f deploy.yaml --type strategic -p ...`
# on a Deployment with finalizers [f1, f2, f3] and containers a, b, c.
_LIVE = {
    "metadata": {"finalizers": ["f1", "f2", "f3"]},
    "spec": {
        "template": {
            "spec": {
                "containers": [
                    {"name": "a", "image": "a:1"},
                    {"name": "b", "image": "b:1"},
                    {"name": "c", "image": "c:1"},
                ]
            }
        }
    },
}


def _orders(patch: dict) -> tuple[list, list]:
    result = strategic_merge(_LIVE, patch, Schema())
    containers = result["spec"]["template"]["spec"]["containers"]
    return result["metadata"]["finalizers"], [(c["name"], c["image"]) for c in containers]


def test_strategic_merge_new_list_items_come_first():
    patch = {
        "metadata": {"finalizers": ["f4", "f2"]},
        "spec": {"template": {"spec": {"containers": [{"name": "d", "image": "d"}, {"name": "b", "image": "b:2"}]}}},
    }
    assert _orders(patch) == (
        ["f4", "f1", "f2", "f3"],
        [("d", "d"), ("a", "a:1"), ("b", "b:2"), ("c", "c:1")],
    )


def test_strategic_merge_set_element_order_wins():
    patch = {
        "metadata": {"$setElementOrder/finalizers": ["f3", "f4", "f1", "f2"], "finalizers": ["f4"]},
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "c"}, {"name": "d"}, {"name": "a"}],
                    "containers": [{"name": "d", "image": "d"}, {"name": "b", "$patch": "delete"}],
                }
            }
        },
    }
    assert _orders(patch) == (["f3", "f4", "f1", "f2"], [("c", "c:1"), ("d", "d"), ("a", "a:1")])


def test_strategic_merge_set_element_order_alone_reorders_live_items():
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "c"}, {"name": "b"}, {"name": "a"}],
                }
            }
        }
    }
    assert _orders(patch) == (["f1", "f2", "f3"], [("c", "c:1"), ("b", "b:1"), ("a", "a:1")])
