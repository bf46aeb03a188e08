"""The in-memory chart: metadata, templates, files, default values and loaded subcharts.

Mirrors Helm's `chart.Chart` closely enough that dependency processing, coalescing and the engine can follow
Helm's algorithms step by step. Subcharts are copied (not shared) when an alias reuses one, exactly like
Helm, so each copy can carry its own name and parent.
"""

from __future__ import annotations

import copy
import posixpath
from dataclasses import dataclass, field
from typing import Any

MANIFEST_EXTENSIONS = (".yaml", ".yml", ".json")


@dataclass(slots=True)
class ChartFile:
    """A file of a chart, path relative to the chart root with `/` separators."""

    name: str
    data: bytes


@dataclass(slots=True)
class Maintainer:
    """One `maintainers[]` entry of Chart.yaml."""

    name: str = ""
    email: str = ""
    url: str = ""


@dataclass(slots=True)
class Dependency:
    """One `dependencies[]` entry of Chart.yaml (or requirements.yaml)."""

    name: str = ""
    version: str = ""
    repository: str = ""
    condition: str = ""
    tags: list[str] = field(default_factory=list)
    enabled: bool = False
    import_values: list[Any] = field(default_factory=list)
    alias: str = ""


@dataclass(slots=True)
class Metadata:
    """Chart.yaml, with Go's zero values for absent fields."""

    name: str = ""
    home: str = ""
    sources: list[str] = field(default_factory=list)
    version: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    maintainers: list[Maintainer] = field(default_factory=list)
    icon: str = ""
    api_version: str = ""
    condition: str = ""
    tags: str = ""
    app_version: str = ""
    deprecated: bool = False
    annotations: dict[str, str] | None = None
    kube_version: str = ""
    dependencies: list[Dependency] | None = None
    type: str = ""


@dataclass(eq=False)
class Chart:
    """A loaded chart. `dependencies` are the subcharts actually present (after ProcessDependencies: the
    enabled ones, aliased copies included)."""

    metadata: Metadata
    templates: list[ChartFile] = field(default_factory=list)
    files: list[ChartFile] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    schema: bytes | None = None
    dependencies: list[Chart] = field(default_factory=list)
    parent: Chart | None = None
    lock: Any = None

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def is_root(self) -> bool:
        return self.parent is None

    @property
    def is_library(self) -> bool:
        return self.metadata.type.lower() == "library"

    def full_path(self) -> str:
        """`parent/charts/child`: the prefix of template names and `# Source:` lines."""
        if self.parent is None:
            return self.name
        return f"{self.parent.full_path()}/charts/{self.name}"

    def add_dependency(self, *charts: Chart) -> None:
        for chart in charts:
            chart.parent = self
            self.dependencies.append(chart)

    def set_dependencies(self, charts: list[Chart]) -> None:
        self.dependencies = []
        self.add_dependency(*charts)

    def crd_objects(self) -> list[tuple[str, ChartFile]]:
        """(`<full path>/crds/<file>`, file) for this chart then its dependencies, recursively."""
        out = [
            (posixpath.join(self.full_path(), f.name), f)
            for f in self.files
            if f.name.startswith("crds/") and has_manifest_extension(f.name)
        ]
        for dep in self.dependencies:
            out.extend(dep.crd_objects())
        return out

    def shallow_copy(self) -> Chart:
        """What Go's `*c` struct copy gives: new metadata, same file lists and subcharts."""
        dup = copy.copy(self)
        dup.metadata = copy.copy(self.metadata)
        return dup


def has_manifest_extension(name: str) -> bool:
    return posixpath.splitext(name)[1].lower() in MANIFEST_EXTENSIONS
