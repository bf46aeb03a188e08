"""ROOT, as every tree command takes it: one Application (or ApplicationSet) file, or a folder whose
`wavecd.yaml` names that file under `root:`. Anything else is refused with the candidates seen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wavecd.apps.errors import AppError
from wavecd.apps.node import is_argo_object
from wavecd.apps.yamldocs import load_objects
from wavecd.common import APPLICATION, APPLICATION_SET
from wavecd.core import Location, UserInputError
from wavecd.helm.compat import MODES
from wavecd.sources.config import CONFIG_NAME, WavecdConfig, find_config, load_config

ROOT_KINDS = (APPLICATION, APPLICATION_SET)


@dataclass(frozen=True)
class Root:
    file: Path
    obj: dict[str, Any]
    config: WavecdConfig


def _argo_objects(path: Path) -> list[dict[str, Any]] | None:
    """The Application/ApplicationSet objects of a YAML file, or None if it cannot be read as YAML."""
    try:
        objects = load_objects(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, AppError):
        return None
    return [o for o in objects if is_argo_object(o)]


def _candidates(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix in (".yaml", ".yml") and path.is_file() and path.name != CONFIG_NAME:
            objects = _argo_objects(path)
            if objects:
                names = ", ".join(f"{o['kind']} {(o.get('metadata') or {}).get('name')}" for o in objects)
                found.append(f"{path.name} ({names})")
    return found


def _describe(obj: dict[str, Any]) -> str:
    """One document as a user would recognise it: `Kind name`, or what it holds when it is not a named
    Kubernetes object (a values file, a kustomization without a name)."""
    kind, meta = obj.get("kind"), obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if isinstance(kind, str) and kind:
        return f"{kind} {name}" if isinstance(name, str) and name else f"a {kind} without metadata.name"
    keys = [str(k) for k in obj]
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    return f"a document without a kind (keys: {shown})" if keys else "an empty mapping"


def _read_root_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UserInputError(f"cannot read ROOT {path}: {err.strerror}", location=Location(file=str(path))) from None
    return parse_root_text(text, path)


def parse_root_text(text: str, path: Path) -> dict[str, Any]:
    """The one Application or ApplicationSet of ROOT's text (read from `path`, or from `path` at a revision)."""
    try:
        objects = load_objects(text, str(path))
    except AppError as err:
        raise UserInputError(err.message, location=err.location) from None
    argo = [o for o in objects if o.get("kind") in ROOT_KINDS]
    if len(objects) != 1 or len(argo) != 1:
        seen = ", ".join(_describe(o) for o in objects) or "nothing"
        raise UserInputError(
            f"ROOT {path} must hold exactly one Application or ApplicationSet; it holds: {seen}",
            location=Location(file=str(path)),
        )
    return argo[0]


def _load_config(path: Path) -> WavecdConfig:
    """`wavecd.yaml` as `sources` reads it, with its render mode checked against the Helm builds wavecd knows."""
    config = load_config(path)
    if config.render.helm_compat not in MODES:
        raise UserInputError(
            f"{path}: render.helmCompat must be one of {', '.join(MODES)}, not {config.render.helm_compat!r}"
        )
    return config


def load_root(root: Path, config_file: Path | None = None) -> Root:
    """The root object, its file, and the wavecd.yaml that applies (`config_file` overrides the search)."""
    if not root.exists():
        raise UserInputError(f"ROOT {root} does not exist")
    config_path = config_file or find_config(root)
    config = _load_config(config_path) if config_path else WavecdConfig()
    if root.is_file():
        return Root(root.resolve(), _read_root_file(root), config)
    own = config_file or (root / CONFIG_NAME if (root / CONFIG_NAME).is_file() else None)
    if own is not None:
        config = _load_config(own)
        if config.root is not None:
            return Root(config.root, _read_root_file(config.root), config)
    candidates = _candidates(root)
    listing = "; ".join(candidates) if candidates else "no YAML file here holds an Application or ApplicationSet"
    raise UserInputError(
        f"ROOT {root} is a folder without a {CONFIG_NAME} naming its root (`root: FILE`); candidates: {listing}",
        location=Location(file=str(root)),
    )
