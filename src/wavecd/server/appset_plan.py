"""Which Applications an ApplicationSet creates, updates and deletes, as a pure plan (Argo CD
`applicationset/controllers/applicationset_controller.go` `createOrUpdateInCluster`, `createInCluster`,
`deleteInCluster`; `applicationset/utils/policy.go`, `createOrUpdate.go`).

The tree expansion (`wavecd.apps.appset`) says what the generators produce, the resources finalizer
included; the plan says what becomes of the live Applications under the set's `applicationsSync` policy,
and how each written one looks: generated spec, labels, annotations and finalizers, what Argo CD
preserves, the set as controller. `wavecd.server.appsets` carries it out.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from wavecd.common import APPLICATION, APPLICATION_SET, ARGO_API_VERSION, ARGO_GROUP, ARGOCD_NAMESPACE, REFRESH
from wavecd.server.app_fields import go_equal, metadata
from wavecd.server.app_fields import spec as app_spec

__all__ = [
    "ALLOW_DELETE",
    "ALLOW_UPDATE",
    "POLICIES",
    "AppSetPlan",
    "AppSetPlanError",
    "effective_policy",
    "is_owned_by",
    "plan_appset",
]

# `applicationsSync` values (`applicationset_types.go`); "sync" is the default.
POLICIES = ("create-only", "create-update", "create-delete", "sync")
ALLOW_UPDATE = frozenset({"create-update", "sync"})
ALLOW_DELETE = frozenset({"create-delete", "sync"})

# Kept from the live Application on update whatever the template says (`defaultPreservedAnnotations`):
# Argo CD's notifications, a requested refresh and a requested hydration belong to other controllers.
_PRESERVED_ANNOTATIONS = (
    "notified.notifications.argoproj.io",
    REFRESH,
    "argocd.argoproj.io/hydrate",
)
# Kept by prefix, so a hook stage suffix survives too (`defaultPreservedFinalizers`): a deletion in progress
# must not lose its hooks.
_PRESERVED_FINALIZERS = ("pre-delete-finalizer.argocd.argoproj.io", "post-delete-finalizer.argocd.argoproj.io")


class AppSetPlanError(Exception):
    """Why the set's Applications cannot be planned at all (reported in its ErrorOccurred condition)."""


@dataclass(frozen=True)
class AppSetPlan:
    """What one reconcile does under `policy`. `create` and `update` hold the whole objects to write (an
    update is the live object with the generated parts put in), `delete` and `unchanged` the live objects,
    `failed` the apps that cannot be written (name → why)."""

    policy: str = "sync"
    create: list[dict[str, Any]] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    delete: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _name(obj: dict[str, Any]) -> str:
    return str(metadata(obj).get("name") or "")


def effective_policy(
    appset: dict[str, Any], controller_policy: str | None = None, *, enable_policy_override: bool | None = None
) -> str:
    """The policy in force (`utils/policy.go` `DefaultPolicy`): the controller's `--policy`, unless the set
    names its own `syncPolicy.applicationsSync` and overrides are allowed — as they are by default when the
    controller names no policy. Without either, "sync"."""
    if controller_policy is not None and controller_policy not in POLICIES:
        raise AppSetPlanError(
            "Policy value can be: sync, create-only, create-update, create-delete, default value: sync"
        )
    allow = controller_policy is None if enable_policy_override is None else enable_policy_override
    own = (app_spec(appset).get("syncPolicy") or {}).get("applicationsSync")
    if allow and own:
        if own not in POLICIES:
            raise AppSetPlanError(f"unknown applicationsSync policy {own!r}; expected one of {', '.join(POLICIES)}")
        return str(own)
    return controller_policy or "sync"


def owner_reference(appset: dict[str, Any]) -> dict[str, Any]:
    """The controller reference every generated Application carries (`SetControllerReference`): deleting the
    set lets Kubernetes' garbage collector delete its Applications."""
    meta = metadata(appset)
    return {
        "apiVersion": ARGO_API_VERSION,
        "kind": APPLICATION_SET,
        "name": str(meta.get("name") or ""),
        "uid": str(meta.get("uid") or ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def is_owned_by(app: dict[str, Any], appset: dict[str, Any]) -> bool:
    """Whether the set is the app's controller (Argo CD indexes it by the owner's name, in the set's
    namespace)."""
    name = _name(appset)
    return metadata(app).get("namespace") == metadata(appset).get("namespace") and any(
        isinstance(ref, dict)
        and ref.get("controller") is True
        and ref.get("kind") == APPLICATION_SET
        and str(ref.get("apiVersion") or "").startswith(f"{ARGO_GROUP}/")
        and ref.get("name") == name
        for ref in metadata(app).get("ownerReferences") or []
    )


def _with_controller(refs: list[Any], appset: dict[str, Any]) -> list[dict[str, Any]]:
    """The owner references with the set as controller; another controller already there is refused, as
    `SetControllerReference` refuses it."""
    wanted = owner_reference(appset)
    out: list[dict[str, Any]] = []
    for ref in refs:
        if not isinstance(ref, dict):
            continue
        same = ref.get("kind") == APPLICATION_SET and ref.get("name") == wanted["name"]
        if ref.get("controller") is True and not same:
            raise AppSetPlanError(f"Object is already owned by another {ref.get('kind')} controller {ref.get('name')}")
        if not same:
            out.append(ref)
    return [*out, wanted]


def _is_zero(value: Any) -> bool:
    return not value or (isinstance(value, dict) and all(_is_zero(v) for v in value.values()))


def normalize_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Argo CD's `NormalizeApplicationSpec`, so the set does not fight the application controller over
    spellings of nothing: the project defaults to `default`, an empty syncPolicy and empty helm, kustomize
    and directory blocks of a source are dropped."""
    out = copy.deepcopy(dict(spec))
    if not out.get("project"):
        out["project"] = "default"
    if "syncPolicy" in out and _is_zero(out["syncPolicy"]):
        del out["syncPolicy"]
    sources = out.get("sources") or ([out["source"]] if isinstance(out.get("source"), dict) else [])
    for source in sources:
        if isinstance(source, dict):
            for key in ("helm", "kustomize", "directory"):
                if key in source and _is_zero(source[key]):
                    del source[key]
    return out


def _setmetadata(meta: dict[str, Any], key: str, value: Any) -> None:
    if value:
        meta[key] = value
    else:
        meta.pop(key, None)


def desired_application(
    appset: dict[str, Any], generated: dict[str, Any], live: dict[str, Any] | None
) -> dict[str, Any]:
    """The Application as the set writes it (the mutate step of `createOrUpdateInCluster`): the live object,
    if any, with the generated spec (and `operation`, when templated), the generated labels, annotations and
    finalizers — save the annotations and labels the set preserves and the hook finalizers of a deletion in
    progress — and the set as its controller."""
    gen_meta = metadata(generated)
    if live is None:
        out: dict[str, Any] = {
            "apiVersion": ARGO_API_VERSION,
            "kind": APPLICATION,
            "metadata": {"name": gen_meta.get("name"), "namespace": gen_meta.get("namespace") or ARGOCD_NAMESPACE},
        }
    else:
        out = copy.deepcopy(dict(live))
    meta = out["metadata"] = dict(metadata(out))
    live_meta = metadata(live or {})
    out["spec"] = normalize_spec(app_spec(generated))
    if generated.get("operation"):
        out["operation"] = copy.deepcopy(generated["operation"])
    preserved = app_spec(appset).get("preservedFields") or {}
    annotations = dict(gen_meta.get("annotations") or {})
    live_annotations = live_meta.get("annotations") or {}
    for key in [*(preserved.get("annotations") or []), *_PRESERVED_ANNOTATIONS]:
        if key in live_annotations:
            annotations[key] = live_annotations[key]
    labels = dict(gen_meta.get("labels") or {})
    live_labels = live_meta.get("labels") or {}
    for key in preserved.get("labels") or []:
        if key in live_labels:
            labels[key] = live_labels[key]
    finalizers = list(gen_meta.get("finalizers") or [])
    for prefix in _PRESERVED_FINALIZERS:
        finalizers += [f for f in live_meta.get("finalizers") or [] if isinstance(f, str) and f.startswith(prefix)]
    _setmetadata(meta, "annotations", annotations)
    _setmetadata(meta, "labels", labels)
    _setmetadata(meta, "finalizers", finalizers)
    meta["ownerReferences"] = _with_controller(list(meta.get("ownerReferences") or []), appset)
    return out


# -- ignoreApplicationDifferences ---------------------------------------------------------------------------------
def _pointer(text: str) -> list[str]:
    if text == "":
        return []
    if not text.startswith("/"):
        raise AppSetPlanError(f"ignoreApplicationDifferences: invalid JSON pointer {text!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in text[1:].split("/")]


def _lookup(doc: Any, path: list[str]) -> tuple[bool, Any]:
    for part in path:
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return False, None
    return True, doc


def _put(doc: Any, path: list[str], found: bool, value: Any) -> None:
    """Set the value at `path` (creating maps on the way), or remove it when `found` is False."""
    for part in path[:-1]:
        if isinstance(doc, dict):
            if not found and part not in doc:
                return
            doc = doc.setdefault(part, {})
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return
    last = path[-1]
    if isinstance(doc, dict):
        if found:
            doc[last] = copy.deepcopy(value)
        else:
            doc.pop(last, None)
    elif isinstance(doc, list) and last.isdigit() and int(last) < len(doc) and found:
        doc[int(last)] = copy.deepcopy(value)


def ignored_pointers(appset: dict[str, Any], app_name: str) -> list[list[str]]:
    """The JSON pointers of `ignoreApplicationDifferences` that apply to the app (an entry without `name`
    applies to every app). jq expressions are refused rather than silently not honoured."""
    out: list[list[str]] = []
    for entry in app_spec(appset).get("ignoreApplicationDifferences") or []:
        if not isinstance(entry, dict) or entry.get("name") not in (None, "", app_name):
            continue
        if entry.get("jqPathExpressions"):
            raise AppSetPlanError("ignoreApplicationDifferences: jqPathExpressions are not supported by wavecd")
        out += [_pointer(str(p)) for p in entry.get("jsonPointers") or []]
    return out


def _keep_ignored(desired: dict[str, Any], live: dict[str, Any], pointers: list[list[str]]) -> None:
    """Fields the set ignores keep their live value: the update never touches them."""
    for path in pointers:
        if (
            not path
            or path[0] in ("apiVersion", "kind")
            or path[:2] in (["metadata", "name"], ["metadata", "namespace"])
        ):
            continue
        found, value = _lookup(live, path)
        _put(desired, path, found, value)


def _written_parts(obj: dict[str, Any]) -> dict[str, Any]:
    """What the set writes of an app. An empty map or list is the same as none (apimachinery's DeepEqual,
    behind Argo CD's comparison, treats nil and empty alike)."""
    meta = metadata(obj)
    return {
        "spec": normalize_spec(app_spec(obj)),
        "operation": obj.get("operation"),
        **{key: meta.get(key) or None for key in ("labels", "annotations", "finalizers", "ownerReferences")},
    }


def _same(desired: dict[str, Any], live: dict[str, Any]) -> bool:
    """Nothing to write: what the set writes equals the live app, as Go compares the decoded structs (a field
    at its zero value is the same as an absent one)."""
    return go_equal(_written_parts(desired), _written_parts(live))


# -- the plan ----------------------------------------------------------------------------------------------------
def plan_appset(
    appset: dict[str, Any],
    generated: list[dict[str, Any]],
    live_owned: list[dict[str, Any]],
    *,
    live_unowned: list[dict[str, Any]] | None = None,
    policy_override: str | None = None,
    enable_policy_override: bool | None = None,
) -> AppSetPlan:
    """What a reconcile of the set does, given the Applications its generators produce and the live ones it
    owns: under a policy that allows updates, every generated app is created or brought to the generated
    state; otherwise only the missing ones are created. Under a policy that allows deletes, owned apps no
    longer generated are deleted. `policy_override` is the controller's `--policy`.

    `live_unowned` are the other live Applications of the set's namespace: one that bears a generated name
    is taken over whatever the policy, as Argo CD's `CreateOrUpdate` finds it by name — unless another
    controller owns it, which fails that app alone (`failed`)."""
    policy = effective_policy(appset, policy_override, enable_policy_override=enable_policy_override)
    owned = {_name(app): app for app in live_owned}
    unowned = {_name(app): app for app in live_unowned or []}
    plan = AppSetPlan(policy=policy)
    for app in sorted(generated, key=_name):
        name = _name(app)
        live = owned.get(name)
        try:
            if live is None and name in unowned:
                plan.update.append(_updated(appset, app, unowned[name]))
            elif live is None:
                plan.create.append(desired_application(appset, app, None))
            elif policy not in ALLOW_UPDATE:
                plan.unchanged.append(live)
            else:
                desired = _updated(appset, app, live)
                if _same(desired, live):
                    plan.unchanged.append(live)
                else:
                    plan.update.append(desired)
        except AppSetPlanError as err:
            plan.failed[name] = str(err)
    wanted = {_name(app) for app in generated}
    gone = [app for app in sorted(live_owned, key=_name) if _name(app) not in wanted]
    (plan.delete if policy in ALLOW_DELETE else plan.unchanged).extend(gone)
    return plan


def _updated(appset: dict[str, Any], generated: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
    """The live app as the set writes it, the fields it ignores left as they are."""
    desired = desired_application(appset, generated, live)
    _keep_ignored(desired, live, ignored_pointers(appset, _name(generated)))
    return desired
