"""The differential tests: the same requests sent to a real kube-apiserver (tests/support/real_apiserver.py) and
to the simulated cluster, both over HTTP through their kubeconfigs, and the answers compared once what legitimately
differs between two servers is masked: uids, resourceVersion values, timestamps (managedFields times
included). The fixture `servers` (tests/differential/conftest.py) gives both.

The sim runs on a manual clock that only the tests move (`Servers.advance`), so its controllers stay still, as
the real apiserver has none: the answers compared are the API server's own."""

from __future__ import annotations

import base64
import json
import re
import secrets
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from wavecd.sim.cluster import SimCluster

# The group/versions of the kinds wavecd deploys.
GROUP_VERSIONS = [
    "v1",
    "apps/v1",
    "batch/v1",
    "networking.k8s.io/v1",
    "rbac.authorization.k8s.io/v1",
    "policy/v1",
    "autoscaling/v2",
    "storage.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "coordination.k8s.io/v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
]

# Values that two servers give differently by design, whatever they are.
MASKED_KEYS = frozenset(
    {"uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "time", "lastTransitionTime", "lastUpdateTime"}
)
MASK = "<masked>"


def masked(value: Any) -> Any:
    """`value` with the values of MASKED_KEYS replaced (kept present, so a missing field still shows)."""
    if isinstance(value, dict):
        return {k: MASK if k in MASKED_KEYS and v not in (None, "") else masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


# Differences the sim keeps on purpose, each explained in docs/sim.md ("Deviations from a real apiserver"); a
# difference line (`path: real R, sim S`) that matches one of these is not counted.
DEVIATIONS = {
    "generation on every kind": re.compile(r"metadata\.generation: real absent, sim [0-9]+$"),
    "no `.` in an Update manager's fields": re.compile(
        r"managedFields\[[0-9]+\]\.fieldsV1\..*\.\.: real \{\}, sim absent$"
    ),
    "empty maps and lists kept": re.compile(r": real absent, sim (\{\}|\[\])$"),
    "a namespace's creator owns its finalizer": re.compile(r'fieldsV1\.f:spec: real absent, sim \{"f:finalizers"'),
    "list items name their kind": re.compile(r"items\[[0-9]+\]\.(apiVersion|kind): real absent, sim "),
    "no ipMode default": re.compile(r'\.ipMode: real "VIP", sim absent$'),
    "no CRD conversion default": re.compile(
        r'(spec\.conversion: real \{"strategy": "None"\}|f:spec\.f:conversion: real \{)'
    ),
    "a CRD's cleanup finalizer from creation": re.compile(
        r'metadata\.finalizers: real absent, sim \["customresourcecleanup\.apiextensions\.k8s\.io"\]$'
    ),
    "404 for an unserved group is a Status": re.compile(
        r'^\[1\]: real "404 page not found\\n", sim \{"kind": "Status"'
    ),
}


def counted(lines: list[str]) -> list[str]:
    """The difference lines that no documented deviation explains."""
    return [line for line in lines if not any(rule.search(line) for rule in DEVIATIONS.values())]


# The managers under which controllers (the sim's, the real apiserver's own) write.
CONTROLLERS = frozenset({"kube-controller-manager", "kube-apiserver"})


def without_controllers(body: Any) -> Any:
    """An object without what controllers write (`status`, and the controllers' managedFields): the real
    apiserver here runs none but its own, the sim's act at once even on its manual clock."""
    if not isinstance(body, dict) or "metadata" not in body:
        return body
    out = {k: v for k, v in body.items() if k != "status"}
    metadata = dict(out["metadata"])
    if "managedFields" in metadata:
        metadata["managedFields"] = [
            m for m in metadata["managedFields"] if m.get("subresource") != "status" and m["manager"] not in CONTROLLERS
        ]
    out["metadata"] = metadata
    return out


def managers_sorted(answer: Answer) -> Answer:
    """The answer with its managedFields sorted by manager and subresource, without their times (docs/sim.md:
    the real apiserver lists a manager whose write changed nothing, or a finalize, first)."""
    body = dict(answer.body)
    entries = [{k: v for k, v in m.items() if k != "time"} for m in body["metadata"].get("managedFields", [])]
    ordered = sorted(entries, key=lambda m: (m["manager"], m.get("subresource", "")))
    body["metadata"] = {**body["metadata"], "managedFields": ordered}
    return Answer(answer.status, body)


def differences(real: Any, sim: Any, path: str = "") -> list[str]:
    """Where `sim` differs from `real`, one line per differing leaf: `path: real R, sim S`."""
    if isinstance(real, dict) and isinstance(sim, dict):
        out: list[str] = []
        for key in [*real, *(k for k in sim if k not in real)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in sim:
                out.append(f"{where}: real {json.dumps(real[key])}, sim absent")
            elif key not in real:
                out.append(f"{where}: real absent, sim {json.dumps(sim[key])}")
            else:
                out += differences(real[key], sim[key], where)
        return out
    if isinstance(real, list | tuple) and isinstance(sim, list | tuple) and len(real) == len(sim):
        return [
            line for i, (r, s) in enumerate(zip(real, sim, strict=True)) for line in differences(r, s, f"{path}[{i}]")
        ]
    return [] if real == sim else [f"{path}: real {json.dumps(real)}, sim {json.dumps(sim)}"]


def assert_no_differences(real: Any, sim: Any) -> None:
    found = counted(differences(real, sim))
    assert not found, "the sim differs from the real apiserver:\n" + "\n".join(found)


def assert_same(real: Answer, sim: Answer, *, controllers: bool = False) -> None:
    """The sim's answer is the real apiserver's, status code and masked body; `controllers`: compared without
    what controllers write (the object is one that the sim's controllers act on at once)."""
    if controllers:
        real = Answer(real.status, without_controllers(real.body))
        sim = Answer(sim.status, without_controllers(sim.body))
    assert_no_differences(real.view, sim.view)


@dataclass
class Answer:
    status: int
    body: Any

    @property
    def view(self) -> tuple[int, Any]:
        """What is compared: the status code and the masked body."""
        return self.status, masked(self.body)


def _answer(response: httpx.Response) -> Answer:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return Answer(response.status_code, body)


class Server:
    """One API server reached over HTTP(S) as its kubeconfig says."""

    def __init__(self, name: str, kubeconfig: Path):
        self.name = name
        self.kubeconfig = kubeconfig
        config = yaml.safe_load(kubeconfig.read_text())
        cluster = config["clusters"][0]["cluster"]
        token = config["users"][0]["user"]["token"]
        verify: ssl.SSLContext | bool = True
        if "certificate-authority-data" in cluster:
            verify = ssl.create_default_context(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
        self.url = cluster["server"]
        self.http = httpx.Client(
            base_url=self.url, verify=verify, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def request(
        self, method: str, path: str, body: Any = None, *, content_type: str = "application/json", **params: Any
    ) -> Answer:
        content = None
        if body is not None:
            content = body if isinstance(body, str) else json.dumps(body)
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        return _answer(self.http.request(method, path, content=content, headers=headers, params=params))

    def watch(self, path: str, count: int, *, during: Callable[[], None] | None = None, **params: Any) -> list[Any]:
        """The first `count` events of a watch on `path` (ended by the server after 5 s at most); `during` runs
        once the stream is open. A refused watch gives its Status as the one event."""
        params = {"watch": "true", "timeoutSeconds": "5", **params}
        events: list[Any] = []
        with self.http.stream("GET", path, params=params, timeout=httpx.Timeout(10)) as response:
            if response.status_code != 200:
                response.read()
                return [{"httpStatus": response.status_code, "object": response.json()}]
            if during is not None:
                during()
            try:
                for line in response.iter_lines():
                    if line.strip():
                        events.append(json.loads(line))
                    if len(events) >= count:
                        break
            except httpx.ReadTimeout:
                pass
        return events

    def wait_for(self, path: str, ready: Callable[[Any], bool], timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            answer = self.request("GET", path)
            if answer.status == 200 and ready(answer.body):
                return answer.body
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: {path} not ready in {timeout} s: {answer.body}")
            time.sleep(0.1)


class Servers:
    """The real apiserver and the sim side by side: each call goes to both and returns both answers."""

    def __init__(self, real: Server, sim: Server, cluster: SimCluster):
        self.real = real
        self.sim = sim
        self.cluster = cluster

    def advance(self, seconds: float) -> None:
        """Let the sim's controllers act for `seconds` (CRD establishment: what the real apiserver does itself)."""
        self.cluster.advance(seconds)

    def both(self, method: str, path: str, body: Any = None, **kwargs: Any) -> tuple[Answer, Answer]:
        return self.real.request(method, path, body, **kwargs), self.sim.request(method, path, body, **kwargs)

    def establish(self, definition: dict[str, Any]) -> None:
        """Create the CRD `definition` on both servers and wait until both serve its resources (the real
        apiserver a moment after Established; the sim's controllers once its clock moves)."""
        for server in (self.real, self.sim):
            answer = server.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", definition)
            assert answer.status == 201, (server.name, answer.body)
        spec = definition["spec"]
        path = f"/apis/{spec['group']}/{spec['versions'][0]['name']}/{spec['names']['plural']}"
        self.real.wait_for(path, lambda body: True)
        self.advance(1)

    def namespace(self) -> str:
        """A fresh namespace on both servers (never deleted: without controllers the real one would only go
        Terminating)."""
        name = f"diff-{secrets.token_hex(4)}"
        for server in (self.real, self.sim):
            answer = server.request("POST", "/api/v1/namespaces", {"metadata": {"name": name}})
            assert answer.status == 201, (server.name, answer.body)
        return name


def deployment(containers: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    """The Deployment `web` (pods labelled app=web) running `containers`; `spec`: more of its spec."""
    labels = {"app": "web"}
    template = {"metadata": {"labels": labels}, "spec": {"containers": containers}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {**spec, "selector": {"matchLabels": labels}, "template": template},
    }


def crd(kind: str, schema: dict[str, Any], subresources: dict[str, Any] | None = None) -> dict[str, Any]:
    """A namespaced CRD of the group `diff.example.com`, one served version `v1`, for the kind `kind`."""
    plural = f"{kind.lower()}s"
    names = {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": f"{kind}List"}
    version: dict[str, Any] = {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}
    if subresources:
        version["subresources"] = subresources
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.diff.example.com"},
        "spec": {"group": "diff.example.com", "scope": "Namespaced", "names": names, "versions": [version]},
    }


def comparable_events(events: list[Any]) -> list[Any]:
    """Watch events, masked; so are the numbers in a Status message (a 410 names the server's current version)."""
    out = masked(events)
    for event in out:
        obj = event.get("object", {})
        if isinstance(obj.get("message"), str):
            obj["message"] = re.sub(r"[0-9]+", "N", obj["message"])
    return out
