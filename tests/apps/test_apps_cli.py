"""`wavecd tree` and `wavecd render` as a user runs them: ROOT rules, JSON nodes, files per app, exit status."""

import json
import shutil

import pytest
import yaml
from apps_support import DATA, REPO
from click.testing import CliRunner

from support.gitops import application, git, write_files
from support.paths import EXAMPLES
from wavecd.apps.kustomize_source import find_tool
from wavecd.cli.main import main

URL = "https://example.com/apps.git"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WAVECD_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture()
def small(tmp_path):
    """A root file, and a repository mapped with --repo: two good apps and one broken one."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "charts", repo / "charts")
    shutil.copytree(REPO / "manifests", repo / "manifests")
    write_files(
        repo,
        {
            "apps/apps.yaml": [
                application("good", "charts/probe", wave=2),
                application("plain", "manifests", wave=-3, namespace="plain-ns"),
                application("broken", "charts/probe", wave=1, helm={"valueFiles": ["nope.yaml"]}),
            ],
        },
    )
    write_files(tmp_path, {"root.yaml": application("root", "apps", namespace="argocd")})
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args))


def flags(small):
    return [str(small / "root.yaml"), "--repo", f"{URL}={small / 'repo'}", "--worktree", "--executor", "serial"]


def test_tree_json_lists_every_node(small):
    result = run("tree", *flags(small), "-o", "json")
    assert result.exit_code == 1
    nodes = json.loads(result.stdout)
    assert [(n["name"], n["parent"], n["wave"], n["source"], n["namespace"], n["resources"]) for n in nodes] == [
        ("root", None, None, "directory", "argocd", 3),
        ("good", "root", 2, "git-chart", "team", 3),
        ("plain", "root", -3, "directory", "plain-ns", 3),
        ("broken", "root", 1, "git-chart", "team", 0),
    ]
    assert [n["error"] is None for n in nodes] == [True, True, True, False]
    assert nodes[3]["error"].startswith("Error: open ") and nodes[3]["error"].endswith("no such file or directory")
    assert "1 of 4 apps failed: broken" in result.stderr


def test_a_missing_values_file_is_named_where_it_is_in_the_users_repository(small):
    repo = small / "repo"
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "apps")
    committed = [str(small / "root.yaml"), "--repo", f"{URL}={repo}", "--executor", "serial", "-o", "json"]

    nodes = json.loads(run("tree", *committed).stdout)

    [broken] = [n for n in nodes if n["name"] == "broken"]
    assert broken["error"] == f"Error: open {repo}/charts/probe/nope.yaml: no such file or directory"


def test_a_mapped_folder_that_is_not_a_git_repository_suggests_worktree(small):
    result = run("tree", str(small / "root.yaml"), "--repo", f"{URL}={small / 'repo'}", "-o", "json")

    [root] = json.loads(result.stdout)
    assert root["error"] == (
        f"{small / 'repo'} (mapped to {URL}) is not a git repository: pass --worktree to read it as it is on "
        "disk, or set `worktree: true` on its mapping in wavecd.yaml"
    )
    assert run("tree", *flags(small)).exit_code == 1  # read with --worktree it renders (but for `broken`)


def test_tree_json_gives_project_source_options_and_generator_and_render_writes_generated_apps(small, tmp_path):
    template = application("x", "charts/probe", helm={"parameters": [{"name": "a", "value": "{{server}}"}]})
    template["spec"]["source"]["helm"]["valueFiles"] = ["values.yaml"]
    template["spec"]["project"] = "team-{{env}}"
    root = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "set", "namespace": "argocd"},
        "spec": {
            "generators": [{"matrix": {"generators": [{"list": {"elements": [{"env": "x"}]}}, {"clusters": {}}]}}],
            "template": {"metadata": {"name": "{{env}}-{{name}}"}, "spec": template["spec"]},
        },
    }
    write_files(small, {"set.yaml": root})
    flags = [str(small / "set.yaml"), "--repo", f"{URL}={small / 'repo'}", "--worktree", "--executor", "serial"]

    [appset, app] = json.loads(run("tree", *flags, "-o", "json").stdout)

    assert (appset["kind"], appset["generator"], app["generator"]) == ("ApplicationSet", None, "matrix(list, clusters)")
    assert (app["name"], app["project"]) == ("x-in-cluster", "team-x")
    [source] = app["sources"]
    assert (source["path"], source["helm"]) == (
        "charts/probe",
        {"parameters": [{"name": "a", "value": "https://kubernetes.default.svc"}], "valueFiles": ["values.yaml"]},
    )
    out = tmp_path / "out"
    assert run("render", *flags, "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["set.applications.yaml", "x-in-cluster.yaml"]
    [generated] = yaml.safe_load_all((out / "set.applications.yaml").read_text())
    assert (generated["kind"], generated["metadata"]["name"]) == ("Application", "x-in-cluster")


def test_tree_shows_names_waves_sources_and_errors(small):
    result = run("tree", *flags(small))
    assert result.exit_code == 1
    assert "good  wave 2  git-chart  → team  3 resources" in result.stdout
    assert "broken  wave 1  git-chart  → team  0 resources" in result.stdout
    assert "error: Error: open " in result.stdout


def test_render_out_writes_one_file_per_app_and_skips_the_broken_one(small, tmp_path):
    out = tmp_path / "out"
    result = run("render", *flags(small), "--out", str(out))
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["good.yaml", "plain.yaml", "root.yaml"]
    plain = [d for d in yaml.safe_load_all((out / "plain.yaml").read_text()) if d]
    assert [(d["kind"], d["metadata"].get("namespace")) for d in plain] == [
        ("ConfigMap", "plain-ns"),
        ("ClusterRole", None),
        ("Secret", "explicit"),
    ]
    assert "rendered 3 apps, 9 resources" in result.stderr
    assert "failed: broken: Error: open " in result.stderr
    assert "(at app broken, https://example.com/apps.git@main, charts/probe)" in result.stderr
    (small / "repo" / "apps" / "apps.yaml").write_text(yaml.safe_dump(application("good", "charts/probe")))
    result = run("render", *flags(small), "--out", str(out))
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["good.yaml", "root.yaml"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_render_one_app_to_stdout(small):
    result = run("render", *flags(small), "--app", "plain")
    assert result.exit_code == 0
    assert result.stdout.startswith('# app: plain\n---\napiVersion: v1\ndata:\n  created: "2024-01-02"\n')
    assert result.stdout.count("---\n") == 3
    missing = run("render", *flags(small), "--app", "nope")
    assert missing.exit_code == 2
    assert "no Application named 'nope' in the tree; it has: root, good, plain, broken" in missing.stderr


def test_render_refuses_an_out_folder_holding_other_files(small, tmp_path):
    out = tmp_path / "mine"
    write_files(out, {"notes.txt": "keep me"})
    result = run("render", *flags(small), "--out", str(out))
    assert result.exit_code != 0 and "holds files wavecd did not write (notes.txt)" in result.output
    assert (out / "notes.txt").read_text() == "keep me"


def test_a_folder_root_needs_a_wavecd_yaml_naming_it_and_the_error_lists_candidates(tmp_path):
    write_files(
        tmp_path,
        {"one.yaml": application("one", "x"), "two.yaml": application("two", "y"), "other.yaml": {"kind": "ConfigMap"}},
    )
    result = run("tree", str(tmp_path))
    assert result.exit_code == 2
    assert (
        "without a wavecd.yaml naming its root (`root: FILE`); candidates: one.yaml (Application one); "
        "two.yaml (Application two)" in result.stderr
    )


def test_a_root_file_must_hold_exactly_one_application(tmp_path):
    write_files(tmp_path, {"two.yaml": [application("one", "x"), application("two", "y")]})
    result = run("tree", str(tmp_path / "two.yaml"))
    assert result.exit_code == 2
    assert (
        "must hold exactly one Application or ApplicationSet; it holds: Application one, Application two"
        in result.stderr
    )
    assert run("tree", str(tmp_path / "missing.yaml")).exit_code == 2


def test_a_root_file_without_an_application_says_what_it_holds(tmp_path):
    (tmp_path / "values.yaml").write_text("replicaCount: 2\nimage: {tag: v1}\n")
    (tmp_path / "kustomization.yaml").write_text("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n")

    holds = {
        name: run("tree", str(tmp_path / name)).stderr.split("it holds: ")[-1].splitlines()[0]
        for name in ("values.yaml", "kustomization.yaml", "cm.yaml")
    }

    assert holds == {
        "values.yaml": "a document without a kind (keys: replicaCount, image)",
        "kustomization.yaml": "a Kustomization without metadata.name",
        "cm.yaml": "ConfigMap settings",
    }
    assert all("None" not in text for text in holds.values())


def test_a_wavecd_yaml_naming_an_unknown_helm_build_is_refused_naming_the_file(tmp_path):
    write_files(tmp_path, {"root.yaml": application("root", "apps")})
    (tmp_path / "wavecd.yaml").write_text("root: root.yaml\nrender: {helmCompat: v5}\n")
    result = run("tree", str(tmp_path))
    assert result.exit_code == 2
    assert f"{tmp_path / 'wavecd.yaml'}: render.helmCompat must be one of v3, v4, v4.2, not 'v5'" in result.stderr


def test_an_unmapped_repository_is_an_error_on_the_node(tmp_path):
    write_files(tmp_path, {"root.yaml": application("root", "apps")})
    result = run("tree", str(tmp_path / "root.yaml"), "-o", "json")
    assert result.exit_code == 1
    node = json.loads(result.stdout)[0]
    assert node["error"].startswith(f"repository {URL} is not mapped to a local folder")


def test_the_example_tree_in_json(tmp_path):
    result = run("tree", str(EXAMPLES / "staging"), "-o", "json", "--executor", "serial")
    assert result.exit_code == 0, result.output
    nodes = {n["name"]: n for n in json.loads(result.stdout)}
    assert len(nodes) == 50
    assert (nodes["karpenter"]["wave"], nodes["karpenter"]["source"], nodes["karpenter"]["namespace"]) == (
        -8,
        "oci-chart",
        "kube-system",
    )
    assert (nodes["staging-api-gateway"]["parent"], nodes["staging-api-gateway"]["wave"]) == (
        "staging-webs-services",
        12,
    )
    assert nodes["loadtest-webs-services"]["resources"] == 6


def test_config_flag_overrides_the_search_and_maps_repositories(small, tmp_path):
    config = (
        write_files(
            tmp_path / "elsewhere",
            {
                "my.yaml": {
                    "repositories": [{"url": URL, "path": str(small / "repo"), "worktree": True}],
                    "render": {"kubeVersion": "v1.31.2"},
                }
            },
        )
        / "my.yaml"
    )
    result = run(
        "tree", str(small / "root.yaml"), "--config", str(config), "--offline", "-o", "json", "--executor", "serial"
    )
    nodes = {n["name"]: n for n in json.loads(result.stdout)}
    assert nodes["good"]["error"] is None and nodes["good"]["sources"][0]["revision"] == "main"
    rendered = run("render", str(small / "root.yaml"), "--config", str(config), "--app", "good")
    assert "  kube: v1.31.2\n" in rendered.stdout


# A root Application that is a Kustomize source (issue 13: such roots failed and lost the whole tree).


@pytest.fixture()
def kustomize_root(tmp_path):
    """apps/ is a kustomization listing two Applications; one of them is a kustomize overlay with options."""
    repo = tmp_path / "repo"
    shutil.copytree(DATA / "kustomize" / "repo" / "base", repo / "base")
    web = application("web", "base", wave=1)
    web["spec"]["source"]["kustomize"] = {"namePrefix": "shop-", "commonLabels": {"team": "a"}}
    write_files(
        repo,
        {
            "apps/web.yaml": web,
            "apps/plain.yaml": application("plain", "base", wave=2),
            "apps/kustomization.yaml": {"resources": ["web.yaml", "plain.yaml"], "commonLabels": {"tree": "kz"}},
        },
    )
    write_files(tmp_path, {"root.yaml": application("root", "apps", namespace="argocd")})
    return tmp_path


def test_tree_of_a_kustomize_root_reports_the_kustomize_version(kustomize_root):
    result = run("tree", *flags(kustomize_root), "-o", "json")
    assert result.exit_code == 0, result.output
    nodes = {n["name"]: n for n in json.loads(result.stdout)}
    assert set(nodes) == {"root", "web", "plain"}
    assert nodes["root"]["sources"][0]["kind"] == "kustomize"
    assert nodes["root"]["sources"][0]["kustomizeVersion"] == find_tool("").version
    assert nodes["web"]["resources"] == 2 and nodes["web"]["error"] is None


def test_render_applies_the_apps_kustomize_options(kustomize_root):
    result = run("render", *flags(kustomize_root), "--app", "web")
    assert result.exit_code == 0, result.output
    objects = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert {o["metadata"]["name"] for o in objects} == {"shop-web"}
    assert all(o["metadata"]["labels"]["team"] == "a" for o in objects)
    children = [d for d in yaml.safe_load_all(run("render", *flags(kustomize_root), "--app", "root").stdout) if d]
    assert {c["metadata"]["labels"]["tree"] for c in children} == {"kz"}  # the root's own kustomization ran
