"""`wavecd plan ROOT`: the staging example offline (tree waves, JSON shape), a small tree with hooks, a Job and a
Deployment (phases, resource waves, gates), bad input, and against an in-process simulated cluster the verdict
per object: create, change or unchanged."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from support.gitops import REPO_URL, Child, application, config_map, deployment, job, namespace, write_files, write_repo
from support.paths import STAGING
from support.sim import sync_repo, unreachable_kubeconfig
from wavecd.cli.main import main
from wavecd.kube import KubeClient
from wavecd.sync.events import ResourceApplied


def plan(*args: str) -> Result:
    return CliRunner().invoke(main, ["plan", *args])


def plan_json(*args: str) -> dict[str, Any]:
    result = plan(*args, "-o", "json")
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_staging_offline_lists_the_tree_waves_in_order():
    doc = plan_json(str(STAGING))
    waves = [w["wave"] for w in doc["waves"]]
    # the root's sync-wave annotations in examples/staging/ca-staging, lowest -10 (namespaces), highest 17
    assert waves[0] == -10 and waves[-1] == 17
    assert waves == sorted(waves)
    assert doc["waves"][0]["apps"] == ["namespaces"]
    assert doc["root"] == "root-staging" and doc["cluster"] is None
    names = [app["name"] for app in doc["apps"]]
    assert names == ["root-staging", *(name for w in doc["waves"] for name in w["apps"])]
    root = doc["apps"][0]
    # the root declares the child Applications; the tree applies each at its own wave, not as a root step
    assert root["steps"] == []
    assert "Application namespaces" in root["children"]


def test_staging_offline_json_shape_of_one_app():
    doc = plan_json(str(STAGING))
    app = next(a for a in doc["apps"] if a["name"] == "namespaces")
    assert set(app) == {"name", "wave", "namespace", "steps", "syncFail", "skipped", "children", "error"}
    step = app["steps"][0]
    assert set(step) == {"phase", "wave", "objects"}
    obj = step["objects"][0]
    assert set(obj) == {"kind", "group", "namespace", "name", "role", "gate"}  # no verdict offline
    namespaces = [o["name"] for s in app["steps"] for o in s["objects"] if o["kind"] == "Namespace"]
    assert "monitoring" in namespaces and "kafka" in namespaces


def hooked_repo(tmp_path):
    manifests = [
        namespace("shop"),
        job("migrate", "shop", hook="PreSync"),
        config_map("settings", "shop", wave=-1),
        deployment("web", "shop", wave=2),
        job("smoke", "shop", hook="PostSync", annotations={"argocd.argoproj.io/hook-delete-policy": "HookSucceeded"}),
        job("alert", "shop", hook="SyncFail"),
    ]
    return write_repo(tmp_path / "repo", [Child("shop", manifests, wave=3, namespace="shop", sync_policy=None)])


def test_an_apps_hooks_phases_waves_and_gates(tmp_path):
    doc = plan_json(str(hooked_repo(tmp_path)))
    assert [(w["wave"], w["apps"]) for w in doc["waves"]] == [(3, ["shop"])]
    shop = doc["apps"][1]
    steps = [
        (s["phase"], s["wave"], [(o["kind"], o["name"], o["role"], o["gate"]) for o in s["objects"]])
        for s in shop["steps"]
    ]
    assert steps == [
        (
            "PreSync",
            0,
            [
                ("Namespace", "shop", "resource", "applied (no health check)"),
                ("Job", "migrate", "hook", "hook completes: Job completion"),
            ],
        ),
        ("Sync", -1, [("ConfigMap", "settings", "resource", "applied (no health check)")]),
        ("Sync", 2, [("Deployment", "web", "resource", "Healthy: Deployment rollout")]),
        ("PostSync", 0, [("Job", "smoke", "hook", "hook completes: Job completion")]),
    ]
    smoke = shop["steps"][-1]["objects"][0]
    assert (smoke["hookTypes"], smoke["deletePolicies"]) == (["PostSync"], ["HookSucceeded"])
    assert [(o["kind"], o["name"]) for o in shop["syncFail"]] == [("Job", "alert")]


def test_text_output_names_waves_steps_and_gates(tmp_path):
    result = plan(str(hooked_repo(tmp_path)))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("tree wave 3: 1 app(s)") for line in lines)
    migrate = next(line for line in lines if "migrate" in line)
    assert migrate.split()[:3] == ["Job", "shop/migrate", "hook"] and "hook completes: Job completion" in migrate
    assert any(line.split()[:2] == ["SyncFail", "-"] for line in lines)


def test_bad_input_exits_2_with_a_clear_error(tmp_path):
    result = plan(str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:") and "Traceback" not in result.output
    result = plan(str(STAGING), "--prune")
    assert result.exit_code == 2
    assert "--prune needs a cluster" in result.stderr


def test_staging_offline_a_known_app_its_namespace_first_then_its_objects_in_kind_order():
    doc = plan_json(str(STAGING))
    seat = next(a for a in doc["apps"] if a["name"] == "staging-seat")
    assert (seat["wave"], seat["namespace"]) == (11, "staging-webs")  # examples/staging/ca-staging/values
    rows = [(s["phase"], s["wave"], o["kind"], o["role"], o["gate"]) for s in seat["steps"] for o in s["objects"]]
    assert rows[0] == ("PreSync", 0, "Namespace", "namespace", "applied (no health check)")  # CreateNamespace=true
    kinds = [kind for _, _, kind, _, _ in rows[1:]]
    # gitops-engine's kind order: ServiceAccount before Service before Deployment; a custom resource after
    assert kinds.index("ServiceAccount") < kinds.index("Service") < kinds.index("Deployment")
    assert kinds[-1] == "ServiceMonitor"
    gates = {kind: gate for _, _, kind, _, gate in rows}
    assert gates["Deployment"] == "Healthy: Deployment rollout"
    assert gates["ServiceMonitor"] == "applied (no health check)"


def test_the_plan_is_the_order_and_the_verdicts_of_the_sync_that_follows(sim, kubeconfig, tmp_path):
    repo = hooked_repo(tmp_path)
    doc = plan_json(str(repo), "--kubeconfig", str(kubeconfig))
    planned = [
        (app["name"], s["phase"], s["wave"], o["kind"], o["name"], o["change"])
        for app in doc["apps"]
        for s in app["steps"]
        for o in s["objects"]
    ]
    events = sync_repo(sim, repo)
    applied = [
        (e.app, e.phase, e.resource_wave, e.kind, e.resource, e.result)
        for e in events
        if isinstance(e, ResourceApplied)
    ]
    created = {"create": "created", "change": "configured", "unchanged": "unchanged"}
    assert [(*row[:5], created[row[5]]) for row in planned] == applied


def write_shop(repo, names):
    manifests = [namespace("shop"), *(config_map(name, "shop") for name in names)]
    return write_repo(repo, [Child("shop", manifests, namespace="shop", sync_policy=None)])


def verdicts(repo, kubeconfig, *args: str) -> dict[str, tuple[str, str]]:
    doc = plan_json(str(repo), "--kubeconfig", str(kubeconfig), *args)
    shop = next(a for a in doc["apps"] if a["name"] == "shop")
    return {o["name"]: (o["change"], o["role"]) for s in shop["steps"] for o in s["objects"]}


def test_against_the_sim_each_object_is_created_changed_or_unchanged(sim, kubeconfig, tmp_path):
    repo = write_shop(tmp_path / "repo", ["settings", "old"])
    assert verdicts(repo, kubeconfig) == {
        "shop": ("create", "resource"),
        "settings": ("create", "resource"),
        "old": ("create", "resource"),
    }
    sync_repo(sim, repo)
    assert set(verdicts(repo, kubeconfig).values()) == {("unchanged", "resource")}

    with KubeClient.for_server(sim.url) as client:
        client.patch(
            "v1", "ConfigMap", "settings", {"data": {"key": "edited"}}, namespace="shop", field_manager="kubectl-edit"
        )
    write_shop(repo, ["settings", "fresh"])  # `old` is a prune candidate now, `fresh` not created yet
    assert verdicts(repo, kubeconfig) == {
        "shop": ("unchanged", "resource"),
        "settings": ("change", "resource"),
        "fresh": ("create", "resource"),
        "old": ("unchanged", "prune"),  # kept: this sync would run without --prune
    }
    assert verdicts(repo, kubeconfig, "--prune")["old"] == ("delete", "prune")


def test_a_missing_kubeconfig_is_bad_input_and_an_unreachable_cluster_exit_1(tmp_path):
    port = unreachable_kubeconfig(tmp_path / "gone")
    cases = {
        "nope": (2, f"Error: stat {tmp_path / 'nope'}: no such file or directory\n"),
        "gone": (1, f"Error: The connection to the server 127.0.0.1:{port} was refused"),
    }
    for name, (code, error) in cases.items():
        result = plan(str(STAGING), "--kubeconfig", str(tmp_path / name))
        assert (result.exit_code, result.stderr[: len(error)]) == (code, error)
        assert "Traceback" not in result.output


def test_an_app_that_fails_to_render_is_named_and_exit_2(tmp_path):
    repo = write_repo(tmp_path / "repo", [Child("shop", [config_map("settings", "shop")], wave=1, namespace="shop")])
    gone = application("gone", "no/such/folder", wave=3, namespace="shop", repo=REPO_URL)
    write_files(repo, {"apps/gone.yaml": gone})
    result = plan(str(repo), "-o", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert [(w["wave"], w["apps"]) for w in doc["waves"]] == [(1, ["shop"]), (3, ["gone"])]
    failed = next(a for a in doc["apps"] if a["name"] == "gone")
    assert failed["steps"] == [] and "no/such/folder" in failed["error"]
    assert result.stderr == "Error: 1 app(s) failed to render, their steps are not planned: gone\n"


def test_an_app_with_automated_prune_plans_its_prunes_as_deletes_without_the_flag(sim, kubeconfig, tmp_path):
    def write(names):
        manifests = [namespace("shop"), *(config_map(name, "shop") for name in names)]
        policy = {"automated": {"prune": True}}
        return write_repo(tmp_path / "repo", [Child("shop", manifests, namespace="shop", sync_policy=policy)])

    sync_repo(sim, write(["settings", "old"]))
    assert verdicts(write(["settings"]), kubeconfig)["old"] == ("delete", "prune")


def _markdown(*args: str) -> str:
    result = plan(*args, "-o", "markdown")
    assert result.exit_code == 0, result.output
    return result.stdout


def _table_rows(text: str, header: str) -> list[list[str]]:
    """The rows of the markdown table whose header line is `header`, split into cells."""
    lines = text.splitlines()
    start = lines.index(header) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_markdown_summarises_every_tree_wave_in_order_then_a_section_per_app():
    text = _markdown(str(STAGING))
    doc = plan_json(str(STAGING))
    summary = _table_rows(text, "| tree wave | apps | objects |")
    assert [row[0] for row in summary] == ["root", *(str(w["wave"]) for w in doc["waves"])]
    assert summary[1] == ["-10", "`namespaces`", "15"]
    assert text.count("<details>") == text.count("</details>") == len(doc["apps"])
    seat = text.split("<b>staging-seat</b>")[1].split("</details>")[0]
    rows = _table_rows(seat, "| phase | wave | kind | name | role | gate |")
    assert ["Sync", "0", "Deployment", "`staging-webs/seat`"] in [row[:4] for row in rows]


def test_markdown_is_cut_to_its_limit_and_says_what_was_cut():
    text = _markdown(str(STAGING), "--max-length", "5000")
    assert len(text) <= 5000
    assert text.count("<details>") == text.count("</details>")
    assert len(_table_rows(text, "| tree wave | apps | objects |")) == len(plan_json(str(STAGING))["waves"]) + 1
    assert "⚠️ The plan is longer than 5000 characters." in text and "left out: " in text


def test_markdown_against_the_sim_counts_creates_and_changes_per_wave(sim, kubeconfig, tmp_path):
    repo = write_shop(tmp_path / "repo", ["settings"])
    sync_repo(sim, repo)
    write_shop(repo, ["settings", "fresh"])
    text = _markdown(str(repo), "--kubeconfig", str(kubeconfig))
    summary = _table_rows(text, "| tree wave | apps | create | change | delete | unchanged |")
    assert summary[1] == ["0", "`shop`", "1", "0", "0", "2"]
    rows = _table_rows(text, "| phase | wave | kind | name | role | gate | change |")
    assert ["ConfigMap", "`shop/fresh`", "resource"] in [row[2:5] for row in rows]
    assert {row[3]: row[6] for row in rows}["`shop/fresh`"] == "create"
