"""A selective sync keeps only the named resources and runs no hooks (Argo CD's `operation.sync.resources`)."""

from __future__ import annotations

from plan_support import obj, order

from wavecd.plan import ResourceSelector, plan_app, select_resources

ARGO = "argocd.argoproj.io/hook"


def manifests():
    return [
        obj("Job", "migrate", api="batch/v1", annotations={ARGO: "PreSync"}),
        obj("Job", "cleanup", api="batch/v1", annotations={ARGO: "SyncFail"}),
        obj("ConfigMap", "settings", namespace="a"),
        obj("ConfigMap", "settings", namespace="b"),
        obj("Deployment", "web", api="apps/v1", namespace="a"),
    ]


def test_only_named_resources_remain_and_hooks_do_not_run():
    plan = select_resources(plan_app(manifests()), [ResourceSelector("apps", "Deployment", "web")])
    assert order(plan) == [("Sync", 0, "Deployment", "web")]
    assert plan.sync_fail == ()


def test_an_empty_namespace_matches_any_and_a_given_one_only_itself():
    every = select_resources(plan_app(manifests()), [ResourceSelector("", "ConfigMap", "settings")])
    assert [(t.namespace, t.name) for t in every.tasks] == [("a", "settings"), ("b", "settings")]
    one = select_resources(plan_app(manifests()), [ResourceSelector("", "ConfigMap", "settings", "b")])
    assert [(t.namespace, t.name) for t in one.tasks] == [("b", "settings")]


def test_a_named_prune_is_kept_and_an_unnamed_one_is_not():
    live = [obj("ConfigMap", "old", namespace="a"), obj("ConfigMap", "older", namespace="a")]
    plan = plan_app([], live=live)
    assert sorted(t.name for t in plan.prunes) == ["old", "older"]
    kept = select_resources(plan, [ResourceSelector("", "ConfigMap", "old")])
    assert [t.name for t in kept.prunes] == ["old"]
