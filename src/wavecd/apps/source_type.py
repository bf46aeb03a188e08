"""Which tool renders a git source, decided as Argo CD's repo-server decides (`GetAppSourceType`,
`util/app/discovery`): an explicit `kustomize`/`helm`/`directory`/`plugin` block; else the first
configured plugin whose discover rule matches; else the files directly in the app's folder — a name
ending in `Chart.yaml` means Helm, `kustomization.yaml`/`.yml`/`Kustomization` Kustomize, the last in
lexical order winning (so Kustomize beats `Chart.yaml`); else a plain directory."""

from __future__ import annotations

from pathlib import Path

from wavecd.apps.errors import AppError
from wavecd.apps.kustomize_edit import KUSTOMIZATION_FILES
from wavecd.apps.model import AppSource

__all__ = ["explicit_type", "file_type"]

_NAMES = (("kustomize", "Kustomize"), ("helm", "Helm"), ("directory", "Directory"), ("plugin", "Plugin"))


def explicit_type(source: AppSource) -> str | None:
    """The kind the source's own blocks name, None if none; several are Argo CD's error."""
    given = [(kind, shown) for kind, shown in _NAMES if getattr(source, kind) is not None]
    if len(given) > 1:
        raise AppError("multiple application sources defined: " + ",".join(shown for _, shown in given))
    return given[0][0] if given else None


def file_type(app_path: Path) -> str:
    """`helm`, `kustomize` or `directory`, by the files directly in `app_path`."""
    kind = "directory"
    for name in sorted(entry.name for entry in app_path.iterdir() if entry.is_file()):
        if name.endswith("Chart.yaml"):
            kind = "helm"
        if name in KUSTOMIZATION_FILES:
            kind = "kustomize"
    return kind
