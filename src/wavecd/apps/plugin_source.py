"""Config management plugins, run as Argo CD's sidecar plugins run (`cmpserver/plugin`).

A plugin is a `ConfigManagementPlugin` under `plugins:` in `wavecd.yaml`; none runs unless configured there
and the user allows it (`exec_policy`: the file comes from the repository, an Argo CD plugin from the
admin). Selection: `source.plugin.name` names one (its discover rule, if it has one, must still match); an
app without an explicit type takes the first plugin whose discover rule matches (`fileName` glob in the
app folder, `find.glob` under it, both walked within limits by `discover_glob`, or `find.command` printing
something, run in a temporary copy of the repository like the other commands).

A run copies the repository to a temporary folder (the sidecar gets a copy too: the plugin may write where
it likes), runs `init` then `generate` in the app's folder of the copy with a minimal environment and
Argo CD's variables — the build variables, `KUBE_VERSION`, `KUBE_API_VERSIONS`, `ARGOCD_ENV_<name>` from `plugin.env`,
`ARGOCD_APP_PARAMETERS` and `PARAM_<NAME>[_<KEY>|_<i>]` from `plugin.parameters` — within a time limit
and an output limit, and reads what `generate` prints as YAML or JSON manifests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wavecd.apps.build_env import envsubst
from wavecd.apps.discover_glob import glob_matches
from wavecd.apps.errors import AppError
from wavecd.apps.exec_policy import child_env, refuse_unless_allowed
from wavecd.apps.model import AppSource, PluginSpec
from wavecd.apps.tool_run import ToolFailed, run_tool
from wavecd.apps.yamldocs import load_objects
from wavecd.sources.config import PluginConfig

if TYPE_CHECKING:
    from wavecd.apps.helm_source import RenderSettings

__all__ = ["discover_plugin", "plugin_env", "plugin_objects", "select_plugin"]

# the controller's `--repo-server-timeout-seconds`, which bounds a sidecar's commands in Argo CD
DEFAULT_PLUGIN_TIMEOUT = 60.0
_DISCOVER_TIMEOUT = 30.0
_UNSAFE = re.compile(r"[^A-Z0-9_]")


def _copy_repository(repo_root: Path, scratch: Path, plugin: PluginConfig) -> Path:
    """A copy of the repository (without `.git`) in `scratch`, for a plugin's commands to run in.

    Argo CD sends the sidecar a tarball and unpacks it with files 0644 and folders 0755 unless the plugin
    sets `preserveFileMode` (util/io/files/tar.go): a script the repository commits executable is not
    executable to a plugin without it, here as there."""
    copy = scratch / "repo"
    shutil.copytree(repo_root, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    if not plugin.preserve_file_mode:
        for folder, _, files in os.walk(copy):
            os.chmod(folder, 0o755)
            for name in files:
                path = os.path.join(folder, name)
                if not os.path.islink(path):
                    os.chmod(path, 0o644)
    return copy


def _command_matches(plugin: PluginConfig, app_path: Path, repo_root: Path, allowed: bool) -> bool:
    """`find.command` prints something, run in a copy of the repository (never in the user's checkout)."""
    refuse_unless_allowed(allowed, f"plugin {plugin.name!r} discover.find.command", plugin.discover_command)
    with tempfile.TemporaryDirectory(prefix="wavecd-plugin-") as scratch:
        copy = _copy_repository(repo_root, Path(scratch), plugin)
        home = Path(scratch) / "home"
        home.mkdir()
        try:
            out = run_tool(
                plugin.discover_command,
                cwd=copy / app_path.relative_to(repo_root),
                env=child_env(home, {}),
                timeout=_DISCOVER_TIMEOUT,
            )
        except ToolFailed:
            return False
    return bool(out.strip())


def _matches(plugin: PluginConfig, app_path: Path, repo_root: Path, allowed: bool) -> bool:
    """The plugin's first discover rule, against the app folder; an error is no match (as in Argo CD)."""
    what = f"plugin {plugin.name!r}"
    if plugin.discover_file_name:
        return glob_matches(app_path, plugin.discover_file_name, recursive=False, timeout=_DISCOVER_TIMEOUT, what=what)
    if plugin.discover_glob:
        return glob_matches(app_path, plugin.discover_glob, recursive=True, timeout=_DISCOVER_TIMEOUT, what=what)
    if plugin.discover_command:
        return _command_matches(plugin, app_path, repo_root, allowed)
    return False


def discover_plugin(
    plugins: tuple[PluginConfig, ...], app_path: Path, repo_root: Path, allowed: bool
) -> PluginConfig | None:
    """The first configured plugin whose discover rule matches the app folder; a rule that runs a command
    raises the refusal unless `allowed`."""
    return next((p for p in plugins if p.has_discovery and _matches(p, app_path, repo_root, allowed)), None)


def select_plugin(
    plugins: tuple[PluginConfig, ...], spec: PluginSpec | None, app_path: Path, repo_root: Path, allowed: bool
) -> PluginConfig:
    """The plugin a source runs (see the module doc); raises Argo CD's error when none fits, and the
    refusal when one fits but the user has not allowed plugins."""
    plugin = _select(plugins, spec, app_path, repo_root, allowed)
    refuse_unless_allowed(allowed, f"plugin {plugin.name!r}", plugin.generate)
    return plugin


def _select(
    plugins: tuple[PluginConfig, ...], spec: PluginSpec | None, app_path: Path, repo_root: Path, allowed: bool
) -> PluginConfig:
    name = spec.name if spec else ""
    if not name:
        found = discover_plugin(plugins, app_path, repo_root, allowed)
        if found is None:
            configured = ", ".join(p.name for p in plugins) or "none configured under plugins: in wavecd.yaml"
            raise AppError(f"could not find plugin supporting the given repository (plugins: {configured})")
        return found
    for plugin in plugins:
        # Argo CD dials `<plugin.name>.sock`; a sidecar listens on `<name>-<version>.sock` when it has a version
        if name == (f"{plugin.name}-{plugin.version}" if plugin.version else plugin.name):
            if plugin.has_discovery and not _matches(plugin, app_path, repo_root, allowed):
                break
            return plugin
    raise AppError(f'could not find cmp-server plugin with name "{name}" supporting the given repository')


def _escaped(name: str) -> str:
    return _UNSAFE.sub("_", name.upper())


def _parameters_env(parameters: tuple[str, ...]) -> dict[str, str]:
    """`ARGOCD_APP_PARAMETERS` and `PARAM_*`, as `ApplicationSourcePluginParameters.Environ` writes them."""
    items = [json.loads(text) for text in parameters]
    ordered = [{k: item[k] for k in ("name", "string", "map", "array") if item.get(k) is not None} for item in items]
    env = {"ARGOCD_APP_PARAMETERS": json.dumps(ordered, separators=(",", ":"))}
    for item in ordered:
        base = "PARAM_" + _escaped(str(item["name"]))
        if "string" in item:
            env[base] = str(item["string"])
        for key, value in (item.get("map") or {}).items():
            env[f"{base}_{_escaped(str(key))}"] = str(value)
        for index, value in enumerate(item.get("array") or []):
            env[f"{base}_{index}"] = str(value)
    return env


def plugin_env(source: AppSource, build: dict[str, str], settings: RenderSettings) -> dict[str, str]:
    """Argo CD's variables for the plugin's commands (added to the minimal environment of `child_env`)."""
    env = dict(build)
    env["KUBE_VERSION"] = settings.kube_version.lstrip("v").split("+")[0]
    env["KUBE_API_VERSIONS"] = ",".join(settings.api_versions)
    spec = source.plugin or PluginSpec()
    for name, value in spec.env:
        env[f"ARGOCD_ENV_{name}"] = envsubst(value, build)
    env.update(_parameters_env(spec.parameters))
    return env


def plugin_objects(
    plugin: PluginConfig,
    source: AppSource,
    app_path: Path,
    repo_root: Path,
    build: dict[str, str],
    settings: RenderSettings,
) -> list[dict[str, Any]]:
    """What the plugin's `generate` prints, as objects; raises AppError with the plugin's stderr."""
    refuse_unless_allowed(settings.allow_exec, f"plugin {plugin.name!r}", plugin.generate)
    timeout = plugin.timeout or DEFAULT_PLUGIN_TIMEOUT
    with tempfile.TemporaryDirectory(prefix="wavecd-plugin-") as scratch:
        copy = _copy_repository(repo_root, Path(scratch), plugin)
        home = Path(scratch) / "home"
        home.mkdir()
        env = child_env(home, plugin_env(source, build, settings))
        folder = copy / app_path.relative_to(repo_root)
        try:
            if plugin.init:
                run_tool(plugin.init, cwd=folder, env=env, timeout=timeout, hide=copy)
            text = run_tool(plugin.generate, cwd=folder, env=env, timeout=timeout, hide=copy)
        except ToolFailed as err:
            err.message = f"plugin {plugin.name}: {err.message}"
            raise
    return load_objects(text, f"{source.path or '.'} (plugin {plugin.name})")
