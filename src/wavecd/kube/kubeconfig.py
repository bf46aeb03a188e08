"""Finding the kubeconfig and choosing a context, by kubectl's rules.

lightkube reads one file; kubectl merges every file listed in `KUBECONFIG` (the first file to define a name, or
`current-context`, wins) and resolves relative file references against the file that holds them. We do the
merge here and hand lightkube one resolved configuration, so wavecd connects where kubectl would.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import yaml
from lightkube.config.kubeconfig import KubeConfig, SingleConfig
from lightkube.config.models import User
from lightkube.core.exceptions import ConfigError

from wavecd.kube.errors import KubeConfigError

DEFAULT_PATH = "~/.kube/config"
SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
_SECTIONS = (("clusters", "cluster"), ("users", "user"), ("contexts", "context"))
# File references inside cluster/user entries; relative ones are relative to the kubeconfig that holds them.
_FILE_FIELDS = {
    "cluster": ("certificate-authority",),
    "user": ("client-certificate", "client-key", "tokenFile"),
}


def load(path: str | os.PathLike[str] | None = None, context: str | None = None) -> SingleConfig:
    """The connection settings of `context` (default: the current one).

    `path` wins over `KUBECONFIG`, which wins over `~/.kube/config`; with none of them, a pod's service account
    is used when wavecd runs inside a cluster.
    """
    if path is not None:
        files = [Path(path).expanduser()]
        if not files[0].is_file():
            raise KubeConfigError(f"stat {path}: no such file or directory")
    else:
        files = _files_from_env()
        if not files:
            return _in_cluster(context)
    merged, first = _merge(files)
    return _select(merged, context, first)


def _files_from_env() -> list[Path]:
    listed = os.environ.get("KUBECONFIG", "")
    if listed:
        # kubectl skips listed files that do not exist; only an all-missing list falls through.
        return [p for p in (Path(e).expanduser() for e in listed.split(os.pathsep) if e) if p.is_file()]
    default = Path(DEFAULT_PATH).expanduser()
    return [default] if default.is_file() else []


def _in_cluster(context: str | None) -> SingleConfig:
    """The pod's service account, when client-go would use it (`inClusterClientConfig.Possible`: both
    `KUBERNETES_SERVICE_*` variables set and a token file); it has no contexts, so naming one fails as
    kubectl fails."""
    if not _in_cluster_possible():
        where = os.environ.get("KUBECONFIG") or DEFAULT_PATH
        raise KubeConfigError(
            f"no kubeconfig found (looked in {where})",
            context=[
                "set KUBECONFIG or pass --kubeconfig (for the simulated cluster: `wavecd sim serve --kubeconfig`)"
            ],
        )
    if context is not None:
        raise KubeConfigError(
            f"context was not found for specified context: {context}",
            context=[f"no kubeconfig was found, so wavecd uses the pod's service account ({SERVICE_ACCOUNT})"],
        )
    try:
        # Without a default, lightkube's `get` raises rather than return the None its signature allows.
        return cast(SingleConfig, KubeConfig.from_service_account(SERVICE_ACCOUNT).get())
    except (ConfigError, OSError) as err:
        raise KubeConfigError(f"invalid in-cluster configuration: {err}") from err


def _in_cluster_possible() -> bool:
    service = os.environ.get("KUBERNETES_SERVICE_HOST") and os.environ.get("KUBERNETES_SERVICE_PORT")
    return bool(service) and Path(SERVICE_ACCOUNT, "token").is_file()


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise KubeConfigError(f'error loading config file "{path}": {err.strerror or err}') from err
    except yaml.YAMLError as err:
        raise KubeConfigError(f'error loading config file "{path}": {err}') from err
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise KubeConfigError(f'error loading config file "{path}": not a kubeconfig (expected a mapping)')
    return dict(data)


def _merge(files: list[Path]) -> tuple[dict[str, Any], Path]:
    """kubectl's merge: per section, the first file to name an entry keeps it; first current-context wins."""
    merged: dict[str, Any] = {"clusters": [], "users": [], "contexts": []}
    seen: dict[str, set[str]] = {section: set() for section, _ in _SECTIONS}
    for path in files:
        data = _read(path)
        if not merged.get("current-context") and data.get("current-context"):
            merged["current-context"] = data["current-context"]
        for section, body in _SECTIONS:
            for entry in data.get(section) or []:
                if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                    raise KubeConfigError(f'error loading config file "{path}": an entry of {section} has no name')
                if entry["name"] in seen[section]:
                    continue
                seen[section].add(entry["name"])
                merged[section].append({"name": entry["name"], body: _absolute(entry.get(body) or {}, body, path)})
    return merged, files[0]


def _absolute(entry: Mapping[str, Any], body: str, origin: Path) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise KubeConfigError(f'error loading config file "{origin}": a {body} entry is not a mapping')
    out = dict(entry)
    for key in _FILE_FIELDS.get(body, ()):
        value = out.get(key)
        if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
            out[key] = str(origin.parent.joinpath(value))
    return out


def _select(merged: dict[str, Any], context: str | None, origin: Path) -> SingleConfig:
    name = context or merged.get("current-context")
    names = [c["name"] for c in merged["contexts"]]
    if not name:
        raise KubeConfigError(
            f"no context chosen: {origin} sets no current-context",
            context=[f"contexts: {', '.join(names) or '(none)'}; pass --context"],
        )
    if name not in names:
        raise KubeConfigError(
            f"context was not found for specified context: {name}",
            context=[f"contexts: {', '.join(names) or '(none)'}"],
        )
    chosen = next(c["context"] for c in merged["contexts"] if c["name"] == name)
    cluster = chosen.get("cluster")
    if cluster not in {c["name"] for c in merged["clusters"]}:
        raise KubeConfigError(f'context "{name}" refers to cluster "{cluster}", which the kubeconfig does not define')
    user = chosen.get("user")
    if user and user not in {u["name"] for u in merged["users"]}:
        raise KubeConfigError(f'context "{name}" refers to user "{user}", which the kubeconfig does not define')
    try:
        single = KubeConfig.from_dict(merged, fname=origin).get(name)
    except (ConfigError, KeyError, TypeError, ValueError) as err:
        raise KubeConfigError(f'invalid kubeconfig "{origin}": {err}') from err
    assert single is not None
    return with_user(single)


def with_user(single: SingleConfig) -> SingleConfig:
    """lightkube insists on a user; kubectl treats a context without one as anonymous."""
    return single if single.user is not None else single._replace(user=User())
