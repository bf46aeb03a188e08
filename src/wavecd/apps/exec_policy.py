"""What a repository's `wavecd.yaml` may make wavecd run, and the environment every child of a render gets.

`wavecd.yaml` usually comes from the repository being rendered — on a pull request, from the author of
the change. In Argo CD the equivalent settings (config management plugins, `kustomize.buildOptions`, the
kustomize binary) belong to the admin: plugins are sidecars the admin installs, options live in argocd-cm.
So wavecd runs what such a file names — a plugin's `init`/`generate`/`discover.find.command`, a
`kustomize.path`, build options that let kustomize run programs (`--enable-alpha-plugins`,
`--enable-exec`, `--helm-command`) or read any file of the machine (`LoadRestrictionsNone`) — only when
the user allows it: `--allow-exec` on the commands that render, or `WAVECD_ALLOW_EXEC=1`. Without it the
app that needs one fails with an error saying what the repository asked for and how to allow it.

Every child (kustomize, a plugin, the Jsonnet evaluator) gets a minimal environment: PATH, the locale,
TMPDIR, a temporary HOME, and Argo CD's variables the caller adds — never wavecd's own environment, which
may hold a cluster token or a registry password.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

from wavecd.apps.errors import AppError

__all__ = ["ALLOW_EXEC_ENV", "child_env", "exec_options", "refuse_unless_allowed"]

ALLOW_EXEC_ENV = "WAVECD_ALLOW_EXEC"
_KEPT = ("PATH", "LANG", "LC_ALL", "TMPDIR")
# kustomize build flags that run programs or lift the repository boundary
_EXEC_FLAGS = ("--enable-alpha-plugins", "--enable-exec", "--helm-command", "LoadRestrictionsNone")


def child_env(home: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """The environment of a render's child: PATH, LANG, LC_ALL and TMPDIR as wavecd has them, HOME the
    temporary folder `home`, then `extra` (Argo CD's variables)."""
    env = {key: os.environ[key] for key in _KEPT if key in os.environ}
    env["HOME"] = str(home)
    env.update(extra)
    return env


def exec_options(build_options: str) -> list[str]:
    """The flags of `kustomize.buildOptions` that need the user's permission."""
    return [flag for flag in _EXEC_FLAGS if flag in build_options]


def refuse_unless_allowed(allowed: bool, what: str, command: Sequence[str] = ()) -> None:
    """Raise the AppError that says `what` the repository's wavecd.yaml asks to run, unless allowed."""
    if allowed:
        return
    shown = f" (`{shlex.join(command)}`)" if command else ""
    raise AppError(
        f"{what}{shown} is defined by wavecd.yaml, which the repository controls; wavecd runs it only when you "
        f"allow it: pass --allow-exec or set {ALLOW_EXEC_ENV}=1 (see docs/security.md)"
    )
