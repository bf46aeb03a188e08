"""Decoded values files, Chart.yaml and manifest heads are kept across processes by `wavecd helm template`: a
render from a filled cache prints the same manifests without importing PyYAML, and a damaged entry is only a
miss. A tree render, which imports PyYAML anyway, keeps none."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from support.paths import wavecd_command

ROOT = Path(__file__).resolve().parents[2]
JAVA_SERVICE = ROOT / "examples/staging/common-charts/apps/java-service"
PROBE = (
    "import json, sys\n"
    "from wavecd.cli.helm_flags import parse_template_args\n"
    "from wavecd.cli.helm_template import run_template\n"
    "run_template(**parse_template_args(['release', 'java-service', '--namespace', 'bench']))\n"
    "sys.stderr.write(json.dumps(sorted(m for m in sys.modules if m == 'yaml' or m.startswith('yaml.'))))\n"
)


def _render(chart_parent: Path, cache: Path) -> tuple[str, list[str]]:
    env = dict(os.environ, WAVECD_CACHE_DIR=str(cache), XDG_CACHE_HOME=str(cache))
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=chart_parent, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout, json.loads(done.stderr.splitlines()[-1])


def test_a_render_from_a_filled_cache_does_not_import_pyyaml(tmp_path: Path) -> None:
    shutil.copytree(JAVA_SERVICE, tmp_path / "java-service")
    first, first_modules = _render(tmp_path, tmp_path / "cache")
    second, second_modules = _render(tmp_path, tmp_path / "cache")
    assert "yaml" in first_modules  # the first render parses the chart's YAML
    assert second_modules == []
    assert second == first
    assert "kind: Deployment" in second


def test_a_damaged_or_changed_entry_is_decoded_again(tmp_path: Path) -> None:
    shutil.copytree(JAVA_SERVICE, tmp_path / "java-service")
    first, _ = _render(tmp_path, tmp_path / "cache")
    for entry in (tmp_path / "cache/decoded").iterdir():
        entry.write_bytes(entry.read_bytes()[:-1] + b"!")
    again, modules = _render(tmp_path, tmp_path / "cache")
    assert again == first
    assert "yaml" in modules  # nothing was taken from the damaged entries
    values = tmp_path / "java-service/values.yaml"
    values.write_text(values.read_text().replace("replicaCount: 2", "replicaCount: 7"))
    changed, _ = _render(tmp_path, tmp_path / "cache")
    assert "replicas: 7" in changed


def test_a_tree_render_keeps_no_decoded_text(tmp_path: Path) -> None:
    env = dict(os.environ, WAVECD_CACHE_DIR=str(tmp_path / "cache"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    root = ROOT / "examples/staging/root-staging.yaml"
    done = subprocess.run(wavecd_command("tree", str(root), "-o", "json"), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) > 40  # the whole staging tree was rendered
    assert (tmp_path / "cache").is_dir()
    assert not (tmp_path / "cache/decoded").exists() or not any((tmp_path / "cache/decoded").iterdir())


def _values_entries(cache: Path) -> set[str]:
    """The names of the entries holding a decoded values file (those that hold its `replicaCount` key)."""
    folder = cache / "decoded"
    return {p.name for p in folder.iterdir() if not p.name.startswith(".") and b"replicaCount" in p.read_bytes()}


def test_an_entry_copied_under_another_texts_name_is_not_read_as_that_text(tmp_path: Path) -> None:
    """A seal covers the entry's name: the entry of one values file, copied (by whoever could write the folder
    before wavecd tightened it) to the name of another text's entry, is not that text's values."""
    shutil.copytree(JAVA_SERVICE, tmp_path / "java-service")
    values = tmp_path / "java-service/values.yaml"
    _render(tmp_path, tmp_path / "cache")
    replicas_two = _values_entries(tmp_path / "cache")
    values.write_text(values.read_text().replace("replicaCount: 2", "replicaCount: 7"))
    _render(tmp_path, tmp_path / "cache")
    _render(tmp_path, tmp_path / "only-seven")
    (two,) = replicas_two - _values_entries(tmp_path / "only-seven")
    (seven,) = _values_entries(tmp_path / "only-seven") - replicas_two
    shutil.copyfile(tmp_path / "cache/decoded" / two, tmp_path / "cache/decoded" / seven)
    again, _ = _render(tmp_path, tmp_path / "cache")
    assert "replicas: 7" in again
