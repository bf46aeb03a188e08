"""Custom resources arrive after their CRDs: each kind a chart uses is built in, shipped in the
chart's own crds/, or defined by a stand-in of an earlier root wave. Read from the template
sources (manifests start at column 0), so no renderer is needed."""

import re
from functools import cache
from pathlib import Path

from examples_repo import load_yaml, resolve_mirror

from support.paths import EXAMPLES, STAGING

# (apiVersion, kind) a plain Kubernetes 1.33 cluster serves.
BUILT_IN = (
    {
        ("v1", kind)
        for kind in ("Namespace", "Service", "ServiceAccount", "ConfigMap", "Secret", "PersistentVolumeClaim")
    }
    | {
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("policy/v1", "PodDisruptionBudget"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("networking.k8s.io/v1", "Ingress"),
        ("networking.k8s.io/v1", "IngressClass"),
        ("apiregistration.k8s.io/v1", "APIService"),
    }
    | {("rbac.authorization.k8s.io/v1", kind) for kind in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")}
)
# Argo CD's own kinds: installed with Argo CD by the bootstrap, before root-staging exists.
PLATFORM = {("argoproj.io/v1alpha1", "Application"), ("argoproj.io/v1alpha1", "ApplicationSet")}

# The seed's own ordering defect, kept faithfully: istiod-monitoring (wave -2) creates monitors
# whose CRDs come with kube-prometheus-stack (wave -1). Argo CD cannot apply them until the
# later wave has run, which waits on this one: the kind of mistake wavecd's plan must report.
SEED_DEFECT = {
    ("istiod-monitoring", "monitoring.coreos.com/v1", "ServiceMonitor"),
    ("istiod-monitoring", "monitoring.coreos.com/v1", "PodMonitor"),
}

MANIFEST_HEAD = re.compile(r"^apiVersion:[ \t]*(\S+)[ \t]*\n(?:#.*\n)*kind:[ \t]*(\S+)[ \t]*$", re.MULTILINE)


def kinds_used(chart: Path) -> set[tuple[str, str]]:
    """(apiVersion, kind) of every manifest the chart's templates write; templated kinds are skipped."""
    found = set()
    for template in (chart / "templates").glob("*.yaml"):
        for api_version, kind in MANIFEST_HEAD.findall(template.read_text(encoding="utf-8")):
            if "{{" not in api_version + kind:
                found.add((api_version, kind))
    return found


@cache
def crds_of(chart: Path) -> set[tuple[str, str]]:
    """(apiVersion, kind) for each served version of each CRD in the chart's crds/ folder."""
    found = set()
    for path in (chart / "crds").glob("*.yaml"):
        crd = load_yaml(path)
        spec = crd["spec"]
        for version in spec["versions"]:
            if version["served"]:
                found.add((f"{spec['group']}/{version['name']}", spec["names"]["kind"]))
    return found


def charts_by_wave(root_values: dict, wavecd_config: dict) -> dict[str, tuple[int, Path]]:
    charts = {name: (int(e["syncWave"]), STAGING / e["path"]) for name, e in root_values["gitCharts"].items()}
    for name, e in root_values["ociCharts"].items():
        charts[name] = (int(e["syncWave"]), resolve_mirror(wavecd_config, e["repoURL"], e["chart"], e["version"]))
    service_waves = [int(s["wave"]) for e in root_values["applicationSets"].values() for s in e["services"]]
    charts["java-service"] = (min(service_waves), STAGING / root_values["serviceChart"]["path"])
    return charts


def late_kinds(root_values: dict, wavecd_config: dict) -> set[tuple[str, str, str]]:
    charts = charts_by_wave(root_values, wavecd_config)
    late = set()
    for name, (wave, chart) in charts.items():
        earlier = set().union(*(crds_of(c) for w, c in charts.values() if w < wave))
        for used in kinds_used(chart) - BUILT_IN - crds_of(chart) - earlier:
            late.add((name, *used))
    return late


def test_only_the_seed_defect_uses_a_kind_before_its_crd(root_values, wavecd_config):
    assert late_kinds(root_values, wavecd_config) == SEED_DEFECT


def test_root_chart_writes_only_argo_cd_kinds():
    assert kinds_used(STAGING / "ca-staging" / "root") == PLATFORM


def test_git_charts_write_the_kinds_of_their_job(root_values):
    expected = {
        "namespaces": {("v1", "Namespace")},
        "network-policies": {("networking.k8s.io/v1", "NetworkPolicy")},
        "karpenter-config": {("karpenter.sh/v1", "NodePool"), ("karpenter.k8s.aws/v1", "EC2NodeClass")},
        "ai-service-secrets": {
            ("v1", "ServiceAccount"),
            ("external-secrets.io/v1", "SecretStore"),
            ("external-secrets.io/v1", "ExternalSecret"),
        },
        "kafka": {("apps/v1", "StatefulSet"), ("v1", "Service"), ("policy/v1", "PodDisruptionBudget")},
        "istio-gateway": {("networking.istio.io/v1", "Gateway"), ("networking.istio.io/v1", "VirtualService")},
        "istiod-monitoring": {
            ("monitoring.coreos.com/v1", "ServiceMonitor"),
            ("monitoring.coreos.com/v1", "PodMonitor"),
        },
        "istio-security": {
            ("security.istio.io/v1", "PeerAuthentication"),
            ("security.istio.io/v1", "AuthorizationPolicy"),
        },
        "loadtest-route": {("networking.istio.io/v1", "VirtualService")},
        "alb-ingress": {("networking.k8s.io/v1", "Ingress")},
        "cloudbeaver": {("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "PersistentVolumeClaim")},
    }
    actual = {name: kinds_used(STAGING / e["path"]) for name, e in root_values["gitCharts"].items()}
    assert actual == expected


def test_kafka_statefulset_claims_its_volume_per_pod():
    text = (STAGING / "common-charts/infra/kafka/templates/statefulset.yaml").read_text(encoding="utf-8")
    assert "\n  volumeClaimTemplates:\n" in text


def test_stand_ins_define_the_kinds_later_waves_use(root_values, wavecd_config):
    def crds(app: str) -> set[str]:
        e = root_values["ociCharts"][app]
        return {kind for _, kind in crds_of(resolve_mirror(wavecd_config, e["repoURL"], e["chart"], e["version"]))}

    assert {"NodePool", "NodeClaim", "EC2NodeClass"} <= crds("karpenter")
    assert {"Gateway", "VirtualService", "DestinationRule", "PeerAuthentication", "AuthorizationPolicy"} <= crds(
        "istio-base"
    )
    assert {"ExternalSecret", "SecretStore", "ClusterSecretStore"} <= crds("external-secrets")
    assert {"ServiceMonitor", "PodMonitor", "PrometheusRule"} <= crds("kube-prometheus-stack")
    assert {"ClusterPolicy", "Policy"} <= crds("kyverno")
    assert {"TargetGroupBinding", "IngressClassParams"} <= crds("aws-lb-controller")


def test_stand_in_crds_are_ours_and_accept_any_spec():
    crd_files = sorted((EXAMPLES / "mirror").rglob("crds/*.yaml"))
    assert len(crd_files) >= 30
    for path in crd_files:
        crd = load_yaml(path)
        assert (crd["apiVersion"], crd["kind"]) == ("apiextensions.k8s.io/v1", "CustomResourceDefinition")
        spec = crd["spec"]
        assert crd["metadata"]["name"] == f"{spec['names']['plural']}.{spec['group']}"
        assert path.name == f"{spec['group']}_{spec['names']['plural']}.yaml"
        assert [v["storage"] for v in spec["versions"]].count(True) == 1
        for version in spec["versions"]:
            schema = version["schema"]["openAPIV3Schema"]
            assert schema == {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def test_every_stand_in_runs_a_workload_of_its_project(root_values, wavecd_config):
    for name, e in root_values["ociCharts"].items():
        chart = resolve_mirror(wavecd_config, e["repoURL"], e["chart"], e["version"])
        if name == "istio-base":
            # Upstream base installs CRDs and the reader identity only, and so does its stand-in.
            assert {("v1", "ServiceAccount"), ("rbac.authorization.k8s.io/v1", "ClusterRole")} <= kinds_used(chart)
            continue
        values = load_yaml(chart / "values.yaml")
        assert values["workload"]["kind"] in {"Deployment", "StatefulSet", "DaemonSet"}, name
        assert values["image"]["repository"] and values["image"]["tag"], name
        assert (chart / "templates" / "workload.yaml").is_file(), name
