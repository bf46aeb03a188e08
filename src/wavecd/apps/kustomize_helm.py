"""The `helm` kustomize runs for `helmCharts` (`--enable-helm`) when there is no helm on PATH: wavecd's engine.

kustomize's HelmChartInflationGenerator runs `<helm> version --short` (it needs v3 or v4), then
`<helm> template <release> <chart> [--namespace] [-f values] [--api-versions] [--kube-version]
[--include-crds] [--skip-tests] [--no-hooks]`, and `<helm> pull` for a chart that is not in its chart
home. `helm_command` writes a small script kustomize is pointed at (`--helm-command`): `version` answers
the Helm release the `render.helmCompat` mode reproduces, `template` is `wavecd helm template` in that
mode, and `pull` is refused: a chart with a `repo` is already where kustomize looks (`kustomize_charts`),
so only an entry naming no `repo` and no chart in the chart home gets there.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

__all__ = ["helm_command"]

# the Helm release each render.helmCompat mode reproduces (docs/helm-template.md)
_RELEASES = {"v3": "v3.17.2", "v4": "v4.1.4", "v4.2": "v4.2.2"}


def _wavecd() -> str | None:
    beside = Path(sys.executable).parent / "wavecd"
    return str(beside) if beside.is_file() else shutil.which("wavecd")


def helm_command(folder: Path, helm_compat: str) -> Path | None:
    """A `helm` for kustomize in `folder`, or None when the `wavecd` command cannot be found."""
    wavecd = _wavecd()
    if wavecd is None:
        return None
    script = folder / "helm"
    template = f"{shlex.quote(wavecd)} helm template --helm-compat {shlex.quote(helm_compat)}"
    script.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        f"  version) echo {shlex.quote(_RELEASES.get(helm_compat, 'v4.1.4'))} ;;\n"
        f'  template) shift; exec {template} "$@" ;;\n'
        "  pull) echo 'Error: wavecd renders offline and does not pull charts for kustomize: put the chart in the"
        " charts/ folder of the kustomization (helmGlobals.chartHome)' >&2; exit 1 ;;\n"
        '  *) echo "Error: wavecd\'s helm for kustomize has no command $1" >&2; exit 1 ;;\n'
        "esac\n",
        encoding="utf-8",
    )
    script.chmod(0o700)
    return script
