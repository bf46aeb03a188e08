"""What deploy/chart installs, as `wavecd helm template` renders it: byte for byte what real helm printed (the
`deploy-chart-*` recordings), a controller whose pods split into shards by ordinal, the rights a GitOps
controller needs, a wavecd.yaml that wavecd itself reads, and values.schema.json refusing bad values with
helm's words."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from chart_render import NAMESPACE, Rendered, recorded, render, values_file

from wavecd.sources.config import load_config

SHARDED = ("--namespace", NAMESPACE, "-f", str(values_file("sharded")))
EVERYTHING = ("--namespace", NAMESPACE, "-f", str(values_file("everything")))


@pytest.mark.parametrize(
    ("case", "args"),
    [
        ("deploy-chart-defaults", ("--namespace", NAMESPACE)),
        ("deploy-chart-sharded", SHARDED),
        ("deploy-chart-everything", EVERYTHING),
    ],
)
def test_the_render_is_what_real_helm_printed(case, args):
    assert render(*args) == recorded(case)


def statefulset(rendered: Rendered) -> dict:
    return rendered.one("StatefulSet", "wavecd")


def container(rendered: Rendered, name: str, *, init: bool = False) -> dict:
    pod = statefulset(rendered)["spec"]["template"]["spec"]
    (found,) = [c for c in pod["initContainers" if init else "containers"] if c["name"] == name]
    return found


def env(c: dict) -> dict[str, object]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c["env"]}


def test_by_default_one_controller_serves_the_synced_checkout():
    rendered = render("--namespace", NAMESPACE)
    assert statefulset(rendered)["spec"]["replicas"] == 1
    wavecd = container(rendered, "wavecd")
    assert wavecd["args"] == [
        "serve",
        "/git/repo/root.yaml",
        "--config",
        "/etc/wavecd/wavecd.yaml",
        "--listen",
        "0.0.0.0:8080",
        "--poll",
        "3m",
        "--shards",
        "1",
    ]
    assert env(wavecd)["WAVECD_SHARDS"] == "1"
    assert env(wavecd)["WAVECD_STATE_DIR"] == "/var/lib/wavecd"
    sync = env(container(rendered, "git-sync"))
    assert (sync["GITSYNC_REPO"], sync["GITSYNC_REF"], sync["GITSYNC_ROOT"], sync["GITSYNC_LINK"]) == (
        "https://github.com/example/gitops.git",
        "main",
        "/git",
        "repo",
    )
    assert env(container(rendered, "git-clone", init=True))["GITSYNC_ONE_TIME"] == "true"


def test_the_sharded_set_runs_shards_times_replicas_pods():
    rendered = render(*SHARDED)
    assert statefulset(rendered)["spec"]["replicas"] == 4
    wavecd = container(rendered, "wavecd")
    assert wavecd["args"][-2:] == ["--shards", "2"]
    assert env(wavecd)["WAVECD_SHARDS"] == "2"


@pytest.fixture
def fake_wavecd(tmp_path) -> Path:
    """A `wavecd` on PATH that prints the arguments it was started with, one a line."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "wavecd"
    script.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def started_as(wavecd: dict, hostname: str, bin_folder: Path) -> list[str]:
    """The argv the pod named `hostname` runs `wavecd` with: its command and args, run by a real shell in
    `bin_folder`."""
    variables = {k: v for k, v in env(wavecd).items() if isinstance(v, str)}
    environ = {"PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}", "HOSTNAME": hostname, **variables}
    done = subprocess.run(
        [*wavecd["command"], *wavecd["args"]], env=environ, cwd=bin_folder, capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_each_pod_serves_the_shard_its_ordinal_gives_and_each_shard_has_its_replicas(fake_wavecd):
    wavecd = container(render(*SHARDED), "wavecd")
    shards = {}
    for ordinal in range(4):
        argv = started_as(wavecd, f"wavecd-{ordinal}", fake_wavecd)
        assert argv[:-2] == wavecd["args"]
        assert argv[-2] == "--shard"
        shards[ordinal] = argv[-1]
    assert shards == {0: "0", 1: "1", 2: "0", 3: "1"}


def test_values_reach_wavecd_as_arguments_never_as_shell(fake_wavecd):
    wavecd = container(render("--set", "root=apps/$(touch pwned) ;x.yaml"), "wavecd")
    assert started_as(wavecd, "wavecd-0", fake_wavecd)[1] == "/git/repo/apps/$(touch pwned) ;x.yaml"
    assert not (fake_wavecd / "pwned").exists()


def test_by_default_the_controller_may_do_anything_and_hold_leases_in_its_namespace():
    rendered = render("--namespace", NAMESPACE)
    assert rendered.one("ClusterRole")["rules"] == [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
    binding = rendered.one("ClusterRoleBinding")
    assert binding["roleRef"]["name"] == "wavecd"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "wavecd", "namespace": NAMESPACE}]
    role = rendered.one("Role")
    assert role["metadata"]["namespace"] == NAMESPACE
    assert role["rules"] == [
        {
            "apiGroups": ["coordination.k8s.io"],
            "resources": ["leases"],
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
        }
    ]
    assert rendered.one("RoleBinding")["subjects"][0]["name"] == "wavecd"
    assert statefulset(rendered)["spec"]["template"]["spec"]["serviceAccountName"] == "wavecd"


def test_narrowed_rights_are_wavecds_own_records_and_the_listed_rules():
    rendered = render(*EVERYTHING)
    rules = rendered.one("ClusterRole")["rules"]
    assert all("*" not in rule["verbs"] and "*" not in rule["resources"] for rule in rules)
    assert rules[0]["apiGroups"] == ["argoproj.io"] and "applications" in rules[0]["resources"]
    assert rules[1]["resources"] == ["configmaps", "services", "deployments", "statefulsets"]
    assert rendered.one("ClusterRoleBinding")["subjects"][0]["name"] == "gitops"
    assert rendered.one("ServiceAccount")["metadata"]["name"] == "gitops"


def test_wavecd_reads_the_config_the_chart_writes_with_the_webhook_secrets_from_the_environment(tmp_path, monkeypatch):
    rendered = render(*EVERYTHING)
    variables = env(container(rendered, "wavecd"))
    from_secret = {
        name: ref["secretKeyRef"] for name, ref in variables.items() if isinstance(ref, dict) and "secretKeyRef" in ref
    }
    assert {name: ref["name"] for name, ref in from_secret.items()} == dict.fromkeys(
        [
            "WAVECD_WEBHOOK_BITBUCKET",
            "WAVECD_WEBHOOK_BITBUCKET_SERVER",
            "WAVECD_WEBHOOK_GITHUB",
            "WAVECD_WEBHOOK_GITLAB",
        ],
        "wavecd-webhooks",
    )
    for name, ref in from_secret.items():  # what the kubelet does with the Secret's keys
        monkeypatch.setenv(name, f"value of {ref['key']}")
    (tmp_path / "wavecd.yaml").write_text(rendered.one("ConfigMap")["data"]["wavecd.yaml"])
    config = load_config(tmp_path / "wavecd.yaml")
    first = config.repositories[0]
    assert (first.url, first.path, first.worktree) == (
        "https://git.example.com/platform/gitops.git",
        Path("/git/repo"),
        True,
    )
    assert config.repositories[1].url == "https://git.example.com/platform/charts.git"
    assert config.render.helm_compat == "v3"
    webhook = config.webhook.resolved()
    assert (webhook.github_secret, webhook.gitlab_secret) == ("value of github-secret", "value of gitlab-token")
    assert (webhook.bitbucket_uuid, webhook.bitbucket_server_secret) == (
        "value of bitbucket-uuid",
        "value of bitbucket-server",
    )
    assert (webhook.gogs_secret, webhook.max_payload_size_mb) == ("", 20)


def test_the_config_carries_no_secret_and_a_new_config_restarts_the_pods():
    rendered = render(*EVERYTHING)
    webhook = yaml.safe_load(rendered.one("ConfigMap")["data"]["wavecd.yaml"])["webhook"]
    providers = {name: entry for name, entry in webhook.items() if name != "maxPayloadSizeMB"}
    assert providers and all(list(entry) in (["secretEnv"], ["uuidEnv"]) for entry in providers.values())
    assert "webhook" not in yaml.safe_load(render().one("ConfigMap")["data"]["wavecd.yaml"])
    checksum = "checksum/config"
    assert (
        statefulset(rendered)["spec"]["template"]["metadata"]["annotations"][checksum]
        != statefulset(render())["spec"]["template"]["metadata"]["annotations"][checksum]
    )


def test_tokens_are_copied_from_their_secret_into_the_state_folder():
    rendered = render(*EVERYTHING)
    tokens = container(rendered, "tokens", init=True)
    assert "install -m 0600 /run/wavecd/tokens/tokens.json /var/lib/wavecd/tokens.json" in tokens["command"]
    volumes = {v["name"]: v for v in statefulset(rendered)["spec"]["template"]["spec"]["volumes"]}
    assert volumes["tokens"]["secret"]["secretName"] == "wavecd-tokens"
    assert "tokens" not in {c["name"] for c in statefulset(render())["spec"]["template"]["spec"]["initContainers"]}


@pytest.mark.parametrize("args", [(), EVERYTHING], ids=["defaults", "everything"])
def test_every_container_runs_unprivileged_on_a_read_only_root(args):
    pod = statefulset(render(*args))["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for c in pod["containers"] + pod["initContainers"]:
        context = c["securityContext"]
        assert context["runAsNonRoot"] and context["readOnlyRootFilesystem"], c["name"]
        assert context["allowPrivilegeEscalation"] is False, c["name"]
        assert context["capabilities"] == {"drop": ["ALL"]}, c["name"]
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, c["name"]


def test_the_api_is_probed_on_healthz_and_served_on_8080():
    rendered = render()
    wavecd = container(rendered, "wavecd")
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert wavecd[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert wavecd["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert rendered.one("Service", "wavecd")["spec"]["ports"][0]["targetPort"] == "http"
    assert {o["kind"] for o in rendered.objects}.isdisjoint({"Ingress", "NetworkPolicy"})
    everything = render(*EVERYTHING)
    assert everything.one("Ingress")["spec"]["rules"][0]["host"] == "wavecd.example.com"
    assert everything.one("NetworkPolicy")["spec"]["ingress"][0]["ports"] == [{"port": "http", "protocol": "TCP"}]


@pytest.mark.parametrize(
    ("case", "args"),
    [
        ("err-deploy-chart-schema-shards", ("--set", "shards=0")),
        ("err-deploy-chart-schema-unknown-value", ("--set", "replicas=3")),
        ("err-deploy-chart-webhook-without-secret", ("--set", "webhook.providers.github=github")),
    ],
)
def test_a_bad_value_is_refused_with_helms_whole_message(case, args):
    refused = render(*args)
    assert refused.rc == 1
    assert refused == recorded(case)
