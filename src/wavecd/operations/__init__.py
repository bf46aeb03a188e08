"""What the `wavecd` command and the coming server (`wavecd serve`) both do, each as one call.

A front end parses its input, picks the cluster, and renders the events; the work between those lives here,
so that both front ends behave alike (the same events, the same summary, the same environment variables).
"""

from wavecd.operations.root_sync import Connect, sync_root

__all__ = ["Connect", "sync_root"]
