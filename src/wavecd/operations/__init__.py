"""What the `wavecd` command and the coming server (`wavecd serve`) both do, each as one call.

A front end parses its input, picks the cluster, and renders the events; the work between those lives here,
so that both front ends behave alike (the same events, the same summary, the same environment variables).
"""

from wavecd.operations.root_sync import Connect, sync_root
from wavecd.operations.summary_guard import internal_error

__all__ = ["Connect", "internal_error", "sync_root"]
