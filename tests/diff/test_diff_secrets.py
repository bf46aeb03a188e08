"""Secret masking as gitops-engine's HideSecretData does it: the shapes of the reference (§8 "Secret
masking"): core Secrets only, stringData folded into data, one mask per distinct value per key across
desired, live and last-applied, the last-applied annotation re-serialised masked."""

from __future__ import annotations

import base64
import json

from wavecd.diff.secrets import LAST_APPLIED, mask_secret_pair
from wavecd.diff.text import manifest_diff


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret(data=None, string_data=None, annotations=None, api_version="v1"):
    obj = {"apiVersion": api_version, "kind": "Secret", "metadata": {"name": "db", "namespace": "ns"}}
    if annotations is not None:
        obj["metadata"]["annotations"] = annotations
    if data is not None:
        obj["data"] = data
    if string_data is not None:
        obj["stringData"] = string_data
    return obj


def test_equal_values_mask_equally_and_different_values_differently():
    target = secret(data={"same": b64("s"), "changed": b64("new")})
    live = secret(data={"same": b64("s"), "changed": b64("old")})
    masked_target, masked_live = mask_secret_pair(target, live)
    assert masked_target["data"] == {"same": "++++++++", "changed": "++++++++"}
    assert masked_live["data"] == {"same": "++++++++", "changed": "++++++++++++"}


def test_string_data_is_folded_into_data_as_the_api_server_stores_it():
    target = secret(data={"a": b64("x")}, string_data={"password": "hunter2"})
    live = secret(data={"a": b64("x"), "password": b64("hunter2")})
    masked_target, masked_live = mask_secret_pair(target, live)
    assert "stringData" not in masked_target
    # the same value given as stringData and stored as data compares equal: one mask
    assert masked_target["data"] == masked_live["data"] == {"a": "++++++++", "password": "++++++++"}


def test_last_applied_takes_part_and_is_re_serialised_masked():
    applied = secret(data={"k": b64("first")})
    live = secret(data={"k": b64("second")}, annotations={LAST_APPLIED: json.dumps(applied), "other": "kept"})
    target = secret(data={"k": b64("third")})
    masked_target, masked_live = mask_secret_pair(target, live)
    assert masked_target["data"]["k"] == "++++++++"
    assert masked_live["data"]["k"] == "++++++++++++"
    annotation = masked_live["metadata"]["annotations"][LAST_APPLIED]
    assert json.loads(annotation)["data"] == {"k": "++++++++++++++++"}
    assert "first" not in annotation and b64("first") not in annotation
    # Go's json.Marshal: sorted keys, no spaces
    assert annotation.startswith('{"apiVersion":"v1","data":')
    assert masked_live["metadata"]["annotations"]["other"] == "kept"


def test_a_key_on_one_side_only_and_a_null_value_are_masked():
    masked_target, masked_live = mask_secret_pair(secret(data={"only-target": b64("t")}), secret(data={"n": None}))
    assert masked_target["data"] == {"only-target": "++++++++"}
    assert masked_live["data"] == {"n": "++++++++"}


def test_an_unparsable_last_applied_is_masked_whole():
    live = secret(data={"k": b64("v")}, annotations={LAST_APPLIED: "{not json, " + b64("v")})
    _, masked_live = mask_secret_pair(None, live)
    assert masked_live["metadata"]["annotations"][LAST_APPLIED] == "++++++++"


def test_non_secrets_and_secrets_outside_the_core_group_are_unchanged_copies():
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}
    sealed = secret(data={"k": "v"}, api_version="bitnami.com/v1alpha1")
    for obj in (config_map, sealed):
        masked_target, masked_live = mask_secret_pair(obj, obj)
        assert masked_target == obj and masked_live == obj
        assert masked_target is not obj and masked_target["data"] is not obj["data"]


def test_the_inputs_are_not_changed():
    live = secret(data={"k": b64("v")})
    mask_secret_pair(secret(string_data={"k": "v"}), live)
    assert live["data"] == {"k": b64("v")}


def test_a_live_object_alone_is_masked_with_its_last_applied():
    obj = secret(data={"k": b64("v")}, annotations={LAST_APPLIED: json.dumps(secret(string_data={"k": "v"}))})
    _, masked = mask_secret_pair(None, obj)
    assert masked is not None
    assert masked["data"] == {"k": "++++++++"}
    assert "v" not in json.loads(masked["metadata"]["annotations"][LAST_APPLIED])["data"].values()


def test_diff_of_masked_manifests_shows_which_key_changed_without_values():
    target, live = mask_secret_pair(secret(data={"a": b64("1"), "b": b64("2")}), secret(data={"a": b64("1")}))
    diff = manifest_diff(target, live, "Secret/ns/db")
    assert diff.startswith("--- live/Secret/ns/db\n+++ target/Secret/ns/db\n")
    assert "+  b: ++++++++\n" in diff
    assert b64("2") not in diff
    assert manifest_diff(target, target, "x") == ""
