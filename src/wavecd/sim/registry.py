"""The kinds the simulated API server knows: a built-in table plus the kinds established CRDs add.

Discovery, OpenAPI stubs, URL parsing and the SSA schema lookups all derive from this one registry, so a kind
appears everywhere at once when its CRD is established and disappears everywhere when it is deleted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    status: bool = False  # has a status subresource
    scale: bool = False  # has a scale subresource (`autoscaling/v1` Scale)
    categories: tuple[str, ...] = ()
    # For CRDs: the version's openAPIV3Schema (drives SSA list types); None for built-ins.
    schema: dict | None = field(default=None, compare=False, hash=False)
    # `.spec.replicas`-style paths of a CRD's scale subresource: spec replicas, status replicas, label selector
    # ("" when the CRD names none)
    scale_paths: tuple[str, str, str] | None = None
    # A CRD version's additionalPrinterColumns (for `kubectl get` tables)
    printer_columns: tuple[dict, ...] = field(default=(), compare=False, hash=False)
    # The kind's strategy `AllowUnconditionalUpdate`: False makes a PUT without metadata.resourceVersion a 422
    # (a Lease: its writers must say which version they read, or leader election is not safe).
    unconditional_update: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def subresources(self) -> tuple[str, ...]:
        """The subresources the sim serves for this kind, by name (the apiserver's order in discovery)."""
        subs = ("finalize",) if (self.group, self.kind) == ("", "Namespace") else ()
        return subs + ("scale",) * self.scale + ("status",) * self.status

    @property
    def group_resource(self) -> str:
        """`deployments.apps`, or `configmaps` for core: how API errors name a resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


def _k(gv: str, kind: str, plural: str, namespaced: bool = True, short: str = "", **extra) -> Kind:
    group, _, version = gv.rpartition("/")
    return Kind(group, version, kind, plural, namespaced, tuple(short.split()) if short else (), **extra)


_ALL = ("all",)
_EXTENSIONS = ("api-extensions",)
BUILTINS: tuple[Kind, ...] = (
    _k("v1", "Namespace", "namespaces", False, "ns", status=True),
    _k("v1", "ConfigMap", "configmaps", short="cm"),
    _k("v1", "Secret", "secrets"),
    _k("v1", "ServiceAccount", "serviceaccounts", short="sa"),
    _k("v1", "Service", "services", short="svc", status=True, categories=_ALL),
    _k("v1", "Pod", "pods", short="po", status=True, categories=_ALL),
    _k("v1", "PersistentVolumeClaim", "persistentvolumeclaims", short="pvc", status=True),
    _k("v1", "PersistentVolume", "persistentvolumes", False, "pv", status=True),
    _k("v1", "Event", "events", short="ev"),
    _k("v1", "Endpoints", "endpoints", short="ep"),
    _k("v1", "Node", "nodes", False, "no", status=True),
    _k("v1", "LimitRange", "limitranges", short="limits"),
    _k("v1", "ResourceQuota", "resourcequotas", short="quota", status=True),
    _k("apps/v1", "Deployment", "deployments", short="deploy", status=True, scale=True, categories=_ALL),
    _k("apps/v1", "ReplicaSet", "replicasets", short="rs", status=True, scale=True, categories=_ALL),
    _k("apps/v1", "StatefulSet", "statefulsets", short="sts", status=True, scale=True, categories=_ALL),
    _k("apps/v1", "DaemonSet", "daemonsets", short="ds", status=True, categories=_ALL),
    _k("apps/v1", "ControllerRevision", "controllerrevisions"),
    _k("batch/v1", "Job", "jobs", status=True, categories=_ALL),
    _k("batch/v1", "CronJob", "cronjobs", short="cj", status=True, categories=_ALL),
    _k("networking.k8s.io/v1", "Ingress", "ingresses", short="ing", status=True),
    _k("networking.k8s.io/v1", "IngressClass", "ingressclasses", False),
    _k("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", short="netpol"),
    _k("rbac.authorization.k8s.io/v1", "Role", "roles"),
    _k("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings"),
    _k("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", False),
    _k("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", False),
    _k("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", short="pdb", status=True),
    *(
        _k(gv, "HorizontalPodAutoscaler", "horizontalpodautoscalers", short="hpa", status=True, categories=_ALL)
        for gv in ("autoscaling/v2", "autoscaling/v1")
    ),
    _k(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        False,
        "crd crds",
        status=True,
        categories=_EXTENSIONS,
    ),
    _k("apiregistration.k8s.io/v1", "APIService", "apiservices", False, status=True, categories=_EXTENSIONS),
    _k("coordination.k8s.io/v1", "Lease", "leases", unconditional_update=False),
    _k("storage.k8s.io/v1", "StorageClass", "storageclasses", False, "sc"),
    _k("scheduling.k8s.io/v1", "PriorityClass", "priorityclasses", False, "pc"),
    _k(
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        False,
        categories=_EXTENSIONS,
    ),
    _k(
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        False,
        categories=_EXTENSIONS,
    ),
)
# Groups listed first in discovery, in this order (like a real cluster); others follow sorted.
PREFERRED_ORDER = (
    "",
    "apps",
    "batch",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "policy",
    "autoscaling",
)
# The preferred version of a group with several versions
PREFERRED_VERSION = {"autoscaling": "v2"}


class Registry:
    """Thread-safe lookups by (group, version, plural) and by (group, version, kind); a `generation` counter
    that changes whenever the set of kinds does (clients' OpenAPI `hash`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_plural: dict[tuple[str, str, str], Kind] = {}
        self._by_kind: dict[tuple[str, str, str], Kind] = {}
        self._crd_kinds: dict[str, list[Kind]] = {}  # CRD name -> kinds it registered
        self._served_from: dict[tuple[str, str], int] = {}  # (group, plural) of a CRD's kinds -> first version
        self.generation = 0
        for kind in BUILTINS:
            self._add(kind)

    def _add(self, kind: Kind) -> None:
        self._by_plural[(kind.group, kind.version, kind.plural)] = kind
        self._by_kind[(kind.group, kind.version, kind.kind)] = kind

    def by_plural(self, group: str, version: str, plural: str) -> Kind | None:
        return self._by_plural.get((group, version, plural))

    def for_api_version(self, api_version: str, kind: str) -> Kind | None:
        group, _, version = api_version.rpartition("/")
        return self._by_kind.get((group, version, kind))

    def by_resource(self, group: str, plural: str) -> Kind | None:
        """The preferred version's kind for a stored resource (storage is version-agnostic)."""
        with self._lock:
            found = [k for k in self._by_plural.values() if k.group == group and k.plural == plural]
        if not found:
            return None
        preferred = PREFERRED_VERSION.get(group)
        found.sort(key=lambda k: (k.version != preferred, _version_rank(k.version)))
        return found[0]

    def resources(self) -> list[Kind]:
        """One kind per stored resource (group, plural)."""
        seen: dict[tuple[str, str], Kind] = {}
        for kind in self.kinds():
            seen.setdefault((kind.group, kind.plural), kind)
        return list(seen.values())

    def kinds(self) -> list[Kind]:
        with self._lock:
            return list(self._by_plural.values())

    def group_versions(self) -> dict[str, list[str]]:
        """group -> versions (preferred first)."""
        result: dict[str, list[str]] = {}
        for kind in self.kinds():
            versions = result.setdefault(kind.group, [])
            if kind.version not in versions:
                versions.append(kind.version)
        for group, versions in result.items():
            preferred = PREFERRED_VERSION.get(group)
            versions.sort(key=lambda v: (v != preferred, _version_rank(v)))
        return result

    def register_crd(self, crd_name: str, kinds: list[Kind], *, served_from: int) -> None:
        """Serve `kinds` for the CRD `crd_name`; `served_from` = the store's resourceVersion when they are first
        served (kept while they stay served)."""
        with self._lock:
            for old in self._crd_kinds.pop(crd_name, []):
                self._by_plural.pop((old.group, old.version, old.plural), None)
                self._by_kind.pop((old.group, old.version, old.kind), None)
            for kind in kinds:
                self._add(kind)
                self._served_from.setdefault((kind.group, kind.plural), served_from)
            self._crd_kinds[crd_name] = kinds
            self.generation += 1

    def unregister_crd(self, crd_name: str) -> list[Kind]:
        with self._lock:
            kinds = self._crd_kinds.pop(crd_name, [])
            for old in kinds:
                self._by_plural.pop((old.group, old.version, old.plural), None)
                self._by_kind.pop((old.group, old.version, old.kind), None)
                self._served_from.pop((old.group, old.plural), None)
            self.generation += 1
            return kinds

    def served_from(self, kind: Kind) -> int:
        """The oldest resourceVersion a watch of `kind` can start from: a custom resource's watch cache starts
        when its CRD is established, so the apiserver answers an older version 410 (0 for built-in kinds)."""
        with self._lock:
            return self._served_from.get((kind.group, kind.plural), 0)

    def crd_kinds(self, crd_name: str) -> list[Kind]:
        with self._lock:
            return list(self._crd_kinds.get(crd_name, []))


def _version_rank(version: str) -> tuple[int, int, int]:
    """Kubernetes version priority: GA > beta > alpha, then higher numbers first."""
    import re

    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not match:
        return (3, 0, 0)
    stage = {"": 0, "beta": 1, "alpha": 2}[match.group(2) or ""]
    return (stage, -int(match.group(1)), -int(match.group(3) or 0))


def kinds_from_crd(crd: dict) -> list[Kind]:
    """The kinds a CRD serves: one per served version."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group = spec.get("group") or ""
    namespaced = spec.get("scope", "Namespaced") == "Namespaced"
    result = []
    for version in spec.get("versions") or []:
        if not version.get("served", True):
            continue
        sub = version.get("subresources") or {}
        scale = sub.get("scale")
        result.append(
            Kind(
                group,
                version.get("name", ""),
                names.get("kind", ""),
                names.get("plural", ""),
                namespaced,
                tuple(names.get("shortNames") or ()),
                status="status" in sub,
                scale=scale is not None,
                categories=tuple(names.get("categories") or ()),
                schema=(version.get("schema") or {}).get("openAPIV3Schema"),
                scale_paths=(
                    scale.get("specReplicasPath", ".spec.replicas"),
                    scale.get("statusReplicasPath", ".status.replicas"),
                    scale.get("labelSelectorPath", ""),
                )
                if scale
                else None,
                printer_columns=tuple(version.get("additionalPrinterColumns") or ()),
            )
        )
    return result
