"""The ApplicationSet controller's writes and an Application's deletion, checked against the rules of Argo CD's
controllers (applicationset/controllers/applicationset_controller.go, applicationset/utils/policy.go,
controller/appcontroller.go finalizeApplicationDeletion, controller/sort_delete.go)."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from wavecd.apps.appset import expand_applicationset
from wavecd.apps.kinds import KindTable
from wavecd.apps.node import AppNode, Tree
from wavecd.core import ManualClock
from wavecd.server.appset_plan import AppSetPlanError, effective_policy, plan_appset
from wavecd.server.appsets import reconcile_appset
from wavecd.server.deletion import finalize_application_deletion, removed_applications
from wavecd.sync import SyncSettings
from wavecd.sync.context import SyncContext
from wavecd.sync.inventory import tracked_by_instance
from wavecd.sync.records import write_appset_status

ARGO = "argoproj.io/v1alpha1"
FINALIZER = "resources-finalizer.argocd.argoproj.io"
# Argo CD's conditions of a set whose Applications are all written (applicationset_controller.go).
GENERATED = "Successfully generated parameters for all Applications"
UP_TO_DATE = [
    ("ErrorOccurred", "False", "ApplicationSetUpToDate", "All applications have been generated successfully"),
    ("ParametersGenerated", "True", "ParametersGenerated", GENERATED),
    ("ResourcesUpToDate", "True", "ApplicationSetUpToDate", "All applications have been generated successfully"),
]


class NoContext:
    """List generators need neither clusters nor git."""

    def clusters(self):
        return []

    def git_paths(self, repo_url, revision):
        raise AssertionError("no git generator here")

    def git_read(self, repo_url, revision, path):
        raise AssertionError("no git generator here")


APPSET = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
  namespace: argocd
  uid: 6f0c8f2e-0000-4000-8000-000000000001
spec:
  generators:
  - list:
      elements: []
  template:
    metadata:
      name: '{{env}}-guestbook'
      annotations:
        team: web
    spec:
      project: default
      source:
        repoURL: https://git.example/apps.git
        targetRevision: '{{revision}}'
        path: guestbook
      destination:
        server: https://kubernetes.default.svc
        namespace: '{{env}}'
"""


def appset(envs: list[str], revision: str = "main", **spec: Any) -> dict[str, Any]:
    doc = yaml.safe_load(APPSET)
    doc["spec"]["generators"][0]["list"]["elements"] = [{"env": env, "revision": revision} for env in envs]
    doc["spec"].update(spec)
    return doc


def generate(doc: dict[str, Any]) -> list[dict[str, Any]]:
    expansion = expand_applicationset(doc, NoContext())
    assert expansion.errors == []
    return expansion.applications


def live_from(doc: dict[str, Any], app: dict[str, Any]) -> dict[str, Any]:
    """What the cluster would hold after the set created `app`: the written object plus server fields."""
    written = plan_appset(doc, [app], []).create[0]
    out = copy.deepcopy(written)
    out["metadata"].update(uid="u-" + app["metadata"]["name"], resourceVersion="7", generation=1)
    out["status"] = {"sync": {"status": "Synced"}}
    return out


def names(objs: list[dict[str, Any]]) -> list[str]:
    return [o["metadata"]["name"] for o in objs]


# -- the policy table ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("policy", "create", "update", "delete", "unchanged"),
    [
        ("sync", ["new-guestbook"], ["changed-guestbook"], ["gone-guestbook"], []),
        ("create-only", ["new-guestbook"], [], [], ["changed-guestbook", "gone-guestbook"]),
        ("create-update", ["new-guestbook"], ["changed-guestbook"], [], ["gone-guestbook"]),
        ("create-delete", ["new-guestbook"], [], ["gone-guestbook"], ["changed-guestbook"]),
        (None, ["new-guestbook"], ["changed-guestbook"], ["gone-guestbook"], []),  # sync is the default
    ],
)
def test_each_policy_creates_updates_and_deletes_as_argo_cd_allows(policy, create, update, delete, unchanged):
    before = appset(["changed", "gone"], revision="v1")
    live = [live_from(before, app) for app in generate(before)]
    after = appset(["new", "changed"], revision="v2")
    if policy is not None:
        after["spec"]["syncPolicy"] = {"applicationsSync": policy}
    plan = plan_appset(after, generate(after), live)
    assert (names(plan.create), names(plan.update), names(plan.delete), names(plan.unchanged)) == (
        create,
        update,
        delete,
        unchanged,
    )
    for app in plan.update:
        assert app["spec"]["source"]["targetRevision"] == "v2"
        assert app["status"] == {"sync": {"status": "Synced"}}  # an update keeps what the app controller wrote


def test_an_app_already_as_generated_is_left_alone():
    doc = appset(["dev"])
    live = [live_from(doc, app) for app in generate(doc)]
    # Written back by a client with Go's zero values: the same app to Argo CD's comparison.
    live[0]["metadata"]["labels"] = {}
    live[0]["spec"].update(revisionHistoryLimit=None, syncPolicy={"syncOptions": []})
    plan = plan_appset(doc, generate(doc), live)
    assert (plan.create, plan.update, plan.delete, names(plan.unchanged)) == ([], [], [], ["dev-guestbook"])


def test_a_controller_policy_wins_unless_overrides_are_enabled():
    doc = appset(["dev"], syncPolicy={"applicationsSync": "create-only"})
    assert effective_policy(doc) == "create-only"  # no controller policy: the set's own counts
    assert effective_policy(doc, "sync") == "sync"  # --policy set: overrides are off by default
    assert effective_policy(doc, "sync", enable_policy_override=True) == "create-only"
    assert effective_policy(appset(["dev"]), "create-delete", enable_policy_override=True) == "create-delete"
    with pytest.raises(AppSetPlanError, match="Policy value can be: sync, create-only"):
        effective_policy(doc, "everything")


# -- what an update keeps ----------------------------------------------------------------------------------------
def test_update_replaces_labels_and_annotations_but_keeps_those_argo_cd_preserves():
    doc = appset(["dev"], preservedFields={"annotations": ["owner"], "labels": ["tier"]})
    live = live_from(doc, generate(doc)[0])
    live["metadata"]["annotations"].update(
        {
            "notified.notifications.argoproj.io": '{"on-sync":1}',
            "argocd.argoproj.io/refresh": "hard",
            "argocd.argoproj.io/hydrate": "normal",
            "owner": "alice",
            "edited-by-hand": "yes",
        }
    )
    live["metadata"]["labels"] = {"tier": "gold", "stray": "x"}
    live["metadata"]["finalizers"] += ["post-delete-finalizer.argocd.argoproj.io/cleanup", "someone-else/finalizer"]
    plan = plan_appset(doc, generate(doc), [live])
    (updated,) = plan.update
    assert updated["metadata"]["annotations"] == {
        "team": "web",
        "notified.notifications.argoproj.io": '{"on-sync":1}',
        "argocd.argoproj.io/refresh": "hard",
        "argocd.argoproj.io/hydrate": "normal",
        "owner": "alice",
    }
    assert updated["metadata"]["labels"] == {"tier": "gold"}
    assert updated["metadata"]["finalizers"] == [FINALIZER, "post-delete-finalizer.argocd.argoproj.io/cleanup"]


def test_ignore_application_differences_keeps_the_live_value():
    doc = appset(["dev"], revision="v2")
    live = live_from(appset(["dev"], revision="v1"), generate(doc)[0])
    live["spec"]["source"]["targetRevision"] = "v1"
    doc["spec"]["ignoreApplicationDifferences"] = [{"jsonPointers": ["/spec/source/targetRevision"]}]
    assert names(plan_appset(doc, generate(doc), [live]).unchanged) == ["dev-guestbook"]
    doc["spec"]["ignoreApplicationDifferences"] = [{"name": "other", "jsonPointers": ["/spec/source/targetRevision"]}]
    assert names(plan_appset(doc, generate(doc), [live]).update) == ["dev-guestbook"]
    doc["spec"]["ignoreApplicationDifferences"] = [{"jqPathExpressions": [".spec.source"]}]
    plan = plan_appset(doc, generate(doc), [live])
    assert plan.update == [] and plan.failed == {
        "dev-guestbook": "ignoreApplicationDifferences: jqPathExpressions are not supported by wavecd"
    }


# -- the finalizer rule and the owner ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("template_finalizers", "preserve", "expected"),
    [
        (None, False, [FINALIZER]),
        (None, True, None),
        (["example.com/keep"], False, ["example.com/keep"]),
        ([f"{FINALIZER}/background"], False, [f"{FINALIZER}/background"]),
    ],
)
def test_the_resources_finalizer_comes_only_without_template_finalizers_and_preserve(
    template_finalizers, preserve, expected
):
    doc = appset(["dev"], syncPolicy={"preserveResourcesOnDeletion": preserve})
    if template_finalizers is not None:
        doc["spec"]["template"]["metadata"]["finalizers"] = template_finalizers
    (created,) = plan_appset(doc, generate(doc), []).create
    assert created["metadata"].get("finalizers") == expected


def test_every_generated_app_is_controlled_by_its_set():
    doc = appset(["dev"])
    (created,) = plan_appset(doc, generate(doc), []).create
    assert created["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "ApplicationSet",
            "name": "guestbook",
            "uid": "6f0c8f2e-0000-4000-8000-000000000001",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    live = live_from(doc, generate(doc)[0])
    live["metadata"]["ownerReferences"][0]["name"] = "another-set"
    plan = plan_appset(doc, generate(doc), [], live_unowned=[live])
    assert (plan.create, plan.update) == ([], [])
    assert plan.failed == {"dev-guestbook": "Object is already owned by another ApplicationSet controller another-set"}


def test_an_app_of_a_generated_name_the_set_does_not_own_yet_is_taken_over_whatever_the_policy():
    doc = appset(["dev"], syncPolicy={"applicationsSync": "create-only"})
    recorded = copy.deepcopy(generate(doc)[0])  # as `wavecd sync` records it: no owner
    recorded["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "x", "uid": "1"}]
    (taken,) = plan_appset(doc, generate(doc), [], live_unowned=[recorded]).update
    assert [ref["kind"] for ref in taken["metadata"]["ownerReferences"]] == ["ConfigMap", "ApplicationSet"]


# -- against the simulated cluster -------------------------------------------------------------------------------
def record_appset(kube, doc: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(doc)
    body["metadata"].pop("uid", None)
    return kube.apply(body, force=True)


def app_names(kube) -> list[str]:
    return sorted(a["metadata"]["name"] for a in kube.list(ARGO, "Application", "argocd"))


def config_map(name: str, app: str, wave: int, **annotations: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": "dev",
            "annotations": {
                "argocd.argoproj.io/tracking-id": f"{app}:/ConfigMap:dev/{name}",
                "argocd.argoproj.io/sync-wave": str(wave),
                **annotations,
            },
        },
    }


def deploy_resources(kube, app: str) -> None:
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    for obj in (
        config_map("first", app, 0),
        config_map("second", app, 1),
        config_map("third", app, 2),
        config_map("third-too", app, 2),
        config_map("kept", app, 5, **{"argocd.argoproj.io/sync-options": "Delete=false"}),
        config_map("helm-kept", app, 5, **{"helm.sh/resource-policy": "keep"}),
    ):
        kube.apply(obj)


def conditions(kube) -> list[tuple[str, str, str, str]]:
    live = kube.get(ARGO, "ApplicationSet", "guestbook", "argocd")
    return [(c["type"], c["status"], c["reason"], c["message"]) for c in live["status"]["conditions"]]


def finalize_until_gone(sim, kube, name: str) -> list[list[str]]:
    """Run the controller's passes on the Application until it is gone; the names each pass deleted."""
    passes = []
    for _ in range(20):
        app = kube.get(ARGO, "Application", name, "argocd")
        if app is None:
            return passes
        done = finalize_application_deletion(kube, app, tracked_by_instance(kube).get(name, []))
        passes.append(names(done.deleted))
        sim.advance(1)
    raise AssertionError(f"{name} still there after {passes}")


def test_a_shrinking_generator_deletes_the_app_and_what_it_tracked_wave_by_wave(sim, kube):
    doc = appset(["dev", "prod"])
    live_set = record_appset(kube, doc)
    plan = reconcile_appset(kube, live_set, generate(doc))
    assert names(plan.create) == ["dev-guestbook", "prod-guestbook"]
    assert app_names(kube) == ["dev-guestbook", "prod-guestbook"]
    owner = kube.get(ARGO, "Application", "dev-guestbook", "argocd")["metadata"]["ownerReferences"][0]
    assert (owner["name"], owner["uid"], owner["controller"]) == ("guestbook", live_set["metadata"]["uid"], True)
    assert conditions(kube) == UP_TO_DATE
    deploy_resources(kube, "dev-guestbook")

    shrunk = appset(["prod"])
    plan = reconcile_appset(kube, record_appset(kube, shrunk), generate(shrunk))
    assert names(plan.delete) == ["dev-guestbook"]
    held = kube.get(ARGO, "Application", "dev-guestbook", "argocd")
    assert held["metadata"]["deletionTimestamp"] and held["metadata"]["finalizers"] == [FINALIZER]

    first_delete = len(sim.requests)
    passes = finalize_until_gone(sim, kube, "dev-guestbook")
    assert passes[:3] == [["third", "third-too"], ["second"], ["first"]]
    deletes = [urlsplit(r.path) for r in sim.requests[first_delete:] if r.method == "DELETE"]
    assert [d.path.rsplit("/", 1)[1] for d in deletes] == ["third", "third-too", "second", "first"]
    assert {d.query for d in deletes} == {"propagationPolicy=Foreground"}
    assert app_names(kube) == ["prod-guestbook"]
    left = sorted(c["metadata"]["name"] for c in kube.list("v1", "ConfigMap", "dev") if "tracking-id" in str(c))
    assert left == ["helm-kept", "kept"]


def test_a_wave_waits_while_an_object_of_the_wave_above_is_still_being_deleted(sim, kube):
    doc = appset(["dev"])
    reconcile_appset(kube, record_appset(kube, doc), generate(doc))
    deploy_resources(kube, "dev-guestbook")
    held = config_map("third", "dev-guestbook", 2)
    held["metadata"]["finalizers"] = ["example.com/hold"]
    kube.apply(held)
    kube.delete(ARGO, "Application", "dev-guestbook", "argocd")

    def one_pass():
        app = kube.get(ARGO, "Application", "dev-guestbook", "argocd")
        return finalize_application_deletion(kube, app, tracked_by_instance(kube)["dev-guestbook"])

    assert names(one_pass().deleted) == ["third", "third-too"]
    assert one_pass().deleted == []  # "third" is still there, being deleted: the next wave waits
    assert kube.get("v1", "ConfigMap", "second", "dev")["metadata"].get("deletionTimestamp") is None
    kube.patch("v1", "ConfigMap", "third", {"metadata": {"finalizers": None}}, namespace="dev")
    assert names(one_pass().deleted) == ["second"]


def test_an_update_reaches_the_cluster_and_keeps_the_status_and_a_requested_refresh(sim, kube):
    doc = appset(["dev"], revision="v1")
    reconcile_appset(kube, record_appset(kube, doc), generate(doc))
    kube.patch(
        ARGO,
        "Application",
        "dev-guestbook",
        {
            "metadata": {"annotations": {"argocd.argoproj.io/refresh": "normal"}},
            "status": {"health": {"status": "Healthy"}},
        },
        namespace="argocd",
    )
    changed = appset(["dev"], revision="v2")
    plan = reconcile_appset(kube, record_appset(kube, changed), generate(changed))
    assert names(plan.update) == ["dev-guestbook"]
    live = kube.get(ARGO, "Application", "dev-guestbook", "argocd")
    assert live["spec"]["source"]["targetRevision"] == "v2"
    assert live["metadata"]["annotations"] == {"team": "web", "argocd.argoproj.io/refresh": "normal"}
    assert live["status"] == {"health": {"status": "Healthy"}}


def test_create_only_keeps_the_app_the_generator_dropped(sim, kube):
    doc = appset(["dev", "prod"], syncPolicy={"applicationsSync": "create-only"})
    reconcile_appset(kube, record_appset(kube, doc), generate(doc))
    shrunk = appset(["prod"], syncPolicy={"applicationsSync": "create-only"})
    plan = reconcile_appset(kube, record_appset(kube, shrunk), generate(shrunk))
    assert plan.delete == [] and app_names(kube) == ["dev-guestbook", "prod-guestbook"]


def test_preserve_resources_on_deletion_deletes_the_app_but_not_its_resources(sim, kube):
    doc = appset(["dev", "prod"], syncPolicy={"preserveResourcesOnDeletion": True})
    reconcile_appset(kube, record_appset(kube, doc), generate(doc))
    deploy_resources(kube, "dev-guestbook")
    shrunk = appset(["prod"], syncPolicy={"preserveResourcesOnDeletion": True})
    reconcile_appset(kube, record_appset(kube, shrunk), generate(shrunk))
    assert app_names(kube) == ["prod-guestbook"]  # no finalizer held it
    assert sorted(names(tracked_by_instance(kube)["dev-guestbook"])) == [
        "first",
        "helm-kept",
        "kept",
        "second",
        "third",
        "third-too",
    ]


def test_without_the_finalizer_a_deletion_pass_orphans_the_resources(sim, kube):
    app = {
        "apiVersion": ARGO,
        "kind": "Application",
        "metadata": {"name": "dev-guestbook", "namespace": "argocd", "finalizers": ["example.com/other"]},
        "spec": {"project": "default"},
    }
    kube.apply(app)
    deploy_resources(kube, "dev-guestbook")
    kube.delete(ARGO, "Application", "dev-guestbook", "argocd")
    live = kube.get(ARGO, "Application", "dev-guestbook", "argocd")
    done = finalize_application_deletion(kube, live, tracked_by_instance(kube)["dev-guestbook"])
    assert (done.deleted, done.finished) == ([], True)
    assert kube.get("v1", "ConfigMap", "third", "dev") is not None
    assert kube.get(ARGO, "Application", "dev-guestbook", "argocd")["metadata"]["finalizers"] == ["example.com/other"]


def test_a_second_reconcile_with_nothing_new_writes_nothing(sim, kube):
    doc = appset(["dev"])
    live_set = record_appset(kube, doc)
    reconcile_appset(kube, live_set, generate(doc))
    before = len(sim.requests)
    live_set = kube.get(ARGO, "ApplicationSet", "guestbook", "argocd")
    plan = reconcile_appset(kube, live_set, generate(doc))
    assert names(plan.unchanged) == ["dev-guestbook"]
    assert [r.method for r in sim.requests[before:] if r.method not in ("GET",)] == []


def test_an_app_another_set_controls_is_reported_and_stops_the_deletes(sim, kube):
    doc = appset(["dev", "prod", "old"])
    reconcile_appset(kube, record_appset(kube, doc), generate(doc))
    other = copy.deepcopy(generate(appset(["dev"]))[0])
    other["metadata"]["name"] = "taken-guestbook"
    other["metadata"]["ownerReferences"] = [
        {"apiVersion": ARGO, "kind": "ApplicationSet", "name": "other", "uid": "u-1", "controller": True}
    ]
    kube.create(other)
    changed = appset(["dev", "prod", "taken"], revision="v2")
    plan = reconcile_appset(kube, record_appset(kube, changed), generate(changed))
    assert names(plan.update) == ["dev-guestbook", "prod-guestbook"] and list(plan.failed) == ["taken-guestbook"]
    live = kube.get(ARGO, "Application", "dev-guestbook", "argocd")
    assert live["spec"]["source"]["targetRevision"] == "v2"  # the others are written all the same
    assert "old-guestbook" in app_names(kube)  # but nothing is deleted after a failure
    message = "Object is already owned by another ApplicationSet controller other"
    assert conditions(kube) == [
        ("ErrorOccurred", "True", "UpdateApplicationError", message),
        ("ParametersGenerated", "True", "ParametersGenerated", GENERATED),
        ("ResourcesUpToDate", "False", "ErrorOccurred", message),
    ]


def test_an_app_recorded_before_its_set_is_adopted(sim, kube):
    doc = appset(["dev"])
    kube.apply(generate(doc)[0], force=True)  # `wavecd sync` records generated apps without an owner
    plan = reconcile_appset(kube, record_appset(kube, doc), generate(doc))
    assert names(plan.update) == ["dev-guestbook"] and plan.create == []
    live = kube.get(ARGO, "Application", "dev-guestbook", "argocd")
    assert [ref["name"] for ref in live["metadata"]["ownerReferences"]] == ["guestbook"]
    assert conditions(kube)[2][:2] == ("ResourcesUpToDate", "True")


def test_a_generator_failure_is_reported_and_changes_no_app(sim, kube):
    doc = appset(["dev"])
    live_set = record_appset(kube, doc)
    reconcile_appset(kube, live_set, generate(doc))
    plan = reconcile_appset(kube, live_set, [], generation_error="error generating params: boom")
    assert plan.delete == [] and app_names(kube) == ["dev-guestbook"]
    assert conditions(kube) == [
        ("ErrorOccurred", "True", "ErrorOccurred", "error generating params: boom"),
        ("ParametersGenerated", "False", "ErrorOccurred", "error generating params: boom"),
        ("ResourcesUpToDate", "False", "ErrorOccurred", "error generating params: boom"),
    ]


# -- an app removed from its parent ------------------------------------------------------------------------------
def node(name: str, kind: str, manifests: list[dict[str, Any]], error: str | None = None) -> AppNode:
    return AppNode(name, kind, "argocd", None, 0, None, "root", {}, manifests=manifests, error=error)


def child(kind: str, name: str, tracked_by: str) -> dict[str, Any]:
    return {
        "apiVersion": ARGO,
        "kind": kind,
        "metadata": {
            "name": name,
            "namespace": "argocd",
            "annotations": {"argocd.argoproj.io/tracking-id": f"{tracked_by}:argoproj.io/{kind}:argocd/{name}"},
        },
    }


def test_apps_a_parent_no_longer_renders_are_the_removed_ones():
    live = [
        child("Application", "kept", "root"),
        child("Application", "no-namespace", "root"),
        child("Application", "dropped", "root"),
        child("ApplicationSet", "dropped-set", "root"),
        child("Application", "of-broken", "broken"),
        child("Application", "of-gone-parent", "gone"),
    ]
    unspaced = child("Application", "no-namespace", "root")
    del unspaced["metadata"]["namespace"]  # recorded in argocd
    tree = Tree(
        [
            node("root", "Application", [child("Application", "kept", "root"), unspaced]),
            node("broken", "Application", [], error="render failed"),
        ],
        KindTable(),
    )
    removed = removed_applications(tree, live)
    assert [(r.parent, r.obj["kind"], r.obj["metadata"]["name"]) for r in removed] == [
        ("root", "Application", "dropped"),
        ("root", "ApplicationSet", "dropped-set"),
    ]


@pytest.mark.parametrize(("policy", "apps_left"), [("create-only", ["dev-guestbook"]), ("sync", [])])
def test_a_deleted_set_takes_its_apps_only_when_its_policy_deletes(sim, kube, policy, apps_left):
    doc = appset(["dev"], syncPolicy={"applicationsSync": policy, "preserveResourcesOnDeletion": True})
    doc["metadata"]["finalizers"] = [FINALIZER]  # held, so the controller sees the set being deleted
    reconcile_appset(kube, record_appset(kube, doc), generate(doc))
    kube.delete(ARGO, "ApplicationSet", "guestbook", "argocd")
    reconcile_appset(kube, kube.get(ARGO, "ApplicationSet", "guestbook", "argocd"), generate(doc))
    sim.advance(5)
    assert kube.get(ARGO, "ApplicationSet", "guestbook", "argocd") is None
    assert app_names(kube) == apps_left


def test_an_app_whose_cluster_is_gone_is_deleted_without_waiting_for_its_resources(sim, kube):
    doc = appset(["dev", "far"])
    doc["spec"]["template"]["spec"]["destination"] = {"name": "{{env}}-cluster", "namespace": "web"}
    clusters = [("dev-cluster", "https://kubernetes.default.svc"), ("far-cluster", "https://far.example")]
    reconcile_appset(kube, record_appset(kube, doc), generate(doc), clusters=clusters)
    assert app_names(kube) == ["dev-guestbook", "far-guestbook"]
    shrunk = appset([])
    shrunk["spec"]["template"] = doc["spec"]["template"]
    reconcile_appset(kube, record_appset(kube, shrunk), [], clusters=clusters[:1])
    # Both are deleted; the far cluster is gone, so nothing holds its app, while dev's finalizer holds dev.
    assert app_names(kube) == ["dev-guestbook"]
    held = kube.get(ARGO, "Application", "dev-guestbook", "argocd")["metadata"]
    assert held["deletionTimestamp"] and held["finalizers"] == [FINALIZER]


def deleted_app(kube, finalizers: list[str], **spec: Any) -> dict[str, Any]:
    """An Application whose deletion was asked for, held by `finalizers`."""
    kube.apply(
        {
            "apiVersion": ARGO,
            "kind": "Application",
            "metadata": {"name": "dev-guestbook", "namespace": "argocd", "finalizers": finalizers},
            "spec": {"project": "default", **spec},
        }
    )
    kube.delete(ARGO, "Application", "dev-guestbook", "argocd")
    return kube.get(ARGO, "Application", "dev-guestbook", "argocd")


def test_a_delete_confirm_object_holds_the_cascade_until_the_deletion_is_approved(sim, kube):
    deploy_resources(kube, "dev-guestbook")
    kube.apply(config_map("confirm", "dev-guestbook", 0, **{"argocd.argoproj.io/sync-options": "Delete=confirm"}))
    app = deleted_app(kube, [FINALIZER])
    assert finalize_application_deletion(kube, app, tracked_by_instance(kube)["dev-guestbook"]).deleted == []
    approved = kube.patch(
        ARGO,
        "Application",
        "dev-guestbook",
        {"metadata": {"annotations": {"argocd.argoproj.io/deletion-approved": app["metadata"]["deletionTimestamp"]}}},
        namespace="argocd",
    )
    done = finalize_application_deletion(kube, approved, tracked_by_instance(kube)["dev-guestbook"])
    assert names(done.deleted) == ["third", "third-too"]


def test_an_app_whose_cluster_is_gone_drops_its_cascade_and_hook_finalizers(sim, kube):
    deploy_resources(kube, "dev-guestbook")
    hooks = ["pre-delete-finalizer.argocd.argoproj.io", "post-delete-finalizer.argocd.argoproj.io/cleanup"]
    app = deleted_app(kube, [FINALIZER, *hooks, "example.com/other"], destination={"name": "far", "namespace": "x"})
    tracked = tracked_by_instance(kube)["dev-guestbook"]
    done = finalize_application_deletion(kube, app, tracked, clusters=[("near", "https://near.example")])
    assert (done.deleted, done.finished) == ([], True)
    assert kube.get(ARGO, "Application", "dev-guestbook", "argocd")["metadata"]["finalizers"] == ["example.com/other"]
    assert kube.get("v1", "ConfigMap", "third", "dev") is not None  # unreachable in Argo CD: left alone


def test_wavecd_sync_records_a_set_with_the_same_conditions_as_the_controller(sim, kube):
    record_appset(kube, appset(["dev"]))
    ctx = SyncContext(client=kube, clock=ManualClock(), settings=SyncSettings(), emit_to=lambda _event: None)
    write_appset_status(ctx, "guestbook", "argocd")
    assert conditions(kube) == UP_TO_DATE
