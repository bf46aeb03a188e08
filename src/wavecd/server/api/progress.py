"""How far an app's resources are (the `wavecd.progress` key): a summary of `status.resources`, so that a
client can show a rollout's progress and what a wave waits on without the resources themselves.

`status.resources` is most of an Application's weight (20 objects an app make 3 MB of a 1,000-app list); the
web UI lists without it (`?fields=`) and reads this instead, and its stream is still told of every step,
because the summary changes with each resource that becomes ready.
"""

from __future__ import annotations

from typing import Any

__all__ = ["resource_progress", "wavecd_key"]


def resource_progress(application: dict[str, Any]) -> dict[str, Any]:
    """`{"done": n, "total": m, "waitingOn": resource or null}`: done are the resources Synced and Healthy
    (or without health); `waitingOn` is the first of the others, as `status.resources` lists it."""
    status = application.get("status")
    resources = status.get("resources") if isinstance(status, dict) else None
    items = [r for r in resources if isinstance(r, dict)] if isinstance(resources, list) else []
    pending = [r for r in items if not _done(r)]
    first = pending[0] if pending else None
    waiting = None
    if first is not None:
        waiting = {k: first[k] for k in ("group", "kind", "namespace", "name", "status", "health") if k in first}
    return {"done": len(items) - len(pending), "total": len(items), "waitingOn": waiting}


def _done(resource: dict[str, Any]) -> bool:
    health = resource.get("health")
    health_status = health.get("status") if isinstance(health, dict) else None
    return resource.get("status") == "Synced" and health_status in (None, "", "Healthy")


def wavecd_key(
    position: dict[str, Any] | None, application: dict[str, Any], progress: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The `wavecd` key of an Application the API sends: its place in the tree and its progress (`progress`
    when it was taken from the whole object before it was cut down)."""
    place = position or {"parent": None, "wave": None, "generatedBy": None}
    return {**place, "progress": progress if progress is not None else resource_progress(application)}
