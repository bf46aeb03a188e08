"""Sort order inside one Application, case by case from gitops-engine's own `pkg/sync/sync_tasks_test.go`
(argo-cd master @ 37ee009, in-tree gitops-engine) and `sync_context_test.go`."""

import pytest
from plan_support import crd, obj, order, wave

from wavecd.plan import KIND_ORDER, PlanOptions, app_sync_options, kind_rank, plan_app
from wavecd.plan.hooks import NOT_A_HOOK
from wavecd.plan.order import sort_tasks
from wavecd.plan.task import Task


def test_kind_order_table_is_gitops_engines():
    # Test_syncTasks_kindOrder
    assert (kind_rank("Namespace"), kind_rank("APIService"), kind_rank("MyCRD")) == (-35, -1, 0)
    assert len(KIND_ORDER) == 35
    assert KIND_ORDER[13] == "CustomResourceDefinition" and kind_rank("CustomResourceDefinition") == -22
    assert [kind_rank(k) for k in KIND_ORDER] == list(range(-35, 0))


def _task(phase="Sync", wave_=0, kind="", name="", tag=""):
    return Task(
        phase=phase,
        wave=wave_,
        own_wave=wave_,
        group="",
        kind=kind,
        name=name,
        namespace=tag,
        hook=NOT_A_HOOK,
        target={},
    )


def test_sort_sync_tasks():
    # TestSortSyncTask: the unsorted list and the order gitops-engine asserts for it
    unsorted = [
        _task(kind="Pod"),
        _task(kind="Service"),
        _task(kind="PersistentVolume"),
        _task("SyncFail"),
        _task(wave_=1),
        _task(name="b"),
        _task(name="a"),
        _task(wave_=-1),
        _task(tag="kindless"),
        _task("PreSync"),
        _task("PostSync"),
        _task(kind="ConfigMap"),
    ]
    got = [(t.phase, t.wave, t.kind, t.name) for t in sort_tasks(unsorted)]
    assert got == [
        ("PreSync", 0, "", ""),
        ("Sync", -1, "", ""),
        ("Sync", 0, "ConfigMap", ""),
        ("Sync", 0, "PersistentVolume", ""),
        ("Sync", 0, "Service", ""),
        ("Sync", 0, "Pod", ""),
        ("Sync", 0, "", ""),
        ("Sync", 0, "", "a"),
        ("Sync", 0, "", "b"),
        ("Sync", 1, "", ""),
        ("PostSync", 0, "", ""),
        ("SyncFail", 0, "", ""),
    ]


def test_namespace_sorts_before_custom_resource():
    # TestSyncNamespaceAgainstCRD
    plan = plan_app([obj("Workflow", "w", api="argoproj.io/v1alpha1"), obj("Namespace", "n")])
    assert [t.kind for t in plan.tasks] == ["Namespace", "Workflow"]


def test_namespaces_are_hoisted_before_the_first_hook_in_them_taking_its_phase_and_wave():
    # TestSyncTasksSort_NamespaceAndObjectInNamespace
    hook = {"argocd.argoproj.io/hook": "PreSync"}
    manifests = [
        obj("Job", "mySyncHookJob1", api="batch/v1", namespace="myNamespace1", annotations=hook),
        obj("Job", "mySyncHookJob2", api="batch/v1", namespace="myNamespace2", annotations=hook),
        obj("Namespace", "myNamespace1", annotations=wave(1)),
        obj("Namespace", "myNamespace2", annotations=wave(2)),
    ]
    plan = plan_app(manifests)
    assert order(plan) == [
        ("PreSync", 0, "Namespace", "myNamespace1"),
        ("PreSync", 0, "Job", "mySyncHookJob1"),
        ("PreSync", 0, "Namespace", "myNamespace2"),
        ("PreSync", 0, "Job", "mySyncHookJob2"),
    ]
    assert [t.own_wave for t in plan.tasks if t.kind == "Namespace"] == [1, 2]


def test_crd_is_hoisted_before_its_custom_resource():
    # TestSyncTasksSort_CRDAndCR: a PreSync Workflow pulls the Workflow CRD into PreSync
    cr = obj("Workflow", "w", api="argoproj.io/v1", annotations={"argocd.argoproj.io/hook": "PreSync"})
    plan = plan_app([cr, crd("argoproj.io", "Workflow", "workflows")])
    assert order(plan) == [
        ("PreSync", 0, "CustomResourceDefinition", "workflows.argoproj.io"),
        ("PreSync", 0, "Workflow", "w"),
    ]


def test_crd_in_a_later_wave_moves_to_the_wave_of_its_first_resource():
    manifests = [
        obj("Widget", "early", api="example.com/v1", namespace="ns", annotations=wave(-3)),
        {
            **crd("example.com", "Widget", "widgets"),
            "metadata": {"name": "widgets.example.com", "annotations": wave(5)},
        },
        obj("ConfigMap", "c", namespace="ns", annotations=wave(5)),
    ]
    plan = plan_app(manifests)
    assert order(plan) == [
        ("Sync", -3, "CustomResourceDefinition", "widgets.example.com"),
        ("Sync", -3, "Widget", "early"),
        ("Sync", 5, "ConfigMap", "c"),
    ]


def test_crd_group_must_match_for_hoisting():
    manifests = [obj("Widget", "w", api="other.io/v1", annotations=wave(-1)), crd("example.com", "Widget", "widgets")]
    assert [t.kind for t in plan_app(manifests).tasks] == ["Widget", "CustomResourceDefinition"]


def test_kind_lookup_ignores_the_api_group_and_names_compare_bytewise():
    manifests = [
        obj("Service", "svc-b", api="serving.knative.dev/v1"),
        obj("ConfigMap", "Z"),
        obj("ConfigMap", "a"),
        obj("Service", "svc-a"),
    ]
    assert [(t.group, t.name) for t in plan_app(manifests).tasks] == [
        ("", "Z"),
        ("", "a"),
        ("", "svc-a"),
        ("serving.knative.dev", "svc-b"),
    ]


def test_destination_namespace_is_given_to_targets_and_pulls_its_namespace_forward():
    manifests = [obj("ConfigMap", "early", annotations=wave(-5)), obj("Namespace", "team")]
    plan = plan_app(manifests, options=PlanOptions(namespace="team"))
    assert order(plan) == [("Sync", -5, "Namespace", "team"), ("Sync", -5, "ConfigMap", "early")]
    assert plan.tasks[1].namespace == "team"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-5", -5),
        ("+3", 3),
        ("007", 7),
        (" 5", 0),
        ("5.0", 0),
        ("", 0),
        ("1e3", 0),
        ("9223372036854775808", 0),
        ("-9223372036854775808", -9223372036854775808),
    ],
)
def test_wave_is_parsed_like_go_atoi(text, expected):
    plan = plan_app([obj("ConfigMap", "c", annotations={"argocd.argoproj.io/sync-wave": text})])
    assert plan.tasks[0].wave == expected


def test_hook_weight_is_the_wave_when_sync_wave_is_absent_or_invalid_even_without_a_hook():
    plan = plan_app(
        [
            obj("ConfigMap", "a", annotations={"helm.sh/hook-weight": "4"}),
            obj("ConfigMap", "b", annotations={"helm.sh/hook-weight": "4", "argocd.argoproj.io/sync-wave": "x"}),
            obj("ConfigMap", "c", annotations={"helm.sh/hook-weight": "4", "argocd.argoproj.io/sync-wave": "-1"}),
        ]
    )
    assert [(t.name, t.wave) for t in plan.tasks] == [("c", -1), ("a", 4), ("b", 4)]


def test_waves_group_by_phase_and_wave_and_multi_step():
    # Test_syncTasks_multiStep: one step is not multi-step, two are
    single = plan_app([obj("Pod", "p", annotations=wave(-1))])
    assert (len(single.waves()), single.multi_step) == (1, False)
    double = plan_app(
        [
            obj("Pod", "a", annotations=wave(-1, **{"argocd.argoproj.io/hook": "PreSync"})),
            obj("Pod", "b", annotations=wave(1, **{"argocd.argoproj.io/hook": "PostSync"})),
        ]
    )
    assert [(s.phase, s.wave) for s in double.waves()] == [("PreSync", -1), ("PostSync", 1)]
    assert double.multi_step


def test_create_namespace_adds_a_presync_namespace_unless_a_manifest_declares_it():
    options = PlanOptions(sync_options=app_sync_options(["CreateNamespace=true"]), namespace="team")
    plan = plan_app([obj("ConfigMap", "c")], options=options)
    assert order(plan) == [("PreSync", 0, "Namespace", "team"), ("Sync", 0, "ConfigMap", "c")]
    assert plan.tasks[0].auto_namespace
    declared = plan_app([obj("ConfigMap", "c"), obj("Namespace", "team")], options=options)
    assert [t.auto_namespace for t in declared.tasks] == [False, False]
    assert plan_app([obj("ConfigMap", "c")], options=PlanOptions(namespace="team")).tasks[0].kind == "ConfigMap"
