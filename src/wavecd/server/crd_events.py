"""Which CustomResourceDefinition events change the kinds the cluster serves.

The API server writes a CRD's status on its own (`acceptedNames`, `storedVersions`, the `NamesAccepted` and
`Established` conditions), and each write is a MODIFIED event. Only some of them change what discovery lists:
the CRD appearing or going, a version starting or stopping to be served, the kind becoming Established. The
controller reads discovery again and reconciles every app on those alone, not on every status write.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["ServedKinds"]

_Served = tuple[tuple[str, ...], bool]


def _served(crd: dict[str, Any]) -> _Served:
    """The versions the CRD serves and whether its kind is Established."""
    spec, status = crd.get("spec") or {}, crd.get("status") or {}
    versions = tuple(sorted(str(v.get("name")) for v in spec.get("versions") or [] if v.get("served")))
    established = any(
        c.get("type") == "Established" and c.get("status") == "True" for c in status.get("conditions") or []
    )
    return versions, established


class ServedKinds:
    """What each CRD served at its last event: called from the watch threads, so guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, _Served] = {}

    def moved(self, event_type: str, crd: dict[str, Any]) -> bool:
        """Whether this event changes what the cluster serves. A CRD first seen in a MODIFIED event (one that
        existed before the watch's first list) counts as a change: what it served before is not known."""
        name = str((crd.get("metadata") or {}).get("name") or "")
        with self._lock:
            if event_type == "DELETED":
                self._seen.pop(name, None)
                return True
            now = _served(crd)
            before = self._seen.get(name)
            self._seen[name] = now
        return event_type != "MODIFIED" or before != now
