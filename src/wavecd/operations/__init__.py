"""What the `wavecd` command and the server (`wavecd serve`) both do, each as one call.

A front end parses its input, picks the cluster, and renders the events; the work between those lives here,
so that both front ends behave alike (the same events, the same summary, the same environment variables).

`sync_root` is loaded on first use: the offline operations (`revision_diff`, `promote`) live in this package
too, and must not pay for the Kubernetes client when they start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wavecd.operations.root_sync import Connect, sync_root

__all__ = ["Connect", "sync_root"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from wavecd.operations import root_sync

        return getattr(root_sync, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
