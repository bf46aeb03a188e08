"""A Helm source's chart dependencies built as Argo CD's repo-server builds them.

The repo-server runs `helm dependency build` only when `helm template` fails because a dependency declared in
Chart.yaml is missing from `charts/`, then templates again. wavecd asks the same question before rendering
(`needs_dependency_build`), and builds into a copy kept in the cache (`wavecd.helm.depbuild`), fetching each
dependency through the tree's `SourceResolver`; the job then renders that copy. Value files still resolve
against the chart's place in the repository.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wavecd.apps.errors import AppError
from wavecd.apps.helm_source import location_of
from wavecd.core import WavecdError

if TYPE_CHECKING:
    from wavecd.apps.model import Application
    from wavecd.apps.render_app import ResolvedSource

__all__ = ["with_dependencies"]


def with_dependencies(item: ResolvedSource, app: Application, resolver: Any, helm_compat: str) -> ResolvedSource:
    """`item`, rendering from a built copy of its chart when the chart misses dependencies; a dependency that
    cannot be had is an AppError with Helm's text, wrapped as Argo CD wraps it."""
    from wavecd.helm.compat import MODES
    from wavecd.helm.depbuild import build_dependencies, needs_dependency_build

    compat = MODES.get(helm_compat)
    if item.kind != "helm" or item.app_path is None or compat is None:
        return item
    if not needs_dependency_build(str(item.app_path), helm_major=compat.major):
        return item
    try:
        built = build_dependencies(
            str(item.app_path), resolver.dependency_charts(), compat, root=str(item.repo_root or item.app_path)
        )
    except WavecdError as err:
        raise AppError(
            f"error building helm chart dependencies: {err.message}",
            location=location_of(app, item.source),
            context=err.context,
        ) from None
    return dataclasses.replace(item, chart_dir=Path(built))
