"""The app tree: render the root, find the Applications and ApplicationSets among its manifests,
expand and recurse, level by level.

Apps of one level are independent, so they render concurrently (a process pool by default: rendering
is pure Python and the GIL would serialise threads) and only when their digest is not in the cache.
Which kinds exist depends on the CRDs the tree renders, and charts may ask for them through
`.Capabilities.APIVersions`, so the walk repeats until the CRD set is stable; thanks to the cache a
repeat costs only the apps whose charts look at API versions. A set that never settles (a chart that
renders a CRD only while it is absent) is an error on the apps whose CRDs kept changing, never a tree
silently built from a stale table.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wavecd.apps.appset import expand_applicationset
from wavecd.apps.context import ResolverContext
from wavecd.apps.destination import destination_server
from wavecd.apps.digest import DIGEST_VERSION, ContentIds, job_digest
from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.kinds import KindTable, crd_entries
from wavecd.apps.model import AppSource, parse_application, sync_wave
from wavecd.apps.node import AppNode, Tree, is_argo_object, origin_key
from wavecd.apps.normalize import normalize_objects, with_namespace
from wavecd.apps.render_app import RenderJob, RenderOutput, ResolvedSource, Resolver, resolve_app, run_job
from wavecd.apps.render_cache import MemoryCache, RenderCache, fetch, keep
from wavecd.common import APPLICATION, APPLICATION_SET, ARGOCD_NAMESPACE
from wavecd.core import Location, WavecdError, internal_error
from wavecd.sources.config import ClusterConfig

DEFAULT_MAX_DEPTH = 10
_MAX_PASSES = 4
EXECUTORS = ("auto", "process", "thread", "serial")
# `auto` forks a pool only when it pays for itself (bench/tree.py: on 2 cores a pool is ~1.3-1.5x faster
# from ~100 renders of one level, and no faster for the example's levels of 29 and 16).
_AUTO_MIN_CPUS = 2
_AUTO_MIN_JOBS = 64
# the CRDs (group/version, kind, namespaced) each app rendered in one pass
_CrdsByApp = dict[tuple[str, str, str], set[tuple[str, str, bool]]]


@dataclass(frozen=True)
class TreeOptions:
    settings: RenderSettings = field(default_factory=RenderSettings)
    max_depth: int = DEFAULT_MAX_DEPTH
    executor: str = "auto"
    workers: int = 0  # 0: one per CPU
    appset_namespace: str = ARGOCD_NAMESPACE


class _Runner:
    """Renders batches of jobs, starting its pool only when a batch has two or more cache misses."""

    def __init__(self, options: TreeOptions):
        self.options = options
        self._pool: Executor | None = None

    def _executor(self) -> Executor:
        if self._pool is None:
            workers = self.options.workers or os.cpu_count() or 2
            if self.options.executor != "thread" and "fork" in multiprocessing.get_all_start_methods():
                self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
            else:
                self._pool = ThreadPoolExecutor(workers)
        return self._pool

    def _serial(self, count: int) -> bool:
        executor = self.options.executor
        if executor == "auto":
            cpus = self.options.workers or os.cpu_count() or 1
            return cpus < _AUTO_MIN_CPUS or count < _AUTO_MIN_JOBS
        return executor == "serial" or count < 2

    def run(self, jobs: list[RenderJob]) -> list[RenderOutput]:
        if self._serial(len(jobs)):
            return [run_job_safely(job) for job in jobs]
        return list(self._executor().map(run_job_safely, jobs))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()


def run_job_safely(job: RenderJob) -> RenderOutput:
    """`run_job`, with a bug in it reported as this app's error (shared with `apps.rerender`)."""
    try:
        return run_job(job)
    except Exception as err:  # a bug in one render must not take the tree down
        return RenderOutput(error=internal_error(err), error_location=f"app {job.app.name}")


def _generator_kinds(appset: dict[str, Any]) -> str:
    """An ApplicationSet's generators as written, kinds only: `list`, `matrix(git, clusters)`, `list, git`."""

    def kinds(entries: Any) -> list[str]:
        out = []
        for entry in entries if isinstance(entries, list) else []:
            for kind, spec in entry.items() if isinstance(entry, dict) else ():
                if kind in ("selector", "template") or not isinstance(spec, dict | type(None)):
                    continue
                inner = (spec or {}).get("generators")
                out.append(f"{kind}({', '.join(kinds(inner))})" if inner is not None else str(kind))
        return out

    spec = appset.get("spec")
    return ", ".join(kinds(spec.get("generators") if isinstance(spec, dict) else None))


_SOURCE_OPTIONS = ("helm", "kustomize", "directory", "plugin")


def _source_summary(source: AppSource, resolved: ResolvedSource | None) -> dict[str, Any]:
    out: dict[str, Any] = {"repoURL": source.repo_url, "targetRevision": source.target_revision}
    if source.chart:
        out["chart"] = source.chart
    if source.path:
        out["path"] = source.path
    if source.ref:
        out["ref"] = source.ref
    if resolved is not None:
        out["kind"] = resolved.label
        out["revision"] = resolved.revision
        if resolved.kind == "kustomize":
            out["kustomizeVersion"] = resolved.tool
        elif resolved.kind == "plugin":
            out["plugin"] = resolved.tool
    return out


def _summaries(obj: dict[str, Any], sources: list[tuple[AppSource, ResolvedSource | None]]) -> list[dict[str, Any]]:
    """Each source's summary with the options the Application sets on it, as written (helm parameters and
    values files, kustomize options, ...): `spec.sources` in order, else `spec.source`."""
    found = obj.get("spec")
    spec: dict[str, Any] = found if isinstance(found, dict) else {}
    listed = spec.get("sources")
    raw: list[Any] = listed if isinstance(listed, list) and listed else [spec.get("source")]
    out = []
    for i, (source, resolved) in enumerate(sources):
        summary = _source_summary(source, resolved)
        written = raw[i] if i < len(raw) and isinstance(raw[i], dict) else {}
        summary.update({key: written[key] for key in _SOURCE_OPTIONS if isinstance(written.get(key), dict)})
        out.append(summary)
    return out


class _Walk:
    """One pass over the tree with a fixed kind table."""

    def __init__(
        self,
        resolver: Resolver,
        clusters: tuple[ClusterConfig, ...],
        options: TreeOptions,
        kinds: KindTable,
        cache: RenderCache,
        runner: _Runner,
        memo: dict[str, Any],
    ):
        self.resolver = resolver
        self.options = options
        self.kinds = kinds
        self.cache = cache
        self.runner = runner
        self.memo = memo
        self.ids = resolver if isinstance(resolver, ContentIds) else None
        self.context = ResolverContext(resolver, clusters)
        self.clusters = [(c.name, c.server) for c in clusters]
        self.settings = replace(
            options.settings, api_versions=tuple(sorted({*options.settings.api_versions, *kinds.api_versions}))
        )
        self.nodes: list[AppNode] = []
        self.rendered = 0
        self.from_cache = 0
        self.by_key: dict[tuple[str, str, str], AppNode] = {}
        self.crds: set[tuple[str, str, bool]] = set()
        self.crds_by_app: _CrdsByApp = {}
        self._up: dict[int, AppNode | None] = {}

    def node(self, obj: dict[str, Any], parent: AppNode | None, root_file: str | None) -> AppNode:
        metadata = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
        kind = str(obj.get("kind"))
        name = str(metadata.get("name") or "")
        if parent is None:
            source = "applicationset" if kind == APPLICATION_SET else ""
        else:
            source = (
                "applicationset" if kind == APPLICATION_SET else ("generated" if parent.kind == APPLICATION_SET else "")
            )
        node = AppNode(
            name=name,
            kind=kind,
            namespace=str(metadata.get("namespace") or ""),
            parent=parent.name if parent else None,
            depth=parent.depth + 1 if parent else 0,
            wave=sync_wave(obj) if parent else None,
            source=source,
            obj=obj,
        )
        if source == "generated" and parent is not None:
            node.generator = _generator_kinds(parent.obj)
        where = Location(file=root_file) if parent is None else Location(app=parent.name)
        self._check_place(node, parent)
        if kind == APPLICATION and not node.error:
            try:
                node.app = parse_application(obj, where)
                node.destination = node.app.destination
                node.server = destination_server(node.app.destination, self.clusters)
                node.sources = _summaries(obj, [(s, None) for s in node.app.sources])
            except WavecdError as err:
                node.error = err.message
                node.error_location = str(err.location or Location(file=where.file, app=name))
        self.nodes.append(node)
        self.by_key.setdefault(node.key, node)
        return node

    def _check_place(self, node: AppNode, parent: AppNode | None) -> None:
        self._up[id(node)] = parent
        ancestor = parent
        chain = [node.name]
        while ancestor is not None:
            chain.append(ancestor.name)
            if ancestor.key == node.key:
                node.error = "cycle: " + " -> ".join(reversed(chain))
                return
            ancestor = self._up.get(id(ancestor))
        if node.depth > self.options.max_depth:
            node.error = f"depth limit reached: more than {self.options.max_depth} levels below the root"
        elif node.key in self.by_key:
            other = self.by_key[node.key]
            node.error = (
                f"{node.kind} {node.namespace}/{node.name} is declared twice: by {node.parent} "
                f"and by {other.parent or 'ROOT'}"
            )

    def render_level(self, level: list[AppNode]) -> None:
        pending: list[tuple[AppNode, RenderJob, str]] = []
        for node in level:
            if node.error or node.app is None:
                continue
            try:
                job = resolve_app(node.app, self.resolver, self.settings)
                digest = job_digest(job, self.memo, self.ids)
            except WavecdError as err:
                node.error, node.error_location = err.message, str(err.location or Location(app=node.name))
                continue
            except Exception as err:  # a bug must cost one node, not the tree
                node.error, node.error_location = internal_error(err), f"app {node.name}"
                continue
            node.sources = _summaries(node.obj, [(r.source, r) for r in job.sources])
            node.source = node.source or job.source_label
            node.digest = digest
            cached = fetch(self.cache, digest, job)
            if cached is not None:
                self.from_cache += 1
                self._apply(node, cached)
            else:
                pending.append((node, job, digest))
        self.rendered += len(pending)
        outputs = self.runner.run([job for _, job, _ in pending])
        for (node, job, digest), output in zip(pending, outputs, strict=True):
            if output.cacheable:
                keep(self.cache, digest, job, output)
            self._apply(node, output)

    def _apply(self, node: AppNode, output: RenderOutput) -> None:
        node.warnings.extend(output.warnings)
        if output.error:
            node.error, node.error_location = output.error, output.error_location
            return
        assert node.app is not None
        found = {entry for obj in output.objects for entry in crd_entries(obj)}
        self.crds.update(found)
        self.crds_by_app[node.key] = found
        node.manifests, warnings = normalize_objects(output.objects, node.app.destination.namespace, self.kinds)
        node.warnings.extend(warnings)
        namespace = node.app.destination.namespace
        node.origins = {
            origin_key(with_namespace(obj, namespace, self.kinds)): origin
            for obj, origin in zip(output.objects, output.origins, strict=False)
            if origin
        }

    def expand(self, node: AppNode) -> None:
        try:
            expansion = expand_applicationset(
                node.obj, self.context, namespace=node.namespace or self.options.appset_namespace
            )
        except WavecdError as err:
            node.error, node.error_location = err.message, str(err.location or Location(app=node.name))
            return
        except Exception as err:  # a bug must cost one node, not the tree
            node.error, node.error_location = internal_error(err), f"app {node.name}"
            return
        node.manifests = expansion.applications
        node.warnings.extend(expansion.errors)

    def run(self, root_obj: dict[str, Any], root_file: str | None) -> None:
        level = [self.node(root_obj, None, root_file)]
        while level:
            self.render_level([n for n in level if n.kind == APPLICATION])
            next_level: list[AppNode] = []
            for node in level:
                if node.kind == APPLICATION_SET and not node.error:
                    self.expand(node)
                if node.error:
                    continue
                for child in [o for o in node.manifests if is_argo_object(o)]:
                    created = self.node(child, node, root_file)
                    node.children.append(created.name)
                    next_level.append(created)
            level = next_level


def build_tree(
    root_obj: dict[str, Any],
    resolver: Resolver,
    *,
    clusters: tuple[ClusterConfig, ...] = (),
    options: TreeOptions | None = None,
    cache: RenderCache | None = None,
    root_file: Path | None = None,
    on_pass: Callable[[int, int], None] | None = None,
) -> Tree:
    """Walk the tree from `root_obj` until the CRDs it renders stop changing; never raises for one bad app.

    The first pass starts from the CRDs this root's tree had last time (kept in the cache), so an
    unchanged tree settles in one pass even when its charts read `.Capabilities.APIVersions`.
    """
    options = options or TreeOptions()
    cache = cache if cache is not None else MemoryCache()
    runner = _Runner(options)
    hint_key = _crd_hint_key(root_obj)
    kinds = KindTable(_read_crd_hint(cache, hint_key))
    memo: dict[str, Any] = {}
    crds_by_app: _CrdsByApp = {}
    rendered = from_cache = 0
    try:
        for number in range(1, _MAX_PASSES + 1):
            before: _CrdsByApp = crds_by_app  # what each app rendered in the pass before this one
            walk = _Walk(resolver, clusters, options, kinds, cache, runner, memo)
            walk.run(root_obj, str(root_file) if root_file else None)
            rendered, from_cache = rendered + walk.rendered, from_cache + walk.from_cache
            if on_pass is not None:
                on_pass(number, len(walk.crds))
            if set(walk.crds) == set(kinds.crds):
                break
            kinds = KindTable(walk.crds)
            crds_by_app = walk.crds_by_app
    finally:
        runner.close()
    if set(walk.crds) != set(walk.kinds.crds):
        _report_unsettled(walk, before)
    else:
        cache.put(
            hint_key,
            RenderOutput(
                objects=[
                    {"apiVersion": gv, "kind": kind, "namespaced": namespaced}
                    for gv, kind, namespaced in sorted(walk.crds)
                ]
            ),
        )
    return Tree(nodes=walk.nodes, kinds=walk.kinds, rendered=rendered, from_cache=from_cache)


def _report_unsettled(last: _Walk, before: _CrdsByApp) -> None:
    """Say on the tree that its kind table did not settle: each app whose CRDs differ between the last
    two passes (`before` is the earlier) gets the error (the root, when no app can be named), so nothing
    built from the stale table passes for a result."""
    changing = [
        node
        for node in last.nodes
        if not node.error and last.crds_by_app.get(node.key, set()) != before.get(node.key, set())
    ]
    for node in changing or [last.nodes[0]]:
        was, now = before.get(node.key, set()), last.crds_by_app.get(node.key, set())
        moves = [f"+{gv}/{kind}" for gv, kind, _ in sorted(now - was)]
        moves += [f"-{gv}/{kind}" for gv, kind, _ in sorted(was - now)]
        node.error = (
            f"the kind table did not settle after {_MAX_PASSES} passes: the CRDs this app renders kept "
            f"changing ({', '.join(moves) or 'the set of CRDs of the tree'}) with the kinds offered to "
            "`.Capabilities.APIVersions`, so its manifests would come from a stale table"
        )
        node.error_location = f"app {node.name}"


def _crd_hint_key(root_obj: dict[str, Any]) -> str:
    text = json.dumps(["crd-hint", DIGEST_VERSION, root_obj], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _read_crd_hint(cache: RenderCache, key: str) -> list[tuple[str, str, bool]]:
    hint = cache.get(key)
    if hint is None:
        return []
    return [(str(o["apiVersion"]), str(o["kind"]), bool(o["namespaced"])) for o in hint.objects]
