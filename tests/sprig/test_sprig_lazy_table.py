"""The Sprig table is lazy: every name is there from the start, each module loads on its first call, and a
render imports only the modules its templates use."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wavecd.gotemplate import TemplateParseError, TemplateSet
from wavecd.sprig import MODULES, sprig_functions

ROOT = Path(__file__).resolve().parents[2]
JAVA_SERVICE = ROOT / "examples/staging/common-charts/apps/java-service"


def test_the_table_names_exactly_the_functions_of_the_modules() -> None:
    """The index of names agrees with each module's own FUNCS (plus semver's two), and each resolves."""
    defined = {f.name: f for module in MODULES for f in importlib.import_module(f"wavecd.sprig.{module}").FUNCS}
    table = sprig_functions()
    assert set(table) == set(defined) | {"semver", "semverCompare"}
    for name, f in defined.items():
        assert table[name] is f


def test_a_set_calls_a_function_that_loads_on_first_use_and_sprig_slice_shadows_the_builtin() -> None:
    ts = TemplateSet(sprig_functions())
    ts.parse("t", '{{ "a,b" | splitList "," | join "+" }} {{ slice (list 1 2 3) 1 }} {{ semverCompare ">1" "2.0.0" }}')
    assert ts.execute("t", None) == "a+b [2 3] true"


def test_an_unknown_function_keeps_gos_message() -> None:
    ts = TemplateSet(sprig_functions())
    with pytest.raises(TemplateParseError, match='template: t:1: function "nosuch" not defined'):
        ts.parse("t", "{{ nosuch 1 }}")


def test_a_filled_cache_render_imports_only_the_sprig_modules_its_chart_calls(tmp_path: Path) -> None:
    """java-service calls string, default and list functions: no crypto, dates, regex, numeric or URL
    module is imported by a render from a filled template cache (nor by the first one)."""
    chart = tmp_path / "java-service"
    shutil.copytree(JAVA_SERVICE, chart)
    probe = (
        "import json, sys\n"
        "from wavecd.cli.helm_flags import parse_template_args\n"
        "from wavecd.cli.helm_template import run_template\n"
        "run_template(**parse_template_args(['release', 'java-service', '--namespace', 'bench']))\n"
        "sys.stderr.write(json.dumps(sorted(m for m in sys.modules if m.startswith('wavecd.sprig.'))))\n"
    )
    env = dict(os.environ, WAVECD_CACHE_DIR=str(tmp_path / "cache"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    for _ in range(2):  # the first render fills the cache, the second reads it
        done = subprocess.run(
            [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
        )
        assert b"kind: Deployment" in done.stdout.encode()
        loaded = {m.removeprefix("wavecd.sprig.") for m in json.loads(done.stderr.splitlines()[-1])}
        assert {"strings", "defaults", "lists"} <= loaded
        assert not loaded & {"crypto", "dates", "regex", "numeric", "urls", "encoding", "randoms", "semverfuncs"}
