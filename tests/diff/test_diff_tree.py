"""Two walks compared app by app, on hand-built trees: the app's ignoreDifferences taken as Argo CD takes them,
Secret values masked, and the pull-request comment cut to its size limit with a note naming what was cut."""

from __future__ import annotations

import copy
from typing import Any

from wavecd.apps.kinds import KindTable
from wavecd.apps.node import AppNode, Tree
from wavecd.diff.markdown import markdown_report
from wavecd.diff.tree_diff import compare_trees


def deployment(image: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"argocd.argoproj.io/sync-wave": "2"}},
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "web", "image": image}]}}},
    }


def secret(password: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db", "namespace": "shop"},
        "stringData": {"password": password},
    }


def tree(*apps: tuple[str, list[dict[str, Any]], list[dict[str, Any]]]) -> Tree:
    nodes = []
    for name, manifests, ignore in apps:
        obj = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": name}, "spec": {}}
        if ignore:
            obj["spec"]["ignoreDifferences"] = ignore
        nodes.append(AppNode(name, "Application", "argocd", None, 0, 0, "", obj, manifests=copy.deepcopy(manifests)))
    return Tree(nodes, KindTable())


def test_ignore_differences_hide_what_the_app_ignores_and_nothing_else():
    replicas = [{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}]
    before = tree(("shop", [deployment("web:1", 2)], replicas))
    assert compare_trees(before, tree(("shop", [deployment("web:1", 5)], replicas)), "a", "b").apps == []

    # an omitted group is the core group only, as Argo CD's empty glob: it does not match apps/Deployment
    core_only = [{"kind": "Deployment", "jsonPointers": ["/spec/replicas"]}]
    diff = compare_trees(
        tree(("shop", [deployment("web:1", 2)], core_only)),
        tree(("shop", [deployment("web:1", 5)], core_only)),
        "a",
        "b",
    )
    (app,) = diff.apps
    (obj,) = app.objects
    assert (obj.change, obj.wave) == ("changed", 2)
    assert "-    replicas: 2\n+    replicas: 5\n" in obj.diff.replace("  replicas", "    replicas").replace(
        "      ", "    "
    )

    # jq is evaluated as Argo CD's del(EXPR): a patch that fails at run time (tostring is no path) is skipped
    # as Argo CD skips it, so replicas still show; one that does not compile is named in a warning
    jq = [
        {
            "group": "apps",
            "kind": "Deployment",
            "jqPathExpressions": [
                '.spec.template.spec.containers[] | select(.name | startswith("we")) | .image',
                ".spec.replicas | tostring",
                ".spec.replicas |",
            ],
        }
    ]
    diff = compare_trees(
        tree(("shop", [deployment("web:1", 2)], jq)), tree(("shop", [deployment("web:2", 2)], jq)), "a", "b"
    )
    assert diff.apps == []
    diff = compare_trees(
        tree(("shop", [deployment("web:1", 2)], jq)), tree(("shop", [deployment("web:1", 5)], jq)), "a", "b"
    )
    assert diff.apps[0].warnings == [
        "spec.ignoreDifferences[0]: jqPathExpressions '.spec.replicas |': jq: error: syntax error, unexpected ')'"
        " at <top-level>, line 1, column 21; skipped (Argo CD fails the app's comparison on it)"
    ]
    assert [obj.name for obj in diff.apps[0].objects] == ["web"]


def test_secret_values_are_masked_but_their_change_shows():
    diff = compare_trees(tree(("shop", [secret("old-pass")], [])), tree(("shop", [secret("new-pass")], [])), "a", "b")
    (obj,) = diff.apps[0].objects
    assert "pass" not in obj.diff.replace("password", "")
    # Argo CD's order: the newer (target) side takes the first mask
    assert "-  password: ++++++++++++\n+  password: ++++++++\n" in obj.diff


def test_a_secret_moved_from_string_data_to_the_same_data_is_no_change():
    encoded = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}}
    encoded["data"] = {"password": "b2xkLXBhc3M="}  # base64 of old-pass
    assert compare_trees(tree(("shop", [secret("old-pass")], [])), tree(("shop", [encoded], [])), "a", "b").apps == []


def test_markdown_is_cut_to_its_limit_with_a_note_naming_what_was_cut():
    many = [(f"app-{i:02}", [deployment(f"web:{i}", 1)], []) for i in range(40)]
    changed = [
        (name, [deployment(m[0]["spec"]["template"]["spec"]["containers"][0]["image"] + "-new", 1)], [])
        for name, m, _ in many
    ]
    diff = compare_trees(tree(*many), tree(*changed), "main", "working tree")
    whole = markdown_report(diff, limit=10**6)
    assert whole.count("<details>") == 40 and "⚠️" not in whole
    cut = markdown_report(diff, limit=5000)
    assert len(cut) <= 5000
    assert cut.count("<details>") == cut.count("</details>") < 40
    assert cut.count("```diff") * 2 == cut.count("```")  # every fence that opens, closes
    assert "| `app-39` | changed | 0 | 2 | 0 | 1 | 0 |" in cut  # the summary keeps every row
    assert "⚠️ The diff is longer than 5000 characters." in cut
    left_out = cut.split("left out: ")[1]
    shown = cut.count("<details>")
    assert left_out.startswith(f"app-{shown:02}, ")  # the first app whose section did not fit, and on
    assert f" and {40 - shown - 15} more." in left_out


def test_apps_of_one_name_in_two_namespaces_are_two_apps():
    def apps(image_a: str, image_b: str, with_b: bool = True) -> Tree:
        nodes = [
            AppNode("web", "Application", namespace, None, 0, 0, "", {"metadata": {"name": "web"}}, manifests=[m])
            for namespace, m in (("team-a", deployment(image_a, 1)), ("team-b", deployment(image_b, 1)))
            if with_b or namespace == "team-a"
        ]
        return Tree(nodes, KindTable())

    diff = compare_trees(apps("web:1", "web:1"), apps("web:1", "web:2"), "a", "b")
    (app,) = diff.apps
    assert (app.label, app.change, diff.unchanged) == ("team-b/web", "changed", 1)
    assert "+      - image: web:2" in app.objects[0].diff
    assert "team-b/web" in markdown_report(diff, 65536)

    diff = compare_trees(apps("web:1", "web:1"), apps("web:1", "web:1", with_b=False), "a", "b")
    assert [(app.label, app.namespace, app.change) for app in diff.apps] == [("team-b/web", "team-b", "removed")]
    assert diff.to_json()["apps"][0]["namespace"] == "team-b"
