"""Talking to a Kubernetes API — a real cluster or wavecd's simulated one, the same way: kubeconfig and
contexts, discovery, server-side apply (field manager `wavecd`), server-side dry run, watch."""

from wavecd.kube.client import FIELD_MANAGER, KubeClient, ServerVersion, user_agent
from wavecd.kube.discovery import ApiResource
from wavecd.kube.errors import (
    AlreadyExistsError,
    ApplyConflictError,
    ConflictError,
    ExpiredError,
    ForbiddenError,
    InvalidError,
    KubeConfigError,
    KubeConnectionError,
    KubeError,
    NoKindMatchError,
    NotFoundError,
)
from wavecd.kube.kind_watch import CacheTiming, GroupKind, KindSink, KindWatch, stop_watches
from wavecd.kube.watch import Watch

__all__ = [
    "FIELD_MANAGER",
    "AlreadyExistsError",
    "ApiResource",
    "ApplyConflictError",
    "CacheTiming",
    "ConflictError",
    "ExpiredError",
    "ForbiddenError",
    "GroupKind",
    "InvalidError",
    "KindSink",
    "KindWatch",
    "KubeClient",
    "KubeConfigError",
    "KubeConnectionError",
    "KubeError",
    "NoKindMatchError",
    "NotFoundError",
    "ServerVersion",
    "Watch",
    "stop_watches",
    "user_agent",
]
