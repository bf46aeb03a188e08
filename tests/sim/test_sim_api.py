"""The REST surface real clients use (docs/sim.md, "What the API does"): discovery, OpenAPI, CRUD, patches, SSA,
dry-run, subresources, Status errors and admission. Expected bodies and wording are those of a real apiserver
(kubernetes `staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go` for the Status texts)."""

from __future__ import annotations

import json

import yaml

APPLY = {"Content-Type": "application/apply-patch+yaml"}
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"


def cm(name="cfg", ns="app", data=None):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": data or {"a": "1"},
    }


def deploy(replicas=2, image="nginx:1.25"):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "app"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image}]},
            },
        },
    }


def apply(client, path, obj, manager="test", **params):
    query = "&".join([f"fieldManager={manager}", *(f"{k}={v}" for k, v in params.items())])
    return client.patch(f"{path}?{query}", content=json.dumps(obj), headers=APPLY)


DEPLOY = "/apis/apps/v1/namespaces/app/deployments/web"


def test_discovery_aggregated_and_legacy(client):
    response = client.get("/apis", headers={"Accept": AGGREGATED})
    assert response.headers["content-type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    groups = {item["metadata"]["name"]: item for item in response.json()["items"]}
    apps = groups["apps"]["versions"][0]
    deployments = next(r for r in apps["resources"] if r["resource"] == "deployments")
    # As the apiserver: a built-in resource's own group and version are left empty.
    assert deployments["responseKind"] == {"group": "", "version": "", "kind": "Deployment"}
    assert {s["subresource"] for s in deployments["subresources"]} == {"status", "scale"}
    core = client.get("/api", headers={"Accept": AGGREGATED}).json()
    assert [i["metadata"]["name"] for i in core["items"]] == [""]
    legacy = client.get("/apis/").json()  # trailing slash tolerated (kr8s)
    assert legacy["kind"] == "APIGroupList"
    autoscaling = next(g for g in legacy["groups"] if g["name"] == "autoscaling")
    assert autoscaling["preferredVersion"] == autoscaling["versions"][0]
    resources = client.get("/api/v1").json()["resources"]
    names = {r["name"] for r in resources}
    assert {"pods", "pods/status", "namespaces", "configmaps"} <= names
    assert all(r["verbs"] for r in resources)
    assert client.get("/version/").json()["major"] == "1"
    assert client.get("/apis/nope.example.com/v1").status_code == 404


def test_openapi_documents_declare_field_validation(client):
    root = client.get("/openapi/v3").json()["paths"]
    url = root["apis/apps/v1"]["serverRelativeURL"]
    doc = client.get(url).json()
    op = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert op["x-kubernetes-group-version-kind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert any(p["name"] == "fieldValidation" for p in op["parameters"])
    v2 = client.get("/openapi/v2")
    assert v2.content == b"\x0a\x032.0"


def test_create_get_list_and_errors(client, ns):
    created = client.post("/api/v1/namespaces/app/configmaps", json=cm())
    assert created.status_code == 201
    meta = created.json()["metadata"]
    assert meta["generation"] == 1 and meta["uid"] and meta["resourceVersion"]
    again = client.post("/api/v1/namespaces/app/configmaps", json=cm())
    assert again.status_code == 409
    assert again.json()["message"] == 'configmaps "cfg" already exists'
    missing = client.get("/apis/apps/v1/namespaces/app/deployments/nope")
    assert missing.status_code == 404
    assert missing.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'deployments.apps "nope" not found',
        "reason": "NotFound",
        "details": {"name": "nope", "group": "apps", "kind": "deployments"},
        "code": 404,
    }
    listed = client.get("/api/v1/namespaces/app/configmaps?labelSelector=x%21%3Dy").json()
    assert listed["kind"] == "ConfigMapList" and [i["metadata"]["name"] for i in listed["items"]] == ["cfg"]
    assert int(listed["metadata"]["resourceVersion"]) >= int(meta["resourceVersion"])
    stale = client.put(
        "/api/v1/namespaces/app/configmaps/cfg",
        json={**cm(data={"a": "2"}), "metadata": {**cm()["metadata"], "resourceVersion": "1"}},
    )
    assert stale.status_code == 409
    assert stale.json()["message"].startswith('Operation cannot be fulfilled on configmaps "cfg": the object')
    unnamed = client.post("/api/v1/namespaces/app/configmaps", json={"apiVersion": "v1", "kind": "ConfigMap"})
    assert unnamed.status_code == 422
    assert unnamed.json()["details"]["causes"][0]["reason"] == "FieldValueRequired"


def test_admission_missing_namespace_unknown_kind_and_terminating(client, sim, ns):
    response = client.post("/api/v1/namespaces/nope/configmaps", json=cm(ns="nope"))
    assert (response.status_code, response.json()["message"]) == (404, 'namespaces "nope" not found')
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g", "namespace": "app"}}
    response = apply(client, "/apis/example.com/v1/namespaces/app/gadgets/g", gadget)
    assert response.status_code == 404
    assert response.json()["reason"] == "NotFound"
    hold = cm(name="held")
    hold["metadata"]["finalizers"] = ["example.com/hold"]
    assert client.post("/api/v1/namespaces/app/configmaps", json=hold).status_code == 201
    assert client.delete("/api/v1/namespaces/app").json()["status"]["phase"] == "Terminating"
    sim.settle()
    refused = client.post("/api/v1/namespaces/app/configmaps", json=cm(name="late"))
    assert refused.status_code == 403
    assert refused.json()["message"] == (
        'configmaps "late" is forbidden: unable to create new content in namespace app because it is being terminated'
    )


def test_protobuf_bodies_are_refused_with_415(client, ns):
    response = client.post(
        "/api/v1/namespaces/app/configmaps",
        content=b"k8s\x00...",
        headers={"Content-Type": "application/vnd.kubernetes.protobuf"},
    )
    assert response.status_code == 415 and response.json()["reason"] == "UnsupportedMediaType"


def test_no_content_type_means_json(client, ns):
    response = client.post(
        "/api/v1/namespaces/app/configmaps", content=json.dumps(cm()).encode(), headers={"Content-Type": ""}
    )
    assert response.status_code == 201


def test_server_side_apply_lifecycle(client, sim, ns):
    created = apply(client, DEPLOY, deploy())
    assert created.status_code == 201
    sim.settle()  # let the controllers write their status first
    rv = client.get(DEPLOY).json()["metadata"]["resourceVersion"]
    same = apply(client, DEPLOY, deploy())
    assert same.status_code == 200 and same.json()["metadata"]["resourceVersion"] == rv
    dry = apply(client, DEPLOY, deploy(image="nginx:2"), dryRun="All")
    assert dry.json()["metadata"]["generation"] == 2
    assert client.get(DEPLOY).json()["metadata"]["resourceVersion"] == rv
    patched = client.patch(
        f"{DEPLOY}?fieldManager=kubectl-patch",
        json={"spec": {"replicas": 3}},
        headers={"Content-Type": "application/strategic-merge-patch+json"},
    )
    assert patched.json()["spec"]["replicas"] == 3
    conflict = apply(client, DEPLOY, deploy())
    assert conflict.status_code == 409
    body = conflict.json()
    assert (
        body["message"] == 'Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas'
    )
    assert body["details"]["causes"] == [
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "kubectl-patch" using apps/v1',
            "field": ".spec.replicas",
        }
    ]
    forced = apply(client, DEPLOY, deploy(), force="true")
    assert forced.json()["spec"]["replicas"] == 2
    no_manager = client.patch(DEPLOY, content=json.dumps(deploy()), headers=APPLY)
    assert no_manager.status_code == 422
    assert "fieldManager: Required value" in no_manager.json()["message"]


def test_generation_tracks_spec_only(client, ns):
    apply(client, DEPLOY, deploy())
    labelled = client.patch(
        f"{DEPLOY}?fieldManager=l",
        json={"metadata": {"labels": {"x": "y"}}},
        headers={"Content-Type": "application/merge-patch+json"},
    ).json()
    assert labelled["metadata"]["generation"] == 1
    changed = client.patch(
        f"{DEPLOY}?fieldManager=l",
        json=[{"op": "replace", "path": "/spec/replicas", "value": 4}],
        headers={"Content-Type": "application/json-patch+json"},
    ).json()
    assert changed["metadata"]["generation"] == 2


def test_status_subresource(client, sim, ns):
    apply(client, DEPLOY, deploy())
    ignored = client.patch(
        f"{DEPLOY}?fieldManager=x",
        json={"status": {"replicas": 42}},
        headers={"Content-Type": "application/merge-patch+json"},
    ).json()
    assert ignored.get("status", {}).get("replicas") != 42
    written = client.patch(
        f"{DEPLOY}/status?fieldManager=x",
        json={"status": {"replicas": 42}},
        headers={"Content-Type": "application/merge-patch+json"},
    ).json()
    assert written["status"]["replicas"] == 42
    entry = next(e for e in written["metadata"]["managedFields"] if e["manager"] == "x")
    assert entry["subresource"] == "status" and entry["operation"] == "Update"


def test_scale_subresource(client, ns):
    apply(client, DEPLOY, deploy())
    scale = client.get(f"{DEPLOY}/scale").json()
    assert (scale["kind"], scale["apiVersion"], scale["spec"]["replicas"]) == ("Scale", "autoscaling/v1", 2)
    scaled = client.patch(
        f"{DEPLOY}/scale",
        json={"spec": {"replicas": 5}},
        headers={"Content-Type": "application/merge-patch+json"},
    ).json()
    assert scaled["spec"]["replicas"] == 5
    assert client.get(DEPLOY).json()["spec"]["replicas"] == 5


def test_defaults_readers_depend_on(client, ns):
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "app"},
        "spec": {
            "selector": {"matchLabels": {"a": "b"}},
            "serviceName": "db",
            "template": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {"containers": [{"name": "db", "image": "pg", "ports": [{"containerPort": 5432}]}]},
            },
        },
    }
    obj = apply(client, "/apis/apps/v1/namespaces/app/statefulsets/db", sts).json()
    assert obj["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert obj["spec"]["replicas"] == 1
    assert obj["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] == "TCP"
    assert obj["status"] == {}


def test_delete_with_finalizer_and_propagation(client, ns):
    held = cm(name="held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    client.post("/api/v1/namespaces/app/configmaps", json=held)
    deleted = client.request(
        "DELETE", "/api/v1/namespaces/app/configmaps/held", json={"propagationPolicy": "Background"}
    ).json()
    assert deleted["metadata"]["deletionTimestamp"]
    released = client.patch(
        "/api/v1/namespaces/app/configmaps/held?fieldManager=t",
        json={"metadata": {"finalizers": None}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert released.status_code == 200
    assert client.get("/api/v1/namespaces/app/configmaps/held").status_code == 404


def test_yaml_bodies(client, ns):
    response = client.post(
        "/api/v1/namespaces/app/configmaps",
        content=yaml.safe_dump(cm()).encode(),
        headers={"Content-Type": "application/yaml"},
    )
    assert response.status_code == 201


def test_yaml_bodies_are_read_as_the_apiserver_reads_them(client, ns):
    """sigs.k8s.io/yaml, not YAML 1.1: `10:30` stays a string (PyYAML read 630, which a ConfigMap refuses)."""
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cron, namespace: app}\ndata:\n  at: 10:30\n"
    created = client.post(
        "/api/v1/namespaces/app/configmaps", content=text, headers={"Content-Type": "application/yaml"}
    )
    assert created.status_code == 201
    assert created.json()["data"] == {"at": "10:30"}
    applied = client.patch(
        "/api/v1/namespaces/app/configmaps/applied?fieldManager=test",
        content=text.replace("name: cron", "name: applied"),
        headers=APPLY,
    )
    assert applied.status_code == 201
    assert applied.json()["data"] == {"at": "10:30"}


def test_table_answers_for_kubectl_get(client, sim, ns):
    apply(client, DEPLOY, deploy())
    sim.advance(5)
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    response = client.get("/apis/apps/v1/namespaces/app/deployments", headers={"Accept": accept})
    assert response.headers["content-type"] == "application/json;as=Table;v=v1;g=meta.k8s.io"
    body = response.json()
    assert [c["name"] for c in body["columnDefinitions"]] == [
        "Name",
        "Ready",
        "Up-to-date",
        "Available",
        "Age",
    ]
    assert body["rows"][0]["cells"] == ["web", "2/2", 2, 2, "5s"]
    assert body["rows"][0]["object"]["metadata"]["namespace"] == "app"


def test_invalid_names_are_refused_as_the_apiserver_words_it(client, ns):
    bad = client.post("/api/v1/namespaces/app/configmaps", json=cm(name="Bad_Name"))
    assert bad.status_code == 422
    assert bad.json()["message"].startswith(
        'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: '
        '"Bad_Name": a lowercase RFC 1123 subdomain must consist of'
    )
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.org"},
        "spec": {
            "group": "example.com",
            "names": {"plural": "gadgets", "kind": "Gadget"},
            "scope": "Cluster",
            "versions": [{"name": "v1", "served": True, "storage": True}],
        },
    }
    response = client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd)
    assert response.status_code == 422
    assert 'must be spec.names.plural+"."+spec.group' in response.json()["message"]
    missing = client.put("/api/v1/namespaces/app/configmaps/absent", json=cm(name="absent"))
    assert missing.status_code == 404


def test_custom_resources_are_pruned_and_strictly_validated(client, sim, ns):
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "size": {"type": "integer"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                },
            }
        },
    }
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
            "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}],
        },
    }
    client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd)
    sim.advance(1)
    gadget = {
        "apiVersion": "example.com/v1",
        "kind": "Gadget",
        "metadata": {"name": "g", "namespace": "app"},
        "spec": {"size": 1, "sise": 2, "labels": {"a": "b"}, "free": {"any": {"thing": 1}}},
    }
    path = "/apis/example.com/v1/namespaces/app/gadgets"
    strict = client.post(f"{path}?fieldValidation=Strict", json=gadget)
    assert strict.status_code == 400
    assert strict.json()["message"] == 'strict decoding error: unknown field "spec.sise"'
    warned = client.post(path, json=gadget)
    assert warned.status_code == 201
    assert warned.headers["warning"] == '299 - "unknown field \\"spec.sise\\""'
    assert warned.json()["spec"] == {"size": 1, "labels": {"a": "b"}, "free": {"any": {"thing": 1}}}


def test_a_lease_is_only_updated_at_a_stated_version(client, ns):
    # The Lease strategy refuses unconditional updates (AllowUnconditionalUpdate false), and a stale version
    # is a 409 like any other kind's: what makes leader election over a Lease safe.
    path = "/apis/coordination.k8s.io/v1/namespaces/app/leases/shard"
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "shard", "namespace": "app"},
        "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15},
    }
    created = client.post("/apis/coordination.k8s.io/v1/namespaces/app/leases", json=lease)
    assert created.status_code == 201
    read = created.json()

    blind = client.put(path, json={**lease, "spec": {"holderIdentity": "b"}})
    assert blind.status_code == 422
    assert blind.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'leases.coordination.k8s.io "shard" is invalid: metadata.resourceVersion: Invalid value: 0x0: '
        "must be specified for an update",
        "reason": "Invalid",
        "details": {
            "name": "shard",
            "group": "coordination.k8s.io",
            "kind": "leases",
            "causes": [
                {
                    "reason": "FieldValueInvalid",
                    "message": "Invalid value: 0x0: must be specified for an update",
                    "field": "metadata.resourceVersion",
                }
            ],
        },
        "code": 422,
    }

    first = client.put(path, json={**read, "spec": {"holderIdentity": "b", "leaseDurationSeconds": 15}})
    assert first.status_code == 200
    second = client.put(path, json={**read, "spec": {"holderIdentity": "c", "leaseDurationSeconds": 15}})
    assert second.status_code == 409
    assert second.json()["reason"] == "Conflict"
    assert second.json()["message"] == (
        'Operation cannot be fulfilled on leases.coordination.k8s.io "shard": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    assert client.get(path).json()["spec"]["holderIdentity"] == "b"
    # A ConfigMap's strategy allows the unconditional update the Lease refused.
    client.post("/api/v1/namespaces/app/configmaps", json=cm())
    assert client.put("/api/v1/namespaces/app/configmaps/cfg", json=cm(data={"a": "2"})).status_code == 200
