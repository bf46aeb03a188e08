"""Which replica reconciles which app: `--shards N --shard I` split the apps by a stable hash of each app.

Argo CD's application controller shards clusters, not apps: its default (`legacy`) method puts a cluster on
shard FNV-32a(cluster ID) mod replicas, and every app goes with its destination cluster. wavecd shards apps
instead, because one tree usually targets one cluster: sharding by cluster would hand the whole tree to one
replica and leave the others idle. The hash is the same function, FNV-1a over 32 bits, taken over the app's
`<namespace>/<name>`: its identity in the Kubernetes API (a bare name is not unique once apps live in more
than one namespace), and a value every replica computes alike on every run, unlike Python's `hash()`, which
is salted per process. A replica never needs to know what the others own: each app has exactly one shard.

An app annotated `argocd.argoproj.io/skip-reconcile: "true"` is reconciled by no shard at all, as in Argo CD.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wavecd.common import SKIP_RECONCILE
from wavecd.core import UserInputError
from wavecd.core.goparsebool import go_parse_bool

__all__ = ["Sharding", "app_key", "fnv1a_32", "shard_of", "skips_reconcile"]

_FNV32_OFFSET = 0x811C9DC5
_FNV32_PRIME = 0x01000193


def fnv1a_32(data: bytes) -> int:
    """FNV-1a, 32 bits (Go's `hash/fnv.New32a`): each byte is xor-ed in, then multiplied by the prime."""
    value = _FNV32_OFFSET
    for byte in data:
        value = ((value ^ byte) * _FNV32_PRIME) & 0xFFFFFFFF
    return value


def app_key(name: str, namespace: str) -> str:
    """What an app is hashed by: `<namespace>/<name>`, the namespace being the one its Application lives in."""
    return f"{namespace}/{name}"


def shard_of(key: str, shards: int) -> int:
    """The shard that owns the app with this `app_key`: FNV-1a 32 of its UTF-8 bytes, mod `shards`."""
    if shards < 1:
        raise ValueError(f"shards must be at least 1, got {shards}")
    return fnv1a_32(key.encode("utf-8")) % shards


def skips_reconcile(application: Mapping[str, Any]) -> bool:
    """Whether an Application opts out of reconciliation (Argo CD's `canProcessApp`): its skip-reconcile
    annotation reads true by Go's `strconv.ParseBool`. A value ParseBool refuses counts as false, as there."""
    metadata = application.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    if not isinstance(annotations, Mapping):
        return False
    return go_parse_bool(annotations.get(SKIP_RECONCILE)) is True


class Sharding:
    """This replica's part of the apps: shard `shard` of `shards` (`--shards`, `--shard`)."""

    def __init__(self, shards: int = 1, shard: int = 0):
        if isinstance(shards, bool) or not isinstance(shards, int) or shards < 1:
            raise UserInputError(f"--shards must be a whole number of at least 1, got {shards!r}")
        if isinstance(shard, bool) or not isinstance(shard, int) or not 0 <= shard < shards:
            last = f"0 to {shards - 1}" if shards > 1 else "0"
            raise UserInputError(
                f"--shard must be one of {last} (the shards of --shards {shards} are counted from 0), got {shard!r}"
            )
        self.shards = shards
        self.shard = shard

    def owns(self, name: str, namespace: str) -> bool:
        """Whether this replica reconciles the app `name` whose Application lives in `namespace`."""
        return shard_of(app_key(name, namespace), self.shards) == self.shard
