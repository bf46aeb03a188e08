"""Hooks: Argo CD's and Helm's annotations, as gitops-engine's `hook`, `hook/helm` and `ignore` packages
read them (cases after their `hook_test.go`, `helm/type_test.go`, `delete_policy_test.go`)."""

import pytest
from plan_support import obj, order

from wavecd.plan import PlanOptions, hook_info, plan_app

ARGO, HELM = "argocd.argoproj.io/hook", "helm.sh/hook"
ARGO_DEL, HELM_DEL = "argocd.argoproj.io/hook-delete-policy", "helm.sh/hook-delete-policy"


@pytest.mark.parametrize(
    ("annotations", "is_hook", "types", "from_helm", "skip", "ignored"),
    [
        ({}, False, (), False, False, False),
        ({ARGO: "PreSync"}, True, ("PreSync",), False, False, False),
        ({ARGO: " PreSync , PostSync,PreSync,"}, True, ("PreSync", "PostSync"), False, False, False),
        ({ARGO: "Skip"}, False, ("Skip",), False, True, False),
        ({ARGO: "Skip,PreSync"}, True, ("Skip", "PreSync"), False, False, False),
        ({ARGO: "Foo"}, True, (), False, False, True),  # unknown Argo type: the object vanishes
        ({ARGO: ""}, True, (), False, False, True),
        ({ARGO: "PreDelete"}, True, (), False, False, True),  # not a sync hook: the controller's business
        ({HELM: "pre-install"}, True, ("PreSync",), True, False, False),
        ({HELM: "pre-install,pre-upgrade"}, True, ("PreSync", "PreSync"), True, False, False),
        ({HELM: "post-install"}, True, ("PostSync",), True, False, False),
        ({HELM: "post-upgrade"}, True, ("PostSync",), True, False, False),
        ({HELM: "crd-install"}, False, (), False, False, False),  # a normal resource
        ({HELM: "test"}, True, (), False, False, True),  # unsupported Helm hooks are ignored
        ({HELM: "pre-delete"}, True, (), False, False, True),
        ({ARGO: "Sync", HELM: "pre-install"}, True, ("Sync",), False, False, False),  # Argo wins
        ({ARGO: "Foo", HELM: "post-install"}, True, ("PostSync",), True, False, False),  # no valid Argo type
    ],
)
def test_hook_detection(annotations, is_hook, types, from_helm, skip, ignored):
    info = hook_info(annotations)
    assert (info.is_hook, info.types, info.from_helm, info.skip, info.ignored) == (
        is_hook,
        types,
        from_helm,
        skip,
        ignored,
    )


@pytest.mark.parametrize(
    ("annotations", "policies"),
    [
        ({ARGO: "PreSync"}, ("BeforeHookCreation",)),
        ({ARGO: "PreSync", ARGO_DEL: "HookSucceeded,HookFailed"}, ("HookSucceeded", "HookFailed")),
        ({ARGO: "PreSync", ARGO_DEL: "Bogus"}, ("BeforeHookCreation",)),
        (
            {HELM: "pre-install", HELM_DEL: "hook-succeeded,before-hook-creation"},
            ("HookSucceeded", "BeforeHookCreation"),
        ),
        ({ARGO: "PreSync", ARGO_DEL: "HookFailed", HELM_DEL: "hook-failed"}, ("HookFailed", "HookFailed")),
    ],
)
def test_delete_policies_union_argo_and_helm_default_before_hook_creation(annotations, policies):
    assert hook_info(annotations).delete_policies == policies


def test_hook_phases_and_sync_fail_split_off():
    manifests = [
        obj(
            "Job", "migrate", api="batch/v1", annotations={HELM: "pre-install,pre-upgrade", "helm.sh/hook-weight": "-2"}
        ),
        obj("Job", "smoke", api="batch/v1", annotations={ARGO: "PostSync,PreSync"}),
        obj("Job", "cleanup", api="batch/v1", annotations={ARGO: "SyncFail"}),
        obj("Job", "test", api="batch/v1", annotations={HELM: "test"}),
        obj("ConfigMap", "skipped", annotations={ARGO: "Skip"}),
        obj("Deployment", "app", api="apps/v1"),
    ]
    plan = plan_app(manifests)
    assert order(plan) == [
        ("PreSync", -2, "Job", "migrate"),
        ("PreSync", 0, "Job", "smoke"),
        ("Sync", 0, "Deployment", "app"),
        ("PostSync", 0, "Job", "smoke"),
    ]
    assert [(t.phase, t.name) for t in plan.sync_fail] == [("SyncFail", "cleanup")]
    assert [t.helm_hook for t in plan.tasks] == [True, False, False, False]
    assert [o["metadata"]["name"] for o in plan.skipped] == ["skipped"]
    assert [o["metadata"]["name"] for o in plan.ignored] == ["test"]
    assert plan.tasks[0].delete_policies == ("BeforeHookCreation",)
    assert plan.tasks[2].delete_policies == ()
    assert len(plan.hooks) == 4


def test_skip_hooks_leaves_only_resources():
    manifests = [obj("Job", "migrate", api="batch/v1", annotations={ARGO: "PreSync"}), obj("ConfigMap", "c")]
    assert order(plan_app(manifests, options=PlanOptions(skip_hooks=True))) == [("Sync", 0, "ConfigMap", "c")]


def test_unnamed_hook_sorts_by_generate_name():
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": "a-", "annotations": {ARGO: "Sync"}}}
    plan = plan_app([obj("Job", "b", api="batch/v1", annotations={ARGO: "Sync"}), job])
    assert [t.name for t in plan.tasks] == ["a-", "b"]


def test_a_hook_gets_its_live_object_but_is_never_pruned():
    hook = obj("Job", "migrate", api="batch/v1", annotations={ARGO: "PreSync"})
    plan = plan_app([hook], live=[hook])
    assert [(t.name, t.is_hook, t.is_prune, t.live is hook) for t in plan.tasks] == [("migrate", True, False, True)]
