"""Helm charts stored as OCI artifacts, read and written the way Helm does.

A chart is a manifest whose config has Helm's config media type and whose one layer is the chart's
`.tgz`. A version that parses as semver is used as the tag directly (`+` written as `_`); anything
else is a constraint matched against the repository's strict-semver tags, newest first.
"""

from __future__ import annotations

import io
import json
from typing import Any

import yaml

from wavecd.common import kube_now
from wavecd.core.chartarchive import ChartTooLarge, TarStreamError, read_chart_archive
from wavecd.semver import SemverError, parse_version
from wavecd.sources.download import MAX_DOWNLOAD
from wavecd.sources.errors import (
    ChartArchiveError,
    ManifestNotFoundError,
    NoMatchingTagError,
    NoTagsError,
    RepositoryNotFoundError,
    SourceError,
)
from wavecd.sources.oci import OCI_MANIFEST, OciRegistry
from wavecd.sources.versions import is_digest, pick_version, tag_for_version, version_for_tag

HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
LEGACY_CHART_LAYER = "application/tar+gzip"

# chart.Metadata's JSON field order, which Helm's config blob follows.
_METADATA_FIELDS = (
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
)


def split_repository(url: str) -> tuple[str, str]:
    """(registry host, repository path) of an OCI repoURL such as `public.ecr.aws/karpenter`."""
    rest = url.strip().removeprefix("oci://").rstrip("/")
    host, _, path = rest.partition("/")
    if not host or any(c in host for c in " \t@"):
        raise SourceError(f"{url!r} is not an OCI registry location (expected host[/path])")
    return host, path


def resolve_reference(registry: OciRegistry, name: str, version: str) -> tuple[str, str]:
    """(tag or digest to pull, the version it stands for) for a requested version, as Helm decides."""
    reference = f"oci://{registry.host}/{name}"
    if is_digest(version):
        return version, version
    try:
        parse_version(version)
    except SemverError:
        pass
    else:
        return tag_for_version(version), version
    tags = registry.tags(name)
    if tags is None:
        raise RepositoryNotFoundError(
            f"{reference}: not found (the registry has no repository {name})", host=registry.host, name=name
        )
    versions = [version_for_tag(tag) for tag in tags]
    if not versions:
        raise NoTagsError(f"unable to locate any tags in provided repository: {reference}", repository=reference)
    picked = pick_version(version, versions, strict=True)
    if picked is None:
        raise NoMatchingTagError(
            f"could not locate a version matching provided version string {version}",
            repository=reference,
            chart=name.rpartition("/")[2],
            version=version,
        )
    return tag_for_version(picked), picked


def pull_chart(registry: OciRegistry, name: str, reference: str) -> tuple[bytes, str]:
    """(archive bytes, archive digest) of the chart at a tag or manifest digest."""
    manifest = registry.manifest(name, reference)
    where = f"{registry.host}/{name}{'@' if is_digest(reference) else ':'}{reference}"
    if manifest is None:
        raise ManifestNotFoundError(f"{where}: not found", host=registry.host, name=name, reference=reference)
    config = manifest.body.get("config") or {}
    if config.get("mediaType") != HELM_CONFIG:
        raise SourceError(f"{where} is not a Helm chart (config media type {config.get('mediaType')!r})")
    layers = [
        layer
        for layer in manifest.body.get("layers") or []
        if isinstance(layer, dict) and layer.get("mediaType") in (HELM_CHART_LAYER, LEGACY_CHART_LAYER)
    ]
    if len(layers) != 1 or not isinstance(layers[0].get("digest"), str):
        raise SourceError(f"{where}: manifest does not contain exactly 1 chart layer")
    digest = layers[0]["digest"]
    declared = layers[0].get("size")
    if isinstance(declared, int) and declared > MAX_DOWNLOAD:
        raise ChartArchiveError(
            f"{where}: its chart layer is {declared} bytes, larger than any chart archive Helm can load "
            f"(the limit is {MAX_DOWNLOAD} bytes)",
            cause=ChartTooLarge(),
        )
    return registry.blob(name, digest), digest


def chart_metadata(archive: bytes) -> dict[str, Any]:
    """The `Chart.yaml` of a chart archive (the file in its top folder), read within Helm's limits."""
    try:
        for entry in read_chart_archive(io.BytesIO(archive)):
            if entry.is_dir or entry.is_global_header:
                continue
            content = entry.read()
            parts = entry.info.name.lstrip("./").split("/")
            if entry.info.isfile() and len(parts) == 2 and parts[1] == "Chart.yaml":
                data = yaml.load(content, Loader=yaml.CSafeLoader)
                if isinstance(data, dict):
                    return data
                break
    except (TarStreamError, yaml.YAMLError) as err:
        raise SourceError(f"not a valid chart archive: {err}") from None
    raise SourceError("not a valid chart archive: it has no Chart.yaml")


def _config_blob(meta: dict[str, Any]) -> bytes:
    ordered = {key: meta[key] for key in _METADATA_FIELDS if meta.get(key) not in (None, "", [], {}, False)}
    return json.dumps(ordered, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _annotations(meta: dict[str, Any], created: str) -> dict[str, str]:
    found = {
        "org.opencontainers.image.description": meta.get("description"),
        "org.opencontainers.image.title": meta.get("name"),
        "org.opencontainers.image.version": meta.get("version"),
        "org.opencontainers.image.url": meta.get("home"),
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.source": (meta.get("sources") or [None])[0],
    }
    people = [
        (m.get("name") or "") + (f" ({m['email']})" if m.get("email") else "")
        for m in meta.get("maintainers") or []
        if isinstance(m, dict)
    ]
    if people:
        found["org.opencontainers.image.authors"] = ", ".join(people)
    annotations = {key: str(value) for key, value in found.items() if value is not None and str(value).strip()}
    immutable = ("org.opencontainers.image.version", "org.opencontainers.image.title")
    for key, value in (meta.get("annotations") or {}).items():
        if key not in immutable:
            annotations[str(key)] = str(value)
    return dict(sorted(annotations.items()))


def push_chart(registry: OciRegistry, repository: str, archive: bytes, *, created: str | None = None) -> str:
    """Push a chart archive as `<repository>/<name>:<version>` the way `helm push` does; the manifest digest."""
    meta = chart_metadata(archive)
    name, version = str(meta.get("name") or ""), str(meta.get("version") or "")
    if not name or not version:
        raise SourceError("not a valid chart archive: Chart.yaml has no name or version")
    target = f"{repository.strip('/')}/{name}".lstrip("/")
    config = _config_blob(meta)
    layer_digest = registry.push_blob(target, archive)
    config_digest = registry.push_blob(target, config)
    created = created or kube_now()
    manifest = {
        "schemaVersion": 2,
        "config": {"mediaType": HELM_CONFIG, "digest": config_digest, "size": len(config)},
        "layers": [{"mediaType": HELM_CHART_LAYER, "digest": layer_digest, "size": len(archive)}],
        "annotations": _annotations(meta, created),
    }
    data = json.dumps(manifest, separators=(",", ":"), ensure_ascii=False).encode()
    return registry.push_manifest(target, tag_for_version(version), data, OCI_MANIFEST)
