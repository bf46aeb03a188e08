"""A lint rule, as data: a custom resource planned in an earlier tree wave than the app defining its CRD.

In such a tree the user's app syncs first, and its custom resources fail (the kind is not served yet)
until the later wave installs the CRD. Only kinds some app of the tree defines are judged: kinds the
cluster already serves are not this rule's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wavecd.plan.tree_plan import TreePlan

CRD_GROUP = "apiextensions.k8s.io"


@dataclass(frozen=True)
class CrdOrderFinding:
    """`app` (tree wave `wave`) uses `kinds` (group/Kind) whose CRDs `crd_app` installs later, in `crd_wave`."""

    app: str
    wave: int
    kinds: tuple[str, ...]
    crd_app: str
    crd_wave: int

    @property
    def message(self) -> str:
        kinds = ", ".join(self.kinds)
        return (
            f"app {self.app} (wave {self.wave}) uses {kinds}, whose CustomResourceDefinition comes from "
            f"app {self.crd_app} in the later wave {self.crd_wave}"
        )


def _crd_key(obj: dict[str, Any]) -> str | None:
    if obj.get("kind") != "CustomResourceDefinition" or str(obj.get("apiVersion", "")).split("/")[0] != CRD_GROUP:
        return None
    found_spec = obj.get("spec")
    spec = found_spec if isinstance(found_spec, dict) else {}
    found_names = spec.get("names")
    names = found_names if isinstance(found_names, dict) else {}
    group, kind = spec.get("group"), names.get("kind")
    return f"{group}/{kind}" if isinstance(group, str) and isinstance(kind, str) else None


def _kind_key(obj: dict[str, Any]) -> str:
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    return f"{group}/{obj.get('kind')}"


def crd_order_findings(plan: TreePlan) -> list[CrdOrderFinding]:
    """One finding per (using app, defining app) pair, in sync order; the earliest defining wave counts."""
    definer: dict[str, tuple[int, str]] = {}
    for wave in plan.waves:
        for app in wave.apps:
            for obj in app.manifests:
                key = _crd_key(obj)
                if key is not None and key not in definer:
                    definer[key] = (wave.wave, app.name)
    findings: list[CrdOrderFinding] = []
    for wave in plan.waves:
        for app in wave.apps:
            late: dict[tuple[int, str], list[str]] = {}
            for obj in app.manifests:
                found = definer.get(_kind_key(obj))
                if found is not None and found[0] > wave.wave:
                    kinds = late.setdefault(found, [])
                    if _kind_key(obj) not in kinds:
                        kinds.append(_kind_key(obj))
            findings.extend(
                CrdOrderFinding(app.name, wave.wave, tuple(sorted(kinds)), crd_app, crd_wave)
                for (crd_wave, crd_app), kinds in sorted(late.items())
            )
    return findings
