"""Argo CD pitfalls (WCD2xx): what wavecd accepts or honours but real Argo CD reads differently.

Each message says what Argo CD does, from gitops-engine's and Argo CD's code as docs/lint.md cites it,
so that a tree that works under wavecd is not mistaken for one that works under Argo CD.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from typing import Any

from wavecd.apps.node import AppNode
from wavecd.common import (
    APPLICATION,
    APPLICATION_SET,
    HELM_CRD_INSTALL,
    HELM_HOOK,
    HELM_HOOK_TYPES,
    HELM_HOOK_WEIGHT,
    HOOK,
    HOOK_DELETE_POLICY,
    SYNC_OPTIONS,
    SYNC_WAVE,
    HookDeletePolicy,
)
from wavecd.core.goatoi import go_atoi
from wavecd.lint.model import Finding, LintContext, Rule, Severity
from wavecd.lint.objects import annotations_of, kind_key, metadata_of, planned_apps, rendered_objects
from wavecd.plan import app_sync_options, resource_sync_options
from wavecd.plan.annotations import csv_values
from wavecd.plan.hooks import HOOK_TYPES, hook_info
from wavecd.plan.options import KNOWN_FLAGS, PROPAGATION_POLICIES, VALUED, SyncOptions

__all__ = ["RULES"]

ARGO_PREFIX = "argocd.argoproj.io/"
# The argocd.argoproj.io/ annotations Argo CD and its ApplicationSet controller read on the objects a
# repository holds (labels such as argocd.argoproj.io/instance or secret-type are not annotations).
KNOWN_ANNOTATIONS = frozenset(
    ARGO_PREFIX + key
    for key in (
        "sync-wave",
        "hook",
        "hook-delete-policy",
        "sync-options",
        "compare-options",
        "tracking-id",
        "installation-id",
        "ignore-healthcheck",
        "ignore-restart-policy",
        "deletion-approved",
        "refresh",
        "manifest-generate-paths",
        "skip-reconcile",
        "client-side-apply-migration-manager",
        "application-set-refresh",
    )
)
HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
_SPELLED_OPTIONS = (
    *sorted(KNOWN_FLAGS),
    "Prune=false",
    "Prune=confirm",
    "Delete=false",
    "Delete=confirm",
    "Prune=true",
    "Delete=true",
    *(f"PrunePropagationPolicy={p}" for p in PROPAGATION_POLICIES),
)
_IGNORED_HELM_HOOKS = ("pre-rollback", "post-rollback", "test", "test-success", "test-failure")


def _closest(value: str, known: Iterator[str] | tuple[str, ...] | frozenset[str]) -> str:
    match = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" (did you mean {match[0]}?)" if match else ""


def _generated_by(ctx: LintContext) -> dict[str, list[AppNode]]:
    """Each ApplicationSet's generated Applications, by the ApplicationSet's name."""
    sets = {node.name for node in ctx.tree.nodes if node.kind == APPLICATION_SET}
    found: dict[str, list[AppNode]] = {name: [] for name in sets}
    for node in ctx.tree.nodes:
        if node.kind == APPLICATION and node.parent in found:
            found[node.parent].append(node)
    return found


def _appset_waves(ctx: LintContext) -> Iterator[Finding]:
    for appset in (node for node in ctx.tree.nodes if node.kind == APPLICATION_SET and not node.error):
        generated = _generated_by(ctx)[appset.name]
        waves = sorted(
            {str(annotations_of(app.obj)[SYNC_WAVE]) for app in generated if SYNC_WAVE in annotations_of(app.obj)}
        )
        if not waves:
            continue
        spec = appset.obj.get("spec")
        strategy = spec.get("strategy") if isinstance(spec, dict) else None
        if isinstance(strategy, dict) and strategy.get("type") == "RollingSync":
            continue
        yield ctx.finding(
            "WCD201",
            Severity.WARNING,
            f"ApplicationSet {appset.name} gives its Applications sync-wave {', '.join(waves)}: wavecd orders them "
            "by it, but Argo CD's ApplicationSet controller ignores sync-waves and each generated app syncs on its "
            "own; without strategy.type: RollingSync (steps) real Argo CD has no order between them",
            appset,
            ctx.plan.wave_of(generated[0].name) if generated else None,
            None,
        )


def _has_health_check(obj: dict[str, Any]) -> bool:
    if obj.get("kind") != "ConfigMap" or metadata_of(obj).get("name") != "argocd-cm":
        return False
    data = obj.get("data")
    if not isinstance(data, dict):
        return False
    return HEALTH_KEY in data or "argoproj.io/Application:" in str(data.get("resource.customizations") or "")


def _app_health(ctx: LintContext) -> Iterator[Finding]:
    if len(ctx.plan.waves) < 2:
        return
    if any(_has_health_check(obj) for app, _wave in planned_apps(ctx) for obj in app.manifests):
        return
    waves = ", ".join(str(w.wave) for w in ctx.plan.waves)
    yield ctx.finding(
        "WCD202",
        Severity.WARNING,
        f"child Applications sit in tree waves {waves}, but no argocd-cm ConfigMap of the tree sets {HEALTH_KEY}: "
        "Argo CD >= 1.8 has no health check for Applications, so a parent moves to its next wave without waiting "
        "for the children to be healthy (wavecd waits; real Argo CD would not). Add the Lua health check to argocd-cm",
        ctx.plan.root,
        None,
        None,
    )


def _unknown(options: SyncOptions) -> tuple[str, ...]:
    """Options Argo CD does not know, and valued ones (`Prune=`, `Delete=`, `PrunePropagationPolicy=`) whose
    value it never compares with: `Prune=flase` is read by prefix, matches neither `false` nor `confirm`,
    and so leaves pruning on without a word."""
    valued = tuple(o for o in options.raw if o.split("=", 1)[0] in VALUED and o not in _SPELLED_OPTIONS)
    return (*options.unknown, *valued)


def _option_findings(
    ctx: LintContext, app: AppNode, wave: int | None, obj: dict[str, Any] | None, options: SyncOptions, where: str
) -> Iterator[Finding]:
    for option in _unknown(options):
        yield ctx.finding(
            "WCD203",
            Severity.WARNING,
            f"unknown sync option {option!r} in {where}{_closest(option, _SPELLED_OPTIONS)}: Argo CD ignores it "
            "without a word",
            app,
            wave,
            obj,
        )


def _argo_annotations(ctx: LintContext, app: AppNode, wave: int | None, obj: dict[str, Any]) -> Iterator[Finding]:
    annotations = annotations_of(obj)
    if not annotations:
        return
    for key in annotations:
        if str(key).startswith(ARGO_PREFIX) and key not in KNOWN_ANNOTATIONS:
            yield ctx.finding(
                "WCD203",
                Severity.WARNING,
                f"unknown annotation {key}{_closest(str(key), KNOWN_ANNOTATIONS)}: Argo CD does not read it",
                app,
                wave,
                obj,
            )
    strings = {str(k): str(v) for k, v in annotations.items()}
    if SYNC_OPTIONS in strings:
        yield from _option_findings(ctx, app, wave, obj, resource_sync_options(strings), f"annotation {SYNC_OPTIONS}")
    for key, known in ((HOOK, HOOK_TYPES), (HOOK_DELETE_POLICY, frozenset(HookDeletePolicy))):
        for value in csv_values(strings, key):
            if value not in known:
                yield ctx.finding(
                    "WCD203",
                    Severity.WARNING,
                    f"unknown {key} value {value!r}{_closest(value, frozenset(str(k) for k in known))}: Argo CD "
                    "ignores it" + (" (a hook with no known type is dropped from the sync)" if key == HOOK else ""),
                    app,
                    wave,
                    obj,
                )


def _unknown_options(ctx: LintContext) -> Iterator[Finding]:
    for app, wave in planned_apps(ctx):
        if app.app is not None:
            options = app_sync_options(app.app.sync_policy.sync_options)
            yield from _option_findings(ctx, app, wave, None, options, "syncPolicy.syncOptions")
    for app, wave, obj in rendered_objects(ctx):
        yield from _argo_annotations(ctx, app, wave, obj)


def _json_type(value: object) -> str:
    """Go's encoding/json name for what YAML made of an unquoted annotation value (the manifest readers
    yield JSON's types only), as Kubernetes' decoder names it when it refuses the value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "array" if isinstance(value, list) else "object"


def _wave_not_integer(ctx: LintContext) -> Iterator[Finding]:
    for app, wave, obj in rendered_objects(ctx):
        value = annotations_of(obj).get(SYNC_WAVE)
        if value is None or go_atoi(value) is not None:
            continue
        if not isinstance(value, str):
            yield ctx.finding(
                "WCD204",
                Severity.ERROR,
                f"sync-wave {json.dumps(value)} is not a string: the API server refuses the object, as "
                f'annotation values must be strings ("json: cannot unmarshal {_json_type(value)} into Go struct '
                'field ObjectMeta.metadata.annotations of type string"); quote it',
                app,
                wave,
                obj,
            )
            continue
        weight = annotations_of(obj).get(HELM_HOOK_WEIGHT)
        fallback = f"its {HELM_HOOK_WEIGHT} {weight}" if go_atoi(weight) is not None else "wave 0"
        yield ctx.finding(
            "WCD204",
            Severity.ERROR,
            f"sync-wave {str(value)!r} is not an integer: Argo CD reads it with Go's strconv.Atoi "
            f"(gitops-engine syncwaves.Wave), which refuses it, and silently uses {fallback} instead",
            app,
            wave,
            obj,
        )


def _object_key(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    metadata = metadata_of(obj)
    return (
        kind_key(obj).split("/")[0],
        str(obj.get("kind")),
        str(metadata.get("namespace") or ""),
        str(metadata.get("name") or ""),
    )


def _tracked(obj: dict[str, Any]) -> bool:
    """An object Argo CD tracks as the app's resource: hooks are not, nor objects named only by generateName."""
    strings = {str(k): str(v) for k, v in annotations_of(obj).items()}
    return bool(metadata_of(obj).get("name")) and not (strings and hook_info(strings).is_hook)


def _shared(ctx: LintContext) -> Iterator[Finding]:
    owner: dict[tuple[str, str, str, str], AppNode] = {}
    for app, wave in planned_apps(ctx):
        for obj in app.manifests:
            if not _tracked(obj):
                continue
            key = _object_key(obj)
            first = owner.setdefault(key, app)
            if first is app:
                continue
            fails = any(
                a.app is not None and "FailOnSharedResource=true" in a.app.sync_policy.sync_options
                for a in (first, app)
            )
            text = f"{key[1]}/{key[3]} is part of applications {first.namespace}/{first.name} and {app.name}"
            tail = "; FailOnSharedResource=true makes the sync fail" if fails else ""
            yield ctx.finding(
                "WCD205",
                Severity.ERROR if fails else Severity.WARNING,
                f"rendered by apps {first.name} and {app.name}: Argo CD reports SharedResourceWarning "
                f'"{text}" and the two apps overwrite each other\'s changes{tail}',
                app,
                wave,
                obj,
            )


def _helm_hook_messages(annotations: dict[str, str]) -> list[str]:
    messages = []
    hooks = csv_values(annotations, HELM_HOOK)
    ignored = [h for h in hooks if h in _IGNORED_HELM_HOOKS]
    if ignored and HOOK not in annotations:
        mapped = [h for h in hooks if h in HELM_HOOK_TYPES or h in ("pre-delete", "post-delete")]
        fate = "those types are ignored" if mapped else "the object is dropped from the sync entirely"
        messages.append(f"helm.sh/hook {', '.join(ignored)} has no Argo CD equivalent: {fate}")
    if annotations.get(HELM_HOOK) == HELM_CRD_INSTALL:
        messages.append(
            "helm.sh/hook crd-install (Helm 2) is not a hook for Argo CD: it applies the object as an ordinary resource"
        )
    for install, upgrade in (("pre-install", "pre-upgrade"), ("post-install", "post-upgrade")):
        if install in hooks and upgrade not in hooks and HOOK not in annotations:
            phase = "PreSync" if install == "pre-install" else "PostSync"
            messages.append(
                f"helm.sh/hook {install} without {upgrade}: Helm runs it only at install, Argo CD maps it to {phase} "
                "and runs it on every sync"
            )
    if HELM_HOOK_WEIGHT in annotations and HELM_HOOK not in annotations and SYNC_WAVE not in annotations:
        messages.append(
            f"{HELM_HOOK_WEIGHT} on an object that is not a hook: Helm ignores it, Argo CD uses it as the sync-wave"
        )
    return messages


def _helm_hooks(ctx: LintContext) -> Iterator[Finding]:
    for app, wave in planned_apps(ctx):
        for obj in app.manifests:
            found = annotations_of(obj)
            if not found:
                continue
            annotations = {str(k): str(v) for k, v in found.items()}
            for message in _helm_hook_messages(annotations):
                yield ctx.finding("WCD206", Severity.WARNING, message, app, wave, obj)


RULES: tuple[Rule, ...] = (
    Rule(
        "WCD201",
        "appset-wave-ignored",
        "argocd",
        Severity.WARNING,
        "Sync-waves on ApplicationSet-generated Applications: Argo CD ignores them without RollingSync.",
        _appset_waves,
    ),
    Rule(
        "WCD202",
        "app-health-check-missing",
        "argocd",
        Severity.WARNING,
        "App-of-apps waves gate on Application health, which Argo CD >= 1.8 does not assess by default.",
        _app_health,
    ),
    Rule(
        "WCD203",
        "unknown-argocd-option",
        "argocd",
        Severity.WARNING,
        "An unknown or misspelt sync option, argocd.argoproj.io annotation, hook type or delete policy.",
        _unknown_options,
    ),
    Rule(
        "WCD204",
        "sync-wave-not-integer",
        "argocd",
        Severity.ERROR,
        "A sync-wave Go's strconv.Atoi refuses (Argo CD silently uses another wave), or one that is not a string.",
        _wave_not_integer,
    ),
    Rule(
        "WCD205",
        "shared-resource",
        "argocd",
        Severity.WARNING,
        "The same object rendered by two apps (Argo CD's SharedResourceWarning).",
        _shared,
    ),
    Rule(
        "WCD206",
        "helm-hook-mapping",
        "argocd",
        Severity.WARNING,
        "A Helm hook Argo CD runs differently than Helm (ignored, mapped, or its weight used as a wave).",
        _helm_hooks,
    ),
)
