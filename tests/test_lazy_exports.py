"""The packages that answer their re-exported names on first use (`wavecd.core.lazy_exports`) answer each one
with the object its home module defines, and nothing else."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

LAZY_PACKAGES = ["wavecd.core", "wavecd.common", "wavecd.goyaml", "wavecd.semver"]


def _fresh(script: str) -> str:
    """What `script` prints in a new interpreter, where no earlier import has filled a package's namespace."""
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout


def _homes(package: str) -> dict[str, str]:
    """Each name the package's `if TYPE_CHECKING:` block imports, and the module it names as its home."""
    source = Path(importlib.import_module(package).__file__).read_text(encoding="utf-8")
    block = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    )
    return {alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom) for alias in node.names}


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_exported_name_is_the_object_its_declared_home_defines(package):
    homes = _homes(package)
    assert sorted(homes) == sorted(importlib.import_module(package).__all__)
    script = (
        "import importlib, json\n"
        f"p = importlib.import_module({package!r})\n"
        f"homes = {homes!r}\n"
        "print(json.dumps({name: getattr(p, name) is getattr(importlib.import_module(home), name)\n"
        "                  for name, home in homes.items()}))\n"
    )
    assert json.loads(_fresh(script)) == dict.fromkeys(homes, True)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_a_name_the_package_does_not_export_is_an_attribute_error(package):
    with pytest.raises(AttributeError, match="has no attribute 'not_exported'"):
        _ = importlib.import_module(package).not_exported


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_dir_lists_the_exported_names_before_any_is_used(package):
    script = f"import importlib, json\nprint(json.dumps(dir(importlib.import_module({package!r}))))\n"
    assert set(importlib.import_module(package).__all__) <= set(json.loads(_fresh(script)))


def test_a_submodule_is_still_imported_by_name():
    from wavecd.core import goquote

    assert goquote.quote("a") == '"a"'


def test_a_submodule_named_annotations_is_that_module_in_a_new_interpreter():
    script = "from wavecd.common import annotations\nprint(annotations.SYNC_WAVE)\n"
    assert _fresh(script) == "argocd.argoproj.io/sync-wave\n"
