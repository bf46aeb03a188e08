"""Sync options: an app's `syncPolicy.syncOptions` and a resource's `argocd.argoproj.io/sync-options`.

Argo CD matches most options as exact strings (`HasOption("Replace=true")`), and `Prune=` / `Delete=`
by prefix (`GetAnnotationOptionValue`, first match wins). Options Argo CD does not know are kept in
`unknown` so `lint` can name them; Argo CD itself ignores them silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wavecd.common import SYNC_OPTIONS
from wavecd.core import Location
from wavecd.plan.annotations import csv_values
from wavecd.plan.errors import PlanError

KNOWN_FLAGS = frozenset(
    {
        "Validate=false",
        "Validate=true",
        "SkipDryRunOnMissingResource=true",
        "PruneLast=true",
        "Replace=true",
        "Replace=false",
        "Force=true",
        "ServerSideApply=true",
        "ServerSideApply=false",
        "ApplyOutOfSyncOnly=true",
        "ApplyOutOfSyncOnly=false",
        "CreateNamespace=true",
        "CreateNamespace=false",
        "RespectIgnoreDifferences=true",
        "RespectIgnoreDifferences=false",
        "FailOnSharedResource=true",
        "FailOnSharedResource=false",
        "ClientSideApplyMigration=true",
        "ClientSideApplyMigration=false",
    }
)
VALUED = ("Prune", "Delete", "PrunePropagationPolicy")  # options Argo CD reads by prefix, value after `=`
PROPAGATION_POLICIES = ("background", "foreground", "orphan")  # controller/sync.go checks them in this order


def _value(options: tuple[str, ...], key: str) -> str | None:
    prefix = key + "="
    return next((o[len(prefix) :] for o in options if o.startswith(prefix)), None)


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """One list of options, read as Argo CD reads it. Booleans are True only when the option is set."""

    raw: tuple[str, ...] = ()

    def has(self, option: str) -> bool:
        return option in self.raw

    @property
    def validate(self) -> bool:
        return "Validate=false" not in self.raw

    @property
    def create_namespace(self) -> bool:
        return "CreateNamespace=true" in self.raw

    @property
    def server_side_apply(self) -> bool:
        return "ServerSideApply=true" in self.raw

    @property
    def disable_server_side_apply(self) -> bool:
        return "ServerSideApply=false" in self.raw

    @property
    def prune_last(self) -> bool:
        return "PruneLast=true" in self.raw

    @property
    def apply_out_of_sync_only(self) -> bool:
        return "ApplyOutOfSyncOnly=true" in self.raw

    @property
    def replace(self) -> bool:
        return "Replace=true" in self.raw

    @property
    def force(self) -> bool:
        return "Force=true" in self.raw

    @property
    def skip_dry_run_on_missing_resource(self) -> bool:
        return "SkipDryRunOnMissingResource=true" in self.raw

    @property
    def prune(self) -> str | None:
        """The `Prune=` value (`false`, `confirm`, …) or None when unset."""
        return _value(self.raw, "Prune")

    @property
    def delete(self) -> str | None:
        return _value(self.raw, "Delete")

    @property
    def prune_propagation_policy(self) -> str:
        """`foreground` unless an exact `PrunePropagationPolicy=` option says otherwise (background first)."""
        return next((p for p in PROPAGATION_POLICIES if f"PrunePropagationPolicy={p}" in self.raw), "foreground")

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(o for o in self.raw if o not in KNOWN_FLAGS and not any(o.startswith(k + "=") for k in VALUED))


def app_sync_options(values: Iterable[object] | None, where: Location | None = None) -> SyncOptions:
    """An Application's `spec.syncPolicy.syncOptions` (a list of strings)."""
    if values is None:
        return SyncOptions()
    items = () if isinstance(values, (str, bytes)) else tuple(values)
    if isinstance(values, (str, bytes)) or not all(isinstance(v, str) for v in items):
        raise PlanError("syncPolicy.syncOptions must be a list of strings", location=where)
    return SyncOptions(items)  # type: ignore[arg-type]


def resource_sync_options(annotations: dict[str, str]) -> SyncOptions:
    """A resource's `argocd.argoproj.io/sync-options` annotation, split like every Argo CSV annotation."""
    return SyncOptions(csv_values(annotations, SYNC_OPTIONS))
