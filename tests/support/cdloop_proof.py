"""The CD-loop proof (tests/sync/test_sync_proof_cdloop.py on the sim, and tests/differential/ on a real
apiserver): after the staging sync, one service's `image.tag` is bumped in its values file and committed; the
next sync changes only the apps that read that file, their Deployments roll (a new ReplicaSet, the old one scaled
to zero), and every other object keeps its resourceVersion. Applications are the exception by design: each
records the new commit in its status (as Argo CD does), while its spec stays as it was; so is what the cluster
provisions when the new pods need room (support/provisioning.py), which wavecd does not write.

The staging folder is a real git repository here, read at its branch `argocd-sync/staging` (no worktree mode),
so the change reaches the sync only through a commit, as in the seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.gitops import git
from support.provisioning import provisioned_for_the_rollout
from support.snapshot import Key, copy_examples, live_objects, resource_versions, tracked_by
from support.sync_proofs import events_named, sync_in_process
from wavecd.kube import KubeClient

__all__ = ["staging_repository", "the_bump_rolls_only_that_app"]

BRANCH = "argocd-sync/staging"
# The service's values file is also the base layer of its loadtest twin (loadtest-webs/values-seat.yaml is
# layered over it), so exactly these two apps read it.
APPS = {"staging-seat": "staging-webs", "loadtest-seat": "loadtest-webs"}
VALUES = "ca-staging/values/apps/staging-webs/values-seat.yaml"
OLD_TAG, NEW_TAG = '"2.3.5-b418"', '"2.3.6-b419"'


def staging_repository(tmp: Path) -> Path:
    """A private copy of the staging example as a git repository on `BRANCH`, its worktree mode turned off."""
    staging = copy_examples(tmp)
    config = staging / "wavecd.yaml"
    text = config.read_text()
    assert "    worktree: true\n" in text
    config.write_text(text.replace("    worktree: true\n", ""))
    git(staging, "init", "-q", "-b", BRANCH)
    git(staging, "add", "-A")
    git(staging, "commit", "-q", "-m", "staging")
    return staging


def the_bump_rolls_only_that_app(repo: Path, kubeconfig: Path) -> None:
    """Sync `repo` to its steady state, commit the bump, sync again, and check what changed."""
    with KubeClient.from_kubeconfig(str(kubeconfig)) as client:
        for _ in range(2):  # the second sync adds what needed the first one's CRDs: the steady state after it
            result, _ = sync_in_process(repo, kubeconfig)
            assert (result.phase, result.health) == ("Succeeded", "Healthy")
        before = live_objects(client)

        values = repo / VALUES
        assert OLD_TAG in values.read_text()
        values.write_text(values.read_text().replace(OLD_TAG, NEW_TAG))
        git(repo, "commit", "-q", "-am", f"seat: {NEW_TAG}")
        result, events = sync_in_process(repo, kubeconfig)
        assert (result.exit_code, result.phase, result.health) == (0, "Succeeded", "Healthy")
        after = live_objects(client)

    # The seed's java-service chart labels every object with `app.kubernetes.io/version: <image.tag>`, so each
    # object of a bumped app is configured; nothing of any other app is.
    applied = events_named(events, "applied")
    assert {e["app"] for e in applied if e["result"] != "unchanged"} == set(APPS)
    assert {e["result"] for e in applied if e["app"] not in APPS} == {"unchanged"}
    expected_to_change: set[Key] = {key for key, obj in after.items() if tracked_by(obj) in APPS}
    for app, namespace in APPS.items():
        [name] = [
            e["resource"]
            for e in applied
            if e["app"] == app and e["kind"] == "Deployment" and e["result"] == "configured"
        ]
        expected_to_change |= assert_rolled(after, after[("apps", "Deployment", namespace, name)])
    expected_to_change |= {key for key in before if key[:2] == ("", "Pod") and key not in after}  # the old sets' pods
    applications = {key for key in after if key[:2] == ("argoproj.io", "Application")}
    assert {key: after[key]["spec"] for key in applications} == {key: before[key]["spec"] for key in applications}
    expected_to_change |= applications
    expected_to_change |= provisioned_for_the_rollout(before, after)
    unchanged_before = {key: rv for key, rv in resource_versions(before).items() if key not in expected_to_change}
    unchanged_after = {key: rv for key, rv in resource_versions(after).items() if key not in expected_to_change}
    assert len(unchanged_after) > 200
    assert unchanged_after == unchanged_before


def owned_by(objects: dict[Key, dict[str, Any]], owner: dict[str, Any]) -> list[dict[str, Any]]:
    uid = owner["metadata"]["uid"]
    return [
        obj
        for obj in objects.values()
        if any(ref["uid"] == uid for ref in obj["metadata"].get("ownerReferences") or [])
    ]


def assert_rolled(objects: dict[Key, dict[str, Any]], deploy: dict[str, Any]) -> set[Key]:
    """The Deployment runs the new tag in a new ReplicaSet and the old set has no replicas left; returns the keys
    of the sets and the new pods."""
    image = deploy["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.endswith(":" + NEW_TAG.strip('"'))
    sets = owned_by(objects, deploy)
    assert len(sets) == 2
    new = [s for s in sets if s["spec"]["template"]["spec"]["containers"][0]["image"] == image]
    old = [s for s in sets if s not in new]
    assert len(new) == 1 and new[0]["spec"]["replicas"] == deploy["spec"]["replicas"] > 0
    assert len(old) == 1 and old[0]["spec"]["replicas"] == 0
    assert not owned_by(objects, old[0])
    return {key for key, obj in objects.items() if obj in (*sets, *owned_by(objects, new[0]))}
