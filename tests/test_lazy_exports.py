"""The packages that answer their re-exported names on first use (`wavecd.core.lazy_exports`) answer each one
with the object its home module defines, and nothing else."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

LAZY_PACKAGES = ["wavecd.core", "wavecd.common", "wavecd.goyaml", "wavecd.semver"]


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_exported_name_is_the_object_a_submodule_defines(package):
    # in a new interpreter, so that no earlier import has filled the package's namespace already
    script = (
        "import importlib, sys\n"
        f"p = importlib.import_module({package!r})\n"
        "for name in p.__all__:\n"
        "    value = getattr(p, name)\n"
        "    homes = [m for m in list(sys.modules) if m.startswith(p.__name__ + '.')\n"
        "             and vars(sys.modules[m]).get(name, object()) is value]\n"
        "    print(name, bool(homes))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [f"{name} True" for name in importlib.import_module(package).__all__]


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_a_name_the_package_does_not_export_is_an_attribute_error(package):
    with pytest.raises(AttributeError, match="has no attribute 'not_exported'"):
        _ = importlib.import_module(package).not_exported


def test_a_submodule_is_still_imported_by_name():
    from wavecd.core import goquote

    assert goquote.quote("a") == '"a"'
