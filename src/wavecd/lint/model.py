"""The vocabulary of `wavecd lint`: a rule, the context it judges, and the finding it reports.

Rules are pure functions of a rendered tree and its plan, so each can be proven with a small fixture tree
and no cluster; the runner (not the rule) decides which rules are on and which findings are suppressed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from wavecd.apps.node import AppNode, Tree
from wavecd.plan import TreePlan

__all__ = ["Finding", "LintContext", "Location", "ObjectRef", "Rule", "Severity"]


class Severity(StrEnum):
    """SARIF's levels, so the three outputs agree on one word."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class ObjectRef:
    """The object a finding is about, as kubectl names it."""

    api_version: str
    kind: str
    namespace: str
    name: str

    @classmethod
    def of(cls, obj: dict[str, Any]) -> ObjectRef:
        found = obj.get("metadata")
        meta: dict[str, Any] = found if isinstance(found, dict) else {}
        return cls(
            str(obj.get("apiVersion", "")),
            str(obj.get("kind", "")),
            str(meta.get("namespace") or ""),
            str(meta.get("name") or ""),
        )

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class Location:
    """Where the user fixes it: a path relative to ROOT's repository, and a 1-based line when known."""

    file: str
    line: int | None = None


@dataclass(frozen=True)
class Finding:
    """One thing a rule found: what, in which app (tree wave), about which object, in which file."""

    rule: str
    severity: Severity
    message: str
    app: str | None = None
    wave: int | None = None
    obj: ObjectRef | None = None
    location: Location | None = None


@dataclass(frozen=True)
class LintContext:
    """What every rule may read: the walked tree, its global order, and where each object came from.

    `locate(app, obj)` answers the file (and line) that holds a rendered object, or the file that declares
    the app when the object has no file of its own; `kube_version` is the destination's Kubernetes version
    ("1.31.0" style) that version-dependent rules judge against.
    """

    tree: Tree
    plan: TreePlan
    kube_version: str
    locate: Callable[[AppNode, dict[str, Any] | None], Location | None]

    def finding(
        self, rule: str, severity: Severity, message: str, app: AppNode, wave: int | None, obj: dict[str, Any] | None
    ) -> Finding:
        """A finding about `obj` of `app` (or the app itself when `obj` is None), located for the user."""
        return Finding(
            rule,
            severity,
            message,
            app=app.name,
            wave=wave,
            obj=ObjectRef.of(obj if obj is not None else app.obj),
            location=self.locate(app, obj),
        )


@dataclass(frozen=True)
class Rule:
    """A rule: its ID (`WCD101`), its slug (docs anchor, suppression name), group, default severity, check."""

    id: str
    slug: str
    group: str
    severity: Severity
    summary: str
    check: Callable[[LintContext], Iterable[Finding]]
