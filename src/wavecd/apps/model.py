"""Argo CD's Application, as the fields that decide what gets rendered and where it goes.

Parsed once from the object's dict into frozen dataclasses, so the pure stages (helm arguments,
namespace defaulting, the tree walk) never guess at shapes. A malformed field is reported with the
Application's name and where it was declared, the way `argocd app create` would refuse it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from wavecd.apps.errors import AppSpecError
from wavecd.common import sync_wave as wave_of_annotations
from wavecd.common.names import SUBDOMAIN_MESSAGE, is_subdomain
from wavecd.core import Location

IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
IN_CLUSTER_NAME = "in-cluster"
_REF_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")


@dataclass(frozen=True)
class HelmParameter:
    name: str
    value: str
    force_string: bool = False


@dataclass(frozen=True)
class HelmSpec:
    """`source.helm`: every field that changes `helm template`'s arguments."""

    value_files: tuple[str, ...] = ()
    values: str = ""
    values_object: Any = None
    parameters: tuple[HelmParameter, ...] = ()
    file_parameters: tuple[tuple[str, str], ...] = ()
    release_name: str = ""
    namespace: str = ""
    kube_version: str = ""
    api_versions: tuple[str, ...] = ()
    skip_crds: bool = False
    skip_tests: bool = False
    skip_schema_validation: bool = False
    ignore_missing_value_files: bool = False
    version: str = ""


@dataclass(frozen=True)
class JsonnetSpec:
    """`source.directory.jsonnet`: `extVars` and `tlas` as (name, value, code) and `libs` (repo-relative)."""

    ext_vars: tuple[tuple[str, str, bool], ...] = ()
    tlas: tuple[tuple[str, str, bool], ...] = ()
    libs: tuple[str, ...] = ()


@dataclass(frozen=True)
class DirectorySpec:
    """`source.directory`: which files of a plain-manifest folder are read, and how `.jsonnet` files run."""

    recurse: bool = False
    include: str = ""
    exclude: str = ""
    jsonnet: JsonnetSpec = JsonnetSpec()


@dataclass(frozen=True)
class KustomizeSpec:
    """`source.kustomize`: the edits Argo CD makes to the kustomization before `kustomize build`.

    Maps are kept as sorted pairs so the spec stays hashable; `patches` as JSON text of each patch."""

    name_prefix: str = ""
    name_suffix: str = ""
    images: tuple[str, ...] = ()
    replicas: tuple[tuple[str, str], ...] = ()  # (name, count as written)
    common_labels: tuple[tuple[str, str], ...] = ()
    common_annotations: tuple[tuple[str, str], ...] = ()
    common_annotations_envsubst: bool = False
    label_without_selector: bool = False
    label_include_templates: bool = False
    force_common_labels: bool = False
    force_common_annotations: bool = False
    namespace: str = ""
    patches: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    ignore_missing_components: bool = False
    kube_version: str = ""
    api_versions: tuple[str, ...] = ()
    version: str = ""


@dataclass(frozen=True)
class PluginSpec:
    """`source.plugin`: which config management plugin, its `env` and its `parameters` (JSON text each)."""

    name: str = ""
    env: tuple[tuple[str, str], ...] = ()
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppSource:
    repo_url: str
    target_revision: str = ""
    path: str = ""
    chart: str = ""
    ref: str = ""
    helm: HelmSpec | None = None
    directory: DirectorySpec | None = None
    kustomize: KustomizeSpec | None = None
    plugin: PluginSpec | None = None
    # the source as written, which `.argocd-source.yaml` overrides are merge-patched onto
    spec: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_chart(self) -> bool:
        """A Helm-repository or OCI chart (`chart` set), as `ApplicationSource.IsHelm` decides."""
        return bool(self.chart)

    @property
    def is_ref_only(self) -> bool:
        """A `ref` source with neither path nor chart yields no manifests (repository.go)."""
        return bool(self.ref) and not self.path and not self.chart


@dataclass(frozen=True)
class Destination:
    server: str = ""
    name: str = ""
    namespace: str = ""


@dataclass(frozen=True)
class SyncPolicy:
    automated: dict[str, Any] | None = None
    sync_options: tuple[str, ...] = ()
    retry: dict[str, Any] | None = None


@dataclass(frozen=True)
class Application:
    name: str
    namespace: str
    project: str
    sources: tuple[AppSource, ...]
    destination: Destination
    sync_policy: SyncPolicy
    wave: int
    annotations: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    multi_source: bool = False

    @property
    def release_name(self) -> str:
        """Argo CD's default release name: the app's name without an `<namespace>_` prefix."""
        return self.name.split("_", 1)[1] if "_" in self.name else self.name


def sync_wave(obj: dict[str, Any]) -> int:
    """gitops-engine's `Wave`: the sync-wave annotation if it is a Go int, else the helm hook weight, else 0."""
    return wave_of_annotations((obj.get("metadata") or {}).get("annotations") or {})


def _err(message: str, where: Location | None) -> AppSpecError:
    return AppSpecError(message, location=where)


def _mapping(value: Any, what: str, where: Location | None) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _err(f"{what} must be a mapping, not {type(value).__name__}", where)
    return value


def _list(value: Any, what: str, where: Location | None) -> list[Any]:
    """A list field (null is empty): a string or a mapping there is refused, never iterated by character or key."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise _err(f"{what} must be a list, not {type(value).__name__}", where)
    return value


def _strings(value: Any, what: str, where: Location | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _err(f"{what} must be a list of strings", where)
    return tuple(value)


def _text(value: Any, what: str, where: Location | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _err(f"{what} must be a string", where)
    return str(value)


def _named(items: Any, what: str, key: str, where: Location | None) -> tuple[tuple[str, str], ...]:
    """A list of `{name, <key>}` mappings (`fileParameters`, `replicas`, plugin `env`) as (name, value) pairs."""
    pairs = []
    for item in _list(items, what.removesuffix("[]"), where):
        item = _mapping(item, what, where)
        pairs.append((_text(item.get("name"), f"{what}.name", where), _text(item.get(key), f"{what}.{key}", where)))
    return tuple(pairs)


def _helm(data: dict[str, Any], where: Location | None) -> HelmSpec:
    parameters = []
    for item in _list(data.get("parameters"), "helm.parameters", where):
        item = _mapping(item, "helm.parameters[]", where)
        parameters.append(
            HelmParameter(
                _text(item.get("name"), "helm.parameters[].name", where),
                _text(item.get("value"), "helm.parameters[].value", where),
                bool(item.get("forceString")),
            )
        )
    file_parameters = _named(data.get("fileParameters"), "helm.fileParameters[]", "path", where)
    values = data.get("values")
    if values is not None and not isinstance(values, str):
        raise _err("helm.values must be a string (use helm.valuesObject for a mapping)", where)
    return HelmSpec(
        value_files=_strings(data.get("valueFiles"), "helm.valueFiles", where),
        values=values or "",
        values_object=data.get("valuesObject"),
        parameters=tuple(parameters),
        file_parameters=file_parameters,
        release_name=_text(data.get("releaseName"), "helm.releaseName", where),
        namespace=_text(data.get("namespace"), "helm.namespace", where),
        kube_version=_text(data.get("kubeVersion"), "helm.kubeVersion", where),
        api_versions=_strings(data.get("apiVersions"), "helm.apiVersions", where),
        skip_crds=bool(data.get("skipCrds")),
        skip_tests=bool(data.get("skipTests")),
        skip_schema_validation=bool(data.get("skipSchemaValidation")),
        ignore_missing_value_files=bool(data.get("ignoreMissingValueFiles")),
        version=_text(data.get("version"), "helm.version", where),
    )


def _pairs(value: Any, what: str, where: Location | None) -> tuple[tuple[str, str], ...]:
    """A map of strings as sorted (key, value) pairs."""
    mapping = _mapping(value, what, where)
    return tuple(sorted((str(k), _text(v, f"{what}.{k}", where)) for k, v in mapping.items()))


def _flag(value: Any, what: str, where: Location | None) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _err(f"{what} must be true or false", where)
    return value


def _jsonnet_vars(value: Any, what: str, where: Location | None) -> tuple[tuple[str, str, bool], ...]:
    out = []
    for item in _list(value, what, where):
        item = _mapping(item, f"{what}[]", where)
        name = _text(item.get("name"), f"{what}[].name", where)
        if not name:
            raise _err(f"{what}[].name is required", where)
        out.append(
            (name, _text(item.get("value"), f"{what}[].value", where), _flag(item.get("code"), f"{what}[].code", where))
        )
    return tuple(out)


def _directory(data: dict[str, Any], where: Location | None) -> DirectorySpec:
    jsonnet = _mapping(data.get("jsonnet"), "directory.jsonnet", where)
    return DirectorySpec(
        bool(data.get("recurse")),
        _text(data.get("include"), "directory.include", where),
        _text(data.get("exclude"), "directory.exclude", where),
        JsonnetSpec(
            _jsonnet_vars(jsonnet.get("extVars"), "directory.jsonnet.extVars", where),
            _jsonnet_vars(jsonnet.get("tlas"), "directory.jsonnet.tlas", where),
            _strings(jsonnet.get("libs"), "directory.jsonnet.libs", where),
        ),
    )


def _kustomize(data: dict[str, Any], where: Location | None) -> KustomizeSpec:
    patches = []
    for item in _list(data.get("patches"), "kustomize.patches", where):
        patches.append(json.dumps(_mapping(item, "kustomize.patches[]", where), sort_keys=True))
    fields: dict[str, Any] = {}
    for attr, (key, read) in _KUSTOMIZE_FIELDS.items():
        fields[attr] = read(data.get(key), f"kustomize.{key}", where)
    return KustomizeSpec(
        replicas=_named(data.get("replicas"), "kustomize.replicas[]", "count", where), patches=tuple(patches), **fields
    )


_KUSTOMIZE_FIELDS: dict[str, tuple[str, Any]] = {
    "name_prefix": ("namePrefix", _text),
    "name_suffix": ("nameSuffix", _text),
    "images": ("images", _strings),
    "common_labels": ("commonLabels", _pairs),
    "common_annotations": ("commonAnnotations", _pairs),
    "common_annotations_envsubst": ("commonAnnotationsEnvsubst", _flag),
    "label_without_selector": ("labelWithoutSelector", _flag),
    "label_include_templates": ("labelIncludeTemplates", _flag),
    "force_common_labels": ("forceCommonLabels", _flag),
    "force_common_annotations": ("forceCommonAnnotations", _flag),
    "namespace": ("namespace", _text),
    "components": ("components", _strings),
    "ignore_missing_components": ("ignoreMissingComponents", _flag),
    "kube_version": ("kubeVersion", _text),
    "api_versions": ("apiVersions", _strings),
    "version": ("version", _text),
}


def _parameter(item: Any, what: str, where: Location | None) -> dict[str, Any]:
    """One `plugin.parameters` entry in the CRD's shape (`name`, `string`, a map of strings, a list of
    strings), its values as the strings the plugin will see; anything else is refused, never guessed."""
    item = _mapping(item, what, where)
    out: dict[str, Any] = {"name": _text(item.get("name"), f"{what}.name", where)}
    if not out["name"]:
        raise _err(f"{what}.name is required", where)
    if item.get("string") is not None:
        out["string"] = _text(item["string"], f"{what}.string", where)
    if item.get("map") is not None:
        if not isinstance(item["map"], dict):
            raise _err(f"{what}.map must be a mapping of names to strings, not {type(item['map']).__name__}", where)
        out["map"] = {str(k): _text(v, f"{what}.map.{k}", where) for k, v in item["map"].items()}
    if item.get("array") is not None:
        if not isinstance(item["array"], list):
            raise _err(f"{what}.array must be a list of strings, not {type(item['array']).__name__}", where)
        out["array"] = [_text(v, f"{what}.array[{i}]", where) for i, v in enumerate(item["array"])]
    return out


def _plugin(data: dict[str, Any], where: Location | None) -> PluginSpec:
    parameters = []
    for index, item in enumerate(_list(data.get("parameters"), "plugin.parameters", where)):
        parameters.append(json.dumps(_parameter(item, f"plugin.parameters[{index}]", where), sort_keys=True))
    env = _named(data.get("env"), "plugin.env[]", "value", where)
    return PluginSpec(_text(data.get("name"), "plugin.name", where), env, tuple(parameters))


def parse_source(data: Any, where: Location | None, what: str = "spec.source") -> AppSource:
    data = _mapping(data, what, where)
    repo_url = _text(data.get("repoURL"), f"{what}.repoURL", where)
    if not repo_url:
        raise _err(f"{what}.repoURL is required", where)
    ref = _text(data.get("ref"), f"{what}.ref", where)
    if ref and not _REF_NAME.match(ref):
        raise _err(f"{what}.ref {ref!r} must match ^[a-zA-Z0-9_-]+$", where)
    helm = data.get("helm")
    directory = data.get("directory")
    kustomize = data.get("kustomize")
    plugin = data.get("plugin")
    return AppSource(
        repo_url=repo_url,
        target_revision=_text(data.get("targetRevision"), f"{what}.targetRevision", where),
        path=_text(data.get("path"), f"{what}.path", where),
        chart=_text(data.get("chart"), f"{what}.chart", where),
        ref=ref,
        helm=_helm(_mapping(helm, f"{what}.helm", where), where) if helm is not None else None,
        directory=_directory(_mapping(directory, f"{what}.directory", where), where) if directory is not None else None,
        kustomize=_kustomize(_mapping(kustomize, f"{what}.kustomize", where), where) if kustomize is not None else None,
        plugin=_plugin(_mapping(plugin, f"{what}.plugin", where), where) if plugin is not None else None,
        spec=data,
    )


def parse_application(obj: dict[str, Any], where: Location | None = None) -> Application:
    """The Application in `obj` (already known to be `kind: Application`)."""
    metadata = _mapping(obj.get("metadata"), "metadata", where)
    name = _text(metadata.get("name"), "metadata.name", where)
    if not name:
        raise _err("an Application needs metadata.name", where)
    if not is_subdomain(name):
        raise _err(f'metadata.name: Invalid value: "{name}": {SUBDOMAIN_MESSAGE}', where)
    where = Location(file=where.file if where else None, line=where.line if where else None, app=name)
    spec = _mapping(obj.get("spec"), "spec", where)
    raw_sources = spec.get("sources")
    multi = isinstance(raw_sources, list) and len(raw_sources) > 0
    if multi and isinstance(raw_sources, list):
        sources = tuple(parse_source(item, where, f"spec.sources[{i}]") for i, item in enumerate(raw_sources))
        refs = [s.ref for s in sources if s.ref]
        duplicate = next((ref for ref in refs if refs.count(ref) > 1), None)
        if duplicate:
            raise _err(f"spec.sources: ref {duplicate!r} is used by more than one source", where)
    elif spec.get("source") is not None:
        sources = (parse_source(spec["source"], where),)
    else:
        raise _err("spec.source or spec.sources is required", where)
    dest = _mapping(spec.get("destination"), "spec.destination", where)
    destination = Destination(
        _text(dest.get("server"), "destination.server", where),
        _text(dest.get("name"), "destination.name", where),
        _text(dest.get("namespace"), "destination.namespace", where),
    )
    policy = _mapping(spec.get("syncPolicy"), "spec.syncPolicy", where)
    return Application(
        name=name,
        namespace=_text(metadata.get("namespace"), "metadata.namespace", where),
        project=_text(spec.get("project"), "spec.project", where) or "default",
        sources=sources,
        destination=destination,
        sync_policy=SyncPolicy(
            automated=policy.get("automated") if isinstance(policy.get("automated"), dict) else None,
            sync_options=_strings(policy.get("syncOptions"), "syncPolicy.syncOptions", where),
            retry=policy.get("retry") if isinstance(policy.get("retry"), dict) else None,
        ),
        wave=sync_wave(obj),
        annotations=dict(metadata.get("annotations") or {}),
        labels=dict(metadata.get("labels") or {}),
        multi_source=multi,
    )
