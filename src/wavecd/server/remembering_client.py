"""The controller's client for its syncs: each object a sync applies is remembered Synced in the dry-run memo.

The reconcile that follows an app's sync compares every object the sync just wrote; without this, each of
them costs a server-side dry run whose answer is already known — the apply's own answer is the object a
dry run of the same body would leave unchanged. With it, the comparison after a sync asks the API server
nothing for the objects nobody touched since (a rollout's status writes do not count: `DryRunMemo`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wavecd.kube import FIELD_MANAGER, KubeClient
from wavecd.sync.compare import DryRunMemo

__all__ = ["RememberingClient"]


class RememberingClient(KubeClient):
    """`client` itself (the same connections and discovery), whose forced applies by wavecd's field manager
    feed `memo`."""

    def __init__(self, client: KubeClient, memo: DryRunMemo):
        # The same client, not a second one: its connection pool and discovery are shared, and closing
        # stays the owner's business.
        self.__dict__.update(client.__dict__)
        self._memo = memo

    def apply(self, obj: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        answer = super().apply(obj, **options)
        forced_by_wavecd = options.get("force") and options.get("field_manager", FIELD_MANAGER) == FIELD_MANAGER
        if forced_by_wavecd and not options.get("dry_run"):
            self._memo.applied(dict(obj), answer)
        return answer
