"""ApplicationSet generators: each turns its spec into a list of parameter sets.

Follows `applicationset/generators/*.go`: `transform` applies one generator entry (with its `selector`
and per-generator `template`), `matrix` and `merge` combine child generators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from wavecd.apps.appset.errors import AppSetError
from wavecd.apps.appset.functions import sanitize_name
from wavecd.apps.appset.params import combine_string_maps, flatten, merge_missing, merge_override
from wavecd.apps.appset.selector import selector_matches
from wavecd.apps.appset.templating import deep_replace
from wavecd.goyaml import gojson, reader

GENERATOR_KINDS = (
    "list",
    "clusters",
    "git",
    "scmProvider",
    "clusterDecisionResource",
    "pullRequest",
    "matrix",
    "merge",
    "plugin",
)
_IN_CLUSTER = {"name": "in-cluster", "server": "https://kubernetes.default.svc"}


@dataclass(frozen=True)
class Cluster:
    """A cluster Argo CD knows, as its cluster Secret describes it."""

    name: str
    server: str
    project: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


class GeneratorContext(Protocol):
    """What generators need from outside: declared clusters and git repositories at a revision."""

    def clusters(self) -> list[Cluster]: ...

    def git_paths(self, repo_url: str, revision: str) -> list[str]:
        """Every file path (relative, `/`-separated) of the repository at `revision`."""

    def git_read(self, repo_url: str, revision: str, path: str) -> bytes: ...


@dataclass
class Transformed:
    """One generator's output: its parameter sets and the template they render (generator's over spec's)."""

    params: list[dict[str, Any]]
    template: dict[str, Any]


@dataclass
class GeneratorRun:
    """The ApplicationSet-wide settings every generator consults."""

    go_template: bool
    context: GeneratorContext
    replace: Callable[[str, dict[str, Any], list[str] | None], str]


def transform(
    generator: dict[str, Any], run: GeneratorRun, base_template: dict[str, Any], outer: dict[str, Any] | None
) -> list[Transformed]:
    """Argo CD's `Transform`: run each generator kind set in this entry, filter by its `selector`."""
    kinds = [kind for kind in GENERATOR_KINDS if generator.get(kind) is not None]
    if not kinds:
        raise AppSetError("ApplicationSet contains unrecognized generators")
    if outer:
        generator = _interpolate(generator, outer, run)
    results = []
    for kind in kinds:
        spec = generator[kind] or {}
        template = merge_missing(spec.get("template") or {}, base_template)
        params = _GENERATE[kind](spec, run)
        selector = generator.get("selector")
        if selector is not None:
            params = [p for p in params if selector_matches(selector, flatten(p))]
        results.append(Transformed(params=params, template=template))
    return results


def _interpolate(generator: dict[str, Any], params: dict[str, Any], run: GeneratorRun) -> dict[str, Any]:
    """A matrix's second child is templated with each parameter set of the first."""
    return deep_replace(generator, lambda text: run.replace(text, params, None))


def _list(spec: dict[str, Any], run: GeneratorRun) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for element in spec.get("elements") or []:
        if run.go_template:
            params.append(element)
            continue
        flat: dict[str, Any] = {}
        for key, value in element.items():
            if key == "values":
                if not isinstance(value, dict):
                    raise AppSetError("error parsing values map")
                items = [(f"values.{k}", v) for k, v in value.items()]
            else:
                items = [(key, value)]
            for flat_key, flat_value in items:
                if not isinstance(flat_value, str):
                    raise AppSetError("error parsing value as string %!w(<nil>)")
                flat[flat_key] = flat_value
        params.append(flat)
    elements_yaml = spec.get("elementsYaml")
    if elements_yaml:
        loaded = reader.load(elements_yaml, source="elementsYaml")
        if not isinstance(loaded, list):
            raise AppSetError("error unmarshling decoded ElementsYaml")
        params.extend(loaded)
    return params


def _with_values(params: dict[str, Any], values: dict[str, str] | None, run: GeneratorRun) -> dict[str, Any]:
    """A generator's `values:` are templated with its own parameters and exposed as `values`."""
    if not values:
        return params
    resolved = {key: run.replace(text, params, None) for key, text in values.items()}
    if run.go_template:
        return {**params, "values": resolved}
    return {**params, **{f"values.{key}": value for key, value in resolved.items()}}


def _clusters(spec: dict[str, Any], run: GeneratorRun) -> list[dict[str, Any]]:
    selector = spec.get("selector")
    declared = run.context.clusters()
    params = []
    for cluster in declared:
        labels = dict(cluster.labels)
        if selector is not None and not selector_matches(selector, labels):
            continue
        params.append(_cluster_params(cluster, run.go_template))
    has_local = any(c.server == _IN_CLUSTER["server"] for c in declared)
    if selector is None and not has_local:
        params.append(_cluster_params(Cluster(_IN_CLUSTER["name"], _IN_CLUSTER["server"]), run.go_template))
    if spec.get("flatList"):
        return [{"clusters": params}]
    return [_with_values(p, spec.get("values"), run) for p in params]


def _cluster_params(cluster: Cluster, go_template: bool) -> dict[str, Any]:
    base = {
        "name": cluster.name,
        "nameNormalized": sanitize_name(cluster.name),
        "server": cluster.server,
        "project": cluster.project,
    }
    if go_template:
        return {
            **base,
            "metadata": {"labels": dict(cluster.labels), "annotations": dict(cluster.annotations)},
        }
    flat = dict(base)
    flat.update({f"metadata.labels.{k}": v for k, v in cluster.labels.items()})
    flat.update({f"metadata.annotations.{k}": v for k, v in cluster.annotations.items()})
    return flat


def _child_params(child: dict[str, Any], run: GeneratorRun, outer: dict[str, Any] | None) -> list[dict[str, Any]]:
    results = transform(child, run, {}, outer)
    if not results:
        raise AppSetError("child generator generated no parameters")
    if len(results) > 1:
        raise AppSetError("found more than one generator in ApplicationSetGenerator")
    return results[0].params


def _matrix(spec: dict[str, Any], run: GeneratorRun) -> list[dict[str, Any]]:
    children = spec.get("generators") or []
    if len(children) < 2:
        raise AppSetError("found less than two generators, Matrix support only two")
    if len(children) > 2:
        raise AppSetError("found more than two generators, Matrix support only two")
    combined = []
    for first in _child_params(children[0], run, None):
        for second in _child_params(children[1], run, first):
            if run.go_template:
                combined.append(merge_override(merge_override({}, second), first))
            else:
                combined.append(combine_string_maps(first, second))
    return combined


def _merge(spec: dict[str, Any], run: GeneratorRun) -> list[dict[str, Any]]:
    children = spec.get("generators") or []
    if len(children) < 2:
        raise AppSetError("found less than two generators, Merge requires two or more")
    merge_keys = spec.get("mergeKeys") or []
    if not merge_keys:
        raise AppSetError("no merge keys were specified, Merge requires at least one")
    sets = [_child_params(child, run, None) for child in children]
    base = _by_merge_key(merge_keys, sets[0])
    for other in sets[1:]:
        overrides = _by_merge_key(merge_keys, other)
        for key, params in base.items():
            if key in overrides:
                base[key] = merge_override(params, overrides[key]) if run.go_template else {**params, **overrides[key]}
    return list(base.values())


def _by_merge_key(merge_keys: list[str], params: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    indexed: dict[str, dict[str, Any]] = {}
    for param in params:
        key = gojson.marshal({k: param.get(k) for k in sorted(set(merge_keys))})
        if key in indexed:
            raise AppSetError(
                f"the parameters from a generator were not unique by the given mergeKeys, "
                f"Merge requires all param sets to be unique. Duplicate key was {key}"
            )
        indexed[key] = param
    return indexed


def _unsupported(kind: str) -> Callable[[dict[str, Any], GeneratorRun], list[dict[str, Any]]]:
    def generate(spec: dict[str, Any], run: GeneratorRun) -> list[dict[str, Any]]:
        raise AppSetError(f"the {kind} generator needs a live service and is not supported offline")

    return generate


def _git(spec: dict[str, Any], run: GeneratorRun) -> list[dict[str, Any]]:
    from wavecd.apps.appset.git_generator import git_params

    return [_with_values(p, spec.get("values"), run) for p in git_params(spec, run.context, run.go_template)]


_GENERATE: dict[str, Callable[[dict[str, Any], GeneratorRun], list[dict[str, Any]]]] = {
    "list": _list,
    "clusters": _clusters,
    "git": _git,
    "matrix": _matrix,
    "merge": _merge,
    "scmProvider": _unsupported("scmProvider"),
    "clusterDecisionResource": _unsupported("clusterDecisionResource"),
    "pullRequest": _unsupported("pullRequest"),
    "plugin": _unsupported("plugin"),
}
