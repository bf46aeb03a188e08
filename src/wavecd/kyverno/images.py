"""The `images` context variable (Kyverno `pkg/utils/image/infos.go`, `pkg/engine/context`): each container's
image split into registry, path, name, tag and digest, keyed by container name, for Pods and the pod templates of
Pod controllers and CronJobs."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["image_context", "image_info"]

_DEFAULT_REGISTRY = "docker.io"
_REFERENCE = re.compile(
    r"^(?P<path>[^@:]+(?::\d+/[^@:]+)?)(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)


def image_info(image: str) -> dict[str, str] | None:
    """registry, path, name, tag, digest and references of an image, or None when it does not parse."""
    slash = image.find("/")
    first = image[:slash] if slash >= 0 else ""
    if slash == -1 or (not any(c in first for c in ".:") and first != "localhost" and first.lower() == first):
        full = f"{_DEFAULT_REGISTRY}/{image}"
    else:
        full = image
    registry, _, rest = full.partition("/")
    match = _REFERENCE.match(rest)
    if match is None or not rest:
        return None
    path, tag, digest = match["path"], match["tag"] or "", match["digest"] or ""
    if not digest and not tag:
        tag = "latest"
    name = path.rsplit("/", 1)[-1]
    base = f"{registry}/{path}"
    return {
        "registry": registry,
        "name": name,
        "path": path,
        "tag": tag,
        "digest": digest,
        "reference": f"{base}@{digest}" if digest else f"{base}:{tag}",
        "referenceWithTag": f"{base}:{tag}",
    }


def _pod_spec(resource: dict[str, Any]) -> Any:
    spec = resource.get("spec")
    if not isinstance(spec, dict):
        return None
    kind = resource.get("kind")
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    template = spec.get("template") if isinstance(spec, dict) else None
    return template.get("spec") if isinstance(template, dict) else None


def image_context(resource: dict[str, Any]) -> dict[str, Any] | None:
    """`images.containers.<name>` (and `initContainers`, `ephemeralContainers`) of a resource, or None."""
    spec = _pod_spec(resource)
    if not isinstance(spec, dict):
        return None
    out: dict[str, Any] = {}
    for key in ("containers", "initContainers", "ephemeralContainers"):
        infos: dict[str, Any] = {}
        containers = spec.get(key)
        for container in containers if isinstance(containers, list) else []:
            if isinstance(container, dict) and isinstance(container.get("image"), str):
                info = image_info(container["image"])
                if info is not None:
                    infos[str(container.get("name", ""))] = info
        if infos:
            out[key] = infos
    return out or None
