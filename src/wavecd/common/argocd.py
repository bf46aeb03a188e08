"""Argo CD's own objects: their API group and version, their kinds, and the namespace they live in.

wavecd expands Applications and ApplicationSets, records them in the cluster and judges their health; each
of those steps recognises them by these names.
"""

from __future__ import annotations

__all__ = ["APPLICATION", "APPLICATION_SET", "ARGOCD_NAMESPACE", "ARGO_API_VERSION", "ARGO_GROUP"]

ARGO_GROUP = "argoproj.io"
ARGO_API_VERSION = "argoproj.io/v1alpha1"
APPLICATION = "Application"
APPLICATION_SET = "ApplicationSet"

# Argo CD's control-plane namespace: where its Applications live unless they say otherwise, and the
# namespace whose apps are tracked by their bare name (`instance_name`).
ARGOCD_NAMESPACE = "argocd"
