"""A repository's own wavecd.yaml cannot make `wavecd tree` (or any command that renders) run a program:
the plugin it defines runs only with the user's `--allow-exec` or `WAVECD_ALLOW_EXEC=1`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from support.gitops import Child, config_map, write_repo
from wavecd.cli.main import main


def repo_with_plugin(tmp_path: Path) -> tuple[Path, Path]:
    """A one-app repository whose wavecd.yaml adds a plugin that leaves `marker` behind when it runs."""
    repo = write_repo(tmp_path / "repo", [Child("web", [config_map("settings")])])
    marker = tmp_path / "plugin-ran"
    config = yaml.safe_load((repo / "wavecd.yaml").read_text())
    generate = f"touch {marker}; printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {{name: generated}}\\n'"
    config["plugins"] = [
        {
            "metadata": {"name": "pr-plugin"},
            "spec": {"generate": {"command": ["sh", "-c", generate]}, "discover": {"fileName": "all.yaml"}},
        }
    ]
    (repo / "wavecd.yaml").write_text(yaml.safe_dump(config))
    return repo, marker


def tree(repo: Path, *flags: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(main, ["tree", str(repo / "root.yaml"), "--no-cache", "-o", "json", *flags])


def errors(result: Result) -> dict[str, str]:
    return {node["name"]: node["error"] for node in json.loads(result.stdout) if node.get("error")}


def test_a_plugin_from_the_repository_does_not_run_without_permission(tmp_path):
    repo, marker = repo_with_plugin(tmp_path)
    result = tree(repo, env={"WAVECD_ALLOW_EXEC": ""})
    assert result.exit_code == 1
    message = errors(result)["web"]
    assert "plugin 'pr-plugin'" in message
    assert "pass --allow-exec or set WAVECD_ALLOW_EXEC=1" in message
    assert not marker.exists()


def test_the_flag_or_the_variable_allows_it(tmp_path):
    repo, marker = repo_with_plugin(tmp_path)
    for flags, env in ((("--allow-exec",), {"WAVECD_ALLOW_EXEC": ""}), ((), {"WAVECD_ALLOW_EXEC": "1"})):
        marker.unlink(missing_ok=True)
        result = tree(repo, *flags, env=env)
        assert result.exit_code == 0, result.output
        assert errors(result) == {}
        assert marker.exists()
