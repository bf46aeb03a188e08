"""Where an app's Helm parameter is set: the places `wavecd promote` may edit, found as Argo CD reads them.

An Application's Helm source takes values, last wins, from its value files (in order, `$ref/…` files
from the ref source's repository), then `values` or `valuesObject`, then `parameters`. Each of those that
sets the parameter is a site. The chart's own `values.yaml` is not: it is every app's default, not this
app's choice. A site inside the Application itself (`valuesObject`, `parameters`) can be edited only when
the Application is written in a file of the repository as it is applied — not when a chart or an
ApplicationSet template generates it.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wavecd.apps.errors import AppError
from wavecd.apps.helm_source import resolve_value_files
from wavecd.apps.model import Application, HelmSpec
from wavecd.apps.render_app import RenderJob
from wavecd.apps.yamldocs import load_objects
from wavecd.core import UserInputError
from wavecd.promote.keypath import KeyPath, format_path, parse_key
from wavecd.promote.yaml_edit import lookup, read_values

__all__ = [
    "MAX_VALUES_FILE",
    "Site",
    "application_file",
    "find_image",
    "find_sites",
    "generator_file_sites",
    "in_repository",
]

# A values file larger than this is not read (Argo CD's repo-server has no such file in practice).
MAX_VALUES_FILE = 4 * 1024 * 1024
_IMAGE_KEYS = ("repository", "name", "image")


@dataclass(frozen=True)
class Site:
    """One place that sets the parameter. `file` is the values file, or None for a field of the
    Application (`field` then says which, and `doc_path` where it is in the Application's object)."""

    app: str
    path: KeyPath  # the parameter's path inside the file (or inside the Application object)
    value: Any
    file: Path | None = None
    field: str = "valueFiles"
    doc_path: KeyPath = ()

    def describe(self, top: Path) -> str:
        if self.file is not None:
            return f"{_shown(self.file, top)} ({format_path(self.path)})"
        return f"the Application {self.app}'s {self.field} ({format_path(self.doc_path)})"


def _shown(file: Path, top: Path) -> str:
    try:
        return file.resolve().relative_to(top).as_posix()
    except ValueError:
        return str(file)


def _read_file(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_VALUES_FILE:
            raise UserInputError(f"{path}: larger than {MAX_VALUES_FILE} bytes; not read")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserInputError(f"{path}: cannot be read: {err}") from None
    return read_values(text, str(path))


def _source_path(app: Application, index: int) -> KeyPath:
    """Where source `index` is in the Application's object: `spec.sources[i]` or `spec.source`."""
    return ("spec", "sources", index) if app.multi_source else ("spec", "source")


def _value_docs(job: RenderJob) -> list[tuple[int, HelmSpec, list[Path]]]:
    """Per Helm source: its index, its helm spec and its value files in Argo CD's order."""
    out = []
    for index, item in enumerate(job.sources):
        if item.kind != "helm" or item.app_path is None or item.repo_root is None:
            continue
        helm = item.source.helm or HelmSpec()
        files = [Path(p) for p in resolve_value_files(helm, item.app_path, item.repo_root, dict(job.refs))]
        out.append((index, helm, files))
    return out


def find_sites(job: RenderJob, path: KeyPath) -> list[Site]:
    """Every place that sets `path` for the app of `job`, in the order Helm applies them."""
    app = job.app
    sites: list[Site] = []
    for index, helm, files in _value_docs(job):
        for file in files:
            found, value = lookup(_read_file(file), path)
            if found:
                sites.append(Site(app.name, path, value, file=file))
        base = (*_source_path(app, index), "helm")
        if helm.values_object is not None:
            found, value = lookup(helm.values_object, path)
            if found:
                sites.append(Site(app.name, path, value, field="valuesObject", doc_path=(*base, "valuesObject", *path)))
        elif helm.values:
            found, value = lookup(read_values(helm.values, f"{app.name} helm.values"), path)
            if found:
                sites.append(Site(app.name, path, value, field="values", doc_path=(*base, "values")))
        for number, parameter in enumerate(helm.parameters):
            if _parameter_path(parameter.name) == path:
                doc_path = (*base, "parameters", number, "value")
                sites.append(Site(app.name, path, parameter.value, field="parameters", doc_path=doc_path))
    return sites


def _parameter_path(name: str) -> KeyPath | None:
    """A `parameters` entry's name as a path; None for a name `--set` could not have written."""
    try:
        return parse_key(name)
    except UserInputError:
        return None


def _images(doc: Any, name: str, at: KeyPath = ()) -> list[KeyPath]:
    """Paths of the mappings that name image `name` (as `repository`, `name` or `image`, whole or as the
    last part of a registry path) and so hold its tag."""
    found: list[KeyPath] = []
    if isinstance(doc, dict):
        for key in _IMAGE_KEYS:
            value = doc.get(key)
            if isinstance(value, str) and (value == name or value.endswith("/" + name)):
                found.append(at)
                break
        for key, value in doc.items():
            found += _images(value, name, (*at, str(key)))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += _images(value, name, (*at, index))
    return found


def find_image(job: RenderJob, name: str) -> KeyPath:
    """The path of the tag of image `name` among the app's values (the chart's defaults included, since the
    image may be named there and only tagged here); UserInputError when none or several hold it."""
    docs: list[Any] = []
    for index, helm, files in _value_docs(job):
        item = job.sources[index]
        assert item.app_path is not None
        defaults = item.app_path / "values.yaml"
        if defaults.is_file():
            docs.append(_read_file(defaults))
        docs += [_read_file(file) for file in files]
        if helm.values_object is not None:
            docs.append(helm.values_object)
    holders = sorted({(*path, "tag") for doc in docs for path in _images(doc, name)}, key=format_path)
    if not holders:
        raise UserInputError(
            f"no image {name!r} among the values of app {job.app.name}: expected a mapping with "
            f"repository/name/image {name!r} beside its tag"
        )
    if len(holders) > 1:
        listed = ", ".join(format_path(path) for path in holders)
        raise UserInputError(f"image {name!r} is named in several places of app {job.app.name}'s values: {listed}")
    return holders[0]


def in_repository(file: Path, top: Path) -> bool:
    return os.path.realpath(file).startswith(str(top).rstrip("/") + "/")


def application_file(candidates: list[Path], app: dict[str, Any]) -> Path | None:
    """The one file among `candidates` that holds exactly the Application `app` as it is applied (the same
    spec), alone; None when it is generated (by a chart or an ApplicationSet) or written more than once."""
    name = str((app.get("metadata") or {}).get("name") or "")
    matches = []
    for file in candidates:
        try:
            if file.stat().st_size > MAX_VALUES_FILE:
                continue
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if name not in text:
            continue
        try:
            objects = load_objects(text, str(file))
        except AppError:
            continue
        if (
            len(objects) == 1
            and objects[0].get("kind") == app.get("kind")
            and (objects[0].get("metadata") or {}).get("name") == name
            and objects[0].get("spec") == app.get("spec")
        ):
            matches.append(file)
    return matches[0] if len(matches) == 1 else None


def _leaves(doc: Any, value: str, at: KeyPath = ()) -> list[KeyPath]:
    """Paths of the scalars of `doc` that read as `value`."""
    if isinstance(doc, dict):
        return [path for key, item in doc.items() for path in _leaves(item, value, (*at, str(key)))]
    if isinstance(doc, list):
        return [path for index, item in enumerate(doc) for path in _leaves(item, value, (*at, index))]
    return [at] if doc is not None and not isinstance(doc, bool) and str(doc) == value else []


def generator_file_sites(appset: dict[str, Any], repo_root: Path, value: str) -> list[tuple[Path, KeyPath]]:
    """Where an ApplicationSet's git files generator may have taken `value` from: every scalar equal to it
    in a file its `files` patterns select (top-level git generators; `repo_root` is their repository as a
    folder). The caller edits a single candidate and checks that the app took the new value."""
    spec = appset.get("spec")
    generators = spec.get("generators") if isinstance(spec, dict) else None
    patterns: list[str] = []
    for generator in generators if isinstance(generators, list) else []:
        git = generator.get("git") if isinstance(generator, dict) else None
        files = git.get("files") if isinstance(git, dict) else None
        for item in files if isinstance(files, list) else []:
            if isinstance(item, dict) and not item.get("exclude") and item.get("path"):
                patterns.append(str(item["path"]))
    found: list[tuple[Path, KeyPath]] = []
    if not patterns:
        return found
    for folder, dirs, names in os.walk(repo_root):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(names):
            file = Path(folder, name)
            relative = file.relative_to(repo_root).as_posix()
            if any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns):
                found += [(file, path) for path in _leaves(_read_file(file), value)]
    return found
