"""Record what the REAL kustomize prints for every case of tests/apps/data/kustomize/cases.yaml
(`make golden-kustomize KUSTOMIZE=/path/to/kustomize`).

Each case is replayed as Argo CD's repo-server replays an Application's `kustomize` options
(`util/kustomize/kustomize.go` `Build`), written here from Argo CD's code and not from wavecd's: a copy of
the case's repository, `kustomize edit set nameprefix|namesuffix|image|replicas`, `edit add
label|annotation`, `edit set namespace`, the `patches` appended to the kustomization file, `edit add
component`, then `kustomize build <app folder>`. stdout goes to expected/<case>.yaml; when an edit or the
build fails, its stderr goes to expected/<case>.err instead. wavecd never produces these files.

Needs a standalone kustomize (kubectl's has no `edit`): `go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.1`
builds the one Argo CD bundles.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "apps" / "data" / "kustomize"
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def argo_env(path: str) -> dict[str, str]:
    """The build environment of the cases' Application (see cases.yaml)."""
    revision = "sha-of-main"
    return {
        "ARGOCD_APP_NAME": "kz",
        "ARGOCD_APP_NAMESPACE": "demo",
        "ARGOCD_APP_PROJECT_NAME": "default",
        "ARGOCD_APP_REVISION": revision,
        "ARGOCD_APP_REVISION_SHORT": revision[:7],
        "ARGOCD_APP_REVISION_SHORT_8": revision[:8],
        "ARGOCD_APP_SOURCE_REPO_URL": "https://example.com/kz.git",
        "ARGOCD_APP_SOURCE_PATH": path,
        "ARGOCD_APP_SOURCE_TARGET_REVISION": "main",
    }


def envsubst(text: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m.group(1) or m.group(2), ""), text)


def edits(options: dict, env: dict[str, str], app: Path, repo: Path) -> list[list[str]]:
    """Argo CD's `kustomize edit` commands for `options`, before and after the patches step (None marks it)."""
    out: list[list[str]] = []
    if options.get("namePrefix"):
        out.append(["edit", "set", "nameprefix", "--", options["namePrefix"]])
    if options.get("nameSuffix"):
        out.append(["edit", "set", "namesuffix", "--", options["nameSuffix"]])
    if options.get("images"):
        out.append(["edit", "set", "image", *(envsubst(i, env) for i in options["images"])])
    if options.get("replicas"):
        out.append(["edit", "set", "replicas", *(f"{r['name']}={int(r['count'])}" for r in options["replicas"])])
    if options.get("commonLabels"):
        flags = [
            f
            for f, key in (
                ("--force", "forceCommonLabels"),
                ("--without-selector", "labelWithoutSelector"),
                ("--include-templates", "labelIncludeTemplates"),
            )
            if options.get(key)
        ]
        pairs = [f"{k}:{envsubst(v, env)}" for k, v in options["commonLabels"].items()]
        out.append(["edit", "add", "label", *flags, *pairs])
    if options.get("commonAnnotations"):
        flags = ["--force"] if options.get("forceCommonAnnotations") else []
        subst = options.get("commonAnnotationsEnvsubst")
        pairs = [f"{k}:{envsubst(v, env) if subst else v}" for k, v in options["commonAnnotations"].items()]
        out.append(["edit", "add", "annotation", *flags, *pairs])
    if options.get("namespace"):
        out.append(["edit", "set", "namespace", "--", options["namespace"]])
    return out


def components(options: dict, app: Path, repo: Path) -> list[str]:
    found = list(options.get("components") or [])
    if options.get("ignoreMissingComponents"):
        real_repo = repo.resolve()
        found = [c for c in found if (app / c).resolve().is_relative_to(real_repo) and (app / c).exists()]
    return found


def add_patches(app: Path, patches: list[dict]) -> None:
    name = next(n for n in KUSTOMIZATION_NAMES if (app / n).is_file())
    data = yaml.safe_load((app / name).read_text()) or {}
    data["patches"] = [*(data.get("patches") or []), *patches]
    (app / name).write_text(yaml.safe_dump(data))


def record(kustomize: str, case: dict) -> tuple[str, str]:
    """("yaml", stdout) or ("err", stderr) for one case."""
    options = case.get("kustomize") or {}
    env = {**os.environ, **argo_env(case["path"])}
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "repo"
        shutil.copytree(DATA / "repo", repo)
        app = repo / case["path"]
        steps = edits(options, env, app, repo)
        for step in steps:
            done = subprocess.run([kustomize, *step], cwd=app, env=env, capture_output=True, text=True, check=False)
            if done.returncode:
                return "err", done.stderr
        if options.get("patches"):
            add_patches(app, options["patches"])
        found = components(options, app, repo)
        if found:
            done = subprocess.run(
                [kustomize, "edit", "add", "component", *found], cwd=app, env=env, capture_output=True, text=True
            )
            if done.returncode:
                return "err", done.stderr
        done = subprocess.run(
            [kustomize, "build", str(app)], cwd=repo, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            return "err", done.stderr.replace(str(repo), ".")
        return "yaml", done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kustomize", default=os.environ.get("KUSTOMIZE") or shutil.which("kustomize"))
    args = parser.parse_args()
    if not args.kustomize:
        print("no standalone kustomize: pass --kustomize or set KUSTOMIZE", file=sys.stderr)
        return 2
    cases = yaml.safe_load((DATA / "cases.yaml").read_text())["cases"]
    expected = DATA / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    expected.mkdir()
    version = subprocess.run([args.kustomize, "version"], capture_output=True, text=True, check=True).stdout.strip()
    (expected / "VERSION").write_text(version + "\n")
    for case in cases:
        kind, text = record(args.kustomize, case)
        (expected / f"{case['name']}.{kind}").write_text(text)
        print(f"{case['name']}: {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
