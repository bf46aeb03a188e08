"""Sync options (app `syncPolicy.syncOptions`, resource `argocd.argoproj.io/sync-options`) and prunes,
after gitops-engine's `sync_context.go` and the cases of its `sync_context_test.go`."""

import pytest
from plan_support import obj, wave

from wavecd.plan import PlanError, PlanOptions, app_sync_options, plan_app, resource_sync_options

OPTS = "argocd.argoproj.io/sync-options"


def test_app_options_are_read_as_exact_strings():
    options = app_sync_options(
        [
            "CreateNamespace=true",
            "ServerSideApply=true",
            "PruneLast=true",
            "ApplyOutOfSyncOnly=true",
            "Replace=true",
            "Prune=false",
            "Validate=false",
            "PrunePropagationPolicy=background",
            "Frobnicate=yes",
            "createnamespace=true",
        ]
    )
    assert (
        options.create_namespace,
        options.server_side_apply,
        options.prune_last,
        options.apply_out_of_sync_only,
        options.replace,
        options.prune,
        options.validate,
    ) == (True, True, True, True, True, "false", False)
    assert options.prune_propagation_policy == "background"
    assert options.unknown == ("Frobnicate=yes", "createnamespace=true")
    empty = app_sync_options(None)
    assert (empty.create_namespace, empty.validate, empty.prune, empty.prune_propagation_policy) == (
        False,
        True,
        None,
        "foreground",
    )


@pytest.mark.parametrize("bad", ["CreateNamespace=true", ["ok", 3]])
def test_app_options_must_be_a_list_of_strings(bad):
    with pytest.raises(PlanError, match="syncOptions must be a list of strings"):
        app_sync_options(bad)


def test_resource_options_are_a_csv_annotation():
    options = resource_sync_options({OPTS: " Prune=false, Replace=true ,,Prune=confirm"})
    assert options.raw == ("Prune=false", "Replace=true", "Prune=confirm")
    assert (options.prune, options.replace) == ("false", True)  # first Prune= wins


def test_effective_options_per_task():
    app = PlanOptions(sync_options=app_sync_options(["ServerSideApply=true", "Validate=true"]))
    plan = plan_app(
        [
            obj("ConfigMap", "a"),
            obj("ConfigMap", "b", annotations={OPTS: "ServerSideApply=false,Validate=false"}),
            obj("ConfigMap", "c", annotations={OPTS: "Replace=true,Force=true"}),
        ],
        options=app,
    )
    got = {
        t.name: (t.options.server_side_apply, t.options.validate, t.options.replace, t.options.force)
        for t in plan.tasks
    }
    assert got == {"a": (True, True, False, False), "b": (False, False, False, False), "c": (True, True, True, True)}


def test_custom_resources_of_a_crd_in_the_sync_skip_the_dry_run():
    from plan_support import crd

    plan = plan_app(
        [
            crd("example.com", "Widget", "widgets"),
            obj("Widget", "w", api="example.com/v1"),
            obj("Gadget", "g", api="example.com/v1"),
        ]
    )
    assert {t.name: t.options.skip_dry_run for t in plan.tasks} == {"widgets.example.com": False, "w": True, "g": False}


def _pods(*waves):
    return [obj("Pod", f"pod-{i}", annotations=wave(w)) for i, w in enumerate(waves, 1)]


def _waves(plan):
    return {t.name: t.wave for t in plan.tasks}


def test_prune_waves_are_mirrored():
    # TestWaveReorderingOfPruneTasks "differentWave_mixedTasks"
    ns = obj("Namespace", "ns", annotations=wave(0))
    pods = _pods(1, 2, 3, 4)
    plan = plan_app([ns, pods[1]], live=[ns, pods[0], pods[2], pods[3]])
    assert _waves(plan) == {"ns": 0, "pod-1": 4, "pod-2": 2, "pod-3": 3, "pod-4": 1}
    assert {t.name for t in plan.prunes} == {"pod-1", "pod-3", "pod-4"}


def test_prune_waves_mixed_tasks():
    # TestWaveReorderingOfPruneTasks "mixedTasks"
    ns = obj("Namespace", "ns", annotations=wave(-1))
    pods = _pods(1, 3, 3, 3, 4, 5, 5)
    plan = plan_app([ns, pods[1], pods[5]], live=[ns, pods[0], pods[2], pods[3], pods[4], pods[5], pods[6]])
    assert _waves(plan) == {
        "pod-1": 5,
        "pod-3": 4,
        "pod-4": 4,
        "pod-5": 3,
        "pod-7": 1,
        "ns": -1,
        "pod-2": 3,
        "pod-6": 5,
    }


def test_prune_last_for_the_app_and_per_live_resource():
    # TestWaveReorderingOfPruneTasks "pruneLast" and "pruneLastIndividualResources"
    ns = obj("Namespace", "ns", annotations=wave(0))
    pods = _pods(1, 2, 3, 4)
    pods[1]["metadata"]["annotations"][OPTS] = "PruneLast=true"
    app_last = PlanOptions(sync_options=app_sync_options(["PruneLast=true"]))
    assert _waves(plan_app([ns], live=[ns, *pods], options=app_last)) == {
        "ns": 0,
        "pod-1": 5,
        "pod-2": 5,
        "pod-3": 5,
        "pod-4": 5,
    }
    plan = plan_app([ns], live=[ns, *pods])
    assert _waves(plan) == {"ns": 0, "pod-1": 4, "pod-2": 5, "pod-3": 2, "pod-4": 1}
    assert plan.tasks[-1].name == "pod-2"


def test_prune_last_counts_from_wave_zero():
    # TestPruneLast "syncPhaseSameWave" and "syncPhaseDifferentWave"
    app_last = PlanOptions(sync_options=app_sync_options(["PruneLast=true"]))
    same = _pods(0, 0, 0)
    assert plan_app([same[0]], live=same[1:], options=app_last).tasks[-1].wave == 1
    different = _pods(2, 1, 7)
    assert plan_app([different[0]], live=different[1:], options=app_last).tasks[-1].wave == 8


def test_prune_false_and_confirm_per_resource_over_app_default():
    live = [
        obj("ConfigMap", "keep", annotations={OPTS: "Prune=false"}),
        obj("ConfigMap", "ask"),
        obj("ConfigMap", "free", annotations={OPTS: "Prune=true"}),
        obj("Job", "old-hook", api="batch/v1", annotations={"argocd.argoproj.io/hook": "PreSync"}),
    ]
    plan = plan_app([], live=live, options=PlanOptions(sync_options=app_sync_options(["Prune=confirm"])))
    got = {t.name: (t.options.prune_disabled, t.options.prune_confirm) for t in plan.prunes}
    assert got == {"keep": (True, False), "ask": (False, True), "free": (False, False)}  # live hooks: no prune


def test_a_live_object_with_a_target_is_attached_not_pruned():
    target = obj("ConfigMap", "c", namespace="ns")
    live = obj("ConfigMap", "c", namespace="ns", annotations={OPTS: "Replace=true"})
    plan = plan_app([target], live=[live])
    assert [(t.is_prune, t.live is live, t.options.replace) for t in plan.tasks] == [(False, True, True)]


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("text", "a manifest must be a mapping"),
        ({"kind": "ConfigMap"}, "needs a string apiVersion and kind"),
        ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": ["x"]}, "metadata of ConfigMap \\? must be a mapping"),
        (
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"a": 1}}},
            "metadata.annotations\\['a'\\] of ConfigMap c must be a string, not int",
        ),
    ],
)
def test_bad_manifests_are_clear_errors(manifest, message):
    with pytest.raises(PlanError, match=message) as caught:
        plan_app([manifest], options=PlanOptions(app="demo"))
    assert "app demo" in caught.value.render()


@pytest.mark.parametrize(
    ("options", "policy"),
    [
        ([], "foreground"),
        (["PrunePropagationPolicy=orphan"], "orphan"),
        (["PrunePropagationPolicy=Orphan"], "foreground"),
        (["PrunePropagationPolicy=orphan", "PrunePropagationPolicy=background"], "background"),
    ],
)
def test_prune_propagation_policy_as_the_controller_switch_reads_it(options, policy):
    assert app_sync_options(options).prune_propagation_policy == policy
