"""Carrying out a plan against a cluster: the tree wave by wave, each app step by step, gated on health;
hooks, prune of tracked objects, retry; progress as events (sync/events.py)."""

from wavecd.sync.settings import AppResult, ClusterFacts, Renderer, SyncResult, SyncSettings
from wavecd.sync.tree_sync import sync_tree

__all__ = ["AppResult", "ClusterFacts", "Renderer", "SyncResult", "SyncSettings", "sync_tree"]
