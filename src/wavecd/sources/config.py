"""`wavecd.yaml`: where a GitOps repository's sources are found offline, and the render defaults.

It lives in `sources` because most of it says where repositories and charts are; the clusters and
render defaults ride along so that every command reads one file.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wavecd.common import DEFAULT_KUBE_VERSION
from wavecd.core import Location, UserInputError
from wavecd.core.durations import parse_positive_duration

CONFIG_NAME = "wavecd.yaml"


@dataclass(frozen=True)
class RepositoryMapping:
    """A git repository URL served from a local folder (read at a revision, or as the working tree).

    `revision`, when set, is read whatever an Application's `targetRevision` says: `wavecd diff` pins the
    repository ROOT lives in to one side's commit this way. It is not a key of `wavecd.yaml`."""

    url: str
    path: Path
    worktree: bool = False
    revision: str | None = None


@dataclass(frozen=True)
class RegistryMirror:
    """Charts under a `repoURL` prefix (OCI host/path or an https Helm repository) served from elsewhere:
    a local folder (`mirror`) or another registry (`url`). `username`/`password` are the basic
    credentials for `url` when set, else for the prefix's own registry; `plain_http` reaches an OCI
    registry over HTTP instead of HTTPS (a loopback test registry, say). `name` is what a chart dependency's
    `repository: "@name"` (or `alias:name`) refers to, as the name of an Argo CD repository."""

    registry: str
    mirror: Path | None = None
    url: str | None = None
    username: str | None = None
    password: str | None = None
    plain_http: bool = False
    name: str | None = None


@dataclass(frozen=True)
class ClusterConfig:
    name: str
    server: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderDefaults:
    """The `render:` section as written. Which `helmCompat` names exist is `helm`'s knowledge, which
    `sources` stands beside, not above: `apps` checks the name when it loads the config for a tree."""

    helm_compat: str = "v4"
    kube_version: str = DEFAULT_KUBE_VERSION
    api_versions: tuple[str, ...] = ()
    timeout: float | None = None  # seconds a chart's templates may run; None: Helm's render default


@dataclass(frozen=True)
class KustomizeSettings:
    """The `kustomize:` section: the binary Argo CD's `kustomize.path` names (empty: `kustomize` on PATH,
    else `kubectl kustomize`), its `kustomize.buildOptions`, the time limit of one run, and the binaries an
    Application's `kustomize.version` may name (argocd-cm's `kustomize.path.<version>`)."""

    path: str = ""
    build_options: str = ""
    timeout: float | None = None
    versions: tuple[tuple[str, str], ...] = ()  # (version as the Application names it, binary)


@dataclass(frozen=True)
class PluginConfig:
    """One `plugins:` entry, in the shape of Argo CD's sidecar `ConfigManagementPlugin` (`spec` keys)."""

    name: str
    version: str = ""
    init: tuple[str, ...] = ()  # command followed by args
    generate: tuple[str, ...] = ()
    discover_file_name: str = ""
    discover_glob: str = ""
    discover_command: tuple[str, ...] = ()
    timeout: float | None = None
    # the copy keeps each file's mode (a script stays executable); else files are 0644 and folders 0755
    preserve_file_mode: bool = False

    @property
    def has_discovery(self) -> bool:
        return bool(self.discover_file_name or self.discover_glob or self.discover_command)


# Argo CD's `webhook.maxPayloadSizeMB` default (argocd-cm).
DEFAULT_WEBHOOK_MAX_PAYLOAD_MB = 50


@dataclass(frozen=True)
class WebhookSettings:
    """The `webhook:` section: what `wavecd serve` checks a git push webhook against.

    An empty secret means that provider's webhooks are accepted unsigned, as Argo CD accepts them when its
    `webhook.<provider>.secret` is unset. The secrets stay out of `repr` so that they never reach a log
    or a traceback.
    """

    github_secret: str = field(default="", repr=False)
    gitlab_secret: str = field(default="", repr=False)
    gogs_secret: str = field(default="", repr=False)  # Gogs and Gitea (both send Gogs' headers)
    bitbucket_uuid: str = field(default="", repr=False)
    bitbucket_server_secret: str = field(default="", repr=False)
    max_payload_size_mb: int = DEFAULT_WEBHOOK_MAX_PAYLOAD_MB
    # (field, environment variable) for the secrets given as `…Env`: read only by `resolved()`, when
    # `wavecd serve` starts, so that `wavecd tree` and `sync` on the same repository need none of them.
    from_env: tuple[tuple[str, str, str], ...] = ()  # (field, variable, the key in wavecd.yaml)
    path: Path | None = field(default=None, compare=False)

    def resolved(self) -> WebhookSettings:
        """The settings with every `…Env` secret read from the environment; an unset or empty variable is a
        UserInputError naming wavecd.yaml and the key."""
        values: dict[str, Any] = {}
        for name, variable, key in self.from_env:
            value = os.environ.get(variable)
            if not value:
                state = "is not set" if value is None else "is empty"
                raise UserInputError(
                    f"{self.path}: {key}: environment variable {variable} {state}",
                    location=Location(file=str(self.path)),
                )
            values[name] = value
        return dataclasses.replace(self, from_env=(), **values)


LINT_LEVELS = ("error", "warning", "note")


@dataclass(frozen=True)
class LintEntry:
    """One rule named in the `lint:` section (an ID or a slug, as written) and the line it is on, so that
    `wavecd lint`, which knows the rules, can name the line of one it does not know. `value` is the level
    of a `severity:` entry and "true"/"false" for a `policy:` toggle."""

    rule: str
    line: int | None
    value: str = ""


@dataclass(frozen=True)
class LintSettings:
    """The `lint:` section: rules turned off, severities changed, and the policy rules' toggles
    (`policy.enabled` for the whole group, then per rule). Checked for shape here; rule names by `lint`."""

    disable: tuple[LintEntry, ...] = ()
    severity: tuple[LintEntry, ...] = ()
    policy_enabled: bool = True
    policy: tuple[LintEntry, ...] = ()
    path: Path | None = None


@dataclass(frozen=True)
class WavecdConfig:
    path: Path | None = None
    root: Path | None = None
    repositories: tuple[RepositoryMapping, ...] = ()
    registries: tuple[RegistryMirror, ...] = ()
    clusters: tuple[ClusterConfig, ...] = ()
    render: RenderDefaults = RenderDefaults()
    webhook: WebhookSettings = WebhookSettings()
    kustomize: KustomizeSettings = KustomizeSettings()
    plugins: tuple[PluginConfig, ...] = ()
    lint: LintSettings = LintSettings()


def find_config(start: Path) -> Path | None:
    """`wavecd.yaml` in `start` (a folder, or a file's folder) or the nearest parent holding one."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate / CONFIG_NAME
    return None


def _expect(value: Any, kind: type, where: str, path: Path) -> Any:
    if not isinstance(value, kind):
        raise UserInputError(
            f"{path}: {where} must be a {'list' if kind is list else 'mapping' if kind is dict else kind.__name__}",
            location=Location(file=str(path)),
        )
    return value


def _duration(value: Any, where: str, path: Path) -> float | None:
    """A positive Go duration (`90s`, `3m`), or None when the key is absent."""
    if value is None:
        return None
    try:
        return parse_positive_duration(str(value))
    except ValueError as err:
        raise UserInputError(f"{path}: {where}: {err}", location=Location(file=str(path))) from None


def _reject_unknown(data: dict[str, Any], known: tuple[str, ...], where: str, path: Path) -> None:
    """A misspelt key under `webhook:` would silently leave a webhook unverified, so it is an error."""
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        raise UserInputError(
            f"{path}: {where}: unknown key {unknown[0]!r} (expected one of {', '.join(known)})",
            location=Location(file=str(path)),
        )


def _webhook_secret(webhook: dict[str, Any], provider: str, key: str, path: Path) -> str | tuple[str, str]:
    """`provider: {key: VALUE}` (VALUE) or `{keyEnv: NAME}` ((NAME, its key), read when `wavecd serve` starts);
    absent: "" (no check)."""
    where = f"webhook.{provider}"
    section = _expect(webhook.get(provider) or {}, dict, where, path)
    env_key = f"{key}Env"
    _reject_unknown(section, (key, env_key), where, path)
    if key in section and env_key in section:
        raise UserInputError(f"{path}: {where}: give {key} or {env_key}, not both", location=Location(file=str(path)))
    if env_key in section:
        name = section[env_key]
        if not isinstance(name, str) or not name:
            raise UserInputError(
                f"{path}: {where}.{env_key} must be the name of an environment variable",
                location=Location(file=str(path)),
            )
        return (name, f"{where}.{env_key}")
    value = section.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UserInputError(f"{path}: {where}.{key} must be a string", location=Location(file=str(path)))
    return value


_WEBHOOK_KEYS = ("github", "gitlab", "gitea", "bitbucket", "bitbucketServer", "maxPayloadSizeMB")


def _webhook(data: Any, path: Path) -> WebhookSettings:
    section = _expect(data or {}, dict, "webhook", path)
    _reject_unknown(section, _WEBHOOK_KEYS, "webhook", path)
    max_mb = section.get("maxPayloadSizeMB", DEFAULT_WEBHOOK_MAX_PAYLOAD_MB)
    if isinstance(max_mb, bool) or not isinstance(max_mb, int) or max_mb <= 0:
        raise UserInputError(
            f"{path}: webhook.maxPayloadSizeMB must be a positive whole number of megabytes",
            location=Location(file=str(path)),
        )
    given = {
        "github_secret": _webhook_secret(section, "github", "secret", path),
        "gitlab_secret": _webhook_secret(section, "gitlab", "secret", path),
        "gogs_secret": _webhook_secret(section, "gitea", "secret", path),
        "bitbucket_uuid": _webhook_secret(section, "bitbucket", "uuid", path),
        "bitbucket_server_secret": _webhook_secret(section, "bitbucketServer", "secret", path),
    }
    literal = {name: value for name, value in given.items() if isinstance(value, str)}
    from_env = tuple((name, *value) for name, value in given.items() if isinstance(value, tuple))
    return WebhookSettings(**literal, max_payload_size_mb=max_mb, from_env=from_env, path=path)


def _fail(path: Path, message: str) -> UserInputError:
    return UserInputError(f"{path}: {message}", location=Location(file=str(path)))


def _kustomize(data: Any, path: Path) -> KustomizeSettings:
    section = _expect(data or {}, dict, "kustomize", path)
    _reject_unknown(section, ("path", "buildOptions", "timeout", "versions"), "kustomize", path)
    for key in ("path", "buildOptions"):
        if not isinstance(section.get(key, ""), str):
            raise _fail(path, f"kustomize.{key} must be a string")
    versions = _expect(section.get("versions") or {}, dict, "kustomize.versions", path)
    for version, binary in versions.items():
        if not isinstance(version, str):  # YAML read `5.10` as the number 5.1: the version is already lost
            raise _fail(path, f"kustomize.versions: the version {version!r} must be quoted, as a string")
        if not isinstance(binary, str) or not binary:
            raise _fail(path, f"kustomize.versions.{version} must be the path of a kustomize binary")
    return KustomizeSettings(
        _binary(section.get("path", ""), path),
        section.get("buildOptions", ""),
        _duration(section.get("timeout"), "kustomize.timeout", path),
        tuple((str(version), _binary(binary, path)) for version, binary in versions.items()),
    )


def _binary(text: str, path: Path) -> str:
    """A program named in wavecd.yaml: a path with a `/` is relative to wavecd.yaml's folder, a bare name is
    looked up on PATH when it runs."""
    return str((path.parent / text).resolve()) if text and "/" in text and not os.path.isabs(text) else text


def _command(data: Any, where: str, path: Path) -> tuple[str, ...]:
    """A `{command: [...], args: [...]}` block as one argv (empty when absent)."""
    if data is None:
        return ()
    block = _expect(data, dict, where, path)
    parts: list[str] = []
    for key in ("command", "args"):
        value = block.get(key) or []
        if not isinstance(value, list) or not all(isinstance(item, (str, int, float)) for item in value):
            raise _fail(path, f"{where}.{key} must be a list of strings")
        parts.extend(str(item) for item in value)
    return tuple(parts)


def _plugin(item: Any, index: int, path: Path) -> PluginConfig:
    where = f"plugins[{index}]"
    entry = _expect(item, dict, where, path)
    name = (entry.get("metadata") or {}).get("name") if isinstance(entry.get("metadata"), dict) else None
    if not isinstance(name, str) or not name:
        raise _fail(path, f"{where}.metadata.name is required")
    spec = _expect(entry.get("spec") or {}, dict, f"{where}.spec", path)
    generate = _command(spec.get("generate"), f"{where}.spec.generate", path)
    if not generate:
        raise _fail(path, f"{where}.spec.generate.command is required")
    discover = _expect(spec.get("discover") or {}, dict, f"{where}.spec.discover", path)
    find = _expect(discover.get("find") or {}, dict, f"{where}.spec.discover.find", path)
    return PluginConfig(
        name=name,
        version=str(spec.get("version") or ""),
        init=_command(spec.get("init"), f"{where}.spec.init", path),
        generate=generate,
        discover_file_name=str(discover.get("fileName") or ""),
        discover_glob=str(find.get("glob") or ""),
        discover_command=_command(
            {k: v for k, v in find.items() if k in ("command", "args")} or None, f"{where}.spec.discover.find", path
        ),
        timeout=_duration(spec.get("timeout"), f"{where}.spec.timeout", path),
        preserve_file_mode=_expect(spec.get("preserveFileMode", False), bool, f"{where}.spec.preserveFileMode", path),
    )


def _node_line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _entries(node: yaml.Node | None) -> dict[str, yaml.Node]:
    """A mapping node's values by their (string) keys; nothing for any other node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _lint_fail(path: Path, node: yaml.Node | None, message: str) -> UserInputError:
    line = _node_line(node)
    return UserInputError(f"{path}:{line}: {message}", location=Location(file=str(path), line=line))


def _lint_rules(node: yaml.Node | None, where: str, path: Path) -> tuple[LintEntry, ...]:
    if not isinstance(node, yaml.SequenceNode) or not all(isinstance(n, yaml.ScalarNode) for n in node.value):
        raise _lint_fail(path, node, f"{where} must be a list of rule IDs or slugs")
    return tuple(LintEntry(str(item.value), _node_line(item)) for item in node.value)


def _lint(node: yaml.Node | None, path: Path) -> LintSettings:
    """`lint:` read from the composed document, so that every entry keeps its line."""
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
        return LintSettings(path=path)
    if not isinstance(node, yaml.MappingNode):
        raise _lint_fail(path, node, "lint must be a mapping")
    section = _entries(node)
    for key, value in section.items():
        if key not in ("disable", "severity", "policy"):
            raise _lint_fail(path, value, f"lint: unknown key {key!r} (expected one of disable, severity, policy)")
    disable = _lint_rules(section["disable"], "lint.disable", path) if "disable" in section else ()
    severity = []
    if "severity" in section and not isinstance(section["severity"], yaml.MappingNode):
        raise _lint_fail(path, section["severity"], "lint.severity must be a mapping of rule to level")
    for rule, level in _entries(section.get("severity")).items():
        if not isinstance(level, yaml.ScalarNode) or level.value not in LINT_LEVELS:
            raise _lint_fail(path, level, f"lint.severity.{rule} must be one of {', '.join(LINT_LEVELS)}")
        severity.append(LintEntry(rule, _node_line(level), str(level.value)))
    if "policy" in section and not isinstance(section["policy"], yaml.MappingNode):
        raise _lint_fail(path, section["policy"], "lint.policy must be a mapping (enabled, or a rule: true/false)")
    enabled, toggles = True, []
    for rule, value in _entries(section.get("policy")).items():
        if not isinstance(value, yaml.ScalarNode) or value.value not in ("true", "false"):
            raise _lint_fail(path, value, f"lint.policy.{rule} must be true or false")
        if rule == "enabled":
            enabled = value.value == "true"
        else:
            toggles.append(LintEntry(rule, _node_line(value), str(value.value)))
    return LintSettings(tuple(disable), tuple(severity), enabled, tuple(toggles), path)


def load_config(path: Path) -> WavecdConfig:
    """Read and check a `wavecd.yaml`; paths in it are relative to its folder."""
    try:
        text = path.read_text()
        data = yaml.load(text, Loader=yaml.CSafeLoader) or {}
        lint_node = _entries(yaml.compose(text, Loader=yaml.CSafeLoader)).get("lint") if "lint" in data else None
    except OSError as err:
        raise UserInputError(f"cannot read {path}: {err.strerror}", location=Location(file=str(path))) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(err, "problem", err)
        raise UserInputError(
            f"{path}:{line}: not valid YAML: {problem}", location=Location(file=str(path), line=line)
        ) from None
    _expect(data, dict, "the top level", path)
    base = path.parent
    repositories = tuple(
        RepositoryMapping(
            url=str(_expect(item, dict, "each repositories entry", path).get("url", "")),
            path=(base / str(item.get("path", "."))).resolve(),
            worktree=bool(item.get("worktree", False)),
        )
        for item in _expect(data.get("repositories") or [], list, "repositories", path)
    )
    registries = tuple(
        RegistryMirror(
            registry=str(_expect(item, dict, "each registries entry", path).get("registry", "")),
            mirror=(base / str(item["mirror"])).resolve() if item.get("mirror") else None,
            url=item.get("url"),
            username=item.get("username"),
            password=item.get("password"),
            plain_http=bool(item.get("plainHTTP", False)),
            name=str(item["name"]) if item.get("name") else None,
        )
        for item in _expect(data.get("registries") or [], list, "registries", path)
    )
    clusters = tuple(
        ClusterConfig(
            name=str(_expect(item, dict, "each clusters entry", path).get("name", "")),
            server=str(item.get("server", "")),
            labels=dict(item.get("labels") or {}),
            annotations=dict(item.get("annotations") or {}),
        )
        for item in _expect(data.get("clusters") or [], list, "clusters", path)
    )
    render_data = _expect(data.get("render") or {}, dict, "render", path)
    render = RenderDefaults(
        helm_compat=str(render_data.get("helmCompat", "v4")),
        kube_version=str(render_data.get("kubeVersion", DEFAULT_KUBE_VERSION)),
        api_versions=tuple(render_data.get("apiVersions") or ()),
        timeout=_duration(render_data.get("timeout"), "render.timeout", path),
    )
    root = (base / str(data["root"])).resolve() if data.get("root") else None
    plugins = tuple(
        _plugin(item, i, path) for i, item in enumerate(_expect(data.get("plugins") or [], list, "plugins", path))
    )
    return WavecdConfig(
        path,
        root,
        repositories,
        registries,
        clusters,
        render,
        _webhook(data.get("webhook"), path),
        _kustomize(data.get("kustomize"), path),
        plugins,
        _lint(lint_node, path),
    )
