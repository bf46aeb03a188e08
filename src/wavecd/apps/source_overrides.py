"""Argo CD's parameter overrides: `.argocd-source.yaml`, then `.argocd-source-<app>.yaml`, in the app's folder.

The repo-server merge-patches each file (RFC 7386, its YAML read as sigs.k8s.io/yaml reads it) onto the
Application's source before it picks the source type, then puts back `chart`, `path`, `repoURL` and
`targetRevision`: the files may change how a source renders (Helm parameters, Kustomize images — what
argocd-image-updater writes), never where it comes from. A folder with either name is passed over, as Argo
CD passes it over (reposerver/repository/repository.go, mergeSourceParameters).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from wavecd.apps.errors import AppError, AppSpecError
from wavecd.apps.model import AppSource, parse_source
from wavecd.core import Location
from wavecd.core.jsondoc import merge_patch
from wavecd.goyaml import GoYamlError, load_manifest

__all__ = ["REPO_OVERRIDES", "app_overrides", "with_overrides"]

REPO_OVERRIDES = ".argocd-source.yaml"


def app_overrides(app_name: str) -> str:
    """The file only `app_name` reads (Argo CD's `.argocd-source-%s.yaml`, with the app's instance name)."""
    return f".argocd-source-{app_name}.yaml"


def _failure(where: Location, name: str, message: str, line: int | None = None) -> AppError:
    file = f"{where.file}/{name}" if where.file else name
    return AppError(
        f"error while parsing source parameters: {file}: {message}",
        location=replace(where, file=file, line=line),
    )


def _patch(path: Path, where: Location) -> Any:
    try:
        return load_manifest(path.read_text(encoding="utf-8"))
    except GoYamlError as err:
        raise _failure(where, path.name, err.message, err.location.line if err.location else None) from None
    except (OSError, UnicodeDecodeError) as err:
        raise _failure(where, path.name, f"cannot be read: {err}") from None


def with_overrides(source: AppSource, app_name: str, app_path: Path, where: Location) -> AppSource:
    """`source` with the override files of `app_path` applied; `source` itself when there are none."""
    merged: Any = source.spec
    applied: list[str] = []
    for name in (REPO_OVERRIDES, app_overrides(app_name)):
        path = app_path / name
        if not path.is_file():
            continue
        patch = _patch(path, where)
        if patch is None:  # an empty file: json.Unmarshal of null leaves the source as it was
            continue
        if not isinstance(patch, dict):
            raise _failure(where, name, f"expected a mapping of source fields, not {type(patch).__name__}")
        merged = merge_patch(merged, patch)
        applied.append(name)
    if not applied:
        return source
    kept = {
        "chart": source.chart,
        "path": source.path,
        "repoURL": source.repo_url,
        "targetRevision": source.target_revision,
    }
    for key, value in kept.items():
        if value:
            merged[key] = value
        else:
            merged.pop(key, None)
    try:
        return parse_source(merged, where, "source")
    except AppSpecError as err:
        raise _failure(where, applied[-1], err.message) from None
