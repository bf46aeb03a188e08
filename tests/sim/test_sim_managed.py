"""Server-side apply ownership (sigs.k8s.io/structured-merge-diff `merge/update.go`), checked directly on the
merge functions.

Expected behaviour is what the probe observed with real kubectl against SSA semantics and what apiserver prints
(conflict wording from `getConflictMessage`)."""

from __future__ import annotations

import copy

import pytest

from wavecd.sim.fieldpath import from_fields_v1, to_fields_v1
from wavecd.sim.managed import ConflictError, apply, record_update
from wavecd.sim.schema import Schema

SCHEMA = Schema()


def deployment(**spec_overrides):
    container = {
        "name": "web",
        "image": "nginx:1.25",
        "env": [{"name": "A", "value": "1"}],
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
    }
    spec = {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}},
    }
    spec.update(spec_overrides)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "app", "labels": {"app": "web"}},
        "spec": spec,
    }


def do_apply(live, config, manager="kubectl", force=False, now="T"):
    return apply(
        live,
        config,
        manager=manager,
        api_version="apps/v1",
        schema=SCHEMA,
        force=force,
        now=now,
        has_status=True,
    )


def managers(obj):
    return [(e["manager"], e["operation"]) for e in obj["metadata"].get("managedFields", [])]


def test_fields_v1_shape_matches_kubectl_display():
    obj = do_apply(None, deployment())
    fields = obj["metadata"]["managedFields"][0]["fieldsV1"]
    container = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"web"}']
    assert container["."] == {}
    assert container["f:env"] == {'k:{"name":"A"}': {".": {}, "f:name": {}, "f:value": {}}}
    assert 'k:{"containerPort":80,"protocol":"TCP"}' in container["f:ports"]
    assert fields["f:spec"]["f:selector"] == {}  # LabelSelector is atomic: a leaf
    assert "f:name" not in fields["f:metadata"]  # identity is never owned


def test_fields_v1_round_trip():
    paths = {
        ("f:spec", "f:replicas"),
        ("f:spec", "f:list", 'k:{"name":"a"}'),
        ("f:spec", "f:list", 'k:{"name":"a"}', "f:name"),
    }
    assert from_fields_v1(to_fields_v1(paths)) == paths


def test_reapply_is_identical():
    first = do_apply(None, deployment())
    again = do_apply(first, deployment(), now="LATER")
    assert again == first  # same content and same managedFields time: the server will not bump anything


def test_dropping_a_list_item_removes_it_entirely():
    live = do_apply(None, deployment())
    config = deployment()
    del config["spec"]["template"]["spec"]["containers"][0]["env"]
    result = do_apply(live, config)
    container = result["spec"]["template"]["spec"]["containers"][0]
    assert "env" not in container  # not `env: [{"value": "1"}]` nor `env: []`


def test_conflict_then_force():
    live = do_apply(None, deployment())
    patched = copy.deepcopy(live)
    patched["spec"]["replicas"] = 3
    patched["metadata"]["managedFields"] = record_update(
        live,
        patched,
        manager="kubectl-patch",
        api_version="apps/v1",
        schema=SCHEMA,
        now="T2",
        has_status=True,
    )
    assert managers(patched) == [("kubectl", "Apply"), ("kubectl-patch", "Update")]
    with pytest.raises(ConflictError) as err:
        do_apply(patched, deployment())
    assert str(err.value) == 'Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas'
    forced = do_apply(patched, deployment(), force=True)
    assert forced["spec"]["replicas"] == 2
    assert managers(forced) == [("kubectl", "Apply")]  # kubectl-patch lost its only field


def test_several_conflicts_are_listed():
    live = do_apply(None, deployment(), manager="a")
    config = deployment(replicas=5, minReadySeconds=3)
    config["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    other = do_apply(live, {**config, "spec": {**config["spec"]}}, manager="b", force=True)
    with pytest.raises(ConflictError) as err:
        do_apply(other, deployment(), manager="a")
    message = str(err.value)
    assert message.startswith('Apply failed with 2 conflicts: conflicts with "b":\n- .spec.replicas\n')
    assert '- .spec.template.spec.containers[name="web"].image' in message


def test_same_value_is_shared_and_survives_one_owner_leaving():
    live = do_apply(None, deployment())
    shared = do_apply(
        live,
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "app"},
            "spec": {"replicas": 2},
        },
        manager="hpa-like",
    )
    config = deployment()
    del config["spec"]["replicas"]
    after = do_apply(shared, config)
    assert after["spec"]["replicas"] == 2  # still owned by hpa-like
    owners = {e["manager"]: from_fields_v1(e["fieldsV1"]) for e in after["metadata"]["managedFields"]}
    assert ("f:spec", "f:replicas") in owners["hpa-like"]
    assert ("f:spec", "f:replicas") not in owners["kubectl"]


def test_status_is_not_owned_by_main_resource_apply():
    config = deployment()
    config["status"] = {"replicas": 9}
    result = do_apply(None, config)
    assert "f:status" not in result["metadata"]["managedFields"][0]["fieldsV1"]


def test_update_moves_changed_fields_to_the_writer():
    live = do_apply(None, deployment())
    new = copy.deepcopy(live)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    fields = record_update(
        live, new, manager="kubectl-edit", api_version="apps/v1", schema=SCHEMA, now="T2", has_status=True
    )
    owners = {e["manager"]: from_fields_v1(e["fieldsV1"]) for e in fields}
    image = ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"web"}', "f:image")
    assert image in owners["kubectl-edit"]
    assert image not in owners["kubectl"]


def test_crd_schema_list_map_markers():
    schema = Schema(
        {
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "items": {
                            "type": "array",
                            "x-kubernetes-list-type": "map",
                            "x-kubernetes-list-map-keys": ["id"],
                            "items": {"type": "object"},
                        }
                    },
                }
            },
        }
    )
    config = {
        "apiVersion": "example.com/v1",
        "kind": "Gadget",
        "metadata": {"name": "g"},
        "spec": {"items": [{"id": "a", "v": 1}, {"id": "b", "v": 2}]},
    }
    live = apply(None, config, manager="m", api_version="example.com/v1", schema=schema, force=False, now="T")
    other = apply(
        live,
        {**config, "spec": {"items": [{"id": "c", "v": 3}]}},
        manager="n",
        api_version="example.com/v1",
        schema=schema,
        force=False,
        now="T",
    )
    assert [i["id"] for i in other["spec"]["items"]] == ["a", "b", "c"]  # merged by key, not replaced
