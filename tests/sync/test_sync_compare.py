"""The Synced comparison against an in-process simulated cluster: objects are applied here the way the sync
applies them (tracked, server-side, field manager `wavecd`), then changed the ways users and controllers
change them."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from support.paths import KUBECTL, needs_kubectl
from wavecd.kube import KubeClient
from wavecd.sync.compare import DIFFERS, EXTRA, MISSING, NOT_TRACKED, compare, desired_body
from wavecd.sync.inventory import tracked_by_instance
from wavecd.sync.tracking import with_tracking

APP = "shop"
NS = "shop"


def namespace() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}


def deployment() -> dict[str, Any]:
    labels = {"app": "web"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": NS},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]},
            },
        },
    }


def config_map(data: str = "1") -> dict[str, Any]:
    """No namespace: it belongs in the app's destination namespace."""
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"level": data}}


def targets() -> list[dict[str, Any]]:
    return [namespace(), deployment(), config_map()]


def sync(kube: KubeClient, objects: list[dict[str, Any]], instance: str = APP) -> None:
    """Apply as the sync does: the tracked object, in the destination namespace when it names none."""
    for obj in objects:
        kube.apply(desired_body(obj, instance, NS, kube.is_namespaced(obj["apiVersion"], obj["kind"])), force=True)


def verdicts(kube: KubeClient, objects: list[dict[str, Any]], instance: str = APP) -> dict[str, tuple[str, str]]:
    return {r.ref: (r.status, r.reason) for r in compare(kube, instance, objects, NS).resources}


def test_nothing_applied_is_missing(kube):
    comparison = compare(kube, APP, targets(), NS)
    assert comparison.status == "OutOfSync"
    assert verdicts(kube, targets()) == {
        "Namespace:shop": ("OutOfSync", MISSING),
        "apps/Deployment:shop/web": ("OutOfSync", MISSING),
        "ConfigMap:shop/settings": ("OutOfSync", MISSING),
    }


def test_just_applied_is_synced_and_stays_so_while_controllers_write_status(sim, kube):
    sync(kube, targets())
    comparison = compare(kube, APP, targets(), NS)
    assert comparison.status == "Synced"
    assert comparison.out_of_sync == []
    assert [r.ref for r in comparison.resources] == [
        "Namespace:shop",
        "apps/Deployment:shop/web",
        "ConfigMap:shop/settings",
    ]
    sim.advance(60)
    assert kube.get("apps/v1", "Deployment", "web", NS)["status"]["readyReplicas"] == 2
    assert compare(kube, APP, targets(), NS).status == "Synced"


@pytest.mark.slow
@needs_kubectl
def test_kubectl_scale_makes_the_deployment_differ(sim, kube, kubeconfig):
    sync(kube, targets())
    subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(kubeconfig), "-n", NS, "scale", "deployment/web", "--replicas=5"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert verdicts(kube, targets()) == {
        "Namespace:shop": ("Synced", ""),
        "apps/Deployment:shop/web": ("OutOfSync", DIFFERS),
        "ConfigMap:shop/settings": ("Synced", ""),
    }


def test_another_manager_changing_a_field_wavecd_set_differs(kube):
    sync(kube, targets())
    kube.patch("v1", "ConfigMap", "settings", {"data": {"level": "9"}}, namespace=NS, field_manager="someone")
    assert verdicts(kube, targets())["ConfigMap:shop/settings"] == ("OutOfSync", DIFFERS)


def test_a_field_wavecd_does_not_set_is_not_its_business(kube):
    sync(kube, targets())
    kube.patch(
        "v1",
        "ConfigMap",
        "settings",
        {"metadata": {"labels": {"team": "a"}}, "data": {"extra": "x"}},
        namespace=NS,
        field_manager="someone",
    )
    assert compare(kube, APP, targets(), NS).status == "Synced"


def test_a_changed_manifest_differs_from_what_was_applied(kube):
    sync(kube, targets())
    changed = [namespace(), deployment(), config_map("2")]
    assert verdicts(kube, changed)["ConfigMap:shop/settings"] == ("OutOfSync", DIFFERS)


def test_a_field_dropped_from_the_manifest_differs(kube):
    sync(kube, targets())
    dropped = config_map()
    dropped["data"] = {}
    assert verdicts(kube, [dropped])["ConfigMap:shop/settings"] == ("OutOfSync", DIFFERS)


def test_objects_of_another_app_or_of_no_app_are_not_tracked(kube):
    sync(kube, [namespace(), deployment()], instance="other")
    untracked = config_map()
    untracked["metadata"]["namespace"] = NS
    kube.apply(untracked)
    assert verdicts(kube, targets()) == {
        "Namespace:shop": ("OutOfSync", NOT_TRACKED),
        "apps/Deployment:shop/web": ("OutOfSync", NOT_TRACKED),
        "ConfigMap:shop/settings": ("OutOfSync", NOT_TRACKED),
    }


def test_a_copied_tracking_annotation_does_not_count(kube):
    """The value names another object (copied along with the manifest): Argo CD's self-reference check."""
    sync(kube, [namespace()])
    copied = config_map()
    copied["metadata"]["namespace"] = NS
    copied["metadata"]["annotations"] = with_tracking(deployment(), APP, NS)["metadata"]["annotations"]
    kube.apply(copied)
    assert verdicts(kube, targets())["ConfigMap:shop/settings"] == ("OutOfSync", NOT_TRACKED)


def test_a_kind_the_cluster_does_not_serve_is_missing(kube):
    sync(kube, targets())
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}}
    comparison = compare(kube, APP, [*targets(), widget], NS)
    assert comparison.status == "OutOfSync"
    assert [(r.ref, r.reason) for r in comparison.out_of_sync] == [("example.com/Widget:shop/w", MISSING)]


class ControllerInBetween:
    """The test's client, but a controller writes the object (a field wavecd does not set) between the
    comparison's read and its first dry run — as a Deployment controller does on a busy cluster."""

    def __init__(self, kube: KubeClient):
        self._kube = kube
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kube, name)

    def apply(self, obj: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if kwargs.get("dry_run") and not self.writes:
            self.writes += 1
            meta = obj["metadata"]
            self._kube.patch(
                obj["apiVersion"],
                obj["kind"],
                meta["name"],
                {"metadata": {"annotations": {"controller/revision": "2"}}},
                namespace=meta.get("namespace"),
                field_manager="controller",
            )
        return self._kube.apply(obj, **kwargs)


def test_a_controller_writing_between_read_and_dry_run_is_no_difference(kube):
    sync(kube, [namespace(), config_map()])
    racing = ControllerInBetween(kube)
    comparison = compare(racing, APP, [config_map()], NS)
    assert racing.writes == 1
    assert comparison.status == "Synced"


def test_hooks_and_skipped_objects_are_not_compared(kube):
    sync(kube, targets())
    hook = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "migrate", "namespace": NS, "annotations": {"argocd.argoproj.io/hook": "PreSync"}},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "m"}]}}},
    }
    helm_hook = config_map()
    helm_hook["metadata"] = {"name": "test", "annotations": {"helm.sh/hook": "test"}}
    skipped = config_map()
    skipped["metadata"] = {"name": "skipped", "annotations": {"argocd.argoproj.io/hook": "Skip"}}
    comparison = compare(kube, APP, [*targets(), hook, helm_hook, skipped], NS)
    assert comparison.status == "Synced"
    assert len(comparison.resources) == 3


def test_an_app_without_resources_is_synced(kube):
    assert compare(kube, APP, [], NS).status == "Synced"


def test_the_comparison_writes_nothing(kube):
    """A ConfigMap: no controller writes it, so any change of its resourceVersion would be the comparison's."""
    sync(kube, targets())
    kube.patch("v1", "ConfigMap", "settings", {"data": {"level": "9"}}, namespace=NS, field_manager="someone")
    patched = kube.get("v1", "ConfigMap", "settings", NS)
    assert compare(kube, APP, targets(), NS).status == "OutOfSync"
    after = kube.get("v1", "ConfigMap", "settings", NS)
    assert after["metadata"]["resourceVersion"] == patched["metadata"]["resourceVersion"]
    assert after["data"] == {"level": "9"}


# -- live objects the app tracks but no longer renders --------------------------------------------------------------
def left_over(name: str = "old", annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """A ConfigMap an earlier revision of the app rendered."""
    obj = config_map()
    obj["metadata"] = {"name": name, "namespace": NS, **({"annotations": annotations} if annotations else {})}
    return obj


def tracked(kube: KubeClient, instance: str = APP) -> list[dict[str, Any]]:
    return tracked_by_instance(kube).get(instance, [])


def test_a_tracked_object_no_longer_rendered_is_extra_and_out_of_sync(kube):
    old_namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop-old"}}
    sync(kube, [*targets(), left_over(), old_namespace])
    comparison = compare(kube, APP, targets(), NS, tracked(kube))
    assert comparison.status == "OutOfSync"
    assert [(r.ref, r.status, r.reason) for r in comparison.out_of_sync] == [
        ("ConfigMap:shop/old", "OutOfSync", "extra (requires pruning)"),
        ("Namespace:shop-old", "OutOfSync", "extra (requires pruning)"),
    ]


def test_the_rendered_objects_are_not_extra_whatever_their_scope(kube):
    """The Namespace is cluster-scoped and the ConfigMap names no namespace in its manifest: both match."""
    sync(kube, targets())
    assert len(tracked(kube)) == 3
    assert compare(kube, APP, targets(), NS, tracked(kube)).status == "Synced"


@pytest.mark.parametrize("options", ["IgnoreExtraneous", "ServerSideDiff=true, IgnoreExtraneous"])
def test_an_extra_object_marked_ignore_extraneous_keeps_the_app_synced(kube, options):
    sync(kube, [*targets(), left_over(annotations={"argocd.argoproj.io/compare-options": options})])
    comparison = compare(kube, APP, targets(), NS, tracked(kube))
    assert comparison.status == "Synced"
    assert comparison.out_of_sync == []


def test_other_compare_options_do_not_hide_an_extra_object(kube):
    sync(kube, [*targets(), left_over(annotations={"argocd.argoproj.io/compare-options": "ServerSideDiff=true"})])
    assert [r.reason for r in compare(kube, APP, targets(), NS, tracked(kube)).out_of_sync] == [EXTRA]


def test_objects_of_another_app_or_of_none_are_not_this_apps_extras(kube):
    sync(kube, targets())
    sync(kube, [left_over("theirs")], instance="other")
    kube.apply(left_over("nobodys"))
    comparison = compare(kube, APP, targets(), NS, tracked(kube))
    assert comparison.status == "Synced"
    assert [r.ref for r in compare(kube, "other", [], NS, tracked(kube, "other")).out_of_sync] == [
        "ConfigMap:shop/theirs"
    ]


def test_live_hooks_and_skipped_targets_are_not_extra(kube):
    """A hook left behind is the sync's own (its delete policy removes it); a `hook: Skip` target is still
    desired, only never applied."""
    hook = left_over("migrate", annotations={"argocd.argoproj.io/hook": "PostSync"})
    skipped = left_over("skipped")
    sync(kube, [*targets(), hook, skipped])
    skipped["metadata"]["annotations"] = {"argocd.argoproj.io/hook": "Skip"}
    comparison = compare(kube, APP, [*targets(), skipped], NS, tracked(kube))
    assert comparison.status == "Synced"
