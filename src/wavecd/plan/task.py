"""One step of a sync: an object in one phase, with everything the order and the sync need to know."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wavecd.plan.hooks import HookInfo


@dataclass(frozen=True, slots=True)
class TaskOptions:
    """The sync options that apply to this task, app-wide and per-resource combined as gitops-engine does."""

    validate: bool = True
    server_side_apply: bool = False
    replace: bool = False
    force: bool = False
    skip_dry_run: bool = False
    prune_disabled: bool = False  # Prune=false: a prune task ends as PruneSkipped "ignored (no prune)"
    prune_confirm: bool = False  # Prune=confirm: pruning waits for argocd.argoproj.io/deletion-approved
    prune_last: bool = False


@dataclass(slots=True)
class Task:
    """gitops-engine's `syncTask`: apply `target` (or prune `live` when there is no target) in `phase`.

    `wave` is the effective wave (after prune reversal, PruneLast and Namespace/CRD hoisting);
    `own_wave` the wave the annotations give. `group` is the API group ("" for core).
    """

    phase: str
    wave: int
    own_wave: int
    group: str
    kind: str
    name: str
    namespace: str
    hook: HookInfo
    target: dict[str, Any] | None
    live: dict[str, Any] | None = None
    options: TaskOptions = field(default_factory=TaskOptions)
    auto_namespace: bool = False  # the Namespace CreateNamespace=true adds

    @property
    def obj(self) -> dict[str, Any]:
        """The target object, or the live one for a prune (gitops-engine's `obj()`)."""
        return self.target if self.target is not None else self.live or {}

    @property
    def is_prune(self) -> bool:
        return self.target is None

    @property
    def is_hook(self) -> bool:
        """A hook task (never a prune); Helm hooks mapped to Argo's count too."""
        return self.hook.is_hook and self.target is not None

    @property
    def helm_hook(self) -> bool:
        return self.is_hook and self.hook.from_helm

    @property
    def delete_policies(self) -> tuple[str, ...]:
        return self.hook.delete_policies if self.is_hook else ()

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(group, kind, namespace, name): how Argo CD names a resource."""
        return (self.group, self.kind, self.namespace, self.name)

    def __repr__(self) -> str:
        prune = " prune" if self.is_prune else ""
        return f"<Task {self.phase}/{self.wave} {self.kind} {self.namespace}/{self.name}{prune}>"
