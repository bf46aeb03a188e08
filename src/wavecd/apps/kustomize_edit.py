"""The edits Argo CD makes to a kustomization before `kustomize build` (`util/kustomize` `Build`).

Argo CD runs `kustomize edit set nameprefix|namesuffix|image|replicas|namespace`, `edit add
label|annotation|component`, and appends `patches` itself, in that order, in the app's folder. wavecd
makes the same edits in a temporary copy, never in the repository: with a standalone `kustomize` it runs
those very commands (`edit_commands`); with `kubectl kustomize`, which has no `edit`, it makes the same
changes to the kustomization file as `kustomize edit` would (`apply_edits`). Both are checked against
recordings of the real `kustomize edit` + `kustomize build` (tests/apps/data/kustomize).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from wavecd.apps.build_env import envsubst
from wavecd.apps.errors import AppError
from wavecd.apps.model import KustomizeSpec
from wavecd.core.paths import is_inside
from wavecd.goyaml import GoYamlError, load, to_yaml

__all__ = ["KUSTOMIZATION_FILES", "apply_edits", "edit_commands", "find_kustomization", "has_edits", "replica_count"]

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_TAG = re.compile(r"^(.*):([a-zA-Z0-9._-]*|\*)$")
_PRESERVE = "*"
_INT = re.compile(r"^[+-]?[0-9]+$")
_IMAGE_FORMS = """invalid format of image, use one of the following options:
- <image>=<newimage>:<newtag>
- <image>=<newimage>@<digest>
- <image>=<newimage>:<newtag>@<digest>
- <image>=<newimage>
- <image>:<newtag>
- <image>:<newtag>@<digest>
- <image>@<digest>"""


def find_kustomization(folder: Path) -> Path | None:
    """The kustomization file kustomize reads in `folder` (its first existing name), or None."""
    for name in KUSTOMIZATION_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def has_edits(spec: KustomizeSpec | None) -> bool:
    if spec is None:
        return False
    return bool(
        spec.name_prefix
        or spec.name_suffix
        or spec.images
        or spec.replicas
        or spec.common_labels
        or spec.common_annotations
        or spec.namespace
        or spec.patches
        or spec.components
    )


def replica_count(name: str, count: str) -> int:
    """`replicas[].count` as Argo CD's `GetIntCount` reads it: a whole number, else its error."""
    if not _INT.match(count):
        raise AppError(f"expected integer value for count. Received: {count}")
    return int(count)


def _labels(spec: KustomizeSpec, env: dict[str, str]) -> list[tuple[str, str]]:
    return [(k, envsubst(v, env)) for k, v in spec.common_labels]


def _annotations(spec: KustomizeSpec, env: dict[str, str]) -> list[tuple[str, str]]:
    if spec.common_annotations_envsubst:
        return [(k, envsubst(v, env)) for k, v in spec.common_annotations]
    return list(spec.common_annotations)


def present_components(spec: KustomizeSpec, app_path: Path, repo_root: Path) -> list[str]:
    """`components`, less those absent under the repository when `ignoreMissingComponents` is set (one
    outside the repository is absent from Argo CD's clone). Without it, a component whose real path leaves
    the repository is an AppError: kustomize would read it, and it could be any folder of the machine."""
    kept = []
    for component in spec.components:
        inside = is_inside(app_path / component, repo_root)
        if spec.ignore_missing_components:
            if inside and (app_path / component).exists():
                kept.append(component)
        elif not inside:
            raise AppError(f"kustomize.components entry {component!r} resolves outside the repository")
        else:
            kept.append(component)
    return kept


def edit_commands(spec: KustomizeSpec, env: dict[str, str], components: list[str]) -> list[list[str]]:
    """The `kustomize edit …` argument lists Argo CD runs, in its order (label and annotation pairs sorted:
    Argo CD's come from a Go map, in random order)."""
    commands: list[list[str]] = []
    if spec.name_prefix:
        commands.append(["edit", "set", "nameprefix", "--", spec.name_prefix])
    if spec.name_suffix:
        commands.append(["edit", "set", "namesuffix", "--", spec.name_suffix])
    if spec.images:
        commands.append(["edit", "set", "image", *(envsubst(image, env) for image in spec.images)])
    if spec.replicas:
        commands.append(["edit", "set", "replicas", *(f"{n}={replica_count(n, c)}" for n, c in spec.replicas)])
    if spec.common_labels:
        flags = [
            flag
            for flag, on in (
                ("--force", spec.force_common_labels),
                ("--without-selector", spec.label_without_selector),
                ("--include-templates", spec.label_include_templates),
            )
            if on
        ]
        commands.append(["edit", "add", "label", *flags, *(f"{k}:{v}" for k, v in _labels(spec, env))])
    if spec.common_annotations:
        flags = ["--force"] if spec.force_common_annotations else []
        commands.append(["edit", "add", "annotation", *flags, *(f"{k}:{v}" for k, v in _annotations(spec, env))])
    if spec.namespace:
        commands.append(["edit", "set", "namespace", "--", spec.namespace])
    if components:
        commands.append(["edit", "add", "component", *components])
    return commands


def _read(path: Path) -> dict[str, Any]:
    try:
        data = load(path.read_text(encoding="utf-8"), source=path.name)
    except (OSError, UnicodeDecodeError) as err:
        raise AppError(f"failed to load {path.name}: {err}") from None
    except GoYamlError as err:
        raise AppError(f"failed to unmarshal {path.name}: {err.message}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AppError(f"expected {path.name} to be a mapping, but got {type(data).__name__}")
    return data


def _fix(data: dict[str, Any]) -> None:
    """`FixKustomization`, which every `kustomize edit` applies when it reads the file."""
    data.setdefault("kind", "Kustomization")
    data.setdefault(
        "apiVersion",
        "kustomize.config.k8s.io/v1alpha1" if data["kind"] == "Component" else "kustomize.config.k8s.io/v1beta1",
    )
    if data.get("bases"):
        data["resources"] = [*(data.get("resources") or []), *data["bases"]]
    data.pop("bases", None)
    if data.get("imageTags"):
        data["images"] = [*(data.get("images") or []), *data["imageTags"]]
    data.pop("imageTags", None)


def _split_image(value: str) -> tuple[str, str, str]:
    """kustomize's `SplitImageName`: name, tag, digest."""
    name, _, digest = value.partition("@")
    tag = ""
    match = _TAG.match(name)
    if match and "/" not in match.group(2):
        name, tag = match.group(1), match.group(2)
    return name, tag, digest


def _parse_image(arg: str) -> dict[str, str]:
    key, sep, value = arg.partition("=")
    if not sep:
        key, value = "", arg
    name, tag, digest = _split_image(value)
    if name == arg:
        raise AppError(_IMAGE_FORMS)
    image = {"name": key or name, "newName": name if key else "", "newTag": tag, "digest": digest}
    return image


def _set_images(data: dict[str, Any], args: list[str]) -> None:
    wanted = {}
    for arg in args:
        image = _parse_image(arg)
        wanted[image["name"]] = image
    for existing in data.get("images") or []:
        if not isinstance(existing, dict):
            continue
        current = {k: str(existing.get(k) or "") for k in ("name", "newName", "newTag", "digest")}
        asked = wanted.get(current["name"])
        if asked is None:
            wanted[current["name"]] = current
            continue
        for field in ("newName", "newTag", "digest"):
            if asked[field] == _PRESERVE:
                asked[field] = current[field]
    images = []
    for name in sorted(wanted):
        image = {k: ("" if v == _PRESERVE else v) for k, v in wanted[name].items()}
        images.append({k: v for k, v in image.items() if v})
    data["images"] = images


def _set_replicas(data: dict[str, Any], pairs: list[tuple[str, int]]) -> None:
    wanted: dict[str, dict[str, Any]] = {name: {"name": name, "count": count} for name, count in pairs}
    for existing in data.get("replicas") or []:
        if isinstance(existing, dict) and str(existing.get("name")) not in wanted:
            wanted[str(existing.get("name"))] = existing
    data["replicas"] = [wanted[name] for name in sorted(wanted)]


def _add_map(target: dict[str, Any], pairs: list[tuple[str, str]], kind: str, force: bool) -> None:
    for key, value in pairs:
        if key in target and not force:
            raise AppError(f"{kind} {key} already in kustomization file. Use --force to override.")
        target[key] = value


def _add_labels(data: dict[str, Any], spec: KustomizeSpec, pairs: list[tuple[str, str]]) -> None:
    if not spec.label_without_selector:
        if spec.label_include_templates:
            raise AppError("--without-selector flag must be specified for --include-templates to work")
        data["commonLabels"] = dict(data.get("commonLabels") or {})
        _add_map(data["commonLabels"], pairs, "label", spec.force_common_labels)
        return
    labels = data.setdefault("labels", [])
    templates = spec.label_include_templates

    def matching() -> dict[str, Any] | None:
        for entry in labels:
            if (
                isinstance(entry, dict)
                and not entry.get("includeSelectors", False)
                and bool(entry.get("includeTemplates", False)) == templates
            ):
                return entry
        return None

    for key, value in pairs:
        entry = matching()
        if entry is None:
            entry = {"pairs": {}, **({"includeTemplates": True} if templates else {})}
            labels.append(entry)
        entry["pairs"] = dict(entry.get("pairs") or {})
        _add_map(entry["pairs"], [(key, value)], "label", spec.force_common_labels)


def apply_edits(kustomization: Path, spec: KustomizeSpec, env: dict[str, str], components: list[str]) -> None:
    """Make `edit_commands`' changes (and the patches) to `kustomization`, a file in a temporary copy."""
    data = _read(kustomization)
    _fix(data)
    if spec.name_prefix:
        data["namePrefix"] = spec.name_prefix
    if spec.name_suffix:
        data["nameSuffix"] = spec.name_suffix
    if spec.images:
        _set_images(data, [envsubst(image, env) for image in spec.images])
    if spec.replicas:
        _set_replicas(data, [(n, replica_count(n, c)) for n, c in spec.replicas])
    if spec.common_labels:
        _add_labels(data, spec, _labels(spec, env))
    if spec.common_annotations:
        data["commonAnnotations"] = dict(data.get("commonAnnotations") or {})
        _add_map(data["commonAnnotations"], _annotations(spec, env), "annotation", spec.force_common_annotations)
    if spec.namespace:
        data["namespace"] = spec.namespace
    if components:
        present = list(data.get("components") or [])
        data["components"] = present + [c for c in dict.fromkeys(components) if c not in present]
    kustomization.write_text(to_yaml(data), encoding="utf-8")


def append_patches(folder: Path, spec: KustomizeSpec) -> None:
    """Argo CD's own step: `patches` appended to the kustomization's, the file rewritten as sigs.k8s.io/yaml
    writes it."""
    if not spec.patches:
        return
    path = find_kustomization(folder)
    if path is None:
        raise AppError("kustomization file not found in the path")
    data = _read(path)
    patches = data.get("patches")
    if patches is not None and not isinstance(patches, list):
        raise AppError(f"expected 'patches' field in kustomization.yaml to be []any, but got {type(patches).__name__}")
    data["patches"] = [*(patches or []), *(json.loads(patch) for patch in spec.patches)]
    path.write_text(to_yaml(data), encoding="utf-8")
