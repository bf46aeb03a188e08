"""From rendered files to ordered manifests and hooks (`releaseutil.SortManifests` + kind sorter).

Files are visited in sorted name order, each split into YAML documents on `---` lines, each document's
head parsed (a document that is not a mapping fails the render), hooks separated by their `helm.sh/hook`
annotation (a document naming an unknown hook is dropped), and both lists stable-sorted by kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wavecd.common import HELM_HOOK
from wavecd.core.goquote import quote
from wavecd.helm.helmlog import HelmLog

INSTALL_ORDER_V3: tuple[str, ...] = (
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
)
INSTALL_ORDER_V4: tuple[str, ...] = (
    *INSTALL_ORDER_V3,
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)

HOOK_EVENTS = frozenset(
    {
        "pre-install",
        "post-install",
        "pre-delete",
        "post-delete",
        "pre-upgrade",
        "post-upgrade",
        "pre-rollback",
        "post-rollback",
        "test",
        "test-success",
    }
)
TEST_EVENTS = frozenset({"test", "test-success"})

# Go's \s is ASCII only
_ASCII_SPACE = frozenset("\t\n\f\r ")
# strings.TrimSpace: unicode.IsSpace
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"


def trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(_GO_SPACE)


def split_manifests(text: str, keep_trailing_whitespace: bool = False) -> list[str]:
    """SplitManifests: the non-blank documents of a rendered file, in order, each trimmed at both ends, or
    (Helm 4.2, which keeps line endings) only at the start, so a template's final newline stays."""
    if keep_trailing_whitespace:
        return [d.lstrip(_GO_SPACE) for d in _split(text.lstrip(_GO_SPACE)) if trim_space(d) != ""]
    return [trim_space(d) for d in _split(trim_space(text)) if d != ""]


def _split(text: str) -> list[str]:
    r"""Go's `regexp.MustCompile("(?:^|\s*\n)---\s*").Split(text, -1)` in one linear pass (Python's
    backtracking regex retries every run of indentation at each of its positions). A separator is `---`
    at the start, or `\n---` with the whitespace run before it (never reaching into the previous
    separator) and the whitespace run after it."""
    n = len(text)
    docs: list[str] = []
    start = end = 0  # the current document's start; the previous separator's end
    if text.startswith("---"):
        end = _skip_space(text, 3, n)
        docs.append("")
        start = end
    while (q := text.find("\n---", end)) >= 0:
        s = q
        while s > end and text[s - 1] in _ASCII_SPACE:
            s -= 1
        docs.append(text[start:s])
        start = end = _skip_space(text, q + 4, n)
    docs.append(text[start:])
    return docs


def _skip_space(text: str, i: int, n: int) -> int:
    while i < n and text[i] in _ASCII_SPACE:
        i += 1
    return i


@dataclass(slots=True)
class Manifest:
    """One document: the file it came from, its text, its kind and, for hooks, its events."""

    path: str
    content: str
    kind: str
    events: list[str] = field(default_factory=list)


class ManifestError(Exception):
    """`YAML parse error on <file>: …` (Helm's text)."""


HeadParser = Callable[[str], tuple[str, dict[str, str] | None]]
"""(document text) -> (kind, annotations or None); raises ValueError with sigs.k8s.io/yaml's text."""


def sort_manifests(
    files: dict[str, str],
    order: tuple[str, ...],
    parse_head: HeadParser,
    log: HelmLog,
    keep_trailing_whitespace: bool = False,
) -> tuple[list[Manifest], list[Manifest]]:
    """(hooks, manifests), each stable-sorted by kind; raises ManifestError on an unparsable document.
    `keep_trailing_whitespace` is the Helm 4.2 document split (see `split_manifests`)."""
    hooks: list[Manifest] = []
    generic: list[Manifest] = []
    for path in sorted(files):
        content = files[path]
        if path.rsplit("/", 1)[-1].startswith("_") or trim_space(content) == "":
            continue
        for doc in split_manifests(content, keep_trailing_whitespace):
            try:
                kind, annotations = parse_head(doc)
            except ValueError as exc:
                raise ManifestError(f"YAML parse error on {path}: {exc}") from None
            hook_types = annotations.get(HELM_HOOK) if annotations else None
            if hook_types is None:
                generic.append(Manifest(path, doc, kind))
                continue
            events = [h.strip().lower() for h in hook_types.split(",")]
            if any(e not in HOOK_EVENTS for e in events):
                log.info(
                    ("manifest_sorter.go:190", f"info: skipping unknown hook: {quote(hook_types)}"),
                    "skipping unknown hooks",
                    hookTypes=hook_types,
                )
                continue
            hooks.append(Manifest(path, doc, kind, events))
    return sort_by_kind(hooks, order), sort_by_kind(generic, order)


def sort_by_kind(items: list[Manifest], order: tuple[str, ...]) -> list[Manifest]:
    """Stable: known kinds by InstallOrder, then unknown kinds alphabetically."""
    rank = _rank_table(order)
    return sorted(items, key=lambda m: rank.get(m.kind) or (1, m.kind))


_RANKS: dict[tuple[str, ...], dict[str, tuple[int, Any]]] = {}


def _rank_table(order: tuple[str, ...]) -> dict[str, tuple[int, Any]]:
    table = _RANKS.get(order)
    if table is None:
        table = _RANKS[order] = {kind: (0, i) for i, kind in enumerate(order)}
    return table


def is_test_hook(manifest: Manifest) -> bool:
    return any(e in TEST_EVENTS for e in manifest.events)
