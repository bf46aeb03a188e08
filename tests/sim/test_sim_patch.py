"""The three non-apply patch formats (RFC 6902, RFC 7386, strategic merge with kubectl's directives)."""

from __future__ import annotations

import pytest

from wavecd.sim.patch import PatchError, json_patch, merge_patch, strategic_merge
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
    # SMP merges maps (no patch strategy on LabelSelector), replaces plain lists, merges `finalizers` (a set)
    assert result["spec"] == {"selector": {"matchLabels": {"a": "1", "b": "2"}}, "args": ["z"]}
    assert result["metadata"]["finalizers"] == ["f1", "f2"]
