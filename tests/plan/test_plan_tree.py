"""The example repository's tree plan: the root first, then tree waves -10 … 17 with the generated apps
placed by their own annotation, and the one CRD-order finding of the example."""

import pytest

from support.staging import GENERATED, SEED_TREE, WAVE_TABLE_ADDITIONS
from wavecd.plan import plan_tree


def _tree_waves() -> dict[int, set[str]]:
    """The Applications of the seed's wave table (not its ApplicationSets, whose Applications are synced
    instead) and the generated ones, by tree wave."""
    waves: dict[int, set[str]] = {}
    for name, source, wave in SEED_TREE + WAVE_TABLE_ADDITIONS:
        if source != "applicationset":
            waves.setdefault(wave, set()).add(name)
    for name, _, wave, _ in GENERATED:
        waves.setdefault(wave, set()).add(name)
    return waves


WAVES = _tree_waves()


@pytest.fixture(scope="module")
def example_plan(example_tree):
    return plan_tree(example_tree)


def test_tree_waves_in_ascending_order_root_first(example_plan):
    assert example_plan.root.name == "root-staging"
    assert example_plan.wave_of("root-staging") is None
    assert [w.wave for w in example_plan.waves] == sorted(WAVES)
    assert {w.wave: set(w.names) for w in example_plan.waves} == WAVES
    names = [a.name for a in example_plan.order]
    assert names[0] == "root-staging" and len(names) == len(set(names)) == 1 + sum(map(len, WAVES.values()))
    assert not any(a.kind == "ApplicationSet" for a in example_plan.order)
    assert example_plan.errors == {}


def test_every_application_has_its_own_plan(example_plan):
    assert set(example_plan.app_plans) == {a.name for a in example_plan.order}
    kps = example_plan.app_plans["kube-prometheus-stack"]
    kinds = [t.kind for t in kps.tasks]
    assert kinds.index("CustomResourceDefinition") < kinds.index("Prometheus")
