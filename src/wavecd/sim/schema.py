"""What SSA and strategic merge need to know about a field: is a list keyed, a set, or atomic; is a map atomic.

Built-in kinds use a table of the list-map/set/atomic markers of the Kubernetes 1.3x OpenAPI schemas for the
fields a GitOps tool writes (containers, env, ports, volumes, conditions, ...), looked up by field name and its
parent field so pod templates match at any depth; tests/differential/test_differential_openapi.py holds it
against a real apiserver's schemas. CRDs use their own `openAPIV3Schema` markers. Anything
unlisted behaves as the schema default: maps granular, lists atomic.
"""

from __future__ import annotations

from dataclasses import dataclass

_PODSPEC_CONTAINERS = ("containers", "initContainers", "ephemeralContainers")


@dataclass(frozen=True)
class ListInfo:
    kind: str  # "map" | "set" | "atomic"
    keys: tuple[str, ...] = ()


ATOMIC_LIST = ListInfo("atomic")
_MAPS: dict[tuple[str | None, str], ListInfo] = {}
for _c in _PODSPEC_CONTAINERS:
    _MAPS[(None, _c)] = ListInfo("map", ("name",))
    _MAPS[(_c, "ports")] = ListInfo("map", ("containerPort", "protocol"))
    _MAPS[(_c, "env")] = ListInfo("map", ("name",))
    _MAPS[(_c, "volumeMounts")] = ListInfo("map", ("mountPath",))
    _MAPS[(_c, "volumeDevices")] = ListInfo("map", ("devicePath",))
    _MAPS[(_c, "resizePolicy")] = ListInfo("atomic")
_MAPS.update(
    {
        (None, "volumes"): ListInfo("map", ("name",)),
        ("spec", "imagePullSecrets"): ListInfo("map", ("name",)),  # a pod's; a ServiceAccount's are atomic
        ("resources", "claims"): ListInfo("map", ("name",)),
        (None, "resourceClaims"): ListInfo("map", ("name",)),
        (None, "resourceClaimStatuses"): ListInfo("map", ("name",)),
        (None, "schedulingGates"): ListInfo("map", ("name",)),
        (None, "podIPs"): ListInfo("map", ("ip",)),
        (None, "secrets"): ListInfo("map", ("name",)),
        ("onExitCodes", "values"): ListInfo("set"),
        ("uncountedTerminatedPods", "succeeded"): ListInfo("set"),
        ("uncountedTerminatedPods", "failed"): ListInfo("set"),
        (None, "hostAliases"): ListInfo("map", ("ip",)),
        (None, "topologySpreadConstraints"): ListInfo("map", ("topologyKey", "whenUnsatisfiable")),
        (None, "conditions"): ListInfo("map", ("type",)),
        (None, "finalizers"): ListInfo("set"),
        (None, "ownerReferences"): ListInfo("map", ("uid",)),
        (None, "containerStatuses"): ListInfo("atomic"),
        (None, "volumeClaimTemplates"): ListInfo("atomic"),
        ("spec", "ports"): ListInfo("map", ("port", "protocol")),
        (None, "resourceNames"): ListInfo("atomic"),
    }
)
# Maps that are leaves (x-kubernetes-map-type: atomic, or structs marked atomic).
_ATOMIC_MAPS = frozenset({"selector", "nodeSelector", "matchLabels", "labelSelector", "namespaceSelector"})
# Defaults that are part of a list-map key, filled when a key field is absent (as the apiserver defaults them).
KEY_DEFAULTS = {"protocol": "TCP"}


class Schema:
    """A node of a kind's schema; `child(field)` for a map field, `items()` for list items."""

    __slots__ = ("_crd", "_parent")

    def __init__(self, crd: dict | None = None, parent: str | None = None):
        self._crd = crd
        self._parent = parent

    def child(self, field: str) -> Schema:
        if self._crd is not None:
            props = self._crd.get("properties") or {}
            if field in props:
                return Schema(props[field], field)
            extra = self._crd.get("additionalProperties")
            if isinstance(extra, dict):
                return Schema(extra, field)
            if field == "metadata" or self._crd.get("x-kubernetes-embedded-resource"):
                return Schema(None, field)
            return Schema({}, field)
        return Schema(None, field)

    def items(self) -> Schema:
        if self._crd is not None:
            items = self._crd.get("items")
            return Schema(items if isinstance(items, dict) else {}, self._parent)
        return Schema(None, self._parent)

    def list_info(self, field: str) -> ListInfo:
        """How the list held in `field` (a child of this node) merges."""
        if self._crd is not None:
            node = (self._crd.get("properties") or {}).get(field) or {}
            list_type = node.get("x-kubernetes-list-type")
            if list_type == "map":
                return ListInfo("map", tuple(node.get("x-kubernetes-list-map-keys") or ()))
            if list_type == "set":
                return ListInfo("set")
            if field in ("finalizers", "ownerReferences") and self._parent == "metadata":
                return _MAPS[(None, field)]
            return ATOMIC_LIST
        return _MAPS.get((self._parent, field)) or _MAPS.get((None, field)) or ATOMIC_LIST

    def atomic_map(self, field: str) -> bool:
        if self._crd is not None:
            node = (self._crd.get("properties") or {}).get(field) or {}
            return node.get("x-kubernetes-map-type") == "atomic"
        return field in _ATOMIC_MAPS


def item_key(item: object, info: ListInfo) -> dict | None:
    """The key of a list-map item ({field: value} in key order), None if the item cannot be keyed."""
    if not isinstance(item, dict):
        return None
    key = {}
    for name in info.keys:
        if name in item:
            key[name] = item[name]
        elif name in KEY_DEFAULTS:
            key[name] = KEY_DEFAULTS[name]
        else:
            return None
    return key
