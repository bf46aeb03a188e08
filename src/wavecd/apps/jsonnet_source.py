"""The `.jsonnet` files of a directory source, evaluated as Argo CD's repo-server evaluates them
(`findManifests`, `makeJsonnetVM`): go-jsonnet, a fresh VM per file, `extVars` and `tlas` (plain or
`code`) with the build environment substituted, and the search path `[app folder] + libs`, each lib
relative to the repository root and inside it.

Evaluation runs in a child process (`jsonnet_run`) with a time limit and an output limit. An array result
gives its elements, an object itself, `null` nothing; anything else is Argo CD's unmarshal error.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wavecd.apps.build_env import envsubst
from wavecd.apps.errors import AppError
from wavecd.apps.exec_policy import child_env
from wavecd.apps.model import JsonnetSpec
from wavecd.apps.tool_run import DEFAULT_TIMEOUT, run_tool
from wavecd.core import Location
from wavecd.core.paths import is_inside

__all__ = ["JsonnetContext", "evaluate_jsonnet"]


@dataclass(frozen=True)
class JsonnetContext:
    """What a Jsonnet evaluation needs beyond the files: the repository root, the build environment, and
    the time limit (None: Argo CD's exec default)."""

    repo_root: Path
    env: dict[str, str]
    timeout: float | None = None


def _lib_paths(spec: JsonnetSpec, repo_root: Path) -> list[str]:
    out = []
    for lib in spec.libs:
        path = os.path.join(repo_root, lib.lstrip("/"))
        if not is_inside(path, repo_root):
            raise AppError(f"directory.jsonnet.libs: {lib!r} resolves outside the repository")
        out.append(os.path.realpath(path))
    return out


def _objects(text: str, name: str, relative: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(text)
    except ValueError as err:
        raise AppError(
            f'Failed to unmarshal generated json "{name}": {err}', location=Location(file=relative)
        ) from None
    items = value if isinstance(value, list) else [] if value is None else [value]
    for item in items:
        if not isinstance(item, dict) or not item:
            shown = json.dumps(item)[:80]
            raise AppError(
                f'Failed to unmarshal generated json "{name}": {shown} is not a Kubernetes object',
                location=Location(file=relative),
            )
    return items


def evaluate_jsonnet(
    files: list[tuple[Path, str]], app_path: Path, spec: JsonnetSpec, ctx: JsonnetContext
) -> dict[str, list[dict[str, Any]]]:
    """The objects of each `(path, relative)` file, by relative path; raises AppError naming the file."""
    if not files:
        return {}
    if importlib.util.find_spec("_gojsonnet") is None:
        raise AppError(
            f"{files[0][1]}: Jsonnet files need go-jsonnet (pip install gojsonnet)", location=Location(file=files[0][1])
        )
    request = {
        "files": [str(path) for path, _ in files],
        "root": str(ctx.repo_root),
        "jpath": [str(app_path), *_lib_paths(spec, ctx.repo_root)],
        "ext_vars": [[n, envsubst(v, ctx.env), code] for n, v, code in spec.ext_vars],
        "tlas": [[n, envsubst(v, ctx.env), code] for n, v, code in spec.tlas],
    }
    with tempfile.TemporaryDirectory(prefix="wavecd-jsonnet-") as home:
        text = run_tool(
            # -P: the app's folder (the working directory) must never shadow a module of the child
            [sys.executable, "-P", "-m", "wavecd.apps.jsonnet_run"],
            cwd=app_path,
            env=child_env(Path(home), {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}),
            timeout=ctx.timeout or DEFAULT_TIMEOUT,
            stdin=json.dumps(request).encode(),
        )
    answers = [json.loads(line) for line in text.splitlines() if line.strip()]
    out = {}
    for (path, relative), answer in zip(files, answers, strict=True):
        if "error" in answer:
            raise AppError(
                f'Failed to evaluate jsonnet "{path.name}": {answer["error"]}', location=Location(file=relative)
            )
        out[relative] = _objects(answer["ok"], path.name, relative)
    return out
