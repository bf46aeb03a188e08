"""Which rules run, what they find, and what the user silenced.

A rule is named by its ID or its slug everywhere: `--rule`, `wavecd.yaml`'s `lint:` section and the
`wavecd.io/lint-ignore` annotation (on the object, or on an Application to silence the whole app). A
name the runner does not know is an error naming where it was written, never silently ignored: a typo
there would switch a check off.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from wavecd.apps.node import AppNode, ObjectKey, Tree, origin_key
from wavecd.common import api_group
from wavecd.core import Location, UserInputError
from wavecd.lint.model import Finding, LintContext, Rule, Severity
from wavecd.lint.model import Location as FindingLocation
from wavecd.lint.rules import ALL_RULES
from wavecd.plan import TreePlan
from wavecd.sources.config import LintEntry, LintSettings

__all__ = ["IGNORE_ANNOTATION", "LintReport", "lint_tree", "resolve_rule"]

IGNORE_ANNOTATION = "wavecd.io/lint-ignore"
POLICY_GROUP = "policy"


@dataclass(frozen=True)
class LintReport:
    """The findings in rule order, the rules that ran, and how many findings suppressions silenced."""

    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...]
    suppressed: int

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def failed(self) -> bool:
        return any(f.severity == Severity.ERROR for f in self.findings)


def resolve_rule(name: str, rules: Sequence[Rule] = ALL_RULES) -> Rule | None:
    """The rule an ID (`WCD101`, any case) or a slug names."""
    wanted = name.strip()
    return next((r for r in rules if r.id == wanted.upper() or r.slug == wanted), None)


def _known(entry: LintEntry, settings: LintSettings, where: str) -> Rule:
    rule = resolve_rule(entry.rule)
    if rule is None:
        raise UserInputError(
            f"{settings.path}:{entry.line}: {where}: unknown rule {entry.rule!r} (expected an ID such as WCD101 "
            "or a slug such as crd-after-custom-resource; see docs/lint.md)",
            location=Location(file=str(settings.path), line=entry.line),
        )
    return rule


def _chosen(settings: LintSettings, only: Sequence[str]) -> tuple[tuple[Rule, ...], dict[str, Severity]]:
    """The rules that run (after `--rule`, `disable` and the policy toggles) and their severities."""
    disabled = {_known(entry, settings, "lint.disable").id for entry in settings.disable}
    levels = {_known(e, settings, "lint.severity").id: Severity(e.value) for e in settings.severity}
    toggled: dict[str, bool] = {}
    for entry in settings.policy:
        rule = _known(entry, settings, "lint.policy")
        if rule.group != POLICY_GROUP:
            raise UserInputError(
                f"{settings.path}:{entry.line}: lint.policy: {entry.rule} is not a policy rule (use lint.disable)",
                location=Location(file=str(settings.path), line=entry.line),
            )
        toggled[rule.id] = entry.value == "true"
    picked: set[str] = set()
    for name in only:
        named = resolve_rule(name)
        if named is None:
            raise UserInputError(f"--rule {name!r}: unknown rule (expected an ID such as WCD101 or a slug)")
        picked.add(named.id)
    chosen = []
    for rule in ALL_RULES:
        on = rule.id not in disabled
        if rule.group == POLICY_GROUP:
            on = on and toggled.get(rule.id, settings.policy_enabled)
        if picked:
            on = rule.id in picked
        if on:
            chosen.append(rule)
    return tuple(chosen), levels


def _ignored_names(obj: dict[str, Any] | None) -> set[str]:
    """The rules an object's `wavecd.io/lint-ignore` annotation names (IDs upper-cased, slugs as written)."""
    if obj is None:
        return set()
    metadata = obj.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    value = annotations.get(IGNORE_ANNOTATION) if isinstance(annotations, dict) else None
    if not isinstance(value, str):
        return set()
    return {
        part.strip().upper() if part.strip().upper().startswith("WCD") else part.strip() for part in value.split(",")
    }


class _Suppressions:
    """The annotations of the tree's objects and Applications, looked up by the finding's app and object."""

    def __init__(self, tree: Tree):
        self._apps = {node.name: node for node in tree.nodes}
        self._objects: dict[tuple[str, ObjectKey], dict[str, Any]] = {}
        for node in tree.nodes:
            for obj in node.manifests:
                self._objects[(node.name, origin_key(obj))] = obj

    def silenced(self, finding: Finding, rule: Rule) -> bool:
        app = self._apps.get(finding.app or "")
        names = _ignored_names(app.obj) if app is not None else set()
        if app is not None and finding.obj is not None:
            key = (api_group(finding.obj.api_version), finding.obj.kind, finding.obj.namespace, finding.obj.name)
            names |= _ignored_names(self._objects.get((app.name, key)))
        return rule.id in names or rule.slug in names


def lint_tree(
    tree: Tree,
    plan: TreePlan,
    *,
    kube_version: str,
    locate: Callable[[AppNode, dict[str, Any] | None], FindingLocation | None],
    settings: LintSettings | None = None,
    only: Sequence[str] = (),
) -> LintReport:
    """Run the chosen rules over a walked, planned tree; raises UserInputError for an unknown rule name."""
    rules, levels = _chosen(settings or LintSettings(), only)
    context = LintContext(tree=tree, plan=plan, kube_version=kube_version, locate=locate)
    suppressions = _Suppressions(tree)
    kept: list[Finding] = []
    suppressed = 0
    for rule in rules:
        for found in rule.check(context):
            if suppressions.silenced(found, rule):
                suppressed += 1
                continue
            level = levels.get(rule.id)
            kept.append(dataclasses.replace(found, severity=level) if level is not None else found)
    return LintReport(tuple(kept), rules, suppressed)
