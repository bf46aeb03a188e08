"""The build environment Argo CD's repo-server gives kustomize, Jsonnet and plugins (`newEnv`), and its
`Env.Envsubst`: Go's `os.Expand` over those variables only (`$V`, `${V}`, unknown names empty, `$$` a
dollar, `${}` eaten, a `$` followed by no name kept)."""

from __future__ import annotations

from wavecd.apps.model import Application, AppSource
from wavecd.common import ARGOCD_NAMESPACE

__all__ = ["build_env", "envsubst"]

_SPECIAL = set("*#$@!?-0123456789")


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


def _shell_name(text: str) -> tuple[str, int]:
    """Go's `getShellName`: the variable name at the start of `text` and how many characters it spans."""
    if text[0] == "{":
        if len(text) > 2 and text[1] in _SPECIAL and text[2] == "}":
            return text[1], 3
        end = text.find("}", 1)
        if end < 0:
            return "", 1
        return ("", 2) if end == 1 else (text[1:end], end + 1)
    if text[0] in _SPECIAL:
        return text[0], 1
    end = 0
    while end < len(text) and (text[end].isascii() and (text[end].isalnum() or text[end] == "_")):
        end += 1
    return text[:end], end


def envsubst(text: str, env: dict[str, str]) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "$" or index + 1 >= len(text):
            out.append(char)
            index += 1
            continue
        name, width = _shell_name(text[index + 1 :])
        if name:
            out.append("$" if name == "$" else env.get(name, ""))
        elif width == 0:
            out.append("$")
        index += 1 + width
    return "".join(out)
