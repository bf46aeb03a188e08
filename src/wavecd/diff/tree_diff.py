"""Two walks of one app tree compared app by app: what Argo CD would apply differently.

An app is named by its kind, namespace and name (apps in any namespace: two apps may share a name in
different namespaces). An app only one walk has is added or removed: the root's list of
Applications and every ApplicationSet's generated Applications are apps of the walk, so both show here.
For an app both have, objects are paired as Argo CD pairs them (group, kind, namespace, name; the
version left out), each side normalized (`wavecd.diff.normalize`, with the app's `ignoreDifferences`
of the newer side), Secret values masked as Argo CD masks them (`wavecd.diff.secrets`), and a pair that
still differs gets a unified diff. Waves are reported twice: the app's own tree wave, and the
resource waves (sync-wave annotations) its changed objects sit in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from wavecd.apps.node import AppNode, Tree
from wavecd.common import sync_wave
from wavecd.common.argocd import ARGOCD_NAMESPACE
from wavecd.diff.normalize import IgnoreRule, ObjectKey, ignore_rules, normalize, object_key
from wavecd.diff.secrets import mask_secret_pair
from wavecd.diff.text import manifest_diff

__all__ = ["AppDiff", "Change", "ObjectChange", "TreeDiff", "compare_trees", "object_change"]

Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class ObjectChange:
    group: str
    kind: str
    namespace: str
    name: str
    change: Change
    wave: int  # the object's resource wave (the newer side's, if it has one)
    diff: str  # unified diff, older side first; Secret values masked

    @property
    def label(self) -> str:
        """`group/kind namespace/name` as `argocd app diff` heads an object (`/Service ns/x` for core)."""
        return f"{self.group}/{self.kind} {self.namespace}/{self.name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "change": self.change,
            "wave": self.wave,
            "diff": self.diff,
        }


@dataclass
class AppDiff:
    """One app that differs: added, removed, or changed (its tree wave, its objects, or a render error)."""

    name: str
    kind: str
    change: Change
    wave_before: int | None
    wave_after: int | None
    objects: list[ObjectChange] = field(default_factory=list)
    error_before: str | None = None
    error_after: str | None = None
    warnings: list[str] = field(default_factory=list)
    namespace: str = ARGOCD_NAMESPACE  # the Application's own namespace

    @property
    def label(self) -> str:
        """The name, `namespace/name` outside Argo CD's control-plane namespace (as Argo CD names such apps)."""
        return self.name if self.namespace in ("", ARGOCD_NAMESPACE) else f"{self.namespace}/{self.name}"

    def count(self, change: Change) -> int:
        return sum(1 for obj in self.objects if obj.change == change)

    @property
    def resource_waves(self) -> list[int]:
        """The resource waves that hold a changed object, lowest first."""
        return sorted({obj.wave for obj in self.objects})

    @property
    def wave_changed(self) -> bool:
        return self.change == "changed" and self.wave_before != self.wave_after

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "namespace": self.namespace,
            "kind": self.kind,
            "change": self.change,
            "wave": {"from": self.wave_before, "to": self.wave_after},
            "resourceWaves": self.resource_waves,
            "counts": {change: self.count(change) for change in ("added", "changed", "removed")},
            "objects": [obj.to_json() for obj in self.objects],
            "errors": {"from": self.error_before, "to": self.error_after},
            "warnings": self.warnings,
        }


@dataclass
class TreeDiff:
    """Every app that differs, in the newer walk's order (removed apps after, in the older walk's order)."""

    before: str  # what the older side was read from ("main (3f2a1c0)", "working tree", …)
    after: str
    apps: list[AppDiff]
    unchanged: int  # apps on both sides with nothing to show

    @property
    def differs(self) -> bool:
        return any(app.change != "changed" or app.objects or app.wave_changed for app in self.apps)

    @property
    def errors(self) -> list[AppDiff]:
        """Apps that failed to render on either side: their objects were not compared."""
        return [app for app in self.apps if app.error_before or app.error_after]

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.before,
            "to": self.after,
            "differs": self.differs,
            "unchanged": self.unchanged,
            "apps": [app.to_json() for app in self.apps],
        }


def compare_trees(before: Tree, after: Tree, before_label: str, after_label: str) -> TreeDiff:
    old = {node.key: node for node in before.nodes}
    new = {node.key: node for node in after.nodes}
    apps: list[AppDiff] = []
    unchanged = 0
    for key, node in new.items():
        previous = old.get(key)
        if previous is None:
            apps.append(_one_sided(node, "added"))
            continue
        app = _compare_app(previous, node)
        if app.change != "changed" or app.objects or app.wave_changed or app.error_before or app.error_after:
            apps.append(app)
        else:
            unchanged += 1
    apps += [_one_sided(node, "removed") for key, node in old.items() if key not in new]
    return TreeDiff(before_label, after_label, apps, unchanged)


def _one_sided(node: AppNode, change: Change) -> AppDiff:
    rules, warnings = ignore_rules(node.obj)
    empty: list[dict[str, Any]] = []
    objects = _compare_objects(empty, node.manifests, rules) if change == "added" else []
    if change == "removed":
        objects = _compare_objects(node.manifests, empty, rules)
    return AppDiff(
        name=node.name,
        kind=node.kind,
        change=change,
        wave_before=node.wave if change == "removed" else None,
        wave_after=node.wave if change == "added" else None,
        objects=objects,
        error_before=node.error if change == "removed" else None,
        error_after=node.error if change == "added" else None,
        warnings=warnings,
        namespace=node.namespace,
    )


def _compare_app(before: AppNode, after: AppNode) -> AppDiff:
    rules, warnings = ignore_rules(after.obj)
    app = AppDiff(
        name=after.name,
        kind=after.kind,
        change="changed",
        wave_before=before.wave,
        wave_after=after.wave,
        error_before=before.error,
        error_after=after.error,
        warnings=warnings,
        namespace=after.namespace,
    )
    # equal manifests stay equal once normalized: most apps of a one-file change end here
    if not (before.error or after.error) and before.manifests != after.manifests:
        app.objects = _compare_objects(before.manifests, after.manifests, rules)
    return app


def _by_key(manifests: Sequence[dict[str, Any]]) -> dict[ObjectKey, dict[str, Any]]:
    """Objects by Argo CD's key; of duplicates the last is kept, as Argo CD keeps it."""
    return {object_key(obj): obj for obj in manifests}


def _compare_objects(
    before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]], rules: list[IgnoreRule]
) -> list[ObjectChange]:
    old = _by_key(before)
    new = _by_key(after)
    changes = [object_change(key, old.get(key), new.get(key), rules) for key in sorted(old.keys() | new.keys())]
    return [change for change in changes if change is not None]


def object_change(
    key: ObjectKey,
    older: dict[str, Any] | None,
    newer: dict[str, Any] | None,
    rules: list[IgnoreRule],
    sides: tuple[str, str] = ("a", "b"),
) -> ObjectChange | None:
    """One object's two states normalized and compared; None when they are the same. `sides` head the
    diff (`a`/`b` for two revisions, `live`/`target` against a cluster)."""
    older = normalize(older, rules) if older is not None else None
    newer = normalize(newer, rules) if newer is not None else None
    if older == newer:
        return None
    newer_masked, older_masked = mask_secret_pair(newer, older)
    text = manifest_diff(newer_masked, older_masked, "/".join(part for part in key if part), sides)
    if not text:  # equal once a Secret's stringData is folded into data, as the API server stores it
        return None
    change: Change = "added" if older is None else "removed" if newer is None else "changed"
    shown = newer if newer is not None else older
    assert shown is not None
    return ObjectChange(*key, change, _wave(shown), text)


def _wave(obj: dict[str, Any]) -> int:
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    return sync_wave(annotations if isinstance(annotations, dict) else {})
