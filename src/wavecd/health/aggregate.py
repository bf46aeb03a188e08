"""An Application's health from its managed resources (Argo CD `controller/health.go` `setApplicationHealth`).

The app is as healthy as its worst immediate child. Hooks, ignored objects, `ignore-healthcheck` objects,
kinds without health, resources missing from the cluster, and child Applications that are Missing or Unknown
do not count; an app whose every resource is missing is Missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wavecd.common import APPLICATION, ARGO_GROUP, HealthStatus, is_worse
from wavecd.health.assess import Rule, assess
from wavecd.health.hooks import ignores_healthcheck, is_hook, is_ignored, is_skip
from wavecd.health.status import Health

MAX_CAUSES_SHOWN = 3


@dataclass(frozen=True)
class ManagedResource:
    """One resource of an app: its identity, the desired object (None if only live) and the live one (None if
    missing from the cluster)."""

    group: str
    kind: str
    namespace: str
    name: str
    target: dict[str, Any] | None = None
    live: dict[str, Any] | None = None

    @property
    def ref(self) -> str:
        kind = f"{self.group}/{self.kind}" if self.group else self.kind
        name = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{kind}:{name}"


@dataclass(frozen=True)
class AppHealth:
    health: Health
    causes: tuple[ManagedResource, ...] = ()
    # per resource (same order as given): its own health, None when it has none or was skipped
    resources: tuple[Health | None, ...] = ()


def _message(causes: list[ManagedResource]) -> str:
    if not causes:
        return ""
    summary = ", ".join(c.ref for c in causes[:MAX_CAUSES_SHOWN])
    if len(causes) > MAX_CAUSES_SHOWN:
        summary += f" and {len(causes) - MAX_CAUSES_SHOWN} more"
    return "Caused by " + summary


def aggregate(
    resources: Iterable[ManagedResource],
    *,
    app: tuple[str, str] | None = None,
    rules: Mapping[str, Rule] | None = None,
) -> AppHealth:
    """`app` = (namespace, name) of the Application itself, so a self-managing app does not judge itself."""
    status = HealthStatus.HEALTHY
    causes: list[ManagedResource] = []
    per_resource: list[Health | None] = []
    any_resource = any_live = False
    for res in resources:
        per_resource.append(None)
        if res.target is not None and is_skip(res.target):
            continue
        if res.live is not None and (is_hook(res.live) or is_ignored(res.live)):
            continue
        any_resource = True
        any_live = any_live or res.live is not None
        if res.live is not None and ignores_healthcheck(res.live):
            continue
        if res.live is None:
            health: Health | None = Health(HealthStatus.MISSING)
        else:
            if (
                app is not None
                and (res.group, res.kind) == (ARGO_GROUP, APPLICATION)
                and (res.namespace, res.name) == app
            ):
                continue
            health = assess(res.live, rules=rules)
        if health is None:
            continue
        per_resource[-1] = health
        if res.live is None:
            continue
        if (res.group, res.kind) == (ARGO_GROUP, APPLICATION) and health.status in (
            HealthStatus.MISSING,
            HealthStatus.UNKNOWN,
        ):
            continue
        if is_worse(status, health.status):
            status = health.status
            causes = [res]
        elif status == health.status and status != HealthStatus.HEALTHY:
            causes.append(res)
    if any_resource and not any_live and is_worse(status, HealthStatus.MISSING):
        status = HealthStatus.MISSING
        causes = []
    return AppHealth(Health(status, _message(causes)), tuple(causes), tuple(per_resource))
