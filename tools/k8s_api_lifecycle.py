"""Record Kubernetes' own API lifecycle tags, the cross-check of `wavecd lint`'s deprecated-API table.

Every `<group>/<version>/zz_generated.prerelease-lifecycle.go` of a k8s.io/api checkout says, per kind, the
release that deprecated it (`APILifecycleDeprecated`), the one that stopped serving it (`APILifecycleRemoved`)
and its replacement (`APILifecycleReplacement`). This tool extracts those of every kind that has a removal
release, as JSON, so that tests/lint/data/k8s_api_lifecycle.json can be compared with
src/wavecd/lint/deprecated_apis.py without keeping Kubernetes' sources in the repository:

    git clone https://github.com/kubernetes/api /tmp/k8s-api
    .venv/bin/python tools/k8s_api_lifecycle.py /tmp/k8s-api > tests/lint/data/k8s_api_lifecycle.json
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

_FUNC = re.compile(
    r"func \(in \*(?P<kind>\w+)\) APILifecycle(?P<what>Deprecated|Removed|Replacement)\(\)"
    r"[^{]*\{\s*return (?P<body>[^\n]+)"
)
_VERSION = re.compile(r"(\d+), (\d+)")
_GVK = re.compile(r'Group: "(?P<group>[^"]*)", Version: "(?P<version>[^"]*)", Kind: "(?P<kind>[^"]*)"')
_GROUP_NAME = re.compile(r'const GroupName = "([^"]*)"')


def _group(folder: Path) -> str:
    """The API group of a version folder, as its register.go names it (core's is "")."""
    register = folder / "register.go"
    found = _GROUP_NAME.search(register.read_text()) if register.exists() else None
    return found.group(1) if found else ""


def lifecycle(checkout: Path) -> list[dict[str, str]]:
    """One entry per kind with a removal release, sorted by apiVersion and kind; List kinds left out."""
    entries: dict[tuple[str, str], dict[str, str]] = {}
    for path in sorted(checkout.glob("*/*/zz_generated.prerelease-lifecycle.go")):
        group, version = _group(path.parent), path.parent.name
        api_version = f"{group}/{version}" if group else version
        for match in _FUNC.finditer(path.read_text()):
            kind = match["kind"]
            if kind.endswith("List"):
                continue
            entry = entries.setdefault((api_version, kind), {"apiVersion": api_version, "kind": kind})
            if match["what"] == "Replacement":
                gvk = _GVK.search(match["body"])
                if gvk:
                    group_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
                    entry["replacement"] = f"{group_version} {gvk['kind']}"
            else:
                numbers = _VERSION.search(match["body"])
                if numbers:
                    entry[match["what"].lower()] = f"{numbers[1]}.{numbers[2]}"
    return [e for _, e in sorted(entries.items()) if "removed" in e]


def main() -> None:
    checkout = Path(sys.argv[1])
    commit = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    record = {"source": "https://github.com/kubernetes/api", "commit": commit or None, "kinds": lifecycle(checkout)}
    json.dump(record, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
