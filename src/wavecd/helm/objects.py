"""The built-in objects templates see: `.Capabilities`, `.Chart` (v3 struct / v4 map), `.Files`, `.Release`.

They are built to behave like the Go values Helm passes to text/template: struct fields and methods via
`GoStruct`, `.Files` a map with methods, `.Release` and `.Template` plain maps. `to_go_json` gives
the `encoding/json` form of a struct: its json tags, in field order (not sorted like a map).
"""

from __future__ import annotations

import base64
import posixpath
from typing import Any, ClassVar

from wavecd.core.goquote import quote as go_quote
from wavecd.gotemplate.funcs import GoFunc, GoFuncError
from wavecd.gotemplate.gotypes import GoNamedMap, GoStringList, GoStringMap, GoStruct
from wavecd.goyaml.jsonvalue import GoStructFields
from wavecd.helm.chart import Chart, ChartFile, Dependency, Maintainer, Metadata
from wavecd.helm.compat import HelmCompat
from wavecd.helm.gobglob import glob_match


class KubeVersion(GoStruct):
    """`.Capabilities.KubeVersion`; prints through `String()` (v4: the normalised version)."""

    go_fields = ("Version", "Major", "Minor")
    go_methods = ("String", "GitVersion")
    go_pointer_methods = ("String",)

    def __init__(self, version: str, normalized: str, major: str, minor: str, go_type: str):
        self.Version = version
        self.normalized = normalized
        self.Major = major
        self.Minor = minor
        self.go_type = go_type  # type: ignore[misc]
        if go_type.startswith("common."):  # Helm 4's struct has an unexported field that fmt prints
            self.normalizedVersion = normalized
            self.go_fields = ("Version", "normalizedVersion", "Major", "Minor")  # type: ignore[misc]

    def String(self) -> str:
        return self.normalized or self.Version

    def GitVersion(self) -> str:
        return self.Version

    def to_go_json(self) -> dict[str, Any]:
        return GoStructFields({"Version": self.Version, "Major": self.Major, "Minor": self.Minor})


class VersionSet(GoStringList):
    """`.Capabilities.APIVersions`: Helm's named []string type with a `Has` method. `%T` and `typeOf` name
    it (`chartutil.VersionSet`, `common.VersionSet` in v4), and functions that keep a slice's type
    (`slice`, `deepCopy`) rebuild it from its items alone, so each Go name is its own subclass."""

    __slots__ = ()
    go_methods = ("Has",)

    def go_method(self, name: str) -> Any:
        if name == "Has":
            return self.Has
        raise AttributeError(name)

    def Has(self, api_version: str) -> bool:
        return api_version in self


class ChartutilVersionSet(VersionSet):
    __slots__ = ()
    go_type = "chartutil.VersionSet"


class CommonVersionSet(VersionSet):
    __slots__ = ()
    go_type = "common.VersionSet"


class BuildInfo(GoStruct):
    """`.Capabilities.HelmVersion`."""

    def __init__(self, compat: HelmCompat):
        self.Version = compat.version
        self.GitCommit = compat.git_commit
        self.GitTreeState = "clean"
        self.GoVersion = compat.go_version
        self.KubeClientVersion = compat.kube_client_version
        if compat.major >= 4:
            self.go_fields = ("Version", "GitCommit", "GitTreeState", "GoVersion", "KubeClientVersion")
        else:
            self.go_fields = ("Version", "GitCommit", "GitTreeState", "GoVersion")
        self.go_type = "version.BuildInfo"  # type: ignore[misc]

    def to_go_json(self) -> dict[str, Any]:
        out = GoStructFields(
            {
                "version": self.Version,
                "git_commit": self.GitCommit,
                "git_tree_state": self.GitTreeState,
                "go_version": self.GoVersion,
            }
        )
        if self.KubeClientVersion is not None:
            out["kube_client_version"] = self.KubeClientVersion
        return out


class Capabilities(GoStruct):
    """`.Capabilities` (a pointer to a struct in both versions)."""

    go_fields = ("KubeVersion", "APIVersions", "HelmVersion")

    def __init__(self, kube: KubeVersion, apis: VersionSet, helm: BuildInfo, go_type: str):
        self.KubeVersion = kube
        self.APIVersions = apis
        self.HelmVersion = helm
        self.go_type = go_type  # type: ignore[misc]

    def to_go_json(self) -> dict[str, Any]:
        return GoStructFields(
            {"KubeVersion": self.KubeVersion, "APIVersions": list(self.APIVersions), "HelmVersion": self.HelmVersion}
        )


class KubeVersionError(ValueError):
    """Helm's text after `invalid kube version 'X': `."""


def parse_kube_version(text: str, compat: HelmCompat) -> KubeVersion:
    """`--kube-version`: v3 parses it as semver and re-prints it; v4 keeps it and normalises on the side."""
    go_type = "common.KubeVersion" if compat.major >= 4 else "chartutil.KubeVersion"
    if compat.major >= 4:
        import re

        found = re.match(r"^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)*$", text)
        if not found:
            raise KubeVersionError(f'could not parse "{text}" as version')
        parts = found.group(1).split(".")
        if len(parts) < 2:
            raise KubeVersionError(f'illegal version string "{text}"')
        numbers = [int(p) for p in parts]
        git = text if text.startswith("v") else "v" + text
        return KubeVersion(git, "v" + ".".join(str(n) for n in numbers), str(numbers[0]), str(numbers[1]), go_type)
    from wavecd.semver import SemverError, parse_version

    try:
        v = parse_version(text, lib=compat.semver_lib)
    except SemverError:
        raise KubeVersionError("Invalid Semantic Version") from None
    version = "v" + str(v)
    return KubeVersion(version, "", str(v.major), str(v.minor), go_type)


def default_kube_version(compat: HelmCompat) -> KubeVersion:
    version = compat.default_kube_version
    go_type = "common.KubeVersion" if compat.major >= 4 else "chartutil.KubeVersion"
    return KubeVersion(version, version, "1", str(compat.default_kube_minor), go_type)


def make_capabilities(compat: HelmCompat, kube: KubeVersion | None, extra_apis: list[str]) -> Capabilities:
    apis = (CommonVersionSet if compat.major >= 4 else ChartutilVersionSet)([*compat.api_versions, *extra_apis])
    go_type = "*common.Capabilities" if compat.major >= 4 else "*chartutil.Capabilities"
    return Capabilities(kube or default_kube_version(compat), apis, BuildInfo(compat), go_type)


class HelmValues(GoNamedMap):
    """Helm's `Values` map type (the type of `.`, `.Values` and what `Table` returns), with the methods a
    template can call on it before any key of the same name: `AsMap`, `Table`, `PathValue`, `YAML`
    (charts generated by gotohelm open every helper with `$values := .Values.AsMap`).

    `AsMap` hands out the map itself, as Go does (marked as passed as a plain map, see GoNamedMap), so
    writes through it reach `.Values`; `Table` gives a Values copy of a nested table's top level (nested
    maps shared)."""

    __slots__ = ()
    go_methods = frozenset(("AsMap", "PathValue", "Table", "YAML"))
    _SIGNATURES: ClassVar[dict[str, tuple[str, ...]]] = {
        "AsMap": (),
        "PathValue": ("string",),
        "Table": ("string",),
        "YAML": (),
    }

    def go_method(self, name: str) -> Any:
        if name in self.go_methods:
            return GoFunc(name, getattr(self, f"_{name}"), self._SIGNATURES[name])
        raise AttributeError(name)

    def _AsMap(self) -> dict[str, Any]:
        if not self:
            return {}
        self.passed_as_map = True
        return self

    def _Table(self, name: str) -> HelmValues:
        table: dict[str, Any] = self
        for key in name.split("."):
            if key not in table:
                raise GoFuncError(f"{go_quote(key)} is not a table")
            value = table[key]
            if value.__class__ is not dict and not isinstance(value, HelmValues):
                raise GoFuncError(f"{go_quote(key)} is not a table")
            table = value
        return table if table.__class__ is type(self) else type(self)(table)

    def _PathValue(self, path: str) -> Any:
        if path == "":
            raise GoFuncError("YAML path cannot be empty")
        *tables, key = path.split(".")
        table: dict[str, Any] = self
        if tables:
            try:
                table = self._Table(".".join(tables))
            except GoFuncError:
                raise GoFuncError(f"{go_quote(key)} is not a value") from None
        if key in table and not _is_table(table[key]):
            return table[key]
        raise GoFuncError(f"{go_quote(key)} is not a value")

    def _YAML(self) -> str:
        from wavecd.goyaml.writer import to_yaml

        return to_yaml(self)


def _is_table(value: Any) -> bool:
    """Helm's `istable`: a `map[string]interface{}` exactly (a named map is a value to it)."""
    return value.__class__ is dict


class CommonValues(HelmValues):
    __slots__ = ()
    go_type = "common.Values"


class ChartutilValues(HelmValues):
    __slots__ = ()
    go_type = "chartutil.Values"


def values_type(compat: HelmCompat) -> type[HelmValues]:
    """Helm 4's `common.Values` or Helm 3's `chartutil.Values`."""
    return CommonValues if compat.major >= 4 else ChartutilValues


class Files(dict):
    """`.Files`: Go's `files` map type (name → bytes) with its methods."""

    __slots__ = ()
    go_type = "engine.files"
    go_methods = ("AsConfig", "AsSecrets", "Get", "GetBytes", "Glob", "Lines")

    def go_method(self, name: str) -> Any:
        if name in self.go_methods:
            return getattr(self, name)
        raise AttributeError(name)

    @classmethod
    def of(cls, files: list[ChartFile]) -> Files:
        return cls((f.name, f.data) for f in files)

    def GetBytes(self, name: str) -> bytes:
        return self.get(name, b"")

    def Get(self, name: str) -> str:
        return self.get(name, b"").decode("utf-8", errors="surrogateescape")

    def Glob(self, pattern: str) -> Files:
        return Files((k, v) for k, v in self.items() if glob_match(pattern, k))

    def AsConfig(self) -> str:
        return _files_yaml(
            {posixpath.basename(k): v.decode("utf-8", errors="surrogateescape") for k, v in self.items()}
        )

    def AsSecrets(self) -> str:
        return _files_yaml({posixpath.basename(k): base64.b64encode(v).decode("ascii") for k, v in self.items()})

    def Lines(self, path: str) -> GoStringList:
        data = self.get(path)
        if data is None:
            return GoStringList()
        text = data.decode("utf-8", errors="surrogateescape")
        text = text.removesuffix("\n")
        return GoStringList(text.split("\n"))


def _files_yaml(mapping: dict[str, str]) -> str:
    from wavecd.goyaml.errors import GoYamlError
    from wavecd.goyaml.writer import to_yaml

    try:
        return to_yaml(GoStringMap(mapping)).removesuffix("\n")
    except GoYamlError:  # Helm's toYAML turns marshalling errors into ""
        return ""


class GoMaintainer(GoStruct):
    go_type = "*chart.Maintainer"
    go_fields = ("Name", "Email", "URL")

    def __init__(self, m: Maintainer):
        self.Name, self.Email, self.URL = m.name, m.email, m.url

    def to_go_json(self) -> dict[str, Any]:
        return GoStructFields({k: v for k, v in (("name", self.Name), ("email", self.Email), ("url", self.URL)) if v})


class GoDependency(GoStruct):
    go_type = "*chart.Dependency"
    go_fields = ("Name", "Version", "Repository", "Condition", "Tags", "Enabled", "ImportValues", "Alias")

    def __init__(self, d: Dependency):
        self.Name, self.Version, self.Repository, self.Condition = d.name, d.version, d.repository, d.condition
        self.Tags = GoStringList(d.tags)
        self.Enabled = d.enabled
        self.ImportValues = list(d.import_values)
        self.Alias = d.alias

    def to_go_json(self) -> dict[str, Any]:
        out: dict[str, Any] = GoStructFields({"name": self.Name})
        if self.Version:
            out["version"] = self.Version
        out["repository"] = self.Repository
        for key, value in (
            ("condition", self.Condition),
            ("tags", self.Tags),
            ("enabled", self.Enabled),
            ("import-values", self.ImportValues),
            ("alias", self.Alias),
        ):
            if value:
                out[key] = value
        return out


_META_FIELDS = (
    ("Name", "name", "name"),
    ("Home", "home", "home"),
    ("Sources", "sources", "sources"),
    ("Version", "version", "version"),
    ("Description", "description", "description"),
    ("Keywords", "keywords", "keywords"),
    ("Maintainers", "maintainers", "maintainers"),
    ("Icon", "icon", "icon"),
    ("APIVersion", "apiVersion", "api_version"),
    ("Condition", "condition", "condition"),
    ("Tags", "tags", "tags"),
    ("AppVersion", "appVersion", "app_version"),
    ("Deprecated", "deprecated", "deprecated"),
    ("Annotations", "annotations", "annotations"),
    ("KubeVersion", "kubeVersion", "kube_version"),
    ("Dependencies", "dependencies", "dependencies"),
    ("Type", "type", "type"),
)


class GoMetadata(GoStruct):
    """chart.Metadata as a Go struct value (v3's `.Chart` embeds it)."""

    go_type = "chart.Metadata"
    go_fields = tuple(f for f, _, _ in _META_FIELDS)

    def __init__(self, md: Metadata):
        for go_name, _, attr in _META_FIELDS:
            value = getattr(md, attr)
            if go_name in ("Sources", "Keywords"):
                value = GoStringList(value)
            elif go_name == "Maintainers":
                value = [GoMaintainer(m) for m in value]
            elif go_name == "Dependencies":
                value = [GoDependency(d) for d in value or ()]
            elif go_name == "Annotations" and value is not None:
                value = GoStringMap(value)
            setattr(self, go_name, value)

    def to_go_json(self) -> dict[str, Any]:
        return GoStructFields({tag: getattr(self, go) for go, tag, _ in _META_FIELDS if getattr(self, go)})


class ChartV3(GoStruct):
    """v3's `.Chart`: `struct{ chart.Metadata; IsRoot bool }`, fields of Metadata promoted."""

    go_type = "struct { chart.Metadata; IsRoot bool }"
    go_fields: ClassVar[tuple[str, ...]] = ("Metadata", "IsRoot")

    def __init__(self, md: Metadata, is_root: bool):
        self.Metadata = GoMetadata(md)
        self.IsRoot = is_root

    def go_field(self, name: str) -> Any:
        if name in ("Metadata", "IsRoot"):
            return getattr(self, name)
        return self.Metadata.go_field(name)

    def to_go_json(self) -> dict[str, Any]:
        return GoStructFields({**self.Metadata.to_go_json(), "IsRoot": self.IsRoot})


def chart_v4_map(md: Metadata, is_root: bool) -> dict[str, Any]:
    """v4's `.Chart`: structToMap(Metadata) plus IsRoot, capitalised keys, nil slices as empty lists."""
    return {
        "Name": md.name,
        "Home": md.home,
        "Sources": list(md.sources),
        "Version": md.version,
        "Description": md.description,
        "Keywords": list(md.keywords),
        "Maintainers": [{"Name": m.name, "Email": m.email, "URL": m.url} for m in md.maintainers],
        "Icon": md.icon,
        "APIVersion": md.api_version,
        "Condition": md.condition,
        "Tags": md.tags,
        "AppVersion": md.app_version,
        "Deprecated": md.deprecated,
        "Annotations": GoStringMap(md.annotations) if md.annotations is not None else None,
        "KubeVersion": md.kube_version,
        "Dependencies": [
            {
                "Name": d.name,
                "Version": d.version,
                "Repository": d.repository,
                "Condition": d.condition,
                "Tags": list(d.tags),
                "Enabled": d.enabled,
                "ImportValues": list(d.import_values),
                "Alias": d.alias,
            }
            for d in md.dependencies or ()
        ],
        "Type": md.type,
        "IsRoot": is_root,
    }


def chart_object(chart: Chart, compat: HelmCompat) -> Any:
    if compat.major >= 4:
        return chart_v4_map(chart.metadata, chart.is_root)
    return ChartV3(chart.metadata, chart.is_root)


def release_object(name: str, namespace: str, is_upgrade: bool) -> dict[str, Any]:
    return {
        "Name": name,
        "Namespace": namespace,
        "IsUpgrade": is_upgrade,
        "IsInstall": not is_upgrade,
        "Revision": 1,
        "Service": "Helm",
    }
