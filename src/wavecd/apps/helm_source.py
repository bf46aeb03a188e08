"""One Helm source turned into the `helm template` run Argo CD's repo-server makes (`helmTemplate`).

Argo CD calls `helm template <chart> --name-template N [--namespace] [--kube-version] --set…
--set-string… --set-file… --values <valueFiles…> [--values <values file>] --api-versions…
[--include-crds] [--skip-schema-validation] [--skip-tests]`; `helm_options` builds the same run as
`RenderOptions`, and `helm_arguments` spells it as that command line (for display and for the bench).
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wavecd.apps.errors import AppError
from wavecd.apps.model import Application, AppSource, HelmSpec
from wavecd.common import DEFAULT_KUBE_VERSION
from wavecd.core import Location
from wavecd.core.paths import lexically_inside
from wavecd.sources.boundary import OutOfBoundsSymlinkError, check_file
from wavecd.sources.config import KustomizeSettings, PluginConfig

if TYPE_CHECKING:  # the Helm engine is imported only when something is actually rendered
    from wavecd.helm.render import RenderOptions

_GLOB_CHARS = ("*", "?", "[")
_GENERIC_VERSION = re.compile(r"^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)$")


@dataclass(frozen=True)
class RenderSettings:
    """What the cluster would tell Argo CD, fixed offline: Helm flavour, kube version, API versions."""

    helm_compat: str = "v4"
    kube_version: str = DEFAULT_KUBE_VERSION
    api_versions: tuple[str, ...] = ()
    timeout: float | None = None  # the render time limit in seconds (None: the helm package's default)
    kustomize: KustomizeSettings = field(default_factory=KustomizeSettings)
    plugins: tuple[PluginConfig, ...] = ()
    # the user's permission for what wavecd.yaml asks to run (plugins, a kustomize binary, exec options)
    allow_exec: bool = False


def _outside(raw: str, detail: str = "") -> AppError:
    return AppError(f"error resolving value file path: file '{raw}' resolved to outside repository root{detail}")


def _inside(path: Path, root: Path, raw: str) -> Path:
    """`resolveFileOrDirectory`: relative to the app path, absolute to the repo root, never outside it,
    neither by its name nor by a symlink on the way (`ResolveValueFilePathOrUrl` resolves them)."""
    resolved = Path(os.path.normpath(path))
    if not lexically_inside(resolved, root):
        raise _outside(raw)
    _check_real(resolved, root, raw)
    return resolved


def _check_real(path: Path, root: Path, raw: str) -> None:
    try:
        check_file(root, path)
    except OutOfBoundsSymlinkError as err:
        raise _outside(raw, f": symlink {err.link} -> {err.target}") from None


def _value_root(raw: str, repo_root: Path, refs: dict[str, Path]) -> Path:
    """The root a `valueFiles`/`fileParameters` entry must stay in: its `$ref` checkout, else the app's repo."""
    ref_root = refs.get(raw.partition("/")[0]) if raw.startswith("$") else None
    return ref_root if ref_root is not None else repo_root


def resolve_value_path(raw: str, app_path: Path, repo_root: Path, refs: dict[str, Path]) -> Path:
    """A `valueFiles`/`fileParameters` entry as a local path: `$ref/…` in the ref's checkout, else the app's."""
    if raw.startswith("$"):
        ref, _, rest = raw.partition("/")
        ref_root = refs.get(ref)
        if ref_root is not None:
            return _inside(ref_root / rest.lstrip("/"), ref_root, raw)
    if "://" in raw:
        raise AppError(f"value file {raw}: remote value files are not supported offline")
    base = repo_root if raw.startswith("/") else app_path
    return _inside(base / raw.lstrip("/") if raw.startswith("/") else base / raw, repo_root, raw)


def resolve_value_files(helm: HelmSpec, app_path: Path, repo_root: Path, refs: dict[str, Path]) -> list[str]:
    """`getResolvedValueFiles`: globs expanded in lexical order (explicit entries keep their own place),
    missing files dropped only with `ignoreMissingValueFiles`."""
    resolved = [(raw, resolve_value_path(raw, app_path, repo_root, refs)) for raw in helm.value_files]
    explicit = {str(path) for raw, path in resolved if not any(c in str(path) for c in _GLOB_CHARS)}
    out: list[str] = []
    for raw, path in resolved:
        text = str(path)
        if any(c in text for c in _GLOB_CHARS):
            matches = sorted(glob.glob(text, recursive=True, include_hidden=True))
            if not matches:
                if helm.ignore_missing_value_files:
                    continue
                raise AppError(f"error resolving helm value files: values file glob {raw!r} matched no files")
            root = _value_root(raw, repo_root, refs)
            for match in matches:
                _check_real(Path(match), root, raw)
            out.extend(m for m in matches if m not in explicit and m not in out)
            continue
        if helm.ignore_missing_value_files and not path.exists():
            continue
        if text not in out:
            out.append(text)
    return out


def values_text(helm: HelmSpec) -> str:
    """`ValuesYAML`: `valuesObject` when set (it replaces `values`, no merge), else `values`."""
    if helm.values_object is not None:
        from wavecd.goyaml import to_yaml

        return to_yaml(helm.values_object)
    return helm.values


def kube_version_flag(text: str) -> str:
    """`parseKubeVersion`: apimachinery's generic version, printed without `v` ("v1.33.0" -> "1.33.0")."""
    if not text:
        return ""
    match = _GENERIC_VERSION.match(text)
    if match is None:
        raise AppError(f'could not parse kubernetes version {text}: could not parse "{text}" as version')
    components = match.group(1).split(".")
    if len(components) < 2:
        raise AppError(f"could not parse kubernetes version {text}: version '{text}' has fewer than 2 components")
    return ".".join(str(int(c)) for c in components)


def namespace_flag(app: Application, source: AppSource) -> str:
    """`GetNamespaceOrDefault`: `helm.namespace`, else the destination's; "" means no `--namespace`."""
    return (source.helm.namespace if source.helm else "") or app.destination.namespace


def helm_options(
    app: Application,
    source: AppSource,
    *,
    app_path: Path,
    repo_root: Path,
    refs: dict[str, Path],
    settings: RenderSettings,
    values_file: Path | None,
) -> RenderOptions:
    """The `helm template` run for `source`; `values_file` is where `values`/`valuesObject` were written."""
    from wavecd.helm.render import RenderOptions
    from wavecd.helm.user_values import ValueOptions

    helm = source.helm or HelmSpec()
    sets: dict[str, str] = {}
    set_strings: dict[str, str] = {}
    for parameter in helm.parameters:
        (set_strings if parameter.force_string else sets)[parameter.name] = parameter.value
    set_files = {name: str(resolve_value_path(path, app_path, repo_root, refs)) for name, path in helm.file_parameters}
    value_files = resolve_value_files(helm, app_path, repo_root, refs)
    if values_file is not None:
        value_files.append(str(values_file))
    name = helm.release_name or app.release_name
    return RenderOptions(
        # --name-template is a template; a name without actions renders as itself, minus the parse.
        release_name=None if "{{" in name else name,
        name_template=name if "{{" in name else None,
        namespace=namespace_flag(app, source) or "default",  # helm's own default without --namespace
        kube_version=kube_version_flag(helm.kube_version or settings.kube_version) or None,
        api_versions=list(helm.api_versions or settings.api_versions),
        include_crds=not helm.skip_crds,
        skip_tests=helm.skip_tests,
        skip_schema_validation=helm.skip_schema_validation,
        values=ValueOptions(
            value_files=value_files,
            values=[f"{k}={_clean(v)}" for k, v in sets.items()],
            string_values=[f"{k}={_clean(v)}" for k, v in set_strings.items()],
            file_values=[f"{k}={_clean(v)}" for k, v in set_files.items()],
        ),
        helm_compat=settings.helm_compat,
        render_timeout=settings.timeout,
    )


def _clean(value: str) -> str:
    """`cleanSetParameters`: a value that is only `{…}`-wrapped stays as is; commas are escaped unless already."""
    if value.startswith("{") and value.endswith("}"):
        return value
    out = []
    for index, char in enumerate(value):
        if char == "," and (index == 0 or value[index - 1] != "\\"):
            out.append("\\,")
        else:
            out.append(char)
    return "".join(out)


def helm_arguments(chart: str, options: RenderOptions, namespace: str) -> list[str]:
    """The command line Argo CD's `Cmd.template` runs for `options` (after `helm`); `namespace` is
    `namespace_flag`'s answer, since `options` always holds one."""
    args = ["template", chart, "--name-template", options.name_template or options.release_name or ""]
    if namespace:
        args += ["--namespace", namespace]
    if options.kube_version:
        args += ["--kube-version", options.kube_version]
    for flag, values in (
        ("--set", options.values.values),
        ("--set-string", options.values.string_values),
        ("--set-file", options.values.file_values),
    ):
        for value in values:
            args += [flag, value]
    for path in options.values.value_files:
        args += ["--values", path]
    for version in options.api_versions:
        args += ["--api-versions", version]
    if options.include_crds:
        args.append("--include-crds")
    if options.skip_schema_validation:
        args.append("--skip-schema-validation")
    if options.skip_tests:
        args.append("--skip-tests")
    return args


def location_of(app: Application, source: AppSource) -> Location:
    return Location(
        app=app.name,
        repo=source.repo_url,
        revision=source.target_revision or None,
        file=source.chart or source.path or None,
    )
