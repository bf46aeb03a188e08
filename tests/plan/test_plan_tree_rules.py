"""Tree-plan rules on small hand-built trees, and the sort as a property."""

from hypothesis import given
from hypothesis import strategies as st
from plan_support import obj, wave

from wavecd.apps.kinds import KindTable
from wavecd.apps.model import parse_application
from wavecd.apps.node import AppNode, Tree
from wavecd.plan import plan_app, plan_tree
from wavecd.plan.kind_order import KIND_ORDER, kind_rank
from wavecd.plan.order import PHASE_ORDER


def _app(name, parent, depth, wave_, manifests=(), kind="Application", error=None):
    manifest = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": {
            "source": {"repoURL": "https://example.com/repo"},
            "destination": {"namespace": name, "server": "https://kubernetes.default.svc"},
            "syncPolicy": {"syncOptions": ["CreateNamespace=true"]},
        },
    }
    node = AppNode(
        name=name,
        kind=kind,
        namespace="argocd",
        parent=parent,
        depth=depth,
        wave=wave_,
        source="",
        obj=manifest,
        manifests=list(manifests),
        error=error,
    )
    if kind == "Application" and error is None:
        node.app = parse_application(manifest)
        node.destination = node.app.destination
    return node


def test_nested_apps_appset_children_and_broken_apps():
    nodes = [
        _app("root", None, 0, None),
        _app("infra", "root", 1, 3),
        _app("set", "root", 1, -7, kind="ApplicationSet"),
        _app("deep", "infra", 2, -1, [obj("ConfigMap", "c")]),
        _app("gen", "set", 2, 2),
        _app("broken", "root", 1, 2, error="render failed"),
    ]
    plan = plan_tree(Tree(nodes=nodes, kinds=KindTable()))
    assert [(w.wave, w.names) for w in plan.waves] == [(-1, ("deep",)), (2, ("gen", "broken")), (3, ("infra",))]
    assert [a.name for a in plan.order] == ["root", "deep", "gen", "broken", "infra"]
    assert plan.errors == {"broken": "render failed"}
    assert [(t.phase, t.kind, t.name) for t in plan.app_plans["deep"].tasks] == [
        ("PreSync", "Namespace", "deep"),
        ("Sync", "ConfigMap", "c"),
    ]
    assert plan.wave_of("gen") == 2


_kinds = st.sampled_from([*KIND_ORDER[1:13], *KIND_ORDER[14:], "Widget", "Gizmo"])  # no Namespace, no CRD
_objects = st.lists(
    st.tuples(
        _kinds, st.text("ab-", max_size=3), st.integers(-3, 3), st.sampled_from(["", "PreSync", "PostSync", "SyncFail"])
    ),
    max_size=25,
)


@given(_objects)
def test_tasks_come_out_sorted_by_phase_wave_kind_name(items):
    manifests = [
        obj(kind, f"{name}-{i}", annotations=wave(w, **({"argocd.argoproj.io/hook": h} if h else {})))
        for i, (kind, name, w, h) in enumerate(items)
    ]
    plan = plan_app(manifests)
    every = plan.tasks + plan.sync_fail
    assert sorted(t.name for t in every) == sorted(m["metadata"]["name"] for m in manifests)
    keys = [(PHASE_ORDER[t.phase], t.wave, kind_rank(t.kind), t.name) for t in every]
    assert keys == sorted(keys)
