"""Config management plugins of wavecd.yaml, run as Argo CD's sidecar plugins run: discovery, Argo CD's
environment (build variables, ARGOCD_ENV_*, PARAM_*), a temporary copy, a time limit, stderr on failure."""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from apps_support import FolderResolver

from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.model import parse_application
from wavecd.apps.render_app import resolve_app, run_job
from wavecd.core import UserInputError, WavecdError
from wavecd.sources.config import load_config

REPO = Path(__file__).resolve().parent / "data" / "plugin" / "repo"

# prints one ConfigMap whose data is the environment the plugin saw (and writes a file: in the copy only)
GENERATE = r"""
touch generated-by-plugin
cat <<DOC
apiVersion: v1
kind: ConfigMap
metadata:
  name: from-plugin
data:
  app: "$ARGOCD_APP_NAME"
  namespace: "$ARGOCD_APP_NAMESPACE"
  revision: "$ARGOCD_APP_REVISION"
  path: "$ARGOCD_APP_SOURCE_PATH"
  repo: "$ARGOCD_APP_SOURCE_REPO_URL"
  kube: "$KUBE_VERSION"
  env-foo: "$ARGOCD_ENV_FOO"
  param-size: "$PARAM_SIZE"
  param-map: "$PARAM_OPTS_DEBUG_MODE"
  param-array: "$PARAM_LIST_1"
  parameters: '$ARGOCD_APP_PARAMETERS'
  init-ran: "$(cat init-marker 2>/dev/null)"
  values-file: "$(cat values.plugin)"
DOC
"""


def config(tmp_path: Path, generate: str = GENERATE) -> RenderSettings:
    """A wavecd.yaml with the plugin `shell` (discovered by a `*.plugin` file), loaded as wavecd loads it."""
    path = tmp_path / "wavecd.yaml"
    path.write_text(
        textwrap.dedent(f"""\
            plugins:
              - apiVersion: argoproj.io/v1alpha1
                kind: ConfigManagementPlugin
                metadata: {{name: shell}}
                spec:
                  version: v1
                  init: {{command: [sh, -c], args: ["echo init-output; echo yes > init-marker"]}}
                  generate: {{command: [sh, -c], args: [{json.dumps(generate)}]}}
                  discover: {{fileName: "*.plugin"}}
                  timeout: 5s
            """)
    )
    return RenderSettings(kube_version="v1.31.4", plugins=load_config(path).plugins, allow_exec=True)


def app(path: str, plugin: dict | None = None) -> dict:
    source: dict = {"repoURL": "https://example.com/p.git", "targetRevision": "main", "path": path}
    if plugin is not None:
        source["plugin"] = plugin
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "pl", "namespace": "argocd"},
        "spec": {"project": "default", "source": source, "destination": {"namespace": "demo"}},
    }


def render(obj: dict, settings: RenderSettings):
    job = resolve_app(parse_application(obj), FolderResolver(REPO), settings)
    return job, run_job(job)


def digest(root: Path) -> str:
    return hashlib.sha256(
        b"".join(p.read_bytes() + str(p).encode() for p in sorted(root.rglob("*")) if p.is_file())
    ).hexdigest()


PARAMETERS = [
    {"name": "size", "string": "large"},
    {"name": "opts", "map": {"debug-mode": "on"}},
    {"name": "list", "array": ["a", "b"]},
]


def test_a_named_plugin_runs_with_argo_cds_environment_in_a_copy(tmp_path):
    before = digest(REPO)
    job, output = render(
        app(
            "app",
            {
                "name": "shell-v1",
                "env": [{"name": "FOO", "value": "bar-$ARGOCD_APP_NAMESPACE"}],
                "parameters": PARAMETERS,
            },
        ),
        config(tmp_path),
    )
    assert output.error is None, output.error
    assert job.sources[0].label == "plugin"
    [cm] = output.objects
    assert cm["data"] == {
        "app": "pl",
        "namespace": "demo",
        "revision": "sha-of-main",
        "path": "app",
        "repo": "https://example.com/p.git",
        "kube": "1.31.4",
        "env-foo": "bar-demo",
        "param-size": "large",
        "param-map": "on",
        "param-array": "b",
        "parameters": json.dumps(PARAMETERS, separators=(",", ":")),
        "init-ran": "yes",
        "values-file": "greeting: hello",
    }
    assert digest(REPO) == before  # init and generate wrote into the copy, not the repository


def test_discovery_picks_the_plugin_for_an_app_without_a_type(tmp_path):
    job, output = render(app("app"), config(tmp_path))
    assert job.sources[0].tool == "shell"
    assert output.objects[0]["metadata"]["name"] == "from-plugin"
    other, _ = render(app("other"), config(tmp_path))  # no *.plugin file there: a plain folder
    assert other.sources[0].kind == "directory"


def test_a_named_plugin_whose_discovery_does_not_match_is_argo_cds_error(tmp_path):
    with pytest.raises(WavecdError, match='could not find cmp-server plugin with name "shell-v1" supporting the given'):
        render(app("other", {"name": "shell-v1"}), config(tmp_path))


def test_a_plugin_with_a_version_is_named_with_its_version_as_in_argo_cd(tmp_path):
    """Argo CD's sidecar listens on `<name>-<version>.sock` and a named app dials `<plugin.name>.sock`: an app
    naming `shell` finds no plugin `shell` of version v1 (gnunn-gitops/cluster-config names its versioned
    plugin so)."""
    with pytest.raises(WavecdError, match='could not find cmp-server plugin with name "shell" supporting the given'):
        render(app("app", {"name": "shell"}), config(tmp_path))


def test_a_failing_plugin_shows_its_stderr(tmp_path):
    _, output = render(app("app", {}), config(tmp_path, generate="echo 'values missing' >&2; exit 3"))
    assert "plugin shell:" in output.error
    assert "failed exit status 3: values missing" in output.error


def test_a_plugin_past_its_time_limit_is_stopped_and_not_cached(tmp_path):
    settings = config(tmp_path, generate="sleep 30")
    settings = replace(settings, plugins=(replace(settings.plugins[0], timeout=0.5),))
    _, output = render(app("app", {}), settings)
    assert "failed timeout after 0.5s" in output.error
    assert output.cacheable is False


def test_plugin_output_that_is_not_manifests_is_an_error(tmp_path):
    _, output = render(app("app", {}), config(tmp_path, generate="echo '- just a list'"))
    assert "failed to unmarshal manifest in app (plugin shell)" in output.error


def test_a_plugin_without_generate_is_refused(tmp_path):
    path = tmp_path / "wavecd.yaml"
    path.write_text(
        textwrap.dedent("""\
        plugins:
          - metadata: {name: broken}
            spec: {init: {command: [true]}}
        """)
    )
    with pytest.raises(WavecdError, match=r"plugins\[0\]\.spec\.generate\.command is required"):
        load_config(path)


@pytest.mark.parametrize(
    ("discover", "matches"),
    [
        ({"find": {"glob": "**/*.plugin"}}, True),
        ({"find": {"glob": "**/*.absent"}}, False),
        # Argo CD joins the glob to the app folder, which cleans it (christianh814/gitops-examples: "./main.go")
        ({"fileName": "./values.plugin"}, True),
        ({"find": {"glob": "./**/*.plugin"}}, True),
        ({"fileName": "sub/../values.plugin"}, True),
        ({"fileName": "../app/values.plugin"}, False),  # wavecd looks under the app folder only
        ({"find": {"command": ["sh", "-c"], "args": ["ls values.plugin"]}}, True),
        ({"find": {"command": ["sh", "-c"], "args": ["true"]}}, False),  # prints nothing
        ({"find": {"command": ["sh", "-c"], "args": ["exit 1"]}}, False),  # an error is no match
    ],
)
def test_discovery_by_glob_and_command(tmp_path, discover, matches):
    path = tmp_path / "wavecd.yaml"
    generate = {"command": ["sh", "-c"], "args": ["true"]}
    path.write_text(
        json.dumps({"plugins": [{"metadata": {"name": "d"}, "spec": {"generate": generate, "discover": discover}}]})
    )
    job = resolve_app(
        parse_application(app("app")),
        FolderResolver(REPO),
        RenderSettings(plugins=load_config(path).plugins, allow_exec=True),
    )
    assert (job.sources[0].kind == "plugin") is matches


def test_a_plugin_runs_only_when_the_user_allows_it(tmp_path):
    marker = tmp_path / "ran"
    settings = replace(config(tmp_path, generate=f"touch {marker}"), allow_exec=False)
    for source in (app("app"), app("app", {"name": "shell-v1"})):  # discovered, or named
        with pytest.raises(WavecdError) as caught:
            render(source, settings)
        assert "plugin 'shell'" in caught.value.message
        assert "is defined by wavecd.yaml, which the repository controls" in caught.value.message
        assert "pass --allow-exec or set WAVECD_ALLOW_EXEC=1" in caught.value.message
    assert not marker.exists()


def test_a_discovery_command_runs_only_when_allowed_and_in_a_copy(tmp_path):
    path = tmp_path / "wavecd.yaml"
    generate = {"command": ["sh", "-c"], "args": ["true"]}
    find = {"command": ["sh", "-c"], "args": ["touch DISCOVERY-WROTE-HERE; echo yes"]}
    path.write_text(
        json.dumps(
            {"plugins": [{"metadata": {"name": "d"}, "spec": {"generate": generate, "discover": {"find": find}}}]}
        )
    )
    plugins = load_config(path).plugins
    before = digest(REPO)
    with pytest.raises(WavecdError, match=r"plugin 'd' discover.find.command \(`sh -c"):
        resolve_app(parse_application(app("app")), FolderResolver(REPO), RenderSettings(plugins=plugins))
    job = resolve_app(
        parse_application(app("app")), FolderResolver(REPO), RenderSettings(plugins=plugins, allow_exec=True)
    )
    assert job.sources[0].kind == "plugin"
    assert digest(REPO) == before  # the command wrote into a copy


def test_plugin_commands_see_argo_cds_variables_but_not_wavecds_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", "s3cret")
    generate = (
        'printf "kind: ConfigMap\\napiVersion: v1\\nmetadata: {name: e}\\n'
        'data: {secret: \\"%s\\", home: \\"%s\\", app: \\"%s\\"}\\n" '
        '"$SECRET_TOKEN" "$HOME" "$ARGOCD_APP_NAME"'
    )
    _, output = render(app("app", {}), config(tmp_path, generate=generate))
    assert output.error is None, output.error
    data = output.objects[0]["data"]
    assert data["secret"] == "" and data["app"] == "pl"
    assert data["home"] and data["home"] != str(Path.home())


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ({"name": "m", "map": [1, 2]}, "plugin.parameters[0].map must be a mapping of names to strings, not list"),
        ({"name": "a", "array": "abc"}, "plugin.parameters[0].array must be a list of strings, not str"),
        ({"name": "a", "array": [{"x": 1}]}, "plugin.parameters[0].array[0] must be a string"),
        ({"name": "m", "map": {"k": ["v"]}}, "plugin.parameters[0].map.k must be a string"),
        ({"name": "s", "string": {"x": 1}}, "plugin.parameters[0].string must be a string"),
        ({"string": "v"}, "plugin.parameters[0].name is required"),
    ],
)
def test_a_plugin_parameter_of_the_wrong_shape_is_a_clear_error(parameter, message):
    with pytest.raises(WavecdError) as caught:
        parse_application(app("app", {"name": "shell", "parameters": [parameter]}))
    assert caught.value.message == message


def test_plugin_parameters_reach_the_plugin_as_strings(tmp_path):
    parameters = [
        {"name": "size", "string": 3},
        {"name": "opts", "map": {"debug-mode": 1}},
        {"name": "list", "array": [1, 2]},
    ]
    _, output = render(app("app", {"name": "shell-v1", "parameters": parameters}), config(tmp_path))
    data = output.objects[0]["data"]
    assert (data["param-size"], data["param-map"], data["param-array"]) == ("3", "1", "2")
    assert json.loads(data["parameters"]) == [
        {"name": "size", "string": "3"},
        {"name": "opts", "map": {"debug-mode": "1"}},
        {"name": "list", "array": ["1", "2"]},
    ]


def test_announced_parameter_defaults_do_not_reach_the_plugin(tmp_path):
    """Argo CD hands `parameters.static` only to the UI's app details; `generate` sees the Application's own
    `plugin.parameters`, so an announced default is no PARAM_* (cmpserver `getParametersAnnouncement`)."""
    path = tmp_path / "wavecd.yaml"
    generate = {"command": ["sh", "-c"], "args": [GENERATE]}
    static = [
        {"name": "size", "string": "large"},
        {"name": "opts", "map": {"debug-mode": "on"}, "collectionType": "map"},
    ]
    spec = {"version": "v1", "generate": generate, "parameters": {"static": static, "dynamic": {"command": ["false"]}}}
    path.write_text(json.dumps({"plugins": [{"metadata": {"name": "shell"}, "spec": spec}]}))
    settings = RenderSettings(plugins=load_config(path).plugins, allow_exec=True)
    _, output = render(app("app", {"name": "shell-v1"}), settings)
    data = output.objects[0]["data"]
    assert (data["param-size"], data["param-map"]) == ("", "")


def glob_plugin(tmp_path: Path, discover: dict) -> RenderSettings:
    path = tmp_path / "wavecd.yaml"
    spec = {"generate": {"command": ["true"]}, "discover": discover}
    path.write_text(json.dumps({"plugins": [{"metadata": {"name": "g"}, "spec": spec}]}))
    return RenderSettings(plugins=load_config(path).plugins, allow_exec=True)


def loop_repo(tmp_path: Path) -> Path:
    """An app folder with three links to itself (inside the repository, so allowed) and one manifest."""
    repo = tmp_path / "repo"
    (repo / "app" / "deep").mkdir(parents=True)
    (repo / "app" / "c.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (repo / "app" / "deep" / "x.plugin").write_text("")
    for name in "abc":
        (repo / "app" / name).symlink_to(".")
    return repo


@pytest.mark.parametrize(
    ("discover", "kind"),
    [
        ({"find": {"glob": "**/*.nomatch"}}, "directory"),  # the links are listed, never followed
        ({"find": {"glob": "**/*.plugin"}}, "plugin"),
        ({"find": {"glob": "**/c.yaml"}}, "plugin"),  # `**/` is also no folder at all
        ({"find": {"glob": "/deep/x.plugin"}}, "plugin"),
        ({"fileName": "*.plugin"}, "directory"),  # fileName: the app folder only
        ({"fileName": "c.y?ml"}, "plugin"),
    ],
)
def test_discovery_globs_walk_a_symlink_loop_once(tmp_path, monkeypatch, discover, kind):
    monkeypatch.setattr("wavecd.apps.discover_glob.MAX_ENTRIES", 20)  # the app folder lists 5 entries, deep/ one
    repo = loop_repo(tmp_path)
    job = resolve_app(parse_application(app("app")), FolderResolver(repo), glob_plugin(tmp_path, discover))
    assert job.sources[0].kind == kind


def test_a_discovery_glob_past_the_entry_cap_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr("wavecd.apps.discover_glob.MAX_ENTRIES", 3)
    repo = loop_repo(tmp_path)
    with pytest.raises(WavecdError, match=r"plugin 'g': gave up matching '\*\*/\*\.nomatch' after 5 entries under"):
        resolve_app(
            parse_application(app("app")),
            FolderResolver(repo),
            glob_plugin(tmp_path, {"find": {"glob": "**/*.nomatch"}}),
        )


@pytest.mark.parametrize(("preserve", "runs"), [(False, False), (True, True)])
def test_a_script_the_repository_commits_executable_runs_only_with_preserve_file_mode(tmp_path, preserve, runs):
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    script = repo / "app" / "gen.sh"
    script.write_text("#!/bin/sh\nprintf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: from-script}\\n'\n")
    script.chmod(0o755)
    path = tmp_path / "wavecd.yaml"
    path.write_text(
        "plugins:\n"
        "  - metadata: {name: script}\n"
        "    spec:\n"
        "      generate: {command: [./gen.sh]}\n"
        f"      preserveFileMode: {str(preserve).lower()}\n"
    )
    settings = RenderSettings(plugins=load_config(path).plugins, allow_exec=True)
    job = resolve_app(parse_application(app("app", {"name": "script"})), FolderResolver(repo), settings)
    output = run_job(job)
    if runs:
        assert output.error is None, output.error
        assert [o["metadata"]["name"] for o in output.objects] == ["from-script"]
    else:
        # Argo CD unpacks the sidecar's copy with files 0644: the script is not executable there either
        assert output.error is not None and "permission denied" in output.error.lower()
    assert os.access(script, os.X_OK)  # the user's file keeps its mode either way


def test_preserve_file_mode_must_be_a_boolean(tmp_path):
    path = tmp_path / "wavecd.yaml"
    path.write_text(
        "plugins:\n  - metadata: {name: p}\n    spec:\n"
        "      generate: {command: [x]}\n      preserveFileMode: yes-please\n"
    )
    with pytest.raises(UserInputError, match=r"plugins\[0\]\.spec\.preserveFileMode"):
        load_config(path)
