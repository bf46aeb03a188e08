"""Is an app Synced? Each desired object must exist, carry this app's tracking annotation, and a server-side
dry-run apply of it (as the sync would send it) must change nothing; and no live object the app tracks may be
left without a desired counterpart (it waits for a prune), unless it says `IgnoreExtraneous`.

The dry run asks the API server itself what a sync would do, so defaulting, admission and the fields other
managers took over are judged exactly as the real apply would judge them, with no local diff rules. Kept in
its own module because the full diff replaces the verdict "differs" with field-level detail later.

`status` is left out of the equality: it is the controllers' to write, and Argo CD ignores it by default
(`ignoreResourceStatusField: all`, Argo CD `util/settings/settings.go` `GetResourceOverrides`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wavecd.common import COMPARE_OPTIONS, SyncStatus
from wavecd.core import WavecdError
from wavecd.health import is_hook
from wavecd.health.hooks import is_skip
from wavecd.kube import KubeClient, KubeConnectionError, KubeError, NoKindMatchError
from wavecd.sync.live import LiveRead, get_live, identity
from wavecd.sync.tracking import owner_of, strip_server_fields, with_tracking

MISSING = "missing"
NOT_TRACKED = "not tracked by this app"
DIFFERS = "differs"
EXTRA = "extra (requires pruning)"

IGNORE_EXTRANEOUS = "IgnoreExtraneous"

# Read-and-dry-run pairs tried for one taken at the same resourceVersion; after that the last pair is judged
# as it is (an object rewritten that often is not settled).
CONSISTENT_READ_ATTEMPTS = 3


class ComparisonError(WavecdError):
    """The server refused the dry run of a desired object: no verdict (Argo CD's ComparisonError, app sync
    status Unknown). The message names the object and quotes the server."""


@dataclass(frozen=True)
class ResourceComparison:
    """One object's verdict; `reason` is "" when Synced, else MISSING, NOT_TRACKED or DIFFERS for a desired
    object, EXTRA for a tracked live one with no desired counterpart."""

    group: str
    kind: str
    namespace: str
    name: str
    status: str
    reason: str = ""
    # What was compared, for a diff to show (`wavecd diff --live`): the live object and what the sync's
    # dry run says it would become (the desired body when it is missing); None where there is none.
    live: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    predicted: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        """`group/Kind:namespace/name`, as Argo CD and the health messages name a resource."""
        kind = f"{self.group}/{self.kind}" if self.group else self.kind
        name = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{kind}:{name}"

    def to_json(self) -> dict[str, str]:
        return {
            "group": self.group,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Comparison:
    """The app's verdict: Synced only when every compared resource is."""

    resources: list[ResourceComparison] = field(default_factory=list)

    @property
    def status(self) -> str:
        return (
            SyncStatus.SYNCED if all(r.status == SyncStatus.SYNCED for r in self.resources) else SyncStatus.OUT_OF_SYNC
        )

    @property
    def out_of_sync(self) -> list[ResourceComparison]:
        return [r for r in self.resources if r.status != SyncStatus.SYNCED]


def is_compared(target: dict[str, Any]) -> bool:
    """Hooks and `hook: Skip` objects have no sync status in Argo CD (`controller/state.go` `CompareAppState`)."""
    return not (is_hook(target) or is_skip(target))


def _namespaced(client: KubeClient, target: dict[str, Any]) -> bool | None:
    """Whether the kind is namespaced; None when the cluster does not serve it."""
    try:
        return client.is_namespaced(str(target.get("apiVersion") or ""), str(target.get("kind") or ""))
    except NoKindMatchError:
        return None


def _comparable(obj: dict[str, Any]) -> dict[str, Any]:
    out = strip_server_fields(obj)
    out.pop("status", None)
    return out


def desired_body(target: dict[str, Any], instance: str, default_namespace: str, namespaced: bool) -> dict[str, Any]:
    """The object exactly as the sync applies it: tracked, and in the destination namespace when it names none
    (the client would otherwise fall back to its context's namespace)."""
    body = with_tracking(target, instance, default_namespace)
    if namespaced and default_namespace and not body["metadata"].get("namespace"):
        body["metadata"] = {**body["metadata"], "namespace": default_namespace}
    return body


def _resource_version(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


def _apply_input(live: dict[str, Any]) -> str:
    """The live object as the comparison sees it (`_comparable`: without its resourceVersion, managedFields
    and `status`), as a digest. A controller writing a Deployment's status, an Application's health, changes
    none of it, so a verdict stays valid across those writes; any change of content does change it. Who owns
    which field is left out as the controller's cluster cache leaves it out (a field someone else takes over
    at the same value is seen at the next edit or hard refresh; Argo CD's default diff ignores ownership)."""
    meta = {k: v for k, v in (live.get("metadata") or {}).items() if k not in ("resourceVersion", "managedFields")}
    return DryRunMemo.digest({**{k: v for k, v in live.items() if k != "status"}, "metadata": meta})


@dataclass(frozen=True)
class Remembered:
    """A past dry run's verdict: the object it predicted when that differs from the live one, else None."""

    predicted: dict[str, Any] | None


class DryRunMemo:
    """The verdicts of past dry runs, reused while neither side changed: the same desired body (by digest)
    against a live object that an apply would read the same (`_apply_input`: its status and resourceVersion
    aside). A controller that reconciles an app again because of something else (a Pod's status, a rollout
    writing its Deployment's status, a child Application's health) then asks the API server nothing for
    objects nobody edited. What the memo cannot see — an admission webhook or a CRD schema that changed — a
    hard refresh clears (`clear`). Safe to share between threads."""

    def __init__(self) -> None:
        # key -> (body digest, live resourceVersion, live `_apply_input`, verdict)
        self._verdicts: dict[tuple[str, str, str, str], tuple[str, str, str, Remembered]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def digest(body: dict[str, Any]) -> str:
        return hashlib.blake2b(json.dumps(body, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()

    def recall(self, key: tuple[str, str, str, str], digest: str, live: dict[str, Any]) -> Remembered | None:
        """What the dry run of this body against this live object predicted; None: never asked (or the live
        object is not one the server returned: it has no resourceVersion). The same resourceVersion answers
        at once; another one is digested, and kept when it reads the same."""
        version = _resource_version(live)
        with self._lock:
            found = self._verdicts.get(key)
        if found is None or found[0] != digest or not version:
            return None
        if found[1] == version:
            return found[3]
        content = _apply_input(live)
        if found[2] != content:
            return None
        with self._lock:
            if self._verdicts.get(key) == found:
                self._verdicts[key] = (digest, version, content, found[3])
        return found[3]

    def remember(
        self, key: tuple[str, str, str, str], digest: str, live: dict[str, Any], predicted: dict[str, Any] | None
    ) -> None:
        """Keep the verdict; `predicted` is the object as the dry run would leave it, None when that is `live`
        (kept so that a remembered difference still shows its diff)."""
        version = _resource_version(live)
        if not version:
            return
        with self._lock:
            self._verdicts[key] = (digest, version, _apply_input(live), Remembered(predicted))

    def applied(self, body: dict[str, Any], answer: dict[str, Any]) -> None:
        """`body` was just server-side applied (forced, by wavecd's field manager) and the server answered
        `answer`: a dry run of the same body against that object would change nothing (an apply of what was
        just applied is a no-op), so it is remembered Synced and the reconcile after a sync asks nothing for
        the objects the sync wrote and nobody touched since."""
        self.remember(identity(answer), self.digest(body), answer, None)

    def clear(self) -> None:
        with self._lock:
            self._verdicts.clear()


def compare_one(
    client: KubeClient,
    instance: str,
    target: dict[str, Any],
    default_namespace: str,
    *,
    read: LiveRead | None = None,
    memo: DryRunMemo | None = None,
) -> ResourceComparison:
    """The verdict on one desired object; `ComparisonError` when the server refuses its dry run.

    The live object is read with `read` first (the controller's cluster cache; default a GET). A dry run
    answers with the resourceVersion it started from, so when the object changed between the read and the
    dry run (a controller wrote it, or the cache lags behind), the pair is taken again with a GET instead of
    reporting a difference nobody made. With a `memo`, a body already dry-run against the live object as it
    is now (its status aside) gets its verdict back without a request.
    """
    group, kind, namespace, name = identity(target, default_namespace)
    namespaced = _namespaced(client, target)
    if namespaced is False:
        namespace = ""

    def verdict(
        status: str, reason: str = "", live: dict[str, Any] | None = None, predicted: dict[str, Any] | None = None
    ) -> ResourceComparison:
        return ResourceComparison(group, kind, namespace, name, status, reason, live, predicted)

    def judged(live: dict[str, Any], predicted: dict[str, Any] | None) -> ResourceComparison:
        if predicted is None:
            return verdict(SyncStatus.SYNCED)
        return verdict(SyncStatus.OUT_OF_SYNC, DIFFERS, live, predicted)

    body = desired_body(target, instance, default_namespace, bool(namespaced))
    digest = DryRunMemo.digest(body) if memo is not None else ""
    key = (group, kind, namespace, name)
    for attempt in range(CONSISTENT_READ_ATTEMPTS):
        if namespaced is None:
            live = None
        elif attempt == 0 and read is not None:
            live = read(target, default_namespace)
        else:
            live = get_live(client, target, default_namespace)
        if live is None:
            return verdict(SyncStatus.OUT_OF_SYNC, MISSING, predicted=body)
        if owner_of(live) != instance:
            return verdict(SyncStatus.OUT_OF_SYNC, NOT_TRACKED, _comparable(live), body)
        known = memo.recall(key, digest, live) if memo is not None else None
        if known is not None:
            return judged(_comparable(live), known.predicted)
        try:
            dry_run = client.apply(body, force=True, dry_run=True)
        except KubeConnectionError:
            raise
        except KubeError as err:
            raise ComparisonError(
                f"{verdict(SyncStatus.OUT_OF_SYNC).ref}: the server refused its dry run: {err.message}"
            ) from err
        if _resource_version(dry_run) == _resource_version(live):
            break
    assert live is not None  # every pass of the loop (there is at least one) returned when it was None
    predicted = _comparable(dry_run)
    change = None if predicted == _comparable(live) else predicted
    if memo is not None and _resource_version(dry_run) == _resource_version(live):
        memo.remember(key, digest, live, change)
    return judged(_comparable(live), change)


def _annotations(obj: dict[str, Any]) -> dict[str, Any]:
    annotations = (obj.get("metadata") or {}).get("annotations")
    return annotations if isinstance(annotations, dict) else {}


def ignores_extraneous(live: dict[str, Any]) -> bool:
    """`compare-options: IgnoreExtraneous` (one of a comma-separated list): the owner says the object may
    outlive its manifest, so Argo CD does not let it make the app OutOfSync (`controller/state.go`
    `CompareAppState`)."""
    options = str(_annotations(live).get(COMPARE_OPTIONS) or "")
    return IGNORE_EXTRANEOUS in (part.strip() for part in options.split(","))


def _desired_key(client: KubeClient, target: dict[str, Any], default_namespace: str) -> tuple[str, str, str, str]:
    """(group, kind, namespace, name) where the sync puts the object: cluster-scoped kinds have no namespace."""
    group, kind, namespace, name = identity(target, default_namespace)
    return group, kind, "" if _namespaced(client, target) is False else namespace, name


def extras(
    client: KubeClient,
    targets: Sequence[dict[str, Any]],
    default_namespace: str,
    live_tracked: Sequence[dict[str, Any]],
) -> list[ResourceComparison]:
    """The tracked live objects the app no longer renders — what a sync with prune deletes — sorted by group,
    kind, namespace and name.

    Matched as the sync's plan matches prunes — by group, kind, namespace and name, the version ignored; a
    `hook: Skip` target still counts as desired (it is tracked, never applied). Live hooks are not judged,
    as in Argo CD: they are the sync's own, deleted by their hook-delete-policy rather than pruned.
    """
    desired = {_desired_key(client, t, default_namespace) for t in targets if not is_hook(t)}
    out = []
    for live in live_tracked:
        key = identity(live)
        if key in desired or is_hook(live) or ignores_extraneous(live):
            continue
        out.append(ResourceComparison(*key, status=SyncStatus.OUT_OF_SYNC, reason=EXTRA, live=_comparable(live)))
    return sorted(out, key=lambda r: (r.group, r.kind, r.namespace, r.name))


def compare(
    client: KubeClient,
    instance: str,
    targets: Sequence[dict[str, Any]],
    default_namespace: str,
    live_tracked: Sequence[dict[str, Any]] = (),
    *,
    read: LiveRead | None = None,
    memo: DryRunMemo | None = None,
) -> Comparison:
    """Compare every desired object of one app (tracking instance `instance`) with the cluster, in order, then
    list `live_tracked` objects (the app's, from `inventory.tracked_by_instance`) that nothing desired matches.
    `read` and `memo` as `compare_one` takes them."""
    desired = [
        compare_one(client, instance, t, default_namespace, read=read, memo=memo) for t in targets if is_compared(t)
    ]
    return Comparison(desired + extras(client, targets, default_namespace, live_tracked))
