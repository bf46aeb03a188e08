"""A kubeconfig pointing at the simulated cluster (plain HTTP, a dummy token: the sim does no auth)."""

from __future__ import annotations

import os

import yaml


def kubeconfig(url: str, context: str = "wavecd-sim") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {"server": url}}],
        "users": [{"name": context, "user": {"token": "wavecd-sim"}}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context, "namespace": "default"}}],
        "current-context": context,
        "preferences": {},
    }


def write_kubeconfig(path: str, url: str, context: str = "wavecd-sim") -> None:
    """Write atomically, so a watcher of the file never reads half of it."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        yaml.safe_dump(kubeconfig(url, context), handle, sort_keys=False)
    os.replace(tmp, path)
