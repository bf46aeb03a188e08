"""Where an Application goes: `util/argo/argo.go` `GetDestinationServer`, over wavecd.yaml's clusters.

Argo CD always knows its own cluster as `in-cluster` at `https://kubernetes.default.svc`, so that
name resolves even when wavecd.yaml lists no clusters.
"""

from __future__ import annotations

from collections.abc import Iterable

from wavecd.apps.errors import AppSpecError
from wavecd.apps.model import IN_CLUSTER_NAME, IN_CLUSTER_SERVER, Destination

DESTINATION_MISSING = "Destination server missing from app spec"


def destination_server(destination: Destination, clusters: Iterable[tuple[str, str]]) -> str:
    """The server URL the app deploys to; `clusters` are (name, server) pairs. Raises Argo CD's errors."""
    if destination.name and destination.server:
        raise AppSpecError(
            f"application destination can't have both name and server defined: {destination.name} {destination.server}"
        )
    if destination.server:
        return destination.server.rstrip("/")
    if not destination.name:
        raise AppSpecError(DESTINATION_MISSING)
    known = list(clusters)
    if not any(name == IN_CLUSTER_NAME for name, _ in known):
        known.append((IN_CLUSTER_NAME, IN_CLUSTER_SERVER))
    servers = [server for name, server in known if name == destination.name]
    if not servers:
        raise AppSpecError(f"there are no clusters with this name: {destination.name}")
    if len(servers) > 1:
        raise AppSpecError(f"there are {len(servers)} clusters with the same name: [{' '.join(servers)}]")
    return servers[0]
