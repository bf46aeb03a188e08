"""One app of a walked tree rendered again, with other cluster facts: what a sync does when the app's wave starts.

Argo CD renders an Application when it syncs it, so `.Capabilities` are the live cluster's, not the
offline guess the tree walk used. The render goes through the walk's own steps (resolve the sources,
look the job's digest up in the render cache, `run_job`, Argo CD's namespace normalisation with the
tree's kinds), so output and errors read exactly as in `wavecd tree`, and a render whose settings the
walk already used is a cache hit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from wavecd.apps.digest import ContentIds, job_digest
from wavecd.apps.errors import AppError
from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.kinds import KindTable
from wavecd.apps.model import Application
from wavecd.apps.node import AppNode
from wavecd.apps.normalize import normalize_objects
from wavecd.apps.render_app import Resolver, resolve_app
from wavecd.apps.render_cache import RenderCache, fetch, keep
from wavecd.apps.tree import run_job_safely
from wavecd.common import APPLICATION
from wavecd.core import Location, WavecdError, internal_error


def settings_for(base: RenderSettings, kube_version: str, api_versions: Sequence[str]) -> RenderSettings:
    """`base` (the config's Helm flavour) with a cluster's version and discovery in place of the offline ones.

    The offline `render.apiVersions` stand in for discovery, so live discovery replaces them rather than
    adding to them; an app's own `helm.apiVersions` are still added by the render itself.
    """
    return replace(base, kube_version=kube_version, api_versions=tuple(sorted(set(api_versions))))


def shown_location(text: str | None, app: str) -> Location:
    """The Location whose text is `text`, the tree's stored `error_location` (None: just the app).

    The tree keeps where a render failed only as text (that is what the render cache holds); reading it
    back keeps `AppError.render()` word for word what `wavecd tree` prints. Text in a shape wavecd does
    not write falls back to the file field, so the printed location never changes.
    """
    if not text:
        return Location(app=app)
    prefix = f"app {app}"
    named = text == prefix or text.startswith(prefix + ", ")
    rest = text[len(prefix) + 2 :] if named else text
    parts = rest.split(", ") if rest else []
    where: dict[str, Any] = {"app": app if named else None}
    if len(parts) == 2:
        repo, at, revision = parts[0].rpartition("@")
        where.update(repo=repo if at else parts[0], revision=revision if at else None)
    if parts:
        file, line = parts[-1], None
        head, sep, tail = file.rpartition(":")
        if sep and tail.isdigit():
            file, line = head, int(tail)
        where.update(file=file, line=line)
    location = Location(**where)
    return location if str(location) == text else Location(file=text)


class AppRenderer:
    """Renders the Applications of one walked tree with the walk's resolver, kinds and render cache.

    The file fingerprints behind digests are memoised for the renderer's life (one command), as in the
    walk: files are taken not to change while a command runs.
    """

    def __init__(self, resolver: Resolver, kinds: KindTable, cache: RenderCache):
        self.resolver = resolver
        self.kinds = kinds
        self.cache = cache
        self._memo: dict[str, Any] = {}

    def render(self, node: AppNode, settings: RenderSettings) -> list[dict[str, Any]]:
        """The app's manifests as Argo CD would sync them with `settings`; raises AppError where the tree
        would show an error."""
        app = _application(node)
        try:
            job = resolve_app(app, self.resolver, settings)
            digest = job_digest(job, self._memo, self.resolver if isinstance(self.resolver, ContentIds) else None)
        except WavecdError as err:
            raise AppError(err.message, location=err.location or Location(app=node.name), context=err.context) from None
        except Exception as err:  # a bug must read as this app's error, as in the tree
            raise AppError(internal_error(err), location=Location(app=node.name)) from err
        output = fetch(self.cache, digest, job)
        if output is None:
            output = run_job_safely(job)
            if output.cacheable:
                keep(self.cache, digest, job, output)
        if output.error:
            raise AppError(output.error, location=shown_location(output.error_location, node.name))
        manifests, _warnings = normalize_objects(output.objects, app.destination.namespace, self.kinds)
        return manifests


def _application(node: AppNode) -> Application:
    if node.kind != APPLICATION:
        raise AppError(
            f"{node.kind} {node.name} has no manifests of its own to render: only the Applications "
            "it generates are rendered",
            location=Location(app=node.name),
        )
    if node.app is None:  # unreadable, a cycle, declared twice or too deep: no render can change that
        raise AppError(
            node.error or "the Application could not be read", location=shown_location(node.error_location, node.name)
        )
    return node.app
