"""An Application's fields as Argo CD's Go types read them, for the functions that decide on raw objects.

The controller holds Applications as the Kubernetes API returns them (dicts), where a field may be absent,
null or of the wrong type; these readers answer as Argo CD's accessors do for the zero value (`GetSource`,
`HasMultipleSources`, `IsAutomatedSyncEnabled`, `QualifiedName`), so the deciding code never has to.
"""

from __future__ import annotations

from typing import Any

from wavecd.common import OperationPhase
from wavecd.health.fields import mapping

__all__ = [
    "automated",
    "go_equal",
    "is_completed",
    "is_deleting",
    "is_multi_source",
    "mapping",
    "metadata",
    "qualified_name",
    "single_source",
    "sources",
    "spec",
    "sync_policy",
]


def metadata(obj: dict[str, Any]) -> dict[str, Any]:
    return mapping(obj.get("metadata"))


def spec(app: dict[str, Any]) -> dict[str, Any]:
    return mapping(app.get("spec"))


def sync_policy(app: dict[str, Any]) -> dict[str, Any]:
    return mapping(spec(app).get("syncPolicy"))


def automated(app: dict[str, Any]) -> dict[str, Any] | None:
    """`syncPolicy.automated` when automation is on (present, and `enabled` not false), else None."""
    found = sync_policy(app).get("automated")
    if not isinstance(found, dict) or found.get("enabled", True) is False:
        return None
    return found


def sources(app: dict[str, Any]) -> list[dict[str, Any]]:
    """`spec.sources`, the sources of a multi-source app (empty for a single-source one)."""
    found = spec(app).get("sources")
    return [mapping(item) for item in found] if isinstance(found, list) else []


def is_multi_source(app: dict[str, Any]) -> bool:
    return bool(sources(app))


def single_source(app: dict[str, Any]) -> dict[str, Any]:
    """Argo CD's `GetSource`: the first of `sources` for a multi-source app, else `source`, else empty."""
    many = sources(app)
    return many[0] if many else mapping(spec(app).get("source"))


def is_deleting(app: dict[str, Any]) -> bool:
    return bool(metadata(app).get("deletionTimestamp"))


def qualified_name(app: dict[str, Any]) -> str:
    """`<namespace>/<name>`, or the name alone when the object has no namespace (Argo CD's `QualifiedName`)."""
    meta = mapping(app.get("metadata"))
    name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
    return f"{namespace}/{name}" if namespace else name


def is_completed(phase: Any) -> bool:
    """gitops-engine's `OperationPhase.Completed`: every phase but Running and Terminating (even none)."""
    return phase not in (OperationPhase.RUNNING, OperationPhase.TERMINATING)


def _zero_dropped(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _zero_dropped(item) for key, item in value.items() if item not in (None, "", False, 0, [])}
    if isinstance(value, list):
        return [_zero_dropped(item) for item in value]
    return value


def go_equal(left: Any, right: Any) -> bool:
    """Equal as Go's `reflect.DeepEqual` finds the structs these objects decode into: a field written with
    its zero value (`""`, `false`, `0`, `[]`, null) is the same as an absent one. An empty object is kept,
    since Go tells a nil pointer (`helm` absent) from an empty struct (`helm: {}`)."""
    return bool(_zero_dropped(left) == _zero_dropped(right))
