"""The Kubernetes version wavecd assumes when no cluster says otherwise.

Offline rendering passes it to Helm as `.Capabilities.KubeVersion`, and the simulated cluster reports it, so
an offline render and a sync into the sim see the same version. Helm's own per-version defaults
(`helm.compat`) are Helm's and stay there.
"""

from __future__ import annotations

__all__ = ["DEFAULT_KUBE_VERSION", "api_group"]

DEFAULT_KUBE_VERSION = "v1.33.0"


def api_group(api_version: str) -> str:
    """The API group of an `apiVersion` (`""` for the core group's `v1`)."""
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""
