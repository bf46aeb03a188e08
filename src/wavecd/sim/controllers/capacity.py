"""What a pod asks of a node and what a node offers: requests, allocatable resources and the instance types
simulated nodes are made of.

A pod's request is kube-scheduler's (`computePodResourceRequest`): the sum of its containers and sidecars
(init containers with `restartPolicy: Always`), or an ordinary init container's request when that is larger
(init containers run one at a time), plus the pod's `overhead`; a request left out defaults to the limit, as
the API server defaults it. Nodes look like EKS nodes: capacity from the instance type, allocatable after the
EKS AMI's kube-reserved CPU and memory (`11Mi × max pods + 255Mi`) and the `100Mi` eviction threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from wavecd.kyverno.quantity import parse_quantity

__all__ = [
    "DEFAULT_INSTANCE",
    "INSTANCE_TYPES",
    "REGION",
    "ZONES",
    "InstanceType",
    "Resources",
    "allocatable",
    "instance_type",
    "node_body",
    "node_status",
    "pod_requests",
    "quantity",
]

REGION = "sim-1"
ZONES = ("sim-1a", "sim-1b", "sim-1c")
_MI = 1024**2
_GI = 1024**3


@dataclass(frozen=True)
class Resources:
    """CPU in millicores, memory in bytes, and a pod count."""

    cpu: int = 0
    memory: int = 0
    pods: int = 0

    def __add__(self, other: Resources) -> Resources:
        return Resources(self.cpu + other.cpu, self.memory + other.memory, self.pods + other.pods)

    def fits_in(self, room: Resources) -> bool:
        return self.cpu <= room.cpu and self.memory <= room.memory and self.pods <= room.pods


def quantity(value: object, *, milli: bool = False) -> int:
    """A quantity (`500m`, `2`, `512Mi`) as an int (millis when `milli`); 0 when it is not one."""
    parsed = parse_quantity(str(value)) if value is not None else None
    if parsed is None:
        return 0
    return math.ceil(parsed * 1000) if milli else math.ceil(parsed)


# What scoring counts for a container that requests no CPU or memory (pkg/scheduler/util: DefaultMilliCPURequest,
# DefaultMemoryRequest), so that best-effort pods still spread.
_NON_ZERO = (100, 200 * _MI)


def _container(container: dict, *, non_zero: bool = False) -> Resources:
    resources = container.get("resources") or {}
    requests = resources.get("requests") or {}
    limits = resources.get("limits") or {}
    cpu = quantity(requests.get("cpu", limits.get("cpu")), milli=True)
    memory = quantity(requests.get("memory", limits.get("memory")))
    if non_zero:
        cpu, memory = cpu or _NON_ZERO[0], memory or _NON_ZERO[1]
    return Resources(cpu=cpu, memory=memory)


def _max(a: Resources, b: Resources) -> Resources:
    return Resources(max(a.cpu, b.cpu), max(a.memory, b.memory), max(a.pods, b.pods))


def pod_requests(pod: dict, *, non_zero: bool = False) -> Resources:
    """What the scheduler reserves on a node for the pod (one pod slot included); with `non_zero`, what its
    scoring counts (a container's missing CPU or memory request taken as 100m CPU and 200Mi memory)."""
    spec = pod.get("spec") or {}
    total = Resources()
    for container in spec.get("containers") or []:
        total += _container(container, non_zero=non_zero)
    sidecars = Resources()
    init_peak = Resources()
    for container in spec.get("initContainers") or []:
        if container.get("restartPolicy") == "Always":
            sidecars += _container(container, non_zero=non_zero)
            init_peak = _max(init_peak, sidecars)
        else:
            init_peak = _max(init_peak, sidecars + _container(container))
    total = _max(total + sidecars, init_peak)
    overhead = spec.get("overhead") or {}
    total += Resources(quantity(overhead.get("cpu"), milli=True), quantity(overhead.get("memory")))
    return total + Resources(pods=1)


def allocatable(node: dict) -> Resources:
    values = (node.get("status") or {}).get("allocatable") or {}
    return Resources(
        quantity(values.get("cpu"), milli=True), quantity(values.get("memory")), quantity(values.get("pods"))
    )


@dataclass(frozen=True)
class InstanceType:
    """An EC2 instance type as Karpenter's AWS provider describes it (the labels it puts on nodes)."""

    name: str
    category: str
    generation: int
    cpu: int  # vCPUs
    memory_gib: int
    max_pods: int

    @property
    def size(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    def labels(self) -> dict[str, str]:
        return {
            "node.kubernetes.io/instance-type": self.name,
            "karpenter.k8s.aws/instance-category": self.category,
            "karpenter.k8s.aws/instance-family": self.family,
            "karpenter.k8s.aws/instance-generation": str(self.generation),
            "karpenter.k8s.aws/instance-size": self.size,
            "karpenter.k8s.aws/instance-cpu": str(self.cpu),
            "karpenter.k8s.aws/instance-memory": str(self.memory_gib * 1024),
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/os": "linux",
        }

    def capacity(self) -> dict[str, str]:
        return {
            "cpu": str(self.cpu),
            "memory": f"{self.memory_gib * 1024 * 1024}Ki",
            "pods": str(self.max_pods),
            "ephemeral-storage": "52416492Ki",
        }

    def allocatable(self) -> dict[str, str]:
        reserved_cpu = _reserved_cpu(self.cpu)
        reserved_memory = (11 * self.max_pods + 255 + 100) * _MI
        return {
            "cpu": f"{self.cpu * 1000 - reserved_cpu}m",
            "memory": f"{(self.memory_gib * _GI - reserved_memory) // 1024}Ki",
            "pods": str(self.max_pods),
            "ephemeral-storage": "47233297124",
        }


def _reserved_cpu(vcpus: int) -> int:
    """EKS kube-reserved CPU in millicores: 6% of the first core, 1% of the second, 0.5% of the next two,
    0.25% of the rest."""
    shares = [60, 10, 5, 5] + [2.5] * max(0, vcpus - 4)
    return math.ceil(sum(shares[:vcpus]))


# Max pods per size on the VPC CNI (ENIs × IPs per ENI − 1, + 2), the same for c, m and r of these generations.
_SIZES = (("large", 2, 29), ("xlarge", 4, 58), ("2xlarge", 8, 58), ("4xlarge", 16, 234))
_FAMILIES = (("c", 2), ("m", 4), ("r", 8))  # category, GiB per vCPU
_GENERATIONS = ((5, ""), (6, "i"), (7, "i"))
INSTANCE_TYPES: tuple[InstanceType, ...] = tuple(
    InstanceType(f"{category}{generation}{suffix}.{size}", category, generation, cpus, cpus * per_cpu, max_pods)
    for category, per_cpu in _FAMILIES
    for generation, suffix in _GENERATIONS
    for size, cpus, max_pods in _SIZES
)
# The sim's own nodes: an EKS managed node group of general-purpose instances.
DEFAULT_INSTANCE = "m5.2xlarge"


def instance_type(name: str) -> InstanceType | None:
    return next((t for t in INSTANCE_TYPES if t.name == name), None)


def node_body(name: str, instance: InstanceType, labels: dict[str, str], taints: list[dict]) -> dict:
    """A Node of `instance`; `node_status` is what its kubelet then reports."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                **instance.labels(),
                "kubernetes.io/hostname": name,
                "topology.kubernetes.io/region": REGION,
                **labels,
            },
        },
        "spec": {"taints": taints} if taints else {},
    }


def node_status(instance: InstanceType, address: str, kubelet_version: str) -> dict:
    return {
        "capacity": instance.capacity(),
        "allocatable": instance.allocatable(),
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "KubeletReady",
                "message": "kubelet is posting ready status",
            }
        ],
        "addresses": [{"type": "InternalIP", "address": address}],
        "nodeInfo": {
            "kubeletVersion": kubelet_version,
            "architecture": "amd64",
            "operatingSystem": "linux",
        },
    }
