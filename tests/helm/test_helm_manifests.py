"""Splitting rendered files into documents and ordering them, as observed with real helm.

The order-probe chart (tests/helm/charts/order-probe) exercises these rules end to end against recorded
helm 3.17.2 / 4.1.4 output (data/expected/order-*.json); these tests pin the pieces directly.
"""

from wavecd.helm.helmlog import HelmLog
from wavecd.helm.manifests import (
    INSTALL_ORDER_V3,
    INSTALL_ORDER_V4,
    Manifest,
    sort_by_kind,
    sort_manifests,
    split_manifests,
)


def test_split_handles_trailing_spaces_glued_separators_and_comments() -> None:
    text = "a: 1\n---   \n# only a comment\n---\nb: 2\n---apiVersion: v1\n...\n"
    assert split_manifests(text) == ["a: 1", "# only a comment", "b: 2", "apiVersion: v1\n..."]


def test_split_keeps_a_separator_that_follows_another() -> None:
    assert split_manifests("a: 1\n---\n---\nb: 2") == ["a: 1", "---\nb: 2"]


def _kinds(items: list[Manifest]) -> list[str]:
    return [m.kind for m in items]


def test_unknown_kinds_sort_alphabetically_after_known_ones_and_webhooks_differ() -> None:
    items = [
        Manifest("f", "", k)
        for k in ["Zebra", "", "ValidatingWebhookConfiguration", "Deployment", "Alpha", "Namespace", "Service"]
    ]
    assert _kinds(sort_by_kind(items, INSTALL_ORDER_V3)) == [
        "Namespace",
        "Service",
        "Deployment",
        "",
        "Alpha",
        "ValidatingWebhookConfiguration",
        "Zebra",
    ]
    assert _kinds(sort_by_kind(items, INSTALL_ORDER_V4)) == [
        "Namespace",
        "Service",
        "Deployment",
        "ValidatingWebhookConfiguration",
        "",
        "Alpha",
        "Zebra",
    ]


def test_hooks_are_separated_and_unknown_hooks_dropped() -> None:
    heads = {
        "kind: Job\nhook: pre": ("Job", {"helm.sh/hook": "pre-install, Post-Upgrade"}),
        "kind: Pod\nhook: bad": ("Pod", {"helm.sh/hook": "test,not-a-hook"}),
        "kind: Secret": ("Secret", {"other": "x"}),
    }
    lines: list[str] = []
    files = {"c/templates/b.yaml": "\n---\n".join(heads), "c/templates/_partial.tpl": "kind: Ignored"}
    hooks, manifests = sort_manifests(files, INSTALL_ORDER_V4, heads.__getitem__, HelmLog(4, lines))
    assert [(h.kind, h.events) for h in hooks] == [("Job", ["pre-install", "post-upgrade"])]
    assert _kinds(manifests) == ["Secret"]
    assert lines == ['level=INFO msg="skipping unknown hooks" hookTypes=test,not-a-hook']


def test_helm_42_keeps_the_end_of_each_document_and_drops_only_blank_ones() -> None:
    text = "\n  \na: 1  \n---\nb: 2  \n\n"
    assert split_manifests(text) == ["a: 1", "b: 2"]
    # whitespace before an inner `---` still belongs to the separator; the last document keeps its end
    assert split_manifests(text, keep_trailing_whitespace=True) == ["a: 1", "b: 2  \n\n"]
    # a document of non-ASCII blanks (not eaten by the separator's ASCII `\s`): 4.1 keeps it empty, 4.2 drops it
    assert split_manifests("a: 1\n---\n\u00a0\n---\nb: 2") == ["a: 1", "", "b: 2"]
    assert split_manifests("a: 1\n---\n\u00a0\n---\nb: 2", keep_trailing_whitespace=True) == ["a: 1", "b: 2"]
