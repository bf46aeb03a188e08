"""The build environment Argo CD's repo-server gives kustomize, Jsonnet and plugins (`newEnv`), and its
`Env.Envsubst`: Go's `os.Expand` over those variables only (`$V`, `${V}`, unknown names empty, `$$` a
dollar, `${}` eaten, a `$` followed by no name kept)."""

from __future__ import annotations

from wavecd.apps.model import Application, AppSource
from wavecd.common import ARGOCD_NAMESPACE
from wavecd.core.goexpand import expand

__all__ = ["build_env", "envsubst"]


def build_env(app: Application, source: AppSource, revision: str) -> dict[str, str]:
    """`ARGOCD_APP_*` for one source of `app` rendered at `revision` (a commit, or what the tree names)."""
    name = app.name if app.namespace in ("", ARGOCD_NAMESPACE) else f"{app.namespace}_{app.name}"
    return {
        "ARGOCD_APP_NAME": name,
        "ARGOCD_APP_NAMESPACE": app.destination.namespace,
        "ARGOCD_APP_PROJECT_NAME": app.project,
        "ARGOCD_APP_REVISION": revision,
        "ARGOCD_APP_REVISION_SHORT": revision[:7],
        "ARGOCD_APP_REVISION_SHORT_8": revision[:8],
        "ARGOCD_APP_SOURCE_REPO_URL": source.repo_url,
        "ARGOCD_APP_SOURCE_PATH": source.path,
        "ARGOCD_APP_SOURCE_TARGET_REVISION": source.target_revision,
    }


def envsubst(text: str, env: dict[str, str]) -> str:
    """`Env.Envsubst`: Go's `os.Expand` (`core.goexpand`) over `env` only, `$$` a dollar."""
    return expand(text, lambda name: "$" if name == "$" else env.get(name, ""))
